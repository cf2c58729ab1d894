using ProdFlash.Core.Recipes;
using ProdFlash.Programming.Engine;
using ProdFlash.Programming.Identify;

namespace ProdFlash.Programming.Tests.Engine;

public sealed class CloneProgrammingTests
{
    [Theory]
    [InlineData("apm32f103c8", "APM32")]
    [InlineData("gd32f103c8", "GD32")]
    public async Task RunAsync_AllowedClone_ProgramsAndVerifies(string chip, string family)
    {
        // Arrange: a recipe that allows this look-alike; the APM32 drops half-words written while BSY
        // (stm32-targets.md §5.3), so the engine must program it one unit per round trip.
        var recipe = EngineSlot.DefaultRecipe("stm32f103c8") with { Genuineness = new GenuinenessPolicy([family]) };
        var image = EngineSlot.Image(4096);
        await using var slot = await EngineSlot.OpenAsync(chip);

        // Act
        var result = await slot.RunAsync(recipe, image);

        // Assert
        Assert.True(result.Outcome == AttemptOutcome.Passed, result.Diagnosis?.Summary);
        Assert.Equal(OriginVerdict.Clone, result.Identity!.Verdict);
        Assert.Equal(family, result.Identity.CloneFamily);
    }

    [Fact]
    public async Task RunAsync_Apm32WithBlockWritesForced_FailsVerify()
    {
        // Arrange: the same attempt with the fast block strategy forced, to show why the quirk exists.
        var recipe = EngineSlot.DefaultRecipe("stm32f103c8") with { Genuineness = new GenuinenessPolicy(["APM32"]) };
        var forcedBlocks = new AttemptOptions
        {
            FlashDrivers = context => ProdFlash.Programming.Flash.FlashDrivers.Create(context.Part, context.Memory, context.Clock,
                new ProdFlash.Programming.Flash.FlashDriverOptions { Strategy = ProdFlash.Programming.Flash.ProgramStrategy.Fast, Core = context.Core, ProgrammingVoltage = context.Volts }),
        };
        await using var slot = await EngineSlot.OpenAsync("apm32f103c8");

        // Act
        var result = await slot.RunAsync(recipe, EngineSlot.Image(4096), options: forcedBlocks);

        // Assert
        Assert.Equal(AttemptOutcome.Failed, result.Outcome);
    }

    [Fact]
    public void Fast_Apm32_UsesOneUnitPerRoundTrip()
    {
        Assert.True(CloneFlashQuirks.LosesWritesWhileBusy("APM32"));
        Assert.True(CloneFlashQuirks.LosesWritesWhileBusy("apm32"));
        Assert.False(CloneFlashQuirks.LosesWritesWhileBusy("GD32"));
        Assert.False(CloneFlashQuirks.LosesWritesWhileBusy(null));
    }
}

public sealed class CloneProbeTests
{
    [Fact]
    public async Task RunAsync_CloneProbeWithBinarySerial_FailsProbeSuspectCloneWithEvidence()
    {
        // Arrange: the clone personality's serial descriptor holds 12 raw bytes (stlink-protocol.md §6.1).
        // Opened the way the CLI and the station open it: by selector, through the emulator's provider.
        var recipe = EngineSlot.DefaultRecipe("stm32f103c8");
        var provider = new Emulator.Selection.EmulatorProbeProvider();
        await using var probe = await provider.OpenAsync(Core.Probes.ProbeSelector.Parse("emulator://stm32f103c8?probe=clone"), TestContext.Current.CancellationToken);

        // Act
        var result = await new AttemptEngine(new AttemptOptions()).RunAsync(probe, recipe, EngineSlot.Image(1024), null, null, TestContext.Current.CancellationToken);

        // Assert
        Assert.Equal(AttemptOutcome.Failed, result.Outcome);
        Assert.Equal(Core.Diagnostics.FailureCode.ProbeSuspectClone, result.FailureCode);
        Assert.Equal(Core.Diagnostics.AttemptPhase.Probe, result.Diagnosis!.Phase);
        Assert.Contains("clone", result.Diagnosis.Summary, StringComparison.OrdinalIgnoreCase);
        Assert.NotEmpty(result.Diagnosis.Evidence);
    }

    [Fact]
    public async Task RunAsync_CloneProbeAllowedByRecipe_PassesWithTheCloneDiagnosisAsWarning()
    {
        // Arrange: the same clone probe; the recipe writes probe.allowClone.
        var recipe = EngineSlot.DefaultRecipe("stm32f103c8") with { Probe = new ProbePolicy(AllowClone: true) };
        var provider = new Emulator.Selection.EmulatorProbeProvider();
        await using var probe = await provider.OpenAsync(Core.Probes.ProbeSelector.Parse("emulator://stm32f103c8?probe=clone"), TestContext.Current.CancellationToken);

        // Act
        var result = await new AttemptEngine(new AttemptOptions()).RunAsync(probe, recipe, EngineSlot.Image(1024), null, null, TestContext.Current.CancellationToken);

        // Assert: programmed, and the anomaly kept with the evidence it would have failed with.
        Assert.True(result.Outcome == AttemptOutcome.Passed, result.Diagnosis?.Summary);
        var warning = Assert.Single(result.Warnings);
        Assert.Equal(Core.Diagnostics.FailureCode.ProbeSuspectClone, warning.Code);
        Assert.Contains(warning.Evidence, e => e.Name == "Serial descriptor length" && e.Measured == "26" && e.Expected == "50");
        Assert.Equal(Core.Diagnostics.CloneProbeSignals.BinarySerial, result.Probe.CloneSignals);
    }

    [Fact]
    public async Task RunAsync_GenuineProbe_HasNoCloneSignals()
    {
        var provider = new Emulator.Selection.EmulatorProbeProvider();
        await using var probe = await provider.OpenAsync(Core.Probes.ProbeSelector.Parse("emulator://stm32f103c8?probe=v2j37"), TestContext.Current.CancellationToken);

        var result = await new AttemptEngine(new AttemptOptions()).RunAsync(probe, EngineSlot.DefaultRecipe("stm32f103c8"), EngineSlot.Image(1024), null, null, TestContext.Current.CancellationToken);

        Assert.Equal(AttemptOutcome.Passed, result.Outcome);
        Assert.Equal(Core.Diagnostics.CloneProbeSignals.None, result.Probe!.CloneSignals);
        Assert.Empty(result.Warnings);
    }
}
