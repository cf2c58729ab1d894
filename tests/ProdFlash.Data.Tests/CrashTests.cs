using System.Diagnostics;

using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

using ProdFlash.Data.Entities;
using ProdFlash.Testing;

namespace ProdFlash.Data.Tests;

public sealed class CrashTests
{
    [Fact]
    public async Task Writer_KilledWithSigkillFiveTimes_KeepsEveryCommittedAttemptAndIntegrity()
    {
        // Arrange: the bench's crash-writer mode is the child (built with this project, see the .csproj).
        using var temp = new TempDirectory();
        var ct = TestContext.Current.CancellationToken;
        var writer = WriterPath();
        var random = new Random(2026);
        var committed = new Dictionary<long, AttemptState>();

        // Act: five runs, each killed with SIGKILL at a random moment after it has committed something.
        for (var round = 0; round < 5; round++)
        {
            using var process = Process.Start(new ProcessStartInfo(writer) { ArgumentList = { "crash-writer", temp.Path }, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false })!;
            var lines = new List<string>();
            var firstCommit = new TaskCompletionSource();
            process.OutputDataReceived += (_, e) =>
            {
                if (e.Data is null)
                {
                    return;
                }

                lock (lines)
                {
                    lines.Add(e.Data);
                }

                if (e.Data.StartsWith("committed ", StringComparison.Ordinal))
                {
                    firstCommit.TrySetResult();
                }
            };
            process.BeginOutputReadLine();
            var stderr = process.StandardError.ReadToEndAsync(ct);
            var started = await Task.WhenAny(firstCommit.Task, process.WaitForExitAsync(ct), Task.Delay(TimeSpan.FromSeconds(60), ct));
            Assert.True(firstCommit.Task.IsCompleted, $"the writer committed nothing (exited: {process.HasExited}): {(process.HasExited ? await stderr : string.Empty)}");
            await Task.Delay(random.Next(50, 600), ct);
            process.Kill(); // SIGKILL on Unix
            await process.WaitForExitAsync(ct);

            lock (lines)
            {
                foreach (var line in lines.Where(l => l.StartsWith("committed ", StringComparison.Ordinal)))
                {
                    var parts = line.Split(' ');
                    committed[long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)] = Enum.Parse<AttemptState>(parts[2]);
                }
            }
        }

        // Assert
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(temp.Path, "prodflash.db")}");
        await connection.OpenAsync(ct);
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "PRAGMA integrity_check;";
            Assert.Equal("ok", await command.ExecuteScalarAsync(ct));
        }

        var database = new StationDatabase(new StationDatabaseOptions { DataDirectory = temp.Path });
        await using var context = database.CreateContext();
        var stored = await context.Attempts.Where(a => committed.Keys.Contains(a.Id)).ToDictionaryAsync(a => a.Id, a => a, ct);
        Assert.True(committed.Count >= 5, $"only {committed.Count} attempts were committed over five runs");
        Assert.All(committed, c => Assert.Equal(c.Value, stored[c.Key].State));
        var serials = await context.SerialLedger.Where(s => committed.Keys.Contains(s.AttemptId!.Value)).ToDictionaryAsync(s => s.AttemptId!.Value, s => s.State, ct);
        Assert.All(committed, c => Assert.Equal(c.Value == AttemptState.Passed ? SerialState.Committed : SerialState.Void, serials[c.Key]));
        Assert.Equal(await context.SerialLedger.CountAsync(ct), await context.SerialLedger.Select(s => s.Sequence).Distinct().CountAsync(ct));
        SqliteConnection.ClearAllPools();
    }

    private static string WriterPath()
    {
        // tests/ProdFlash.Data.Tests/bin/<Configuration>/<tfm>/ → bench/ProdFlash.Bench.Data/bin/<Configuration>/<tfm>/
        var tfm = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = tfm.Parent!.Name;
        var path = Path.Combine(RepositoryPaths.Root, "bench", "ProdFlash.Bench.Data", "bin", configuration, tfm.Name, "ProdFlash.Bench.Data");
        Assert.True(File.Exists(path), $"{path} is missing; build tests/ProdFlash.Data.Tests, which builds the bench too.");
        return path;
    }
}
