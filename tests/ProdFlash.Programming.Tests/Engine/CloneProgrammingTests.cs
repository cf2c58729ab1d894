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
