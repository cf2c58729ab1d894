using Microsoft.Playwright;

namespace ProdFlash.EndToEnd.Tests.Harness;

/// <summary>
/// Signs a browser page in through the station's own sign-in page, the way a person does: the form at
/// <c>/signin</c> with the fields <c>username</c> and <c>password</c>, or the badge form with the field <c>badge</c>.
/// </summary>
/// <remarks>
/// In demo mode (the default appsettings.json) the station seeds <c>operator</c>, <c>engineer</c>, <c>engineer2</c>,
/// <c>manager</c> and <c>admin</c>, each with the password <see cref="DemoPassword"/>; the operator's badge code is
/// <see cref="DemoOperatorBadge"/>.
/// </remarks>
public static class StationSignIn
{
    /// <summary>The password of every demo user.</summary>
    public const string DemoPassword = "demo";

    /// <summary>The demo operator's badge code.</summary>
    public const string DemoOperatorBadge = "DEMO-BADGE-OPERATOR";

    private static readonly TimeSpan PageLimit = TimeSpan.FromSeconds(60);

    /// <summary>Opens <c>/signin</c> (with <paramref name="returnUrl"/>), submits the user name and password, and waits until the browser has left the sign-in page.</summary>
    /// <exception cref="InvalidOperationException">The station refused the sign-in; the message holds what the page said.</exception>
    public static async Task SignInAsync(IPage page, string user, string password = DemoPassword, string returnUrl = "/")
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.GotoAsync($"signin?ReturnUrl={Uri.EscapeDataString(returnUrl)}");
        await page.FillAsync("#username", user);
        await page.FillAsync("#password", password);
        await SubmitAsync(page, "[data-testid=signin-submit]", $"user {user}");
    }

    /// <summary>Signs in by scanning a badge code into the badge field (a scanner types the code and Enter).</summary>
    /// <exception cref="InvalidOperationException">The station refused the badge; the message holds what the page said.</exception>
    public static async Task SignInWithBadgeAsync(IPage page, string badge = DemoOperatorBadge, string returnUrl = "/")
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.GotoAsync($"signin?ReturnUrl={Uri.EscapeDataString(returnUrl)}");
        await page.FillAsync("#badge", badge);
        await SubmitAsync(page, "[data-testid=badge-submit]", "badge");
    }

    private static async Task SubmitAsync(IPage page, string submit, string who)
    {
        await page.ClickAsync(submit);
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
        var deadline = DateTime.UtcNow + PageLimit;
        while (new Uri(page.Url).AbsolutePath.EndsWith("/signin", StringComparison.Ordinal) || new Uri(page.Url).AbsolutePath.EndsWith("/signin/badge", StringComparison.Ordinal))
        {
            var error = page.Locator("[data-testid=signin-error]");
            if (await error.CountAsync() > 0)
            {
                throw new InvalidOperationException($"The station refused the sign-in of {who}: {await error.First.InnerTextAsync()}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The sign-in of {who} did not leave {page.Url} within {PageLimit.TotalSeconds} s.");
            }

            await Task.Delay(100);
        }
    }
}
