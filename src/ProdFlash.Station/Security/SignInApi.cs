using System.Globalization;
using System.Security.Claims;

using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;

namespace ProdFlash.Station.Security;

/// <summary>
/// The form posts of the dashboard's sign-in page (<c>Components/Pages/SignIn.razor</c>): user name and password, a scanned
/// badge code, and sign-out. Each checks the form's antiforgery token, sets or clears the cookie of
/// <see cref="SecurityServiceExtensions.CookieScheme"/> and answers with a redirect (post, redirect, get).
/// </summary>
/// <remarks>
/// On success the browser goes to the form's <c>ReturnUrl</c> when it is a local address (anything else goes to <c>/</c>, so a
/// crafted link cannot send a signed-in person to another site); on failure back to <c>/signin</c> with <c>error</c> set to one
/// of <see cref="Errors"/>, which the page turns into a plain sentence.
/// </remarks>
public static class SignInApi
{
    /// <summary>Where the badge form posts.</summary>
    public const string BadgePath = "/signin/badge";

    /// <summary>Where the sign-out form posts.</summary>
    public const string SignOutPath = "/signout";

    /// <summary>Where a signed-in user changes their password (the page and its form post).</summary>
    public const string PasswordPath = "/account/password";

    /// <summary>
    /// The claim a cookie carries while its user must choose a new password (<see cref="UserInfo.MustChangePassword"/>): every
    /// policy but <see cref="StationPolicies.Account"/> refuses it, so the user can do nothing else first.
    /// </summary>
    public const string MustChangePasswordClaim = "prodflash:must-change-password";

    /// <summary>The claim holding the user's record id.</summary>
    public const string UserIdClaim = "prodflash:user-id";

    /// <summary>The claim holding the name shown on screen.</summary>
    public const string DisplayNameClaim = "prodflash:display-name";

    /// <summary>The <c>error</c> codes the sign-in page understands.</summary>
    public static class Errors
    {
        /// <summary>Wrong user name or password (or unknown, disabled user).</summary>
        public const string Invalid = "invalid";

        /// <summary>Unknown badge code, or its user is disabled.</summary>
        public const string Badge = "badge";

        /// <summary>Too many failures: the user is locked for a while.</summary>
        public const string Locked = "locked";

        /// <summary>Password change: the current password is wrong.</summary>
        public const string WrongCurrent = "current";

        /// <summary>Password change: the new password is too short.</summary>
        public const string TooShort = "short";

        /// <summary>Password change: the new password is the current one.</summary>
        public const string Same = "same";

        /// <summary>Password change: the two new passwords differ.</summary>
        public const string Mismatch = "mismatch";
    }

    /// <summary>
    /// Maps <c>POST /signin</c> (ordered before the sign-in page's own route, which also matches POST), <c>POST /signin/badge</c>
    /// and <c>POST /signout</c>.
    /// </summary>
    public static IEndpointRouteBuilder MapSignInApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPost(SecurityServiceExtensions.SignInPath, SignInWithPasswordAsync).WithOrder(-1).AllowAnonymous().ExcludeFromDescription();
        app.MapPost(BadgePath, SignInWithBadgeAsync).AllowAnonymous().ExcludeFromDescription();
        app.MapPost(SignOutPath, SignOutAsync).WithMetadata(new RequireAntiforgeryTokenAttribute()).AllowAnonymous().ExcludeFromDescription();
        app.MapPost(PasswordPath, ChangePasswordAsync).WithOrder(-1).RequireAuthorization(StationPolicies.Account).ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// <paramref name="returnUrl"/> when it is a path on this site (<c>/x</c>, not <c>//host</c>, <c>/\host</c> or an absolute
    /// URL), else <c>/</c>.
    /// </summary>
    public static string LocalReturnUrl(string? returnUrl)
    {
        if (string.IsNullOrEmpty(returnUrl) || returnUrl[0] != '/')
        {
            return "/";
        }

        if (returnUrl.Length > 1 && (returnUrl[1] == '/' || returnUrl[1] == '\\'))
        {
            return "/";
        }

        // Control characters (a tab or newline inside "/\t/evil.example") are dropped by browsers and could form "//".
        return returnUrl.Any(char.IsControl) ? "/" : returnUrl;
    }

    /// <summary>The sign-in page's address with <paramref name="error"/> and the return address kept.</summary>
    public static string SignInPageUrl(string? error, string returnUrl) => PageUrl(SecurityServiceExtensions.SignInPath, error, returnUrl);

