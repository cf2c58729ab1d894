using System.Net;

using ProdFlash.Data.Entities;
using ProdFlash.Station.Api;

namespace ProdFlash.Station.Tests.Api;

public sealed class RecipesApiTests(ApiTestHost host) : IClassFixture<ApiTestHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Release_FullTwoPersonFlow_OnlyOtherUserReleasesAndReleasedIsImmutable()
    {
        // Arrange
        using var author = await host.ClientAsync(UserRole.Engineer, "rcp-author");
        using var reviewer = await host.ClientAsync(UserRole.Engineer, "rcp-reviewer");
        var image = await ApiTestData.UploadBinAsync(author, ApiTestData.DistinctBin("recipe-flow"));
        using var created = await author.PostAsync("/api/recipes", ApiTestData.JsonBody(ApiTestData.RecipeJson("Flow board", "1.0.0", image.Sha256)), Ct);
        var recipe = await created.ReadAsync<RecipeDto>();

        // Act
        using var beforeImage = await reviewer.PostAsync($"/api/recipes/{recipe.Id}/release", null, Ct);
        using var imageRelease = await reviewer.PostAsync($"/api/images/{image.Sha256}/release", null, Ct);
        using var byAuthor = await author.PostAsync($"/api/recipes/{recipe.Id}/release", null, Ct);
        using var byReviewer = await reviewer.PostAsync($"/api/recipes/{recipe.Id}/release", null, Ct);
        using var update = await author.PutAsync($"/api/recipes/{recipe.Id}", ApiTestData.JsonBody(ApiTestData.RecipeJson("Flow board", "1.0.0", image.Sha256)), Ct);

        // Assert
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(ReleaseState.Draft, recipe.State);
        Assert.Equal("rcp-author", recipe.CreatedBy);
        Assert.Equal(HttpStatusCode.Conflict, beforeImage.StatusCode);
        Assert.Contains("release the image before the recipe", await beforeImage.ProblemDetailAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, imageRelease.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, byAuthor.StatusCode);
        Assert.Contains("two-person rule", await byAuthor.ProblemDetailAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, byReviewer.StatusCode);
        var released = await byReviewer.ReadAsync<RecipeDto>();
        Assert.Equal(ReleaseState.Released, released.State);
        Assert.Equal("rcp-reviewer", released.ReleasedBy);
        Assert.Equal(HttpStatusCode.Conflict, update.StatusCode);
        Assert.Contains("immutable", await update.ProblemDetailAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpdateDraft_NewImage_StoredAndAudited_ChangedVersion_BadRequest()
    {
        // Arrange
        using var author = await host.ClientAsync(UserRole.Engineer, "rcp-author");
        var first = await ApiTestData.UploadBinAsync(author, ApiTestData.DistinctBin("draft-1"));
        var second = await ApiTestData.UploadBinAsync(author, ApiTestData.DistinctBin("draft-2"));
        using var created = await author.PostAsync("/api/recipes", ApiTestData.JsonBody(ApiTestData.RecipeJson("Draft board", "0.1.0", first.Sha256)), Ct);
        var recipe = await created.ReadAsync<RecipeDto>();

        // Act
        using var update = await author.PutAsync($"/api/recipes/{recipe.Id}", ApiTestData.JsonBody(ApiTestData.RecipeJson("Draft board", "0.1.0", second.Sha256)), Ct);
        using var renamed = await author.PutAsync($"/api/recipes/{recipe.Id}", ApiTestData.JsonBody(ApiTestData.RecipeJson("Draft board", "0.2.0", second.Sha256)), Ct);
        var stored = await (await author.GetAsync($"/api/recipes/{recipe.Id}", Ct)).ReadAsync<RecipeDto>();

        // Assert
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        Assert.Equal(second.Sha256, stored.ImageSha256);
        Assert.Contains(second.Sha256, stored.Json, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, renamed.StatusCode);
        Assert.Contains("$.version", await renamed.ProblemDetailAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_UnknownKey_ProblemNamesKeyPathAndSuggestion()
    {
        // Arrange
        using var author = await host.ClientAsync(UserRole.Engineer, "rcp-author");
        var image = await ApiTestData.UploadBinAsync(author, ApiTestData.DistinctBin("typo"));
        var json = ApiTestData.RecipeJson("Typo board", "1.0.0", image.Sha256).Replace("\"devices\"", "\"conect\": {}, \"devices\"", StringComparison.Ordinal);

        // Act
        using var response = await author.PostAsync("/api/recipes", ApiTestData.JsonBody(json), Ct);

        // Assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var detail = await response.ProblemDetailAsync();
        Assert.Contains("$.conect", detail, StringComparison.Ordinal);
        Assert.Contains("connect", detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("{ not json", "recipe.json")]
    public async Task Create_MalformedBody_ProblemNamesProblem(string body, string expected)
    {
        // Arrange
        using var author = await host.ClientAsync(UserRole.Engineer, "rcp-author");

        // Act
        using var response = await author.PostAsync("/api/recipes", ApiTestData.JsonBody(body), Ct);

        // Assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.ProblemDetailAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_ImageNotInLibrary_NotFound_NoSha_BadRequest()
    {
        // Arrange
        using var author = await host.ClientAsync(UserRole.Engineer, "rcp-author");
        var unknown = ApiTestData.RecipeJson("Ghost board", "1.0.0", new string('a', 64));
        var byPath = ApiTestData.RecipeJson("Path board", "1.0.0", new string('a', 64)).Replace($"\"sha256\": \"{new string('a', 64)}\"", "\"path\": \"x.hex\"", StringComparison.Ordinal);

        // Act
        using var notFound = await author.PostAsync("/api/recipes", ApiTestData.JsonBody(unknown), Ct);
        using var noSha = await author.PostAsync("/api/recipes", ApiTestData.JsonBody(byPath), Ct);

        // Assert
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        Assert.Contains("No image with SHA-256", await notFound.ProblemDetailAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, noSha.StatusCode);
        Assert.Contains("$.image.sha256", await noSha.ProblemDetailAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_ImageLargerThanRecipePart_BadRequestNamesPart()
    {
        // Arrange: 20 KiB fits STM32F103C8 (64 KiB) but not STM32F103C4 (16 KiB; DS5319 / DS5941 ordering tables).
        using var author = await host.ClientAsync(UserRole.Engineer, "rcp-author");
        var image = await ApiTestData.UploadBinAsync(author, new byte[20 * 1024], "twenty-kib.bin");
        var json = ApiTestData.RecipeJson("Small part", "1.0.0", image.Sha256).Replace("STM32F103C8", "STM32F103C4", StringComparison.Ordinal);

        // Act
        using var response = await author.PostAsync("/api/recipes", ApiTestData.JsonBody(json), Ct);

        // Assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("does not fit stm32f103c4", await response.ProblemDetailAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Create_SameNameAndVersionTwice_Conflict_GetUnknownId_NotFound()
    {
        // Arrange
        using var author = await host.ClientAsync(UserRole.Engineer, "rcp-author");
        var image = await ApiTestData.UploadBinAsync(author, ApiTestData.DistinctBin("duplicate"));
        var json = ApiTestData.RecipeJson("Twice board", "1.0.0", image.Sha256);

        // Act
        using var first = await author.PostAsync("/api/recipes", ApiTestData.JsonBody(json), Ct);
        using var second = await author.PostAsync("/api/recipes", ApiTestData.JsonBody(json), Ct);
        using var unknown = await author.GetAsync("/api/recipes/987654", Ct);

        // Assert
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Contains("exists already", await second.ProblemDetailAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("No recipe has id 987654", await unknown.ProblemDetailAsync(), StringComparison.Ordinal);
    }
}
