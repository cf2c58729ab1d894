using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using ProdFlash.Data;
using ProdFlash.Testing;

namespace ProdFlash.Station.Tests;

/// <summary>
/// A really full disk under the station's data directory: a small tmpfs mounted there and filled. The station runs as
/// a child process (auto-starting runs on emulated slots); it must say which folder is full and what to do, keep
/// serving the API, keep what it wrote, and record again once space returns. Mounting needs root (the CI container
/// runs as root); when it is refused the test fails under CI=true and is skipped with the reason otherwise.
/// </summary>
public sealed partial class FullDiskTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Station_DataDirectoryDiskFillsAndFrees_ClearErrorKeepsServingKeepsRecordsAndResumes()
    {
        // Arrange: a 24 MiB tmpfs as the data directory.
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory();
        var mount = temp.File("data");
        Directory.CreateDirectory(mount);
        await MountTmpfsAsync(mount, "24m", ct);
        try
        {
            var settings = StationAppFactory.DefaultSettings(mount, slots: 2);
            settings["Urls"] = "http://127.0.0.1:0";
            settings["Station:AutoStartSeconds"] = "0.2";
            settings["Station:ImageLibraryFolder"] = temp.File("library");
            using var host = StationChild.Start(temp.Path, settings, Limit);
            var address = await host.WaitForAsync(ListeningLine(), ct);
            var key = await host.WaitForAsync(AdminKeyLine(), ct);
            using var client = new HttpClient { BaseAddress = new Uri(address) };
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
            await host.WaitForAsync(PassedLine(), ct);

            // Act 1: fill the disk to the last byte.
            var filler = Path.Combine(mount, "filler.bin");
            await FillAsync(filler, ct);
            var passedBeforeFull = await CountPassedAsync(mount, ct);
            var reason = await host.WaitForAsync(StoreRefusedLine(), ct);
            var served = await client.GetAsync(new Uri("/api/status", UriKind.Relative), ct);

            // Act 2: free the space; the next attempts are recorded again.
            File.Delete(filler);
            var resumed = await WaitUntilAsync(async () => await CountPassedAsync(mount, ct) > passedBeforeFull + 2, ct);
            host.Kill();

            // Assert
            Assert.Contains(mount, reason, StringComparison.Ordinal);
            Assert.Contains("Data:DataDirectory", reason, StringComparison.Ordinal);
            Assert.Contains("free space there", reason, StringComparison.Ordinal);
            Assert.True(served.IsSuccessStatusCode, $"/api/status answered {(int)served.StatusCode} while the disk was full");
            Assert.True(resumed, $"no attempt was recorded after the space returned; the station's output:\n{host.Output}");
            Assert.True(await CountPassedAsync(mount, ct) >= passedBeforeFull);
            await using var connection = new SqliteConnection(new StationDatabase(new StationDatabaseOptions { DataDirectory = mount }).ConnectionString);
            await connection.OpenAsync(ct);
            await using var check = connection.CreateCommand();
            check.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", await check.ExecuteScalarAsync(ct));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            await RunAsync("umount", ["-l", mount], CancellationToken.None);
        }
    }

    [Fact]
    public async Task Station_StartedOnReadOnlyDataDirectory_ExitsNamingTheFolderAndKeepsItsRecords()
    {
        // Arrange: a station records a run in a folder, which is then bind-mounted read-only (root ignores chmod).
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory();
        var source = temp.File("data");
        var readOnly = temp.File("read-only");
        Directory.CreateDirectory(source);
        Directory.CreateDirectory(readOnly);
        var settings = StationAppFactory.DefaultSettings(source, slots: 2);
        settings["Urls"] = "http://127.0.0.1:0";
        settings["Station:AutoStartSeconds"] = "0.2";
        settings["Station:ImageLibraryFolder"] = temp.File("library");
        using (var first = StationChild.Start(temp.Path, settings, Limit))
        {
            await first.WaitForAsync(PassedLine(), ct);
            first.Kill();
        }

        var before = await CountPassedAsync(source, ct);
        await MountAsync(["--bind", source, readOnly], readOnly, ct);
        try
        {
            var (code, _) = await RunAsync("mount", ["-o", "remount,bind,ro", readOnly], ct);
            Assert.True(code == 0, $"remounting {readOnly} read-only failed (exit {code})");
            settings["Data:DataDirectory"] = readOnly;

            // Act
            using var second = StationChild.Start(temp.Path, settings, Limit);
            var error = await second.WaitForAsync(DidNotStartLine(), ct);
            var exit = await second.WaitForExitAsync(ct);

            // Assert: the start stops with the key, the folder and what to do; the records are untouched.
            Assert.Equal(2, exit);
            Assert.Contains("Data:DataDirectory", error, StringComparison.Ordinal);
            Assert.Contains(readOnly, error, StringComparison.Ordinal);
            Assert.Contains("Point it at a writable folder", error, StringComparison.Ordinal);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            await RunAsync("umount", ["-l", readOnly], CancellationToken.None);
        }

        Assert.Equal(before, await CountPassedAsync(source, ct));
    }

    private static Task MountTmpfsAsync(string mount, string size, CancellationToken ct) =>
        MountAsync(["-t", "tmpfs", "-o", $"size={size}", "tmpfs", mount], mount, ct);

    private static async Task MountAsync(string[] arguments, string mount, CancellationToken ct)
    {
        var (code, output) = await RunAsync("mount", arguments, ct);
        if (code == 0)
        {
            return;
        }

        var why = $"mounting on {mount} was refused (exit {code}: {output.Trim()}); this test needs root (or CAP_SYS_ADMIN) to make a really full or read-only disk.";
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(why);
        }

        Assert.Skip(why);
    }

    private static async Task FillAsync(string path, CancellationToken ct)
    {
        var chunk = new byte[64 * 1024];
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.None);
        try
        {
            while (true)
            {
                await file.WriteAsync(chunk, ct);
            }
        }
        catch (IOException)
        {
            // ENOSPC: the disk is full; fill the last bytes one at a time.
        }

        try
        {
            while (true)
            {
                await file.WriteAsync(chunk.AsMemory(0, 1), ct);
            }
        }
        catch (IOException)
        {
            // Full to the last byte.
        }
    }

    private static async Task<bool> WaitUntilAsync(Func<Task<bool>> condition, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + Limit;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(200, ct);
        }

        return false;
    }

    private static async Task<int> CountPassedAsync(string dataDirectory, CancellationToken ct)
    {
        var database = new StationDatabase(new StationDatabaseOptions { DataDirectory = dataDirectory });
        var builder = new SqliteConnectionStringBuilder(database.ConnectionString) { Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        await using var connection = new SqliteConnection(builder.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM Attempts WHERE State = 'Passed'";
        return Convert.ToInt32(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, string[] arguments, CancellationToken ct)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var output = await process.StandardError.ReadToEndAsync(ct) + await process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return (process.ExitCode, output);
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"issued Admin key (pf_\S+) for user")]
    private static partial Regex AdminKeyLine();

    // The error the station gives once the disk is full: a Start refused (auto-start logs it, the API answers 409 with
    // it), or a slot whose attempt could not be recorded (shown on the slot and logged).
    [GeneratedRegex(@"(Fixture F1 cannot start: the store refused.*|Attempt not recorded: .*)")]
    private static partial Regex StoreRefusedLine();

    [GeneratedRegex(@"The station did not start: (.*)")]
    private static partial Regex DidNotStartLine();

    [GeneratedRegex(@"ended Passed")]
    private static partial Regex PassedLine();
}