    /// <summary>The password page's address with <paramref name="error"/> and the return address kept.</summary>
    public static string PasswordPageUrl(string? error, string returnUrl) => PageUrl(PasswordPath, error, returnUrl);

    private static string PageUrl(string path, string? error, string returnUrl)
    {
        var url = path + "?ReturnUrl=" + Uri.EscapeDataString(returnUrl);
        return error is null ? url : url + "&error=" + Uri.EscapeDataString(error);
    }

    private static async Task<IResult> SignInWithPasswordAsync(
        HttpContext context,
        [FromForm(Name = "username")] string? userName,
        [FromForm(Name = "password")] string? password,
        [FromForm(Name = "ReturnUrl")] string? returnUrl,
        UserService users,
        CancellationToken cancellationToken)
    {
        var target = LocalReturnUrl(returnUrl);
        var result = await users.VerifyPasswordAsync(userName, password, cancellationToken).ConfigureAwait(false);
        return await FinishAsync(context, result, Errors.Invalid, target).ConfigureAwait(false);
    }

    private static async Task<IResult> SignInWithBadgeAsync(
        HttpContext context,
        [FromForm(Name = "badge")] string? badge,
        [FromForm(Name = "ReturnUrl")] string? returnUrl,
        UserService users,
        CancellationToken cancellationToken)
    {
        var target = LocalReturnUrl(returnUrl);
        var result = await users.VerifyBadgeAsync(badge, cancellationToken).ConfigureAwait(false);
        return await FinishAsync(context, result, Errors.Badge, target).ConfigureAwait(false);
    }

    private static async Task<IResult> ChangePasswordAsync(
        HttpContext context,
        [FromForm(Name = "current")] string? current,
        [FromForm(Name = "password")] string? password,
        [FromForm(Name = "repeat")] string? repeat,
        [FromForm(Name = "ReturnUrl")] string? returnUrl,
        UserService users,
        CancellationToken cancellationToken)
    {
        var target = LocalReturnUrl(returnUrl);
        if (!string.Equals(password, repeat, StringComparison.Ordinal))
        {
            return TypedResults.LocalRedirect(PasswordPageUrl(Errors.Mismatch, target));
        }

        var name = context.User.Identity?.Name ?? string.Empty;
        var result = await users.ChangeOwnPasswordAsync(name, current, password, cancellationToken).ConfigureAwait(false);
        switch (result.Outcome)
        {
            case PasswordChangeOutcome.Changed:
                // A fresh cookie without the must-change claim; the user goes where they were going.
                return await FinishAsync(context, new SignInResult(SignInOutcome.Success, result.User), Errors.Invalid, target).ConfigureAwait(false);
            case PasswordChangeOutcome.LockedOut:
                await context.SignOutAsync(SecurityServiceExtensions.CookieScheme).ConfigureAwait(false);
                return TypedResults.LocalRedirect(SignInPageUrl(Errors.Locked, target));
            default:
                var error = result.Outcome switch
                {
                    PasswordChangeOutcome.TooShort => Errors.TooShort,
                    PasswordChangeOutcome.SameAsCurrent => Errors.Same,
                    _ => Errors.WrongCurrent,
                };
                return TypedResults.LocalRedirect(PasswordPageUrl(error, target));
        }
    }

    private static async Task SignOutAsync(HttpContext context)
    {
        await context.SignOutAsync(SecurityServiceExtensions.CookieScheme).ConfigureAwait(false);
        context.Response.Redirect(SecurityServiceExtensions.SignInPath);
    }

    private static async Task<IResult> FinishAsync(HttpContext context, SignInResult result, string failure, string target)
    {
        if (result is not { Outcome: SignInOutcome.Success, User: { } user })
        {
            return TypedResults.LocalRedirect(SignInPageUrl(result.Outcome == SignInOutcome.LockedOut ? Errors.Locked : failure, target));
        }

        List<Claim> claims =
        [
            new(ClaimTypes.Name, user.Name),
            new(ClaimTypes.Role, user.Role.ToString()),
            new(UserIdClaim, user.Id.ToString(CultureInfo.InvariantCulture)),
            new(DisplayNameClaim, user.DisplayName),
        ];
        if (user.MustChangePassword)
        {
            claims.Add(new Claim(MustChangePasswordClaim, "true"));
        }

        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SecurityServiceExtensions.CookieScheme));
        await context.SignInAsync(SecurityServiceExtensions.CookieScheme, principal).ConfigureAwait(false);
        return TypedResults.LocalRedirect(user.MustChangePassword ? PasswordPageUrl(null, target) : target);
    }
}
