using Microsoft.Playwright;
using ProdFlash.Testing;

namespace ProdFlash.EndToEnd.Tests.Harness;

/// <summary>
/// Debian's Chromium (<c>/usr/bin/chromium</c>, package <c>chromium</c>) driven headless by Playwright; no browser download.
/// </summary>
/// <remarks>Dispose closes the browser and the Playwright driver. One instance per test class (an xunit class fixture) is enough.</remarks>
public sealed class ChromiumBrowser : IAsyncDisposable
{
    /// <summary>The arguments the station's browser tests run Chromium with.</summary>
    public static readonly IReadOnlyList<string> Arguments = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"];

    private readonly IPlaywright _playwright;

    private ChromiumBrowser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    /// <summary>The running browser.</summary>
    public IBrowser Browser { get; }

    /// <summary>Starts Chromium headless; fails under CI=true (skips locally) when it is not installed.</summary>
    public static async Task<ChromiumBrowser> LaunchAsync()
    {
        var executable = ExternalTool.Require("chromium", "chromium");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            Args = [.. Arguments],
        });
        return new ChromiumBrowser(playwright, browser);
    }

    /// <summary>A fresh browser context (own cookies) at 1920×1080, the line screen's size, with <paramref name="baseAddress"/> as its base URL.</summary>
    public Task<IBrowserContext> NewContextAsync(Uri baseAddress) => Browser.NewContextAsync(new BrowserNewContextOptions
    {
        BaseURL = baseAddress.ToString(),
        ViewportSize = new ViewportSize { Width = 1920, Height = 1080 },
        AcceptDownloads = true,
    });

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}
