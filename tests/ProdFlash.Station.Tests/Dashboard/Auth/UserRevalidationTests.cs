using System.Security.Claims;

using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;

using ProdFlash.Data.Entities;
using ProdFlash.Station.Security;

namespace ProdFlash.Station.Tests.Dashboard.Auth;

/// <summary>An open dashboard page (a circuit) loses its sign-in when its user is disabled or changes role.</summary>
public sealed class UserRevalidationTests(SignInHost host) : IClassFixture<SignInHost>
{
    [Fact]
    public void Host_AuthenticationStateProvider_IsUserRevalidation()
    {
        // Arrange
        using var scope = host.Factory.Services.CreateScope();

        // Act
        var provider = scope.ServiceProvider.GetRequiredService<AuthenticationStateProvider>();

        // Assert
        Assert.IsType<UserRevalidation>(provider);
    }

    [Fact]
    public async Task IsStillValid_UserEnabledThenDisabled_TrueThenFalse()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await host.CreateUserAsync("circuit-op", UserRole.Operator);
        using var scope = host.Factory.Services.CreateScope();
        var revalidation = (UserRevalidation)scope.ServiceProvider.GetRequiredService<AuthenticationStateProvider>();
        var principal = Principal("circuit-op", UserRole.Operator);

        // Act
        var before = await revalidation.IsStillValidAsync(principal, ct);
        await host.Users.SetDisabledAsync("circuit-op", true, "test", ct);
        var after = await revalidation.IsStillValidAsync(principal, ct);

        // Assert
        Assert.True(before);
        Assert.False(after);
    }

    [Fact]
    public async Task IsStillValid_OtherRoleOrUnknownUser_False()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        using var scope = host.Factory.Services.CreateScope();
        var revalidation = (UserRevalidation)scope.ServiceProvider.GetRequiredService<AuthenticationStateProvider>();

        // Act
        var otherRole = await revalidation.IsStillValidAsync(Principal("op1", UserRole.Admin), ct);
        var unknown = await revalidation.IsStillValidAsync(Principal("ghost", UserRole.Operator), ct);
        var anonymous = await revalidation.IsStillValidAsync(new ClaimsPrincipal(new ClaimsIdentity()), ct);

        // Assert
        Assert.False(otherRole);
        Assert.False(unknown);
        Assert.True(anonymous);
    }

    private static ClaimsPrincipal Principal(string name, UserRole role) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role.ToString())], SecurityServiceExtensions.CookieScheme));
}
