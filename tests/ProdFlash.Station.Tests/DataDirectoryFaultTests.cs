using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ProdFlash.Data;
using ProdFlash.Data.Entities;
using ProdFlash.Station.Runtime;
using ProdFlash.Testing;

namespace ProdFlash.Station.Tests;

public sealed class DataDirectoryFaultTests
{
    [Fact]
    public async Task Start_DataDirectoryUnderAFile_StopsWithMessageNamingDataDirectory()
    {
        // Arrange: the configured directory cannot be created (its parent is a file).
        using var temp = new TempDirectory();
        await File.WriteAllTextAsync(temp.File("not-a-folder"), "x", TestContext.Current.CancellationToken);
        var settings = StationAppFactory.DefaultSettings(Path.Combine(temp.File("not-a-folder"), "data"));
        settings["Urls"] = "http://127.0.0.1:0";
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = RepositoryPaths.Root });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddStationServices();
        await using var app = builder.Build();

        // Act
        var error = await Record.ExceptionAsync(() => app.StartAsync(TestContext.Current.CancellationToken));

        // Assert
        var start = Assert.IsType<StationStartException>(error);
        Assert.StartsWith("Data:DataDirectory cannot hold the store", start.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_StoreRefusesWrites_SlotsShowErrorStationKeepsServingAndRecoverySettlesOnRestart()
    {
        // Arrange: a SQLite trigger makes the store refuse every serial reservation, as a full disk would.
        using var data = new TempDirectory();
        var ct = TestContext.Current.CancellationToken;
        long stuckRunId;
        using (var factory = new StationAppFactory(StationAppFactory.DefaultSettings(data.Path)))
        {
            using var client = await factory.CreateClientAsync(Data.Entities.UserRole.Operator, ct);
            var database = factory.Services.GetRequiredService<StationDatabase>();
            await ExecuteAsync(database, "CREATE TRIGGER full_disk BEFORE INSERT ON SerialLedger BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;", ct);
            var fixture = factory.Services.GetRequiredService<StationRuntime>().Fixtures["F1"];

            // Act
            var stuck = await fixture.StartAsync("operator", null, ct);
            var stuckResults = await stuck.Completion.WaitAsync(ct);
            stuckRunId = stuck.RunId;
            var status = await client.GetAsync(new Uri("/api/status", UriKind.Relative), ct);
            await ExecuteAsync(database, "DROP TRIGGER full_disk;", ct);
            var next = await (await fixture.StartAsync("operator", null, ct)).Completion.WaitAsync(ct);

            // Assert: the refused attempts say why, the API still answers, and the next run passes.
            Assert.All(stuckResults, r =>
            {
                Assert.Equal(AttemptState.Running, r.State);
                Assert.Contains("database or disk is full", r.Error, StringComparison.Ordinal);
            });
            Assert.True(status.IsSuccessStatusCode);
            Assert.All(next, r => Assert.Equal(AttemptState.Passed, r.State));
        }

        // Restart on the same directory: start-up recovery marks the unrecorded attempts Interrupted.
        using var restarted = new StationAppFactory(StationAppFactory.DefaultSettings(data.Path));
        _ = restarted.Server;
        await using var context = restarted.Services.GetRequiredService<StationDatabase>().CreateContext();
        var attempts = await context.Attempts.Where(a => a.RunId == stuckRunId).ToListAsync(ct);
        Assert.Equal(2, attempts.Count);
        Assert.All(attempts, a => Assert.Equal(AttemptState.Interrupted, a.State));
        Assert.Equal(2, await context.SerialLedger.CountAsync(e => e.State == SerialState.Committed, ct));
    }

    [Fact]
    public async Task StartApi_StoreRefusesTheRun_503NamingTheDataDirectoryAndTheNextStartWorks()
    {
        // Arrange: a SQLite trigger makes the store refuse every new run, as a full disk would.
        using var data = new TempDirectory();
        var ct = TestContext.Current.CancellationToken;
        using var factory = new StationAppFactory(StationAppFactory.DefaultSettings(data.Path));
        using var client = await factory.CreateClientAsync(Data.Entities.UserRole.Operator, ct);
        var database = factory.Services.GetRequiredService<StationDatabase>();
        await ExecuteAsync(database, "CREATE TRIGGER full_disk BEFORE INSERT ON Runs BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;", ct);

        // Act
        using var refused = await client.PostAsync(new Uri("/api/fixtures/F1/start", UriKind.Relative), null, ct);
        var problem = await refused.Content.ReadAsStringAsync(ct);
        await ExecuteAsync(database, "DROP TRIGGER full_disk;", ct);
        using var accepted = await client.PostAsync(new Uri("/api/fixtures/F1/start", UriKind.Relative), null, ct);

        // Assert: the store's refusal is the station's (503), not a busy fixture (409), and names what to do.
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Contains("Store unavailable", problem, StringComparison.Ordinal);
        Assert.Contains("database or disk is full", problem, StringComparison.Ordinal);
        Assert.Contains("Data:DataDirectory", problem, StringComparison.Ordinal);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, accepted.StatusCode);
    }

    private static async Task ExecuteAsync(StationDatabase database, string sql, CancellationToken ct)
    {
        await using var connection = new SqliteConnection(database.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(ct);
    }
}
