using System.Buffers.Binary;

using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Images;
using ProdFlash.Core.Recipes;
using ProdFlash.Core.Targets;
using ProdFlash.Programming.Engine;
using ProdFlash.Programming.Verify;

namespace ProdFlash.Programming.Tests.Engine;

/// <summary>
/// The verify phase with the chip's CRC unit fed by a memory-to-memory DMA (docs/onchip-verify.md): passes on good
/// flash without moving the image again, names the failing address under the emulator's faults, restores what it
/// touched, and falls back to a readback where it cannot run.
/// </summary>
public sealed class OnChipVerifyTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string, int> Parts => new()
    {
        { "stm32f103c8", 16 * 1024 },
        { "stm32f030f4", 8 * 1024 },
        { "stm32f407vg", 20 * 1024 },
        { "stm32g071rb", 16 * 1024 },
        { "stm32l476rg", 16 * 1024 },
    };

    [Theory]
    [MemberData(nameof(Parts))]
    public async Task RunAsync_DefaultRecipe_VerifiesOnChipWithoutReadingTheImageBack(string part, int length)
    {
        // Arrange
        await using var slot = await EngineSlot.OpenAsync(part);
        var image = EngineSlot.Image(length);

        // Act
        var result = await slot.RunAsync(EngineSlot.DefaultRecipe(part), image);

        // Assert: every byte covered by the CRC; the verify phase moved a few register words, not the image
        Assert.True(result.Outcome == AttemptOutcome.Passed, result.Diagnosis?.Summary);
        var verify = result.Phases.Single(p => p.Phase == AttemptPhase.Verify);
        Assert.Equal(new VerifyRecord(VerifyMethod.OnChipCrc, length, 0, 1, null), verify.Verify);
        Assert.True(verify.BytesIn < 512, $"verify read {verify.BytesIn} bytes");
    }

    [Theory]
    [MemberData(nameof(Parts))]
    public async Task RunAsync_VerifyMismatchFault_FailsWithTheFirstProgrammedAddress(string part, int length)
    {
        // Arrange: the fault inverts bit 0 of the first programmed byte, for the DMA as for the debugger
        await using var slot = await EngineSlot.OpenAsync(part, EngineSlot.VerifyMismatchFault);
        var image = EngineSlot.Image(length);
        var first = image.Segments[0].Data.Span[0];

        // Act
        var result = await slot.RunAsync(EngineSlot.DefaultRecipe(part), image);

        // Assert
        Assert.Equal(FailureCode.VerifyMismatch, result.FailureCode);
        Assert.Equal(AttemptPhase.Verify, result.Diagnosis!.Phase);
        var evidence = result.Diagnosis.Evidence.ToDictionary(e => e.Name);
        Assert.Equal(EvidenceFormat.Hex32(0x0800_0000), evidence["First differing address"].Measured);
        Assert.Equal(EvidenceFormat.Hex((ulong)(first ^ 1), 2), evidence["Byte read back"].Measured);
        Assert.Equal(EvidenceFormat.Hex(first, 2), evidence["Byte read back"].Expected);
        Assert.Contains("on-chip CRC", evidence["Found by"].Measured, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_StuckBitInPage9_NamesThatAddressAndReadsBackOnlyThatPage()
    {
        // Arrange: 16 KiB on an F103C8 (1 KiB pages); bit 3 at 0x08002502 stuck at 1 and clear in the image
        const uint victim = 0x0800_2502;
        var bytes = new byte[16 * 1024];
        new Random(7).NextBytes(bytes);
        bytes[victim - 0x0800_0000] &= 0xF7;
        var image = new MemoryImage([new ImageSegment(0x0800_0000, bytes)]);
        await using var slot = await EngineSlot.OpenAsync("stm32f103c8", $"stuck-bit:0x{victim:X8}:3:1");

        // Act
        var result = await slot.RunAsync(EngineSlot.DefaultRecipe("stm32f103c8"), image);

        // Assert: the bisection reads back the one 1 KiB page, not the image
        Assert.Equal(FailureCode.VerifyMismatch, result.FailureCode);
        var evidence = result.Diagnosis!.Evidence.ToDictionary(e => e.Name);
        Assert.Equal(EvidenceFormat.Hex32(victim), evidence["First differing address"].Measured);
        Assert.Contains("page 9 at 0x08002400", evidence["Found by"].Measured, StringComparison.Ordinal);
        var verify = result.Phases.Single(p => p.Phase == AttemptPhase.Verify);
        Assert.InRange(verify.BytesIn, 1024, 2048);
    }

    [Fact]
    public async Task RunAsync_L476OneMiB_SplitsIntoDmaSizedTransfers()
    {
        // Arrange: 1 MiB is more than one DMA transfer (65535 words)
        await using var slot = await EngineSlot.OpenAsync("stm32l476rg");
        var image = EngineSlot.Image(1024 * 1024);

        // Act
        var result = await slot.RunAsync(EngineSlot.DefaultRecipe("stm32l476rg"), image);

        // Assert: 2 KiB pages, at most 127 of them (254 KiB) a transfer → 5 transfers
        Assert.True(result.Outcome == AttemptOutcome.Passed, result.Diagnosis?.Summary);
        Assert.Equal(new VerifyRecord(VerifyMethod.OnChipCrc, 1024 * 1024, 0, 5, null), result.Phases.Single(p => p.Phase == AttemptPhase.Verify).Verify);
    }

    [Fact]
    public async Task RunAsync_UnalignedImage_ReadsBackOnlyTheEdgeBytes()
    {
        // Arrange: 0x08000402..0x08001403: a 2-byte head and a 3-byte tail lie outside whole words
        await using var slot = await EngineSlot.OpenAsync("stm32f103c8");
        var bytes = new byte[4097];
        new Random(11).NextBytes(bytes);
        var image = new MemoryImage([new ImageSegment(0x0800_0402, bytes)]);

        // Act
        var result = await slot.RunAsync(EngineSlot.DefaultRecipe("stm32f103c8"), image);

        // Assert
        Assert.True(result.Outcome == AttemptOutcome.Passed, result.Diagnosis?.Summary);
        Assert.Equal(new VerifyRecord(VerifyMethod.OnChipCrc, 4097, 5, 1, null), result.Phases.Single(p => p.Phase == AttemptPhase.Verify).Verify);
    }

    [Theory]
    [InlineData("stm32f103c8", 0x40021014u, 0x40020000u, 0x18)]
    [InlineData("stm32f407vg", 0x40023830u, 0x40026400u, 0x28)]
    [InlineData("stm32g071rb", 0x40021038u, 0x40020000u, 0x18)]
    [InlineData("stm32l476rg", 0x40021048u, 0x40020000u, 0x18)]
    public async Task RunAsync_ToVerify_LeavesCrcDmaAndClocksAsFound(string part, uint rcc, uint dma, int dmaBytes)
    {
        // Arrange: the registers as the chip has them after connect (reset values)
        await using var slot = await EngineSlot.OpenAsync(part);
        var options = new AttemptOptions { LastPhase = AttemptPhase.Verify };
        await slot.Target.ConnectAsync(Ct);
        var rccBefore = await slot.Target.Memory.ReadUInt32Async(rcc, Ct);
        await slot.Target.Memory.WriteUInt32Async(rcc, rccBefore | OnChipCrcMap.ByFamily[FamilyOf(part)].DmaEnableMask | OnChipCrcMap.ByFamily[FamilyOf(part)].CrcEnableMask, Ct);
        var crcBefore = await ReadAsync(slot, OnChipCrcMap.CrcBase, 0x18);
        var dmaBefore = await ReadAsync(slot, dma, dmaBytes);
        await slot.Target.Memory.WriteUInt32Async(rcc, rccBefore, Ct);

        // Act
        var result = await slot.RunAsync(EngineSlot.DefaultRecipe(part), EngineSlot.Image(4096), options: options);

        // Assert: the verify ran on the chip, then the clocks are off again and the registers read as before
        Assert.True(result.Outcome == AttemptOutcome.Passed, result.Diagnosis?.Summary);
        Assert.Equal(VerifyMethod.OnChipCrc, result.Phases.Single(p => p.Phase == AttemptPhase.Verify).Verify!.Method);
        Assert.Equal(rccBefore, await slot.Target.Memory.ReadUInt32Async(rcc, Ct));
        await slot.Target.Memory.WriteUInt32Async(rcc, rccBefore | OnChipCrcMap.ByFamily[FamilyOf(part)].DmaEnableMask | OnChipCrcMap.ByFamily[FamilyOf(part)].CrcEnableMask, Ct);
        Assert.Equal(crcBefore, await ReadAsync(slot, OnChipCrcMap.CrcBase, 0x18));
        Assert.Equal(Words(dmaBefore), Words(await ReadAsync(slot, dma, dmaBytes)));
    }

    [Fact]
    public async Task RunAsync_AllowedClone_FallsBackToReadbackAndSaysWhy()
    {
        // Arrange: the reference lists no CRC/DMA facts for the look-alikes, so the engine does not use them
        await using var slot = await EngineSlot.OpenAsync("gd32f103c8");
        var recipe = EngineSlot.DefaultRecipe("stm32f103c8") with { Genuineness = new GenuinenessPolicy(["GD32"]) };

        // Act
        var result = await slot.RunAsync(recipe, EngineSlot.Image(4096));

        // Assert
        Assert.True(result.Outcome == AttemptOutcome.Passed, result.Diagnosis?.Summary);
        var verify = result.Phases.Single(p => p.Phase == AttemptPhase.Verify).Verify!;
        Assert.Equal(VerifyMethod.Readback, verify.Method);
        Assert.Equal(4096, verify.BytesReadBack);
        Assert.Contains("not genuine ST", verify.Fallback, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ReadbackRecipe_ReadsEveryByte()
    {
        // Arrange
        await using var slot = await EngineSlot.OpenAsync("stm32g071rb");
        var recipe = EngineSlot.DefaultRecipe("stm32g071rb") with { Checks = new CheckSettings(VerifyMode.Readback, false) };

        // Act
        var result = await slot.RunAsync(recipe, EngineSlot.Image(8192));

        // Assert
        Assert.True(result.Outcome == AttemptOutcome.Passed, result.Diagnosis?.Summary);
        Assert.Equal(new VerifyRecord(VerifyMethod.Readback, 8192, 8192, 0, null), result.Phases.Single(p => p.Phase == AttemptPhase.Verify).Verify);
    }

    private static string FamilyOf(string part) => part[5..7];

    private static async Task<byte[]> ReadAsync(EngineSlot slot, uint address, int length)
    {
        var bytes = new byte[length];
        await slot.Target.Memory.ReadAsync(address, bytes, AccessWidth.Word, Ct);
        return bytes;
    }

    private static uint[] Words(byte[] bytes) =>
        [.. Enumerable.Range(0, bytes.Length / 4).Select(i => BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i * 4)))];
}
