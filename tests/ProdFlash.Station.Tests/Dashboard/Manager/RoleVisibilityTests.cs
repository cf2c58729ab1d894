using System.Reflection;

using Bunit;

using Microsoft.AspNetCore.Authorization;

using ProdFlash.Data.Entities;
using ProdFlash.Station.Components.Layout;
using ProdFlash.Station.Security;

using ReportsPage = ProdFlash.Station.Components.Pages.Reports;

namespace ProdFlash.Station.Tests.Dashboard.Manager;

/// <summary>Which roles see the manager pages, through the station's real role policies.</summary>
public sealed class RoleVisibilityTests
{
    [Theory]
    [InlineData(UserRole.Manager, true)]
    [InlineData(UserRole.Engineer, true)]
    [InlineData(UserRole.Admin, true)]
    [InlineData(UserRole.Operator, false)]
    public async Task NavMenu_Role_ShowsReportLinksOnlyToReportRoles(UserRole role, bool visible)
    {
        // Arrange
        await using var host = await ManagerPageHost.CreateAsync(role);

        // Act
        var menu = host.Context.Render<NavMenu>();

        // Assert
        Assert.Equal(visible, menu.FindAll("[data-testid=nav-reports]").Count == 1);
        Assert.Equal(visible, menu.FindAll("[data-testid=nav-attempts]").Count == 1);
    }

    [Fact]
    public void Pages_NameTheirPolicies()
    {
        Assert.Equal(StationPolicies.Reports, typeof(ReportsPage).GetCustomAttribute<AuthorizeAttribute>()?.Policy);
        Assert.Equal(StationPolicies.Reports, typeof(Components.Pages.Attempts).GetCustomAttribute<AuthorizeAttribute>()?.Policy);
        Assert.Equal(StationPolicies.AnyRole, typeof(Components.Pages.Unit).GetCustomAttribute<AuthorizeAttribute>()?.Policy);
    }
}
