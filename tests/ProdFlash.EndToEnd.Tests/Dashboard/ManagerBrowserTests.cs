using System.Globalization;
using System.Text.RegularExpressions;

using Microsoft.Data.Sqlite;
using Microsoft.Playwright;

using ProdFlash.EndToEnd.Tests.Harness;

namespace ProdFlash.EndToEnd.Tests.Dashboard;

/// <summary>
/// The manager pages in Chromium against the real host (the demo station: two fixtures of four emulated slots, some of
/// which fail on purpose): a manager opens /reports and downloads the CSV through its link, which must hold exactly the
/// attempts in the station's SQLite file; an operator is refused /reports.
/// </summary>
public sealed partial class ManagerBrowserTests
{
    private const string AdminKey = "pf_e2e_manager_admin_key_0123456789";
    private static readonly TimeSpan s_runLimit = TimeSpan.FromSeconds(180);
    private static readonly TimeSpan s_pageLimit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Reports_Manager_CsvLinkDownloadsTheAttemptsInTheDatabase()
    {
        // Arrange: both fixtures run once, started through the API with an Admin key (no auto-start, so nothing changes after).
        var ct = TestContext.Current.CancellationToken;
        await using var browser = await ChromiumBrowser.LaunchAsync();
        await using var station = await StationProcess.StartAsync(new Dictionary<string, string>
        {
            ["Station:AutoStartSeconds"] = "0",
            ["Security:BootstrapAdminKey"] = AdminKey,
        }, ct);
        await RunBothFixturesAsync(station, ct);
        var database = DatabaseRows(station);
        Assert.Equal(8, database.Count);
        await using var context = await browser.NewContextAsync(station.BaseAddress);
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout((float)s_pageLimit.TotalMilliseconds);

        // Act
        await StationSignIn.SignInAsync(page, "manager", returnUrl: "/reports");
        await page.WaitForURLAsync(ReportsWithRange());
        await page.Locator("[data-testid=yield-station]").WaitForAsync();
        await Screenshots.SaveAsync(page, "manager-reports");
        var href = await page.Locator("[data-testid=csv-link]").GetAttributeAsync("href");
        var outer = await page.Locator("[data-testid=csv-link]").EvaluateAsync<string>("e => e.outerHTML");
        IDownload download;
        try
        {
            download = await page.RunAndWaitForDownloadAsync(() => page.Locator("[data-testid=csv-link]").ClickAsync(), new() { Timeout = 20000 });
        }
        catch (TimeoutException ex)
        {
            await Screenshots.SaveAsync(page, "manager-reports-no-download");
            string click;
            try
            {
                await page.Locator("[data-testid=csv-link]").ClickAsync(new() { Timeout = 5000 });
                click = "a second click went through";
            }
            catch (TimeoutException clickError)
            {
                click = clickError.Message;
            }

            throw new InvalidOperationException($"No download from {outer} ({href}); the page is at {page.Url}; {click}", ex);
        }

        var file = await download.PathAsync();

        // Assert: the file's rows are the database's attempts, oldest first, field for field.
        Assert.Equal("attempts.csv", download.SuggestedFilename);
        Assert.Equal(database, CsvRows(file));
        var stationRow = page.Locator("[data-testid=yield-station] tbody tr").First;
        Assert.Equal("8", (await stationRow.Locator("td").Nth(2).InnerTextAsync()).Trim());
        Assert.True(await page.Locator("[data-testid=pareto] tbody tr").CountAsync() >= 1);

        // The attempt list and a unit's page from it.
        await page.Locator("[data-testid=nav-attempts]").ClickAsync();
        await page.Locator("[data-testid=attempts] tbody tr").First.WaitForAsync();
        Assert.Equal(8, await page.Locator("[data-testid=attempts] tbody tr").CountAsync());
        await Screenshots.SaveAsync(page, "manager-attempts");
        await page.Locator("[data-testid=unit-link]").First.ClickAsync();
        await page.Locator("[data-testid=unit-attempt]").First.WaitForAsync();
        Assert.True(await page.Locator("[data-testid=unit-phases] tbody tr").CountAsync() >= 1);
        await Screenshots.SaveAsync(page, "manager-unit");
    }

