using Bunit;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ProdFlash.Data;
using ProdFlash.Data.Entities;
using ProdFlash.Station.Components.Pages;
using ProdFlash.Testing;

namespace ProdFlash.Station.Tests.Dashboard.Operator;

public sealed class FixtureViewTests
{
    private static readonly TimeSpan RunLimit = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task StartButton_Operator_EverySlotPassesWithSerialAndUidAndTheShiftCountsThem()
    {
        // Arrange
        using var data = new TempDirectory();
        using var ctx = new OperatorPageContext(StationAppFactory.DefaultSettings(data.Path, slots: 3));
        var cut = ctx.Render<FixtureView>(p => p.Add(v => v.Name, "F1"));
        cut.WaitForAssertion(() => Assert.Equal("0", cut.Find("[data-testid=shift-passed]").TextContent), RunLimit);

        // Act
        await cut.Find("[data-testid=start-button]").ClickAsync(new());

        // Assert
        cut.WaitForAssertion(() =>
        {
            Assert.All(cut.FindAll("[data-testid^=slot-tile-]"), t => Assert.Equal("PASS", t.GetAttribute("data-state")));
            Assert.Equal("3", cut.Find("[data-testid=shift-passed]").TextContent);
        }, RunLimit);
        Assert.Equal(3, cut.FindAll("[data-testid^=slot-tile-]").Count);
        Assert.All(cut.FindAll("[data-testid=slot-serial]"), s => Assert.False(string.IsNullOrWhiteSpace(s.TextContent)));
        Assert.All(cut.FindAll("[data-testid=slot-uid]"), u => Assert.Matches("^[0-9A-F]{24}$", u.TextContent.Replace(" ", string.Empty, StringComparison.Ordinal)));
        Assert.Equal("0", cut.Find("[data-testid=shift-failed]").TextContent);
        Assert.Equal("100 %", cut.Find("[data-testid=shift-yield]").TextContent);
        await using var db = ctx.Factory.Services.GetRequiredService<StationDatabase>().CreateContext();
        var run = await db.Runs.SingleAsync(Xunit.TestContext.Current.CancellationToken);
        Assert.Equal("operator", run.Operator);
        Assert.Null(run.LotCode);
    }

    [Fact]
    public async Task ScanField_CodeThenEnter_StartsTheRunTaggedWithTheCode()
    {
        // Arrange
        using var data = new TempDirectory();
        using var ctx = new OperatorPageContext(StationAppFactory.DefaultSettings(data.Path));
        var cut = ctx.Render<FixtureView>(p => p.Add(v => v.Name, "F1"));
        var scan = cut.Find("[data-testid=scan-field]");
        await scan.InputAsync(new() { Value = " LOT-2026-42 " });

        // Act
        await cut.Find("[data-testid=scan-field]").KeyDownAsync(new KeyboardEventArgs { Key = "Enter" });

        // Assert
        cut.WaitForAssertion(() => Assert.All(cut.FindAll("[data-testid^=slot-tile-]"), t => Assert.Equal("PASS", t.GetAttribute("data-state"))), RunLimit);
        Assert.Equal(string.Empty, cut.Find("[data-testid=scan-field]").GetAttribute("value") ?? string.Empty);
        Assert.Contains("for LOT-2026-42", cut.Find("[data-testid=fixture-message]").TextContent, StringComparison.Ordinal);
        await using var db = ctx.Factory.Services.GetRequiredService<StationDatabase>().CreateContext();
        var run = await db.Runs.SingleAsync(Xunit.TestContext.Current.CancellationToken);
        Assert.Equal("LOT-2026-42", run.LotCode);
    }

