using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ProdFlash.Data;
using ProdFlash.Data.Entities;
using ProdFlash.Emulator;
using ProdFlash.Station.Runtime;

namespace ProdFlash.Station.Tests;

public sealed class EmulatedProbeSerialTests
{
    [Fact]
    public async Task Start_EmulatedSlots_BoundByTheirSelectorSerialsAndCountedInTheProbeInventory()
    {
        // Arrange: three emulated slots; each serial is the one its selector always gives.
        using var data = new ProdFlash.Testing.TempDirectory();
        var ct = TestContext.Current.CancellationToken;
        var settings = StationAppFactory.DefaultSettings(data.Path, slots: 3);
        var expected = Enumerable.Range(0, 3).Select(i =>
            Emulator.StLink.StLinkPersonality.Create(EmulatorSelector.Parse(StationAppFactory.EmulatedSlot(i)).Personality,
                EmulatedProbes.SerialNumberOf(EmulatorSelector.Parse(StationAppFactory.EmulatedSlot(i)))).Serial).ToList();
        using var factory = new StationAppFactory(settings);
        _ = factory.Server;
        var fixture = factory.Services.GetRequiredService<StationRuntime>().Fixtures["F1"];

        // Act
        var results = await (await fixture.StartAsync("operator", null, ct)).Completion.WaitAsync(ct);

        // Assert: every slot enabled (no duplicate), attempts carry the slot's serial, the inventory has one probe each.
        Assert.All(results, r => Assert.Equal(AttemptState.Passed, r.State));
        Assert.Equal(3, expected.Distinct().Count());
        await using var context = factory.Services.GetRequiredService<StationDatabase>().CreateContext();
        var attempts = await context.Attempts.OrderBy(a => a.SlotId).ToListAsync(ct);
        Assert.Equal(expected, attempts.Select(a => a.ProbeSerial));
        var probes = await context.Probes.ToListAsync(ct);
        Assert.Equal(expected.Order(StringComparer.Ordinal), probes.Select(p => p.Serial).Order(StringComparer.Ordinal));
        Assert.All(probes, p => Assert.Equal(1, p.AttemptCount));
    }
}
