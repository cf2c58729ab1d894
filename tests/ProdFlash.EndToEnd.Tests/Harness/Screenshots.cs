using Microsoft.Playwright;
using ProdFlash.Testing;

namespace ProdFlash.EndToEnd.Tests.Harness;

/// <summary>Saves full-page screenshots as test artifacts under <c>artifacts/screenshots/</c> at the repository root (git-ignored).</summary>
public static class Screenshots
{
    /// <summary>The folder screenshots go to.</summary>
    public static string Folder => Path.Combine(RepositoryPaths.Root, "artifacts", "screenshots");

    /// <summary>Saves <paramref name="page"/> as <c>NAME.png</c> and returns the file's path.</summary>
    public static async Task<string> SaveAsync(IPage page, string name)
    {
        ArgumentNullException.ThrowIfNull(page);
        Directory.CreateDirectory(Folder);
        var path = Path.Combine(Folder, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        return path;
    }
}
