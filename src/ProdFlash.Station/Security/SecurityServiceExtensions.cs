using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection.Extensions;

using ProdFlash.Data;

namespace ProdFlash.Station.Security;

/// <summary>Registers API-key authentication and the role policies.</summary>
public static class SecurityServiceExtensions
{
    /// <summary>Adds <see cref="ApiKeyService"/>, the <c>X-Api-Key</c> scheme and one policy per <see cref="StationPolicies"/> entry.</summary>
    public static IServiceCollection AddStationSecurity(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new ApiKeyService(sp.GetRequiredService<StationDatabase>(), sp.GetRequiredService<TimeProvider>()));
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        var authorization = services.AddAuthorizationBuilder();
        foreach (var (policy, roles) in StationPolicies.Roles)
        {
            authorization.AddPolicy(policy, p => p.RequireAuthenticatedUser().RequireRole(roles.Select(r => r.ToString())));
        }

        return services;
    }
}
