using ProdFlash.Emulator.Chips;
using ProdFlash.Emulator.Target;

namespace ProdFlash.Emulator.Tests.Chips;

/// <summary>Identity registers, ROM table and memory map of the STM32F103C8 model, against the reference values.</summary>
public sealed class Stm32F1IdentityTests
{
    private readonly ManualModeledClock _clock = new();

    private Stm32F1Chip NewChip(ulong seed = 1) => new(Stm32F1Specs.Stm32F103C8, _clock, uidSeed: seed);

    [Fact]
    public void DebugPortIdentity_GenuineF103_MatchesReference()
    {
        // Arrange
        var chip = NewChip();

        // Act / Assert: reference §5.1, §5.3, §1 item 3
        Assert.Equal(0x1BA01477u, chip.DpIdr);
        Assert.Equal(0x14770011u, chip.ApIdr);
        Assert.Equal(0xE00FF003u, chip.ApBase);
        Assert.True(chip.SwdResponds);
        Assert.Equal(3.3, chip.SenseVoltage);
    }

    [Fact]
    public void Read_IdentityRegisters_ReturnReferenceValues()
    {
        // Arrange
        var chip = NewChip();

        // Act
        var idCode = chip.Read32(0xE0042000);
        var cpuId = chip.Read32(0xE000ED00);
        var flashSizeKiB = chip.Read16(0x1FFFF7E0);

        // Assert: reference §5.3 (0x20036410), §5.2 (0x411FC231), C8 = 64 KiB
        Assert.Equal(0x20036410u, idCode);
        Assert.Equal(0x411FC231u, cpuId);
        Assert.Equal(64, flashSizeKiB);
    }

    [Fact]
    public void Read_UniqueId_IsPerSeedAndStable()
    {
        // Arrange
        var first = NewChip(seed: 42);
        var again = NewChip(seed: 42);
        var other = NewChip(seed: 43);

        // Act
        static uint[] Uid(Stm32F1Chip chip) => [chip.Read32(0x1FFFF7E8), chip.Read32(0x1FFFF7EC), chip.Read32(0x1FFFF7F0)];

        // Assert
        Assert.Equal(Uid(first), Uid(again));
        Assert.NotEqual(Uid(first), Uid(other));
        Assert.Equal(first.UniqueId.ToArray(), UniqueDeviceId.FromSeed(42));
        Assert.All(first.UniqueId[5..].ToArray(), b => Assert.InRange(b, (byte)'0', (byte)'Z')); // lot number is ASCII
    }

    [Fact]
    public void RomTable_Walk_FindsGenuineF103Components()
    {
        // Arrange
        var chip = NewChip();
        const uint rom = 0xE00FF000;

        // Act
        var entries = new List<uint>();
        for (uint offset = 0; ; offset += 4)
        {
            var entry = chip.Read32(rom + offset);
            if (entry == 0)
            {
                break;
            }

            entries.Add(entry);
        }

        // Assert: SCS, DWT, FPB, ITM, TPIU present; ETM entry not present (J-Link log of a genuine F103C8).
        Assert.Equal([0xFFF0F003u, 0xFFF02003u, 0xFFF03003u, 0xFFF01003u, 0xFFF41003u, 0xFFF42002u], entries);
    }

    [Fact]
    public void RomTable_PeripheralId_IsStPart410()
    {
        // Arrange
        var chip = NewChip();
        const uint rom = 0xE00FF000;

        // Act
        var pidr0 = chip.Read32(rom + 0xFE0);
        var pidr1 = chip.Read32(rom + 0xFE4);
        var pidr2 = chip.Read32(rom + 0xFE8);
        var pidr4 = chip.Read32(rom + 0xFD0);
        uint cid = 0;
        for (var i = 0; i < 4; i++)
        {
            cid |= chip.Read32(rom + 0xFF0 + (uint)(4 * i)) << (8 * i);
        }

        // Assert: §4.3 decoding; Keil DFP check: ((PIDR2 & 7) << 4) | (PIDR1 >> 4) == 0x20; §5.3 part 0x410
        var part = pidr0 | ((pidr1 & 0xF) << 8);
        var jep106 = ((pidr2 & 7) << 4) | ((pidr1 >> 4) & 0xF);
        Assert.Equal(0x410u, part);
        Assert.Equal(0x20u, jep106);
        Assert.Equal(8u, pidr2 & 8); // JEDEC bit
        Assert.Equal(0u, pidr4 & 0xF); // continuation code 0
        Assert.Equal(0xB105100Du, cid); // class 1: ROM table
    }

