using System.Net;
using System.Net.Http.Json;

using ProdFlash.Data.Entities;
using ProdFlash.Data.Reports;
using ProdFlash.Station.Api;

namespace ProdFlash.Station.Tests.Api;

public sealed class RunsApiTests(ApiTestHost host) : IClassFixture<ApiTestHost>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Start_TwoEmulatedSlots_RunEndsAndReadsBackThroughEveryView()
    {
        // Arrange
        using var operatorClient = await host.ClientAsync(UserRole.Operator, "line-operator");
        using var manager = await host.ClientAsync(UserRole.Manager);

        // Act
        using var started = await operatorClient.PostAsJsonAsync("/api/fixtures/F1/start", new StartRunRequest("LOT-API-7"), Ct);
        var run = await started.ReadAsync<StartedRunDto>();
        var finished = await WaitForEndAsync(operatorClient, run.RunId);
        var attempts = await (await operatorClient.GetAsync($"/api/attempts?fixtureId={finished.Run.FixtureId}&state=Passed&pageSize=500", Ct)).ReadAsync<PageDto<AttemptSummary>>();
        var serial = finished.Attempts[0].SerialText!;
        var bySerial = await (await operatorClient.GetAsync($"/api/units/serial/{Uri.EscapeDataString(serial)}", Ct)).ReadAsync<UnitHistory>();
        var byUid = await (await operatorClient.GetAsync($"/api/units/uid/{finished.Attempts[1].McuUid}", Ct)).ReadAsync<UnitHistory>();
        var csv = await manager.GetStringAsync($"/api/attempts/export.csv?fixtureId={finished.Run.FixtureId}", Ct);

        // Assert
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        Assert.Equal($"/api/runs/{run.RunId}", started.Headers.Location?.OriginalString);
        Assert.Equal("line-operator", finished.Run.Operator);
        Assert.Equal("LOT-API-7", finished.Run.LotCode);
        Assert.Equal([1, 2], finished.Attempts.Select(a => a.SlotPosition));
        Assert.All(finished.Attempts, a =>
        {
            Assert.Equal(AttemptState.Passed, a.State);
            Assert.Equal("STM32F103C8", a.DevicePart);
            Assert.Matches("^SF[0-9]{4}-[0-9]{6}$", a.SerialText); // the sample recipe's "SF{yyMM}-{seq:000000}"
            Assert.NotNull(a.McuUid);
        });
        Assert.NotEqual(finished.Attempts[0].SerialText, finished.Attempts[1].SerialText);
        Assert.Equal(finished.Attempts.Select(a => a.Id).Order(), attempts.Items.Where(a => a.RunId == run.RunId).Select(a => a.Id).Order());
        Assert.Equal(finished.Attempts[0].Id, Assert.Single(bySerial.Attempts).Id);
        Assert.Equal(finished.Attempts[1].Id, Assert.Single(byUid.Attempts).Id);
        Assert.All(finished.Attempts, a => Assert.Contains(a.SerialText!, csv, StringComparison.Ordinal));
    }

    [Fact]
    public async Task FixtureAndSlot_Status_UnknownNames_NotFoundListsFixtures()
    {
        // Arrange
        using var client = await host.ClientAsync(UserRole.Operator, "line-operator");

        // Act
        var fixture = await (await client.GetAsync("/api/fixtures/F1", Ct)).ReadAsync<FixtureStatus>();
        var slot = await (await client.GetAsync("/api/fixtures/F1/slots/2", Ct)).ReadAsync<SlotStatus>();
        using var unknownFixture = await client.PostAsync("/api/fixtures/F9/start", null, Ct);
        using var unknownSlot = await client.GetAsync("/api/fixtures/F1/slots/7", Ct);

        // Assert
        Assert.Equal(2, fixture.Slots.Count);
        Assert.Equal(2, slot.Position);
        Assert.Equal(HttpStatusCode.NotFound, unknownFixture.StatusCode);
        Assert.Contains("fixtures are F1", await unknownFixture.ProblemDetailAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknownSlot.StatusCode);
        Assert.Contains("slots are 1 to 2", await unknownSlot.ProblemDetailAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Abort_NoRunInProgress_ConflictSaysNothingToAbort()
    {
        // Arrange
        using var client = await host.ClientAsync(UserRole.Operator, "line-operator");
        await ApiTestHost.WaitUntilIdleAsync(host, "F1");

        // Act
        using var response = await client.PostAsync("/api/fixtures/F1/abort", null, Ct);

        // Assert
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Contains("no run in progress", await response.ProblemDetailAsync(), StringComparison.Ordinal);
    }

    /// <summary>Reads the run until it has ended (the emulator runs on modeled time, so this takes moments).</summary>
    private static async Task<RunWithAttempts> WaitForEndAsync(HttpClient client, long runId)
    {
        while (true)
        {
            var run = await (await client.GetAsync($"/api/runs/{runId}", Ct)).ReadAsync<RunWithAttempts>();
            if (run.Run.EndedAt is not null)
            {
                return run;
            }

            await Task.Delay(20, Ct);
        }
    }
}
