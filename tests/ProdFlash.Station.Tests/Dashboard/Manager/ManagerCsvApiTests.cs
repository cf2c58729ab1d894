using System.Globalization;

using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

using ProdFlash.Core.Diagnostics;
using ProdFlash.Data;
using ProdFlash.Data.Entities;
using ProdFlash.Data.Reports;
using ProdFlash.Station.Dashboard;
using ProdFlash.Testing;

namespace ProdFlash.Station.Tests.Dashboard.Manager;

/// <summary>
/// The pages' CSV link against the real host: the station reads its Reports section (Berlin time, two shifts), and the export
/// the link names holds exactly the attempts of the page's local days and filters.
/// </summary>
public sealed class ManagerCsvApiTests
{
    private static readonly DateTimeOffset s_day = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task CsvHref_BerlinDays_ExportHoldsTheAttemptsOfThoseLocalDays()
    {
        // Arrange
        var ct = TestContext.Current.CancellationToken;
        await using var factory = new StationAppFactory(new Dictionary<string, string?>
        {
            ["Reports:TimeZone"] = "Europe/Berlin",
            ["Reports:Shifts:0:Name"] = "Day",
            ["Reports:Shifts:0:Start"] = "06:00",
            ["Reports:Shifts:1:Name"] = "Night",
            ["Reports:Shifts:1:Start"] = "18:00",
        });
        var options = factory.Services.GetRequiredService<ReportOptions>();
        var database = factory.Services.GetRequiredService<StationDatabase>();
        var ids = await SeedAsync(database, ct);
        using var manager = await factory.CreateClientAsync(UserRole.Manager, ct);
        var march2 = new ReportQuery { From = new DateOnly(2026, 3, 2), To = new DateOnly(2026, 3, 2) };
        var march3Failed = new ReportQuery { From = new DateOnly(2026, 3, 3), To = new DateOnly(2026, 3, 3), State = AttemptState.Failed };

        // Act
        var day = await ExportIdsAsync(manager, march2.CsvHref(options), ct);
        var failedNextDay = await ExportIdsAsync(manager, march3Failed.CsvHref(options), ct);

        // Assert: 22:30 UTC on 03-02 is 23:30 in Berlin (same day), 23:30 UTC is 00:30 on 03-03.
        Assert.Equal("Europe/Berlin", options.TimeZone.Id);
        Assert.Equal([new ShiftDefinition("Day", 6), new ShiftDefinition("Night", 18)], options.Shifts);
        Assert.Equal([ids[0], ids[1]], day);
        Assert.Equal([ids[2]], failedNextDay);
    }

    [Fact]
    public async Task CsvHref_Shift_ExportHoldsThatShiftOfThoseDaysOnly()
    {
        // Arrange: Berlin, Day 06:00 and Night 18:00.
        var ct = TestContext.Current.CancellationToken;
        await using var factory = new StationAppFactory(new Dictionary<string, string?>
        {
            ["Reports:TimeZone"] = "Europe/Berlin",
            ["Reports:Shifts:0:Name"] = "Day",
            ["Reports:Shifts:0:Start"] = "06:00",
            ["Reports:Shifts:1:Name"] = "Night",
            ["Reports:Shifts:1:Start"] = "18:00",
        });
        var options = factory.Services.GetRequiredService<ReportOptions>();
        var ids = await SeedAsync(factory.Services.GetRequiredService<StationDatabase>(), ct);
        using var manager = await factory.CreateClientAsync(UserRole.Manager, ct);
        var march2 = new ReportQuery { From = new DateOnly(2026, 3, 2), To = new DateOnly(2026, 3, 2) };

        // Act
        var night = await ExportIdsAsync(manager, (march2 with { Shift = "Night" }).CsvHref(options), ct);
        var day = await ExportIdsAsync(manager, (march2 with { Shift = "day" }).CsvHref(options), ct);
        using var unknown = await manager.GetAsync(new Uri("/api/attempts/export.csv?shift=Weekend", UriKind.Relative), ct);

        // Assert: 10:00 Berlin is Day; 23:30, 00:30 and 01:00 (the last two on 03-03) belong to the Night that began on 03-02.
        Assert.Equal([ids[1], ids[2], ids[3]], night);
        Assert.Equal([ids[0]], day);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("Day, Night", await unknown.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_UnknownTimeZone_StopsTheStationNamingTheKey()
    {
        // Arrange: the host as Program.cs builds it, on a loopback port 0.
        using var data = new TempDirectory();
        var settings = StationAppFactory.DefaultSettings(data.Path);
        settings["Reports:TimeZone"] = "Mars/Olympus";
        settings["Urls"] = "http://127.0.0.1:0";
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = RepositoryPaths.Root });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddStationServices();
        await using var app = builder.Build();

        // Act
        var error = await Record.ExceptionAsync(() => app.StartAsync(TestContext.Current.CancellationToken));

        // Assert
        var validation = Assert.IsType<OptionsValidationException>(error);
        Assert.Contains(validation.Failures, f => f.Contains("Reports:TimeZone 'Mars/Olympus'", StringComparison.Ordinal));
    }

    private static async Task<long[]> SeedAsync(StationDatabase database, CancellationToken ct)
    {
        int fixtureId, slotId, recipeId;
        await using (var context = database.CreateContext())
        {
            fixtureId = context.Fixtures.OrderBy(f => f.Id).Select(f => f.Id).First();
            slotId = context.Slots.Where(s => s.FixtureId == fixtureId).OrderBy(s => s.Id).Select(s => s.Id).First();
            var recipe = new RecipeRecord { Name = "CsvWidget", Version = "1.0", Json = "{}", ImageSha256 = new string('c', 64), CreatedBy = "eve", State = ReleaseState.Released };
            context.Recipes.Add(recipe);
            await context.SaveChangesAsync(ct);
            recipeId = recipe.Id;
        }

        var clock = new FakeTimeProvider(s_day);
        var recorder = new AttemptRecorder(database, clock);
        async Task<long> RecordAsync(DateTimeOffset at, AttemptState state, string uid)
        {
            clock.SetUtcNow(at);
            var run = await recorder.StartRunAsync(fixtureId, recipeId, "alice", cancellationToken: ct);
            var attempt = await recorder.StartAttemptAsync(run, slotId, "PROBE", ct);
            clock.Advance(TimeSpan.FromSeconds(3));
            await recorder.CompleteAttemptAsync(attempt, new AttemptOutcome
            {
                State = state,
                FailureCode = state == AttemptState.Failed ? FailureCode.TargetNotPowered : null,
                McuUid = uid,
            }, ct);
            await recorder.EndRunAsync(run, ct);
            return attempt;
        }

        return
        [
            await RecordAsync(s_day.AddHours(9), AttemptState.Passed, "0000000000000000000C5V01"),
            await RecordAsync(s_day.AddHours(22).AddMinutes(30), AttemptState.Failed, "0000000000000000000C5V02"),
            await RecordAsync(s_day.AddHours(23).AddMinutes(30), AttemptState.Failed, "0000000000000000000C5V03"),
            await RecordAsync(s_day.AddHours(24), AttemptState.Passed, "0000000000000000000C5V04"),
        ];
    }

    private static async Task<long[]> ExportIdsAsync(HttpClient client, string href, CancellationToken ct)
    {
        using var response = await client.GetAsync(new Uri(href, UriKind.Relative), ct);
        response.EnsureSuccessStatusCode();
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync(ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(string.Join(',', ProductionReports.CsvHeader), lines[0]);
        return [.. lines.Skip(1).Select(l => long.Parse(l.Split(',')[0], CultureInfo.InvariantCulture))];
    }
}
