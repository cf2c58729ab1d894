using ProdFlash.Core.Devices;

namespace ProdFlash.Programming.Flash;

/// <summary>
/// One family's flash controller and option bytes, driven through <see cref="Core.Targets.ITargetMemory"/>:
/// unlock, erase, program in the family's unit, read and write option bytes and make them take effect.
/// </summary>
/// <remarks>
/// Created per attempt for one connected target (the core halted) and used by one runner at a time
/// (not thread-safe). Register addresses, bits, keys and layouts come from the device catalog, never from code.
/// Every wait on BSY is bounded by the catalog's maximum time for the operation plus a margin; failures are
/// <see cref="FlashOperationException"/> with the status register as evidence.
/// </remarks>
public interface IFlashDriver
{
    /// <summary>The part this driver programs (layout, controller map, option-byte layout, timings).</summary>
    DevicePart Part { get; }

    /// <summary>Unlocks the flash controller (KEYR sequence); a no-op when already unlocked.</summary>
    ValueTask UnlockAsync(CancellationToken cancellationToken);

    /// <summary>Locks the flash controller again (CR.LOCK); best effort at the end of an attempt.</summary>
    ValueTask LockAsync(CancellationToken cancellationToken);

    /// <summary>Erases the given pages or sectors, in order, reporting each one done.</summary>
    ValueTask EraseAsync(IReadOnlyList<EraseUnit> units, IProgress<FlashProgress>? progress, CancellationToken cancellationToken);

    /// <summary>Erases the whole main flash (all banks).</summary>
    ValueTask MassEraseAsync(IProgress<FlashProgress>? progress, CancellationToken cancellationToken);

    /// <summary>
    /// Programs <paramref name="data"/> at <paramref name="address"/> (erased beforehand), in blocks as large as
    /// the probe and chip allow, padding a partial programming unit with 0xFF.
    /// </summary>
    ValueTask ProgramAsync(uint address, ReadOnlyMemory<byte> data, IProgress<FlashProgress>? progress, CancellationToken cancellationToken);

    /// <summary>Reads and decodes the option bytes as currently loaded.</summary>
    ValueTask<OptionByteState> ReadOptionBytesAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Programs the requested option-byte changes and makes them take effect (F1 system reset, F0/G0/L4
    /// OBL_LAUNCH, F4 OPTSTRT), then reads them back. Risky changes need the permission in <paramref name="change"/>.
    /// </summary>
    /// <returns>The option bytes as loaded after the change.</returns>
    ValueTask<OptionByteState> WriteOptionBytesAsync(OptionByteChange change, CancellationToken cancellationToken);
}

/// <summary>Progress of a flash operation: bytes (or units) done of the total.</summary>
/// <param name="Done">Bytes programmed or units erased so far.</param>
/// <param name="Total">Bytes or units in the whole operation.</param>
public readonly record struct FlashProgress(long Done, long Total);

/// <summary>Option bytes as loaded, decoded by the family's layout from the catalog.</summary>
/// <param name="Rdp">Read-out protection level.</param>
/// <param name="RdpRaw">The raw RDP byte, when the family exposes it (e.g. 0xA5, 0xAA, 0xCC); null where only a status bit is visible.</param>
/// <param name="Fields">Named user fields (e.g. WDG_SW, nBOOT1, DATA0) from the catalog's option-byte layout.</param>
/// <param name="WriteProtectedUnits">Numbers of the pages or sectors that are write protected.</param>
/// <param name="RawRegisters">The registers read (name → value), as evidence for the attempt record.</param>
public sealed record OptionByteState(
    RdpLevel Rdp,
    byte? RdpRaw,
    IReadOnlyDictionary<string, uint> Fields,
    IReadOnlyList<int> WriteProtectedUnits,
    IReadOnlyDictionary<string, uint> RawRegisters);

/// <summary>A requested change of option bytes; unnamed items stay as they are.</summary>
/// <param name="Rdp">New read-out protection level, or null to keep it.</param>
/// <param name="Fields">User fields to set by name (catalog names).</param>
/// <param name="WriteProtectedUnits">The complete set of pages/sectors to protect, or null to keep protection as is.</param>
/// <param name="AllowRdpRegression">Permission to go from RDP level 1 to 0, which mass-erases the flash.</param>
/// <param name="AllowWriteProtectionRemoval">Permission to remove write protection from any page or sector.</param>
public sealed record OptionByteChange(
    RdpLevel? Rdp = null,
    IReadOnlyDictionary<string, uint>? Fields = null,
    IReadOnlyList<int>? WriteProtectedUnits = null,
    bool AllowRdpRegression = false,
    bool AllowWriteProtectionRemoval = false);

/// <summary>How a flash or option-byte operation failed; the engine maps it to a failure code.</summary>
public enum FlashFailureKind
{
    /// <summary>An erase ended with an error flag or did not finish in time.</summary>
    EraseFailed,

    /// <summary>Programming ended with an error flag (PGERR, PROGERR, ...) or did not finish in time.</summary>
    ProgramFailed,

    /// <summary>The target page or sector is write protected (WRPRTERR / WRPERR).</summary>
    WriteProtected,

    /// <summary>Read-out protection blocks the operation and no permission to regress was given.</summary>
    ReadoutProtected,

    /// <summary>RDP level 2: permanent; nothing can be done with this chip.</summary>
    ReadoutProtectedPermanently,

    /// <summary>Option bytes did not program or did not read back as written.</summary>
    OptionBytesWriteFailed,

    /// <summary>The flash controller stayed locked after the unlock sequence.</summary>
    UnlockFailed,

    /// <summary>
    /// The programming loader on the target's CPU stalled, locked up or stopped early without an error flag; the
    /// message and the registers (PC, next flash address, units left, DHCSR, read pointer, FLASH_SR) say where.
    /// </summary>
    LoaderFailed,
}

/// <summary>A flash or option-byte operation failed; the message says what, where, and what to do.</summary>
public sealed class FlashOperationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FlashOperationException(FlashFailureKind kind, string message, uint? address = null, IReadOnlyDictionary<string, uint>? registers = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        Address = address;
        Registers = registers ?? new Dictionary<string, uint>();
    }

    /// <summary>What kind of failure.</summary>
    public FlashFailureKind Kind { get; }

    /// <summary>The address concerned, when there is one.</summary>
    public uint? Address { get; }

    /// <summary>Controller registers read at the failure (e.g. SR, CR), as evidence.</summary>
    public IReadOnlyDictionary<string, uint> Registers { get; }
}
