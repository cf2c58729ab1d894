using ProdFlash.Core.Diagnostics;
using ProdFlash.Data.Entities;

namespace ProdFlash.Data.Reports;

/// <summary>One shift of the shift table: it starts at a whole local hour and runs until the next shift starts.</summary>
/// <param name="Name">The shift's name ("Early").</param>
/// <param name="StartHour">The local hour it starts, 0–23.</param>
public sealed record ShiftDefinition(string Name, int StartHour);

/// <summary>How reports cut time into days and shifts (configuration section <c>Reports</c>).</summary>
public sealed record ReportOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Reports";

    /// <summary>The plant's time zone: days and shifts are local. UTC unless set.</summary>
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Utc;

    /// <summary>The shift table; shifts start on whole hours (the store buckets attempts by hour). Three 8-hour shifts unless set.</summary>
    public IReadOnlyList<ShiftDefinition> Shifts { get; init; } =
    [
        new("Early", 6),
        new("Late", 14),
        new("Night", 22),
    ];
}

/// <summary>What a yield report groups by.</summary>
public enum YieldDimension
{
    /// <summary>Everything in one group.</summary>
    Total,

    /// <summary>Per station.</summary>
    Station,

    /// <summary>Per fixture.</summary>
    Fixture,

    /// <summary>Per slot.</summary>
    Slot,

    /// <summary>Per recipe version.</summary>
    Recipe,
}

/// <summary>How a yield report cuts time.</summary>
public enum TimeBucket
{
    /// <summary>The whole range in one bucket.</summary>
    None,

    /// <summary>Per local day.</summary>
    Day,

    /// <summary>Per shift of the shift table (a shift belongs to the day it starts).</summary>
    Shift,
}

/// <summary>Which attempts a report or a page looks at. Every member left null means "any".</summary>
public sealed record AttemptFilter
{
    /// <summary>Started at or after.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Started before.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Station key.</summary>
    public int? StationId { get; init; }

    /// <summary>Fixture key.</summary>
    public int? FixtureId { get; init; }

    /// <summary>Slot key.</summary>
    public int? SlotId { get; init; }

    /// <summary>Recipe key.</summary>
    public int? RecipeId { get; init; }

    /// <summary>Terminal state.</summary>
    public AttemptState? State { get; init; }

    /// <summary>Failure code.</summary>
    public FailureCode? FailureCode { get; init; }

    /// <summary>Text the serial or the MCU UID contains.</summary>
    public string? Search { get; init; }

    /// <summary>
    /// A shift of the <see cref="ReportOptions.Shifts"/> table, by name (any case): only attempts that started in that
    /// shift's local hours, on any day of the range. Every report, page and export applies it.
    /// </summary>
    public string? Shift { get; init; }
}

/// <summary>
/// One group of a yield report. A unit is an MCU UID (an attempt that never identified its chip counts as a unit of its
/// own); it is counted in the group of its first attempt.
/// </summary>
/// <param name="KeyId">The station / fixture / slot / recipe key, or null for <see cref="YieldDimension.Total"/>.</param>
/// <param name="KeyName">Its name ("ST01", "ST01/F1/3", "Widget 1.2.0"), or "all".</param>
/// <param name="Day">The local day, or null without time bucketing.</param>
/// <param name="Shift">The shift name, or null unless bucketing by shift.</param>
/// <param name="Attempts">Finished attempts (Running ones are left out).</param>
/// <param name="Passed">Of those, passed.</param>
/// <param name="Failed">Of those, failed (aborted and interrupted attempts are neither).</param>
/// <param name="Units">First attempts: the units tried.</param>
/// <param name="FirstPassPassed">Units whose first attempt passed.</param>
public sealed record YieldRow(int? KeyId, string KeyName, DateOnly? Day, string? Shift, int Attempts, int Passed, int Failed, int Units, int FirstPassPassed)
{
    /// <summary>Final yield: passed attempts per unit tried (a unit passes once), 0 when there are none.</summary>
    public double Yield => Units == 0 ? 0 : (double)Passed / Units;

    /// <summary>First-pass yield: units whose first attempt passed per unit tried.</summary>
    public double FirstPassYield => Units == 0 ? 0 : (double)FirstPassPassed / Units;

    /// <summary>Attempt yield: passed per finished attempt.</summary>
    public double AttemptYield => Attempts == 0 ? 0 : (double)Passed / Attempts;
}

/// <summary>One bar of a failure Pareto.</summary>
/// <param name="Code">The failure code.</param>
/// <param name="Count">Attempts that ended with it.</param>
/// <param name="Share">Its share of all failures in the range, 0–1.</param>
/// <param name="CumulativeShare">The running share up to and including this bar.</param>
public sealed record ParetoRow(FailureCode Code, int Count, double Share, double CumulativeShare);

/// <summary>One attempt as lists, pages and exports show it.</summary>
public sealed record AttemptSummary
{
    /// <summary>Key.</summary>
    public long Id { get; init; }

    /// <summary>Run key.</summary>
    public long RunId { get; init; }

    /// <summary>Started.</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>Ended.</summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Station name.</summary>
    public required string Station { get; init; }

    /// <summary>Fixture key.</summary>
    public int FixtureId { get; init; }

    /// <summary>Fixture name ("F1").</summary>
    public string Fixture { get; init; } = string.Empty;

    /// <summary>Slot key.</summary>
    public int SlotId { get; init; }

    /// <summary>Slot position in its fixture.</summary>
    public int SlotPosition { get; init; }

    /// <summary>Recipe name.</summary>
    public required string Recipe { get; init; }

    /// <summary>Recipe version.</summary>
    public required string RecipeVersion { get; init; }

    /// <summary>Operator of the run.</summary>
    public required string Operator { get; init; }

    /// <summary>State.</summary>
    public AttemptState State { get; init; }

    /// <summary>Failure code.</summary>
    public FailureCode? FailureCode { get; init; }

    /// <summary>Serial text.</summary>
    public string? SerialText { get; init; }

    /// <summary>MCU UID.</summary>
    public string? McuUid { get; init; }

    /// <summary>Identified part.</summary>
    public string? DevicePart { get; init; }

    /// <summary>Genuineness verdict.</summary>
    public string? Genuineness { get; init; }

    /// <summary>Probe serial.</summary>
    public string? ProbeSerial { get; init; }

    /// <summary>Modeled seconds.</summary>
    public double? ModeledSeconds { get; init; }
}

/// <summary>Where the next keyset page starts: after this attempt in newest-first order.</summary>
/// <param name="StartedAt">The last row's start.</param>
/// <param name="Id">The last row's key.</param>
public readonly record struct AttemptCursor(DateTimeOffset StartedAt, long Id);

/// <summary>One page of attempts, newest first.</summary>
/// <param name="Items">The rows.</param>
/// <param name="Next">The cursor for the page after this one, or null on the last page.</param>
public sealed record AttemptPage(IReadOnlyList<AttemptSummary> Items, AttemptCursor? Next);

/// <summary>Every attempt of one unit, oldest first.</summary>
/// <param name="McuUids">The unit's MCU UIDs found (one, unless a serial was written into two chips).</param>
/// <param name="Serials">Serial texts the unit carried.</param>
/// <param name="Attempts">The attempts.</param>
public sealed record UnitHistory(IReadOnlyList<string> McuUids, IReadOnlyList<string> Serials, IReadOnlyList<AttemptSummary> Attempts);
