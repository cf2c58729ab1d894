using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ProdFlash.Data;
using ProdFlash.Data.Entities;
using ProdFlash.Station.Runtime;
using ProdFlash.Testing;

namespace ProdFlash.Station.Tests;

public sealed class LoadTests
{
    private const int Fixtures = 2;
    private const int SlotsPerFixture = 8;
    private const int Runs = 50;

    [Fact]
    public async Task StartAsync_16SlotsTimes50RunsInVirtualTime_EveryAttemptTerminalAndSerialsUniqueGapFree()
    {
        // Arrange: two fixtures of eight emulated slots on their modeled clocks; every fifth run of fixture F2 is aborted.
        using var data = new TempDirectory();
        var settings = StationAppFactory.DefaultSettings(data.Path, slots: 0);
        for (var f = 0; f < Fixtures; f++)
        {
            settings[$"Station:Fixtures:{f}:Name"] = $"F{f + 1}";
            settings[$"Station:Fixtures:{f}:Recipe"] = "blue-pill-f103c8/recipe.json";
            settings[$"Station:Fixtures:{f}:Image"] = settings["Station:Fixtures:0:Image"];
            for (var s = 0; s < SlotsPerFixture; s++)
            {
                settings[$"Station:Fixtures:{f}:Slots:{s}:Probe"] = StationAppFactory.EmulatedSlot((f * SlotsPerFixture) + s);
            }
        }

        using var factory = new StationAppFactory(settings);
        _ = factory.Server;
        var runtime = factory.Services.GetRequiredService<StationRuntime>();
        var ct = TestContext.Current.CancellationToken;

        // Act
        var fixtureRuns = runtime.Fixtures.Values.Select(async fixture =>
        {
            var results = new List<SlotAttemptResult>();
            for (var r = 0; r < Runs; r++)
            {
                var run = await fixture.StartAsync("load", null, ct);
                if (fixture.Name == "F2" && r % 5 == 4)
                {
                    fixture.Abort();
                }

                results.AddRange(await run.Completion.WaitAsync(ct));
            }

            return results;
        }).ToList();
        var all = (await Task.WhenAll(fixtureRuns)).SelectMany(r => r).ToList();

        // Assert
        await using var context = factory.Services.GetRequiredService<StationDatabase>().CreateContext();
        var attempts = await context.Attempts.ToListAsync(ct);
        Assert.Equal(Fixtures * SlotsPerFixture * Runs, attempts.Count);
        Assert.Equal(attempts.Count, all.Count);
        Assert.DoesNotContain(attempts, a => a.State is AttemptState.Running or AttemptState.Interrupted);
        Assert.Contains(attempts, a => a.State == AttemptState.Passed);
        var ledger = await context.SerialLedger.OrderBy(e => e.Sequence).ToListAsync(ct);
        Assert.DoesNotContain(ledger, e => e.State == SerialState.Reserved);
        Assert.Equal(ledger.Count, ledger.Select(e => e.Sequence).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, ledger.Count).Select(i => (long)i), ledger.Select(e => e.Sequence)); // no gaps at all: voided values keep their place
        var passedSerials = attempts.Where(a => a.State == AttemptState.Passed).Select(a => a.SerialText).ToList();
        Assert.Equal(passedSerials.Count, passedSerials.Distinct().Count());
        Assert.Equal(ledger.Count(e => e.State == SerialState.Committed), passedSerials.Count);
        var voided = ledger.Where(e => e.State == SerialState.Void).Select(e => e.Text).ToHashSet();
        Assert.DoesNotContain(passedSerials, s => voided.Contains(s!));
    }
}
