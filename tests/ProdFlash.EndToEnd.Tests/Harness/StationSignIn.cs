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
        await WaitToLeaveSignInAsync(page, who);
    }

    /// <summary>
    /// Waits until the browser has left the sign-in page after a submission (by click or by Enter). When the station
    /// answers with its error line, throws <see cref="InvalidOperationException"/> with it; when nothing happens within
    /// the page limit, saves a screenshot and throws a <see cref="TimeoutException"/> naming the URL, the focused element
    /// and the page's text, so a failure on a loaded machine says where the browser stood.
    /// </summary>
    public static async Task WaitToLeaveSignInAsync(IPage page, string who)
    {
        ArgumentNullException.ThrowIfNull(page);
        var deadline = DateTime.UtcNow + PageLimit;
        while (OnSignIn(page.Url))
        {
            var error = page.Locator("[data-testid=signin-error]");
            if (await error.CountAsync() > 0)
            {
                throw new InvalidOperationException($"The station refused the sign-in of {who}: {await error.First.InnerTextAsync()}");
            }

            if (DateTime.UtcNow > deadline)
            {
                var shot = await Screenshots.SaveAsync(page, "signin-timeout-" + Guid.NewGuid().ToString("N")[..8]);
                var focused = await page.EvaluateAsync<string>("() => document.activeElement ? document.activeElement.tagName + '#' + document.activeElement.id : '(none)'");
                var text = await page.EvaluateAsync<string>("() => document.body ? document.body.innerText : ''");
                throw new TimeoutException(
                    $"The sign-in of {who} did not leave {page.Url} within {PageLimit.TotalSeconds} s; focus on {focused}; screenshot {shot}; page text: {text[..Math.Min(text.Length, 400)]}");
            }

            await Task.Delay(100);
        }

        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
    }

    private static bool OnSignIn(string url)
    {
        var path = new Uri(url).AbsolutePath;
        return path.EndsWith("/signin", StringComparison.Ordinal) || path.EndsWith("/signin/badge", StringComparison.Ordinal);
    }
}
