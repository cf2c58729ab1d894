using System.Buffers.Binary;

using CsCheck;

using ProdFlash.Emulator.Chips;
using ProdFlash.Emulator.Chips.Clones;
using ProdFlash.Emulator.Chips.Peripherals;
using ProdFlash.Emulator.Target;
using ProdFlash.Emulator.Tests.Chips.Families;
using ProdFlash.Programming.Verify;

namespace ProdFlash.Emulator.Tests.Chips.Peripherals;

/// <summary>The CRC unit and memory-to-memory DMA models: against the host CRC, on every family, with faults.</summary>
public sealed class OnChipCrcDmaTests
{
    private const uint CrcDr = Stm32CrcUnit.Base + Stm32CrcUnit.DrOffset;
    private const uint CrcCr = Stm32CrcUnit.Base + Stm32CrcUnit.CrOffset;
    private const uint Flash = 0x0800_0000;
    private const uint Sram = 0x2000_0000;

    // Channel DMA: MEM2MEM | MSIZE 32 | PSIZE 32 | MINC | DIR (memory -> peripheral) | EN (RM0008).
    private const uint ChannelFlashToCrc = Stm32DmaChannels.CcrMem2Mem | (2u << 10) | (2u << 8) | Stm32DmaChannels.CcrMinc | Stm32DmaChannels.CcrDir;

    // Stream DMA: DIR = 10 (memory-to-memory, PAR source) | MSIZE 32 | PSIZE 32 | PINC (RM0090).
    private const uint StreamFlashToCrc = Stm32DmaStreams.CrDirMemoryToMemory | (2u << 13) | (2u << 11) | Stm32DmaStreams.CrPinc;

    public static TheoryData<string> Families => ["stm32f030f4", "stm32f407vg", "stm32g071rb", "stm32l476rg"];

    [Theory]
    [InlineData(0x00000000u, 0xC704DD7Bu)]
    [InlineData(0x12345678u, 0xDF8A8A2Bu)]
    public void CrcUnit_OneWordFromReset_ReadsTheKnownValue(uint word, uint expected)
    {
        // Arrange: the F1 unit as it leaves reset (DR = 0xFFFFFFFF)
        var unit = new Stm32CrcUnit(CrcUnitKind.Fixed, 8);

        // Act
        unit.Write(Stm32CrcUnit.DrOffset, 4, word);

        // Assert: the values ST's examples print for these words; the host implementation agrees
        Assert.Equal(expected, unit.Read(Stm32CrcUnit.DrOffset));
        Assert.Equal(expected, Stm32Crc.FeedWord(Stm32Crc.InitialValue, word));
    }

    [Fact]
    public void CrcUnit_AnyWords_MatchesTheHostCrc()
    {
        Gen.UInt.Array[0, 64].Sample(words =>
        {
            // Arrange: a G0 unit (programmable, left at its reset configuration) and the same words as memory bytes
            var unit = new Stm32CrcUnit(CrcUnitKind.ProgrammablePolynomial, 32);
            var bytes = new byte[words.Length * 4];
            for (var i = 0; i < words.Length; i++)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i * 4), words[i]);
            }

            // Act
            foreach (var w in words)
            {
                unit.Write(Stm32CrcUnit.DrOffset, 4, w);
            }

