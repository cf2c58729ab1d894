using System.Globalization;

using Microsoft.AspNetCore.WebUtilities;

using ProdFlash.Core.Diagnostics;
using ProdFlash.Data.Entities;
using ProdFlash.Data.Reports;

namespace ProdFlash.Station.Dashboard;

/// <summary>
/// The manager pages' filter as it travels in the address bar (<c>/reports?from=2026-03-02&amp;to=2026-03-08&amp;stationId=1</c>):
/// read from the URL, written back to it, turned into the report layer's <see cref="AttemptFilter"/>, and into the link of
/// the CSV export, so the CSV holds exactly the attempts the page shows.
/// </summary>
/// <remarks>
/// Days are the plant's local days (<see cref="ReportOptions.TimeZone"/>), both ends included. Parsing is forgiving: a value
/// that does not parse is left out (the page then shows the filter without it) rather than failing the page.
/// </remarks>
public sealed record ReportQuery
{
    /// <summary>The most days a report covers when the address names no range: today and the six days before.</summary>
    public const int DefaultDays = 7;

    /// <summary>First local day, included.</summary>
    public DateOnly? From { get; init; }

    /// <summary>Last local day, included.</summary>
    public DateOnly? To { get; init; }

    /// <summary>Station key.</summary>
    public int? StationId { get; init; }

    /// <summary>Fixture key.</summary>
    public int? FixtureId { get; init; }

    /// <summary>Slot key.</summary>
    public int? SlotId { get; init; }

    /// <summary>Recipe key.</summary>
    public int? RecipeId { get; init; }

    /// <summary>Shift name: every table, the Pareto, the attempt list and the CSV count only attempts started in it.</summary>
    public string? Shift { get; init; }

    /// <summary>Attempt state (attempt list).</summary>
    public AttemptState? State { get; init; }

    /// <summary>Failure code (attempt list).</summary>
    public FailureCode? FailureCode { get; init; }

    /// <summary>Text the serial or MCU UID contains (attempt list).</summary>
    public string? Search { get; init; }

    /// <summary>Page number from 1 (attempt list).</summary>
    public int Page { get; init; } = 1;

