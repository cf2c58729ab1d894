using ProdFlash.Core.Diagnostics;

namespace ProdFlash.Data.Entities;

/// <summary>One Start press on one fixture: the attempts of its slots share it.</summary>
public sealed class Run
{
    /// <summary>Key.</summary>
    public long Id { get; set; }

    /// <summary>The fixture that was started.</summary>
    public int FixtureId { get; set; }

    /// <summary>The fixture that was started.</summary>
    public Fixture? Fixture { get; set; }

    /// <summary>The recipe the run programs.</summary>
    public int RecipeId { get; set; }

    /// <summary>The recipe the run programs.</summary>
    public RecipeRecord? Recipe { get; set; }

    /// <summary>The operator who pressed Start (user name, or the line controller's key name).</summary>
    public required string Operator { get; set; }

    /// <summary>Lot or board code scanned at Start, if any.</summary>
    public string? LotCode { get; set; }

    /// <summary>When Start was pressed.</summary>
    public DateTimeOffset StartedAt { get; set; }

    /// <summary>When the last attempt of the run ended.</summary>
    public DateTimeOffset? EndedAt { get; set; }
}

/// <summary>
/// One slot in one run: everything measured about one unit's programming (DESIGN §5, §8). Station, fixture and recipe
/// are copied from the run and slot so that report queries group one table without joins.
/// </summary>
public sealed class Attempt
{
    private DateTimeOffset _startedAt;

    /// <summary>Key.</summary>
    public long Id { get; set; }

    /// <summary>The run.</summary>
    public long RunId { get; set; }

    /// <summary>The run.</summary>
    public Run? Run { get; set; }

    /// <summary>The station (copied from the run's fixture).</summary>
    public int StationId { get; set; }

    /// <summary>The station.</summary>
    public Station? Station { get; set; }

    /// <summary>The fixture (copied from the run).</summary>
    public int FixtureId { get; set; }

    /// <summary>The slot.</summary>
    public int SlotId { get; set; }

    /// <summary>The slot.</summary>
    public Slot? Slot { get; set; }

    /// <summary>The recipe (copied from the run).</summary>
    public int RecipeId { get; set; }

    /// <summary>The recipe.</summary>
    public RecipeRecord? Recipe { get; set; }

    /// <summary>Serial of the probe that drove the slot.</summary>
    public string? ProbeSerial { get; set; }

    /// <summary>The MCU's 96-bit unique ID as 24 upper-case hex characters, once identified.</summary>
    public string? McuUid { get; set; }

    /// <summary>The catalog part identified ("STM32F103C8").</summary>
    public string? DevicePart { get; set; }

    /// <summary>The genuineness verdict ("Genuine", "Clone:GD32F1", "Unknown").</summary>
    public string? Genuineness { get; set; }

    /// <summary>The serial text written into the unit (reserved at Serialize; committed only if the attempt passed).</summary>
    public string? SerialText { get; set; }

    /// <summary>The ledger entry of the serial.</summary>
    public long? SerialEntryId { get; set; }

    /// <summary>Per-phase times and measurements as compact JSON (see <see cref="PhaseLog"/>).</summary>
    public string? Phases { get; set; }

    /// <summary>Option-byte registers read before the attempt changed them, as <c>NAME=0xVALUE</c> pairs separated by spaces.</summary>
    public string? OptionBytesBefore { get; set; }

    /// <summary>Option-byte registers read back after the option-byte phase, in the same form.</summary>
    public string? OptionBytesAfter { get; set; }

    /// <summary>Terminal state, or Running.</summary>
    public AttemptState State { get; set; }

    /// <summary>Why it did not pass.</summary>
    public FailureCode? FailureCode { get; set; }

    /// <summary>The phase that failed.</summary>
    public AttemptPhase? FailedPhase { get; set; }

    /// <summary>The time the model says the attempt took, seconds.</summary>
    public double? ModeledSeconds { get; set; }

    /// <summary>The physical floor for the image on this chip, seconds (DESIGN §7).</summary>
    public double? FloorSeconds { get; set; }

    /// <summary>Whether this is the first attempt seen for its unit (by MCU UID); set when the attempt is recorded. First-pass yield counts these.</summary>
    public bool IsFirstAttempt { get; set; }

    /// <summary>When the attempt started; also sets <see cref="StartedHour"/>.</summary>
    public DateTimeOffset StartedAt
    {
        get => _startedAt;
        set
        {
            _startedAt = value;
            StartedHour = StoreTime.HourOf(value);
        }
    }

    /// <summary>The UTC hour the attempt started in (hours since the Unix epoch); day and shift reports bucket by it.</summary>
    public int StartedHour { get; private set; }

    /// <summary>When it ended.</summary>
    public DateTimeOffset? EndedAt { get; set; }
}

/// <summary>One serial value in the ledger; (scheme, sequence) is unique.</summary>
public sealed class SerialEntry
{
    /// <summary>Key.</summary>
    public long Id { get; set; }

    /// <summary>The scheme's key (per recipe: the recipe name, so versions of a product share one series).</summary>
    public required string Scheme { get; set; }

    /// <summary>The sequence value.</summary>
    public long Sequence { get; set; }

    /// <summary>The rendered text.</summary>
    public required string Text { get; set; }

    /// <summary>Reserved, Committed or Void.</summary>
    public SerialState State { get; set; }

    /// <summary>The attempt it was reserved for.</summary>
    public long? AttemptId { get; set; }

    /// <summary>When it was reserved.</summary>
    public DateTimeOffset ReservedAt { get; set; }

    /// <summary>When it was committed or voided.</summary>
    public DateTimeOffset? ClosedAt { get; set; }
}
