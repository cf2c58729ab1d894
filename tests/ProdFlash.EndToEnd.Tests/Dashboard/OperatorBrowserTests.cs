using Microsoft.Playwright;
using ProdFlash.Core.Diagnostics;
using ProdFlash.EndToEnd.Tests.Harness;

namespace ProdFlash.EndToEnd.Tests.Dashboard;

/// <summary>
/// The operator's pages in Debian's Chromium against the real station host: sign in, open the demo fixture with faults,
/// press Start, watch every slot finish, read PASS and the right diagnoses.
/// </summary>
public sealed class OperatorBrowserTests
{
    private const float PageLimit = 90_000; // ms: the first page of a cold host on a busy machine
    private static readonly TimeSpan RunLimit = TimeSpan.FromSeconds(180);

    // The demo station's fixture F2 (appsettings.json) has four slots: a good board, a board whose VCC sense is not
    // wired, a clone probe and a counterfeit chip. Four more good slots make it eight. One probe drives one slot, so
    // F1's slots get other probes (and stay disabled: this test presses Start on F2 only). An emulated probe's serial comes
    // from its selector, so no two slots may name the same one (the station disables both, as for two real probes with one
    // serial): the new slots differ by personality or by a WAIT fault too rare (one in a million) to fire, so every good
    // slot is expected to pass.
    private static readonly Dictionary<string, string> EightSlotStation = new()
    {
        ["Station:AutoStartSeconds"] = "0",
        ["Station:Fixtures:0:Slots:0:Probe"] = "emulator://stm32f103c8?probe=v2j37&faults=no-ack",
        ["Station:Fixtures:0:Slots:1:Probe"] = "emulator://stm32f103c8?probe=v21j40&faults=no-ack",
        ["Station:Fixtures:0:Slots:2:Probe"] = "emulator://stm32f103c8?probe=v3j9&faults=no-ack",
        ["Station:Fixtures:0:Slots:3:Probe"] = "emulator://stm32f103c8?probe=v2j37&faults=low-vcc",
        ["Station:Fixtures:0:Slots:0:Enabled"] = "false",
        ["Station:Fixtures:0:Slots:1:Enabled"] = "false",
        ["Station:Fixtures:0:Slots:2:Enabled"] = "false",
        ["Station:Fixtures:0:Slots:3:Enabled"] = "false",
        ["Station:Fixtures:1:Slots:0:Probe"] = "emulator://stm32f103c8?probe=v21j40",
        ["Station:Fixtures:1:Slots:4:Probe"] = "emulator://stm32f103c8?probe=v2j37",
        ["Station:Fixtures:1:Slots:5:Probe"] = "emulator://stm32f103c8?probe=v3j9",
        ["Station:Fixtures:1:Slots:6:Probe"] = "emulator://stm32f103c8?probe=v2j37&faults=flaky-wait:0.000001",
        ["Station:Fixtures:1:Slots:7:Probe"] = "emulator://stm32f103c8?probe=v21j40&faults=flaky-wait:0.000001",
    };

