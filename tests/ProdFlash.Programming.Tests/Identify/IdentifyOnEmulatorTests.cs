using ProdFlash.Core.Devices;
using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Recipes;
using ProdFlash.Programming.Engine;
using ProdFlash.Programming.Identify;
using ProdFlash.Programming.Tests.Engine;

namespace ProdFlash.Programming.Tests.Identify;

/// <summary>Whole attempts on the emulator's genuine family models and clone models: device, verdict and evidence.</summary>
public sealed class IdentifyOnEmulatorTests
{
    [Theory]
    [InlineData("stm32f030f4", 0x0BB11477u, 0x444, 16)]
    [InlineData("stm32f103c8", 0x1BA01477u, 0x410, 64)]
    [InlineData("stm32f407vg", 0x2BA01477u, 0x413, 1024)]
    [InlineData("stm32g071rb", 0x0BC11477u, 0x460, 128)]
    [InlineData("stm32l476rg", 0x2BA01477u, 0x415, 1024)]
    public async Task RunAsync_GenuineFamilyModel_GenuineRightDeviceAndPasses(string chip, uint dpIdr, int devId, int flashKiB)
    {
        // Arrange: SW-DP IDs per stm32-targets.md §5.1, DEV_IDs per §2.2.
        await using var slot = await EngineSlot.OpenAsync(chip);

        // Act
        var result = await slot.RunAsync(EngineSlot.DefaultRecipe(chip), EngineSlot.Image(4096));

        // Assert
        Assert.True(result.Outcome == AttemptOutcome.Passed, result.Diagnosis?.Summary);
        var identity = result.Identity!;
        Assert.Equal(OriginVerdict.GenuineSt, identity.Verdict);
        Assert.Equal(dpIdr, identity.Debug.SwdDpIdr);
        Assert.Equal(devId, DeviceCatalog.DevIdOf(identity.Debug.DbgmcuIdcode!.Value));
        Assert.Equal(flashKiB, identity.FlashKiB);
        Assert.Contains(identity.Candidates, p => p.PartNumber == chip);
        Assert.Equal(chip, result.Part!.PartNumber);
        Assert.Matches("^[0-9A-F]{24}$", identity.Uid);
    }

    /// <summary>Every genuine chip model the emulator builds (every catalog part it models).</summary>
    public static TheoryData<string> GenuineModels => [.. Emulator.EmulatedChips.Names.Where(n => n.StartsWith("stm32", StringComparison.Ordinal))];

    [Theory]
    [MemberData(nameof(GenuineModels))]
    public async Task RunAsync_EveryGenuineModel_IdentifiesGenuineAsItsCatalogPart(string chip)
    {
        // Arrange: stop after identify; the recipe expects exactly this part.
        await using var slot = await EngineSlot.OpenAsync(chip, null, 3);
        var part = DeviceCatalog.Default.FindPart(chip)!;

        // Act
        var result = await slot.RunAsync(EngineSlot.DefaultRecipe(chip), EngineSlot.Image(1024), options: new AttemptOptions { LastPhase = AttemptPhase.Identify });

        // Assert
        Assert.True(result.Outcome == AttemptOutcome.Passed, result.Diagnosis?.Summary);
        var identity = result.Identity!;
        Assert.True(identity.Verdict == OriginVerdict.GenuineSt, string.Join("; ", identity.Evidence.Select(e => $"{e.Name} {e.Measured} (genuine {e.Expected})")));
        Assert.Contains(identity.Candidates, p => p.PartNumber == chip);
        Assert.Equal(part.FlashKiB, identity.FlashKiB);
        Assert.Equal(chip, result.Part!.PartNumber);
    }

    [Theory]
    [InlineData("cks32f103c8", "CKS32", "ROM table")]
    [InlineData("apm32f103c8", "APM32", "ROM table")]
    [InlineData("gd32f103c8", "GD32", "ROM-table designer")]
    [InlineData("ch32f103c8", "CH32", "DBGMCU REV_ID")]
    [InlineData("hk32f103c8", "HK32", "ROM-table designer")]
    [InlineData("at32f403acg", "AT32", "Part ID (DBGMCU_IDCODE)")]
    public async Task RunAsync_CloneModelWithGenuineOnlyRecipe_CounterfeitWithTheTellAsEvidence(string chip, string family, string tell)
    {
        // Arrange
        await using var slot = await EngineSlot.OpenAsync(chip);

        // Act
        var result = await slot.RunAsync(EngineSlot.DefaultRecipe("stm32f103c8"), EngineSlot.Image(1024));

        // Assert
        Assert.Equal(FailureCode.CounterfeitDevice, result.FailureCode);
        Assert.Equal(AttemptPhase.Identify, result.Diagnosis!.Phase);
        Assert.Equal(OriginVerdict.Clone, result.Identity!.Verdict);
        Assert.Equal(family, result.Identity.CloneFamily);
        Assert.Equal(tell, result.Identity.Evidence[0].Name);
        Assert.Contains(result.Diagnosis.Evidence, e => e.Name == tell);
    }

    [Theory]
    [InlineData("cks32f103c8", "CKS32", "stm32f103cb")] // the CKS32 flash-size register reads 128 KiB (stm32-targets.md §5.3, YEP)
    [InlineData("gd32f103c8", "GD32", "stm32f103c8")]
    public async Task RunAsync_CloneTheRecipeAllows_IdentifiesAsF103AndPasses(string chip, string family, string part)
    {
        // Arrange
        await using var slot = await EngineSlot.OpenAsync(chip);
        var recipe = EngineSlot.DefaultRecipe(part) with { Genuineness = new GenuinenessPolicy([family]) };

        // Act
        var result = await slot.RunAsync(recipe, EngineSlot.Image(2048));

        // Assert
        Assert.True(result.Outcome == AttemptOutcome.Passed, result.Diagnosis?.Summary);
        Assert.Equal(family, result.Identity!.CloneFamily);
        Assert.Equal(part, result.Part!.PartNumber);
    }

    [Fact]
    public async Task RunAsync_F407WithF103Recipe_WrongDeviceNamingBoth()
    {
        // Arrange
        await using var slot = await EngineSlot.OpenAsync("stm32f407vg");

        // Act
        var result = await slot.RunAsync(EngineSlot.DefaultRecipe("stm32f103c8"), EngineSlot.Image(1024));

        // Assert
        Assert.Equal(FailureCode.WrongDevice, result.FailureCode);
        Assert.Contains(result.Diagnosis!.Evidence, e => e.Name == "Device" && e.Expected == "STM32F103C8" && e.Measured.Contains("STM32F407VG", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_F103C8WithF103CBRecipe_FlashSizeMismatch64Versus128()
    {
        // Arrange: same DEV_ID 0x410, the flash-size register reads 64 KiB, the CB has 128 KiB.
        await using var slot = await EngineSlot.OpenAsync("stm32f103c8");

        // Act
        var result = await slot.RunAsync(EngineSlot.DefaultRecipe("stm32f103cb"), EngineSlot.Image(1024));

        // Assert
        Assert.Equal(FailureCode.FlashSizeMismatch, result.FailureCode);
        var size = Assert.Single(result.Diagnosis!.Evidence);
        Assert.Equal("64", size.Measured);
        Assert.Equal("128", size.Expected);
    }
}
