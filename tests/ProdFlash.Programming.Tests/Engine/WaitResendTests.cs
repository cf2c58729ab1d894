using ProdFlash.Core.Targets;
using ProdFlash.Programming.Engine;

namespace ProdFlash.Programming.Tests.Engine;

/// <summary>
/// WAIT is the one SWD answer that is retried (STYLE habit 7): a write that got WAIT is re-sent, once, with its data;
/// it must land exactly once. With the emulator answering WAIT to a share of all accesses, whole attempts on every
/// family still program, verify and pass, and the probe firmware's retry counter shows the re-sends happened.
/// </summary>
public sealed class WaitResendTests
{
    [Theory]
    [InlineData("stm32f103c8")]
    [InlineData("stm32f030f4")]
    [InlineData("stm32f407vg")]
    [InlineData("stm32g071rb")]
    [InlineData("stm32l476rg")]
    public async Task RunAsync_WaitOnAThirdOfAccesses_WritesResentAndAttemptPassesWithTheImage(string chip)
    {
        // Arrange
        await using var slot = await EngineSlot.OpenAsync(chip, "flaky-wait:0.3", 31);
        var image = EngineSlot.Image(8192, seed: 29);

        // Act
        var result = await slot.RunAsync(EngineSlot.DefaultRecipe(chip), image);

        // Assert: verify read every byte back equal; the re-sent writes were neither lost nor doubled.
        Assert.True(result.Outcome == AttemptOutcome.Passed, result.Diagnosis?.Summary);
        Assert.Equal(8192, result.BytesProgrammed);
        Assert.True(slot.Emulated.Dap.WaitRetries > 1000, $"{slot.Emulated.Dap.WaitRetries} WAIT retries");
        var back = new byte[8192];
        await slot.Target.Memory.ReadAsync(0x0800_0000, back, AccessWidth.Word, TestContext.Current.CancellationToken);
        Assert.Equal(image.Segments[0].Data.ToArray(), back);
    }
}
