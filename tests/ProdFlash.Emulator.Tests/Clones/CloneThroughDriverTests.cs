using ProdFlash.Core.Targets;

namespace ProdFlash.Emulator.Tests.Clones;

/// <summary>
/// The look-alikes as our ST-LINK driver sees them over the emulated probe, opened by <c>emulator://</c> selector:
/// the identity a programming station reads to give its genuine/clone verdict (reference §5.3).
/// </summary>
public sealed class CloneThroughDriverTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("stm32f103c8", 0x1BA01477u, 0x14770011u, 0x411FC231u, 0x20036410u)] // genuine (§5.3 first column)
    [InlineData("cks32f103c8", 0x2BA01477u, 0x24770011u, 0x412FC231u, 0x20036410u)] // STL PR #805, YEP
    [InlineData("apm32f103c8", 0x2BA01477u, 0x24770011u, 0x412FC231u, 0x20036410u)] // OCD-apm, MECRISP
    public async Task Connect_F103OrLookAlike_ReadsItsDebugIdentity(string chip, uint dpIdr, uint apIdr, uint cpuId, uint idCode)
    {
        // Arrange
        await using var slot = await EmulatedSlot.OpenAsync($"emulator://{chip}");

        // Act
        var connection = await slot.ConnectAsync();
        var readApIdr = await slot.Target.ReadApAsync(0, 0xFC, Ct);
        var readCpuId = await slot.ReadWordAsync(CloneBus.CpuId);
        var readIdCode = await slot.ReadWordAsync(CloneBus.DbgMcuIdCode);

        // Assert
        Assert.Equal(dpIdr, connection.DpIdr);
        Assert.Equal(apIdr, readApIdr);
        Assert.Equal(cpuId, readCpuId);
        Assert.Equal(idCode & 0xFFFF0FFF, readIdCode & 0xFFFF0FFF); // REV_ID and DEV_ID (bits [15:12] are cited only for two)
    }

    [Theory]
    [InlineData("stm32f103c8", 0x020, 0x410)] // ST, genuine F103 ROM table
    [InlineData("cks32f103c8", 0x43B, 0x4C3)] // ARM, Cortex-M3 ROM
    [InlineData("gd32f103c8", 0x751, -1)] // GigaDevice Beijing (ROM part not published)
    [InlineData("hk32f103c8", 0x555, 0x29B)] // JEDEC clear, 0x55 cont 5 (BMP PR #1821)
    [InlineData("at32f403acg", 0x43B, 0x4C4)] // ARM, Cortex-M4 ROM
    public async Task RomTable_ReadThroughDriver_DesignerAndPartAsReference(string chip, int designer, int part)
    {
        // Arrange
        await using var slot = await EmulatedSlot.OpenAsync($"emulator://{chip}");
        await slot.ConnectAsync();

        // Act: AP BASE, then PIDR4 and PIDR0..3 of the ROM table
        var romBase = await slot.Target.ReadApAsync(0, 0xF8, Ct) & ~0xFFFu;
        ulong pid = await slot.ReadWordAsync(romBase + 0xFD0) & 0xFF;
        pid <<= 32;
        for (var i = 0; i < 4; i++)
        {
            pid |= (ulong)(await slot.ReadWordAsync(romBase + 0xFE0 + (uint)(4 * i)) & 0xFF) << (8 * i);
        }

        var (readDesigner, _, readPart) = CloneBus.DecodePeripheralId(pid);

        // Assert
        Assert.Equal(0xE00FF000u, romBase);
        Assert.Equal(designer, readDesigner);
        if (part >= 0)
        {
            Assert.Equal(part, readPart);
        }
    }

    [Theory]
    [InlineData("ch32f103c8", 0u, 0x2000u)] // FSIZE may read 0, REV 0x2000 (BMP)
    [InlineData("gd32f103c8", 64u, 0x1303u)] // REV 0x1303 (BLAAT part 4)
    [InlineData("cks32f103c8", 128u, 0x2003u)] // FSIZE 128 (YEP)
    public async Task FlashSizeAndRevision_ReadThroughDriver_AsReference(string chip, uint flashKiB, uint revId)
    {
        // Arrange
        await using var slot = await EmulatedSlot.OpenAsync($"emulator://{chip}");
        await slot.ConnectAsync();

        // Act
        var fsize = await slot.ReadWordAsync(CloneBus.FlashSize) & 0xFFFF;
        var rev = await slot.ReadWordAsync(CloneBus.DbgMcuIdCode) >> 16;

        // Assert
        Assert.Equal(flashKiB, fsize);
        Assert.Equal(revId, rev);
    }

    [Fact]
    public async Task ConnectAsync_At32_IsCortexM4WithArteryPartId()
    {
        // Arrange
        await using var slot = await EmulatedSlot.OpenAsync("emulator://at32f403acg");

        // Act
        var connection = await slot.ConnectAsync();
        var idCode = await slot.ReadWordAsync(CloneBus.DbgMcuIdCode);

        // Assert: §5.3 AT32 column: SW-DP 0x1BA01477 (OCD-art), Cortex-M4 PARTNO 0xC24, IDCODE 0x7005_0xxx
        Assert.Equal(0x1BA01477u, connection.DpIdr);
        Assert.Equal(0xC24u, (slot.Target.Cpuid!.Value >> 4) & 0xFFF);
        Assert.Equal(0x7005u, idCode >> 16);
    }

    [Fact]
    public async Task Selector_UnknownLookAlike_NamesTheClonesAvailable()
    {
        // Act
        var error = await Assert.ThrowsAsync<EmulatorConfigurationException>(() => EmulatedSlot.OpenAsync("emulator://xx32f103c8"));

        // Assert
        Assert.Contains("cks32f103c8", error.Message, StringComparison.Ordinal);
        Assert.Contains("at32f403acg", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Write_Apm32HalfWordsAsOneBlock_OnlyEveryOtherHalfWordIsProgrammed()
    {
        // Arrange: unlock, PG, then eight half-words in one 16-bit block write (the AP does not wait for BSY)
        await using var slot = await EmulatedSlot.OpenAsync("emulator://apm32f103c8");
        await slot.ConnectAsync();
        await slot.Target.WriteUInt32Async(0x40022004, 0x45670123, Ct);
        await slot.Target.WriteUInt32Async(0x40022004, 0xCDEF89AB, Ct);
        await slot.Target.WriteUInt32Async(0x40022010, 1, Ct); // CR.PG
        var data = Enumerable.Range(0, 16).Select(i => (byte)(i + 1)).ToArray();

        // Act
        await slot.Target.WriteAsync(0x08000000, data, AccessWidth.HalfWord, Ct);
        var readBack = new byte[16];
        await slot.Target.ReadAsync(0x08000000, readBack, AccessWidth.Word, Ct);

        // Assert: §5.3 APM32 "must wait for BSY between half-words": the first half-word lands, the next, written
        // while BSY, is lost; a genuine F103 would stall the bus instead and program all of them
        Assert.Equal(new byte[] { 1, 2 }, readBack[..2]);
        Assert.NotEqual(data, readBack);
        Assert.Contains(readBack.Chunk(2), pair => pair[0] == 0xFF && pair[1] == 0xFF);
    }

    [Fact]
    public async Task Write_GenuineHalfWordsAsOneBlock_AllProgrammed()
    {
        // Arrange
        await using var slot = await EmulatedSlot.OpenAsync("emulator://stm32f103c8");
        await slot.ConnectAsync();
        await slot.Target.WriteUInt32Async(0x40022004, 0x45670123, Ct);
        await slot.Target.WriteUInt32Async(0x40022004, 0xCDEF89AB, Ct);
        await slot.Target.WriteUInt32Async(0x40022010, 1, Ct);
        var data = Enumerable.Range(0, 16).Select(i => (byte)(i + 1)).ToArray();

        // Act
        await slot.Target.WriteAsync(0x08000000, data, AccessWidth.HalfWord, Ct);
        var readBack = new byte[16];
        await slot.Target.ReadAsync(0x08000000, readBack, AccessWidth.Word, Ct);

        // Assert: the AHB-AP stalls while BSY, so every half-word is programmed
        Assert.Equal(data, readBack);
    }
}