    [Fact]
    public async Task Reports_Operator_IsDenied()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await using var browser = await ChromiumBrowser.LaunchAsync();
        await using var station = await StationProcess.StartAsync(new Dictionary<string, string> { ["Station:AutoStartSeconds"] = "0" }, ct);
        await using var context = await browser.NewContextAsync(station.BaseAddress);
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout((float)s_pageLimit.TotalMilliseconds);
        await StationSignIn.SignInAsync(page, "operator");

        // Act
        await page.GotoAsync("reports");
        await page.Locator("[data-testid=denied-message]").WaitForAsync();

        // Assert
        Assert.Equal("/denied", new Uri(page.Url).AbsolutePath);
        Assert.Equal(0, await page.Locator("[data-testid=report-filters]").CountAsync());
        Assert.Equal(0, await page.Locator("[data-testid=nav-reports]").CountAsync());
        var export = await context.APIRequest.GetAsync("api/attempts/export.csv", new() { MaxRedirects = 0 });
        Assert.NotEqual(200, export.Status);
        Assert.DoesNotContain("text/csv", export.Headers.GetValueOrDefault("content-type") ?? string.Empty, StringComparison.Ordinal);
        await Screenshots.SaveAsync(page, "manager-reports-operator-denied");
    }

    private static async Task RunBothFixturesAsync(StationProcess station, CancellationToken ct)
    {
        using var api = new HttpClient { BaseAddress = station.BaseAddress };
        api.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
        foreach (var fixture in new[] { "F1", "F2" })
        {
            using var started = await api.PostAsync(new Uri($"api/fixtures/{fixture}/start", UriKind.Relative), null, ct);
            Assert.True(started.IsSuccessStatusCode, $"Start {fixture}: {(int)started.StatusCode} {await started.Content.ReadAsStringAsync(ct)}");
        }

        var deadline = DateTime.UtcNow + s_runLimit;
        while (true)
        {
            await using (var connection = Open(station))
            {
                using var command = connection.CreateCommand();
                command.CommandText = "SELECT (SELECT COUNT(*) FROM Runs WHERE EndedAt IS NULL), (SELECT COUNT(*) FROM Attempts WHERE State <> 'Running')";
                using var reader = await command.ExecuteReaderAsync(ct);
                await reader.ReadAsync(ct);
                if (reader.GetInt64(0) == 0 && reader.GetInt64(1) == 8)
                {
                    return;
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The two runs did not end within {s_runLimit.TotalSeconds} s; the station's output:\n{station.Output}");
            }

            await Task.Delay(250, ct);
        }
    }

    // id, state, failure code, serial, MCU UID of every attempt, oldest first, read from the station's SQLite file.
    private static List<string> DatabaseRows(StationProcess station)
    {
        using var connection = Open(station);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT Id, State, FailureCode, SerialText, McuUid FROM Attempts ORDER BY StartedAt, Id";
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(string.Join('|', Enumerable.Range(0, 5).Select(i => reader.IsDBNull(i) ? string.Empty : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture))));
        }

        return rows;
    }

    // The same five fields from the downloaded file (its values hold no comma or quote, so a split reads it).
    private static List<string> CsvRows(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToList();
        Assert.DoesNotContain(lines, l => l.Contains('"', StringComparison.Ordinal));
        var header = lines[0].Split(',').ToList();
        int[] columns = [.. new[] { "id", "state", "failure_code", "serial", "mcu_uid" }.Select(c => header.IndexOf(c))];
        Assert.DoesNotContain(-1, columns);
        return [.. lines.Skip(1).Select(l => l.Split(',')).Select(f => string.Join('|', columns.Select(c => f[c])))];
    }

    private static SqliteConnection Open(StationProcess station)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(station.DataDirectory, "prodflash.db"),
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        connection.Open();
        return connection;
    }

    [GeneratedRegex(@"/reports\?from=\d{4}-\d{2}-\d{2}&to=\d{4}-\d{2}-\d{2}$")]
    private static partial Regex ReportsWithRange();
}
