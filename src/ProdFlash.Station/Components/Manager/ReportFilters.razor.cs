using System.Globalization;

using Microsoft.AspNetCore.Components;

using ProdFlash.Data.Entities;
using ProdFlash.Station.Dashboard;

namespace ProdFlash.Station.Components.Manager;

/// <summary>The filter bar of the manager pages: days, station, fixture, slot, recipe, shift (and state and search for attempts).</summary>
/// <remarks>It edits a copy; nothing changes until Apply, which passes the new filter (page 1) to <see cref="OnApply"/>.</remarks>
public sealed partial class ReportFilters
{
    private string? _from;
    private string? _to;
    private int? _stationId;
    private int? _fixtureId;
    private int? _slotId;
    private int? _recipeId;
    private string? _shift;
    private AttemptState? _state;
    private string? _search;

    /// <summary>The filter in force (from the address).</summary>
    [Parameter, EditorRequired]
    public ReportQuery Query { get; set; } = new();

    /// <summary>The stations, fixtures, slots and recipes to choose from.</summary>
    [Parameter]
    public FilterChoices Choices { get; set; } = FilterChoices.Empty;

    /// <summary>The shift names to choose from; empty hides the shift filter.</summary>
    [Parameter]
    public IReadOnlyList<string> Shifts { get; set; } = [];

    /// <summary>Whether to show the attempt list's state and search fields.</summary>
    [Parameter]
    public bool ShowAttemptFields { get; set; }

    /// <summary>Receives the edited filter when Apply or Clear is pressed.</summary>
    [Parameter]
    public EventCallback<ReportQuery> OnApply { get; set; }

    /// <inheritdoc/>
    protected override void OnParametersSet()
    {
        _from = Query.From?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        _to = Query.To?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        _stationId = Query.StationId;
        _fixtureId = Query.FixtureId;
        _slotId = Query.SlotId;
        _recipeId = Query.RecipeId;
        _shift = Query.Shift;
        _state = Query.State;
        _search = Query.Search;
    }

    private Task ApplyAsync() => OnApply.InvokeAsync(Query with
    {
        From = Day(_from),
        To = Day(_to),
        StationId = _stationId,
        FixtureId = _fixtureId,
        SlotId = _slotId,
        RecipeId = _recipeId,
        Shift = string.IsNullOrWhiteSpace(_shift) ? null : _shift,
        State = _state,
        Search = string.IsNullOrWhiteSpace(_search) ? null : _search.Trim(),
        Page = 1,
    });

    private Task ClearAsync() => OnApply.InvokeAsync(new ReportQuery());

    private static DateOnly? Day(string? text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day : null;
}
