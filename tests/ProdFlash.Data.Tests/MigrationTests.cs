using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

using ProdFlash.Testing;

namespace ProdFlash.Data.Tests;

public sealed class MigrationTests
{
    [Fact]
    public async Task MigrateAsync_EmptyDirectory_CreatesFileSchemaAndWal()
    {
        // Arrange
        using var temp = new TempDirectory();
        var database = new StationDatabase(new StationDatabaseOptions { DataDirectory = temp.File("nested/data"), FileName = "station.db" });
        var ct = TestContext.Current.CancellationToken;

        // Act
        await database.MigrateAsync(ct);

        // Assert
        Assert.True(File.Exists(database.FilePath));
        Assert.Empty(await database.GetPendingMigrationsAsync(ct));
        await using var connection = new SqliteConnection(database.ConnectionString);
        await connection.OpenAsync(ct);
        Assert.Equal("wal", await ScalarAsync(connection, "PRAGMA journal_mode;"));
        var tables = new List<string>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name;";
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                tables.Add(reader.GetString(0));
            }
        }

        Assert.Superset(
            new HashSet<string> { "Stations", "Fixtures", "Slots", "Probes", "FirmwareImages", "Recipes", "Runs", "Attempts", "SerialLedger", "Users", "ApiKeys", "AuditEvents", "__EFMigrationsHistory" },
            tables.ToHashSet());
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task Connection_Opened_RunsSynchronousFull()
    {
        // Arrange
        using var temp = new TempDirectory();
        var database = new StationDatabase(new StationDatabaseOptions { DataDirectory = temp.Path });
        var ct = TestContext.Current.CancellationToken;
        await database.MigrateAsync(ct);

        // Act
        await using var context = database.CreateContext();
        await context.Database.OpenConnectionAsync(ct);
        var synchronous = await ScalarAsync((SqliteConnection)context.Database.GetDbConnection(), "PRAGMA synchronous;");

        // Assert: 2 = FULL (https://sqlite.org/pragma.html#pragma_synchronous)
        Assert.Equal(2L, synchronous);
        await context.Database.CloseConnectionAsync();
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public void Model_ComparedWithSnapshot_HasNoPendingChanges()
    {
        // Arrange
        using var temp = new TempDirectory();
        var database = new StationDatabase(new StationDatabaseOptions { DataDirectory = temp.Path });
        using var context = database.CreateContext();

        // Act
        var pending = context.Database.HasPendingModelChanges();

        // Assert: "dotnet ef migrations add <Name> --project src/ProdFlash.Data" when this fails.
        Assert.False(pending);
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(TestContext.Current.CancellationToken);
    }
}
