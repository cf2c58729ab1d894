using Microsoft.Extensions.Time.Testing;

using ProdFlash.Data;
using ProdFlash.Station.Security;
using ProdFlash.Testing;

namespace ProdFlash.Station.Tests.Dashboard.Auth;

/// <summary>A migrated SQLite store in a temporary folder with a <see cref="UserService"/> on a fake clock (2026-12-03 08:00 UTC).</summary>
internal sealed class UserStore : IDisposable
{
    private readonly TempDirectory _directory = new();

    /// <summary>The fake clock the service reads (lockouts, audit times).</summary>
    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 3, 8, 0, 0, TimeSpan.Zero));

    /// <summary>The store; valid after <see cref="StartAsync"/>.</summary>
    public StationDatabase Database { get; private set; } = null!;

    /// <summary>The service under test; valid after <see cref="StartAsync"/>.</summary>
    public UserService Users { get; private set; } = null!;

    /// <summary>Creates and migrates the store.</summary>
    public async Task StartAsync()
    {
        Database = new StationDatabase(new StationDatabaseOptions { DataDirectory = _directory.Path });
        await Database.MigrateAsync(TestContext.Current.CancellationToken);
        Users = new UserService(Database, Time);
    }

    /// <summary>Releases pooled connections (they keep the file open), then deletes the folder.</summary>
    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _directory.Dispose();
    }
}
