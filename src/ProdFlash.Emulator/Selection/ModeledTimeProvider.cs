using ProdFlash.Emulator.Timing;

namespace ProdFlash.Emulator.Selection;

/// <summary>
/// Virtual time for a driver on an emulated slot: now is the slot's <see cref="ModeledClock.Now"/>, and a timer
/// (a WAIT backoff's <c>Task.Delay</c>) charges its due time to the clock and fires at once, so the chip sees the
/// delay pass (its busy flags clear) and the host does not sleep.
/// </summary>
/// <remarks>
/// Thread-safe as the clock is. Because a timer fires at once, this provider suits delays (backoffs), not timeouts:
/// a timeout timer would expire before the operation it guards. Periodic timers are refused: nothing in the driver uses one.
/// </remarks>
internal sealed class ModeledTimeProvider(ModeledClock clock) : TimeProvider
{
    // The modeled epoch: 2026-01-01 UTC, so timestamps in logs read as dates.
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow() => Epoch + clock.Now;

    public override long GetTimestamp() => clock.Now.Ticks;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new ModeledTimer(clock, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class ModeledTimer(ModeledClock clock, TimerCallback callback, object? state) : ITimer
    {
        private readonly TimerCallback _callback = callback;
        private readonly object? _state = state;
        private int _disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (Volatile.Read(ref _disposed) != 0)
            {
                return false;
            }

            if (period != Timeout.InfiniteTimeSpan && period != TimeSpan.Zero)
            {
                throw new NotSupportedException("Modeled time fires one-shot timers only; a periodic timer would charge the slot's clock forever.");
            }

            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                return true;
            }

            clock.Advance(dueTime < TimeSpan.Zero ? TimeSpan.Zero : dueTime);
            ThreadPool.UnsafeQueueUserWorkItem(Fire, this, preferLocal: false);
            return true;
        }

        public void Dispose() => Volatile.Write(ref _disposed, 1);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }

        private static void Fire(ModeledTimer timer)
        {
            if (Volatile.Read(ref timer._disposed) == 0)
            {
                timer._callback(timer._state);
            }
        }
    }
}
