using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Recipes;
using ProdFlash.Core.Targets;
using ProdFlash.Programming.Flash;
using ProdFlash.Programming.Identify;

namespace ProdFlash.Programming.Engine;

/// <summary>How an attempt ended (DESIGN §5 phase 11; Interrupted is the station's, found after a restart).</summary>
public enum AttemptOutcome
{
    /// <summary>Every phase finished.</summary>
    Passed,

    /// <summary>A phase failed; <see cref="AttemptResult.Diagnosis"/> says why.</summary>
    Failed,

    /// <summary>The caller cancelled the attempt.</summary>
    Aborted,
}

/// <summary>Where one phase's time went (DESIGN §7).</summary>
/// <param name="Phase">The phase.</param>
/// <param name="Wall">Host wall-clock time.</param>
/// <param name="Modeled">Time on the attempt's modeled clock (the emulator's virtual time; wall time on hardware).</param>
/// <param name="Transactions">Probe transactions (USB round trips); 0 when the probe does not count them.</param>
/// <param name="BytesOut">Bytes sent to the probe.</param>
/// <param name="BytesIn">Bytes received from the probe.</param>
/// <param name="BusyWait">Modeled time spent reading the flash status register while waiting for BSY to clear.</param>
public sealed record PhaseLedgerEntry(AttemptPhase Phase, TimeSpan Wall, TimeSpan Modeled, long Transactions, long BytesOut, long BytesIn, TimeSpan BusyWait)
{
    /// <summary>Bytes moved in both directions.</summary>
    public long Bytes => BytesOut + BytesIn;

    /// <summary>
    /// Why the phase's check could not be made with this probe (e.g. a GDB server measures no target voltage), or null
    /// when it was made. Such a phase is reported as not available, never as passed.
    /// </summary>
    public string? NotAvailable { get; init; }

    /// <summary>For the verify phase: how the programmed bytes were checked and how many; null for other phases.</summary>
    public VerifyRecord? Verify { get; init; }
}

/// <summary>How the verify phase checked the programmed bytes.</summary>
public enum VerifyMethod
{
    /// <summary>Nothing was checked (recipe <c>verify: off</c>).</summary>
    None,

    /// <summary>Every byte read back over the debug port and compared.</summary>
    Readback,

    /// <summary>
    /// The chip's CRC unit, fed by a memory-to-memory DMA transfer from flash, compared with the host's CRC of the image
    /// per block of erase units; unaligned edge bytes and a mismatching unit are read back (docs/onchip-verify.md).
    /// </summary>
    OnChipCrc,
}

/// <summary>What the verify phase checked.</summary>
/// <param name="Method">How.</param>
/// <param name="BytesChecked">Image bytes covered.</param>
/// <param name="BytesReadBack">Bytes moved over the debug port to check them (all of them for a readback).</param>
/// <param name="Blocks">On-chip CRC transfers run (0 for a readback).</param>
/// <param name="Fallback">Why a checksum recipe fell back to a readback, or null.</param>
public sealed record VerifyRecord(VerifyMethod Method, long BytesChecked, long BytesReadBack, int Blocks, string? Fallback);

/// <summary>One connect try and what came of it.</summary>
/// <param name="Try">Mode and requested SWD frequency.</param>
/// <param name="AppliedKHz">The frequency the probe applied, or null when setting it failed.</param>
/// <param name="Error">Null when the try connected; otherwise how it failed.</param>
/// <param name="Detail">The DPIDR read, or the error message.</param>
public sealed record ConnectRecord(ConnectTry Try, int? AppliedKHz, TargetErrorKind? Error, string Detail)
{
    /// <summary>Whether this try connected.</summary>
    public bool Connected => Error is null;
}

/// <summary>What the erase phase does.</summary>
/// <param name="Mass">Whether the whole flash is mass erased.</param>
/// <param name="Units">The pages or sectors erased one by one (empty for a mass erase).</param>
/// <param name="SkippedUnits">Touched units left alone because they already hold the image (preverify).</param>
/// <param name="TouchedCost">Catalog typical time to erase the touched units, or null where unknown.</param>
/// <param name="MassCost">Catalog typical time of a mass erase, or null where unknown.</param>
/// <param name="Reason">Why this plan, in words.</param>
public sealed record ErasePlan(bool Mass, IReadOnlyList<Core.Devices.EraseUnit> Units, IReadOnlyList<Core.Devices.EraseUnit> SkippedUnits, TimeSpan? TouchedCost, TimeSpan? MassCost, string Reason);

