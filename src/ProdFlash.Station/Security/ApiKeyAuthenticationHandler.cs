using System.Security.Claims;
using System.Text.Encodings.Web;

using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ProdFlash.Station.Security;

/// <summary>
/// Authenticates a request by its <c>X-Api-Key</c> header: no header is no result (the challenge answers 401), an unknown,
/// revoked or expired key fails (401); a valid key gives a principal with the user's name and role.
/// </summary>
public sealed class ApiKeyAuthenticationHandler : AuthenticationHandler<AuthenticationSchemeOptions>
{
    /// <summary>The scheme name.</summary>
    public const string SchemeName = "ApiKey";

    /// <summary>The request header carrying the key.</summary>
    public const string HeaderName = "X-Api-Key";

    /// <summary>The claim holding the key's record id.</summary>
    public const string KeyIdClaim = "prodflash:key-id";

    private readonly ApiKeyService _keys;

    /// <summary>Created by ASP.NET Core per request.</summary>
    public ApiKeyAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyService keys)
        : base(options, logger, encoder)
    {
        _keys = keys;
    }

    /// <inheritdoc/>
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(HeaderName, out var values) || values.Count == 0 || string.IsNullOrWhiteSpace(values[0]))
        {
            return AuthenticateResult.NoResult();
        }

        var identity = await _keys.AuthenticateAsync(values[0]!.Trim(), Context.RequestAborted).ConfigureAwait(false);
        if (identity is null)
        {
            return AuthenticateResult.Fail($"The {HeaderName} header holds an unknown, revoked or expired key.");
        }

        Claim[] claims =
        [
            new(ClaimTypes.Name, identity.UserName),
            new(ClaimTypes.Role, identity.Role.ToString()),
            new(KeyIdClaim, identity.KeyId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        ];
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }
}
