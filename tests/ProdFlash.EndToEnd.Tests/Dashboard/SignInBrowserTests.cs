using System.Text.RegularExpressions;

using Microsoft.Playwright;

using ProdFlash.EndToEnd.Tests.Harness;

namespace ProdFlash.EndToEnd.Tests.Dashboard;

/// <summary>One demo station (no auto start) and one Chromium for every sign-in test; each test has its own browser context (cookies).</summary>
public sealed class SignInStation : BrowserStation
{
    /// <inheritdoc/>
    protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string> { ["Station:AutoStartSeconds"] = "0" };
}

/// <summary>
/// Sign-in in a real browser against the real demo host: by password and by badge (typed like a scanner, then Enter) to the
/// page asked for, a wrong password's message, an operator refused the admin page, and an admin creating a user who then
/// signs in, has to replace the password the admin set, and lands on the page asked for. Screenshots go to artifacts/screenshots/.
/// </summary>
public sealed partial class SignInBrowserTests(SignInStation fixture) : IClassFixture<SignInStation>
{
    [Fact]
    public async Task Operator_SignsInByPassword_LandsOnReturnUrlWithNameAndDemoBanner()
    {
        // Arrange
        var page = await fixture.NewPageAsync();

        // Act
        await StationSignIn.SignInAsync(page, "operator", returnUrl: "/?fixture=F1");
        await page.Locator("[data-testid=signed-in-user]").WaitForAsync();
        await Screenshots.SaveAsync(page, "signin-operator-home");

        // Assert
        Assert.Equal("/?fixture=F1", new Uri(page.Url).PathAndQuery);
        Assert.Equal("operator", (await page.Locator("[data-testid=signed-in-user]").InnerTextAsync()).Trim());
        Assert.Contains("DEMO STATION", await page.Locator("[data-testid=demo-banner]").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("a[href='/admin/users']").CountAsync());
    }

    [Fact]
    public async Task Operator_ScansBadgeAndPressesEnter_LandsOnReturnUrl()
    {
        // Arrange
        var page = await fixture.NewPageAsync();
        await page.GotoAsync("signin?ReturnUrl=" + Uri.EscapeDataString("/?slot=3"));
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle); // the page's scripts have run: nothing may take the focus later
        await Screenshots.SaveAsync(page, "signin-page");
        Assert.Equal("badge", await page.EvaluateAsync<string>("() => document.activeElement?.id ?? ''"));

        // Act: a scanner types the code into the focused field and ends with Enter.
        await page.Keyboard.TypeAsync(StationSignIn.DemoOperatorBadge);
        var typed = await page.EvaluateAsync<int>("() => document.getElementById('badge').value.length");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
        await StationSignIn.WaitToLeaveSignInAsync(page, "the scanned badge");
        await page.Locator("[data-testid=signed-in-user]").WaitForAsync();

