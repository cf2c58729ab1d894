using Microsoft.AspNetCore.Components;

namespace ProdFlash.Station.Components.Operator;

/// <summary>
/// A page that shows the station's live status: it takes the store's snapshot, subscribes to its changes and renders
/// at most every <see cref="RenderThrottle.DefaultInterval"/> (DESIGN §9: snapshot + subscription, throttled).
/// </summary>
/// <remarks>
/// The subscription lives exactly as long as the component: <see cref="Dispose()"/> (called by the renderer when the
/// page is left or the circuit closes) ends it and the throttle's timer, so nothing runs after a tab closes. Store
/// callbacks arrive on the updating thread; they only record the newest snapshot and notify the throttle, and the
/// render itself runs on the renderer's dispatcher through <see cref="ComponentBase.InvokeAsync(Action)"/>.
/// </remarks>
public abstract class LiveStatusComponent : ComponentBase, IDisposable
{
    private readonly Lock _gate = new();
    private StationStatus? _latest;
    private IDisposable? _subscription;
    private RenderThrottle? _throttle;
    private bool _disposed;

    /// <summary>The status store.</summary>
    [Inject]
    public StatusStore Store { get; set; } = default!;

    /// <summary>The clock the throttle runs on.</summary>
    [Inject]
    public TimeProvider Time { get; set; } = default!;

    /// <summary>The snapshot the page renders: the newest one at the last throttled refresh.</summary>
    protected StationStatus Status { get; private set; } = default!;

    /// <summary>Whether the page has rendered in its circuit (not only as prerendered HTML): links and buttons work.</summary>
    protected bool IsInteractive { get; private set; }

    /// <summary>Releases the subscription and the throttle.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc/>
    protected override void OnInitialized()
    {
        _throttle = new RenderThrottle(Time, RenderThrottle.DefaultInterval, () => _ = RefreshAsync());
        _subscription = Store.Subscribe(Receive);
        lock (_gate)
        {
            var current = Store.Current;
            if (_latest is null || current.Version > _latest.Version)
            {
                _latest = current;
            }

            Status = _latest;
        }

        OnStatusChanged(Status);
    }

    /// <inheritdoc/>
    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender)
        {
            // Only an interactive render reaches here: say so in the page (tests and tools wait for it).
            IsInteractive = true;
            StateHasChanged();
        }
    }

    /// <summary>Called on the renderer's dispatcher with each snapshot the page is about to render.</summary>
    protected virtual void OnStatusChanged(StationStatus status)
    {
    }

    /// <summary>Ends the subscription; derived pages release their own resources too.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }

        lock (_gate)
        {
            _disposed = true;
        }

        _subscription?.Dispose();
        _throttle?.Dispose();
    }

    // Keeps the newest snapshot by version (the first read and a store callback may race).
    private void Receive(StationStatus status)
    {
        lock (_gate)
        {
            if (_disposed || (_latest is not null && _latest.Version >= status.Version))
            {
                return;
            }

            _latest = status;
        }

        _throttle?.Notify();
    }

    private async Task RefreshAsync()
    {
        try
        {
            await InvokeAsync(() =>
            {
                StationStatus latest;
                lock (_gate)
                {
                    if (_disposed)
                    {
                        return;
                    }

                    latest = _latest!;
                }

                if (ReferenceEquals(latest, Status))
                {
                    return;
                }

                Status = latest;
                OnStatusChanged(latest);
                StateHasChanged();
            }).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            // The circuit closed between the change and the render: nothing left to show it to.
        }
    }
}