    [Theory]
    [InlineData(0xE000E000u, 0x001BB000u, 0xB105E00Du)] // SCS
    [InlineData(0xE0001000u, 0x001BB002u, 0xB105E00Du)] // DWT
    [InlineData(0xE0002000u, 0x000BB003u, 0xB105E00Du)] // FPB
    [InlineData(0xE0000000u, 0x001BB001u, 0xB105E00Du)] // ITM
    [InlineData(0xE0040000u, 0x001BB923u, 0xB105900Du)] // TPIU
    public void ComponentIds_GenuineCortexM3r1p1_MatchReference(uint componentBase, uint expectedPid, uint expectedCid)
    {
        // Arrange
        var chip = NewChip();

        // Act
        uint pid = 0;
        uint cid = 0;
        for (var i = 0; i < 4; i++)
        {
            pid |= chip.Read32(componentBase + 0xFE0 + (uint)(4 * i)) << (8 * i);
            cid |= chip.Read32(componentBase + 0xFF0 + (uint)(4 * i)) << (8 * i);
        }

        var pidr4 = chip.Read32(componentBase + 0xFD0);

        // Assert: reference §5.3 last line and the J-Link log it cites; ARM continuation code 4
        Assert.Equal(expectedPid, pid);
        Assert.Equal(expectedCid, cid);
        Assert.Equal(4u, pidr4);
    }

    [Fact]
    public void Read_FpbAndDwtControl_ReportComparatorCounts()
    {
        // Arrange
        var chip = NewChip();

        // Act
        var fpCtrl = chip.Read32(0xE0002000);
        var dwtCtrl = chip.Read32(0xE0001000);

        // Assert: 6 code + 2 literal comparators (J-Link "FPUnit: 6 code (BP) slots and 2 literal slots"), 4 DWT comparators
        Assert.Equal(6u, ((fpCtrl >> 8) & 0x70) | ((fpCtrl >> 4) & 0xF));
        Assert.Equal(2u, (fpCtrl >> 8) & 0xF);
        Assert.Equal(4u, dwtCtrl >> 28);
    }

    [Fact]
    public void Write_FpCtrlWithKey_EnablesFpb()
    {
        // Arrange
        var chip = NewChip();

        // Act: OpenOCD writes FP_CTRL = KEY | ENABLE (3) at examine end
        chip.Write32(0xE0002000, 3);
        chip.Write32(0xE0002008, 0x08000101);

        // Assert
        Assert.Equal(1u, chip.Read32(0xE0002000) & 1);
        Assert.Equal(0x08000101u, chip.Read32(0xE0002008));
    }

    [Fact]
    public void Write_DbgMcuCr_OpenOcdExamineEndMaskReadsBack()
    {
        // Arrange: stm32f1x.cfg examine-end does "mmw 0xE0042004 0x00000307 0"
        var chip = NewChip();
        var before = chip.Read32(0xE0042004);

        // Act
        chip.Write32(0xE0042004, before | 0x307);

        // Assert
        Assert.Equal(0x307u, chip.Read32(0xE0042004));
    }

