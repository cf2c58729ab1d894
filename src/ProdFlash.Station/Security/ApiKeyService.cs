using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

using Microsoft.EntityFrameworkCore;

using ProdFlash.Data;
using ProdFlash.Data.Entities;

namespace ProdFlash.Station.Security;

/// <summary>A key as issued: <see cref="Key"/> is shown this once and never stored.</summary>
/// <param name="Id">The key's record id.</param>
/// <param name="Key">The secret, to send in the <c>X-Api-Key</c> header.</param>
/// <param name="Prefix">Its first characters, stored to tell keys apart in lists.</param>
/// <param name="UserName">The user it acts as.</param>
/// <param name="Role">The user's role.</param>
public sealed record IssuedApiKey(int Id, string Key, string Prefix, string UserName, UserRole Role);

/// <summary>Who a valid key acts as.</summary>
/// <param name="KeyId">The key's record id.</param>
/// <param name="UserName">The user's name (the actor of audit events and releases).</param>
/// <param name="Role">The user's role.</param>
public sealed record ApiKeyIdentity(int KeyId, string UserName, UserRole Role);

/// <summary>A key as listed (no secret, no hash).</summary>
/// <param name="Id">Record id.</param>
/// <param name="Name">What the key is for.</param>
/// <param name="Prefix">Its first characters.</param>
/// <param name="UserName">The user it acts as.</param>
/// <param name="Role">The user's role.</param>
/// <param name="CreatedAt">When it was issued.</param>
/// <param name="ExpiresAt">When it stops working, if ever.</param>
/// <param name="RevokedAt">When it was revoked, if it was.</param>
public sealed record ApiKeyInfo(int Id, string Name, string Prefix, string UserName, UserRole Role, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt);

/// <summary>
/// Issues, checks and revokes API keys. A key is <c>pf_</c> plus 32 random bytes (RandomNumberGenerator) in base64url;
/// only the SHA-256 of its text (lower-case hex) and its first <see cref="PrefixLength"/> characters are stored.
/// </summary>
/// <remarks>Thread-safe: one DbContext per call. Issuing and revoking write an <see cref="AuditEvent"/>.</remarks>
public sealed class ApiKeyService
{
    /// <summary>The text every key starts with.</summary>
    public const string KeyPrefix = "pf_";

    /// <summary>Random bytes per key: 256 bits.</summary>
    public const int KeyBytes = 32;

    /// <summary>Characters of the key kept in clear (the <c>pf_</c> and five of the random part).</summary>
    public const int PrefixLength = 8;

    /// <summary>The audit entity type of keys.</summary>
    public const string AuditEntityType = "ApiKey";

    private readonly StationDatabase _database;
    private readonly TimeProvider _time;

