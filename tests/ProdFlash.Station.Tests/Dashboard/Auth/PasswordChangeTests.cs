using System.Net;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

using ProdFlash.Data;
using ProdFlash.Data.Entities;
using ProdFlash.Station.Security;
using ProdFlash.Testing;

namespace ProdFlash.Station.Tests.Dashboard.Auth;

/// <summary>Posts the password page's form over HTTP as a browser does (token read from the page itself).</summary>
internal static class PasswordForms
{
    /// <summary>Posts <c>/account/password</c>; returns the answer (a redirect).</summary>
    public static async Task<HttpResponseMessage> ChangeAsync(HttpClient client, string current, string password, string? repeat = null, string returnUrl = "/")
    {
        var ct = TestContext.Current.CancellationToken;
        var html = await client.GetStringAsync("/account/password", ct);
        var fields = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = SignInForms.TokenIn(html),
            ["current"] = current,
            ["password"] = password,
            ["repeat"] = repeat ?? password,
            ["ReturnUrl"] = returnUrl,
        };
        return await client.PostAsync("/account/password", new FormUrlEncodedContent(fields), ct);
    }

    /// <summary>A redirect's path and query, whether the Location is absolute or relative.</summary>
    public static string PathAndQueryOf(this Uri location) =>
        location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString;
}

/// <summary>
/// One-time passwords: a password someone else set (an admin, or the station's first start) must be replaced at the first
/// sign-in, the station opens nothing else until then, and the change itself checks the current password like a sign-in.
/// On a real SQLite store, and over HTTP through the real forms and cookie.
/// </summary>
public sealed class PasswordChangeTests(SignInHost host) : IClassFixture<SignInHost>, IAsyncLifetime
{
    private const string OneTime = "one-time-pw";
    private readonly UserStore _store = new();

    public async ValueTask InitializeAsync() => await _store.StartAsync();

    public ValueTask DisposeAsync()
    {
        _store.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task PasswordSetBySomeoneElse_MustBeChanged_OwnPasswordNeedNot()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;

        // Act
        var created = await _store.Users.CreateAsync("ivy", UserRole.Operator, OneTime, "admin", cancellationToken: ct);
        var changed = await _store.Users.ChangeOwnPasswordAsync("ivy", OneTime, "ivys-own-pw", ct);
        var reset = await _store.Users.SetPasswordAsync("ivy", "reset-by-admin", "admin", ct);
        var own = await _store.Users.SetPasswordAsync("ivy", "set-by-herself", "ivy", ct);
        var noPassword = await _store.Users.CreateAsync("jon", UserRole.Operator, null, "admin", cancellationToken: ct);

        // Assert
        Assert.True(created.MustChangePassword);
        Assert.Equal(PasswordChangeOutcome.Changed, changed.Outcome);
        Assert.False(changed.User!.MustChangePassword);
        Assert.True(reset.MustChangePassword);
        Assert.False(own.MustChangePassword);
        Assert.False(noPassword.MustChangePassword);
    }

    [Fact]
    public async Task ChangeOwnPassword_RightCurrent_NewWorksOldDoesNotAndAudited()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await _store.Users.CreateAsync("kim", UserRole.Engineer, OneTime, "admin", cancellationToken: ct);

        // Act
        var result = await _store.Users.ChangeOwnPasswordAsync("kim", OneTime, "kims-own-pw", ct);
        var withNew = await _store.Users.VerifyPasswordAsync("kim", "kims-own-pw", ct);
        var withOld = await _store.Users.VerifyPasswordAsync("kim", OneTime, ct);

