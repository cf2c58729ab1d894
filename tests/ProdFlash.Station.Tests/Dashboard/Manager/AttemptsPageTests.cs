using Bunit;

using ProdFlash.Data.Entities;
using ProdFlash.Data.Reports;
using ProdFlash.Station.Dashboard;

using AttemptsPage = ProdFlash.Station.Components.Pages.Attempts;

namespace ProdFlash.Station.Tests.Dashboard.Manager;

/// <summary>/attempts rendered by bUnit over the seeded store (see <see cref="ManagerSeed"/>), as a manager.</summary>
public sealed class AttemptsPageTests : IAsyncLifetime
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);
    private ManagerPageHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await ManagerPageHost.CreateAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public void Render_Filter_ListsMatchingAttemptsNewestFirstWithUnitLinks()
    {
        // Arrange
        _host.Navigation.NavigateTo("/attempts?from=2026-03-02&to=2026-03-03&state=Failed");

        // Act
        var page = _host.Context.Render<AttemptsPage>();
        page.WaitForElement("[data-testid=attempts]", s_wait);

        // Assert: five failures, newest first; serial-less rows link by UID, the UID-less one has no unit to open.
        var rows = page.FindAll("[data-testid=attempts] tbody tr");
        long[] failed = [.. _host.Seed.Attempts.Where((_, i) => i is 1 or 3 or 4 or 5 or 6).Reverse()];
        Assert.Equal(failed.Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture)), rows.Select(r => r.GetAttribute("data-attempt-id")));
        Assert.Empty(rows[0].QuerySelectorAll("[data-testid=unit-link]"));
        Assert.Equal("/units/55555555555555555555AAAA", rows[1].QuerySelector("[data-testid=unit-link]")?.GetAttribute("href"));
        Assert.All(rows, r => Assert.Equal("Failed", r.QuerySelector("[data-state]")?.GetAttribute("data-state")));
    }

    [Fact]
    public void Render_PassedUnit_LinksBySerial()
    {
        // Arrange
        _host.Navigation.NavigateTo("/attempts?state=Passed&search=SN-000001");

        // Act
        var page = _host.Context.Render<AttemptsPage>();
        page.WaitForElement("[data-testid=attempts]", s_wait);

        // Assert
        var link = Assert.Single(page.FindAll("[data-testid=unit-link]"));
        Assert.Equal("/units/SN-000001", link.GetAttribute("href"));
        Assert.Equal(new ReportQuery { State = AttemptState.Passed, Search = "SN-000001" }.CsvHref(new ReportOptions()), page.Find("[data-testid=csv-link]").GetAttribute("href"));
    }

    [Fact]
    public void Apply_AttemptFilter_RoundTripsThroughTheAddress()
    {
        // Arrange
        var address = $"http://localhost/attempts?from=2026-03-02&to=2026-03-02&slotId={_host.Seed.Slots[1]}&state=Failed&search=2222";
        _host.Navigation.NavigateTo(address);
        var page = _host.Context.Render<AttemptsPage>();
        page.WaitForElement("[data-testid=attempts]", s_wait);

        // Act
        page.Find("[data-testid=filter-apply]").Click();

        // Assert
        Assert.Equal(address, _host.Navigation.Uri);
        Assert.Equal("2222", page.Find("#filter-search").GetAttribute("value"));
        Assert.Single(page.FindAll("[data-testid=attempts] tbody tr"));
    }

    [Fact]
    public void Render_PageBeyondTheEnd_ShowsNoRowsAndALinkBack()
    {
        // Arrange
        _host.Navigation.NavigateTo("/attempts?page=2");

        // Act
        var page = _host.Context.Render<AttemptsPage>();
        page.WaitForElement("[data-testid=attempts-empty]", s_wait);

        // Assert
        Assert.Equal("/attempts", page.Find("[data-testid=page-previous]").GetAttribute("href"));
        Assert.Empty(page.FindAll("[data-testid=page-next]"));
    }

    [Fact]
    public void Render_NightShift_ListsTheShiftOfThatDayAcrossMidnightWithFixtureNames()
    {
        // Arrange: the Night of 03-02 holds u4 (23:30) and u5 (03-03 05:00); the Night that began 03-01 holds nothing.
        _host.Navigation.NavigateTo("/attempts?from=2026-03-02&to=2026-03-02&shift=Night");

        // Act
        var page = _host.Context.Render<AttemptsPage>();
        page.WaitForElement("[data-testid=attempts]", s_wait);

        // Assert: newest first; the slot column names the fixture, not its key; the CSV link carries the shift.
        var rows = page.FindAll("[data-testid=attempts] tbody tr");
        long[] night = [_host.Seed.Attempts[5], _host.Seed.Attempts[4]];
        Assert.Equal(night.Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture)), rows.Select(r => r.GetAttribute("data-attempt-id")));
        Assert.Equal(["ST01 / F1 / 1", "ST02 / F1 / 1"], rows.Select(r => r.QuerySelector("[data-testid=attempt-slot]")!.TextContent.Trim()));
        Assert.Contains("shift=Night", page.Find("[data-testid=csv-link]").GetAttribute("href"), StringComparison.Ordinal);
        Assert.NotNull(page.Find("[data-testid=filter-shift]"));
        page.Find("[data-testid=filter-apply]").Click();
        Assert.Equal("http://localhost/attempts?from=2026-03-02&to=2026-03-02&shift=Night", _host.Navigation.Uri);
    }
}
