using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

using ProdFlash.Data;
using ProdFlash.Data.Entities;
using ProdFlash.Station.Api;
using ProdFlash.Station.Runtime;
using ProdFlash.Station.Security;
using ProdFlash.Testing;

namespace ProdFlash.Station.Tests.Api;

/// <summary>
/// An engineer assigns a Released library recipe to a fixture (PUT /api/fixtures/{f}/recipe): the next runs program the
/// library's image under that recipe, the choice survives a restart, and a recipe that is not (or no longer) Released
/// never runs.
/// </summary>
public sealed class FixtureRecipeApiTests
{
    [Fact]
    public async Task Assign_ReleasedLibraryRecipe_NextRunProgramsItAndIsRecordedUnderIt()
    {
        // Arrange
        using var data = new TempDirectory();
        await using var station = new Station(data.Path);
        var recipe = await station.ReleasedRecipeAsync("assign-1");
        using var engineer = await station.ClientAsync(UserRole.Engineer, "line-engineer");

        // Act
        using var put = await engineer.PutAsJsonAsync("/api/fixtures/F1/recipe", new AssignRecipeRequest(recipe.Id), TestContext.Current.CancellationToken);
        var results = await station.RunAsync();

        // Assert
        Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var assigned = await put.ReadAsync<FixtureRecipeDto>();
        Assert.True(assigned.FromLibrary);
        Assert.Equal(recipe.Id, assigned.RecipeId);
        Assert.Contains($"(library #{recipe.Id})", assigned.Recipe, StringComparison.Ordinal);
        Assert.All(results, r => Assert.Equal(AttemptState.Passed, r.State));
        await using var context = station.Database.CreateContext();
        Assert.All(await context.Attempts.ToListAsync(TestContext.Current.CancellationToken), a => Assert.Equal(recipe.Id, a.RecipeId));
        Assert.Contains(await context.AuditEvents.ToListAsync(TestContext.Current.CancellationToken), e => e.Action == "fixture.assign-recipe" && e.Actor == "line-engineer" && e.EntityId == "F1");
        Assert.Equal(assigned.Recipe, station.Status.Current.Fixtures[0].Recipe);
    }

    [Fact]
    public async Task Assign_AfterRestart_FixtureStillRunsTheAssignedRecipe()
    {
        // Arrange
        using var data = new TempDirectory();
        int recipeId;
        await using (var first = new Station(data.Path))
        {
            recipeId = (await first.ReleasedRecipeAsync("restart")).Id;
            using var engineer = await first.ClientAsync(UserRole.Engineer, "line-engineer");
            using var put = await engineer.PutAsJsonAsync("/api/fixtures/F1/recipe", new AssignRecipeRequest(recipeId), TestContext.Current.CancellationToken);
            put.EnsureSuccessStatusCode();
        }

        // Act
        await using var second = new Station(data.Path);
        var results = await second.RunAsync();

        // Assert
        var coordinator = second.Coordinator;
        Assert.True(coordinator.Assignment.FromLibrary);
        Assert.Equal(recipeId, coordinator.Assignment.RecipeId);
        Assert.All(results, r => Assert.Equal(AttemptState.Passed, r.State));
        await using var context = second.Database.CreateContext();
        var run = await context.Runs.OrderByDescending(r => r.Id).FirstAsync(TestContext.Current.CancellationToken);
        Assert.Equal(recipeId, run.RecipeId);
    }

