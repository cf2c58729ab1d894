using System.Globalization;

using AngleSharp.Dom;

using Bunit;

using ProdFlash.Core.Diagnostics;
using ProdFlash.Station.Dashboard;

using ReportsPage = ProdFlash.Station.Components.Pages.Reports;

namespace ProdFlash.Station.Tests.Dashboard.Manager;

/// <summary>/reports rendered by bUnit over the seeded store (see <see cref="ManagerSeed"/>), as a manager.</summary>
public sealed class ReportsPageTests : IAsyncLifetime
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);
    private ManagerPageHost _host = null!;

    public async ValueTask InitializeAsync() => _host = await ManagerPageHost.CreateAsync();

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public void Render_FilterInAddress_ShowsItAndApplyKeepsTheSameAddress()
    {
        // Arrange
        var query = new ReportQuery { From = new DateOnly(2026, 3, 2), To = new DateOnly(2026, 3, 3), StationId = _host.Seed.Station1, RecipeId = _host.Seed.Widget, Shift = "Early" };
        var address = "http://localhost/reports" + query.ToQueryString();
        _host.Navigation.NavigateTo(address);

        // Act
        var page = _host.Context.Render<ReportsPage>();
        page.WaitForElement("[data-testid=yield-station]", s_wait);
        page.Find("[data-testid=filter-apply]").Click();

        // Assert
        Assert.Equal("2026-03-02", page.Find("#filter-from").GetAttribute("value"));
        Assert.Equal("2026-03-03", page.Find("#filter-to").GetAttribute("value"));
        Assert.Equal(address, _host.Navigation.Uri);
        Assert.Equal(query.CsvHref(_host.Options), page.Find("[data-testid=csv-link]").GetAttribute("href"));
        Assert.NotNull(page.Find("[data-testid=csv-link]").GetAttribute("download"));
    }

    [Fact]
    public void Apply_ChangedDays_WritesThemToTheAddress()
    {
        // Arrange
        _host.Navigation.NavigateTo($"/reports?from=2026-03-02&to=2026-03-03&stationId={_host.Seed.Station2}");
        var page = _host.Context.Render<ReportsPage>();
        page.WaitForElement("[data-testid=yield-station]", s_wait);

        // Act
        page.Find("#filter-from").Change("2026-03-01");
        page.Find("#filter-to").Change("2026-03-04");
        page.Find("[data-testid=filter-apply]").Click();

        // Assert
        Assert.Equal($"http://localhost/reports?from=2026-03-01&to=2026-03-04&stationId={_host.Seed.Station2}", _host.Navigation.Uri);
    }

    [Fact]
    public void Render_NoRangeInAddress_ReplacesItWithTheLastSevenDays()
    {
        // Arrange: the seed's clock stands at 2026-03-03 12:00 UTC.
        _host.Navigation.NavigateTo("/reports?recipeId=" + _host.Seed.Gadget.ToString(CultureInfo.InvariantCulture));

        // Act
        _host.Context.Render<ReportsPage>();

        // Assert
        Assert.Equal($"http://localhost/reports?from=2026-02-25&to=2026-03-03&recipeId={_host.Seed.Gadget}", _host.Navigation.Uri);
    }

    [Fact]
    public void Render_ShiftFilter_YieldCountsOnlyThatShift()
    {
        // Arrange: Early of both days on ST01: u1 passed, u2 failed then passed, the UID-less attempt failed.
        _host.Navigation.NavigateTo($"/reports?from=2026-03-02&to=2026-03-03&shift=Early");

        // Act
        var page = _host.Context.Render<ReportsPage>();
        page.WaitForElement("[data-testid=yield-station]", s_wait);

        // Assert
        Assert.Equal([["ST01", "3", "4", "2", "2", "66.7 %", "33.3 %"]], Rows(page, "[data-testid=yield-station]"));
        Assert.Equal([["Early", "3", "4", "2", "2", "66.7 %", "33.3 %"]], Rows(page, "[data-testid=yield-shift]"));
        Assert.Equal([["2026-03-02", "2", "3", "2", "1", "100.0 %", "50.0 %"], ["2026-03-03", "1", "1", "0", "1", "0.0 %", "0.0 %"]], Rows(page, "[data-testid=yield-day]"));
        Assert.NotNull(page.Find("[data-testid=shift-note]"));
        Assert.Equal([FailureCode.ProbeNotFound.ToString(), FailureCode.VerifyMismatch.ToString()], Rows(page, "[data-testid=pareto]").Select(r => r[2]));
    }

    [Fact]
    public void Render_NightShift_EveryTableAndTheParetoCountTheShiftOfThatDay()
    {
        // Arrange: the Night of 03-02 (22:00 to 06:00 on 03-03): u4 failed TargetNotPowered, u5 failed NoSwdResponse.
        _host.Navigation.NavigateTo("/reports?from=2026-03-02&to=2026-03-02&shift=Night");

        // Act
        var page = _host.Context.Render<ReportsPage>();
        page.WaitForElement("[data-testid=pareto]", s_wait);

        // Assert
        Assert.Equal([["Night", "2", "2", "0", "2", "0.0 %", "0.0 %"]], Rows(page, "[data-testid=yield-shift]"));
        Assert.Equal(["ST01", "ST02"], Keys(page, "station"));
        Assert.Equal(["2026-03-02"], Keys(page, "day"));
        Assert.Equal([FailureCode.NoSwdResponse.ToString(), FailureCode.TargetNotPowered.ToString()], Rows(page, "[data-testid=pareto]").Select(r => r[2]));
        Assert.Contains("shift=Night", page.Find("[data-testid=csv-link]").GetAttribute("href"), StringComparison.Ordinal);
        Assert.Contains("shift=Night", page.Find("[data-testid=attempts-link]").GetAttribute("href"), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_ShiftInAnotherCaseOrUnknown_AddressTakesTheTablesSpellingOrDropsIt()
    {
        // Act
        _host.Navigation.NavigateTo("/reports?from=2026-03-02&to=2026-03-02&shift=night");
        _host.Context.Render<ReportsPage>();
        var spelled = _host.Navigation.Uri;
        _host.Navigation.NavigateTo("/reports?from=2026-03-02&to=2026-03-02&shift=Weekend");
        var unknown = _host.Context.Render<ReportsPage>();

        // Assert
        Assert.Equal("http://localhost/reports?from=2026-03-02&to=2026-03-02&shift=Night", spelled);
        Assert.Equal("http://localhost/reports?from=2026-03-02&to=2026-03-02", _host.Navigation.Uri);
        unknown.WaitForElement("[data-testid=yield-station]", s_wait);
        Assert.Empty(unknown.FindAll("[data-testid=shift-note]"));
    }

    [Fact]
    public void Render_WholeRange_TablesByEveryDimension()
    {
        // Arrange
        _host.Navigation.NavigateTo("/reports?from=2026-03-02&to=2026-03-03");

        // Act
        var page = _host.Context.Render<ReportsPage>();
        page.WaitForElement("[data-testid=yield-day]", s_wait);

        // Assert
        Assert.Equal([["ST01", "4", "5", "2", "3", "50.0 %", "25.0 %"], ["ST02", "2", "2", "0", "2", "0.0 %", "0.0 %"]], Rows(page, "[data-testid=yield-station]"));
        Assert.Equal(["ST01/F1", "ST02/F1"], Keys(page, "fixture"));
        Assert.Equal(["ST01/F1/1", "ST01/F1/2", "ST02/F1/1"], Keys(page, "slot"));
        Assert.Equal(["Gadget 2.1", "Widget 1.0"], Keys(page, "recipe"));
        Assert.Equal(["Early", "Late", "Night"], Keys(page, "shift"));
        Assert.Equal(["2026-03-02", "2026-03-03"], Keys(page, "day"));
        Assert.Equal("2", page.Find("[data-testid=trend]").GetAttribute("data-days"));
    }

    [Fact]
    public void Render_Failures_ParetoMostFrequentFirstWithOperatorTitles()
    {
        // Arrange
        _host.Navigation.NavigateTo("/reports?from=2026-03-02&to=2026-03-03");

        // Act
        var page = _host.Context.Render<ReportsPage>();
        page.WaitForElement("[data-testid=pareto]", s_wait);

        // Assert: two TargetNotPowered, then the single ones by name.
        FailureCode[] order = [FailureCode.TargetNotPowered, FailureCode.NoSwdResponse, FailureCode.ProbeNotFound, FailureCode.VerifyMismatch];
        var rows = Rows(page, "[data-testid=pareto]");
        Assert.Equal(order.Select(c => c.ToString()), rows.Select(r => r[2]));
        Assert.Equal(order.Select(c => FailureCatalog.Get(c).Title), rows.Select(r => r[1]));
        Assert.Equal(["2", "1", "1", "1"], rows.Select(r => r[3]));
        Assert.Equal(["40.0 %", "20.0 %", "20.0 %", "20.0 %"], rows.Select(r => r[4]));
        Assert.Equal(["40.0 %", "60.0 %", "80.0 %", "100.0 %"], rows.Select(r => r[5]));
    }

    private static List<string[]> Rows(IRenderedComponent<ReportsPage> page, string table) =>
        [.. page.Find(table).QuerySelectorAll("tbody tr").Select(tr => tr.QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToArray())];

    private static List<string> Keys(IRenderedComponent<ReportsPage> page, string name) =>
        [.. Rows(page, $"[data-testid=yield-{name}]").Select(r => r[0])];
}
