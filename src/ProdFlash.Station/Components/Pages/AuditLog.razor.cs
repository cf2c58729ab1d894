using System.Globalization;

using Microsoft.AspNetCore.Components;

using ProdFlash.Data;
using ProdFlash.Data.Reports;
using ProdFlash.Station.Dashboard;

namespace ProdFlash.Station.Components.Pages;

/// <summary>
/// <c>/engineering/audit</c>: the audit trail, newest first, <see cref="PageSize"/> a page, filtered by user, action and days.
/// The filter and the page live in the address (<c>?actor=alice&amp;action=signin&amp;from=2026-03-02&amp;to=2026-03-08&amp;page=2</c>).
/// </summary>
/// <remarks>Queries run when the address changes; leaving the page cancels a query still running.</remarks>
public sealed partial class AuditLog : IDisposable
{
    /// <summary>Events per page.</summary>
    public const int PageSize = 50;

    private readonly CancellationTokenSource _closing = new();
    private AuditQuery _query = new();
    private AuditPage? _page;
    private string? _error;
    private string? _actor;
    private string? _action;
    private string? _from;
    private string? _to;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private AuditTrail Trail { get; set; } = default!;

    [Inject]
    private ReportOptions Options { get; set; } = default!;

    // Declared so that the router sets parameters again when only the query string changes; the values are read through AuditQuery.
    [SupplyParameterFromQuery(Name = "actor")]
    private string? ActorParameter { get; set; }

    [SupplyParameterFromQuery(Name = "action")]
    private string? ActionParameter { get; set; }

    [SupplyParameterFromQuery(Name = "from")]
    private string? FromParameter { get; set; }

    [SupplyParameterFromQuery(Name = "to")]
    private string? ToParameter { get; set; }

    [SupplyParameterFromQuery(Name = "page")]
    private string? PageParameter { get; set; }

    /// <summary>The page's address for <paramref name="query"/>.</summary>
    public static string Href(AuditQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        return "/engineering/audit" + query.ToQueryString();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _closing.Cancel();
        _closing.Dispose();
    }

    /// <inheritdoc/>
    protected override async Task OnParametersSetAsync()
    {
        _query = AuditQuery.Parse(Navigation.Uri);
        _actor = _query.Actor;
        _action = _query.Action;
        _from = _query.From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        _to = _query.To?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        _error = null;
        _page = null;
        try
        {
            _page = await Trail.PageAsync(_query.ToFilter(Options.TimeZone), _query.Page, PageSize, _closing.Token);
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            // The page closed while the query ran.
        }
        catch (StationDataException ex)
        {
            _error = "The audit log could not be read: " + ex.Message;
        }
    }

    private void Apply() => Navigation.NavigateTo(Href(new AuditQuery
    {
        Actor = Text(_actor),
        Action = Text(_action),
        From = AuditQuery.Day(_from),
        To = AuditQuery.Day(_to),
    }));

    private void Clear() => Navigation.NavigateTo(Href(new AuditQuery()));

    private static string? Text(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
