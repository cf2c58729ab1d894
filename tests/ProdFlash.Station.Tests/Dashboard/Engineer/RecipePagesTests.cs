using System.Reflection;

using Bunit;

using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;

using ProdFlash.Core.Images;
using ProdFlash.Data.Entities;
using ProdFlash.Station.Components.Layout;
using ProdFlash.Station.Library;
using ProdFlash.Station.Security;
using ProdFlash.Station.Tests.Api;

using RecipeDetailPage = ProdFlash.Station.Components.Pages.RecipeDetail;
using RecipesPage = ProdFlash.Station.Components.Pages.EngineeringRecipes;
using TestContext = Xunit.TestContext;

namespace ProdFlash.Station.Tests.Dashboard.Engineer;

/// <summary>
/// The engineer's recipe pages over the real <see cref="RecipeStore"/> and <see cref="ImageLibrary"/> on a migrated SQLite
/// store (which the manager seed already holds two Released recipes in, Widget and Gadget, whose JSON is only <c>{}</c>).
/// </summary>
public sealed class RecipePagesTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task List_DraftAndReleased_ShowsStatePartsImageAndWhoDidWhat()
    {
        // Arrange
        await using var host = await EngineerPageHost.CreateAsync("alice");
        var store = AddRecipeStore(host);
        var sha = await ImportSampleAsync(host, "alice");
        await host.Library.ReleaseAsync(sha, "bob", Ct);
        var draft = await store.CreateAsync(ApiTestData.RecipeJson("Board A", "1.0.0", sha), "alice", Ct);
        var released = await store.CreateAsync(ApiTestData.RecipeJson("Board B", "2.0.0", sha), "alice", Ct);
        await store.ReleaseAsync(released.Id, "bob", Ct);

        // Act
        var page = host.Context.Render<RecipesPage>();
        page.WaitForElement("[data-testid=recipes-table]", Wait);

        // Assert: the two new versions and the seed's two, newest first.
        var rows = page.FindAll("[data-testid=recipe-row]");
        Assert.Equal(4, rows.Count);
        Assert.Equal(released.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), rows[0].GetAttribute("data-id"));
        var draftRow = Row(page, draft.Id);
        Assert.Equal("Draft", draftRow.GetAttribute("data-state"));
        Assert.Contains("Board A", draftRow.TextContent, StringComparison.Ordinal);
        Assert.Contains("1.0.0", draftRow.TextContent, StringComparison.Ordinal);
        Assert.Contains("STM32F103C8", draftRow.TextContent, StringComparison.Ordinal);
        Assert.Contains("blue-pill-f103c8.hex", draftRow.TextContent, StringComparison.Ordinal);
        Assert.Contains(sha[..12], draftRow.TextContent, StringComparison.Ordinal);
        Assert.Contains("alice, 2026-03-03 12:00:00 UTC", draftRow.TextContent, StringComparison.Ordinal);
        var releasedRow = Row(page, released.Id);
        Assert.Equal("Released", releasedRow.GetAttribute("data-state"));
        Assert.Contains("bob, 2026-03-03 12:00:00 UTC", releasedRow.TextContent, StringComparison.Ordinal);
        var seeded = page.FindAll("[data-testid=recipe-row]").Single(r => r.TextContent.Contains("Widget", StringComparison.Ordinal));
        Assert.Contains("does not load", seeded.TextContent, StringComparison.Ordinal);
        Assert.Contains("not in the library", seeded.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateDraft_FromJsonText_StoresADraftByTheSignedInUser()
    {
        // Arrange
        await using var host = await EngineerPageHost.CreateAsync("alice");
        var store = AddRecipeStore(host);
        var sha = await ImportSampleAsync(host, "alice");
        var page = host.Context.Render<RecipesPage>();
        page.WaitForElement("[data-testid=recipes-table]", Wait);

        // Act
        page.Find("[data-testid=new-draft-json] textarea").Change(ApiTestData.RecipeJson("Board C", "0.1.0", sha));
        page.Find("[data-testid=create-draft]").Click();

        // Assert
        page.WaitForAssertion(() => Assert.Contains("Board C 0.1.0", page.Find("[data-testid=create-result]").TextContent, StringComparison.Ordinal), Wait);
        Assert.Empty(page.FindAll("[data-testid=recipe-error]"));
        var stored = (await store.ListAsync(cancellationToken: Ct)).Single(r => r.Name == "Board C");
        Assert.Equal(ReleaseState.Draft, stored.State);
        Assert.Equal("alice", stored.CreatedBy);
        Assert.Equal(sha, stored.ImageSha256);
        Assert.Equal("Draft", Row(page, stored.Id).GetAttribute("data-state"));
    }

    [Fact]
    public async Task CreateDraft_ImageNotInLibrary_ShowsTheStoresMessageAndStoresNothing()
    {
        // Arrange
        await using var host = await EngineerPageHost.CreateAsync("alice");
        var store = AddRecipeStore(host);
        var page = host.Context.Render<RecipesPage>();
        page.WaitForElement("[data-testid=recipes-table]", Wait);

        // Act
        page.Find("[data-testid=new-draft-json] textarea").Change(ApiTestData.RecipeJson("Board D", "0.1.0", new string('b', 64)));
        page.Find("[data-testid=create-draft]").Click();

        // Assert
        page.WaitForAssertion(() => Assert.Contains(new string('b', 64), page.Find("[data-testid=recipe-error]").TextContent, StringComparison.Ordinal), Wait);
        Assert.DoesNotContain(await store.ListAsync(cancellationToken: Ct), r => r.Name == "Board D");
    }

    [Fact]
    public async Task NewDraftFromThis_CopiesTheVersionsJson_AndANewVersionIsStored()
    {
        // Arrange
        await using var host = await EngineerPageHost.CreateAsync("alice");
        var store = AddRecipeStore(host);
        var sha = await ImportSampleAsync(host, "alice");
        var original = await store.CreateAsync(ApiTestData.RecipeJson("Board E", "1.0.0", sha), "carol", Ct);
        var page = host.Context.Render<RecipesPage>();
        page.WaitForElement("[data-testid=recipes-table]", Wait);

        // Act
        Row(page, original.Id).QuerySelector("[data-testid=copy-draft]")!.Click();
        var copied = page.Find("[data-testid=new-draft-json] textarea").GetAttribute("value") ?? page.Find("[data-testid=new-draft-json] textarea").TextContent;
        page.Find("[data-testid=new-draft-json] textarea").Change(copied.Replace("1.0.0", "1.1.0", StringComparison.Ordinal));
        page.Find("[data-testid=create-draft]").Click();

        // Assert
        Assert.Equal(original.Json, copied);
        page.WaitForAssertion(() => Assert.Contains("Board E 1.1.0", page.Find("[data-testid=create-result]").TextContent, StringComparison.Ordinal), Wait);
        var versions = (await store.ListAsync(cancellationToken: Ct)).Where(r => r.Name == "Board E").ToList();
        Assert.Equal(["1.1.0", "1.0.0"], versions.Select(v => v.Version));
        Assert.Equal("alice", versions[0].CreatedBy);
    }

    [Fact]
    public async Task FromQuery_StartsTheFormWithThatVersionsJson()
    {
        // Arrange
        await using var host = await EngineerPageHost.CreateAsync("alice");
        var store = AddRecipeStore(host);
        var sha = await ImportSampleAsync(host, "alice");
        var original = await store.CreateAsync(ApiTestData.RecipeJson("Board F", "3.0.0", sha), "alice", Ct);

        // Act
        host.Context.Services.GetRequiredService<NavigationManager>().NavigateTo($"/engineering/recipes?from={original.Id}");
        var page = host.Context.Render<RecipesPage>();
        page.WaitForElement("[data-testid=recipes-table]", Wait);

        // Assert
        Assert.Contains("Board F 3.0.0", page.Find("[data-testid=copied-from]").TextContent, StringComparison.Ordinal);
        Assert.Equal(original.Json, page.Find("[data-testid=new-draft-json] textarea").GetAttribute("value"));
    }

    [Fact]
    public async Task Detail_ShowsTheRecipeInPlainWordsWithItsImageAndJson()
    {
        // Arrange
        await using var host = await EngineerPageHost.CreateAsync("alice");
        var store = AddRecipeStore(host);
        var sha = await ImportSampleAsync(host, "alice");
        var json = ApiTestData.RecipeJson("Board G", "1.0.0", sha).Replace("\"devices\"", """
            "voltage": { "min": 3.1, "max": 3.5 },
            "connect": { "mode": "under-reset", "swdKHz": 1800, "fallbackKHz": [480] },
            "checks": { "verify": "readback", "preverify": true },
            "erase": "skip-matching",
            "optionBytes": { "finalRdp": 1, "user": { "WDG_SW": 1 } },
            "serial": { "address": "0x0800FC00", "text": "PF-{seq:000000}", "fields": [ { "type": "ascii", "length": 16 } ] },
            "devices"
            """, StringComparison.Ordinal);
        var recipe = await store.CreateAsync(json, "alice", Ct);

        // Act
        var page = host.Context.Render<RecipeDetailPage>(p => p.Add(x => x.Id, recipe.Id));
        page.WaitForElement("[data-testid=recipe-facts]", Wait);

        // Assert
        Assert.Equal("STM32F103C8", Fact(page, "parts"));
        Assert.StartsWith("3.10 V to 3.50 V", Fact(page, "voltage"), StringComparison.Ordinal);
        Assert.Contains("under reset", Fact(page, "connect"), StringComparison.Ordinal);
        Assert.Contains("1800 kHz", Fact(page, "connect"), StringComparison.Ordinal);
        Assert.Contains("480 kHz", Fact(page, "connect"), StringComparison.Ordinal);
        Assert.Contains("differs from the image", Fact(page, "erase"), StringComparison.Ordinal);
        Assert.Contains("read back", Fact(page, "verify"), StringComparison.Ordinal);
        Assert.Contains("level 1", Fact(page, "option-bytes"), StringComparison.Ordinal);
        Assert.Contains("WDG_SW=1", Fact(page, "option-bytes"), StringComparison.Ordinal);
        Assert.Contains("PF-{seq:000000}", Fact(page, "serial"), StringComparison.Ordinal);
        Assert.Equal("0x0800FC00, 16 bytes", Fact(page, "serial-address"));
        var image = page.Find("[data-testid=recipe-image]");
        Assert.Contains("blue-pill-f103c8.hex", image.TextContent, StringComparison.Ordinal);
        Assert.Equal($"/engineering/images/{sha}", image.QuerySelector("a")!.GetAttribute("href"));
        Assert.Equal(json, page.Find("[data-testid=recipe-json]").TextContent);
        Assert.Equal("Draft", page.Find("[data-testid=recipe-state]").TextContent.Trim());
        Assert.Single(page.FindAll("[data-testid=recipe-editor] textarea"));
    }

    [Fact]
    public async Task EditDraft_MalformedJson_ShowsTheErrorNamingTheField_AndKeepsTheStoredJson()
    {
        // Arrange
        await using var host = await EngineerPageHost.CreateAsync("alice");
        var store = AddRecipeStore(host);
        var sha = await ImportSampleAsync(host, "alice");
        var recipe = await store.CreateAsync(ApiTestData.RecipeJson("Board H", "1.0.0", sha), "alice", Ct);
        var page = host.Context.Render<RecipeDetailPage>(p => p.Add(x => x.Id, recipe.Id));
        page.WaitForElement("[data-testid=recipe-editor]", Wait);
        var broken = recipe.Json.Replace("\"devices\"", "\"voltage\": { \"min\": 3.6, \"max\": 3.0 }, \"devices\"", StringComparison.Ordinal);

        // Act
        page.Find("[data-testid=recipe-editor] textarea").Change(broken);
        page.Find("[data-testid=save-draft]").Click();

        // Assert
        page.WaitForAssertion(() => Assert.Contains("$.voltage.min", page.Find("[data-testid=recipe-error]").TextContent, StringComparison.Ordinal), Wait);
        Assert.Equal(recipe.Json, (await store.GetAsync(recipe.Id, Ct)).Json);
        Assert.Equal(recipe.Json, page.Find("[data-testid=recipe-json]").TextContent);
        Assert.Equal(broken, page.Find("[data-testid=recipe-editor] textarea").GetAttribute("value"));
        Assert.Empty(page.FindAll("[data-testid=save-result]"));
    }

    [Fact]
    public async Task EditDraft_UnknownKey_NamesTheKeyAndSuggestsTheRightOne()
    {
        // Arrange
        await using var host = await EngineerPageHost.CreateAsync("alice");
        var store = AddRecipeStore(host);
        var sha = await ImportSampleAsync(host, "alice");
        var recipe = await store.CreateAsync(ApiTestData.RecipeJson("Board I", "1.0.0", sha), "alice", Ct);
        var page = host.Context.Render<RecipeDetailPage>(p => p.Add(x => x.Id, recipe.Id));
        page.WaitForElement("[data-testid=recipe-editor]", Wait);

        // Act
        page.Find("[data-testid=recipe-editor] textarea").Change(recipe.Json.Replace("\"devices\"", "\"conect\": {}, \"devices\"", StringComparison.Ordinal));
        page.Find("[data-testid=save-draft]").Click();

        // Assert
        page.WaitForAssertion(() => Assert.Contains("$.conect", page.Find("[data-testid=recipe-error]").TextContent, StringComparison.Ordinal), Wait);
        Assert.Contains("connect", page.Find("[data-testid=recipe-error]").TextContent.Replace("$.conect", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(recipe.Json, (await store.GetAsync(recipe.Id, Ct)).Json);
    }

    [Fact]
    public async Task EditDraft_ValidJson_IsSavedAndShownInWords()
    {
        // Arrange
        await using var host = await EngineerPageHost.CreateAsync("alice");
        var store = AddRecipeStore(host);
        var sha = await ImportSampleAsync(host, "alice");
        var recipe = await store.CreateAsync(ApiTestData.RecipeJson("Board J", "1.0.0", sha), "alice", Ct);
        var page = host.Context.Render<RecipeDetailPage>(p => p.Add(x => x.Id, recipe.Id));
        page.WaitForElement("[data-testid=recipe-editor]", Wait);
        var edited = recipe.Json.Replace("\"devices\"", "\"voltage\": { \"min\": 2.9, \"max\": 3.4 }, \"devices\"", StringComparison.Ordinal);

        // Act
        page.Find("[data-testid=recipe-editor] textarea").Change(edited);
        page.Find("[data-testid=save-draft]").Click();

        // Assert
        page.WaitForElement("[data-testid=save-result]", Wait);
        Assert.Empty(page.FindAll("[data-testid=recipe-error]"));
        Assert.Equal(edited, (await store.GetAsync(recipe.Id, Ct)).Json);
        Assert.StartsWith("2.90 V to 3.40 V", Fact(page, "voltage"), StringComparison.Ordinal);
        Assert.Equal(edited, page.Find("[data-testid=recipe-json]").TextContent);
    }

    [Fact]
    public async Task Release_ByTheCreator_ShowsTheTwoPersonRule_AndASecondEngineerReleasesItReadOnly()
    {
        // Arrange
        await using var host = await EngineerPageHost.CreateAsync("alice");
        var store = AddRecipeStore(host);
        var sha = await ImportSampleAsync(host, "alice");
        await host.Library.ReleaseAsync(sha, "bob", Ct);
        var recipe = await store.CreateAsync(ApiTestData.RecipeJson("Board K", "1.0.0", sha), "alice", Ct);
        var page = host.Context.Render<RecipeDetailPage>(p => p.Add(x => x.Id, recipe.Id));

        // Act: the creator tries.
        page.WaitForElement("[data-testid=release-button]", Wait).Click();

        // Assert
        page.WaitForAssertion(() => Assert.Contains("two-person rule", page.Find("[data-testid=action-error]").TextContent, StringComparison.Ordinal), Wait);
        Assert.Equal("Draft", page.Find("[data-testid=recipe-state]").TextContent.Trim());
        Assert.Equal(ReleaseState.Draft, (await store.GetAsync(recipe.Id, Ct)).State);

        // Act: a second engineer releases.
        host.SignIn("bob", UserRole.Engineer);
        var second = host.Context.Render<RecipeDetailPage>(p => p.Add(x => x.Id, recipe.Id));
        second.WaitForElement("[data-testid=release-button]", Wait).Click();

        // Assert: released by bob, and from now on read-only.
        second.WaitForAssertion(() => Assert.Equal("Released", second.Find("[data-testid=recipe-state]").TextContent.Trim()), Wait);
        Assert.Contains("bob", second.Find("[data-testid=recipe-released]").TextContent, StringComparison.Ordinal);
        Assert.Empty(second.FindAll("[data-testid=action-error]"));
        Assert.Empty(second.FindAll("[data-testid=recipe-editor]"));
        Assert.Empty(second.FindAll("[data-testid=save-draft]"));
        Assert.Empty(second.FindAll("[data-testid=release-button]"));
        Assert.Single(second.FindAll("[data-testid=obsolete-button]"));
        Assert.Contains("never changes", second.Find("[data-testid=immutable-note]").TextContent, StringComparison.Ordinal);
        var stored = await store.GetAsync(recipe.Id, Ct);
        Assert.Equal(ReleaseState.Released, stored.State);
        Assert.Equal("bob", stored.ReleasedBy);
    }

    [Fact]
    public async Task Release_ImageStillDraft_SaysToReleaseTheImageFirst()
    {
        // Arrange
        await using var host = await EngineerPageHost.CreateAsync("bob");
        var store = AddRecipeStore(host);
        var sha = await ImportSampleAsync(host, "alice");
        var recipe = await store.CreateAsync(ApiTestData.RecipeJson("Board L", "1.0.0", sha), "alice", Ct);
        var page = host.Context.Render<RecipeDetailPage>(p => p.Add(x => x.Id, recipe.Id));

        // Act
        page.WaitForElement("[data-testid=release-button]", Wait).Click();

        // Assert
        page.WaitForAssertion(() => Assert.Contains("release the image before the recipe", page.Find("[data-testid=action-error]").TextContent, StringComparison.Ordinal), Wait);
        Assert.Equal(ReleaseState.Draft, (await store.GetAsync(recipe.Id, Ct)).State);
    }

    [Fact]
    public async Task Obsolete_OnAReleasedRecipe_MarksItObsoleteWithNoActionsLeft()
    {
        // Arrange
        await using var host = await EngineerPageHost.CreateAsync("bob");
        var store = AddRecipeStore(host);
        var sha = await ImportSampleAsync(host, "alice");
        await host.Library.ReleaseAsync(sha, "bob", Ct);
        var recipe = await store.CreateAsync(ApiTestData.RecipeJson("Board M", "1.0.0", sha), "alice", Ct);
        await store.ReleaseAsync(recipe.Id, "bob", Ct);
        var page = host.Context.Render<RecipeDetailPage>(p => p.Add(x => x.Id, recipe.Id));

        // Act
        page.WaitForElement("[data-testid=obsolete-button]", Wait).Click();

        // Assert
        page.WaitForAssertion(() => Assert.Equal("Obsolete", page.Find("[data-testid=recipe-state]").TextContent.Trim()), Wait);
        Assert.Empty(page.FindAll("[data-testid=release-button]"));
        Assert.Empty(page.FindAll("[data-testid=obsolete-button]"));
        Assert.Empty(page.FindAll("[data-testid=recipe-editor]"));
        Assert.Equal(ReleaseState.Obsolete, (await store.GetAsync(recipe.Id, Ct)).State);
    }

    [Fact]
    public async Task Detail_UnknownId_SaysThereIsNoSuchRecipe()
    {
        // Arrange
        await using var host = await EngineerPageHost.CreateAsync();
        AddRecipeStore(host);

        // Act
        var page = host.Context.Render<RecipeDetailPage>(p => p.Add(x => x.Id, 999_999));

        // Assert
        page.WaitForAssertion(() => Assert.Contains("No recipe has id 999999", page.Find("[data-testid=load-error]").TextContent, StringComparison.Ordinal), Wait);
    }

    [Theory]
    [InlineData(UserRole.Engineer, true)]
    [InlineData(UserRole.Admin, true)]
    [InlineData(UserRole.Manager, false)]
    [InlineData(UserRole.Operator, false)]
    public async Task NavMenu_Role_ShowsRecipesOnlyToEngineers(UserRole role, bool visible)
    {
        // Arrange
        await using var host = await EngineerPageHost.CreateAsync("someone", role);

        // Act
        var menu = host.Context.Render<NavMenu>();

        // Assert
        Assert.Equal(visible, menu.FindAll("[data-testid=nav-engineer-recipes]").Count == 1);
    }

    [Fact]
    public void Pages_NameTheEngineerPolicy()
    {
        Assert.Equal(StationPolicies.Engineer, typeof(RecipesPage).GetCustomAttribute<AuthorizeAttribute>()?.Policy);
        Assert.Equal(StationPolicies.Engineer, typeof(RecipeDetailPage).GetCustomAttribute<AuthorizeAttribute>()?.Policy);
    }

    [Theory]
    [InlineData("/engineering/recipes")]
    [InlineData("/engineering/recipes?from=3")]
    [InlineData("/engineering/recipes/42")]
    public void DeniedPage_RecipeAddress_NamesEngineerAndAdmin(string path)
    {
        // Act
        var roles = PageAccess.RolesFor(path);

        // Assert
        Assert.Equal([UserRole.Engineer, UserRole.Admin], roles);
    }

    // The host registers the image library only; the recipe store is added before the first render, as the station wires
    // it. The pages mark themselves interactive (for the browser tests), so the renderer says it is an interactive server.
    private static RecipeStore AddRecipeStore(EngineerPageHost host)
    {
        var store = new RecipeStore(host.Seed.Database, host.Library, new LibraryOptions(), host.Seed.Clock);
        host.Context.Services.AddSingleton(store);
        host.Context.Renderer.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        return store;
    }

    private static async Task<string> ImportSampleAsync(EngineerPageHost host, string user)
    {
        await using var content = File.OpenRead(ApiTestData.SampleHexPath);
        var result = await host.Library.ImportAsync(new ImageUpload(content, "blue-pill-f103c8.hex", null, null, "STM32F103C8"), user, Ct);
        return result.Image.Sha256;
    }

    private static AngleSharp.Dom.IElement Row(IRenderedComponent<RecipesPage> page, int id) =>
        page.FindAll("[data-testid=recipe-row]").Single(r => r.GetAttribute("data-id") == id.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static string Fact(IRenderedComponent<RecipeDetailPage> page, string key) =>
        page.Find($"[data-testid=recipe-fact][data-fact={key}] td").TextContent.Trim();
}
