using System.Globalization;
using System.Security.Cryptography;
using System.Text;

using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

using ProdFlash.Data;
using ProdFlash.Data.Entities;

namespace ProdFlash.Station.Security;

/// <summary>How a password change ended.</summary>
public enum PasswordChangeOutcome
{
    /// <summary>The new password is set.</summary>
    Changed,

    /// <summary>The current password was wrong (counted as a failed sign-in).</summary>
    WrongCurrentPassword,

    /// <summary>The user is locked after too many failures.</summary>
    LockedOut,

    /// <summary>The new password is shorter than <see cref="UserService.MinPasswordLength"/>.</summary>
    TooShort,

    /// <summary>The new password is the current one.</summary>
    SameAsCurrent,
}

/// <summary>What <see cref="UserService.ChangeOwnPasswordAsync"/> found.</summary>
/// <param name="Outcome">How it ended.</param>
/// <param name="LockedUntil">Until when the user is locked, for <see cref="PasswordChangeOutcome.LockedOut"/>.</param>
/// <param name="User">The user after the change, for <see cref="PasswordChangeOutcome.Changed"/>.</param>
public sealed record PasswordChangeResult(PasswordChangeOutcome Outcome, DateTimeOffset? LockedUntil = null, UserInfo? User = null);

/// <summary>A user as listed (no hashes).</summary>
/// <param name="Id">Record id.</param>
/// <param name="Name">Sign-in name.</param>
/// <param name="DisplayName">Name shown on screen.</param>
/// <param name="Role">The role.</param>
/// <param name="Disabled">Whether sign-in is refused.</param>
/// <param name="HasPassword">Whether a password is set.</param>
/// <param name="HasBadge">Whether a badge code is set.</param>
/// <param name="LockedUntil">Until when sign-in is refused after too many failures, if it is.</param>
/// <param name="IsDemo">Whether the station seeded the user for demo mode.</param>
/// <param name="CreatedAt">When the user was created.</param>
/// <param name="MustChangePassword">Whether the user has to choose a new password at the next sign-in.</param>
public sealed record UserInfo(int Id, string Name, string DisplayName, UserRole Role, bool Disabled, bool HasPassword, bool HasBadge, DateTimeOffset? LockedUntil, bool IsDemo, DateTimeOffset CreatedAt, bool MustChangePassword = false);

/// <summary>How a sign-in attempt ended.</summary>
public enum SignInOutcome
{
    /// <summary>The credentials are right and the user may sign in.</summary>
    Success,

    /// <summary>Unknown user or badge, wrong password, disabled user, or no password set (one answer, so names are not probed).</summary>
    Invalid,

    /// <summary>The user is locked after too many failures; nothing was checked.</summary>
    LockedOut,
}

/// <summary>The result of <see cref="UserService.VerifyPasswordAsync"/> or <see cref="UserService.VerifyBadgeAsync"/>.</summary>
/// <param name="Outcome">How it ended.</param>
/// <param name="User">The signed-in user on <see cref="SignInOutcome.Success"/>, otherwise null.</param>
/// <param name="LockedUntil">On <see cref="SignInOutcome.LockedOut"/>, when the lock ends.</param>
public sealed record SignInResult(SignInOutcome Outcome, UserInfo? User = null, DateTimeOffset? LockedUntil = null);

/// <summary>A request about users is invalid (a name, password or badge is missing or taken), or names an unknown user.</summary>
public sealed class UserException : Exception
{
    /// <summary>Creates the exception with a message naming the problem and what to do.</summary>
    public UserException(string message, bool isNotFound = false)
        : base(message)
    {
        IsNotFound = isNotFound;
    }

    /// <summary>True when the user named does not exist.</summary>
    public bool IsNotFound { get; }
}

/// <summary>
/// The people who sign in to the dashboard: creates users, sets passwords (ASP.NET Core's <see cref="PasswordHasher{TUser}"/>,
/// PBKDF2, compared in constant time) and badge codes (only their SHA-256 is stored), disables them, and checks sign-ins with
/// a lockout of <see cref="LockoutDuration"/> after <see cref="MaxFailedSignIns"/> failures in a row.
/// </summary>
/// <remarks>
/// Thread-safe: one DbContext per call; a sign-in check reads and updates the failure count in one transaction (on SQLite
/// <c>BEGIN IMMEDIATE</c>), so parallel failures all count. Every change and every sign-in writes an <see cref="AuditEvent"/>
/// (actions <c>user.*</c>, <c>signin.success</c>, <c>signin.failure</c>, <c>signin.lockout</c>).
/// </remarks>
public sealed class UserService
{
    /// <summary>Failures in a row that lock a user.</summary>
    public const int MaxFailedSignIns = 5;