    /// <summary>Creates the service over the station's store.</summary>
    public ApiKeyService(StationDatabase database, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>SHA-256 of the key's UTF-8 text, lower-case hex: what is stored.</summary>
    public static string Hash(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), digest);
        return Convert.ToHexStringLower(digest);
    }

    /// <summary>
    /// Issues a key for <paramref name="userName"/>, creating the user with <paramref name="role"/> when it does not
    /// exist. An existing user keeps its role; naming another role is an error.
    /// </summary>
    /// <exception cref="ApiKeyException">The names are empty, or the user exists with another role or is disabled.</exception>
    public async Task<IssuedApiKey> IssueAsync(string userName, UserRole role, string keyName, string actor, DateTimeOffset? expiresAt = null, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(userName))
        {
            throw new ApiKeyException("The user name is empty; name the user the key acts as.");
        }

        if (string.IsNullOrWhiteSpace(keyName))
        {
            throw new ApiKeyException("The key name is empty; say what the key is for (e.g. \"line 3 MES\").");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        var name = userName.Trim();
        var now = _time.GetUtcNow();
        await using var context = _database.CreateContext();
        await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var user = await context.Users.AsTracking().SingleOrDefaultAsync(u => u.Name == name, cancellationToken).ConfigureAwait(false);
        if (user is null)
        {
            user = new User { Name = name, DisplayName = name, Role = role, CreatedAt = now };
            context.Users.Add(user);
            context.AuditEvents.Add(new AuditEvent { Actor = actor, Action = "user.create", EntityType = "User", EntityId = name, At = now, Details = role.ToString() });
        }
        else if (user.Role != role)
        {
            throw new ApiKeyException($"User '{name}' exists with role {user.Role}, not {role}; issue the key with role {user.Role} or use another user name.");
        }
        else if (user.Disabled)
        {
            throw new ApiKeyException($"User '{name}' is disabled; enable the user before issuing keys.");
        }

        var key = NewKey();
        var record = new ApiKey { User = user, Name = keyName.Trim(), KeyHash = Hash(key), Prefix = key[..PrefixLength], CreatedAt = now, ExpiresAt = expiresAt };
        context.ApiKeys.Add(record);
        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        context.AuditEvents.Add(new AuditEvent { Actor = actor, Action = "apikey.issue", EntityType = AuditEntityType, EntityId = Id(record.Id), At = now, Details = $"{record.Prefix}… for {name} ({user.Role})" });
        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new IssuedApiKey(record.Id, key, record.Prefix, name, user.Role);
    }

    /// <summary>
    /// Stores a key chosen outside the station (configuration <c>Security:BootstrapAdminKey</c>) for an Admin user,
    /// unless a key with that hash exists. Returns true when it was added.
    /// </summary>
    public async Task<bool> EnsureKeyAsync(string key, string userName, UserRole role, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentException.ThrowIfNullOrWhiteSpace(userName);
        var hash = Hash(key);
        await using var context = _database.CreateContext();
        if (await context.ApiKeys.AnyAsync(k => k.KeyHash == hash, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        var now = _time.GetUtcNow();
        var user = await context.Users.AsTracking().SingleOrDefaultAsync(u => u.Name == userName, cancellationToken).ConfigureAwait(false)
            ?? context.Users.Add(new User { Name = userName, DisplayName = userName, Role = role, CreatedAt = now }).Entity;
        context.ApiKeys.Add(new ApiKey { User = user, Name = "bootstrap (configuration)", KeyHash = hash, Prefix = key[..Math.Min(PrefixLength, key.Length)], CreatedAt = now });
        context.AuditEvents.Add(new AuditEvent { Actor = "station", Action = "apikey.bootstrap", EntityType = AuditEntityType, EntityId = userName, At = now });
        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>True when any key exists.</summary>
    public async Task<bool> AnyAsync(CancellationToken cancellationToken = default)
    {
        await using var context = _database.CreateContext();
        return await context.ApiKeys.AnyAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Who <paramref name="key"/> acts as, or null when it is unknown, revoked, expired or its user disabled.</summary>
    public async Task<ApiKeyIdentity?> AuthenticateAsync(string key, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(key))
        {
            return null;
        }

        var hash = Hash(key);
        var now = _time.GetUtcNow();
        await using var context = _database.CreateContext();
        var found = await context.ApiKeys.AsNoTracking().Include(k => k.User).SingleOrDefaultAsync(k => k.KeyHash == hash, cancellationToken).ConfigureAwait(false);
        return found is { RevokedAt: null, User: { Disabled: false } user } && (found.ExpiresAt is null || found.ExpiresAt > now)
            ? new ApiKeyIdentity(found.Id, user.Name, user.Role)
            : null;
    }

    /// <summary>Every key, newest first.</summary>
    public async Task<IReadOnlyList<ApiKeyInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var context = _database.CreateContext();
        var keys = await context.ApiKeys.AsNoTracking().Include(k => k.User).OrderByDescending(k => k.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. keys.Select(k => new ApiKeyInfo(k.Id, k.Name, k.Prefix, k.User!.Name, k.User.Role, k.CreatedAt, k.ExpiresAt, k.RevokedAt))];
    }

    /// <summary>Revokes a key (it stops working at once; the record stays).</summary>
    /// <exception cref="ApiKeyException">No key has that id.</exception>
    public async Task RevokeAsync(int id, string actor, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        await using var context = _database.CreateContext();
        var key = await context.ApiKeys.AsTracking().SingleOrDefaultAsync(k => k.Id == id, cancellationToken).ConfigureAwait(false)
            ?? throw new ApiKeyException($"No API key has id {id}; list the keys (GET /api/keys).", isNotFound: true);
        if (key.RevokedAt is not null)
        {
            return;
        }

        var now = _time.GetUtcNow();
        key.RevokedAt = now;
        context.AuditEvents.Add(new AuditEvent { Actor = actor, Action = "apikey.revoke", EntityType = AuditEntityType, EntityId = Id(id), At = now });
        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string NewKey()
    {
        Span<byte> random = stackalloc byte[KeyBytes];
        RandomNumberGenerator.Fill(random);
        return KeyPrefix + Base64Url.EncodeToString(random);
    }

    private static string Id(int id) => id.ToString(CultureInfo.InvariantCulture);
}
