using System.Security.Claims;

using Microsoft.AspNetCore.Http.HttpResults;

using ProdFlash.Station.Security;

namespace ProdFlash.Station.Api;

/// <summary>API keys over HTTP (Admin only): issue (the key is in this one response), list, revoke.</summary>
public static class KeysApi
{
    /// <summary>Maps <c>/api/keys</c>.</summary>
    public static IEndpointRouteBuilder MapKeysApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var api = app.MapGroup("/api/keys").WithTags("Access").AddEndpointFilter<ProblemsFilter>().RequireAuthorization(StationPolicies.Admin);
        api.MapGet("/", ListAsync).WithSummary("List keys without secrets (Admin).");
        api.MapPost("/", IssueAsync).WithSummary("Issue a key for a user, creating the user with the role when new; the key is shown once (Admin).");
        api.MapDelete("/{id:int}", RevokeAsync).WithSummary("Revoke a key (Admin).");
        return app;
    }

    private static async Task<Ok<IReadOnlyList<ApiKeyInfo>>> ListAsync(ApiKeyService keys, CancellationToken cancellationToken) =>
        TypedResults.Ok(await keys.ListAsync(cancellationToken).ConfigureAwait(false));

    private static async Task<Created<IssuedApiKey>> IssueAsync(IssueKeyRequest request, ApiKeyService keys, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        var issued = await keys.IssueAsync(request.UserName, request.Role, request.Name, user.Identity!.Name!, request.ExpiresAt, cancellationToken).ConfigureAwait(false);
        return TypedResults.Created($"/api/keys/{issued.Id}", issued);
    }

    private static async Task<NoContent> RevokeAsync(int id, ApiKeyService keys, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        await keys.RevokeAsync(id, user.Identity!.Name!, cancellationToken).ConfigureAwait(false);
        return TypedResults.NoContent();
    }
}
