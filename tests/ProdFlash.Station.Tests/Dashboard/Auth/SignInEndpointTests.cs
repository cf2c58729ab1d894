using System.Net;

using Microsoft.Extensions.DependencyInjection;

using ProdFlash.Data.Entities;
using ProdFlash.Station.Security;

namespace ProdFlash.Station.Tests.Dashboard.Auth;

/// <summary>A station (not in demo mode) with its own users, signed in through the real forms and cookie.</summary>
public sealed class SignInHost : IAsyncLifetime
{
    /// <summary>The password of every user this host makes.</summary>
    public const string Password = "line-3-password";

    private StationAppFactory? _factory;

    /// <summary>The served station.</summary>
    public StationAppFactory Factory => _factory ?? throw new InvalidOperationException("The host is not started.");

    /// <summary>The users of the running station.</summary>
    public UserService Users => Factory.Services.GetRequiredService<UserService>();

    /// <summary>
    /// Creates a user the way a line does: an admin sets a one-time password, then the person chooses <see cref="Password"/>
    /// (so the user can sign in without the forced change).
    /// </summary>
    public async Task CreateUserAsync(string name, UserRole role, string? displayName = null)
    {
        var ct = TestContext.Current.CancellationToken;
        await Users.CreateAsync(name, role, "one-time-" + name, "test", displayName, ct);
        var changed = await Users.ChangeOwnPasswordAsync(name, "one-time-" + name, Password, ct);
        Assert.Equal(PasswordChangeOutcome.Changed, changed.Outcome);
    }

    public async ValueTask InitializeAsync()
    {
        _factory = new StationAppFactory();
        var users = Factory.Services.GetRequiredService<UserService>();
        var ct = TestContext.Current.CancellationToken;
        await CreateUserAsync("op1", UserRole.Operator, "Olga Operator");
        await users.SetBadgeAsync("op1", "BADGE-OP1", "test", ct);
        await CreateUserAsync("boss", UserRole.Admin);
    }

    public async ValueTask DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
    }
}

