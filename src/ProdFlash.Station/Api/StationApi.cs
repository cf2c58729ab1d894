using ProdFlash.Station.Security;

namespace ProdFlash.Station.Api;

/// <summary>The station's REST API: one line per endpoint group.</summary>
public static class StationApi
{
    /// <summary>Maps every endpoint of the station under <c>/api</c>.</summary>
    public static IEndpointRouteBuilder MapStationApi(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var api = endpoints.MapGroup("/api");
        api.MapGet("/status", (StatusStore store) => TypedResults.Ok(store.Current))
            .WithName("GetStatus")
            .WithSummary("The station's live status: fixtures, slots, phase, progress and last result.")
            .RequireAuthorization(StationPolicies.AnyRole);
        endpoints.MapFixturesApi();
        endpoints.MapImagesApi();
        endpoints.MapRecipesApi();
        endpoints.MapReportsApi();
        endpoints.MapKeysApi();
        endpoints.MapOpenApi();
        return endpoints;
    }
}
