using System.Buffers.Text;
using System.Security.Cryptography;

using Microsoft.Extensions.Options;

using ProdFlash.Data.Entities;

namespace ProdFlash.Station.Security;

/// <summary>
/// At start, makes sure someone can sign in and manage users. In demo mode it seeds one demo user per role (password
/// <see cref="DemoPassword"/>, the operator's badge <see cref="DemoOperatorBadge"/>); outside demo mode it disables demo users
/// left from an earlier demo run. Then, when no enabled Admin with a password exists, it gives user <c>admin</c> the password
/// from <c>Security:InitialAdminPassword</c>, or a generated one it logs once; either is one-time: the first sign-in has to
/// choose a new password (<see cref="User.MustChangePassword"/>).
/// </summary>
/// <remarks>Runs once in <see cref="StartAsync"/>; it must be registered after the service that migrates the store.</remarks>
public sealed partial class UserBootstrap : IHostedService
{
    /// <summary>The password of every demo user.</summary>
    public const string DemoPassword = "demo";

    /// <summary>The demo operator's badge code.</summary>
    public const string DemoOperatorBadge = "DEMO-BADGE-OPERATOR";

    /// <summary>The actor of the audit events the bootstrap writes.</summary>
    public const string Actor = "station";

    /// <summary>Random bytes of a generated admin password (base64url: 24 characters).</summary>
    public const int GeneratedPasswordBytes = 18;

    /// <summary>The demo users, one per role (two engineers, so one can release what the other uploaded).</summary>
    public static IReadOnlyList<(string Name, UserRole Role)> DemoUsers { get; } =
    [
        ("operator", UserRole.Operator),
        ("engineer", UserRole.Engineer),
        ("engineer2", UserRole.Engineer),
        ("manager", UserRole.Manager),
        ("admin", UserRole.Admin),
    ];

    private readonly UserService _users;
    private readonly SecurityOptions _security;
    private readonly StationOptions _station;
    private readonly ILogger<UserBootstrap> _logger;

    /// <summary>Created by the host.</summary>
    public UserBootstrap(UserService users, IOptions<SecurityOptions> security, IOptions<StationOptions> station, ILogger<UserBootstrap> logger)
    {
        ArgumentNullException.ThrowIfNull(security);
        ArgumentNullException.ThrowIfNull(station);
        _users = users;
        _security = security.Value;
        _station = station.Value;
        _logger = logger;
    }

    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_station.DemoMode)
        {
            foreach (var (name, role) in DemoUsers)
            {
                await _users.EnsureUserAsync(name, role, DemoPassword, isDemo: true, Actor, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            await _users.SetBadgeAsync("operator", DemoOperatorBadge, Actor, cancellationToken).ConfigureAwait(false);
            LogDemoUsers(_logger, string.Join(", ", DemoUsers.Select(u => u.Name)), DemoPassword);
        }
        else
        {
            var disabled = await _users.DisableDemoUsersAsync(Actor, cancellationToken).ConfigureAwait(false);
            if (disabled.Count > 0)
            {
                LogDemoUsersDisabled(_logger, string.Join(", ", disabled));
            }
        }

        if (await _users.AnyAdminCanSignInAsync(cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        if (!string.IsNullOrEmpty(_security.InitialAdminPassword))
        {
            await _users.EnsureUserAsync(SecurityOptions.BootstrapUser, UserRole.Admin, _security.InitialAdminPassword, isDemo: false, Actor, mustChangePassword: true, cancellationToken).ConfigureAwait(false);
            LogConfiguredAdmin(_logger, SecurityOptions.BootstrapUser);
            return;
        }

        var password = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(GeneratedPasswordBytes));
        await _users.EnsureUserAsync(SecurityOptions.BootstrapUser, UserRole.Admin, password, isDemo: false, Actor, mustChangePassword: true, cancellationToken).ConfigureAwait(false);
        LogGeneratedAdmin(_logger, SecurityOptions.BootstrapUser, password);
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "DEMO MODE: demo users {Users} can sign in with password '{Password}'; the operator also with badge DEMO-BADGE-OPERATOR. Not for production.")]
    private static partial void LogDemoUsers(ILogger logger, string users, string password);

    [LoggerMessage(Level = LogLevel.Information, Message = "Not in demo mode: disabled demo users {Users} left from an earlier demo run")]
    private static partial void LogDemoUsersDisabled(ILogger logger, string users);

    [LoggerMessage(Level = LogLevel.Information, Message = "No Admin could sign in: user '{User}' now has the password from Security:InitialAdminPassword")]
    private static partial void LogConfiguredAdmin(ILogger logger, string user);

    [LoggerMessage(Level = LogLevel.Warning, Message = "FIRST ADMIN SIGN-IN: user '{User}', generated password {Password} — shown only now; sign in at /signin, where the station asks for a new password at once.")]
    private static partial void LogGeneratedAdmin(ILogger logger, string user, string password);
}
