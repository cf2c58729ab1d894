using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ProdFlash.Core.Diagnostics;
using ProdFlash.Data;
using ProdFlash.Data.Entities;
using ProdFlash.Station.Runtime;

namespace ProdFlash.Station.Tests;

public sealed class StationRunTests
{
    [Fact]
    public async Task StartAsync_TwoEmulatedSlots_BothPassWithConsecutiveCommittedSerials()
    {
        // Arrange
        using var factory = new StationAppFactory();
        _ = factory.Server;
        var fixture = factory.Services.GetRequiredService<StationRuntime>().Fixtures["F1"];
        var ct = TestContext.Current.CancellationToken;

        // Act
        var run = await fixture.StartAsync("operator", "LOT-1", ct);
        var results = await run.Completion.WaitAsync(ct);

        // Assert
        Assert.All(results, r => Assert.Equal(AttemptState.Passed, r.State));
        await using var context = factory.Services.GetRequiredService<StationDatabase>().CreateContext();
        var attempts = await context.Attempts.Where(a => a.RunId == run.RunId).OrderBy(a => a.SlotId).ToListAsync(ct);
        Assert.Equal(2, attempts.Count);
        Assert.All(attempts, a => Assert.Equal("STM32F103C8", a.DevicePart));
        // The F1's option-byte registers (FLASH_OBR, FLASH_WRPR) as read before and after: no page write-protected.
        Assert.All(attempts, a => Assert.Matches(@"^OBR=0x[0-9A-F]{8} WRPR=0xFFFFFFFF$", a.OptionBytesBefore));
        Assert.All(attempts, a => Assert.Matches(@"^OBR=0x[0-9A-F]{8} WRPR=0xFFFFFFFF$", a.OptionBytesAfter));
        var serials = await context.SerialLedger.OrderBy(s => s.Sequence).ToListAsync(ct);
        Assert.Equal([1L, 2L], serials.Select(s => s.Sequence));
        Assert.All(serials, s => Assert.Equal(SerialState.Committed, s.State));
        var status = factory.Services.GetRequiredService<StatusStore>().Current;
        Assert.All(status.Fixtures[0].Slots, s => Assert.True(s.LastResult?.Passed));
        Assert.Null(status.Fixtures[0].RunId);
    }

    [Fact]
    public async Task StartAsync_ImageChangedOnDisk_FailsImageIntegrityWithoutReservingSerial()
    {
        // Arrange: the fixture programs a copy of the sample image, which is then altered.
        using var data = new ProdFlash.Testing.TempDirectory();
        var image = data.File("sample-f103.hex");
        File.Copy(Path.Combine(ProdFlash.Testing.RepositoryPaths.FirmwareImages, "samples", "blue-pill-f103c8", "blue-pill-f103c8.hex"), image);
        var settings = StationAppFactory.DefaultSettings(data.File("db"));
        settings["Station:Fixtures:0:Image"] = image;
        using var factory = new StationAppFactory(settings);
        _ = factory.Server;
        var fixture = factory.Services.GetRequiredService<StationRuntime>().Fixtures["F1"];
        var ct = TestContext.Current.CancellationToken;
        var lines = File.ReadAllLines(image);
        lines[1] = lines[1][..^4] + "0000"; // one data byte changed (checksum left wrong on purpose: the file no longer parses or hashes the same)
        File.WriteAllLines(image, lines);

        // Act
        var results = await (await fixture.StartAsync("operator", null, ct)).Completion.WaitAsync(ct);

        // Assert
        Assert.All(results, r => Assert.Equal(FailureCode.ImageIntegrityFailed, r.Code));
        await using var context = factory.Services.GetRequiredService<StationDatabase>().CreateContext();
        Assert.Empty(await context.SerialLedger.ToListAsync(ct));
        Assert.All(await context.Attempts.ToListAsync(ct), a => Assert.Equal(AttemptState.Failed, a.State));
    }

    [Fact]
    public async Task Abort_RightAfterStartOnRealTimeSlots_AttemptsAbortedAndSerialsVoided()
    {
        // Arrange: wall-clock emulation (demo mode), so an attempt lasts its modeled time and the abort lands inside it.
        using var data = new ProdFlash.Testing.TempDirectory();
        var settings = StationAppFactory.DefaultSettings(data.Path);
        settings["Station:DemoMode"] = "true";
        using var factory = new StationAppFactory(settings);
        _ = factory.Server;
        var fixture = factory.Services.GetRequiredService<StationRuntime>().Fixtures["F1"];
        var ct = TestContext.Current.CancellationToken;

        // Act
        var run = await fixture.StartAsync("operator", null, ct);
        var aborted = fixture.Abort();
        var results = await run.Completion.WaitAsync(ct);

        // Assert
        Assert.True(aborted);
        Assert.All(results, r => Assert.Equal(AttemptState.Aborted, r.State));
        await using var context = factory.Services.GetRequiredService<StationDatabase>().CreateContext();
        Assert.All(await context.SerialLedger.ToListAsync(ct), e => Assert.Equal(SerialState.Void, e.State));
        Assert.All(await context.Attempts.ToListAsync(ct), a => Assert.Equal(FailureCode.Aborted, a.FailureCode));
        Assert.False(fixture.IsRunning);
    }

    [Fact]
    public async Task StartAsync_WhileRunning_RefusedWithFixtureBusy()
    {
        // Arrange
        using var data = new ProdFlash.Testing.TempDirectory();
        var settings = StationAppFactory.DefaultSettings(data.Path);
        settings["Station:DemoMode"] = "true";
        using var factory = new StationAppFactory(settings);
        _ = factory.Server;
        var fixture = factory.Services.GetRequiredService<StationRuntime>().Fixtures["F1"];
        var ct = TestContext.Current.CancellationToken;
        var run = await fixture.StartAsync("operator", null, ct);

        // Act
        var error = await Record.ExceptionAsync(() => fixture.StartAsync("operator", null, ct));
        fixture.Abort();
        await run.Completion.WaitAsync(ct);

        // Assert
        var busy = Assert.IsType<FixtureBusyException>(error);
        Assert.Contains("Fixture F1 is already running", busy.Message, StringComparison.Ordinal);
    }
}
