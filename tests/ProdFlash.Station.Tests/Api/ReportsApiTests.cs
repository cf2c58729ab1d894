using System.Globalization;
using System.Net;

using ProdFlash.Data.Entities;
using ProdFlash.Data.Reports;
using ProdFlash.Station.Api;

namespace ProdFlash.Station.Tests.Api;

public sealed class ReportsApiTests(ApiTestHost host) : IClassFixture<ApiTestHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Units_BySerialAndByUid_ReturnTheRecordedAttempt_UnknownSerial_NotFound()
    {
        // Arrange
        var unit = await SeedUnitsAsync("trace", 1);
        using var operatorClient = await host.ClientAsync(UserRole.Operator);

        // Act
        var bySerial = await (await operatorClient.GetAsync($"/api/units/serial/{Uri.EscapeDataString(unit[0].Serial)}", Ct)).ReadAsync<UnitHistory>();
        var byUid = await (await operatorClient.GetAsync($"/api/units/uid/{unit[0].McuUid.ToLowerInvariant()}", Ct)).ReadAsync<UnitHistory>();
        using var unknown = await operatorClient.GetAsync("/api/units/serial/NO-SUCH-SERIAL", Ct);

        // Assert
        var attempt = Assert.Single(bySerial.Attempts);
        Assert.Equal(AttemptState.Passed, attempt.State);
        Assert.Equal(unit[0].McuUid, attempt.McuUid);
        Assert.Equal(unit[0].Serial, attempt.SerialText);
        Assert.Equal([unit[0].McuUid], bySerial.McuUids);
        Assert.Equal(attempt.Id, Assert.Single(byUid.Attempts).Id);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("NO-SUCH-SERIAL", await unknown.ProblemDetailAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Attempts_FilteredByRecipe_PagesByCursorThenEnds()
    {
        // Arrange
        var units = await SeedUnitsAsync("paging", 3);
        using var client = await host.ClientAsync(UserRole.Operator);
        var recipeId = units[0].RecipeId;

        // Act
        var first = await (await client.GetAsync($"/api/attempts?recipeId={recipeId}&pageSize=2", Ct)).ReadAsync<PageDto<AttemptSummary>>();
        var second = await (await client.GetAsync($"/api/attempts?recipeId={recipeId}&pageSize=2&after={first.Next}", Ct)).ReadAsync<PageDto<AttemptSummary>>();

        // Assert
        Assert.Equal(2, first.Items.Count);
        Assert.NotNull(first.Next);
        Assert.Single(second.Items);
        Assert.Null(second.Next);
        Assert.Equal(
            units.Select(u => u.Serial).Order(StringComparer.Ordinal),
            first.Items.Concat(second.Items).Select(a => a.SerialText!).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("pageSize=0", "pageSize 0")]
    [InlineData("pageSize=501", "1 to 500")]
    [InlineData("page=0", "pages count from 1")]
    [InlineData("page=1&after=1-1", "not both")]
    [InlineData("after=yesterday", "not a cursor")]
    public async Task Attempts_BadPaging_ProblemNamesParameter(string query, string expected)
    {
        // Arrange
        using var client = await host.ClientAsync(UserRole.Operator);

        // Act
        using var response = await client.GetAsync("/api/attempts?" + query, Ct);

        // Assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.ProblemDetailAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportCsv_FilteredByRecipe_HeaderAndOneRowPerAttempt()
    {
        // Arrange
        var units = await SeedUnitsAsync("csv", 2);
        using var manager = await host.ClientAsync(UserRole.Manager);

        // Act
        using var response = await manager.GetAsync($"/api/attempts/export.csv?recipeId={units[0].RecipeId}", Ct);
        var lines = (await response.Content.ReadAsStringAsync(Ct)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        // Assert
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(string.Join(',', ProductionReports.CsvHeader), lines[0]);
        Assert.Equal(3, lines.Length);
        Assert.All(units, u => Assert.Single(lines, l => l.Contains(u.Serial, StringComparison.Ordinal) && l.Contains(u.McuUid, StringComparison.Ordinal)));
        Assert.All(lines.Skip(1), l => Assert.Contains(",Passed,", l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_ById_HasItsAttempt_UnknownRun_NotFound()
    {
        // Arrange
        var unit = (await SeedUnitsAsync("run", 1))[0];
        using var client = await host.ClientAsync(UserRole.Operator);

        // Act
        var run = await (await client.GetAsync($"/api/runs/{unit.RunId}", Ct)).ReadAsync<RunWithAttempts>();
        using var unknown = await client.GetAsync("/api/runs/99999999", Ct);

        // Assert
        Assert.Equal(unit.RunId, run.Run.Id);
        Assert.Equal("LOT-1", run.Run.LotCode);
        Assert.NotNull(run.Run.EndedAt);
        Assert.Equal(unit.Serial, Assert.Single(run.Attempts).SerialText);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Yield_ByRecipe_CountsSeededUnits()
    {
        // Arrange
        var units = await SeedUnitsAsync("yield", 2);
        using var engineer = await host.ClientAsync(UserRole.Engineer);

        // Act
        var rows = await (await engineer.GetAsync($"/api/reports/yield?by=Recipe&recipeId={units[0].RecipeId}", Ct)).ReadAsync<YieldRow[]>();

        // Assert
        var row = Assert.Single(rows);
        Assert.Equal(units[0].RecipeId, row.KeyId);
        Assert.Equal(2, row.Units);
        Assert.Equal(2, row.Passed);
        Assert.Equal(1.0, row.Yield);
    }

    private async Task<SeededUnit[]> SeedUnitsAsync(string tag, int count)
    {
        using var author = await host.ClientAsync(UserRole.Engineer, "seed-author");
        var recipe = (await ApiSeed.DraftRecipeAsync(author, null, tag + "-" + Guid.NewGuid().ToString("N")[..8])).Recipe;
        var units = new SeededUnit[count];
        for (var i = 0; i < count; i++)
        {
            units[i] = await ApiSeed.PassedUnitAsync(host, recipe.Id);
        }

        return units;
    }
}