/// <summary>
/// POST /signin, /signin/badge and /signout with the antiforgery token, the ReturnUrl rule, and what a role may open
/// (admin page, denied page, navigation links) in the server-rendered HTML.
/// </summary>
public sealed class SignInEndpointTests(SignInHost host) : IClassFixture<SignInHost>
{
    [Fact]
    public async Task SignIn_RightPassword_RedirectsToReturnUrlSignedIn()
    {
        // Arrange
        var client = SignInForms.Client(host.Factory);

        // Act
        var answer = await SignInForms.PasswordAsync(client, "op1", SignInHost.Password, "/?fixture=F1");
        var home = await client.GetAsync("/?fixture=F1", TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.Equal("/?fixture=F1", answer.Headers.Location?.OriginalString);
        Assert.Contains(answer.Headers.GetValues("Set-Cookie"), c => c.StartsWith(SecurityServiceExtensions.CookieName + "=", StringComparison.Ordinal) && c.Contains("samesite=strict", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        var html = await home.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Contains("data-testid=\"signed-in-user\"", html, StringComparison.Ordinal);
        Assert.Contains(">op1<", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_SignedInOperatorAsksForReportsOnlyEndpoint_Gets403NotARedirect()
    {
        // Arrange: the dashboard's CSV link goes through the API with the sign-in cookie.
        using var client = await SignInForms.SignedInAsync(host.Factory, "op1", SignInHost.Password);

        // Act
        using var csv = await client.GetAsync("/api/attempts/export.csv", TestContext.Current.CancellationToken);
        using var page = await client.GetAsync("/admin/users", TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal(HttpStatusCode.Forbidden, csv.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Contains("/denied", page.Headers.Location?.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignIn_WrongPassword_BackToSignInWithPlainError()
    {
        // Arrange
        var client = SignInForms.Client(host.Factory);

        // Act
        var answer = await SignInForms.PasswordAsync(client, "op1", "wrong password", "/?x=1");
        var page = await client.GetStringAsync(answer.Headers.Location, TestContext.Current.CancellationToken);
        var home = await client.GetAsync("/", TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal("/signin?ReturnUrl=%2F%3Fx%3D1&error=invalid", answer.Headers.Location?.OriginalString);
        Assert.Contains("data-testid=\"signin-error\"", page, StringComparison.Ordinal);
        Assert.Contains("The user name or password is wrong.", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode); // still not signed in
    }

    [Fact]
    public async Task SignIn_FiveWrongPasswords_LockedMessageAndRightPasswordRefused()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await host.CreateUserAsync("locky", UserRole.Operator);
        var client = SignInForms.Client(host.Factory);
        for (var i = 1; i < UserService.MaxFailedSignIns; i++)
        {
            Assert.EndsWith("error=invalid", (await SignInForms.PasswordAsync(client, "locky", "wrong")).Headers.Location?.OriginalString, StringComparison.Ordinal);
        }

        // Act
        var fifth = await SignInForms.PasswordAsync(client, "locky", "wrong");
        var right = await SignInForms.PasswordAsync(client, "locky", SignInHost.Password);
        var page = await client.GetStringAsync(right.Headers.Location, ct);

        // Assert
        Assert.EndsWith("error=locked", fifth.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.EndsWith("error=locked", right.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.Contains("Too many failed sign-ins: this user is locked for 5 minutes.", page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example/x")]
    [InlineData("/\\evil.example")]
    [InlineData("javascript:alert(1)")]
    [InlineData("/\t/evil.example")]
    public async Task SignIn_ForeignReturnUrl_GoesToStartPage(string returnUrl)
    {
        // Arrange
        var client = SignInForms.Client(host.Factory);

        // Act
        var answer = await SignInForms.PasswordAsync(client, "op1", SignInHost.Password, returnUrl);

        // Assert
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.Equal("/", answer.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task SignIn_WithoutAntiforgeryToken_RefusedAndNoCookie()
    {
        // Arrange
        var client = SignInForms.Client(host.Factory);
        var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = "op1", ["password"] = SignInHost.Password, ["ReturnUrl"] = "/" });

        // Act
        var answer = await client.PostAsync("/signin", form, TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        Assert.False(answer.Headers.Contains("Set-Cookie") && answer.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith(SecurityServiceExtensions.CookieName, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task SignInWithBadge_KnownCode_SignsInOperatorAtReturnUrl()
    {
        // Arrange
        var client = SignInForms.Client(host.Factory);

        // Act
        var answer = await SignInForms.BadgeAsync(client, "BADGE-OP1", "/?slot=1");
        var home = await client.GetStringAsync("/", TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal("/?slot=1", answer.Headers.Location?.OriginalString);
        Assert.Contains(">op1<", home, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignInWithBadge_UnknownCode_BadgeError()
    {
        // Arrange
        var client = SignInForms.Client(host.Factory);

        // Act
        var answer = await SignInForms.BadgeAsync(client, "NOT-A-BADGE");
        var page = await client.GetStringAsync(answer.Headers.Location, TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal("/signin?ReturnUrl=%2F&error=badge", answer.Headers.Location?.OriginalString);
        Assert.Contains("This badge is not known or its user is disabled.", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SignOut_SignedIn_ClearsCookie()
    {
        // Arrange
        var client = await SignInForms.SignedInAsync(host.Factory, "op1", SignInHost.Password);
        var home = await client.GetStringAsync("/", TestContext.Current.CancellationToken);
        var token = SignInForms.TokenIn(home);

        // Act
        var answer = await client.PostAsync("/signout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }), TestContext.Current.CancellationToken);
        var after = await client.GetAsync("/", TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.Equal("/signin", answer.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.Equal("/signin", after.Headers.Location?.AbsolutePath);
    }

    [Fact]
    public async Task Cookie_UserDisabledAfterSignIn_NoLongerAccepted()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await host.CreateUserAsync("leaver", UserRole.Operator);
        var client = await SignInForms.SignedInAsync(host.Factory, "leaver", SignInHost.Password);
        var before = await client.GetAsync("/", ct);

        // Act
        await host.Users.SetDisabledAsync("leaver", true, "test", ct);
        var after = await client.GetAsync("/", ct);

        // Assert
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.Equal("/signin", after.Headers.Location?.AbsolutePath);
    }

    [Fact]
    public async Task AdminUsersPage_Operator_SentToDeniedPageNamingAdminRole()
    {
        // Arrange
        var client = await SignInForms.SignedInAsync(host.Factory, "op1", SignInHost.Password);

        // Act
        var answer = await client.GetAsync("/admin/users", TestContext.Current.CancellationToken);
        var denied = await client.GetStringAsync(answer.Headers.Location, TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.Equal("/denied", answer.Headers.Location?.AbsolutePath);
        Assert.Contains("The page /admin/users needs the role Admin.", denied, StringComparison.Ordinal);
        Assert.Contains("You are signed in as op1 (Operator).", denied, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminUsersPage_Admin_ListsUsers()
    {
        // Arrange
        var client = await SignInForms.SignedInAsync(host.Factory, "boss", SignInHost.Password);

        // Act
        var answer = await client.GetAsync("/admin/users", TestContext.Current.CancellationToken);
        var html = await answer.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Contains("data-testid=\"user-table\"", html, StringComparison.Ordinal);
        Assert.Contains("Olga Operator", html, StringComparison.Ordinal);
        Assert.Contains(">boss<", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("op1", false)]
    [InlineData("boss", true)]
    public async Task NavMenu_Role_ShowsAdminLinkOnlyToAdmin(string user, bool shown)
    {
        // Arrange
        var client = await SignInForms.SignedInAsync(host.Factory, user, SignInHost.Password);

        // Act
        var html = await client.GetStringAsync("/", TestContext.Current.CancellationToken);

        // Assert
        Assert.Contains("href=\"/\"", html, StringComparison.Ordinal);
        Assert.Equal(shown, html.Contains("href=\"/admin/users\"", StringComparison.Ordinal));
    }
}
