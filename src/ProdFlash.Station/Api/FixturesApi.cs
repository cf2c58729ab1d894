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

/// <summary>Fixture and slot status, start and abort over HTTP.</summary>
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

    private static ProblemHttpResult UnknownFixture(string fixture, StatusStore status) =>
        ApiProblems.NotFound($"No fixture is named '{fixture}'; this station's fixtures are {string.Join(", ", status.Current.Fixtures.Select(f => f.Name))}.");
}
