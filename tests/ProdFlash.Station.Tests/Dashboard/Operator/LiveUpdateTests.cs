using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using MudBlazor.Services;
using ProdFlash.Station.Components.Operator;
using ProdFlash.Station.Components.Pages;
using ProdFlash.Station.Security;

namespace ProdFlash.Station.Tests.Dashboard.Operator;

/// <summary>The home page on a status store fed by the test: snapshot, subscription, throttled renders, disposal.</summary>
public sealed class LiveUpdateTests : BunitContext
{
    private readonly FakeTimeProvider _time = new();
    private readonly StatusStore _store = new(new StationStatus("TEST-ST01", 0, false,
    [
        new FixtureStatus("F1", "blue-pill-f103c8/recipe.json", null, [.. Enumerable.Range(1, 4).Select(i => new SlotStatus(i, $"emulator://stm32f103c8?probe=v2j37&slot={i}", SlotState.Idle, null, null, 0, null))]),
        new FixtureStatus("F2", "blue-pill-f103c8/recipe.json", null, [new SlotStatus(1, "emulator://stm32f103c8?probe=v3j9", SlotState.Disabled, "Disabled in configuration.", null, 0, null)]),
    ]));

    public LiveUpdateTests()
    {
        Services.AddSingleton(_store);
        Services.AddSingleton<TimeProvider>(_time);
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
        AddAuthorization().SetAuthorized("operator").SetPolicies(StationPolicies.AnyRole);
    }

    [Fact]
    public void Home_Snapshot_ListsEachFixtureWithLinkAndCounts()
    {
        // Act
        var cut = Render<Home>();

        // Assert
        var f1 = cut.Find("[data-testid=fixture-card-F1]");
        Assert.Equal("fixtures/F1", f1.GetAttribute("href"));
        Assert.Equal("4 idle", f1.QuerySelector("[data-testid=count-idle]")!.TextContent);
        Assert.Equal("1 disabled", cut.Find("[data-testid=fixture-card-F2] [data-testid=count-disabled]").TextContent);
    }

    [Fact]
    public void Home_ManyChangesInsideOneInterval_RendersOnceAtOnceAndOnceAtTheIntervalsEnd()
    {
        // Arrange
        var cut = Render<Home>();
        var initial = cut.RenderCount;

        // Act: 40 changes without the clock moving, then one interval later.
        for (var i = 0; i < 40; i++)
        {
            var position = (i % 4) + 1;
            _store.UpdateSlot("F1", position, s => s with { State = SlotState.Running, Phase = "Program", Progress = i / 40.0 });
        }

        cut.WaitForState(() => cut.RenderCount == initial + 1);
        var duringInterval = cut.RenderCount;
        _store.UpdateFixture("F1", f => f with { RunId = 7 });
        _time.Advance(RenderThrottle.DefaultInterval);
        cut.WaitForState(() => cut.RenderCount == initial + 2);

        // Assert: the last change is on the page.
        Assert.Equal(initial + 1, duringInterval);
        Assert.Equal("Running (run 7)", cut.Find("[data-testid=fixture-card-F1] .fixture-card__run").TextContent);
        Assert.Equal("4 running", cut.Find("[data-testid=fixture-card-F1] [data-testid=count-running]").TextContent);
    }

    [Fact]
    public async Task Home_Disposed_UnsubscribesAndRendersNoMore()
    {
        // Arrange
        var cut = Render<Home>();
        Assert.Equal(1, _store.SubscriberCount);
        var renders = cut.RenderCount;

        // Act
        await DisposeComponentsAsync();
        _store.UpdateSlot("F1", 1, s => s with { State = SlotState.Running });
        _time.Advance(TimeSpan.FromSeconds(1));

        // Assert
        Assert.Equal(0, _store.SubscriberCount);
        Assert.Equal(renders, cut.RenderCount);
    }
}
