using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

using ProdFlash.Data.Entities;

namespace ProdFlash.Data;

/// <summary>The station's store (DESIGN §8). One configuration class per entity lives in <c>Configurations/</c>.</summary>
/// <remarks>Not thread-safe: one context per unit of work (STYLE habit 11); create them with <see cref="StationDatabase.CreateContext"/>.</remarks>
public sealed class StationDbContext : DbContext
{
    /// <summary>Creates a context with configured options.</summary>
    public StationDbContext(DbContextOptions<StationDbContext> options)
        : base(options)
    {
    }

    /// <summary>Stations.</summary>
    public DbSet<Station> Stations => Set<Station>();

    /// <summary>Fixtures.</summary>
    public DbSet<Fixture> Fixtures => Set<Fixture>();

    /// <summary>Slots.</summary>
    public DbSet<Slot> Slots => Set<Slot>();

    /// <summary>Probe inventory.</summary>
    public DbSet<Probe> Probes => Set<Probe>();

    /// <summary>The firmware image library.</summary>
    public DbSet<FirmwareImage> FirmwareImages => Set<FirmwareImage>();

    /// <summary>Recipe versions.</summary>
    public DbSet<RecipeRecord> Recipes => Set<RecipeRecord>();

    /// <summary>Runs (Start presses).</summary>
    public DbSet<Run> Runs => Set<Run>();

    /// <summary>Attempts.</summary>
    public DbSet<Attempt> Attempts => Set<Attempt>();

    /// <summary>The serial ledger.</summary>
    public DbSet<SerialEntry> SerialLedger => Set<SerialEntry>();

    /// <summary>Users.</summary>
    public DbSet<User> Users => Set<User>();

    /// <summary>API keys (hashes only).</summary>
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();

    /// <summary>The audit trail.</summary>
    public DbSet<AuditEvent> AuditEvents => Set<AuditEvent>();

    /// <inheritdoc />
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        ArgumentNullException.ThrowIfNull(configurationBuilder);
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UnixMillisecondsConverter>();
    }

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(StationDbContext).Assembly);
    }

    /// <summary>Stores a timestamp as Unix milliseconds (see <see cref="StoreTime"/>); read back in UTC.</summary>
    private sealed class UnixMillisecondsConverter : ValueConverter<DateTimeOffset, long>
    {
        public UnixMillisecondsConverter()
            : base(t => t.ToUnixTimeMilliseconds(), ms => DateTimeOffset.FromUnixTimeMilliseconds(ms))
        {
        }
    }
}
