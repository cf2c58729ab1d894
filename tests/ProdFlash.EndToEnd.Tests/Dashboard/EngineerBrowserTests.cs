using System.Text.RegularExpressions;

using Microsoft.Playwright;

using ProdFlash.EndToEnd.Tests.Harness;
using ProdFlash.Testing;

namespace ProdFlash.EndToEnd.Tests.Dashboard;

/// <summary>
/// One demo station (no auto start, its image library in a temp folder) and one Chromium for the engineer browser tests;
/// each test signs its people in in their own browser contexts.
/// </summary>
public sealed class EngineerStation : BrowserStation
{
    private readonly TempDirectory _library = new();

    /// <inheritdoc/>
    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        ["Station:AutoStartSeconds"] = "0",
        ["Station:ImageLibraryFolder"] = _library.Path,
    };

    /// <inheritdoc/>
    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _library.Dispose();
    }
}

/// <summary>
/// The engineer pages in Debian's Chromium against the real demo host: <c>engineer</c> uploads the Blue Pill sample HEX
/// and cannot release it (two-person rule), <c>engineer2</c> releases it; the same for a recipe draft made from the demo
/// recipe; an operator is refused both engineer pages. Screenshots <c>engineer-*.png</c> in <c>artifacts/screenshots/</c>.
/// </summary>
public sealed partial class EngineerBrowserTests(EngineerStation fixture) : IClassFixture<EngineerStation>
{
    // The demo recipe's voltage window as written in firmware-images/samples/blue-pill-f103c8/recipe.json, and reversed.
    private const string WindowOk = "\"voltage\": { \"min\": 3.0, \"max\": 3.6 }";
    private const string WindowReversed = "\"voltage\": { \"min\": 3.6, \"max\": 3.0 }";

    private static string SampleHex => Path.Combine(RepositoryPaths.FirmwareImages, "samples", "blue-pill-f103c8", "blue-pill-f103c8.hex");

