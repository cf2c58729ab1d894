using System.Security.Claims;

using Microsoft.AspNetCore.Http.HttpResults;

using ProdFlash.Data.Entities;
using ProdFlash.Station.Library;
using ProdFlash.Station.Security;

namespace ProdFlash.Station.Api;

/// <summary>The recipe store over HTTP: list, get, create, update a draft, release. The body is the recipe JSON text (comments allowed).</summary>
public static class RecipesApi
{
    /// <summary>The largest recipe body accepted: 1 MiB.</summary>
    public const int MaxRecipeChars = 1024 * 1024;

    /// <summary>Maps <c>/api/recipes</c>.</summary>
    public static IEndpointRouteBuilder MapRecipesApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var api = app.MapGroup("/api/recipes").WithTags("Recipes").AddEndpointFilter<ProblemsFilter>();
        api.MapGet("/", ListAsync).RequireAuthorization(StationPolicies.AnyRole).WithSummary("List recipes (every role).");
        api.MapGet("/{id:int}", GetAsync).RequireAuthorization(StationPolicies.AnyRole).WithSummary("One recipe with its JSON (every role).");
        api.MapPost("/", CreateAsync).RequireAuthorization(StationPolicies.Engineer).Accepts<string>("application/json")
            .WithSummary("Create a Draft from recipe JSON naming a library image by sha256 (Engineer, Admin).");
        api.MapPut("/{id:int}", UpdateAsync).RequireAuthorization(StationPolicies.Engineer).Accepts<string>("application/json")
            .WithSummary("Replace a Draft's JSON, same name and version (Engineer, Admin).");
        api.MapPost("/{id:int}/release", ReleaseAsync).RequireAuthorization(StationPolicies.Engineer).WithSummary("Release a Draft whose image is Released (Engineer, Admin; not the creator).");
        api.MapPost("/{id:int}/obsolete", ObsoleteAsync).RequireAuthorization(StationPolicies.Engineer)
            .WithSummary("Make a Released recipe Obsolete: it never runs again; a fixture it is assigned to refuses Start (Engineer, Admin).");
        return app;
    }

    private static async Task<Ok<RecipeDto[]>> ListAsync(RecipeStore store, ReleaseState? state, CancellationToken cancellationToken) =>
        TypedResults.Ok((await store.ListAsync(state, cancellationToken).ConfigureAwait(false)).Select(RecipeDto.From).ToArray());

    private static async Task<Ok<RecipeDto>> GetAsync(int id, RecipeStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(RecipeDto.From(await store.GetAsync(id, cancellationToken).ConfigureAwait(false)));

    private static async Task<Created<RecipeDto>> CreateAsync(HttpRequest request, RecipeStore store, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var json = await ReadBodyAsync(request, cancellationToken).ConfigureAwait(false);
        var record = await store.CreateAsync(json, user.Identity!.Name!, cancellationToken).ConfigureAwait(false);
        return TypedResults.Created($"/api/recipes/{record.Id}", RecipeDto.From(record));
    }

    private static async Task<Ok<RecipeDto>> UpdateAsync(int id, HttpRequest request, RecipeStore store, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var json = await ReadBodyAsync(request, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(RecipeDto.From(await store.UpdateDraftAsync(id, json, user.Identity!.Name!, cancellationToken).ConfigureAwait(false)));
    }

    private static async Task<Ok<RecipeDto>> ReleaseAsync(int id, RecipeStore store, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        TypedResults.Ok(RecipeDto.From(await store.ReleaseAsync(id, user.Identity!.Name!, cancellationToken).ConfigureAwait(false)));

    private static async Task<Ok<RecipeDto>> ObsoleteAsync(int id, RecipeStore store, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        TypedResults.Ok(RecipeDto.From(await store.ObsoleteAsync(id, user.Identity!.Name!, cancellationToken).ConfigureAwait(false)));

    private static async Task<string> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(request.Body);
        var buffer = new char[MaxRecipeChars + 1];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await reader.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
        }

        return total > MaxRecipeChars
            ? throw new LibraryValidationException($"The recipe is larger than {MaxRecipeChars} characters; a recipe is a small JSON file.")
            : new string(buffer, 0, total);
    }
}
