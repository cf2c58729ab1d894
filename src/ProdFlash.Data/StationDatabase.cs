using System.Data.Common;
using System.Globalization;

using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ProdFlash.Data;

/// <summary>
/// The station's SQLite file: where it is, how every connection is set up, and the start-up migration. It hands out
/// one <see cref="StationDbContext"/> per unit of work.
/// </summary>
/// <remarks>
/// Thread-safe and meant to be a singleton. Every connection runs <c>PRAGMA synchronous=FULL</c> (in WAL mode each
/// commit is fsynced to the WAL, so a committed attempt survives power loss, not only a process crash; NORMAL would
/// lose the last commits on power loss) and a busy timeout so writers from many slots queue instead of failing.
/// Transactions on SQLite start with <c>BEGIN IMMEDIATE</c> (Microsoft.Data.Sqlite's default for
/// <c>BeginTransaction</c>), so two writers never interleave a read-then-write.
/// </remarks>
public sealed class StationDatabase
{
    private readonly DbContextOptions<StationDbContext> _options;

    /// <summary>Creates the store handle; nothing is opened until used.</summary>
    /// <exception cref="StationDataException">The options name no directory or file.</exception>
    public StationDatabase(StationDatabaseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.DataDirectory) || string.IsNullOrWhiteSpace(options.FileName))
        {
            throw new StationDataException("Data:DataDirectory and Data:FileName must both be set (e.g. \"data\" and \"prodflash.db\").");
        }

        if (options.BusyTimeoutMilliseconds < 0)
        {
            throw new StationDataException("Data:BusyTimeoutMilliseconds must be 0 or more.");
        }

        FilePath = Path.GetFullPath(Path.Combine(options.DataDirectory, options.FileName));
        ConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = Math.Max(1, options.BusyTimeoutMilliseconds / 1000),
        }.ToString();
        var builder = new DbContextOptionsBuilder<StationDbContext>();
        Configure(builder, ConnectionString, options.BusyTimeoutMilliseconds);
        _options = builder.Options;
    }

    /// <summary>The database file's full path.</summary>
    public string FilePath { get; }

    /// <summary>The ADO.NET connection string (for tools and bulk work).</summary>
    public string ConnectionString { get; }

    /// <summary>A new context: one per unit of work; the caller disposes it.</summary>
    public StationDbContext CreateContext() => new(_options);

    /// <summary>
    /// Creates the data directory and the file when missing, applies every pending migration, and switches the file to
    /// WAL. The host calls this once at start, before anything else touches the store.
    /// </summary>
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        await using var context = CreateContext();
        var connection = context.Database.GetDbConnection();
        await context.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // journal_mode is stored in the file; set it before the schema so every later writer uses the WAL.
            await ExecuteAsync(connection, "PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);
            await context.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await context.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Refreshes the query planner's statistics (<c>PRAGMA optimize</c>, https://sqlite.org/pragma.html#pragma_optimize):
    /// cheap when nothing changed; the host calls it after <see cref="MigrateAsync"/> and once a day.
    /// </summary>
    public async Task OptimizeAsync(CancellationToken cancellationToken = default)
    {
        await using var context = CreateContext();
        await context.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await ExecuteAsync(context.Database.GetDbConnection(), "PRAGMA optimize=0x10002;", cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await context.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The names of migrations not yet applied to the file.</summary>
    public async Task<IReadOnlyList<string>> GetPendingMigrationsAsync(CancellationToken cancellationToken = default)
    {
        await using var context = CreateContext();
        return [.. await context.Database.GetPendingMigrationsAsync(cancellationToken).ConfigureAwait(false)];
    }

    internal static void Configure(DbContextOptionsBuilder builder, string connectionString, int busyTimeoutMilliseconds)
    {
        builder.UseSqlite(connectionString)
            .AddInterceptors(new ConnectionSetup(busyTimeoutMilliseconds))
            .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking);
    }

    private static async Task ExecuteAsync(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs the per-connection pragmas every time a connection opens.</summary>
    private sealed class ConnectionSetup(int busyTimeoutMilliseconds) : DbConnectionInterceptor
    {
        private readonly string _sql = string.Create(CultureInfo.InvariantCulture,
            $"PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout={busyTimeoutMilliseconds};");

        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
        {
            using var command = connection.CreateCommand();
            command.CommandText = _sql;
            command.ExecuteNonQuery();
        }

        public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            await ExecuteAsync(connection, _sql, cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a host; the file it names is never opened.</summary>
internal sealed class DesignTimeStationDbContextFactory : IDesignTimeDbContextFactory<StationDbContext>
{
    public StationDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<StationDbContext>();
        StationDatabase.Configure(builder, "Data Source=design-time.db", 30_000);
        return new StationDbContext(builder.Options);
    }
}
