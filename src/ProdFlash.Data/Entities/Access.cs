namespace ProdFlash.Data.Entities;

/// <summary>A person who signs in to the station.</summary>
public sealed class User
{
    /// <summary>Key.</summary>
    public int Id { get; set; }

    /// <summary>Sign-in name; unique.</summary>
    public required string Name { get; set; }

    /// <summary>Name shown on screen.</summary>
    public required string DisplayName { get; set; }

    /// <summary>The role.</summary>
    public UserRole Role { get; set; }

    /// <summary>Password hash in the host's hasher format; never the password.</summary>
    public string? PasswordHash { get; set; }

    /// <summary>Whether sign-in is refused.</summary>
    public bool Disabled { get; set; }

    /// <summary>When the user was created.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>SHA-256 of the user's badge code (64 lower-case hex characters); unique; never the code itself.</summary>
    public string? BadgeHash { get; set; }

    /// <summary>Failed sign-ins since the last success or lockout.</summary>
    public int FailedSignIns { get; set; }

    /// <summary>Until when sign-in is refused after too many failures, if it is.</summary>
    public DateTimeOffset? LockedUntil { get; set; }

    /// <summary>Whether the station seeded this user for demo mode (disabled when the station runs outside demo mode).</summary>
    public bool IsDemo { get; set; }

    /// <summary>
    /// Whether the user must choose a new password before using the station: the password was set by someone else (the
    /// first admin's generated or configured one, or one an admin set) and is known to more than one person.
    /// </summary>
    public bool MustChangePassword { get; set; }
}

/// <summary>An API key of a user (for a line controller or MES). Only the key's SHA-256 is kept.</summary>
public sealed class ApiKey
{
    /// <summary>Key.</summary>
    public int Id { get; set; }

    /// <summary>The user the key acts as.</summary>
    public int UserId { get; set; }

    /// <summary>The user the key acts as.</summary>
    public User? User { get; set; }

    /// <summary>A name for people ("MES line 1").</summary>
    public required string Name { get; set; }

    /// <summary>SHA-256 of the key, 64 lower-case hex characters; unique.</summary>
    public required string KeyHash { get; set; }

    /// <summary>The key's first characters, to tell keys apart on screen.</summary>
    public required string Prefix { get; set; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When it stops working, if ever.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>When it was revoked.</summary>
    public DateTimeOffset? RevokedAt { get; set; }
}

/// <summary>A change of images, recipes, users or settings (DESIGN §9).</summary>
public sealed class AuditEvent
{
    /// <summary>Key.</summary>
    public long Id { get; set; }

    /// <summary>Who did it (user name or API key name).</summary>
    public required string Actor { get; set; }

    /// <summary>What was done ("recipe.release").</summary>
    public required string Action { get; set; }

    /// <summary>The kind of record changed ("Recipe").</summary>
    public required string EntityType { get; set; }

    /// <summary>The record's key, as text.</summary>
    public string? EntityId { get; set; }

    /// <summary>When.</summary>
    public DateTimeOffset At { get; set; }

    /// <summary>Details, usually JSON.</summary>
    public string? Details { get; set; }
}
