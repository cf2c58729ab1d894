using ProdFlash.Core.Diagnostics;
using ProdFlash.Programming.Engine;
using ProdFlash.Programming.Flash;
using ProdFlash.Programming.Tests.Flash;

namespace ProdFlash.Programming.Tests.Engine;

/// <summary>
/// Whole attempts with the RAM loader against the direct path on the emulator: the same result, an honest ledger, progress
/// in order, and a power loss mid-program ending in the same failure code.
/// </summary>
public sealed class RamLoaderEngineTests
{
    public static TheoryData<string> Chips => ["stm32g071rb", "stm32l476rg", "stm32f407vg"];

    private static AttemptOptions With(RamLoaderMode loader) => new() { Loader = loader };

    [Theory]
    [MemberData(nameof(Chips))]
    public async Task RunAsync_LoaderOn_PassesWithAnHonestProgramLedgerAndOrderedProgress(string chip)
    {
        // Arrange
        var recipe = EngineSlot.DefaultRecipe(chip);
        var image = EngineSlot.Image(48 * 1024, seed: 17);
        var events = new List<AttemptEvent>();
        await using var slot = await EngineSlot.OpenAsync(chip);

        // Act
        var result = await slot.RunAsync(recipe, image, progress: new SyncProgress<AttemptEvent>(events.Add), options: With(RamLoaderMode.Auto));

        // Assert
        Assert.True(result.Outcome == AttemptOutcome.Passed, result.Diagnosis?.Summary + " " + string.Join("; ", result.Diagnosis?.Evidence.Select(e => e.ToString()) ?? []));
        var program = result.Phases.Single(p => p.Phase == AttemptPhase.Program);
        Assert.True(program.BytesOut >= image.Segments.Sum(s => s.Length), $"{program.BytesOut} bytes out");
        Assert.True(program.Transactions > 0);
        var done = events.OfType<PhaseProgress>().Where(p => p.Phase == AttemptPhase.Program).Select(p => p.Done).ToList();
        Assert.True(done.Count > 2, $"{done.Count} program progress events");
        Assert.Equal(done.Order(), done);
    }

    [Theory]
    [InlineData("stm32g071rb")]
    [InlineData("stm32l476rg")]
    [InlineData("stm32f407vg")]
    public async Task RunAsync_BrownOutMidProgram_SameFailureAsTheDirectPath(string chip)
    {
        // Arrange: the board loses power when a tenth of its flash is programmed; the image covers a fifth.
        var part = Core.Devices.DeviceCatalog.Default.FindPart(chip)!;
        var recipe = EngineSlot.DefaultRecipe(chip);
        var image = EngineSlot.Image((int)(part.FlashBytes / 5), seed: 23);

        // Act
        AttemptResult direct, loader;
        await using (var slot = await EngineSlot.OpenAsync(chip, "brownout:program:10"))
        {
            direct = await slot.RunAsync(recipe, image, options: With(RamLoaderMode.Off));
        }

        await using (var slot = await EngineSlot.OpenAsync(chip, "brownout:program:10"))
        {
            loader = await slot.RunAsync(recipe, image, options: With(RamLoaderMode.Auto));
        }

        // Assert
        Assert.True(direct.FailureCode == FailureCode.TargetNotPowered, direct.Diagnosis?.Summary);
        Assert.True(loader.FailureCode == direct.FailureCode, loader.Diagnosis?.Summary);
        Assert.Equal(AttemptPhase.Program, direct.Diagnosis!.Phase);
        Assert.Equal(direct.Diagnosis.Phase, loader.Diagnosis!.Phase);
    }
}