    [Fact]
    public async Task Engineers_UploadAndReleaseAnImageAndARecipe_TheCreatorCannotRelease()
    {
        // Arrange: both engineers signed in, each in their own browser context.
        var author = await SignInAsync("engineer");
        var reviewer = await SignInAsync("engineer2");

        // Act: the author uploads the sample HEX on the image library page.
        await OpenFromMenuAsync(author, "nav-engineer-images", "[data-testid=upload-file]");
        await author.Locator("[data-testid=upload-file]").SetInputFilesAsync(SampleHex);
        await author.Locator("button[data-testid=upload-submit]:not([disabled])").ClickAsync();
        var uploaded = author.Locator("[data-testid=upload-result]");
        await author.Locator("[data-testid=upload-result], [data-testid=upload-error]").WaitForAsync();
        if (await author.Locator("[data-testid=upload-error]").CountAsync() > 0)
        {
            await Screenshots.SaveAsync(author, "engineer-images-upload-refused");
            Assert.Fail($"The upload was refused: {await author.Locator("[data-testid=upload-error]").InnerTextAsync()}");
        }

        var uploadedText = await uploaded.InnerTextAsync();
        var row = author.Locator("[data-testid=image-row]", new() { HasTextString = "blue-pill-f103c8.hex" });
        var rowText = await row.InnerTextAsync();
        var sha = await row.GetAttributeAsync("data-sha") ?? throw new InvalidOperationException("The uploaded image's row has no data-sha.");
        await Screenshots.SaveAsync(author, "engineer-images-uploaded");

        // The author tries to release it.
        await uploaded.Locator("a").ClickAsync();
        await author.Locator("[data-testid=release-button]").ClickAsync();
        var imageError = author.Locator("[data-testid=action-error]");
        await imageError.WaitForAsync();
        await Screenshots.SaveAsync(author, "engineer-image-two-person");

        // A second engineer releases it.
        await OpenFromMenuAsync(reviewer, "nav-engineer-images", "[data-testid=images-table]");
        await reviewer.Locator($"[data-testid=image-row][data-sha='{sha}'] a").ClickAsync();
        await reviewer.Locator("[data-testid=release-button]").ClickAsync();
        await reviewer.Locator("[data-testid=image-state]", new() { HasTextString = "Released" }).WaitForAsync();
        await Screenshots.SaveAsync(reviewer, "engineer-image-released");

        // Assert (image)
        Assert.Equal("Uploaded", uploadedText.Split(':')[0].Trim());
        Assert.Contains("Draft", rowText, StringComparison.Ordinal);
        Assert.Contains("two-person rule", await imageError.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("engineer2", await reviewer.Locator("[data-testid=image-released]").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await reviewer.Locator("[data-testid=release-button]").CountAsync());

        // Act: the author makes version 1.1.0 of the demo recipe from the list, on the released image.
        await OpenFromMenuAsync(author, "nav-engineer-recipes", "[data-testid=recipes-table]");
        await Screenshots.SaveAsync(author, "engineer-recipes");
        await author.Locator("[data-testid=recipe-row]", new() { HasTextString = "Blue Pill sample" }).Locator("[data-testid=copy-draft]").ClickAsync();
        await author.Locator("[data-testid=copied-from]").WaitForAsync();
        var form = author.Locator("[data-testid=new-draft-json] textarea");
        var copied = await form.InputValueAsync();
        Assert.Contains("\"version\": \"1.0.0\"", copied, StringComparison.Ordinal);
        Assert.Contains(WindowOk, copied, StringComparison.Ordinal);
        var json = Sha256Value().Replace(copied.Replace("\"version\": \"1.0.0\"", "\"version\": \"1.1.0\"", StringComparison.Ordinal), $"\"sha256\": \"{sha}\"");
        await FillAsync(form, json);
        await author.Locator("button[data-testid=create-draft]:not([disabled])").ClickAsync();
        var created = author.Locator("[data-testid=create-result]");
        await created.WaitForAsync();
        var createdText = await created.InnerTextAsync();
        await Screenshots.SaveAsync(author, "engineer-recipes-draft-created");

        // On the draft's page: a wrong voltage window is refused with the key named, then the author tries to release.
        await created.Locator("a").ClickAsync();
        var editor = author.Locator("[data-testid=recipe-editor] textarea");
        await editor.WaitForAsync();
        var draftUrl = new Uri(author.Url).AbsolutePath;
        await FillAsync(editor, json.Replace(WindowOk, WindowReversed, StringComparison.Ordinal));
        await author.Locator("[data-testid=save-draft]").ClickAsync();
        var editError = author.Locator("[data-testid=recipe-error]");
        await editError.WaitForAsync();
        var editErrorText = await editError.InnerTextAsync();
        var storedJson = await author.Locator("[data-testid=recipe-json]").InnerTextAsync();
        await Screenshots.SaveAsync(author, "engineer-recipe-edit-error");
        await author.Locator("[data-testid=release-button]").ClickAsync();
        var recipeError = author.Locator("[data-testid=action-error]");
        await recipeError.WaitForAsync();
        await Screenshots.SaveAsync(author, "engineer-recipe-two-person");

        // The second engineer releases the draft.
        await OpenFromMenuAsync(reviewer, "nav-engineer-recipes", "[data-testid=recipes-table]");
        await reviewer.Locator($"[data-testid=recipe-row] a[href='{draftUrl}']").ClickAsync();
        await reviewer.Locator("[data-testid=release-button]").ClickAsync();
        await reviewer.Locator("[data-testid=recipe-state]", new() { HasTextString = "Released" }).WaitForAsync();
        await Screenshots.SaveAsync(reviewer, "engineer-recipe-released");

        // Assert (recipe)
        Assert.Contains("Blue Pill sample 1.1.0", createdText, StringComparison.Ordinal);
        Assert.Contains("$.voltage.min", editErrorText, StringComparison.Ordinal);
        Assert.Contains("\"version\": \"1.1.0\"", storedJson, StringComparison.Ordinal);
        Assert.Contains(WindowOk, storedJson, StringComparison.Ordinal);
        Assert.Contains("two-person rule", await recipeError.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("engineer2", await reviewer.Locator("[data-testid=recipe-released]").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("STM32F103C8", await reviewer.Locator("[data-testid=recipe-fact][data-fact=parts]").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await reviewer.Locator("[data-testid=recipe-editor]").CountAsync());
        Assert.Equal(1, await reviewer.Locator("[data-testid=obsolete-button]").CountAsync());
    }

    [Theory]
    [InlineData("/engineering/images", "images")]
    [InlineData("/engineering/recipes", "recipes")]
    public async Task Operator_OpensAnEngineerPage_LandsOnTheDeniedPageNamingEngineer(string path, string name)
    {
        // Arrange
        var page = await fixture.NewPageAsync();
        await StationSignIn.SignInAsync(page, "operator");

        // Act
        await page.GotoAsync(path.TrimStart('/'));
        var message = page.Locator("[data-testid=denied-message]");
        await message.WaitForAsync();
        await Screenshots.SaveAsync(page, $"engineer-{name}-operator-denied");

        // Assert
        Assert.Equal("/denied", new Uri(page.Url).AbsolutePath);
        Assert.Contains($"The page {path} needs the role Engineer or Admin.", await message.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("signed in as operator", await message.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("[data-testid=nav-engineer-images]").CountAsync());
        Assert.Equal(0, await page.Locator("[data-testid=nav-engineer-recipes]").CountAsync());
    }

    // Signs in and waits on the recipe list until its circuit is up: from then on the menu navigates inside the circuit,
    // so every page reached through it reacts to clicks at once (a prerendered page does not).
    private async Task<IPage> SignInAsync(string user)
    {
        var page = await fixture.NewPageAsync();
        await StationSignIn.SignInAsync(page, user, returnUrl: "/engineering/recipes");
        try
        {
            await page.Locator("[data-testid=new-draft][data-interactive=true]").WaitForAsync();
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{page.Url} did not become interactive for {user}; the host's output:\n{fixture.Station.Output}", ex);
        }

        return page;
    }

    private static async Task OpenFromMenuAsync(IPage page, string link, string ready)
    {
        await page.Locator($"[data-testid={link}]").ClickAsync();
        await page.Locator(ready).WaitForAsync();
    }

    // Types the text the way a paste does, then leaves the field so the text field reports its change.
    private static async Task FillAsync(ILocator field, string text)
    {
        await field.FillAsync(text);
        await field.PressAsync("Tab");
    }

    [GeneratedRegex("\"sha256\": \"[0-9a-f]{64}\"")]
    private static partial Regex Sha256Value();
}
