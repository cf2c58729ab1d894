using System.Text.RegularExpressions;

using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

using ProdFlash.Data.Entities;
using ProdFlash.Station.Security;
using ProdFlash.Testing;

namespace ProdFlash.Station.Tests.Dashboard.Auth;

/// <summary>
/// What <see cref="UserBootstrap"/> leaves in the store at start: the first admin (configured or generated and logged once),
/// demo users only in demo mode, and demo users disabled when the same store starts outside demo mode.
/// </summary>
public sealed partial class UserBootstrapTests
{
    private static readonly string[] DemoNames = ["operator", "engineer", "engineer2", "manager", "admin"];

    [Fact]
    public async Task Start_ConfiguredPassword_AdminSignsInWithItAndMustChooseANewOneFirst()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await using var factory = new StationAppFactory(new Dictionary<string, string?> { ["Security:InitialAdminPassword"] = "configured-admin-pw" });

        // Act
        var client = SignInForms.Client(factory);
        var answer = await SignInForms.PasswordAsync(client, "admin", "configured-admin-pw", "/admin/users");
        var refused = await client.GetAsync("/admin/users", ct);
        var changed = await PasswordForms.ChangeAsync(client, "configured-admin-pw", "admins-own-pw", returnUrl: "/admin/users");
        var page = await client.GetAsync("/admin/users", ct);

        // Assert
        Assert.Equal("/account/password?ReturnUrl=%2Fadmin%2Fusers", answer.Headers.Location?.OriginalString);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, refused.StatusCode);
        Assert.Equal("/account/password?ReturnUrl=%2Fadmin%2Fusers", refused.Headers.Location?.PathAndQueryOf());
        Assert.Equal("/admin/users", changed.Headers.Location?.OriginalString);
        Assert.Equal(System.Net.HttpStatusCode.OK, page.StatusCode);
        var admin = await factory.Services.GetRequiredService<UserService>().FindAsync("admin", ct);
        Assert.Equal(UserRole.Admin, admin!.Role);
        Assert.False(admin.IsDemo);
        Assert.False(admin.MustChangePassword);
    }

    [Fact]
    public async Task Start_NoConfiguredPassword_GeneratesOneLoggedOnceThatSignsIn()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        using var data = new TempDirectory();
        var settings = new Dictionary<string, string?> { ["Data:DataDirectory"] = data.Path };
        var firstLog = new LogCollector();
        var secondLog = new LogCollector();

        // Act
        string password;
        await using (var first = new StationAppFactory(settings))
        await using (var logged = WithLog(first, firstLog))
        {
            _ = logged.Server;
            password = GeneratedPassword().Match(string.Join('\n', firstLog.Lines)).Groups[1].Value;
        }

        SignInResult again;
        await using (var second = new StationAppFactory(settings))
        await using (var logged = WithLog(second, secondLog))
        {
            again = await logged.Services.GetRequiredService<UserService>().VerifyPasswordAsync("admin", password, ct);
        }

        // Assert
        Assert.Equal(24, password.Length);
        Assert.Single(firstLog.Lines, l => l.Contains("FIRST ADMIN SIGN-IN", StringComparison.Ordinal));
        Assert.DoesNotContain(secondLog.Lines, l => l.Contains("FIRST ADMIN SIGN-IN", StringComparison.Ordinal) || l.Contains(password, StringComparison.Ordinal));
        Assert.Equal(SignInOutcome.Success, again.Outcome);
        Assert.Equal(UserRole.Admin, again.User!.Role);
        Assert.True(again.User.MustChangePassword); // one-time: the first sign-in has to choose a new password
    }

    [Fact]
    public async Task Start_DemoMode_SeedsOneDemoUserPerRoleWithBadge()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await using var factory = new StationAppFactory(new Dictionary<string, string?> { ["Station:DemoMode"] = "true" });
        var users = factory.Services.GetRequiredService<UserService>();

        // Act
        var results = new Dictionary<string, SignInResult>();
        foreach (var name in DemoNames)
        {
            results[name] = await users.VerifyPasswordAsync(name, UserBootstrap.DemoPassword, ct);
        }

        var badge = await users.VerifyBadgeAsync(UserBootstrap.DemoOperatorBadge, ct);

        // Assert
        Assert.All(results.Values, r => Assert.Equal(SignInOutcome.Success, r.Outcome));
        Assert.Equal(UserRole.Operator, results["operator"].User!.Role);
        Assert.Equal(UserRole.Engineer, results["engineer"].User!.Role);
        Assert.Equal(UserRole.Engineer, results["engineer2"].User!.Role);
        Assert.Equal(UserRole.Manager, results["manager"].User!.Role);
        Assert.Equal(UserRole.Admin, results["admin"].User!.Role);
        Assert.Equal("operator", badge.User!.Name);
        Assert.All(await users.ListAsync(ct), u => Assert.True(u.IsDemo));
    }

    [Fact]
    public async Task Start_NotDemoMode_NoDemoUsers()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await using var factory = new StationAppFactory();
        var users = factory.Services.GetRequiredService<UserService>();

        // Act
        var listed = await users.ListAsync(ct);
        var demo = await users.VerifyPasswordAsync("admin", UserBootstrap.DemoPassword, ct);

        // Assert
        Assert.Equal(["admin"], listed.Select(u => u.Name));
        Assert.False(listed[0].IsDemo);
        Assert.Equal(SignInOutcome.Invalid, demo.Outcome);
    }

    [Fact]
    public async Task Start_AfterDemoRunNotInDemoMode_DemoUsersDisabledAndAdminGetsNewPassword()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        using var data = new TempDirectory();
        await using (var demo = new StationAppFactory(new Dictionary<string, string?> { ["Data:DataDirectory"] = data.Path, ["Station:DemoMode"] = "true" }))
        {
            _ = demo.Server;
        }

        // Act
        await using var production = new StationAppFactory(new Dictionary<string, string?>
        {
            ["Data:DataDirectory"] = data.Path,
            ["Security:InitialAdminPassword"] = "production-admin-pw",
        });
        var users = production.Services.GetRequiredService<UserService>();
        var listed = await users.ListAsync(ct);
        var operatorDemo = await users.VerifyPasswordAsync("operator", UserBootstrap.DemoPassword, ct);
        var operatorBadge = await users.VerifyBadgeAsync(UserBootstrap.DemoOperatorBadge, ct);
        var adminDemo = await users.VerifyPasswordAsync("admin", UserBootstrap.DemoPassword, ct);
        var adminConfigured = await users.VerifyPasswordAsync("admin", "production-admin-pw", ct);

        // Assert
        Assert.All(listed.Where(u => u.Name != "admin"), u => Assert.True(u.Disabled, $"{u.Name} is still enabled"));
        Assert.Equal(4, listed.Count(u => u.Disabled));
        Assert.Equal(SignInOutcome.Invalid, operatorDemo.Outcome);
        Assert.Equal(SignInOutcome.Invalid, operatorBadge.Outcome);
        Assert.Equal(SignInOutcome.Invalid, adminDemo.Outcome);
        Assert.Equal(SignInOutcome.Success, adminConfigured.Outcome);
    }

    private static WebApplicationFactory<Program> WithLog(StationAppFactory factory, LogCollector log) =>
        factory.WithWebHostBuilder(b => b.ConfigureLogging(l => l.AddProvider(log)));

    [GeneratedRegex(@"FIRST ADMIN SIGN-IN: user 'admin', generated password (\S+) ")]
    private static partial Regex GeneratedPassword();
}