    [Fact]
    public async Task Operator_StartsDemoFixtureF2_GoodSlotsPassAndFaultySlotsNameTheirCauseAndRemedy()
    {
        // Arrange
        await using var browser = await ChromiumBrowser.LaunchAsync();
        await using var station = await StationProcess.StartAsync(EightSlotStation, TestContext.Current.CancellationToken);
        await using var context = await browser.NewContextAsync(station.BaseAddress);
        var page = await context.NewPageAsync();
        await StationSignIn.SignInAsync(page, "operator", returnUrl: "/");
        await page.Locator("[data-testid=fixture-overview][data-interactive=true]").WaitForAsync(new() { Timeout = PageLimit });
        await Screenshots.SaveAsync(page, "operator-home");
        await page.ClickAsync("[data-testid=fixture-card-F2]");
        await WaitInteractiveAsync(page, station);
        Assert.Equal(8, await page.Locator("[data-testid^=slot-tile-]").CountAsync());
        await Screenshots.SaveAsync(page, "operator-fixture-F2-ready");

        // Act
        await page.ClickAsync("[data-testid=start-button]");
        await page.WaitForFunctionAsync(
            "() => { const tiles = [...document.querySelectorAll('[data-testid^=slot-tile-]')];" +
            " return document.querySelector('[data-testid=fixture-view]').dataset.running === 'false'" +
            " && tiles.length === 8 && tiles.every(t => t.dataset.state === 'PASS' || t.dataset.state === 'FAIL'); }",
            null, new PageWaitForFunctionOptions { Timeout = (float)RunLimit.TotalMilliseconds, PollingInterval = 250 });
        await Screenshots.SaveAsync(page, "operator-fixture-F2-finished");

        // Assert
        foreach (var position in new[] { 1, 5, 6, 7, 8 })
        {
            var tile = page.Locator($"[data-testid=slot-tile-{position}]");
            Assert.Equal("PASS", await tile.GetAttributeAsync("data-state"));
            Assert.False(string.IsNullOrWhiteSpace(await tile.Locator("[data-testid=slot-serial]").InnerTextAsync()));
            Assert.Matches("^[0-9A-F]{24}$", await tile.Locator("[data-testid=slot-uid]").InnerTextAsync());
            Assert.Equal(1, await tile.Locator("svg[data-icon=check-circle]").CountAsync());
        }

        await AssertFailureAsync(page, 2, FailureCode.TargetNotPowered);
        await AssertFailureAsync(page, 3, FailureCode.ProbeSuspectClone);
        await AssertFailureAsync(page, 4, FailureCode.CounterfeitDevice);
        await page.Locator("[data-testid=shift-passed]", new() { HasTextString = "5" }).WaitForAsync(new() { Timeout = PageLimit });
        Assert.Equal("5", await page.InnerTextAsync("[data-testid=shift-passed]"));
        Assert.Equal("3", await page.InnerTextAsync("[data-testid=shift-failed]"));
        Assert.Equal("62.5 %", await page.InnerTextAsync("[data-testid=shift-yield]"));
    }

    [Fact]
    public async Task Manager_OpensFixture_SeesTilesButNoStartOrAbort()
    {
        // Arrange
        await using var browser = await ChromiumBrowser.LaunchAsync();
        await using var station = await StationProcess.StartAsync(EightSlotStation, TestContext.Current.CancellationToken);
        await using var context = await browser.NewContextAsync(station.BaseAddress);
        var page = await context.NewPageAsync();

        // Act
        await StationSignIn.SignInAsync(page, "manager", returnUrl: "/fixtures/F2");
        await WaitInteractiveAsync(page, station);
        await page.Keyboard.PressAsync("Enter");
        await Screenshots.SaveAsync(page, "manager-fixture-F2");

        // Assert
        Assert.Equal(8, await page.Locator("[data-testid^=slot-tile-]").CountAsync());
        Assert.Equal(0, await page.Locator("[data-testid=start-button]").CountAsync());
        Assert.Equal(0, await page.Locator("[data-testid=abort-button]").CountAsync());
        Assert.Equal("false", await page.GetAttributeAsync("[data-testid=fixture-view]", "data-running"));
    }

    // The fixture view marks itself interactive once its circuit rendered it; when that never happens the host's output
    // says why (a circuit error is logged there).
    private static async Task WaitInteractiveAsync(IPage page, StationProcess station)
    {
        try
        {
            await page.Locator("[data-testid=fixture-view][data-interactive=true]").WaitForAsync(new() { Timeout = PageLimit });
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{page.Url} did not become interactive; the host's output:\n{station.Output}", ex);
        }
    }

    private static async Task AssertFailureAsync(IPage page, int position, FailureCode code)
    {
        var info = FailureCatalog.Get(code);
        var tile = page.Locator($"[data-testid=slot-tile-{position}]");
        Assert.Equal("FAIL", await tile.GetAttributeAsync("data-state"));
        Assert.Equal(1, await tile.Locator("svg[data-icon=cancel]").CountAsync());
        Assert.Equal(info.Title, await tile.Locator("[data-testid=slot-title]").InnerTextAsync());
        Assert.Equal(info.Remedies[0].Text, await tile.Locator("[data-testid=slot-remedy]").InnerTextAsync());
    }
}
