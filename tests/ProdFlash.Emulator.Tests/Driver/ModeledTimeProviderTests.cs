using ProdFlash.Emulator.Selection;
using ProdFlash.Emulator.Timing;

namespace ProdFlash.Emulator.Tests.Driver;

/// <summary>The virtual time the emulator provider hands its drivers: now is the slot's modeled time; delays charge it.</summary>
public sealed class ModeledTimeProviderTests
{
    [Fact]
    public void GetTimestamp_ClockAdvanced_ElapsedIsTheModeledTime()
    {
        var clock = new ModeledClock(TimeProvider.System);
        var time = new ModeledTimeProvider(clock);
        var start = time.GetTimestamp();

        clock.Advance(TimeSpan.FromMilliseconds(52.5));

        Assert.Equal(TimeSpan.FromMilliseconds(52.5), time.GetElapsedTime(start));
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero) + clock.Now, time.GetUtcNow());
    }

    [Fact]
    public async Task Delay_TenMinutes_CompletesAtOnceAndChargesTheClock()
    {
        var clock = new ModeledClock(TimeProvider.System);
        var time = new ModeledTimeProvider(clock);
        var wall = System.Diagnostics.Stopwatch.StartNew();

        await Task.Delay(TimeSpan.FromMinutes(10), time, TestContext.Current.CancellationToken);

        Assert.Equal(TimeSpan.FromMinutes(10), clock.Now);
        Assert.True(wall.Elapsed < TimeSpan.FromMinutes(1), $"waited {wall.Elapsed}");
    }

    [Fact]
    public void CreateTimer_Periodic_Refused()
    {
        var time = new ModeledTimeProvider(new ModeledClock(TimeProvider.System));

        var error = Assert.Throws<NotSupportedException>(() => time.CreateTimer(_ => { }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)));

        Assert.Contains("one-shot timers only", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateTimer_InfiniteDueTime_NeitherFiresNorCharges()
    {
        var clock = new ModeledClock(TimeProvider.System);
        var time = new ModeledTimeProvider(clock);
        var fired = 0;

        using var timer = time.CreateTimer(_ => Interlocked.Increment(ref fired), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

        Assert.Equal(TimeSpan.Zero, clock.Now);
        Assert.Equal(0, Volatile.Read(ref fired));
    }

    [Fact]
    public async Task Advance_VirtualClockFromFourThreads_NoChargeLost()
    {
        // Virtual modeled time is advanced lock-free (the benchmark's hot path); concurrent charges must all count.
        var clock = new ModeledClock(TimeProvider.System);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 100_000; i++)
            {
                clock.Advance(TimeSpan.FromTicks(3));
            }
        })));

        Assert.Equal(TimeSpan.FromTicks(4 * 100_000 * 3), clock.Now);
    }
}