/// <summary>The physical floor of an attempt (DESIGN §7) and its parts.</summary>
/// <param name="Erase">Typical time of the erase operations the plan needs.</param>
/// <param name="Program">Typical time of the programming units the image needs.</param>
/// <param name="Transfer">Time to move the image over SWD once at the connect frequency.</param>
/// <param name="Note">How it was computed, or why it is unknown.</param>
public sealed record PhysicalFloor(TimeSpan? Erase, TimeSpan? Program, TimeSpan Transfer, string Note)
{
    /// <summary>The floor: erase + program + transfer, or null when a catalog time is unknown.</summary>
    public TimeSpan? Total => Erase is { } e && Program is { } p ? e + p + Transfer : null;
}

/// <summary>Everything one attempt measured and decided.</summary>
/// <remarks>Immutable once returned; safe to share between threads.</remarks>
public sealed record AttemptResult
{
    /// <summary>How the attempt ended.</summary>
    public required AttemptOutcome Outcome { get; init; }

    /// <summary>Why it did not pass; null when it passed.</summary>
    public Diagnosis? Diagnosis { get; init; }

    /// <summary>The failure code, or null when passed.</summary>
    public FailureCode? FailureCode => Diagnosis?.Code;

    /// <summary>The probe used.</summary>
    public required ProbeDescription Probe { get; init; }

    /// <summary>The target voltage measured in the power phase, or null when not reached.</summary>
    public TargetVoltage? Voltage { get; init; }

    /// <summary>Each connect try, in order.</summary>
    public IReadOnlyList<ConnectRecord> ConnectTries { get; init; } = [];

    /// <summary>What the identify phase found, or null when not reached.</summary>
    public Identification? Identity { get; init; }

    /// <summary>The catalog part programmed (the recipe's device that matched), or null when identify did not pass.</summary>
    public Core.Devices.DevicePart? Part { get; init; }

    /// <summary>Option bytes as found, or null when not read.</summary>
    public OptionByteState? OptionBytesBefore { get; init; }

    /// <summary>Option bytes at the end, or null when not read.</summary>
    public OptionByteState? OptionBytesAfter { get; init; }

    /// <summary>The erase plan, or null when not reached.</summary>
    public ErasePlan? Erase { get; init; }

    /// <summary>Image bytes programmed (skipped units excluded).</summary>
    public long BytesProgrammed { get; init; }

    /// <summary>The serial record written and read back; null when none was written.</summary>
    public Core.Serialization.SerialRecord? Serial { get; init; }

    /// <summary>Per phase, in order, the phases that ran (including the failed one).</summary>
    public IReadOnlyList<PhaseLedgerEntry> Phases { get; init; } = [];

    /// <summary>The physical floor, or null when the device was not identified.</summary>
    public PhysicalFloor? Floor { get; init; }

    /// <summary>
    /// Anomalies the recipe allowed, each with the diagnosis (code, words and evidence) it would have failed with, in the
    /// order they were found; e.g. a clone probe under <c>probe.allowClone</c>. Empty when there were none.
    /// </summary>
    public IReadOnlyList<Diagnosis> Warnings { get; init; } = [];

    /// <summary>The earlier contact with the board the caller passed in (evidence for a silent chip), or null.</summary>
    public PriorContact? Prior { get; init; }

    /// <summary>Total modeled time of all phases.</summary>
    public TimeSpan Modeled => Phases.Aggregate(TimeSpan.Zero, (sum, p) => sum + p.Modeled);

    /// <summary>Total wall time of all phases.</summary>
    public TimeSpan Wall => Phases.Aggregate(TimeSpan.Zero, (sum, p) => sum + p.Wall);

    /// <summary>Modeled time of the erase and program phases.</summary>
    public TimeSpan ProgramPhaseModeled => Phases.Where(p => p.Phase is AttemptPhase.Erase or AttemptPhase.Program).Aggregate(TimeSpan.Zero, (sum, p) => sum + p.Modeled);

    /// <summary>Modeled attempt time over the floor, or null when the floor is unknown.</summary>
    public double? Ratio => Floor?.Total is { } floor && floor > TimeSpan.Zero ? Modeled / floor : null;

    /// <summary>Modeled erase+program time over the floor, or null when the floor is unknown.</summary>
    public double? ProgramRatio => Floor?.Total is { } floor && floor > TimeSpan.Zero ? ProgramPhaseModeled / floor : null;
}
