using System.Security.Claims;

using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;

using ProdFlash.Station.Runtime;
using ProdFlash.Station.Security;

namespace ProdFlash.Station.Api;

/// <summary>Body of a start request.</summary>
/// <param name="LotCode">The production lot, when known.</param>
public sealed record StartRunRequest(string? LotCode);

/// <summary>Answer to a start request: the run is under way; read it at <c>/api/runs/{RunId}</c>.</summary>
/// <param name="RunId">The run's id.</param>
/// <param name="Fixture">The fixture's name.</param>
public sealed record StartedRunDto(long RunId, string Fixture);

/// <summary>Body of <c>PUT /api/fixtures/{fixture}/recipe</c>.</summary>
/// <param name="RecipeId">The Released library recipe the fixture runs from its next Start.</param>
public sealed record AssignRecipeRequest(int RecipeId);

/// <summary>What a fixture runs.</summary>
/// <param name="Fixture">The fixture's name.</param>
/// <param name="RecipeId">The recipe record its runs are recorded under.</param>
/// <param name="Recipe">Name, version and source, e.g. <c>Blue Pill sample 1.1.0 (library #7)</c>.</param>
/// <param name="FromLibrary">Whether an engineer assigned a library recipe (false: the configured recipe file).</param>
/// <param name="Problem">Why Start is refused, or null.</param>
public sealed record FixtureRecipeDto(string Fixture, int RecipeId, string Recipe, bool FromLibrary, string? Problem);

