using Microsoft.Extensions.Time.Testing;
using ProdFlash.Station.Components.Operator;

namespace ProdFlash.Station.Tests.Dashboard.Operator;

public sealed class RenderThrottleTests
{
    private static readonly TimeSpan Interval = RenderThrottle.DefaultInterval;

    [Fact]
    public void Notify_FirstChange_RendersAtOnce()
    {
        // Arrange
        var time = new FakeTimeProvider();
        var renders = 0;
        using var throttle = new RenderThrottle(time, Interval, () => renders++);

        // Act
        throttle.Notify();

        // Assert
        Assert.Equal(1, renders);
    }

    [Fact]
    public void Notify_ManyChangesInsideOneInterval_OneMoreRenderAtTheIntervalsEnd()
    {
        // Arrange
        var time = new FakeTimeProvider();
        var renders = 0;
        using var throttle = new RenderThrottle(time, Interval, () => renders++);
        throttle.Notify();

        // Act: 50 changes in the next 50 ms.
        for (var i = 0; i < 50; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(1));
            throttle.Notify();
        }

        var beforeEnd = renders;
        time.Advance(TimeSpan.FromMilliseconds(49));
        var justBefore = renders;
        time.Advance(TimeSpan.FromMilliseconds(1));

        // Assert: the coalesced render lands exactly one interval after the first.
        Assert.Equal(1, beforeEnd);
        Assert.Equal(1, justBefore);
        Assert.Equal(2, renders);
    }

    [Fact]
    public void Notify_ChangesEveryMillisecondForTenSeconds_RendersTenTimesASecondWithTheLastChangeShown()
    {
        // Arrange
        var time = new FakeTimeProvider();
        var renderedAt = new List<DateTimeOffset>();
        var changes = 0;
        var shown = 0;
        using var throttle = new RenderThrottle(time, Interval, () =>
        {
            renderedAt.Add(time.GetUtcNow());
            shown = changes;
        });

        // Act
        for (var ms = 0; ms < 10_000; ms++)
        {
            changes++;
            throttle.Notify();
            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        time.Advance(Interval);

        // Assert: never two renders closer than the interval, 10 per second, and the final change reached the page.
        Assert.All(renderedAt.Zip(renderedAt.Skip(1)), pair => Assert.True(pair.Second - pair.First >= Interval, $"renders at {pair.First:ss.fff} and {pair.Second:ss.fff}"));
        Assert.InRange(renderedAt.Count, 100, 101);
        for (var second = 0; second < 10; second++)
        {
            var from = renderedAt[0] + TimeSpan.FromSeconds(second);
            Assert.InRange(renderedAt.Count(t => t >= from && t < from + TimeSpan.FromSeconds(1)), 1, 10);
        }

        Assert.Equal(changes, shown);
    }

    [Fact]
    public void Notify_AfterAQuietInterval_RendersAtOnceAgain()
    {
        // Arrange
        var time = new FakeTimeProvider();
        var renders = 0;
        using var throttle = new RenderThrottle(time, Interval, () => renders++);
        throttle.Notify();
        time.Advance(TimeSpan.FromSeconds(5));

        // Act
        throttle.Notify();

        // Assert
        Assert.Equal(2, renders);
    }

    [Fact]
    public void Dispose_WithARenderPending_NeverRendersAgain()
    {
        // Arrange
        var time = new FakeTimeProvider();
        var renders = 0;
        var throttle = new RenderThrottle(time, Interval, () => renders++);
        throttle.Notify();
        throttle.Notify(); // pending: due at the interval's end

        // Act
        throttle.Dispose();
        time.Advance(TimeSpan.FromSeconds(1));
        throttle.Notify();

        // Assert
        Assert.Equal(1, renders);
    }
}
