namespace ProdFlash.Station.Components.Operator;

/// <summary>
/// Limits how often a live page renders: the first change after a quiet interval renders at once, changes inside the
/// interval are coalesced into one render at its end (so the last change is always shown), and no two renders are
/// closer than the interval.
/// </summary>
/// <remarks>
/// Thread-safe: <see cref="Notify"/> may be called from any thread (the status store calls its subscribers on the
/// updating thread). <c>render</c> runs on the notifying thread or on a timer thread; it must be quick (a page passes
/// <c>InvokeAsync(StateHasChanged)</c>) and must not throw. After <see cref="Dispose"/> nothing renders any more.
/// </remarks>
public sealed class RenderThrottle : IDisposable
{
    /// <summary>The dashboard's pace: at most 10 renders a second per page (issue 6, live updates).</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(100);

    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly Action _render;
    private ITimer? _timer;
    private bool _scheduled;
    private bool _rendered;
    private long _lastRender;
    private bool _disposed;

    /// <summary>Creates the throttle.</summary>
    /// <param name="time">The clock and timers (a FakeTimeProvider in tests).</param>
    /// <param name="interval">The shortest time between two renders.</param>
    /// <param name="render">What a render does.</param>
    public RenderThrottle(TimeProvider time, TimeSpan interval, Action render)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(render);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _time = time;
        _interval = interval;
        _render = render;
    }

    /// <summary>Says something changed: renders now, or once at the end of the current interval.</summary>
    public void Notify()
    {
        lock (_gate)
        {
            if (_disposed || _scheduled)
            {
                return;
            }

            var since = _rendered ? _time.GetElapsedTime(_lastRender) : TimeSpan.MaxValue;
            if (since < _interval)
            {
                _scheduled = true;
                _timer ??= _time.CreateTimer(static state => ((RenderThrottle)state!).Fire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                _timer.Change(_interval - since, Timeout.InfiniteTimeSpan);
                return;
            }

            _rendered = true;
            _lastRender = _time.GetTimestamp();
        }

        _render();
    }

    /// <summary>Stops the timer; a render not yet done is dropped.</summary>
    public void Dispose()
    {
        ITimer? timer;
        lock (_gate)
        {
            _disposed = true;
            timer = _timer;
            _timer = null;
        }

        timer?.Dispose();
    }

    private void Fire()
    {
        lock (_gate)
        {
            if (_disposed || !_scheduled)
            {
                return;
            }

            _scheduled = false;
            _rendered = true;
            _lastRender = _time.GetTimestamp();
        }

        _render();
    }
}