            // Assert
            Assert.Equal(Stm32Crc.Compute(bytes), unit.Read(Stm32CrcUnit.DrOffset));
        });
    }

    [Fact]
    public void CrcUnit_ReverseInByWordAndReverseOut_IsZlibCrc32BeforeTheFinalXor()
    {
        Gen.Byte.Array[0, 64].Where(b => b.Length % 4 == 0).Sample(bytes =>
        {
            // Arrange: REV_IN = 11 (by word: little-endian word writes then feed memory order, each byte LSB first), REV_OUT = 1:
            // the reflected CRC-32 of zlib, without its final inversion
            var unit = new Stm32CrcUnit(CrcUnitKind.ProgrammablePolynomial, 32);
            unit.Write(Stm32CrcUnit.CrOffset, 4, Stm32CrcUnit.CrRevInMask | Stm32CrcUnit.CrRevOut | Stm32CrcUnit.CrReset);

            // Act
            for (var i = 0; i < bytes.Length; i += 4)
            {
                unit.Write(Stm32CrcUnit.DrOffset, 4, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(i)));
            }

            // Assert
            Assert.Equal(ZlibCrc32(bytes), unit.Read(Stm32CrcUnit.DrOffset) ^ 0xFFFFFFFF);
        });
    }

    [Theory]
    [InlineData(1u, 0x58D43CB2u)]
    [InlineData(2u, 0xD458B23Cu)]
    [InlineData(3u, 0xB23CD458u)]
    public void CrcUnit_ReverseIn_ReversesByByteHalfWordOrWord(uint mode, uint fedAs)
    {
        // Arrange: RM0444 example: 0x1A2B3C4D written with REV_IN = 01/10/11 is fed as these words
        var reversed = new Stm32CrcUnit(CrcUnitKind.ProgrammablePolynomial, 32);
        reversed.Write(Stm32CrcUnit.CrOffset, 4, (mode << 5) | Stm32CrcUnit.CrReset);
        var plain = new Stm32CrcUnit(CrcUnitKind.ProgrammablePolynomial, 32);

        // Act
        reversed.Write(Stm32CrcUnit.DrOffset, 4, 0x1A2B3C4D);
        plain.Write(Stm32CrcUnit.DrOffset, 4, fedAs);

        // Assert
        Assert.Equal(plain.Read(Stm32CrcUnit.DrOffset), reversed.Read(Stm32CrcUnit.DrOffset));
    }

    [Fact]
    public void CrcUnit_ResetBit_LoadsInitAndReadsZero()
    {
        // Arrange
        var unit = new Stm32CrcUnit(CrcUnitKind.ProgrammablePolynomial, 32);
        unit.Write(Stm32CrcUnit.DrOffset, 4, 0xDEADBEEF);
        unit.Write(Stm32CrcUnit.InitOffset, 4, 0x12345678);

        // Act
        unit.Write(Stm32CrcUnit.CrOffset, 4, Stm32CrcUnit.CrReset);

        // Assert
        Assert.Equal(0x12345678u, unit.Read(Stm32CrcUnit.DrOffset));
        Assert.Equal(0u, unit.Read(Stm32CrcUnit.CrOffset));
    }

    [Fact]
    public void F1_ClockOff_CrcAndDmaReadZeroAndIgnoreWrites()
    {
        // Arrange: RCC_AHBENR at reset has neither DMA1EN nor CRCEN (RM0008: 0x14)
        var chip = new Stm32F1Chip(Stm32F1Specs.Stm32F103C8, new ManualModeledClock());

        // Act
        chip.Write32(CrcDr, 0x12345678);
        chip.Write32(0x40020008, ChannelFlashToCrc);

        // Assert
        Assert.Equal(0u, chip.Read32(CrcDr));
        Assert.Equal(0u, chip.Read32(0x40020008));
        chip.Write32(0x40021014, 0x14 | 0x41);
        Assert.Equal(Stm32CrcUnit.DefaultInit, chip.Read32(CrcDr));
    }

    [Fact]
    public void F1_SramToSram_CopiesOnModeledTimeAndSetsTransferComplete()
    {
        // Arrange: 64 words in SRAM, DMA1 channel 1 memory-to-memory (CPAR source, CMAR destination, DIR = 0)
        var clock = new ManualModeledClock();
        var chip = new Stm32F1Chip(Stm32F1Specs.Stm32F103C8, clock);
        chip.Write32(0x40021014, 0x14 | 0x41);
        for (uint i = 0; i < 64; i++)
        {
            chip.Write32(Sram + (4 * i), 0xA5000000 | i);
        }

        chip.Write32(0x4002000C, 64);
        chip.Write32(0x40020010, Sram);
        chip.Write32(0x40020014, Sram + 0x400);

        // Act
        chip.Write32(0x40020008, Stm32DmaChannels.CcrMem2Mem | (2u << 10) | (2u << 8) | Stm32DmaChannels.CcrMinc | Stm32DmaChannels.CcrPinc | Stm32DmaChannels.CcrEn);
        var remainingAtStart = chip.Read32(0x4002000C);
        clock.Advance(OnChipPeripheralLayout.F1.TimeFor(10));
        var remainingAfterTen = chip.Read32(0x4002000C);
        clock.Advance(OnChipPeripheralLayout.F1.TimeFor(60));

        // Assert: 5 AHB clocks a word at HSI 8 MHz; TCIF1|HTIF1|GIF1, CNDTR 0, EN still set (normal mode)
        Assert.Equal(64u, remainingAtStart);
        Assert.Equal(54u, remainingAfterTen);
        Assert.Equal(0u, chip.Read32(0x4002000C));
        Assert.Equal(0x7u, chip.Read32(0x40020000) & 0xF);
        Assert.Equal(1u, chip.Read32(0x40020008) & 1);
        for (uint i = 0; i < 64; i++)
        {
            Assert.Equal(0xA5000000 | i, chip.Read32(Sram + 0x400 + (4 * i)));
        }
    }

    [Fact]
    public void F1_FlashToCrc_MatchesHostCrcOfWhatTheDebuggerReads_IncludingTheVerifyMismatchFault()
    {
        // Arrange: one programmed half-word under the verify-mismatch fault (its bit 0 reads inverted on every master)
        var clock = new ManualModeledClock();
        var chip = new Stm32F1Chip(Stm32F1Specs.Stm32F103C8, clock, new ChipFaults(VerifyMismatch: true));
        chip.UnlockFlash();
        chip.Write32(ChipBus.Cr, Stm32F1FlashController.CrPg);
        chip.Write16(Flash + 0x100, 0x1234);
        chip.WaitNotBusy(clock);
        var seen = new byte[1024];
        for (var i = 0; i < seen.Length; i += 4)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(seen.AsSpan(i), chip.Read32(Flash + (uint)i));
        }

        // Act
        var crc = RunChannelCrc(chip, clock, OnChipPeripheralLayout.F1, Flash, 256);

        // Assert: the DMA sees the flipped bit too, so the CRC is not that of the programmed bytes
        Assert.Equal(0x35, seen[0x100]);
        Assert.Equal(Stm32Crc.Compute(seen), crc);
        Assert.NotEqual(Stm32Crc.Compute(chip.MainFlash[..1024]), crc);
    }

    [Fact]
    public void F1_BadSourceAddress_SetsTransferErrorAndClearsEnable()
    {
        // Arrange
        var clock = new ManualModeledClock();
        var chip = new Stm32F1Chip(Stm32F1Specs.Stm32F103C8, clock);
        chip.Write32(0x40021014, 0x14 | 0x41);
        chip.Write32(0x4002000C, 16);
        chip.Write32(0x40020010, CrcDr);
        chip.Write32(0x40020014, 0x6000_0000); // nothing answers there

        // Act
        chip.Write32(0x40020008, ChannelFlashToCrc | Stm32DmaChannels.CcrEn);
        clock.Advance(TimeSpan.FromMilliseconds(1));

        // Assert: TEIF1 | GIF1, EN cleared by hardware, nothing moved
        Assert.Equal(Stm32DmaChannels.Teif | Stm32DmaChannels.Gif, chip.Read32(0x40020000) & 0xF);
        Assert.Equal(0u, chip.Read32(0x40020008) & 1);
        Assert.Equal(16u, chip.Read32(0x4002000C));
    }

    [Fact]
    public void Clone_HasNoCrcOrDmaModel_AddressesFault()
    {
        // Arrange: stm32-targets.md lists no CRC/DMA facts for the look-alikes
        var chip = EmulatedChips.Create("gd32f103c8", ChipFaults.None, new ManualModeledClock(), 0);

        // Act
        var crc = chip.Read(CrcDr, AccessWidth.Word, out _);
        var dma = chip.Read(0x40020000, AccessWidth.Word, out _);

        // Assert
        Assert.Equal(BusResult.Fault, crc);
        Assert.Equal(BusResult.Fault, dma);
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void Family_FlashToCrc_MatchesHostCrcAndTakesTheModeledTime(string part)
    {
        // Arrange: random words in flash through the family's own flash driver path would be slow here; the image is
        // the erased flash plus one programmed unit under the verify-mismatch fault, so the CRC covers a changed bit
        var clock = new ManualModeledClock();
        var chip = FamilyBus.Create(part, clock, new ChipFaults(VerifyMismatch: true));
        ProgramFirstUnit(chip, clock);
        var layout = chip.OnChip!.Layout;
        const int words = 2048;
        var seen = new byte[words * 4];
        for (var i = 0; i < seen.Length; i += 4)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(seen.AsSpan(i), chip.Read32(Flash + (uint)i));
        }

        // Act
        var start = clock.Now;
        var crc = layout.StreamDma ? RunStreamCrc(chip, clock, Flash, words) : RunChannelCrc(chip, clock, layout, Flash, words);
        var took = clock.Now - start;

        // Assert
        Assert.Equal(Stm32Crc.Compute(seen), crc);
        Assert.NotEqual(Stm32Crc.Compute(chip.MainFlash[..seen.Length]), crc);
        Assert.InRange(took, layout.TimeFor(words) - TimeSpan.FromTicks(1), layout.TimeFor(words) + TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public void F4_StreamBadDestination_SetsTeif0AndClearsEnable()
    {
        // Arrange
        var clock = new ManualModeledClock();
        var chip = FamilyBus.Create("stm32f407vg", clock);
        var dma2 = OnChipPeripheralLayout.F4.DmaBase;
        chip.Write32(OnChipPeripheralLayout.F4.RccEnableAddress, OnChipPeripheralLayout.F4.DmaEnableMask | OnChipPeripheralLayout.F4.CrcEnableMask);
        chip.Write32(dma2 + 0x14, 8);
        chip.Write32(dma2 + 0x18, Flash);
        chip.Write32(dma2 + 0x1C, 0x6000_0000);

        // Act
        chip.Write32(dma2 + 0x10, StreamFlashToCrc | Stm32DmaStreams.CrEn);
        clock.Advance(TimeSpan.FromMilliseconds(1));

        // Assert
        Assert.Equal(Stm32DmaStreams.Teif, chip.Read32(dma2) & Stm32DmaStreams.Teif);
        Assert.Equal(0u, chip.Read32(dma2 + 0x10) & Stm32DmaStreams.CrEn);
    }

    [Fact]
    public void G0_DmaMux_StoresChannelZeroRequestAndResetsToZero()
    {
        // Arrange
        var chip = FamilyBus.Create("stm32g071rb", new ManualModeledClock());
        chip.Write32(OnChipPeripheralLayout.G0.RccEnableAddress, OnChipPeripheralLayout.G0.DmaEnableMask);

        // Act
        chip.Write32(0x40020800, 17);
        var stored = chip.Read32(0x40020800);
        chip.SetResetLine(true);
        chip.SetResetLine(false);
        chip.Write32(OnChipPeripheralLayout.G0.RccEnableAddress, OnChipPeripheralLayout.G0.DmaEnableMask);

        // Assert
        Assert.Equal(17u, stored);
        Assert.Equal(0u, chip.Read32(0x40020800));
    }

    private static uint RunChannelCrc(IEmulatedTarget chip, ManualModeledClock clock, OnChipPeripheralLayout layout, uint source, int words)
    {
        var dma = layout.DmaBase;
        Write(chip, layout.RccEnableAddress, Read(chip, layout.RccEnableAddress) | layout.DmaEnableMask | layout.CrcEnableMask);
        Write(chip, CrcCr, Stm32CrcUnit.CrReset);
        Write(chip, dma + 0x0C, (uint)words);
        Write(chip, dma + 0x10, CrcDr);
        Write(chip, dma + 0x14, source);
        Write(chip, dma + 0x08, ChannelFlashToCrc | Stm32DmaChannels.CcrEn);
        while ((Read(chip, dma) & Stm32DmaChannels.Tcif) == 0)
        {
            Assert.Equal(0u, Read(chip, dma) & Stm32DmaChannels.Teif);
            clock.Advance(TimeSpan.FromMicroseconds(50));
        }

        return Read(chip, CrcDr);
    }

    private static uint RunStreamCrc(IEmulatedTarget chip, ManualModeledClock clock, uint source, int words)
    {
        var layout = OnChipPeripheralLayout.F4;
        var dma = layout.DmaBase;
        Write(chip, layout.RccEnableAddress, Read(chip, layout.RccEnableAddress) | layout.DmaEnableMask | layout.CrcEnableMask);
        Write(chip, CrcCr, Stm32CrcUnit.CrReset);
        Write(chip, dma + 0x14, (uint)words);
        Write(chip, dma + 0x18, source);
        Write(chip, dma + 0x1C, CrcDr);
        Write(chip, dma + 0x10, StreamFlashToCrc | Stm32DmaStreams.CrEn);
        while ((Read(chip, dma) & Stm32DmaStreams.Tcif) == 0)
        {
            clock.Advance(TimeSpan.FromMicroseconds(50));
        }

        Assert.Equal(0u, Read(chip, dma + 0x10) & Stm32DmaStreams.CrEn); // the stream disabled itself
        return Read(chip, CrcDr);
    }

    // Programs the family's first programming unit with a pattern (F0 half-word, F4 x32 word, G0/L4 double word).
    private static void ProgramFirstUnit(Stm32Chip chip, ManualModeledClock clock)
    {
        chip.Unlock();
        var family = chip.Spec.Family.Key;
        var cr = chip.Reg("CR");
        switch (family)
        {
            case "f0":
                chip.Write32(cr, chip.Mask("CR", "PG"));
                chip.Write16(Flash, 0x5A5A);
                break;
            case "f4":
                chip.Write32(cr, chip.Mask("CR", "PG") | (2u << 8));
                chip.Write32(Flash, 0x5A5A5A5A);
                break;
            default:
                chip.Write32(cr, chip.Mask("CR", "PG"));
                chip.Write32(Flash, 0x5A5A5A5A);
                chip.Write32(Flash + 4, 0xA5A5A5A5);
                break;
        }

        chip.WaitNotBusy(clock);
        chip.Write32(cr, 0);
    }

    private static uint Read(IEmulatedTarget chip, uint address)
    {
        Assert.Equal(BusResult.Ok, chip.Read(address, AccessWidth.Word, out var value));
        return value;
    }

    private static void Write(IEmulatedTarget chip, uint address, uint value) =>
        Assert.Equal(BusResult.Ok, chip.Write(address, AccessWidth.Word, value));

    private static uint ZlibCrc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var i = 0; i < 8; i++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
            }
        }

        return crc ^ 0xFFFFFFFF;
    }
}