    [Fact]
    public async Task Assign_DraftUnknownOrMissingRecipe_RefusedWithTheReasonAndNothingChanges()
    {
        // Arrange
        using var data = new TempDirectory();
        await using var station = new Station(data.Path);
        using var author = await station.ClientAsync(UserRole.Engineer, "author");
        using var reviewer = await station.ClientAsync(UserRole.Engineer, "reviewer");
        var (_, draft) = await ApiSeed.DraftRecipeAsync(author, reviewer, "draft");
        var before = station.Coordinator.Assignment;

        // Act
        using var onDraft = await author.PutAsJsonAsync("/api/fixtures/F1/recipe", new AssignRecipeRequest(draft.Id), TestContext.Current.CancellationToken);
        using var onUnknown = await author.PutAsJsonAsync("/api/fixtures/F1/recipe", new AssignRecipeRequest(99999), TestContext.Current.CancellationToken);
        using var noBody = await author.PutAsync("/api/fixtures/F1/recipe", ApiTestData.JsonBody("{}"), TestContext.Current.CancellationToken);
        using var noFixture = await author.PutAsJsonAsync("/api/fixtures/F9/recipe", new AssignRecipeRequest(draft.Id), TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal(HttpStatusCode.Conflict, onDraft.StatusCode);
        Assert.Contains("Draft", await onDraft.ProblemDetailAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, onUnknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noBody.StatusCode);
        Assert.Contains("recipeId", await noBody.ProblemDetailAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, noFixture.StatusCode);
        Assert.Same(before, station.Coordinator.Assignment);
    }

    [Fact]
    public async Task Start_AssignedRecipeMadeObsolete_RefusedNamingTheStateUntilTheFixtureReturnsToItsConfiguration()
    {
        // Arrange
        using var data = new TempDirectory();
        await using var station = new Station(data.Path);
        var recipe = await station.ReleasedRecipeAsync("obsolete");
        using var engineer = await station.ClientAsync(UserRole.Engineer, "line-engineer");
        using var operatorClient = await station.ClientAsync(UserRole.Operator, "line-operator");
        (await engineer.PutAsJsonAsync("/api/fixtures/F1/recipe", new AssignRecipeRequest(recipe.Id), TestContext.Current.CancellationToken)).EnsureSuccessStatusCode();
        await station.Services.GetRequiredService<Library.RecipeStore>().ObsoleteAsync(recipe.Id, "line-engineer", TestContext.Current.CancellationToken);

        // Act
        using var refused = await operatorClient.PostAsync("/api/fixtures/F1/start", null, TestContext.Current.CancellationToken);
        using var operatorUnassign = await operatorClient.DeleteAsync("/api/fixtures/F1/recipe", TestContext.Current.CancellationToken);
        using var unassign = await engineer.DeleteAsync("/api/fixtures/F1/recipe", TestContext.Current.CancellationToken);
        using var started = await operatorClient.PostAsync("/api/fixtures/F1/start", null, TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("Obsolete", await refused.ProblemDetailAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, operatorUnassign.StatusCode);
        Assert.True(unassign.IsSuccessStatusCode, await unassign.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.False((await unassign.ReadAsync<FixtureRecipeDto>()).FromLibrary);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
    }

    [Fact]
    public async Task Assign_WhileTheFixtureRuns_RefusedAndTheRunKeepsItsRecipe()
    {
        // Arrange: wall-clock emulation, so the run is still going when the request arrives.
        using var data = new TempDirectory();
        await using var station = new Station(data.Path, demoMode: true);
        var recipe = await station.ReleasedRecipeAsync("busy");
        using var engineer = await station.ClientAsync(UserRole.Engineer, "line-engineer");
        var before = station.Coordinator.Assignment;
        var run = await station.Coordinator.StartAsync("line-operator", null, TestContext.Current.CancellationToken);

        // Act
        using var put = await engineer.PutAsJsonAsync("/api/fixtures/F1/recipe", new AssignRecipeRequest(recipe.Id), TestContext.Current.CancellationToken);
        station.Coordinator.Abort();
        await run.Completion.WaitAsync(TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal(HttpStatusCode.Conflict, put.StatusCode);
        Assert.Contains("running", await put.ProblemDetailAsync(), StringComparison.Ordinal);
        Assert.Same(before, station.Coordinator.Assignment);
        await using var context = station.Database.CreateContext();
        Assert.Null((await context.Fixtures.SingleAsync(TestContext.Current.CancellationToken)).AssignedRecipeId);
    }

    /// <summary>A station on its own data directory, with API clients per role.</summary>
    private sealed class Station : IAsyncDisposable
    {
        private readonly StationAppFactory _factory;

        public Station(string dataDirectory, bool demoMode = false)
        {
            var settings = StationAppFactory.DefaultSettings(dataDirectory);
            settings["Station:DemoMode"] = demoMode ? "true" : "false";
            _factory = new StationAppFactory(settings);
            _ = _factory.Server;
        }

        public IServiceProvider Services => _factory.Services;

        public StationDatabase Database => Services.GetRequiredService<StationDatabase>();

        public StatusStore Status => Services.GetRequiredService<StatusStore>();

        public FixtureCoordinator Coordinator => Services.GetRequiredService<StationRuntime>().Fixtures["F1"];

        public async Task<HttpClient> ClientAsync(UserRole role, string user)
        {
            var key = await Services.GetRequiredService<ApiKeyService>().IssueAsync(user, role, "test", "test", cancellationToken: TestContext.Current.CancellationToken);
            var client = _factory.CreateClient();
            client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, key.Key);
            client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            return client;
        }

        /// <summary>A Released recipe on a Released image, each released by a second engineer.</summary>
        public async Task<RecipeDto> ReleasedRecipeAsync(string tag)
        {
            using var author = await ClientAsync(UserRole.Engineer, "author-" + tag);
            using var reviewer = await ClientAsync(UserRole.Engineer, "reviewer-" + tag);
            var (_, recipe) = await ApiSeed.DraftRecipeAsync(author, reviewer, tag);
            using var release = await reviewer.PostAsync($"/api/recipes/{recipe.Id}/release", null, TestContext.Current.CancellationToken);
            Assert.True(release.IsSuccessStatusCode, await release.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            return await release.ReadAsync<RecipeDto>();
        }

        public async Task<IReadOnlyList<SlotAttemptResult>> RunAsync()
        {
            var run = await Coordinator.StartAsync("line-operator", null, TestContext.Current.CancellationToken);
            return await run.Completion.WaitAsync(TestContext.Current.CancellationToken);
        }

        public async ValueTask DisposeAsync() => await _factory.DisposeAsync();
    }
}