    /// <summary>Reads the filter from a URL or its query string (<c>?from=…</c>).</summary>
    public static ReportQuery Parse(string uriOrQuery)
    {
        ArgumentNullException.ThrowIfNull(uriOrQuery);
        var mark = uriOrQuery.IndexOf('?', StringComparison.Ordinal);
        var query = QueryHelpers.ParseQuery(mark >= 0 ? uriOrQuery[mark..] : string.Empty);
        string? Text(string key) => query.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v.ToString()) ? v.ToString().Trim() : null;
        DateOnly? Day(string key) => DateOnly.TryParseExact(Text(key), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;
        int? Number(string key) => int.TryParse(Text(key), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;
        TEnum? Named<TEnum>(string key)
            where TEnum : struct, Enum =>
            Text(key) is { } t && char.IsLetter(t[0]) && Enum.TryParse<TEnum>(t, ignoreCase: true, out var e) && Enum.IsDefined(e) ? e : null;

        return new ReportQuery
        {
            From = Day("from"),
            To = Day("to"),
            StationId = Number("stationId"),
            FixtureId = Number("fixtureId"),
            SlotId = Number("slotId"),
            RecipeId = Number("recipeId"),
            Shift = Text("shift"),
            State = Named<AttemptState>("state"),
            FailureCode = Named<FailureCode>("failureCode"),
            Search = Text("search"),
            Page = Number("page") ?? 1,
        };
    }

    /// <summary>The query string of this filter (<c>?from=2026-03-02&amp;…</c>, set members only, in a fixed order), or "" when nothing is set.</summary>
    public string ToQueryString()
    {
        var values = new List<KeyValuePair<string, string?>>();
        void Add(string key, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                values.Add(new(key, value));
            }
        }

        Add("from", From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Add("to", To?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Add("stationId", StationId?.ToString(CultureInfo.InvariantCulture));
        Add("fixtureId", FixtureId?.ToString(CultureInfo.InvariantCulture));
        Add("slotId", SlotId?.ToString(CultureInfo.InvariantCulture));
        Add("recipeId", RecipeId?.ToString(CultureInfo.InvariantCulture));
        Add("shift", Shift);
        Add("state", State?.ToString());
        Add("failureCode", FailureCode?.ToString());
        Add("search", Search);
        Add("page", Page > 1 ? Page.ToString(CultureInfo.InvariantCulture) : null);
        return QueryHelpers.AddQueryString(string.Empty, values);
    }

    /// <summary>This filter with a range of <see cref="DefaultDays"/> days ending <paramref name="today"/> when it names no range.</summary>
    public ReportQuery WithDefaultRange(DateOnly today) => From is null && To is null
        ? this with { From = today.AddDays(1 - DefaultDays), To = today }
        : this;

    /// <summary>
    /// The report layer's filter. Without a shift, <see cref="From"/> counts from local midnight and <see cref="To"/> up to
    /// the next local midnight. With a shift, the days are shift days: a shift belongs to the day it starts, so the range runs
    /// from the first shift's start on <see cref="From"/> to its start on the day after <see cref="To"/> (the Night that
    /// begins on the last day is in, the one that began the evening before the first day is not), and only that shift's
    /// hours count. A shift the table does not have is left out. The page number is not part of the filter.
    /// </summary>
    public AttemptFilter ToFilter(ReportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var zone = options.TimeZone;
        var shift = ShiftIn(options);
        var dayStartHour = shift is null ? 0 : options.Shifts.Min(s => s.StartHour);
        return new AttemptFilter
        {
            From = From is { } from ? StartOfHour(from, dayStartHour, zone) : null,
            To = To is { } to ? StartOfHour(to.AddDays(1), dayStartHour, zone) : null,
            StationId = StationId,
            FixtureId = FixtureId,
            SlotId = SlotId,
            RecipeId = RecipeId,
            State = State,
            FailureCode = FailureCode,
            Search = Search,
            Shift = shift?.Name,
        };
    }

    /// <summary>The shift of the table <see cref="Shift"/> names (any case), or null when none is chosen or the table has no such shift.</summary>
    public ShiftDefinition? ShiftIn(ReportOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Shift is null ? null : options.Shifts.FirstOrDefault(s => string.Equals(s.Name, Shift, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// The address of <c>GET /api/attempts/export.csv</c> for <see cref="ToFilter"/>: the API binds these parameters to the
    /// same <see cref="AttemptFilter"/> (instants in ISO 8601 with their offset, and the shift), so the file holds the attempts shown.
    /// </summary>
    public string CsvHref(ReportOptions options)
    {
        var filter = ToFilter(options);
        var values = new List<KeyValuePair<string, string?>>();
        void Add(string key, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                values.Add(new(key, value));
            }
        }

        Add("from", filter.From?.ToString("O", CultureInfo.InvariantCulture));
        Add("to", filter.To?.ToString("O", CultureInfo.InvariantCulture));
        Add("stationId", filter.StationId?.ToString(CultureInfo.InvariantCulture));
        Add("fixtureId", filter.FixtureId?.ToString(CultureInfo.InvariantCulture));
        Add("slotId", filter.SlotId?.ToString(CultureInfo.InvariantCulture));
        Add("recipeId", filter.RecipeId?.ToString(CultureInfo.InvariantCulture));
        Add("state", filter.State?.ToString());
        Add("failureCode", filter.FailureCode?.ToString());
        Add("search", filter.Search);
        Add("shift", filter.Shift);
        return QueryHelpers.AddQueryString(CsvPath, values);
    }

    /// <summary>The path of the CSV export endpoint.</summary>
    public const string CsvPath = "/api/attempts/export.csv";

    /// <summary>The instant local midnight of <paramref name="day"/> falls on in <paramref name="zone"/>.</summary>
    public static DateTimeOffset StartOfDay(DateOnly day, TimeZoneInfo zone) => StartOfHour(day, 0, zone);

    /// <summary>
    /// The instant local hour <paramref name="hour"/> of <paramref name="day"/> starts in <paramref name="zone"/>; an hour a
    /// daylight-saving change skips starts at the next hour that exists.
    /// </summary>
    public static DateTimeOffset StartOfHour(DateOnly day, int hour, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified).AddHours(hour);
        while (zone.IsInvalidTime(local))
        {
            local = local.AddHours(1);
        }

        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }
}