    [Theory]
    [InlineData(0x30000000u)] // nothing there
    [InlineData(0x20005000u)] // just past 20 KiB SRAM
    [InlineData(0x08010000u)] // just past 64 KiB flash
    [InlineData(0x40010800u)] // a peripheral the model leaves out (GPIOA)
    [InlineData(0x1FFFF810u)] // past the option bytes
    [InlineData(0xE0041000u)] // ETM: not present on the ROM table
    public void Read_UnmappedAddress_BusFault(uint address)
    {
        // Arrange
        var chip = NewChip();

        // Act
        var result = chip.Read(address, AccessWidth.Word, out _);

        // Assert
        Assert.Equal(BusResult.Fault, result);
    }

    [Fact]
    public void Read_Misaligned_BusFault()
    {
        // Arrange
        var chip = NewChip();

        // Act / Assert
        Assert.Equal(BusResult.Fault, chip.Read(0x20000002, AccessWidth.Word, out _));
        Assert.Equal(BusResult.Fault, chip.Write(0x20000001, AccessWidth.HalfWord, 0));
    }

    [Fact]
    public void Sram_WriteBytesReadWord_LittleEndian()
    {
        // Arrange
        var chip = NewChip();

        // Act
        Assert.Equal(BusResult.Ok, chip.Write(0x20004FFC, AccessWidth.Byte, 0x11));
        Assert.Equal(BusResult.Ok, chip.Write(0x20004FFD, AccessWidth.Byte, 0x22));
        chip.Write16(0x20004FFE, 0x4433);

        // Assert
        Assert.Equal(0x44332211u, chip.Read32(0x20004FFC));
    }

    [Fact]
    public void Read_FactoryOptionBytes_Level0WithComplements()
    {
        // Arrange
        var chip = NewChip();

        // Act
        var rdpUser = chip.Read32(0x1FFFF800);
        var obr = chip.Read32(ChipBus.Obr);
        var wrpr = chip.Read32(ChipBus.Wrpr);

        // Assert: RDP 0xA5/0x5A, USER 0xFF/0x00 (reference §4.2); OBR RDPRT clear, USER and DATA all ones; no protection
        Assert.Equal(0x00FF5AA5u, rdpUser);
        Assert.Equal(0x03FFFFFCu, obr);
        Assert.Equal(0xFFFFFFFFu, wrpr);
    }

    [Fact]
    public void Read_FlashAlias_ShowsMainFlash()
    {
        // Arrange: program a half-word at 0x08000000
        var chip = NewChip();
        chip.UnlockFlash();
        chip.Write32(ChipBus.Cr, Stm32F1FlashController.CrPg);
        chip.Write16(0x08000000, 0x1234);
        chip.WaitNotBusy(_clock);

        // Act
        var alias = chip.Read16(0x00000000);

        // Assert
        Assert.Equal(0x1234, alias);
    }

    [Fact]
    public void RccAhbEnr_CloneTellBits_StayZeroOnGenuineF103()
    {
        // Arrange
        var chip = NewChip();
        var resetValue = chip.Read32(0x40021014);

        // Act: set every bit, as the clone detectors do for b3 (APM32 FPU) and b12 (CH32 USB2)
        chip.Write32(0x40021014, 0xFFFFFFFF);
        var readBack = chip.Read32(0x40021014);

        // Assert: reference §5.3 — b3 and b12 reserved on ST silicon; reset value SRAMEN | FLITFEN
        Assert.Equal(0x14u, resetValue);
        Assert.Equal(0u, readBack & ((1u << 3) | (1u << 12)));
        Assert.Equal(0x55u, readBack);
    }

    [Fact]
    public void Stm32F103CB_SameIdentity_Reports128KiB()
    {
        // Arrange
        var chip = new Stm32F1Chip(Stm32F1Specs.ByPartName["STM32F103CB"], _clock);

        // Act
        var flashSizeKiB = chip.Read16(0x1FFFF7E0);
        var lastHalfWord = chip.Read16(0x0801FFFE);

        // Assert
        Assert.Equal(128, flashSizeKiB);
        Assert.Equal(0xFFFF, lastHalfWord);
        Assert.Equal(0x20036410u, chip.Read32(0xE0042000));
    }
}
