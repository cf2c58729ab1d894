using System.Security.Claims;

using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;

namespace ProdFlash.Station.Security;

/// <summary>
/// The signed-in user of an interactive dashboard page (a circuit), checked again every <see cref="Interval"/>: once the user
/// is disabled, removed or given another role, the circuit loses its sign-in and the router sends the page to sign-in.
/// </summary>
/// <remarks>
/// Scoped per circuit; the cookie is checked on every HTTP request by the cookie scheme, but a circuit lives on one
/// WebSocket, so this covers a page left open.
/// </remarks>
public sealed class UserRevalidation : RevalidatingServerAuthenticationStateProvider
{
    private readonly UserService _users;

    /// <summary>Created per circuit by the host.</summary>
    public UserRevalidation(UserService users, ILoggerFactory loggerFactory)
        : base(loggerFactory)
    {
        _users = users;
    }

    /// <summary>How often an open page's user is checked.</summary>
    public static TimeSpan Interval { get; } = TimeSpan.FromMinutes(1);

    /// <inheritdoc/>
    protected override TimeSpan RevalidationInterval => Interval;

    /// <summary>
    /// True while the principal's user exists, is enabled, still has the role in the principal and was not given a one-time
    /// password since signing in.
    /// </summary>
    public async Task<bool> IsStillValidAsync(ClaimsPrincipal principal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (principal.Identity?.IsAuthenticated != true)
        {
            return true;
        }

        // API-key principals never reach a circuit; a cookie principal always has a name and one role.
        var name = principal.Identity.Name;
        var user = name is null ? null : await _users.FindAsync(name, cancellationToken).ConfigureAwait(false);
        return SecurityServiceExtensions.StillValid(principal, user);
    }

    /// <inheritdoc/>
    protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(authenticationState);
        return IsStillValidAsync(authenticationState.User, cancellationToken);
    }
}
