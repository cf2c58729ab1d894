using ProdFlash.Core.Devices;
using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Recipes;
using ProdFlash.Core.Targets;
using ProdFlash.Programming.Engine;
using ProdFlash.Programming.Identify;

namespace ProdFlash.Programming.Tests.Engine;

public sealed class AttemptEngineTests
{
    [Fact]
    public async Task RunAsync_HealthyF103C8_PassesAndFlashHoldsImage()
    {
        // Arrange
        await using var slot = await EngineSlot.OpenAsync("stm32f103c8");
        var image = EngineSlot.Image(6 * 1024 + 10);

        // Act
        var result = await slot.RunAsync(EngineSlot.DefaultRecipe("stm32f103c8"), image);

        // Assert
        Assert.True(result.Outcome == AttemptOutcome.Passed, result.Diagnosis?.Summary);
        Assert.Equal("stm32f103c8", result.Identity!.Part!.PartNumber);
        Assert.Equal(OriginVerdict.GenuineSt, result.Identity.Verdict);
        Assert.Equal(0x1BA01477u, result.Identity.Debug.SwdDpIdr);
        Assert.Equal(64, result.Identity.FlashKiB);
        Assert.Equal(10, result.Phases.Count);
        Assert.Equal(image.TotalBytes, result.BytesProgrammed);
        var back = new byte[image.TotalBytes];
        await slot.Target.Memory.ReadAsync(0x0800_0000, back, AccessWidth.Word, TestContext.Current.CancellationToken);
        Assert.Equal(image.Segments[0].Data.ToArray(), back);
    }

    [Fact]
    public async Task RunAsync_HealthyF103C8_EventsInDocumentedOrder()
    {
        // Arrange
        await using var slot = await EngineSlot.OpenAsync("stm32f103c8");
        var log = new EventLog();

        // Act
        var result = await slot.RunAsync(EngineSlot.DefaultRecipe("stm32f103c8"), EngineSlot.Image(3000), progress: log);

        // Assert: per phase Started, Progress*, Finished; phases in enum order, each once.
        Assert.Equal(AttemptOutcome.Passed, result.Outcome);
        var phases = log.Events.Select(e => e.Phase).Distinct().ToList();
        Assert.Equal(Enum.GetValues<AttemptPhase>().Where(p => p != AttemptPhase.Record), phases);
        foreach (var phase in phases)
        {
            var events = log.Events.Where(e => e.Phase == phase).ToList();
            Assert.IsType<PhaseStarted>(events[0]);
            Assert.IsType<PhaseFinished>(events[^1]);
            Assert.All(events[1..^1], e => Assert.IsType<PhaseProgress>(e));
        }

        var contiguous = log.Events.Select(e => e.Phase).Chunk(1).Select(c => c[0]).ToList();
        Assert.True(contiguous.Zip(contiguous.Skip(1)).All(p => p.First <= p.Second), "a phase's events interleave with another's");
        Assert.Contains(log.Events, e => e is PhaseProgress { Phase: AttemptPhase.Program } p && p.Done == 3000 && p.Total == 3000);
    }

    [Fact]
    public async Task RunAsync_NoVcc_FailedEventIsLastAndNothingFollows()
    {
        // Arrange
        await using var slot = await EngineSlot.OpenAsync("stm32f103c8", "no-vcc");
        var log = new EventLog();

        // Act
        var result = await slot.RunAsync(EngineSlot.DefaultRecipe("stm32f103c8"), EngineSlot.Image(1024), progress: log);

        // Assert
        Assert.Equal(AttemptOutcome.Failed, result.Outcome);
        var failed = Assert.IsType<PhaseFailed>(log.Events[^1]);
        Assert.Equal(AttemptPhase.Power, failed.Phase);
        Assert.Equal(FailureCode.TargetNotPowered, failed.Diagnosis.Code);
        Assert.Single(log.Events.OfType<PhaseFailed>());
        Assert.Equal([AttemptPhase.Probe, AttemptPhase.Power], result.Phases.Select(p => p.Phase));
    }

    [Fact]
    public async Task RunAsync_HealthyF103C8_LedgerCountsUsbTransactionsAndModeledTime()
    {
        // Arrange
        await using var slot = await EngineSlot.OpenAsync("stm32f103c8");
        var image = EngineSlot.Image(16 * 1024);

        // Act: a readback verify, so the verify phase moves the image in
        var result = await slot.RunAsync(EngineSlot.DefaultRecipe("stm32f103c8") with { Checks = new CheckSettings(VerifyMode.Readback, false) }, image);

        // Assert: program moves at least the image out; its modeled time is at least 8192 half-words × 52.5 µs (DS5319).
        Assert.Equal(AttemptOutcome.Passed, result.Outcome);
        var program = result.Phases.Single(p => p.Phase == AttemptPhase.Program);
        Assert.True(program.BytesOut >= image.TotalBytes, $"program phase sent {program.BytesOut} bytes");
        Assert.True(program.Transactions > 0);
        Assert.True(program.Modeled >= TimeSpan.FromMicroseconds(52.5 * 8192), $"program took {program.Modeled}");
        var verify = result.Phases.Single(p => p.Phase == AttemptPhase.Verify);
        Assert.True(verify.BytesIn >= image.TotalBytes);
        Assert.Equal(result.Phases.Aggregate(TimeSpan.Zero, (s, p) => s + p.Modeled), result.Modeled);
    }

    [Fact]
    public async Task RunAsync_CallerCancels_AbortedWithAbortedDiagnosis()
    {
        // Arrange
        await using var slot = await EngineSlot.OpenAsync("stm32f103c8");
        using var cts = new CancellationTokenSource();
        var log = new CancelOnPhase(AttemptPhase.Program, cts);
        var engine = new AttemptEngine(new AttemptOptions { StoppedBy = "operator anna" });

        // Act
        var result = await engine.RunAsync(slot.Target, EngineSlot.DefaultRecipe("stm32f103c8"), EngineSlot.Image(8 * 1024), null, log, cts.Token);

        // Assert
        Assert.Equal(AttemptOutcome.Aborted, result.Outcome);
        Assert.Equal(FailureCode.Aborted, result.FailureCode);
        Assert.Equal(AttemptPhase.Program, result.Diagnosis!.Phase);
        Assert.Contains("operator anna", result.Diagnosis.Summary, StringComparison.Ordinal);
    }

    private sealed class CancelOnPhase(AttemptPhase phase, CancellationTokenSource cts) : IProgress<AttemptEvent>
    {
        public void Report(AttemptEvent value)
        {
            if (value is PhaseStarted started && started.Phase == phase)
            {
                cts.Cancel();
            }
        }
    }
}
