using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;

using ProdFlash.Data;
using ProdFlash.Data.Reports;
using ProdFlash.Station.Components.Manager;
using ProdFlash.Station.Dashboard;

namespace ProdFlash.Station.Components.Pages;

/// <summary>
/// <c>/attempts</c>: the attempts, newest first, filtered (days, station, fixture, slot, recipe, shift, state, serial or UID text),
/// <see cref="PageSize"/> a page; each row links to its unit. The filter and the page number live in the address.
/// </summary>
/// <remarks>Queries run when the address changes; leaving the page cancels a query still running.</remarks>
public sealed partial class Attempts
{
    /// <summary>Attempts per page.</summary>
    public const int PageSize = 50;

    private readonly CancellationTokenSource _closing = new();
    private ReportQuery _query = new();
    private FilterChoices _choices = FilterChoices.Empty;
    private IReadOnlyList<string> _shifts = [];
    private AttemptPage? _page;
    private string _csvHref = ReportQuery.CsvPath;
    private string? _error;
    private string? _unitKey;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private ProductionReports ProductionReports { get; set; } = default!;

    [Inject]
    private ReportOptions Options { get; set; } = default!;

    [Inject]
    private StationDatabase Database { get; set; } = default!;

    // Declared so that the router sets parameters again when only the query string changes; the values are read through ReportQuery.
    [SupplyParameterFromQuery(Name = "from")]
    private string? FromParameter { get; set; }

    [SupplyParameterFromQuery(Name = "to")]
    private string? ToParameter { get; set; }

    [SupplyParameterFromQuery(Name = "stationId")]
    private string? StationParameter { get; set; }

    [SupplyParameterFromQuery(Name = "fixtureId")]
    private string? FixtureParameter { get; set; }

    [SupplyParameterFromQuery(Name = "slotId")]
    private string? SlotParameter { get; set; }

    [SupplyParameterFromQuery(Name = "recipeId")]
    private string? RecipeParameter { get; set; }

    [SupplyParameterFromQuery(Name = "shift")]
    private string? ShiftParameter { get; set; }

    [SupplyParameterFromQuery(Name = "state")]
    private string? StateParameter { get; set; }

    [SupplyParameterFromQuery(Name = "failureCode")]
    private string? FailureParameter { get; set; }

    [SupplyParameterFromQuery(Name = "search")]
    private string? SearchParameter { get; set; }

    [SupplyParameterFromQuery(Name = "page")]
    private string? PageParameter { get; set; }

    /// <inheritdoc/>
    public void Dispose()
    {
        _closing.Cancel();
        _closing.Dispose();
    }

    /// <inheritdoc/>
    protected override async Task OnParametersSetAsync()
    {
        _query = ReportQuery.Parse(Navigation.Uri);
        _query = _query with { Shift = _query.ShiftIn(Options)?.Name };
        _shifts = [.. Options.Shifts.Select(s => s.Name)];
        _csvHref = _query.CsvHref(Options);
        _error = null;
        _page = null;
        try
        {
            if (_choices == FilterChoices.Empty)
            {
                _choices = await FilterChoices.LoadAsync(Database, _closing.Token);
            }

            _page = await ProductionReports.PageAsync(_query.ToFilter(Options), _query.Page, PageSize, _closing.Token);
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            // The page closed while the query ran.
        }
        catch (StationDataException ex)
        {
            _error = "The attempts could not be read: " + ex.Message;
        }
    }

    private string PageHref(int page) => "/attempts" + (_query with { Page = page }).ToQueryString();

    private void Apply(ReportQuery query) => Navigation.NavigateTo("/attempts" + query.ToQueryString());

    private void FindUnit()
    {
        if (!string.IsNullOrWhiteSpace(_unitKey))
        {
            Navigation.NavigateTo("/units/" + Uri.EscapeDataString(_unitKey.Trim()));
        }
    }

    private void FindOnEnter(KeyboardEventArgs e)
    {
        if (e.Key is "Enter" or "NumpadEnter")
        {
            FindUnit();
        }
    }
}
