using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.DependencyInjection.Extensions;

using ProdFlash.Data;

namespace ProdFlash.Station.Security;

/// <summary>Registers the station's authentication (API keys for machines, a sign-in cookie for people) and the role policies.</summary>
public static class SecurityServiceExtensions
{
    /// <summary>The default scheme: it forwards each request to <see cref="ApiKeyAuthenticationHandler.SchemeName"/> or the cookie.</summary>
    public const string SelectorScheme = "Station";

    /// <summary>The dashboard's sign-in cookie scheme.</summary>
    public const string CookieScheme = CookieAuthenticationDefaults.AuthenticationScheme;

    /// <summary>The sign-in cookie's name.</summary>
    public const string CookieName = "ProdFlash.SignIn";

    /// <summary>The dashboard's sign-in page; unauthenticated page requests are sent there.</summary>
    public const string SignInPath = "/signin";

    /// <summary>The page shown when a signed-in user lacks the role a page needs.</summary>
    public const string AccessDeniedPath = "/denied";

    /// <summary>
    /// Adds <see cref="ApiKeyService"/>, <see cref="UserService"/> with its start-up <see cref="UserBootstrap"/> (register this after
    /// the service that migrates the store), the <c>X-Api-Key</c> scheme, the sign-in cookie, the selector between them and one
    /// policy per <see cref="StationPolicies"/> entry.
    /// </summary>
    /// <remarks>
    /// A request carrying <c>X-Api-Key</c> is judged by the key alone. Otherwise a request carrying the sign-in cookie is judged
    /// by the cookie (the dashboard's own downloads, e.g. CSV, go through the API with it; the cookie is SameSite=Strict).
    /// Anything else under <c>/api</c> is answered 401 by the key scheme, and a page is redirected to <see cref="SignInPath"/>.
    /// </remarks>
    public static IServiceCollection AddStationSecurity(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new ApiKeyService(sp.GetRequiredService<StationDatabase>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new UserService(sp.GetRequiredService<StationDatabase>(), sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService<UserBootstrap>();
        services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, UserRevalidation>();
        services.AddAuthentication(SelectorScheme)
            .AddPolicyScheme(SelectorScheme, "API key or sign-in cookie", o => o.ForwardDefaultSelector = SelectScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddCookie(CookieScheme, o =>
            {
                o.LoginPath = SignInPath;
                o.AccessDeniedPath = AccessDeniedPath;
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.SlidingExpiration = true;
                o.ExpireTimeSpan = TimeSpan.FromHours(12);
                o.Events.OnValidatePrincipal = RevalidateAsync;

                // The API answers in status codes, also to a signed-in browser (the dashboard's CSV link): a page
                // redirects to the sign-in or denied page, an /api request gets 401 or 403.
                o.Events.OnRedirectToLogin = context => StatusForApi(context, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = context => StatusForApi(context, StatusCodes.Status403Forbidden);
            });
        var authorization = services.AddAuthorizationBuilder();
        foreach (var (policy, roles) in StationPolicies.Roles)
        {
            authorization.AddPolicy(policy, p =>
            {
                p.RequireAuthenticatedUser().RequireRole(roles.Select(r => r.ToString()));
                if (policy != StationPolicies.Account)
                {
                    // A one-time password admits nothing but choosing a new one.
                    p.RequireAssertion(c => !c.User.HasClaim(claim => claim.Type == SignInApi.MustChangePasswordClaim));
                }
            });
        }

        return services;
    }

    /// <summary>
    /// True while a cookie principal's user exists, is enabled, still has the principal's role, and has not been given a
    /// one-time password since signing in (an admin's reset ends the sessions that used the old password).
    /// </summary>
    internal static bool StillValid(System.Security.Claims.ClaimsPrincipal principal, UserInfo? user) =>
        user is { Disabled: false }
        && string.Equals(user.Role.ToString(), principal.FindFirst(System.Security.Claims.ClaimTypes.Role)?.Value, StringComparison.Ordinal)
        && (!user.MustChangePassword || principal.HasClaim(c => c.Type == SignInApi.MustChangePasswordClaim));

    // A cookie stops working as soon as its user is disabled, removed, given another role or a one-time password (per request).
    private static async Task RevalidateAsync(CookieValidatePrincipalContext context)
    {
        var name = context.Principal?.Identity?.Name;
        var users = context.HttpContext.RequestServices.GetRequiredService<UserService>();
        var user = name is null ? null : await users.FindAsync(name, context.HttpContext.RequestAborted).ConfigureAwait(false);
        if (context.Principal is null || !StillValid(context.Principal, user))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieScheme).ConfigureAwait(false);
        }
    }

    private static Task StatusForApi(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        if (context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.StatusCode = status;
        }
        else if (status == StatusCodes.Status403Forbidden && context.HttpContext.User.HasClaim(c => c.Type == SignInApi.MustChangePasswordClaim))
        {
            // Refused only because the password is one-time: choose a new one, then go on to the page asked for.
            var here = context.Request.PathBase + context.Request.Path + context.Request.QueryString;
            context.Response.Redirect(context.Request.PathBase + SignInApi.PasswordPageUrl(null, SignInApi.LocalReturnUrl(here)));
        }
        else
        {
            context.Response.Redirect(context.RedirectUri);
        }

        return Task.CompletedTask;
    }

    private static string SelectScheme(HttpContext context)
    {
        if (context.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.HeaderName))
        {
            return ApiKeyAuthenticationHandler.SchemeName;
        }

        if (context.Request.Cookies.ContainsKey(CookieName))
        {
            return CookieScheme;
        }

        return context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) ? ApiKeyAuthenticationHandler.SchemeName : CookieScheme;
    }
}
