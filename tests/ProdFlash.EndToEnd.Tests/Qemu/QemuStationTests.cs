using System.Net.Http.Json;
using System.Text.Json;

using Microsoft.EntityFrameworkCore;

using ProdFlash.Data;
using ProdFlash.Data.Entities;
using ProdFlash.EndToEnd.Tests.Harness;
using ProdFlash.Testing;

namespace ProdFlash.EndToEnd.Tests.Qemu;

/// <summary>
/// The station host with one fixture of four <c>gdb://</c> slots, each a QEMU stm32vldiscovery board halted at reset:
/// one run programs all four at once with serials from the ledger, and each board prints, on its own USART1, the serial
/// the database committed for its slot.
/// </summary>
public sealed class QemuStationTests
{
    private const string Fixture = "Q1";

    [Fact]
    public async Task Run_FourQemuBoardsInOneFixture_EachPrintsTheSerialTheDatabaseCommitted()
    {
        // Arrange
        var cancellation = TestContext.Current.CancellationToken;
        var boards = new List<QemuMachine>();
        try
        {
            for (var i = 0; i < 4; i++)
            {
                boards.Add(await QemuMachine.StartAsync(gdbHalted: true));
            }

            var key = "e2e-qemu-" + Guid.NewGuid().ToString("N");
            var settings = new Dictionary<string, string>
            {
                ["Station:AutoStartSeconds"] = "0",
                ["Station:Fixtures:0:Name"] = Fixture,
                ["Station:Fixtures:0:Recipe"] = "qemu-stm32vldiscovery/recipe.json",
                ["Station:Fixtures:0:Image"] = "firmware-images/samples/qemu-stm32vldiscovery/qemu-stm32vldiscovery.hex",
                ["Security:BootstrapAdminKey"] = key,
            };
            for (var i = 0; i < boards.Count; i++)
            {
                settings[$"Station:Fixtures:0:Slots:{i}:Probe"] = boards[i].GdbSelector;
            }

            await using var station = await StationProcess.StartAsync(settings, cancellation);
            using var http = new HttpClient { BaseAddress = station.BaseAddress };
            http.DefaultRequestHeaders.Add("X-Api-Key", key);

            // Act
            using var start = await http.PostAsJsonAsync($"api/fixtures/{Fixture}/start", new { lotCode = "QEMU-LOT-1" }, cancellation);
            Assert.True(start.IsSuccessStatusCode, $"start answered {(int)start.StatusCode}: {await start.Content.ReadAsStringAsync(cancellation)}\n{station.Output}");
            var runId = (await start.Content.ReadFromJsonAsync<JsonElement>(cancellation)).GetProperty("runId").GetInt64();
            var attempts = await WaitForRunAsync(station.DataDirectory, runId, TimeSpan.FromMinutes(4), station);

            // Assert
            Assert.Equal(4, attempts.Count);
            Assert.All(attempts, a => Assert.True(a.State == AttemptState.Passed, $"slot {a.Position}: {a.State} {a.FailureCode}\n{station.Output}"));
            Assert.Equal(4, attempts.Select(a => a.SerialText).Distinct(StringComparer.Ordinal).Count());
            foreach (var attempt in attempts)
            {
                var line = await boards[attempt.Position - 1].WaitForLineAsync("SN=", TimeSpan.FromSeconds(30));
                Assert.Equal($"SN={attempt.SerialText}", line);
                Assert.Equal(SerialState.Committed, attempt.SerialState);
            }
        }
        finally
        {
            foreach (var board in boards)
            {
                await board.DisposeAsync();
            }
        }
    }

    private static async Task<IReadOnlyList<SlotAttempt>> WaitForRunAsync(string dataDirectory, long runId, TimeSpan limit, StationProcess station)
    {
        var database = new StationDatabase(new StationDatabaseOptions { DataDirectory = dataDirectory });
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            await using (var db = database.CreateContext())
            {
                var run = await db.Runs.AsNoTracking().SingleAsync(r => r.Id == runId);
                if (run.EndedAt is not null)
                {
                    return await (from a in db.Attempts.AsNoTracking()
                                  join s in db.Slots.AsNoTracking() on a.SlotId equals s.Id
                                  join e in db.SerialLedger.AsNoTracking() on a.SerialEntryId equals e.Id into serials
                                  from e in serials.DefaultIfEmpty()
                                  where a.RunId == runId
                                  orderby s.Position
                                  select new SlotAttempt(s.Position, a.State, a.FailureCode, a.SerialText, e == null ? null : e.State)).ToListAsync();
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Run {runId} did not end within {limit.TotalSeconds:0} s.\n{station.Output}");
            }

            await Task.Delay(250);
        }
    }

    private sealed record SlotAttempt(int Position, AttemptState State, ProdFlash.Core.Diagnostics.FailureCode? FailureCode, string? SerialText, SerialState? SerialState);
}
