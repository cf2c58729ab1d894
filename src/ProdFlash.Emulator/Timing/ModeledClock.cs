using ProdFlash.Emulator.Target;

namespace ProdFlash.Emulator.Timing;

/// <summary>
/// The emulator's modeled time on a <see cref="TimeProvider"/>: every USB transaction and SWD access the probe model
/// charges moves <see cref="Now"/> forward.
/// </summary>
/// <remarks>
/// By default nothing sleeps: the clock jumps as costs are charged and replies come as fast as the host can compute
/// them. In real-time mode the charged time is also collected and <see cref="SettleAsync"/> waits it out on the
/// <see cref="TimeProvider"/> (the demo station uses that so a programming run takes as long as on hardware), and
/// time the host spends idle between transactions passes for the chip too.
/// Thread-safe: the clock may be read from a monitoring thread while the probe charges it.
/// </remarks>
public sealed class ModeledClock : IModeledClock
{
    /// <summary>
    /// Real-time mode waits only once this much modeled time has piled up: shorter timer waits overshoot (timer
    /// resolution), so the remainder is carried to the next settle and the average pace stays right.
    /// </summary>
    public static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(5);

    private readonly TimeProvider _timeProvider;
    private readonly Lock _gate = new();
    private readonly long _startTimestamp;
    private TimeSpan _now;
    private TimeSpan _unsettled;
    private long _virtualTicks; // modeled time when not real-time: advanced lock-free, it is charged once per SWD transfer

    /// <summary>Creates a clock at modeled time zero.</summary>
    /// <param name="timeProvider">The time source real-time mode waits on (virtual time in tests).</param>
    /// <param name="realTime">Whether <see cref="SettleAsync"/> waits the charged time.</param>
    public ModeledClock(TimeProvider timeProvider, bool realTime = false)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
        RealTime = realTime;
        _startTimestamp = timeProvider.GetTimestamp();
    }

    /// <summary>Whether charged time is also waited out on the <see cref="TimeProvider"/>.</summary>
    public bool RealTime { get; }

    /// <inheritdoc />
    public TimeSpan Now
    {
        get
        {
            if (!RealTime)
            {
                return TimeSpan.FromTicks(Interlocked.Read(ref _virtualTicks));
            }

            lock (_gate)
            {
                CatchUp();
                return _now;
            }
        }
    }

    /// <inheritdoc />
    public void Advance(TimeSpan cost)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cost, TimeSpan.Zero);
        if (!RealTime)
        {
            Interlocked.Add(ref _virtualTicks, cost.Ticks);
            return;
        }

        lock (_gate)
        {
            CatchUp();
            _now += cost;
            _unsettled += cost;
        }
    }

    // In real-time mode the host's idle time also passes for the chip (a flash erase finishes while the host sleeps):
    // modeled time never lags the wall clock.
    private void CatchUp()
    {
        if (RealTime)
        {
            var elapsed = _timeProvider.GetElapsedTime(_startTimestamp);
            if (elapsed > _now - _unsettled)
            {
                _now = elapsed + _unsettled;
            }
        }
    }

    /// <summary>
    /// In real-time mode, waits the time charged since the last settle once it reaches <see cref="MinimumWait"/>;
    /// otherwise returns at once.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public Task SettleAsync(CancellationToken cancellationToken)
    {
        TimeSpan wait;
        lock (_gate)
        {
            if (_unsettled < MinimumWait)
            {
                return Task.CompletedTask;
            }

            wait = _unsettled;
            _unsettled = TimeSpan.Zero;
        }

        return wait > TimeSpan.Zero ? Task.Delay(wait, _timeProvider, cancellationToken) : Task.CompletedTask;
    }
}
