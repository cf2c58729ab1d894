using System.Globalization;

using Microsoft.AspNetCore.WebUtilities;

using ProdFlash.Data.Reports;

namespace ProdFlash.Station.Dashboard;

/// <summary>The audit page's filter as it travels in the address; days are the plant's local days, both ends included.</summary>
public sealed record AuditQuery
{
    /// <summary>User or API key name.</summary>
    public string? Actor { get; init; }

    /// <summary>Action or its start ("signin").</summary>
    public string? Action { get; init; }

    /// <summary>First local day, included.</summary>
    public DateOnly? From { get; init; }

    /// <summary>Last local day, included.</summary>
    public DateOnly? To { get; init; }

    /// <summary>Page from 1.</summary>
    public int Page { get; init; } = 1;

    /// <summary>Reads the filter from a URL or its query string; values that do not parse are left out.</summary>
    public static AuditQuery Parse(string uriOrQuery)
    {
        ArgumentNullException.ThrowIfNull(uriOrQuery);
        var mark = uriOrQuery.IndexOf('?', StringComparison.Ordinal);
        var query = QueryHelpers.ParseQuery(mark >= 0 ? uriOrQuery[mark..] : string.Empty);
        string? Text(string key) => query.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v.ToString()) ? v.ToString().Trim() : null;
        return new AuditQuery
        {
            Actor = Text("actor"),
            Action = Text("action"),
            From = Day(Text("from")),
            To = Day(Text("to")),
            Page = int.TryParse(Text("page"), NumberStyles.None, CultureInfo.InvariantCulture, out var page) && page > 0 ? page : 1,
        };
    }

    /// <summary>A day written yyyy-MM-dd, or null.</summary>
    public static DateOnly? Day(string? text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day : null;

    /// <summary>The query string (set members only, fixed order), or "".</summary>
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

        Add("actor", Actor);
        Add("action", Action);
        Add("from", From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Add("to", To?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Add("page", Page > 1 ? Page.ToString(CultureInfo.InvariantCulture) : null);
        return QueryHelpers.AddQueryString(string.Empty, values);
    }

    /// <summary>The store's filter: <see cref="From"/> from local midnight, <see cref="To"/> up to the next local midnight.</summary>
    public AuditFilter ToFilter(TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        return new AuditFilter
        {
            Actor = Actor,
            Action = Action,
            From = From is { } from ? ReportQuery.StartOfDay(from, zone) : null,
            To = To is { } to ? ReportQuery.StartOfDay(to.AddDays(1), zone) : null,
        };
    }
}
