using ProdFlash.Core.Devices;
using ProdFlash.Core.Targets;
using ProdFlash.Programming.Engine;

namespace ProdFlash.Programming.Tests.Engine;

/// <summary>
/// The engine on the emulated XL-density STM32F103ZG: an image that spans bank 1 and bank 2 (0x08080000) is erased and
/// programmed through both FPEC register sets (FLASH_CR and FLASH_CR2 at +0x40) and reads back.
/// </summary>
public sealed class XlDensityTests
{
    private const string Chip = "stm32f103zg";
    private const uint Bank2Base = 0x0808_0000;

    [Fact]
    public async Task RunAsync_ImageAcrossTheBankBoundary_ErasesBothBanksProgramsAndVerifies()
    {
        // Arrange: 24 KiB from 0x0807D000: six 2 KiB pages in bank 1, six in bank 2.
        await using var slot = await EngineSlot.OpenAsync(Chip, null, 31);
        var image = EngineSlot.Image(24 * 1024, address: 0x0807_D000, seed: 91);

        // Act
        var result = await slot.RunAsync(EngineSlot.DefaultRecipe(Chip), image);

        // Assert
        Assert.True(result.Outcome == AttemptOutcome.Passed, result.Diagnosis?.Summary);
        Assert.Equal(0x430, result.Part!.Line.DevId);
        var plan = result.Erase!;
        Assert.False(plan.Mass);
        Assert.Equal(6, plan.Units.Count(u => u.Bank == 1));
        Assert.Equal(6, plan.Units.Count(u => u.Bank == 2));
        var back = new byte[image.Segments[0].Data.Length];
        await slot.Target.Memory.ReadAsync(0x0807_D000, back, AccessWidth.Word, TestContext.Current.CancellationToken);
        Assert.Equal(image.Segments[0].Data.ToArray(), back);
        Assert.Equal(image.Segments[0].Data.Length, result.BytesProgrammed);
    }

    [Fact]
    public async Task RunAsync_ImageOnlyInBank2_LeavesBank1Untouched()
    {
        // Arrange: bank 1 holds a first image; a second attempt programs only bank 2.
        await using var slot = await EngineSlot.OpenAsync(Chip, null, 32);
        var first = EngineSlot.Image(4096, seed: 92);
        var second = EngineSlot.Image(4096, address: Bank2Base + 0x1000, seed: 93);
        var firstResult = await slot.RunAsync(EngineSlot.DefaultRecipe(Chip), first);

        // Act
        var result = await slot.RunAsync(EngineSlot.DefaultRecipe(Chip), second);

        // Assert
        Assert.True(firstResult.Outcome == AttemptOutcome.Passed, firstResult.Diagnosis?.Summary);
        Assert.True(result.Outcome == AttemptOutcome.Passed, result.Diagnosis?.Summary);
        Assert.All(result.Erase!.Units, u => Assert.Equal(2, u.Bank));
        var bank1 = new byte[4096];
        await slot.Target.Memory.ReadAsync(0x0800_0000, bank1, AccessWidth.Word, TestContext.Current.CancellationToken);
        Assert.Equal(first.Segments[0].Data.ToArray(), bank1);
        var bank2 = new byte[4096];
        await slot.Target.Memory.ReadAsync(Bank2Base + 0x1000, bank2, AccessWidth.Word, TestContext.Current.CancellationToken);
        Assert.Equal(second.Segments[0].Data.ToArray(), bank2);
    }
}
