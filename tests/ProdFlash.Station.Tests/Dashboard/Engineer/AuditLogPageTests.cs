using System.Globalization;

using Bunit;

using Microsoft.Extensions.DependencyInjection;

using ProdFlash.Data.Entities;
using ProdFlash.Data.Reports;
using ProdFlash.Station.Dashboard;
using ProdFlash.Station.Tests.Dashboard.Manager;

using AuditPage = ProdFlash.Station.Components.Pages.AuditLog;
using TestContext = Xunit.TestContext;

namespace ProdFlash.Station.Tests.Dashboard.Engineer;

/// <summary>
/// <c>/engineering/audit</c> rendered by bUnit over a migrated SQLite store (the manager seed) holding a written audit trail:
/// 55 sign-ins of alice on 03-02 from 08:00 a minute apart, bob's failed sign-in and image release on 03-03, and an admin's
/// user.create on 03-01 (all UTC, the default plant zone).
/// </summary>
public sealed class AuditLogPageTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private ManagerPageHost _host = null!;
    private readonly List<long> _aliceIds = [];
    private long _bobRelease;
    private long _bobFailure;
    private long _adminCreate;

    public async ValueTask InitializeAsync()
    {
        _host = await ManagerPageHost.CreateAsync(UserRole.Engineer);
        _host.Context.Services.AddSingleton(new AuditTrail(_host.Seed.Database));
        var day = ManagerSeed.Day;
        await using var context = _host.Seed.Database.CreateContext();
        var alice = Enumerable.Range(0, 55).Select(i => new AuditEvent { Actor = "alice", Action = "signin.success", EntityType = "User", EntityId = "2", At = day.AddHours(8).AddMinutes(i) }).ToList();
        var failure = new AuditEvent { Actor = "bob", Action = "signin.failure", EntityType = "User", EntityId = "3", At = day.AddHours(33) };
        var release = new AuditEvent { Actor = "bob", Action = "image.release", EntityType = "FirmwareImage", EntityId = "abc", At = day.AddHours(34), Details = "{\"sha256\":\"abc\"}" };
        var create = new AuditEvent { Actor = "admin", Action = "user.create", EntityType = "User", EntityId = "3", At = day.AddHours(-2) };
        context.AuditEvents.AddRange(alice);
        context.AuditEvents.AddRange(failure, release, create);
        await context.SaveChangesAsync(TestContext.Current.CancellationToken);
        _aliceIds.AddRange(alice.Select(e => e.Id));
        (_bobFailure, _bobRelease, _adminCreate) = (failure.Id, release.Id, create.Id);
    }

    public async ValueTask DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public void Render_NoFilter_NewestFirstFiftyAPageWithALinkToOlder()
    {
        // Arrange
        _host.Navigation.NavigateTo("/engineering/audit");

        // Act
        var page = _host.Context.Render<AuditPage>();
        page.WaitForElement("[data-testid=audit-table]", Wait);

        // Assert: bob's two, then alice's newest 48.
        long[] expected = [_bobRelease, _bobFailure, .. Enumerable.Reverse(_aliceIds).Take(48)];
        Assert.Equal(expected.Select(Text), Ids(page));
        Assert.Equal("/engineering/audit?page=2", page.Find("[data-testid=audit-next]").GetAttribute("href"));
        Assert.Empty(page.FindAll("[data-testid=audit-previous]"));
        Assert.Equal("2026-03-03 10:00:00", page.Find("[data-testid=audit-row] td").TextContent.Trim());
    }

    [Fact]
    public void Render_SecondPage_HoldsTheOlderRest()
    {
        // Arrange
        _host.Navigation.NavigateTo("/engineering/audit?page=2");

        // Act
        var page = _host.Context.Render<AuditPage>();
        page.WaitForElement("[data-testid=audit-table]", Wait);

        // Assert: alice's oldest 7, then the admin's event of the day before.
        long[] expected = [.. _aliceIds.Take(7).Reverse(), _adminCreate];
        Assert.Equal(expected.Select(Text), Ids(page));
        Assert.Empty(page.FindAll("[data-testid=audit-next]"));
        Assert.Equal("/engineering/audit", page.Find("[data-testid=audit-previous]").GetAttribute("href"));
    }

    [Fact]
    public void Render_UserAndActionFamily_ShowsOnlyThose()
    {
        // Arrange: "signin" names the family signin.*.
        _host.Navigation.NavigateTo("/engineering/audit?actor=bob&action=signin");

        // Act
        var page = _host.Context.Render<AuditPage>();
        page.WaitForElement("[data-testid=audit-table]", Wait);

        // Assert
        Assert.Equal([Text(_bobFailure)], Ids(page));
        Assert.Equal("signin.failure", page.Find("[data-testid=audit-action]").TextContent.Trim());
        Assert.Equal("bob", page.Find("#audit-actor").GetAttribute("value"));
    }

    [Fact]
    public void Render_DayRange_BothEndsIncluded()
    {
        // Arrange
        _host.Navigation.NavigateTo("/engineering/audit?from=2026-03-01&to=2026-03-01");

        // Act
        var page = _host.Context.Render<AuditPage>();
        page.WaitForElement("[data-testid=audit-table]", Wait);

        // Assert: only the admin's event of 03-01 22:00.
        Assert.Equal([Text(_adminCreate)], Ids(page));
    }

    [Fact]
    public void Apply_Filter_WritesItToTheAddress_ClearEmptiesIt()
    {
        // Arrange
        _host.Navigation.NavigateTo("/engineering/audit?page=2");
        var page = _host.Context.Render<AuditPage>();
        page.WaitForElement("[data-testid=audit-table]", Wait);

        // Act
        page.Find("#audit-actor").Change("bob");
        page.Find("#audit-action").Change("image");
        page.Find("#audit-from").Change("2026-03-03");
        page.Find("#audit-to").Change("2026-03-03");
        page.Find("[data-testid=audit-apply]").Click();

        // Assert: the filter starts again at page 1 and the page shows bob's release alone.
        Assert.Equal("http://localhost/engineering/audit?actor=bob&action=image&from=2026-03-03&to=2026-03-03", _host.Navigation.Uri);
        page.WaitForAssertion(() => Assert.Equal([Text(_bobRelease)], Ids(page)), Wait);
        page.Find("[data-testid=audit-clear]").Click();
        Assert.Equal("http://localhost/engineering/audit", _host.Navigation.Uri);
    }

    [Fact]
    public void Render_NothingMatches_SaysSo()
    {
        // Arrange
        _host.Navigation.NavigateTo("/engineering/audit?actor=nobody");

        // Act
        var page = _host.Context.Render<AuditPage>();

        // Assert
        page.WaitForElement("[data-testid=audit-empty]", Wait);
    }

    [Fact]
    public void AuditQuery_ParseOfToQueryString_GivesTheSameFilter()
    {
        // Arrange
        var query = new AuditQuery { Actor = "bob", Action = "image.release", From = new DateOnly(2026, 3, 2), To = new DateOnly(2026, 3, 8), Page = 3 };

        // Act
        var back = AuditQuery.Parse("http://station/engineering/audit" + query.ToQueryString());
        var filter = query.ToFilter(TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"));

        // Assert
        Assert.Equal(query, back);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 23, 0, 0, TimeSpan.Zero), filter.From);
        Assert.Equal(new DateTimeOffset(2026, 3, 8, 23, 0, 0, TimeSpan.Zero), filter.To);
        Assert.Equal(new AuditQuery(), AuditQuery.Parse("?page=0&from=soon"));
    }

    private static string Text(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static List<string?> Ids(IRenderedComponent<AuditPage> page) =>
        [.. page.FindAll("[data-testid=audit-row]").Select(r => r.GetAttribute("data-audit-id"))];
}
