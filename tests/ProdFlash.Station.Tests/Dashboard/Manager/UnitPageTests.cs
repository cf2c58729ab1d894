using Bunit;

using ProdFlash.Core.Diagnostics;

using UnitPage = ProdFlash.Station.Components.Pages.Unit;

namespace ProdFlash.Station.Tests.Dashboard.Manager;

/// <summary>/units/{Key} rendered by bUnit over the seeded store (see <see cref="ManagerSeed"/>).</summary>
public sealed class UnitPageTests : IAsyncLifetime
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);
    private ManagerPageHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await ManagerPageHost.CreateAsync(Data.Entities.UserRole.Operator);

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public void Render_BySerial_EveryAttemptOfTheUnitWithItsMeasurements()
    {
        // Act: u2 failed VerifyMismatch first and passed on its second attempt, which got SN-000002.
        var page = _host.Context.Render<UnitPage>(p => p.Add(x => x.Key, "SN-000002"));
        page.WaitForElement("[data-testid=unit-summary]", s_wait);

        // Assert
        var cards = page.FindAll("[data-testid=unit-attempt]");
        Assert.Equal([_host.Seed.Attempts[1], _host.Seed.Attempts[2]], cards.Select(c => long.Parse(c.GetAttribute("data-attempt-id")!, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(["Failed", "Passed"], cards.Select(c => c.QuerySelector("[data-state]")!.GetAttribute("data-state")));
        var failure = FailureCatalog.Get(FailureCode.VerifyMismatch);
        var alert = cards[0].QuerySelector("[data-testid=unit-failure]")!;
        Assert.Contains(failure.Title, alert.TextContent, StringComparison.Ordinal);
        Assert.Contains("in Power", alert.TextContent, StringComparison.Ordinal);
        Assert.Equal("VerifyMismatch: what the engine measured and what to do first.", alert.QuerySelector("[data-testid=unit-failure-summary]")!.TextContent.Trim());
        Assert.DoesNotContain("summary =", cards[0].QuerySelector("[data-testid=unit-phases]")!.TextContent, StringComparison.Ordinal); // shown once, in the alert
        Assert.Equal(failure.Remedies.Select(r => r.Text), alert.QuerySelectorAll("[data-testid=unit-remedies] li").Select(li => li.TextContent.Trim()));
        Assert.Null(cards[1].QuerySelector("[data-testid=unit-failure]"));
        Assert.Equal("SN-000002", cards[1].QuerySelector("[data-testid=unit-serial]")!.TextContent.Trim());
        Assert.Equal("STM32F103C8", cards[1].QuerySelector("[data-testid=unit-device]")!.TextContent.Trim());
        Assert.Equal("Genuine", cards[1].QuerySelector("[data-testid=unit-genuine]")!.TextContent.Trim());
        Assert.Equal("OBR=0x03FFFFFC WRPR=0xFFFFFFFF", cards[1].QuerySelector("[data-testid=unit-ob-before]")!.TextContent.Trim());
        Assert.Equal("OBR=0x03FFFFFC WRPR=0xFFFFFFFE", cards[1].QuerySelector("[data-testid=unit-ob-after]")!.TextContent.Trim());
        var phases = cards[1].QuerySelectorAll("[data-testid=unit-phases] tbody tr").Select(tr => tr.QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToArray()).ToList();
        Assert.Equal([["Probe", "0.012 s", "fw = V2J37S7"], ["Power", "0.004 s", "vtarget = 3.29"]], phases);
        Assert.Contains("2026-03-02 07:10:00", cards[0].TextContent, StringComparison.Ordinal);
        Assert.Equal("ST01 / fixture F1 / slot 2", cards[1].QuerySelector("[data-testid=unit-slot]")!.TextContent.Trim());
    }

    [Fact]
    public void Render_ByLowerCaseUid_FindsTheSameUnit()
    {
        // Act
        var page = _host.Context.Render<UnitPage>(p => p.Add(x => x.Key, ManagerSeed.U2.ToLowerInvariant()));
        page.WaitForElement("[data-testid=unit-summary]", s_wait);

        // Assert
        Assert.Equal(2, page.FindAll("[data-testid=unit-attempt]").Count);
        Assert.Contains("SN-000002", page.Find("[data-testid=unit-summary]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_UnknownKey_SaysNothingWasFound()
    {
        // Act
        var page = _host.Context.Render<UnitPage>(p => p.Add(x => x.Key, "SN-999999"));

        // Assert
        page.WaitForElement("[data-testid=unit-not-found]", s_wait);
        Assert.Empty(page.FindAll("[data-testid=unit-attempt]"));
    }
}
