using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ProdFlash.Core.Diagnostics;
using ProdFlash.Data;
using ProdFlash.Data.Entities;
using ProdFlash.Station.Runtime;
using ProdFlash.Testing;

namespace ProdFlash.Station.Tests;

/// <summary>
/// A chip at RDP level 2 answers nothing, like a broken SWD wire (stm32-targets.md §4.1, §6). The station hands the
/// engine what its records show of the board (<see cref="Programming.Engine.PriorContact"/>): the slot's earlier
/// contact, and, when a scanned code names the board, that it is the same board.
/// </summary>
public sealed class PriorContactTests
{
    private const string LockingRecipe = """
        {
          "name": "Locked F407",
          "version": "1.0.0",
          "image": { "path": "blue-pill-f103c8.hex" },
          "devices": [ { "part": "STM32F407VG" } ],
          "optionBytes": { "finalRdp": 2, "confirmPermanentLock": true },
          "serial": {
            "address": "0x080E0000",
            "text": "LK-{seq:0000}",
            "length": 16,
            "fields": [ { "type": "ascii", "length": 16 } ]
          }
        }
        """;

    [Fact]
    public async Task StartAsync_BoardLockedAtLevel2ByTheStation_SilentAgainIsLockedForGoodOnlyWhenItsSerialIsScanned()
    {
        // Arrange: one enabled emulated STM32F407VG slot on a recipe that finalizes at RDP level 2.
        using var temp = new TempDirectory();
        var ct = TestContext.Current.CancellationToken;
        Directory.CreateDirectory(temp.File("recipes"));
        await File.WriteAllTextAsync(Path.Combine(temp.File("recipes"), "locked.json"), LockingRecipe, ct);
        var settings = StationAppFactory.DefaultSettings(temp.File("data"), slots: 1);
        settings["Station:RecipesFolder"] = temp.File("recipes");
        settings["Station:Fixtures:0:Recipe"] = "locked.json";
        settings["Station:Fixtures:0:Slots:0:Probe"] = "emulator://stm32f407vg?probe=v2j37";
        settings["Station:Fixtures:0:Slots:1:Enabled"] = "false"; // the factory's second slot: the run programs one board
        using var factory = new StationAppFactory(settings);
        _ = factory.Server;
        var fixture = factory.Services.GetRequiredService<StationRuntime>().Fixtures["F1"];

        // Act: program and lock the board; then Start with nothing scanned; then Start with the board's serial scanned.
        var first = Assert.Single(await (await fixture.StartAsync("operator", null, ct)).Completion.WaitAsync(ct));
        var unscanned = Assert.Single(await (await fixture.StartAsync("operator", null, ct)).Completion.WaitAsync(ct));
        var scanned = Assert.Single(await (await fixture.StartAsync("operator", first.Serial, ct)).Completion.WaitAsync(ct));

        // Assert: the station recorded the level it left; without knowing the board, a silent chip is a wiring or
        // board fault; with the board's serial scanned, it is locked for good.
        Assert.Equal(AttemptState.Passed, first.State);
        Assert.Equal("LK-0001", first.Serial);
        Assert.Equal(FailureCode.NoSwdResponse, unscanned.Code);
        Assert.Equal(FailureCode.ReadoutProtectedPermanently, scanned.Code);
        await using var context = factory.Services.GetRequiredService<StationDatabase>().CreateContext();
        var locked = await context.Attempts.SingleAsync(a => a.Id == first.AttemptId, ct);
        var finalize = Assert.Single(PhaseLog.Deserialize(locked.Phases!), p => p.Phase == AttemptPhase.Finalize);
        Assert.Equal("2", finalize.Measurements![SlotHistory.RdpMeasurement]);
        var last = await context.Attempts.SingleAsync(a => a.Id == scanned.AttemptId, ct);
        Assert.Equal(AttemptState.Failed, last.State);
        Assert.Equal(AttemptPhase.Connect, last.FailedPhase);
        var connect = Assert.Single(PhaseLog.Deserialize(last.Phases!), p => p.Phase == AttemptPhase.Connect);
        Assert.Contains("level 2", connect.Measurements![SlotRunner.SummaryMeasurement], StringComparison.OrdinalIgnoreCase); // the operator's words, kept with the record
        var status = factory.Services.GetRequiredService<StatusStore>().Current.Fixtures[0].Slots[0];
        Assert.Equal(FailureCode.ReadoutProtectedPermanently, status.LastResult!.Code);
    }

    [Fact]
    public async Task FindAsync_SameCodeScannedOnOneSlot_SameBoardWithUidAndLevelOfTheEarlierContact()
    {
        // Arrange: a passed attempt on a one-slot run (the factory's second slot disabled) started with a board code.
        using var temp = new TempDirectory();
        var ct = TestContext.Current.CancellationToken;
        var settings = StationAppFactory.DefaultSettings(temp.Path, slots: 1);
        settings["Station:Fixtures:0:Slots:1:Enabled"] = "false";
        using var factory = new StationAppFactory(settings);
        _ = factory.Server;
        var fixture = factory.Services.GetRequiredService<StationRuntime>().Fixtures["F1"];
        var first = Assert.Single(await (await fixture.StartAsync("operator", "BOARD-7", ct)).Completion.WaitAsync(ct));
        var history = new SlotHistory(factory.Services.GetRequiredService<StationDatabase>());
        await using var context = factory.Services.GetRequiredService<StationDatabase>().CreateContext();
        var attempt = await context.Attempts.SingleAsync(a => a.Id == first.AttemptId, ct);

        // Act
        var sameCode = await history.FindAsync(attempt.SlotId, attempt.ProbeSerial, attempt.Id + 1, "BOARD-7", ct);
        var otherCode = await history.FindAsync(attempt.SlotId, attempt.ProbeSerial, attempt.Id + 1, "BOARD-8", ct);
        var otherProbe = await history.FindAsync(attempt.SlotId, "0000000000000000000000FF", attempt.Id + 1, "BOARD-7", ct);

        // Assert
        Assert.Equal(AttemptState.Passed, first.State);
        Assert.NotNull(sameCode);
        Assert.True(sameCode.SameBoard);
        Assert.Equal(attempt.McuUid, sameCode.Uid);
        Assert.Equal(Core.Devices.RdpLevel.Level0, sameCode.RdpLeft);
        Assert.Contains($"attempt {attempt.Id}", sameCode.Source, StringComparison.Ordinal);
        Assert.NotNull(otherCode);
        Assert.False(otherCode.SameBoard);
        Assert.Null(otherProbe);
    }
}
