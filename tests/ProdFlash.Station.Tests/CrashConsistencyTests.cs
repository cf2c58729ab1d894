using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using ProdFlash.Data;
using ProdFlash.Data.Entities;
using ProdFlash.Testing;

namespace ProdFlash.Station.Tests;

/// <summary>The host as a child process, killed with SIGKILL at random moments while it programs, restarted each time.</summary>
public sealed partial class CrashConsistencyTests
{
    private const int Kills = 20;
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Host_KilledTwentyTimesWhileProgramming_StoreIntactSerialsUniqueEveryAttemptTerminal()
    {
        // Arrange
        using var data = new TempDirectory();
        var random = new Random(5080); // fixed seed: the same kill moments every run
        var ct = TestContext.Current.CancellationToken;

        // Act: start, let it program for a random moment, SIGKILL; twenty times.
        for (var i = 0; i < Kills; i++)
        {
            using var host = StartHost(data.Path, autoStartSeconds: "0.01");
            await host.WaitForAsync(StartedLine(), ct);
            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(0, 800)), ct);
            host.Kill();
        }

        // A last start recovers what the last kill cut off; nothing new starts.
        using (var last = StartHost(data.Path, autoStartSeconds: "0"))
        {
            await last.WaitForAsync(StartedLine(), ct);
            last.Kill();
        }

        // Assert
        var database = new StationDatabase(new StationDatabaseOptions { DataDirectory = data.Path });
        await using (var connection = new SqliteConnection(database.ConnectionString))
        {
            await connection.OpenAsync(ct);
            await using var check = connection.CreateCommand();
            check.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", await check.ExecuteScalarAsync(ct));
        }

        await using var context = database.CreateContext();
        var attempts = await context.Attempts.ToListAsync(ct);
        var ledger = await context.SerialLedger.ToListAsync(ct);
        Assert.NotEmpty(attempts);
        Assert.DoesNotContain(attempts, a => a.State == AttemptState.Running);
        Assert.Contains(attempts, a => a.State == AttemptState.Interrupted);
        Assert.DoesNotContain(ledger, e => e.State == SerialState.Reserved);
        Assert.Equal(ledger.Count, ledger.Select(e => e.Sequence).Distinct().Count());
        var passed = attempts.Where(a => a.State == AttemptState.Passed).Select(a => a.SerialText).ToList();
        Assert.Equal(passed.Count, passed.Distinct().Count());
        Assert.Equal(ledger.Count(e => e.State == SerialState.Committed), passed.Count);
    }

    private static StationChild StartHost(string dataDirectory, string autoStartSeconds)
    {
        var settings = StationAppFactory.DefaultSettings(dataDirectory, slots: 4);
        settings["Urls"] = "http://127.0.0.1:0";
        settings["Station:AutoStartSeconds"] = autoStartSeconds;
        return StationChild.Start(dataDirectory, settings, StartLimit);
    }

    [GeneratedRegex("Application started")]
    private static partial Regex StartedLine();
}
