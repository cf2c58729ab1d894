using ProdFlash.EndToEnd.Tests.Harness;

namespace ProdFlash.EndToEnd.Tests.Dashboard;

/// <summary>The dashboard's shell in a real browser against the real host: assets load, pages need a signed-in user.</summary>
public sealed class DashboardShellTests
{
    [Fact]
    public async Task HomePage_NotSignedIn_RedirectsToSignInWithReturnAddress()
    {
        // Arrange
        await using var browser = await ChromiumBrowser.LaunchAsync();
        await using var station = await StationProcess.StartAsync(new Dictionary<string, string> { ["Station:AutoStartSeconds"] = "0" }, TestContext.Current.CancellationToken);
        await using var context = await browser.NewContextAsync(station.BaseAddress);

        // Act
        var home = await context.APIRequest.GetAsync("/", new() { MaxRedirects = 0 });

        // Assert
        Assert.Equal(302, home.Status);
        var location = new Uri(station.BaseAddress, home.Headers["location"]);
        Assert.Equal("/signin", location.AbsolutePath);
        Assert.Contains("ReturnUrl=%2F", location.Query, StringComparison.OrdinalIgnoreCase);
        var css = await context.APIRequest.GetAsync("_content/MudBlazor/MudBlazor.min.css");
        Assert.Equal(200, css.Status);
        var blazor = await context.APIRequest.GetAsync("_framework/blazor.web.js");
        Assert.Equal(200, blazor.Status);
        var dashboardCss = await context.APIRequest.GetAsync("css/dashboard.css");
        Assert.Equal(200, dashboardCss.Status);
    }
}