    /// <summary>The shortest password an admin may set (demo and configured bootstrap passwords are the deployer's choice).</summary>
    public const int MinPasswordLength = 8;

    /// <summary>The audit entity type of users.</summary>
    public const string AuditEntityType = "User";

    /// <summary>How long a lock lasts.</summary>
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(5);

    private static readonly PasswordHasher<User> Hasher = new();

    // Verified against when the user does not exist, so an unknown name costs the same hashing time as a wrong password.
    private static readonly Lazy<string> DummyHash = new(() => Hasher.HashPassword(new User { Name = "-", DisplayName = "-" }, Convert.ToHexString(RandomNumberGenerator.GetBytes(16))));

    private readonly StationDatabase _database;
    private readonly TimeProvider _time;

    /// <summary>Creates the service over the station's store.</summary>
    public UserService(StationDatabase database, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>SHA-256 of the trimmed badge code's UTF-8 text, lower-case hex: what is stored.</summary>
    public static string BadgeHash(string badge)
    {
        ArgumentNullException.ThrowIfNull(badge);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(badge.Trim()), digest);
        return Convert.ToHexStringLower(digest);
    }

    /// <summary>Every user, by name.</summary>
    public async Task<IReadOnlyList<UserInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var context = _database.CreateContext();
        var users = await context.Users.OrderBy(u => u.Name).ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. users.Select(Info)];
    }

    /// <summary>The user named <paramref name="name"/>, or null.</summary>
    public async Task<UserInfo?> FindAsync(string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var trimmed = name.Trim();
        await using var context = _database.CreateContext();
        var user = await context.Users.SingleOrDefaultAsync(u => u.Name == trimmed, cancellationToken).ConfigureAwait(false);
        return user is null ? null : Info(user);
    }

    /// <summary>True when an enabled Admin with a password exists (someone can sign in and manage users).</summary>
    public async Task<bool> AnyAdminCanSignInAsync(CancellationToken cancellationToken = default)
    {
        await using var context = _database.CreateContext();
        return await context.Users.AnyAsync(u => u.Role == UserRole.Admin && !u.Disabled && u.PasswordHash != null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates a user with <paramref name="role"/> and, when given, a password of at least <see cref="MinPasswordLength"/> characters.</summary>
    /// <exception cref="UserException">The name is empty or too long, taken, or the password too short.</exception>
    public Task<UserInfo> CreateAsync(string name, UserRole role, string? password, string actor, string? displayName = null, CancellationToken cancellationToken = default)
    {
        if (password is not null)
        {
            CheckPassword(password);
        }

        return CreateCoreAsync(name, role, password, actor, displayName, isDemo: false, cancellationToken);
    }

    /// <summary>Sets a new password (at least <see cref="MinPasswordLength"/> characters) and lifts a lock.</summary>
    /// <exception cref="UserException">The user does not exist or the password is too short.</exception>
    public Task<UserInfo> SetPasswordAsync(string name, string password, string actor, CancellationToken cancellationToken = default)
    {
        CheckPassword(password);
        return SetPasswordCoreAsync(name, password, actor, cancellationToken);
    }

    /// <summary>
    /// A signed-in user replaces their own password: <paramref name="currentPassword"/> must be right (a wrong one counts as a
    /// failed sign-in, so guessing through this form locks the user as the sign-in form does), and the new one must be at least
    /// <see cref="MinPasswordLength"/> characters and differ from it. Success clears <see cref="User.MustChangePassword"/>.
    /// </summary>
    public async Task<PasswordChangeResult> ChangeOwnPasswordAsync(string name, string? currentPassword, string? newPassword, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        var now = _time.GetUtcNow();
        await using var context = _database.CreateContext();
        await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var user = await LoadAsync(context, name, cancellationToken).ConfigureAwait(false);
        PasswordChangeResult result;
        if (user.Disabled || user.PasswordHash is null)
        {
            result = new PasswordChangeResult(PasswordChangeOutcome.WrongCurrentPassword);
        }
        else if (user.LockedUntil is { } until && until > now)
        {
            result = new PasswordChangeResult(PasswordChangeOutcome.LockedOut, until);
        }
        else if (Hasher.VerifyHashedPassword(user, user.PasswordHash, currentPassword ?? string.Empty) == PasswordVerificationResult.Failed)
        {
            var failure = CountFailure(context, user, now, "password change: wrong current password");
            result = failure.Outcome == SignInOutcome.LockedOut
                ? new PasswordChangeResult(PasswordChangeOutcome.LockedOut, failure.LockedUntil)
                : new PasswordChangeResult(PasswordChangeOutcome.WrongCurrentPassword);
        }
        else if (newPassword is null || newPassword.Length < MinPasswordLength)
        {
            result = new PasswordChangeResult(PasswordChangeOutcome.TooShort);
        }
        else if (string.Equals(newPassword, currentPassword, StringComparison.Ordinal))
        {
            result = new PasswordChangeResult(PasswordChangeOutcome.SameAsCurrent);
        }
        else
        {
            user.PasswordHash = Hasher.HashPassword(user, newPassword);
            user.MustChangePassword = false;
            user.FailedSignIns = 0;
            Audit(context, user.Name, "user.password.change", user.Name, null);
            result = new PasswordChangeResult(PasswordChangeOutcome.Changed, User: Info(user));
        }

        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Sets the user's badge code (only its hash is stored), or clears it when <paramref name="badge"/> is null or blank.</summary>
    /// <exception cref="UserException">The user does not exist, or another user has that badge.</exception>
    public async Task<UserInfo> SetBadgeAsync(string name, string? badge, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        var hash = string.IsNullOrWhiteSpace(badge) ? null : BadgeHash(badge);
        await using var context = _database.CreateContext();
        await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var user = await LoadAsync(context, name, cancellationToken).ConfigureAwait(false);
        if (hash is not null && await context.Users.AnyAsync(u => u.BadgeHash == hash && u.Id != user.Id, cancellationToken).ConfigureAwait(false))
        {
            throw new UserException("Another user already has this badge; give each person their own badge code.");
        }

        user.BadgeHash = hash;
        Audit(context, actor, hash is null ? "user.badge.clear" : "user.badge.set", user.Name, null);
        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return Info(user);
    }

    /// <summary>Disables (or, with <paramref name="disabled"/> false, enables) a user; a disabled user cannot sign in.</summary>
    /// <exception cref="UserException">The user does not exist, or it is the last Admin who can sign in.</exception>
    public async Task<UserInfo> SetDisabledAsync(string name, bool disabled, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        await using var context = _database.CreateContext();
        await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var user = await LoadAsync(context, name, cancellationToken).ConfigureAwait(false);
        if (disabled && user is { Role: UserRole.Admin, Disabled: false }
            && !await context.Users.AnyAsync(u => u.Id != user.Id && u.Role == UserRole.Admin && !u.Disabled && u.PasswordHash != null, cancellationToken).ConfigureAwait(false))
        {
            throw new UserException($"'{user.Name}' is the last Admin who can sign in; create another Admin before disabling this one.");
        }

        if (user.Disabled != disabled)
        {
            user.Disabled = disabled;
            Audit(context, actor, disabled ? "user.disable" : "user.enable", user.Name, null);
            await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return Info(user);
    }

    /// <summary>
    /// Checks a user name and password. A wrong password counts a failure; the <see cref="MaxFailedSignIns"/>th in a row locks
    /// the user for <see cref="LockoutDuration"/>, during which nothing is checked. A success clears the count.
    /// </summary>
    public async Task<SignInResult> VerifyPasswordAsync(string? name, string? password, CancellationToken cancellationToken = default)
    {
        var trimmed = name?.Trim() ?? string.Empty;
        var now = _time.GetUtcNow();
        await using var context = _database.CreateContext();
        await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var user = trimmed.Length == 0 ? null : await context.Users.AsTracking().SingleOrDefaultAsync(u => u.Name == trimmed, cancellationToken).ConfigureAwait(false);
        SignInResult result;
        if (user is null || user.PasswordHash is null)
        {
            Hasher.VerifyHashedPassword(new User { Name = "-", DisplayName = "-" }, DummyHash.Value, password ?? string.Empty);
            Audit(context, Actor(trimmed), "signin.failure", Actor(trimmed), user is null ? "password: unknown user" : "password: no password set");
            result = new SignInResult(SignInOutcome.Invalid);
        }
        else if (user.LockedUntil is { } until && until > now)
        {
            Audit(context, user.Name, "signin.failure", user.Name, "password: locked");
            result = new SignInResult(SignInOutcome.LockedOut, LockedUntil: until);
        }
        else
        {
            var verdict = Hasher.VerifyHashedPassword(user, user.PasswordHash, password ?? string.Empty);
            if (verdict == PasswordVerificationResult.Failed)
            {
                result = CountFailure(context, user, now, "password: wrong password");
            }
            else if (user.Disabled)
            {
                Audit(context, user.Name, "signin.failure", user.Name, "password: user disabled");
                result = new SignInResult(SignInOutcome.Invalid);
            }
            else
            {
                if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
                {
                    user.PasswordHash = Hasher.HashPassword(user, password!);
                }

                result = Succeed(context, user, "password");
            }
        }

        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// Checks a scanned badge code. An unknown code is a failure of no one (audited); a known code of a locked user is refused;
    /// the code of a disabled user is <see cref="SignInOutcome.Invalid"/>.
    /// </summary>
    public async Task<SignInResult> VerifyBadgeAsync(string? badge, CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        await using var context = _database.CreateContext();
        await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var hash = string.IsNullOrWhiteSpace(badge) ? null : BadgeHash(badge);
        var user = hash is null ? null : await context.Users.AsTracking().SingleOrDefaultAsync(u => u.BadgeHash == hash, cancellationToken).ConfigureAwait(false);
        SignInResult result;
        if (user is null)
        {
            Audit(context, "badge", "signin.failure", null, "badge: unknown code");
            result = new SignInResult(SignInOutcome.Invalid);
        }
        else if (user.LockedUntil is { } until && until > now)
        {
            Audit(context, user.Name, "signin.failure", user.Name, "badge: locked");
            result = new SignInResult(SignInOutcome.LockedOut, LockedUntil: until);
        }
        else if (user.Disabled)
        {
            Audit(context, user.Name, "signin.failure", user.Name, "badge: user disabled");
            result = new SignInResult(SignInOutcome.Invalid);
        }
        else
        {
            result = Succeed(context, user, "badge");
        }

        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// Makes sure <paramref name="name"/> exists as an enabled user with <paramref name="role"/> and <paramref name="password"/>
    /// (no length rule: the password comes from configuration or the demo). Used by <see cref="UserBootstrap"/>; with
    /// <paramref name="mustChangePassword"/> the user has to choose a new password at the first sign-in.
    /// </summary>
    internal async Task<UserInfo> EnsureUserAsync(string name, UserRole role, string password, bool isDemo, string actor, bool mustChangePassword = false, CancellationToken cancellationToken = default)
    {
        await using var context = _database.CreateContext();
        await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var user = await context.Users.AsTracking().SingleOrDefaultAsync(u => u.Name == name, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        if (user is null)
        {
            user = new User { Name = name, DisplayName = name, Role = role, CreatedAt = now, IsDemo = isDemo };
            context.Users.Add(user);
            Audit(context, actor, "user.create", name, role.ToString());
        }
        else
        {
            Audit(context, actor, "user.restore", name, $"{role}{(isDemo ? " (demo)" : string.Empty)}");
        }

        user.Role = role;
        user.IsDemo = isDemo;
        user.Disabled = false;
        user.FailedSignIns = 0;
        user.LockedUntil = null;
        user.PasswordHash = Hasher.HashPassword(user, password);
        user.MustChangePassword = mustChangePassword;
        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return Info(user);
    }

    /// <summary>Disables every enabled demo user; returns their names. Used outside demo mode by <see cref="UserBootstrap"/>.</summary>
    internal async Task<IReadOnlyList<string>> DisableDemoUsersAsync(string actor, CancellationToken cancellationToken = default)
    {
        await using var context = _database.CreateContext();
        var users = await context.Users.AsTracking().Where(u => u.IsDemo && !u.Disabled).ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var user in users)
        {
            user.Disabled = true;
            Audit(context, actor, "user.disable", user.Name, "demo user outside demo mode");
        }

        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return [.. users.Select(u => u.Name)];
    }

    private async Task<UserInfo> CreateCoreAsync(string name, UserRole role, string? password, string actor, string? displayName, bool isDemo, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        var trimmed = CheckName(name);
        await using var context = _database.CreateContext();
        await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (await context.Users.AnyAsync(u => u.Name == trimmed, cancellationToken).ConfigureAwait(false))
        {
            throw new UserException($"A user named '{trimmed}' exists already; choose another name or reset that user's password.");
        }

        var user = new User
        {
            Name = trimmed,
            DisplayName = string.IsNullOrWhiteSpace(displayName) ? trimmed : displayName.Trim(),
            Role = role,
            CreatedAt = _time.GetUtcNow(),
            IsDemo = isDemo,
        };
        if (password is not null)
        {
            user.PasswordHash = Hasher.HashPassword(user, password);
            user.MustChangePassword = !SetsOwnPassword(actor, trimmed);
        }

        context.Users.Add(user);
        Audit(context, actor, "user.create", trimmed, role.ToString());
        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return Info(user);
    }

    private async Task<UserInfo> SetPasswordCoreAsync(string name, string password, string actor, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        await using var context = _database.CreateContext();
        var user = await LoadAsync(context, name, cancellationToken).ConfigureAwait(false);
        user.PasswordHash = Hasher.HashPassword(user, password);
        user.FailedSignIns = 0;
        user.LockedUntil = null;
        user.MustChangePassword = !SetsOwnPassword(actor, user.Name);
        Audit(context, actor, "user.password.set", user.Name, user.MustChangePassword ? "must change at next sign-in" : null);
        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return Info(user);
    }

    private SignInResult CountFailure(StationDbContext context, User user, DateTimeOffset now, string details)
    {
        user.FailedSignIns++;
        Audit(context, user.Name, "signin.failure", user.Name, details);
        if (user.FailedSignIns < MaxFailedSignIns)
        {
            return new SignInResult(SignInOutcome.Invalid);
        }

        user.FailedSignIns = 0;
        user.LockedUntil = now + LockoutDuration;
        Audit(context, "station", "signin.lockout", user.Name, string.Create(CultureInfo.InvariantCulture, $"{MaxFailedSignIns} failures; locked until {user.LockedUntil:O}"));
        return new SignInResult(SignInOutcome.LockedOut, LockedUntil: user.LockedUntil);
    }

    private SignInResult Succeed(StationDbContext context, User user, string how)
    {
        user.FailedSignIns = 0;
        user.LockedUntil = null;
        Audit(context, user.Name, "signin.success", user.Name, how);
        return new SignInResult(SignInOutcome.Success, Info(user));
    }

    private static async Task<User> LoadAsync(StationDbContext context, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        var trimmed = name.Trim();
        return await context.Users.AsTracking().SingleOrDefaultAsync(u => u.Name == trimmed, cancellationToken).ConfigureAwait(false)
            ?? throw new UserException($"No user is named '{trimmed}'; check the name in the user list.", isNotFound: true);
    }

    private void Audit(StationDbContext context, string actor, string action, string? userName, string? details) =>
        context.AuditEvents.Add(new AuditEvent { Actor = actor, Action = action, EntityType = AuditEntityType, EntityId = userName, At = _time.GetUtcNow(), Details = details });

    private static string CheckName(string name)
    {
        var trimmed = name?.Trim() ?? string.Empty;
        if (trimmed.Length == 0)
        {
            throw new UserException("The user name is empty; give the person a sign-in name (e.g. \"jsmith\").");
        }

        if (trimmed.Length > 64)
        {
            throw new UserException("The user name is longer than 64 characters; choose a shorter one.");
        }

        return trimmed;
    }

    private static void CheckPassword(string? password)
    {
        if (password is null || password.Length < MinPasswordLength)
        {
            throw new UserException($"The password is shorter than {MinPasswordLength} characters; choose a longer one.");
        }
    }

    // An admin setting someone's password (or creating them with one) shares it; a user setting their own does not.
    private static bool SetsOwnPassword(string actor, string userName) => string.Equals(actor, userName, StringComparison.Ordinal);

    // Audit actors are at most 64 characters; a typed name may be anything.
    private static string Actor(string name) => name.Length == 0 ? "(empty)" : name.Length > 64 ? name[..64] : name;

    private static UserInfo Info(User u) => new(u.Id, u.Name, u.DisplayName, u.Role, u.Disabled, u.PasswordHash is not null, u.BadgeHash is not null, u.LockedUntil, u.IsDemo, u.CreatedAt, u.MustChangePassword);
}