        // Assert
        Assert.Equal(StationSignIn.DemoOperatorBadge.Length, typed); // every key of the scan reached the focused field
        Assert.Equal("/?slot=3", new Uri(page.Url).PathAndQuery);
        Assert.Equal("operator", (await page.Locator("[data-testid=signed-in-user]").InnerTextAsync()).Trim());
    }

    [Fact]
    public async Task Operator_HarnessBadgeSignIn_SignedIn()
    {
        // Arrange
        var page = await fixture.NewPageAsync();

        // Act
        await StationSignIn.SignInWithBadgeAsync(page, returnUrl: "/");
        await page.Locator("[data-testid=signed-in-user]").WaitForAsync();

        // Assert
        Assert.Equal("operator", (await page.Locator("[data-testid=signed-in-user]").InnerTextAsync()).Trim());
    }

    [Fact]
    public async Task WrongPassword_ShowsPlainErrorAndStaysOnSignIn()
    {
        // Arrange
        var page = await fixture.NewPageAsync();

        // Act
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => StationSignIn.SignInAsync(page, "manager", "not-the-password", "/"));
        await Screenshots.SaveAsync(page, "signin-wrong-password");

        // Assert
        Assert.Contains("The user name or password is wrong.", refused.Message, StringComparison.Ordinal);
        Assert.Equal("/signin", new Uri(page.Url).AbsolutePath);
        Assert.Equal(0, await page.Locator("[data-testid=signed-in-user]").CountAsync());
    }

    [Fact]
    public async Task Operator_OpensAdminUsers_SeesDeniedPageNamingAdmin()
    {
        // Arrange
        var page = await fixture.NewPageAsync();
        await StationSignIn.SignInAsync(page, "operator");

        // Act
        await page.GotoAsync("admin/users");
        var message = page.Locator("[data-testid=denied-message]");
        await message.WaitForAsync();
        await Screenshots.SaveAsync(page, "denied-operator-admin-users");

        // Assert
        Assert.Equal("/denied", new Uri(page.Url).AbsolutePath);
        Assert.Contains("The page /admin/users needs the role Admin.", await message.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("[data-testid=user-table]").CountAsync());
    }

    [Fact]
    public async Task Admin_CreatesUser_NewUserSignsInWithRole()
    {
        // Arrange
        var admin = await fixture.NewPageAsync();
        await StationSignIn.SignInAsync(admin, "admin", returnUrl: "/admin/users");
        await admin.Locator("[data-testid=create-user][data-interactive=yes]").WaitForAsync();

        // Act
        await admin.FillAsync("#new-name", "night-op");
        await admin.FillAsync("#new-display-name", "Night Operator");
        await admin.FillAsync("#new-password", "night-shift-pw");
        await admin.ClickAsync("[data-testid=create-user-submit]");
        var created = admin.Locator("[data-testid=admin-message]");
        await created.WaitForAsync();
        await admin.Locator("[data-testid=user-name]", new() { HasTextRegex = NightOp() }).WaitForAsync();
        await Screenshots.SaveAsync(admin, "admin-users-created");
        var user = await fixture.NewPageAsync();
        await StationSignIn.SignInAsync(user, "night-op", "night-shift-pw", "/");
        await user.Locator("[data-testid=must-change]").WaitForAsync(); // the admin knows this password: choose one first
        var forcedTo = new Uri(user.Url).PathAndQuery;
        await Screenshots.SaveAsync(user, "account-password-must-change");
        await user.FillAsync("#current", "night-shift-pw");
        await user.FillAsync("#password", "my-own-night-pw");
        await user.FillAsync("#repeat", "my-own-night-pw");
        await user.ClickAsync("[data-testid=password-submit]");
        await user.WaitForURLAsync(url => !new Uri(url).AbsolutePath.StartsWith("/account", StringComparison.Ordinal));
        await user.Locator("[data-testid=signed-in-user]").WaitForAsync();

        // Assert
        Assert.Equal("Created night-op (Operator).", (await created.InnerTextAsync()).Trim());
        Assert.Equal("/account/password?ReturnUrl=%2F", forcedTo);
        Assert.Equal("/", new Uri(user.Url).PathAndQuery);
        Assert.Equal("night-op", (await user.Locator("[data-testid=signed-in-user]").InnerTextAsync()).Trim());
        Assert.Equal(0, await user.Locator("a[href='/admin/users']").CountAsync());
    }

    [Fact]
    public async Task Admin_SetsBadgeThenDisablesUser_BadgeWorksThenNothingDoes()
    {
        // Arrange
        var admin = await fixture.NewPageAsync();
        await StationSignIn.SignInAsync(admin, "admin", returnUrl: "/admin/users");
        await admin.Locator("[data-testid=create-user][data-interactive=yes]").WaitForAsync();
        await admin.FillAsync("#new-name", "swing-op");
        await admin.FillAsync("#new-password", "swing-shift-pw");
        await admin.ClickAsync("[data-testid=create-user-submit]");
        await admin.Locator("[data-testid=admin-message]", new() { HasText = "Created swing-op" }).WaitForAsync();

        // Act: scan a badge into the editor, sign in with it elsewhere, then disable the user.
        await admin.ClickAsync("[data-testid=edit-swing-op]");
        await admin.FillAsync("#set-badge", "SWING-BADGE-7");
        await admin.ClickAsync("[data-testid=set-badge-submit]");
        await admin.Locator("[data-testid=admin-message]", new() { HasText = "The badge of swing-op is set." }).WaitForAsync();
        var byBadge = await fixture.NewPageAsync();
        await StationSignIn.SignInWithBadgeAsync(byBadge, "SWING-BADGE-7");
        await byBadge.Locator("[data-testid=signed-in-user]").WaitForAsync();
        await admin.ClickAsync("[data-testid=disable-user]");
        await admin.Locator("[data-testid=admin-message]", new() { HasText = "swing-op is disabled" }).WaitForAsync();
        await Screenshots.SaveAsync(admin, "admin-users-disabled");
        var afterDisable = await fixture.NewPageAsync();
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => StationSignIn.SignInAsync(afterDisable, "swing-op", "swing-shift-pw"));

        // Assert
        Assert.Equal("swing-op", (await byBadge.Locator("[data-testid=signed-in-user]").InnerTextAsync()).Trim());
        Assert.Contains("The user name or password is wrong.", refused.Message, StringComparison.Ordinal);
        var row = admin.Locator("tr", new() { Has = admin.Locator("[data-testid=user-name]", new() { HasTextRegex = SwingOp() }) });
        Assert.Equal("Disabled", (await row.Locator("[data-testid=user-state]").InnerTextAsync()).Trim());
    }

    [Fact]
    public async Task SignOut_FromAppBar_BackToSignInAndPagesClosed()
    {
        // Arrange
        var page = await fixture.NewPageAsync();
        await StationSignIn.SignInAsync(page, "engineer");
        await page.Locator("[data-testid=signed-in-user]").WaitForAsync();

        // Act
        await page.ClickAsync("[data-testid=signout]");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/signin");
        await page.GotoAsync("/");

        // Assert
        Assert.Equal("/signin", new Uri(page.Url).AbsolutePath);
        Assert.Equal("?ReturnUrl=%2F", new Uri(page.Url).Query);
    }

    [GeneratedRegex("^swing-op$")]
    private static partial Regex SwingOp();

    [GeneratedRegex("^night-op$")]
    private static partial Regex NightOp();
}
