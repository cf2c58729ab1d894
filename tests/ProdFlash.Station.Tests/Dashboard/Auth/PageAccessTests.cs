using System.Reflection;

using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;

using ProdFlash.Data.Entities;
using ProdFlash.Station.Security;

namespace ProdFlash.Station.Tests.Dashboard.Auth;

/// <summary>Every dashboard page says who may open it, and the denied page can tell which roles a page admits.</summary>
public sealed class PageAccessTests
{
    private static readonly string[] AnonymousPages = ["/signin", "/denied"];

    public static TheoryData<string> Pages()
    {
        var data = new TheoryData<string>();
        foreach (var type in typeof(PageAccess).Assembly.GetTypes())
        {
            foreach (var route in type.GetCustomAttributes<RouteAttribute>())
            {
                data.Add(route.Template);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public void EveryPage_NamesAStationPolicyOrIsSignInOrDenied(string template)
    {
        // Arrange
        var page = typeof(PageAccess).Assembly.GetTypes().Single(t => t.GetCustomAttributes<RouteAttribute>().Any(r => r.Template == template));

        // Act
        var policies = page.GetCustomAttributes<AuthorizeAttribute>().Select(a => a.Policy).ToList();
        var anonymous = page.GetCustomAttribute<AllowAnonymousAttribute>() is not null;

        // Assert
        if (AnonymousPages.Contains(template))
        {
            Assert.True(anonymous, $"{template} must be open to everyone");
        }
        else
        {
            Assert.False(anonymous, $"{template} must not allow anonymous access");
            var policy = Assert.Single(policies);
            Assert.True(policy is not null && StationPolicies.Roles.ContainsKey(policy), $"{template} names no station policy");
        }
    }

    [Theory]
    [InlineData("/admin/users", new[] { UserRole.Admin })]
    [InlineData("/admin/users?x=1", new[] { UserRole.Admin })]
    [InlineData("/", new[] { UserRole.Operator, UserRole.Engineer, UserRole.Manager, UserRole.Admin })]
    public void RolesFor_KnownPage_PolicyRoles(string path, UserRole[] expected)
    {
        // Act
        var roles = PageAccess.RolesFor(path);

        // Assert
        Assert.Equal(expected, roles);
    }

    [Theory]
    [InlineData("/no/such/page")]
    [InlineData("https://evil.example/admin/users")]
    [InlineData(null)]
    [InlineData("/signin")]
    public void RolesFor_UnknownOrOpenPage_Null(string? path)
    {
        // Act
        var roles = PageAccess.RolesFor(path);

        // Assert
        Assert.Null(roles);
    }
}
