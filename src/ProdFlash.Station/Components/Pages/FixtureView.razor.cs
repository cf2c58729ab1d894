using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.JSInterop;

using ProdFlash.Data.Reports;
using ProdFlash.Station.Components.Operator;
using ProdFlash.Station.Runtime;
using ProdFlash.Station.Security;

namespace ProdFlash.Station.Components.Pages;

/// <summary>
/// The operator's fixture view: one tile per slot, Start and Abort (buttons, Space/Enter and Escape, or a scanned code
/// that starts the run tagged with that board/lot code), and the fixture's counters for the current shift.
/// </summary>
/// <remarks>Start and Abort go to the same <see cref="FixtureCoordinator"/> the REST API uses.</remarks>
public sealed partial class FixtureView : LiveStatusComponent
{
    private readonly CancellationTokenSource _closing = new();
    private ElementReference _root;
    private ElementReference _scanField;
    private string _scan = string.Empty;
    private string? _message;
    private bool _canOperate;
    private string _operatorName = string.Empty;
    private ShiftCounts? _counts;
    private long _countedThrough = -1;
    private bool _counting;
    private bool _recount;
    private bool _interactive;
    private bool _initialized;

    /// <summary>The fixture's name (route parameter).</summary>
    [Parameter]
    public string Name { get; set; } = string.Empty;

    /// <summary>The signed-in user.</summary>
    [CascadingParameter]
    public Task<AuthenticationState>? Authentication { get; set; }

    /// <summary>The station's runtime (fixture coordinators).</summary>
    [Inject]
    public StationRuntime Runtime { get; set; } = default!;

    /// <summary>Checks the Operate policy.</summary>
    [Inject]
    public IAuthorizationService Authorization { get; set; } = default!;

    /// <summary>Shift counters come from the attempt records.</summary>
    [Inject]
    public ProductionReports Reports { get; set; } = default!;

    /// <summary>Maps the fixture's name to its record key.</summary>
    [Inject]
    public StationRegistry Registry { get; set; } = default!;

    /// <summary>The shift table, when the host configures one.</summary>
    [Inject]
    public IServiceProvider Services { get; set; } = default!;

    private FixtureStatus? Fixture => Status.Fixtures.FirstOrDefault(f => string.Equals(f.Name, Name, StringComparison.OrdinalIgnoreCase));

    private bool IsRunning => Fixture?.RunId is not null;

    // Tiles get smaller as fixtures grow: up to 8 slots "large", up to 16 "medium", more "small".
    private string GridSize => Fixture?.Slots.Count switch
    {
        <= 8 => "large",
        <= 16 => "medium",
        _ => "small",
    };

    /// <inheritdoc/>
    protected override async Task OnInitializedAsync()
    {
        if (Authentication is not null)
        {
            var user = (await Authentication.ConfigureAwait(true)).User;
            _operatorName = user.Identity?.Name ?? string.Empty;
            _canOperate = !string.IsNullOrEmpty(_operatorName) && (await Authorization.AuthorizeAsync(user, StationPolicies.Operate).ConfigureAwait(true)).Succeeded;
        }

        await CountAsync().ConfigureAwait(true);
        _initialized = true;
    }

    /// <inheritdoc/>
    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        // Wait for the render after initialization: before it the user (and so the scan field) may not be known yet.
        if (_interactive || !_initialized || Fixture is null)
        {
            return;
        }

        // Only an interactive render reaches here (not the prerendered HTML): from now on keys and buttons work.
        _interactive = true;
        try
        {
            // A barcode scanner types into whatever has focus: give it the scan field (or the page, for a viewer).
            await (_canOperate ? _scanField : _root).FocusAsync().ConfigureAwait(true);
        }
        catch (JSException)
        {
            // The browser could not focus (the page was left meanwhile): the operator can click the field.
        }

        StateHasChanged();
    }

    /// <inheritdoc/>
    protected override void OnStatusChanged(StationStatus status)
    {
        // A finished attempt changes a slot's last result (it is recorded by then): count again.
        if (Fixture is { } fixture && _countedThrough >= 0 && AttemptSignature(fixture) != _countedThrough)
        {
            _ = RecountAsync();
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _closing.Cancel();
            _closing.Dispose();
        }

        base.Dispose(disposing);
    }

    // Changes whenever any slot's last attempt changes (each slot's attempt ids only grow); the largest id alone does
    // not, because attempts of one run finish in any order.
    private static long AttemptSignature(FixtureStatus fixture) => fixture.Slots.Sum(s => s.LastResult?.AttemptId ?? 0);

    private async Task OnPageKeyDownAsync(KeyboardEventArgs e)
    {
        switch (e.Key)
        {
            case " " or "Spacebar" or "Enter" or "NumpadEnter":
                await StartAsync().ConfigureAwait(true);
                break;
            case "Escape" or "Esc":
                Abort();
                break;
        }
    }

    private async Task OnScanKeyDownAsync(KeyboardEventArgs e)
    {
        switch (e.Key)
        {
            case "Enter" or "NumpadEnter":
                await StartAsync().ConfigureAwait(true);
                break;
            case "Escape" or "Esc":
                Abort();
                break;
        }
    }

    private async Task StartAsync()
    {
        if (!_canOperate || Fixture is null)
        {
            return;
        }

        var code = string.IsNullOrWhiteSpace(_scan) ? null : _scan.Trim();
        if (!Runtime.Fixtures.TryGetValue(Fixture.Name, out var coordinator))
        {
            _message = $"Fixture {Fixture.Name} is not running on this station; ask an engineer to check its configuration.";
            return;
        }

        try
        {
            var run = await coordinator.StartAsync(_operatorName, code, _closing.Token).ConfigureAwait(true);
            _scan = string.Empty;
            _message = code is null ? $"Run {run.RunId} started." : $"Run {run.RunId} started for {code}.";
        }
        catch (FixtureBusyException ex)
        {
            _message = ex.Message;
        }
    }

    private void Abort()
    {
        if (!_canOperate || Fixture is null || !Runtime.Fixtures.TryGetValue(Fixture.Name, out var coordinator))
        {
            return;
        }

        _message = coordinator.Abort()
            ? "Aborting: the running slots stop and their serial numbers are voided."
            : "Nothing to abort: no run is in progress.";
    }

    private async Task RecountAsync()
    {
        if (_counting)
        {
            _recount = true;
            return;
        }

        try
        {
            await CountAsync().ConfigureAwait(true);
            StateHasChanged();
        }
        catch (ObjectDisposedException)
        {
            // The page closed while counting.
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
            // The page closed while counting.
        }
    }

    private async Task CountAsync()
    {
        if (Fixture is not { } fixture || _closing.IsCancellationRequested)
        {
            return;
        }

        _counting = true;
        try
        {
            do
            {
                _recount = false;
                var through = AttemptSignature(fixture);
                var options = Services.GetService(typeof(ReportOptions)) as ReportOptions ?? new ReportOptions();
                var (shift, start) = ShiftWindow.Current(Time.GetUtcNow(), options);
                var filter = new AttemptFilter { FixtureId = Registry.FixtureId(fixture.Name), From = start };
                var rows = await Reports.YieldAsync(filter, YieldDimension.Total, TimeBucket.None, _closing.Token).ConfigureAwait(true);
                _counts = new ShiftCounts(shift.Name, start, rows.Sum(r => r.Passed), rows.Sum(r => r.Failed));
                _countedThrough = through;
                fixture = Fixture ?? fixture;
            }
            while (_recount || AttemptSignature(fixture) != _countedThrough);
        }
        finally
        {
            _counting = false;
        }
    }
}
