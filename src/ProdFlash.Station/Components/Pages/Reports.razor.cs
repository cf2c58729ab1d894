using System.Globalization;

using Microsoft.AspNetCore.Components;

using ProdFlash.Data;
using ProdFlash.Data.Reports;
using ProdFlash.Station.Components.Manager;
using ProdFlash.Station.Dashboard;

namespace ProdFlash.Station.Components.Pages;

/// <summary>
/// <c>/reports</c>: yield and first-pass yield by station, fixture, slot, recipe, shift and day; the failure Pareto; the daily
/// trend; and a CSV link with the same filter. The filter lives in the address (<see cref="ReportQuery"/>).
/// </summary>
/// <remarks>Queries run when the address changes; leaving the page cancels a query still running.</remarks>
public sealed partial class Reports
{
    private readonly CancellationTokenSource _closing = new();
    private ReportQuery _query = new();
    private FilterChoices _choices = FilterChoices.Empty;
    private IReadOnlyList<string> _shifts = [];
    private ManagerReportData? _data;
    private string _csvHref = ReportQuery.CsvPath;
    private string? _error;

    [Inject]
    private NavigationManager Navigation { get; set; } = default!;

    [Inject]
    private ProductionReports ProductionReports { get; set; } = default!;

    [Inject]
    private ReportOptions Options { get; set; } = default!;

    [Inject]
    private StationDatabase Database { get; set; } = default!;

    [Inject]
    private TimeProvider Time { get; set; } = default!;

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

    private string AttemptsHref => "/attempts" + _query.ToQueryString();

    private string RangeText => string.Create(CultureInfo.InvariantCulture,
        $"Days {_query.From:yyyy-MM-dd} to {_query.To:yyyy-MM-dd} ({Options.TimeZone.Id})");

    /// <inheritdoc/>
    public void Dispose()
    {
        _closing.Cancel();
        _closing.Dispose();
    }

    /// <inheritdoc/>
    protected override async Task OnParametersSetAsync()
    {
        var query = ReportQuery.Parse(Navigation.Uri) with { State = null, FailureCode = null, Search = null, Page = 1 };
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(Time.GetUtcNow(), Options.TimeZone).DateTime);
        // A shift the table does not have is dropped and one in another case takes the table's spelling.
        var effective = (query with { Shift = query.ShiftIn(Options)?.Name }).WithDefaultRange(today);
        if (effective != query)
        {
            // Show the range (and the shift as the table spells it) in the address, so the address always says what the page shows.
            Navigation.NavigateTo("/reports" + effective.ToQueryString(), replace: true);
            return;
        }

        _query = query;
        _shifts = [.. Options.Shifts.Select(s => s.Name)];
        _csvHref = query.CsvHref(Options);
        _error = null;
        _data = null;
        try
        {
            if (_choices == FilterChoices.Empty)
            {
                _choices = await FilterChoices.LoadAsync(Database, _closing.Token);
            }

            _data = await ManagerReport.LoadAsync(ProductionReports, Options, query, _closing.Token);
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            // The page closed while the queries ran.
        }
        catch (StationDataException ex)
        {
            _error = "The reports could not be read: " + ex.Message;
        }
    }

    private void Apply(ReportQuery query) => Navigation.NavigateTo("/reports" + (query with { State = null, FailureCode = null, Search = null, Page = 1 }).ToQueryString());
}
