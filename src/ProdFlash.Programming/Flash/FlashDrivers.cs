using ProdFlash.Core.Devices;
using ProdFlash.Core.Targets;

namespace ProdFlash.Programming.Flash;

/// <summary>How <see cref="IFlashDriver.ProgramAsync"/> moves data to the chip.</summary>
public enum ProgramStrategy
{
    /// <summary>
    /// Whole runs as large block writes in the family's unit while PG stays set (the AHB-AP stalls while the flash is
    /// busy), the status register checked once per block.
    /// </summary>
    Fast,

    /// <summary>One probe round trip per programming unit, BSY polled after each: the contrast for the benchmark.</summary>
    Naive,
}

/// <summary>Whether <see cref="IFlashDriver.ProgramAsync"/> may run a loader on the target's CPU.</summary>
public enum RamLoaderMode
{
    /// <summary>
    /// Use the RAM loader (docs/programming-engine.md "RAM loader") when the driver has core control, the strategy is
    /// <see cref="ProgramStrategy.Fast"/>, the family has a loader for its programming unit and the main SRAM holds it
    /// with a useful ring buffer; otherwise program directly.
    /// </summary>
    Auto,

    /// <summary>Always program directly through the debug port (PG set, block writes).</summary>
    Off,
}

/// <summary>Choices a flash driver takes from the recipe and the station; safe defaults.</summary>
/// <remarks>Immutable.</remarks>
public sealed record FlashDriverOptions
{
    /// <summary>The default options: fast programming, voltage unknown, no core control.</summary>
    public static FlashDriverOptions Default { get; } = new();

    /// <summary>How data is programmed (default <see cref="ProgramStrategy.Fast"/>).</summary>
    public ProgramStrategy Strategy { get; init; } = ProgramStrategy.Fast;

    /// <summary>
    /// The target supply voltage while programming, in volts, from the recipe; it selects the F4 parallelism (PSIZE).
    /// Null keeps the catalog's default unit, which works over the widest voltage range.
    /// </summary>
    public double? ProgrammingVoltage { get; init; }

    /// <summary>
    /// The core, for the system reset that loads new F1 option bytes and to halt the core again after an OBL_LAUNCH
    /// reset; null when the caller reloads them itself (then F1 option-byte writes are refused).
    /// </summary>
    public ICoreControl? Core { get; init; }

    /// <summary>Bytes per block write in the fast strategy before the status register is checked (default 16 KiB).</summary>
    public int ProgramBlockBytes { get; init; } = 16 * 1024;

    /// <summary>Whether programming may run a loader on the target's CPU (default <see cref="RamLoaderMode.Auto"/>).</summary>
    public RamLoaderMode Loader { get; init; } = RamLoaderMode.Auto;

    /// <summary>
    /// The largest ring buffer the RAM loader uses in the part's main SRAM (default 8 KiB: tens of milliseconds of
    /// programming, many USB round trips; a larger ring only lengthens the fill before the first unit programs).
    /// </summary>
    public int LoaderRingBytes { get; init; } = 8 * 1024;
}

/// <summary>Creates the flash driver for a catalog part.</summary>
public static class FlashDrivers
{
    /// <summary>Family keys with a driver.</summary>
    public static IReadOnlyList<string> SupportedFamilies { get; } = ["f0", "f1", "f4", "g0", "l4"];

    /// <summary>Creates the driver for <paramref name="part"/>'s family, talking through <paramref name="memory"/>.</summary>
    /// <param name="part">The identified part (its family's controller map, option-byte layout and timings are used).</param>
    /// <param name="memory">The connected target's memory (core halted).</param>
    /// <param name="timeProvider">Time source bounding BSY waits (the system clock when null).</param>
    /// <param name="options">Strategy, voltage and core control; <see cref="FlashDriverOptions.Default"/> when null.</param>
    /// <exception cref="NotSupportedException">The family has no driver.</exception>
    public static IFlashDriver Create(DevicePart part, ITargetMemory memory, TimeProvider? timeProvider = null, FlashDriverOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(part);
        ArgumentNullException.ThrowIfNull(memory);
        timeProvider ??= TimeProvider.System;
        options ??= FlashDriverOptions.Default;
        if (options.ProgramBlockBytes <= 0)
        {
            throw new ArgumentException($"ProgramBlockBytes is {options.ProgramBlockBytes}; give a positive block size, e.g. 16384.", nameof(options));
        }

        return part.Family.Key switch
        {
            "f0" or "f1" => new FpecFlashDriver(part, memory, timeProvider, options),
            "f4" => new F4FlashDriver(part, memory, timeProvider, options),
            "g0" or "l4" => new L4StyleFlashDriver(part, memory, timeProvider, options),
            _ => throw new NotSupportedException(
                $"No flash driver for {part.Family.Name} ({part.PartNumber}); drivers exist for {string.Join(", ", SupportedFamilies)}."),
        };
    }
}
