using Microsoft.Extensions.Time.Testing;
using ProdFlash.Emulator.Timing;

namespace ProdFlash.Emulator.Tests.Timing;

public sealed class ModeledClockTests
{
    [Fact]
    public async Task Advance_DefaultMode_JumpsWithoutWaitingAndIgnoresWallTime()
    {
        var time = new FakeTimeProvider();
        var clock = new ModeledClock(time);

        clock.Advance(TimeSpan.FromMilliseconds(20));
        var settle = clock.SettleAsync(TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromSeconds(1));

        Assert.True(settle.IsCompleted);
        await settle;
        Assert.Equal(TimeSpan.FromMilliseconds(20), clock.Now);
    }

    [Fact]
    public async Task SettleAsync_RealTime_WaitsTheChargedTimeOnTheTimeProvider()
    {
        var time = new FakeTimeProvider();
        var clock = new ModeledClock(time, realTime: true);

        clock.Advance(TimeSpan.FromMilliseconds(20));
        var settle = clock.SettleAsync(TestContext.Current.CancellationToken);
        var waitingBefore = !settle.IsCompleted;
        time.Advance(TimeSpan.FromMilliseconds(20));
        await settle;

        Assert.True(waitingBefore);
        Assert.Equal(TimeSpan.FromMilliseconds(20), clock.Now);
    }

    [Fact]
    public void Now_RealTimeWithIdleHost_CatchesUpWithTheWallClock()
    {
        var time = new FakeTimeProvider();
        var clock = new ModeledClock(time, realTime: true);

        time.Advance(TimeSpan.FromMilliseconds(30));

        Assert.Equal(TimeSpan.FromMilliseconds(30), clock.Now);
    }

    [Fact]
    public void SettleAsync_RealTimeBelowMinimumWait_CarriesTheTimeOver()
    {
        var time = new FakeTimeProvider();
        var clock = new ModeledClock(time, realTime: true);

        clock.Advance(TimeSpan.FromMilliseconds(1));
        var small = clock.SettleAsync(TestContext.Current.CancellationToken);
        clock.Advance(TimeSpan.FromMilliseconds(4));
        var reached = clock.SettleAsync(TestContext.Current.CancellationToken);

        Assert.True(small.IsCompleted);
        Assert.False(reached.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(5));
        Assert.True(reached.IsCompleted);
    }
}
