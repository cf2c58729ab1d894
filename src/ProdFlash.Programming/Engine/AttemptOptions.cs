using ProdFlash.Core.Devices;
using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Targets;
using ProdFlash.Programming.Flash;

namespace ProdFlash.Programming.Engine;

/// <summary>What a flash driver is created with for one attempt.</summary>
/// <param name="Part">The identified catalog part.</param>
/// <param name="Memory">The target memory the driver must use (the engine's counting wrapper).</param>
/// <param name="Core">The core, for the reset that loads new F1 option bytes.</param>
/// <param name="Clock">The clock BSY waits are bounded on (the probe's modeled clock).</param>
/// <param name="Volts">The target voltage measured in the power phase, or null.</param>
/// <param name="CloneFamily">The look-alike family identify named ("APM32"), or null for a genuine or unknown part.</param>
/// <param name="Loader">Whether programming may run the RAM loader on the target's CPU (<see cref="AttemptOptions.Loader"/>).</param>
public sealed record FlashDriverContext(DevicePart Part, ITargetMemory Memory, ICoreControl Core, TimeProvider Clock, double? Volts, string? CloneFamily = null, RamLoaderMode Loader = RamLoaderMode.Auto);

/// <summary>Creates the flash driver for one attempt.</summary>
/// <param name="context">Part, memory, core, clock and voltage.</param>
public delegate IFlashDriver FlashDriverFactory(FlashDriverContext context);

/// <summary>How the engine runs attempts: catalog, flash drivers and clocks.</summary>
/// <remarks>Immutable; one instance may serve every slot of a station.</remarks>
public sealed record AttemptOptions
{
    /// <summary>The device catalog identification looks parts up in.</summary>
    public DeviceCatalog Catalog { get; init; } = DeviceCatalog.Default;

    /// <summary>The per-family flash driver with the given strategy (<see cref="Fast"/> by default).</summary>
    public FlashDriverFactory FlashDrivers { get; init; } = Fast;

    /// <summary>
    /// The modeled clock the ledger and the phase limits are measured on, or null for the probe's own clock
    /// (<see cref="IProbeStatistics.Clock"/>: virtual time under the emulator), else the system clock.
    /// </summary>
    public TimeProvider? ModeledTime { get; init; }

    /// <summary>
    /// The catalog drivers with fast block programming, except on look-alikes whose flash drops a write that
    /// arrives while it is busy (<see cref="CloneFlashQuirks"/>): those get one unit per round trip, the only way
    /// they program correctly.
    /// </summary>
    public static FlashDriverFactory Fast { get; } = context =>
        Create(context, CloneFlashQuirks.LosesWritesWhileBusy(context.CloneFamily) ? ProgramStrategy.Naive : ProgramStrategy.Fast);

    /// <summary>The catalog drivers with one round trip per programming unit (the benchmark's contrast).</summary>
    public static FlashDriverFactory Naive { get; } = context => Create(context, ProgramStrategy.Naive);

    /// <summary>The clock wall-time phase limits run on (a fake clock in tests).</summary>
    public TimeProvider WallTime { get; init; } = TimeProvider.System;

    /// <summary>
    /// The last phase to run (default <see cref="AttemptPhase.Finalize"/>, the whole attempt). <c>prodflash diagnose</c>
    /// stops after <see cref="AttemptPhase.OptionBytes"/>, which only reads unless the recipe allows a change.
    /// </summary>
    public AttemptPhase LastPhase { get; init; } = AttemptPhase.Finalize;

    /// <summary>
    /// Whether the fast strategy may program through the RAM loader on the target's CPU where the family and the part's
    /// SRAM allow it (docs/programming-engine.md "RAM loader").
    /// </summary>
    public RamLoaderMode Loader { get; init; } = RamLoaderMode.Auto;

    /// <summary>Who a cancellation is attributed to in the Aborted diagnosis.</summary>
    public string StoppedBy { get; init; } = "the operator";

    private static IFlashDriver Create(FlashDriverContext context, ProgramStrategy strategy) =>
        Flash.FlashDrivers.Create(context.Part, context.Memory, context.Clock,
            new FlashDriverOptions { Strategy = strategy, Core = context.Core, ProgrammingVoltage = context.Volts, Loader = context.Loader });
}