        // Assert
        Assert.Equal(PasswordChangeOutcome.Changed, result.Outcome);
        Assert.Equal(SignInOutcome.Success, withNew.Outcome);
        Assert.False(withNew.User!.MustChangePassword);
        Assert.Equal(SignInOutcome.Invalid, withOld.Outcome);
        await using var context = _store.Database.CreateContext();
        var audit = await context.AuditEvents.Where(e => e.Action == "user.password.change").SingleAsync(ct);
        Assert.Equal("kim", audit.Actor);
        Assert.Equal("kim", audit.EntityId);
    }

    [Theory]
    [InlineData("wrong-current", "new-password", PasswordChangeOutcome.WrongCurrentPassword)]
    [InlineData(OneTime, "short", PasswordChangeOutcome.TooShort)]
    [InlineData(OneTime, OneTime, PasswordChangeOutcome.SameAsCurrent)]
    public async Task ChangeOwnPassword_Refused_PasswordAndFlagUnchanged(string current, string proposed, PasswordChangeOutcome expected)
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await _store.Users.CreateAsync("lee", UserRole.Operator, OneTime, "admin", cancellationToken: ct);

        // Act
        var result = await _store.Users.ChangeOwnPasswordAsync("lee", current, proposed, ct);
        var signIn = await _store.Users.VerifyPasswordAsync("lee", OneTime, ct);

        // Assert
        Assert.Equal(expected, result.Outcome);
        Assert.Equal(SignInOutcome.Success, signIn.Outcome);
        Assert.True(signIn.User!.MustChangePassword);
    }

    [Fact]
    public async Task ChangeOwnPassword_FiveWrongCurrentPasswords_LocksLikeSignIn()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await _store.Users.CreateAsync("max", UserRole.Operator, OneTime, "admin", cancellationToken: ct);
        for (var i = 1; i < UserService.MaxFailedSignIns; i++)
        {
            Assert.Equal(PasswordChangeOutcome.WrongCurrentPassword, (await _store.Users.ChangeOwnPasswordAsync("max", "guess-" + i, "new-password", ct)).Outcome);
        }

        // Act
        var fifth = await _store.Users.ChangeOwnPasswordAsync("max", "guess-5", "new-password", ct);
        var right = await _store.Users.ChangeOwnPasswordAsync("max", OneTime, "new-password", ct);
        var signIn = await _store.Users.VerifyPasswordAsync("max", OneTime, ct);

        // Assert
        Assert.Equal(PasswordChangeOutcome.LockedOut, fifth.Outcome);
        Assert.Equal(_store.Time.GetUtcNow() + UserService.LockoutDuration, fifth.LockedUntil);
        Assert.Equal(PasswordChangeOutcome.LockedOut, right.Outcome);
        Assert.Equal(SignInOutcome.LockedOut, signIn.Outcome);
    }

    [Fact]
    public async Task Http_OneTimePassword_EverythingLeadsToPasswordPageUntilChanged()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await host.Users.CreateAsync("new-op", UserRole.Operator, OneTime, "boss", cancellationToken: ct);
        var client = SignInForms.Client(host.Factory);

        // Act
        var signIn = await SignInForms.PasswordAsync(client, "new-op", OneTime, "/?fixture=F1");
        var home = await client.GetAsync("/?fixture=F1", ct);
        var api = await client.GetAsync("/api/status", ct);
        var page = await client.GetStringAsync("/account/password", ct);

        // Assert
        Assert.Equal("/account/password?ReturnUrl=%2F%3Ffixture%3DF1", signIn.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.Equal("/account/password?ReturnUrl=%2F%3Ffixture%3DF1", home.Headers.Location?.PathAndQueryOf());
        Assert.Equal(HttpStatusCode.Forbidden, api.StatusCode);
        Assert.Contains("data-testid=\"must-change\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_ChangeForm_WrongCurrentMismatchThenRight_MessagesThenReturnUrlOpens()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await host.Users.CreateAsync("night-op", UserRole.Operator, OneTime, "boss", cancellationToken: ct);
        var client = SignInForms.Client(host.Factory);
        await SignInForms.PasswordAsync(client, "night-op", OneTime, "/");

        // Act
        var wrong = await PasswordForms.ChangeAsync(client, "not-it", "night-shift-pw");
        var mismatch = await PasswordForms.ChangeAsync(client, OneTime, "night-shift-pw", "night-shift-pX");
        var wrongPage = await client.GetStringAsync(wrong.Headers.Location, ct);
        var right = await PasswordForms.ChangeAsync(client, OneTime, "night-shift-pw", returnUrl: "/?slot=2");
        var home = await client.GetAsync("/?slot=2", ct);
        var fresh = SignInForms.Client(host.Factory);
        var again = await SignInForms.PasswordAsync(fresh, "night-op", "night-shift-pw", "/");

        // Assert
        Assert.Equal("/account/password?ReturnUrl=%2F&error=current", wrong.Headers.Location?.OriginalString);
        Assert.Equal("/account/password?ReturnUrl=%2F&error=mismatch", mismatch.Headers.Location?.OriginalString);
        Assert.Contains("The current password is wrong.", wrongPage, StringComparison.Ordinal);
        Assert.Equal("/?slot=2", right.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Equal("/", again.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Http_AdminResetsPasswordOfSignedInUser_OldSessionEnds()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await host.CreateUserAsync("forgetful", UserRole.Operator);
        var client = await SignInForms.SignedInAsync(host.Factory, "forgetful", SignInHost.Password);
        var before = await client.GetAsync("/", ct);

        // Act
        await host.Users.SetPasswordAsync("forgetful", "temporary-pw", "boss", ct);
        var after = await client.GetAsync("/", ct);

        // Assert
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.Equal("/signin", after.Headers.Location?.AbsolutePath);
    }
}