    [Fact]
    public async Task SpaceThenEscape_OnRealTimeSlots_StartsAndAbortsTheRun()
    {
        // Arrange: wall-clock emulation (demo mode), so the attempts last long enough for Escape to land inside them.
        using var data = new TempDirectory();
        var settings = StationAppFactory.DefaultSettings(data.Path);
        settings["Station:DemoMode"] = "true";
        using var ctx = new OperatorPageContext(settings);
        var cut = ctx.Render<FixtureView>(p => p.Add(v => v.Name, "F1"));

        // Act
        await cut.Find("[data-testid=fixture-view]").KeyDownAsync(new KeyboardEventArgs { Key = " " });
        cut.WaitForAssertion(() => Assert.Equal("true", cut.Find("[data-testid=fixture-view]").GetAttribute("data-running")), RunLimit);
        await cut.Find("[data-testid=fixture-view]").KeyDownAsync(new KeyboardEventArgs { Key = "Escape" });

        // Assert
        cut.WaitForAssertion(() =>
        {
            Assert.All(cut.FindAll("[data-testid^=slot-tile-]"), t => Assert.Equal("Aborted", t.GetAttribute("data-state")));
            Assert.Equal("Ready", cut.Find("[data-testid=run-state]").TextContent);
        }, RunLimit);
        Assert.False(ctx.Fixture("F1").IsRunning);
        await using var db = ctx.Factory.Services.GetRequiredService<StationDatabase>().CreateContext();
        Assert.All(await db.Attempts.ToListAsync(Xunit.TestContext.Current.CancellationToken), a => Assert.Equal(AttemptState.Aborted, a.State));
    }

    [Fact]
    public async Task AbortButton_WhileRunning_AbortsAndStartButtonIsDisabledMeanwhile()
    {
        // Arrange
        using var data = new TempDirectory();
        var settings = StationAppFactory.DefaultSettings(data.Path);
        settings["Station:DemoMode"] = "true";
        using var ctx = new OperatorPageContext(settings);
        var cut = ctx.Render<FixtureView>(p => p.Add(v => v.Name, "F1"));
        await cut.Find("[data-testid=start-button]").ClickAsync(new());
        cut.WaitForAssertion(() => Assert.True(cut.Find("[data-testid=start-button]").HasAttribute("disabled")), RunLimit);

        // Act
        await cut.Find("[data-testid=abort-button]").ClickAsync(new());

        // Assert
        cut.WaitForAssertion(() => Assert.All(cut.FindAll("[data-testid^=slot-tile-]"), t => Assert.Equal("Aborted", t.GetAttribute("data-state"))), RunLimit);
        cut.WaitForAssertion(() => Assert.False(cut.Find("[data-testid=start-button]").HasAttribute("disabled")), RunLimit);
        Assert.True(cut.Find("[data-testid=abort-button]").HasAttribute("disabled"));
    }

    [Fact]
    public async Task Page_UserWithoutOperate_ShowsTilesButNoControlsAndKeysStartNothing()
    {
        // Arrange
        using var data = new TempDirectory();
        using var ctx = new OperatorPageContext(StationAppFactory.DefaultSettings(data.Path), user: "manager", canOperate: false);
        var cut = ctx.Render<FixtureView>(p => p.Add(v => v.Name, "F1"));

        // Act
        await cut.Find("[data-testid=fixture-view]").KeyDownAsync(new KeyboardEventArgs { Key = "Enter" });

        // Assert
        Assert.Empty(cut.FindAll("[data-testid=start-button]"));
        Assert.Empty(cut.FindAll("[data-testid=scan-field]"));
        Assert.Equal(2, cut.FindAll("[data-testid^=slot-tile-]").Count);
        Assert.False(ctx.Fixture("F1").IsRunning);
        await using var db = ctx.Factory.Services.GetRequiredService<StationDatabase>().CreateContext();
        Assert.Empty(await db.Runs.ToListAsync(Xunit.TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Page_UnknownFixture_NamesTheStationsFixtures()
    {
        // Arrange
        using var data = new TempDirectory();
        using var ctx = new OperatorPageContext(StationAppFactory.DefaultSettings(data.Path));

        // Act
        var cut = ctx.Render<FixtureView>(p => p.Add(v => v.Name, "F9"));

        // Assert
        Assert.Contains("no fixture named F9; its fixtures are F1", cut.Find("[data-testid=fixture-message]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dispose_PageClosed_LeavesNoSubscriberOnTheStore()
    {
        // Arrange
        using var data = new TempDirectory();
        using var ctx = new OperatorPageContext(StationAppFactory.DefaultSettings(data.Path));
        var before = ctx.Store.SubscriberCount;
        var cut = ctx.Render<FixtureView>(p => p.Add(v => v.Name, "F1"));
        var open = ctx.Store.SubscriberCount;
        var renders = cut.RenderCount;

        // Act
        await ctx.DisposeComponentsAsync();
        ctx.Store.UpdateSlot("F1", 1, s => s with { Phase = "Program", Progress = 0.5 });

        // Assert
        Assert.Equal(before + 1, open);
        Assert.Equal(before, ctx.Store.SubscriberCount);
        Assert.Equal(renders, cut.RenderCount);
    }
}
