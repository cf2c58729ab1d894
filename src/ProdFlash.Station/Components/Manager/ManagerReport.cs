using System.Globalization;

using ProdFlash.Data.Reports;
using ProdFlash.Station.Dashboard;

namespace ProdFlash.Station.Components.Manager;

/// <summary>One yield table of the report page.</summary>
/// <param name="Name">What it groups by, for the heading and test ids ("station").</param>
/// <param name="Title">The heading ("Yield by station").</param>
/// <param name="KeyHeader">The first column's heading ("Station").</param>
/// <param name="Rows">Its rows; <see cref="YieldRow.KeyName"/> is the label shown.</param>
public sealed record YieldTable(string Name, string Title, string KeyHeader, IReadOnlyList<YieldRow> Rows);

/// <summary>Everything the report page shows for one filter.</summary>
/// <param name="Tables">Yield and first-pass yield by station, fixture, slot, recipe, shift and day.</param>
/// <param name="Pareto">The failure Pareto.</param>
/// <param name="Trend">Yield per day, oldest first (the day table's rows).</param>
public sealed record ManagerReportData(IReadOnlyList<YieldTable> Tables, IReadOnlyList<ParetoRow> Pareto, IReadOnlyList<YieldRow> Trend);

/// <summary>
/// Loads the report page from <see cref="ProductionReports"/> (its queries, not copies of them). A shift filter is part of the
/// <see cref="AttemptFilter"/>, so every table and the Pareto count only that shift's attempts; with a shift the day table
/// rolls shift buckets up by the day each shift starts on, so a Night that runs past midnight stays one day's row.
/// </summary>
public static class ManagerReport
{
    /// <summary>Runs the page's queries for <paramref name="query"/>.</summary>
    public static async Task<ManagerReportData> LoadAsync(ProductionReports reports, ReportOptions options, ReportQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reports);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(query);
        var filter = query.ToFilter(options);
        var shift = filter.Shift;

        Task<IReadOnlyList<YieldRow>> ByKeyAsync(YieldDimension dimension) => reports.YieldAsync(filter, dimension, TimeBucket.None, cancellationToken);

        var stations = await ByKeyAsync(YieldDimension.Station).ConfigureAwait(false);
        var fixtures = await ByKeyAsync(YieldDimension.Fixture).ConfigureAwait(false);
        var slots = await ByKeyAsync(YieldDimension.Slot).ConfigureAwait(false);
        var recipes = await ByKeyAsync(YieldDimension.Recipe).ConfigureAwait(false);

        var shiftRows = await reports.YieldAsync(filter, YieldDimension.Total, TimeBucket.Shift, cancellationToken).ConfigureAwait(false);
        var byShift = Rollup(shiftRows, r => r.Shift ?? string.Empty, _ => null)
            .OrderBy(r => IndexOf(options, r.KeyName)).ToList();
        var byDay = shift is null
            ? [.. (await reports.YieldAsync(filter, YieldDimension.Total, TimeBucket.Day, cancellationToken).ConfigureAwait(false)).Select(r => r with { KeyName = DayText(r.Day) })]
            : Rollup(shiftRows, r => DayText(r.Day), _ => null).Select(r => r with { Day = DateOnly.ParseExact(r.KeyName, "yyyy-MM-dd", CultureInfo.InvariantCulture) }).OrderBy(r => r.Day).ToList();

        var pareto = await reports.FailureParetoAsync(filter, cancellationToken).ConfigureAwait(false);
        return new ManagerReportData(
        [
            new("station", "Yield by station", "Station", stations),
            new("fixture", "Yield by fixture", "Fixture", fixtures),
            new("slot", "Yield by slot", "Slot", slots),
            new("recipe", "Yield by recipe", "Recipe", recipes),
            new("shift", "Yield by shift", "Shift", byShift),
            new("day", "Yield by day", "Day", byDay),
        ],
            pareto,
            byDay);
    }

    /// <summary>Adds up rows that share a label into one row per label (first-seen order).</summary>
    public static IReadOnlyList<YieldRow> Rollup(IEnumerable<YieldRow> rows, Func<YieldRow, string> label, Func<YieldRow, int?> keyId)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(label);
        ArgumentNullException.ThrowIfNull(keyId);
        return [.. rows.GroupBy(label, StringComparer.Ordinal).Select(g => new YieldRow(
            keyId(g.First()),
            g.Key,
            null,
            null,
            g.Sum(r => r.Attempts),
            g.Sum(r => r.Passed),
            g.Sum(r => r.Failed),
            g.Sum(r => r.Units),
            g.Sum(r => r.FirstPassPassed)))];
    }

    private static string DayText(DateOnly? day) => day?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? string.Empty;

    private static int IndexOf(ReportOptions options, string shift)
    {
        for (var i = 0; i < options.Shifts.Count; i++)
        {
            if (options.Shifts[i].Name == shift)
            {
                return i;
            }
        }

        return int.MaxValue;
    }
}