/// <summary>Fixture and slot status, start and abort, recipe assignment over HTTP.</summary>
public static class FixturesApi
{
    /// <summary>Maps <c>/api/fixtures</c>.</summary>
    public static IEndpointRouteBuilder MapFixturesApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var api = app.MapGroup("/api/fixtures").WithTags("Fixtures").AddEndpointFilter<ProblemsFilter>();
        api.MapGet("/{fixture}", GetFixture).RequireAuthorization(StationPolicies.AnyRole).WithSummary("One fixture's live status with its slots (every role).");
        api.MapGet("/{fixture}/slots/{position:int}", GetSlot).RequireAuthorization(StationPolicies.AnyRole).WithSummary("One slot's live status (every role).");
        api.MapPost("/{fixture}/start", StartAsync).RequireAuthorization(StationPolicies.Operate)
            .WithSummary("Start a run on the fixture's enabled slots; 202 with the run id (Operator, Engineer, Admin).");
        api.MapPost("/{fixture}/abort", Abort).RequireAuthorization(StationPolicies.Operate).WithSummary("Abort the fixture's run in progress (Operator, Engineer, Admin).");
        api.MapGet("/{fixture}/recipe", GetRecipe).RequireAuthorization(StationPolicies.AnyRole).WithSummary("What the fixture runs: its configured recipe or an assigned library recipe (every role).");
        api.MapPut("/{fixture}/recipe", AssignRecipeAsync).RequireAuthorization(StationPolicies.Engineer)
            .WithSummary("Make the fixture run a Released library recipe from its next Start; refused while it runs (Engineer, Admin).");
        api.MapDelete("/{fixture}/recipe", UnassignRecipeAsync).RequireAuthorization(StationPolicies.Engineer)
            .WithSummary("Return the fixture to the recipe file named in the station's configuration (Engineer, Admin).");
        return app;
    }

    private static Results<Ok<FixtureStatus>, ProblemHttpResult> GetFixture(string fixture, StatusStore status) =>
        status.Current.Fixtures.FirstOrDefault(f => f.Name == fixture) is { } found ? TypedResults.Ok(found) : UnknownFixture(fixture, status);

    private static Results<Ok<SlotStatus>, ProblemHttpResult> GetSlot(string fixture, int position, StatusStore status)
    {
        var found = status.Current.Fixtures.FirstOrDefault(f => f.Name == fixture);
        if (found is null)
        {
            return UnknownFixture(fixture, status);
        }

        return found.Slots.FirstOrDefault(s => s.Position == position) is { } slot
            ? TypedResults.Ok(slot)
            : ApiProblems.NotFound($"Fixture {fixture} has no slot {position}; its slots are 1 to {found.Slots.Count}.");
    }

    private static async Task<Results<Accepted<StartedRunDto>, ProblemHttpResult>> StartAsync(string fixture, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] StartRunRequest? request,
        StationRuntime runtime, StatusStore status, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (!runtime.Fixtures.TryGetValue(fixture, out var coordinator))
        {
            return UnknownFixture(fixture, status);
        }

        try
        {
            var run = await coordinator.StartAsync(user.Identity!.Name!, string.IsNullOrWhiteSpace(request?.LotCode) ? null : request.LotCode.Trim(), cancellationToken).ConfigureAwait(false);
            return TypedResults.Accepted($"/api/runs/{run.RunId}", new StartedRunDto(run.RunId, fixture));
        }
        catch (RunNotRecordedException e)
        {
            return ApiProblems.StoreUnavailable(e.Message);
        }
        catch (FixtureBusyException e)
        {
            return ApiProblems.Conflict("Fixture busy", e.Message);
        }
    }

    private static Results<Accepted, ProblemHttpResult> Abort(string fixture, StationRuntime runtime, StatusStore status)
    {
        if (!runtime.Fixtures.TryGetValue(fixture, out var coordinator))
        {
            return UnknownFixture(fixture, status);
        }

        return coordinator.Abort()
            ? TypedResults.Accepted((string?)null)
            : ApiProblems.Conflict("No run in progress", $"Fixture {fixture} has no run in progress; nothing to abort.");
    }

    private static Results<Ok<FixtureRecipeDto>, ProblemHttpResult> GetRecipe(string fixture, StationRuntime runtime, StatusStore status) =>
        runtime.Fixtures.TryGetValue(fixture, out var coordinator) ? TypedResults.Ok(Dto(coordinator)) : UnknownFixture(fixture, status);

    private static async Task<Results<Ok<FixtureRecipeDto>, ProblemHttpResult>> AssignRecipeAsync(string fixture, AssignRecipeRequest? request,
        StationRuntime runtime, FixtureRecipes recipes, StatusStore status, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (!runtime.Fixtures.TryGetValue(fixture, out var coordinator))
        {
            return UnknownFixture(fixture, status);
        }

        if (request is null || request.RecipeId <= 0)
        {
            return ApiProblems.BadRequest("Send {\"recipeId\": N} with the id of a Released recipe (GET /api/recipes lists them).");
        }

        try
        {
            await recipes.AssignAsync(coordinator, request.RecipeId, user.Identity!.Name!, cancellationToken).ConfigureAwait(false);
            return TypedResults.Ok(Dto(coordinator));
        }
        catch (FixtureBusyException e)
        {
            return ApiProblems.Conflict("Fixture busy", e.Message);
        }
    }

    private static async Task<Results<Ok<FixtureRecipeDto>, ProblemHttpResult>> UnassignRecipeAsync(string fixture,
        StationRuntime runtime, FixtureRecipes recipes, StatusStore status, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (!runtime.Fixtures.TryGetValue(fixture, out var coordinator))
        {
            return UnknownFixture(fixture, status);
        }

        try
        {
            await recipes.UnassignAsync(coordinator, user.Identity!.Name!, cancellationToken).ConfigureAwait(false);
            return TypedResults.Ok(Dto(coordinator));
        }
        catch (FixtureBusyException e)
        {
            return ApiProblems.Conflict("Fixture busy", e.Message);
        }
    }

    private static FixtureRecipeDto Dto(FixtureCoordinator coordinator)
    {
        var assignment = coordinator.Assignment;
        return new FixtureRecipeDto(coordinator.Name, assignment.RecipeId, assignment.Description, assignment.FromLibrary, assignment.Problem);
    }

    private static ProblemHttpResult UnknownFixture(string fixture, StatusStore status) =>
        ApiProblems.NotFound($"No fixture is named '{fixture}'; this station's fixtures are {string.Join(", ", status.Current.Fixtures.Select(f => f.Name))}.");
}
