using ProdFlash.Emulator.Chips;
using ProdFlash.Emulator.Chips.Clones;
using ProdFlash.Emulator.Target;
using ProdFlash.Emulator.Tests.Chips;

namespace ProdFlash.Emulator.Tests.Clones;

/// <summary>
/// Each look-alike model shows the differences reference stm32-targets.md §5.3 publishes, read over the bus as a
/// debugger reads them; the genuine STM32F103C8 model shows none of them. Only values the catalog cites (not its
/// assumptions) are asserted as facts; <see cref="AssertedFacts_AreCitedNotAssumed"/> pins that.
/// </summary>
public sealed class CloneIdentityTests
{
    private readonly ManualModeledClock _clock = new();

    /// <summary>(part, fact) pairs the tests below assert as published values.</summary>
    public static TheoryData<string, string> AssertedFacts => new()
    {
        { "cks32f103c8", "dpIdr" }, { "cks32f103c8", "apIdr" }, { "cks32f103c8", "cpuId" }, { "cks32f103c8", "romTable" },
        { "cks32f103c8", "etmInRomTable" }, { "cks32f103c8", "dbgMcuIdCode" }, { "cks32f103c8", "flashSizeRegisterKiB" },
        { "apm32f103c8", "dpIdr" }, { "apm32f103c8", "apIdr" }, { "apm32f103c8", "cpuId" }, { "apm32f103c8", "romTable" },
        { "apm32f103c8", "etmInRomTable" }, { "apm32f103c8", "dbgMcuIdCode" }, { "apm32f103c8", "ahbEnrStickyBits" },
        { "apm32f103c8", "wordWrite" }, { "apm32f103c8", "writeWhileBusy" },
        { "gd32f103c8", "cpuId" }, { "gd32f103c8", "romTable" }, { "gd32f103c8", "dbgMcuIdCode" },
        { "gd32f103c8", "flashSizeRegisterKiB" }, { "gd32f103c8", "flashSizeRegisterSramKiB" }, { "gd32f103c8", "wordWrite" },
        { "ch32f103c8", "romTable" }, { "ch32f103c8", "dbgMcuIdCode" }, { "ch32f103c8", "flashSizeRegisterKiB" },
        { "ch32f103c8", "ahbEnrStickyBits" }, { "ch32f103c8", "modeKeyRegister" },
        { "hk32f103c8", "romTable" },
        { "at32f403acg", "dpIdr" }, { "at32f403acg", "cpuId" }, { "at32f403acg", "romTable" }, { "at32f403acg", "dbgMcuIdCode" },
        { "at32f403acg", "uidProjectId" }, { "at32f403acg", "optionBlockBytes" },
    };

    [Theory]
    [MemberData(nameof(AssertedFacts))]
    public void AssertedFacts_AreCitedNotAssumed(string part, string fact)
    {
        // Arrange
        var identity = CloneCatalog.Get(part);

        // Act
        var entry = identity.Facts().Single(f => f.Name == fact);

        // Assert: the fact cites a §5 cell, so a test may claim it
        Assert.Null(entry.Assumption);
        Assert.StartsWith("§5", entry.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void Catalog_EveryFact_HasExactlyOneOfSourceAndAssumption()
    {
        // Arrange / Act
        var facts = CloneCatalog.ByPart.Values.SelectMany(identity => identity.Facts().Select(f => (identity.Part, f.Name, f.Source, f.Assumption))).ToList();

        // Assert: the six look-alikes of issue 4, each fact either cited or marked as an assumption
        Assert.Equal(["apm32f103c8", "at32f403acg", "ch32f103c8", "cks32f103c8", "gd32f103c8", "hk32f103c8"], CloneChips.Names);
        Assert.All(facts, f => Assert.True(f.Source is null != f.Assumption is null, $"{f.Part}.{f.Name}"));
        Assert.Contains(facts, f => f.Assumption is not null); // the NOT FOUND cells are marked, not hidden
    }

    [Fact]
    public void Parse_FactWithoutProvenance_ThrowsNamingEntryAndField()
    {
        // Arrange: a document whose DPIDR has neither source nor assumption
        const string json = """{ "componentSets": { "s": { "components": {} } }, "clones": [ { "part": "x1", "dpIdr": { "value": "0x1" } } ] }""";

        // Act
        var error = Assert.Throws<ChipConfigurationException>(() => CloneCatalog.Parse(json));

        // Assert
        Assert.Contains("'x1'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cks32f103c8", 0x2BA01477u)] // §5.3 STL PR #805; YEP
    [InlineData("apm32f103c8", 0x2BA01477u)] // §5.3 OCD-apm
    [InlineData("at32f403acg", 0x1BA01477u)] // §5.3 OCD-art cfg
    public void DpIdr_Clone_MatchesReference(string part, uint expected)
    {
        // Arrange
        var chip = CloneChips.Create(part, _clock);

        // Act / Assert
        Assert.Equal(expected, chip.DpIdr);
    }

    [Theory]
    [InlineData("cks32f103c8")]
    [InlineData("apm32f103c8")]
    public void ApIdr_R2p1Clone_IsRevision2(string part)
    {
        // Arrange
        var chip = CloneChips.Create(part, _clock);

        // Act
        var revision = chip.ApIdr >> 28;

        // Assert: §5.3 AHB-AP IDR: BMP flags idr >> 28 > 1 as a clone; genuine F103 is 0x14770011
        Assert.Equal(2u, revision);
        Assert.Equal(0x24770011u, chip.ApIdr);
    }

    [Theory]
    [InlineData("cks32f103c8", 0x412FC231u)]
    [InlineData("apm32f103c8", 0x412FC231u)]
    [InlineData("gd32f103c8", 0x412FC231u)]
    public void CpuId_R2p1Clone_ReadsR2p1(string part, uint expected)
    {
        // Arrange
        var chip = CloneChips.Create(part, _clock);

        // Act / Assert: §5.2 / §5.3 CPUID
        Assert.Equal(expected, chip.Read32(CloneBus.CpuId));
    }

    [Theory]
    [InlineData("ch32f103c8", 0xC23u)] // Cortex-M3 (BMP requires PARTNO C23)
    [InlineData("at32f403acg", 0xC24u)] // Cortex-M4 (BMP at32f40x_probe)
    public void CpuId_Clone_HasReferencePartNumber(string part, uint partNo)
    {
        // Arrange
        var chip = CloneChips.Create(part, _clock);

        // Act
        var cpuId = chip.Read32(CloneBus.CpuId);

        // Assert: PARTNO[15:4], implementer ARM
        Assert.Equal(partNo, (cpuId >> 4) & 0xFFF);
        Assert.Equal(0x41u, cpuId >> 24);
    }

    [Theory]
    [InlineData("cks32f103c8", (ushort)0x43B, (ushort)0x4C3)] // ARM, Cortex-M3 ROM (AVS)
    [InlineData("apm32f103c8", (ushort)0x43B, (ushort)0x4C3)]
    [InlineData("ch32f103c8", (ushort)0x43B, (ushort)0x4C3)] // BMP probes CH32 under ARM/0x4C3
    [InlineData("at32f403acg", (ushort)0x43B, (ushort)0x4C4)] // ARM, Cortex-M4 ROM
    public void RomTable_ArmDesignerClone_ReportsDesignerAndPart(string part, ushort designer, ushort romPart)
    {
        // Arrange
        var chip = CloneChips.Create(part, _clock);

        // Act
        var (readDesigner, jedec, readPart) = CloneBus.DecodePeripheralId(chip.RomTablePeripheralId());

        // Assert: §5.3 ROM-table designer row, §4.3 decoding
        Assert.Equal(designer, readDesigner);
        Assert.True(jedec);
        Assert.Equal(romPart, readPart);
    }

    [Fact]
    public void RomTable_Gd32_ReportsGigaDeviceBeijing()
    {
        // Arrange
        var chip = CloneChips.Create("gd32f103c8", _clock);

        // Act
        var (designer, jedec, _) = CloneBus.DecodePeripheralId(chip.RomTablePeripheralId());

        // Assert: §5.3: (7, 0x51) GigaDevice Beijing = 0x751 (BMP JEP106_MANUFACTURER_GIGADEVICE)
        Assert.Equal(0x751, designer);
        Assert.True(jedec);
    }

    [Fact]
    public void RomTable_Hk32_ReportsJedecClear55Cont5Part29B()
    {
        // Arrange
        var chip = CloneChips.Create("hk32f103c8", _clock);

        // Act
        var pid = chip.RomTablePeripheralId();
        var (designer, jedec, part) = CloneBus.DecodePeripheralId(pid);
        var keilJep106 = ((chip.Read32(CloneBus.RomTable + 0xFE8) & 7) << 4) | ((chip.Read32(CloneBus.RomTable + 0xFE4) >> 4) & 0xF);

        // Assert: §5.3 (BMP PR #1821: PIDR 0x000000050005529B); CubeIDE's log shows "Vendor = 0x55"
        Assert.Equal(0x05_0005529BUL, pid);
        Assert.False(jedec);
        Assert.Equal(0x555, designer);
        Assert.Equal(0x29B, part);
        Assert.Equal(0x55u, keilJep106);
    }

    [Theory]
    [InlineData("cks32f103c8", 1u)] // present
    [InlineData("apm32f103c8", 0u)] // absent
    [InlineData("stm32f103c8", 0u)] // genuine: the J-Link log lists no ETM
    public void RomTable_EtmEntry_PresentBitAsReference(string part, uint present)
    {
        // Arrange
        IEmulatedTarget chip = part.StartsWith("stm32", StringComparison.Ordinal)
            ? new Stm32F1Chip(Stm32F1Specs.Stm32F103C8, _clock)
            : CloneChips.Create(part, _clock);

        // Act: §5.3 "ETM entry in ROM table (0xE00FF014 b0)"
        var entry = chip.Read32(0xE00FF014);

        // Assert
        Assert.Equal(present, entry & 1);
    }

    [Fact]
    public void Components_R2p1Clone_ReportR2p1PeripheralIds()
    {
        // Arrange
        var chip = CloneChips.Create("cks32f103c8", _clock);

        // Act
        uint Pid(uint component)
        {
            uint pid = 0;
            for (var i = 0; i < 4; i++)
            {
                pid |= chip.Read32(component + 0xFE0 + (uint)(4 * i)) << (8 * i);
            }

            return pid;
        }

        // Assert: §5.3 last bullet: r2p1 SCS 0x000BB000, DWT 0x003BB002, ETM 0x003BB924 (ETM listed on the CKS32)
        Assert.Equal(0x000BB000u, Pid(0xE000E000));
        Assert.Equal(0x003BB002u, Pid(0xE0001000));
        Assert.Equal(0x003BB924u, Pid(0xE0041000));
    }

    [Theory]
    [InlineData("cks32f103c8", 0x20036410u)] // YEP, STL #1322
    [InlineData("apm32f103c8", 0x20036410u)] // DEV 0x410 REV 0x2003 (MECRISP)
    [InlineData("gd32f103c8", 0x13036410u)] // REV 0x1303 (BLAAT part 4)
    [InlineData("ch32f103c8", 0x20006410u)] // REV 0x2000 (BMP ch32f1)
    public void DbgMcuIdCode_F103Clone_DevAndRevAsReference(string part, uint expected)
    {
        // Arrange
        var chip = CloneChips.Create(part, _clock);

        // Act
        var idCode = chip.Read32(CloneBus.DbgMcuIdCode);

        // Assert: DEV_ID [11:0] and REV_ID [31:16] (bits [15:12] are the model's choice where not published)
        Assert.Equal(expected & 0xFFF, idCode & 0xFFF);
        Assert.Equal(expected >> 16, idCode >> 16);
        if (part == "cks32f103c8")
        {
            Assert.Equal(expected, idCode);
        }
    }

    [Fact]
    public void DbgMcuIdCode_At32_IsAPartIdOf7005Series()
    {
        // Arrange
        var chip = CloneChips.Create("at32f403acg", _clock);

        // Act
        var idCode = chip.Read32(CloneBus.DbgMcuIdCode);

        // Assert: §5.3: the whole word is the part ID, 0x7005_0xxx for F403A/F407 (OCD-art, BMP)
        Assert.Equal(0x7005u, idCode >> 16);
        Assert.Equal(0u, (idCode >> 12) & 0xF);
    }

    [Fact]
    public void FlashSize_Cks32_Reads128()
    {
        // Arrange
        var chip = CloneChips.Create("cks32f103c8", _clock);

        // Act / Assert: §5.3 FSIZE: 128 reported in the YEP log
        Assert.Equal(128, chip.Read16(CloneBus.FlashSize));
    }

    [Fact]
    public void FlashSize_Ch32_ReadsZero()
    {
        // Arrange
        var chip = CloneChips.Create("ch32f103c8", _clock);

        // Act / Assert: §5.3 FSIZE: may read 0 (BMP)
        Assert.Equal(0, chip.Read16(CloneBus.FlashSize));
    }

    [Fact]
    public void FlashSize_Gd32_Is32BitWithSramInHighHalf()
    {
        // Arrange
        var chip = CloneChips.Create("gd32f103c8", _clock);

        // Act
        var word = chip.Read32(CloneBus.FlashSize);

        // Assert: §5.3: [15:0] flash KiB, [31:16] SRAM KiB (BMP); C8 = 64 KiB flash, 20 KiB SRAM
        Assert.Equal(64u, word & 0xFFFF);
        Assert.Equal(20u, word >> 16);
    }

    [Fact]
    public void UniqueId_At32_TopByteIsF403aProjectId()
    {
        // Arrange
        var chip = CloneChips.Create("at32f403acg", _clock);

        // Act
        var top = chip.Read32(0x1FFFF7F0) >> 24;

        // Assert: §5.3: UID top byte 0x1FFFF7F3 = project ID, 7 = F403A (BMP)
        Assert.Equal(7u, top);
    }

    [Fact]
    public void OptionBytes_At32_UsdBlockIs48Bytes()
    {
        // Arrange
        var chip = CloneChips.Create("at32f403acg", _clock);
        var genuine = new Stm32F1Chip(Stm32F1Specs.Stm32F103C8, _clock);

        // Act
        var fap = chip.Read16(0x1FFFF800);
        var last = chip.Read(0x1FFFF82C, AccessWidth.Word, out _);
        var past = chip.Read(0x1FFFF830, AccessWidth.Word, out _);
        var genuinePast16 = genuine.Read(0x1FFFF810, AccessWidth.Word, out _);

        // Assert: §5.3: USD 0x1FFFF800, 48 bytes; FAP 0xA5 = disabled (as the F1 RDP byte) with its complement
        Assert.Equal(0x5AA5, fap);
        Assert.Equal(BusResult.Ok, last);
        Assert.Equal(BusResult.Fault, past);
        Assert.Equal(BusResult.Fault, genuinePast16);
    }

    [Theory]
    [InlineData("apm32f103c8", 1u << 3)] // b3 (FPU) sticks (BLAAT)
    [InlineData("ch32f103c8", 1u << 12)] // b12 (USB2) sticks
    public void RccAhbEnr_Clone_TellBitSticksUntilReset(string part, uint tell)
    {
        // Arrange
        var chip = CloneChips.Create(part, _clock);
        var before = chip.Read32(CloneChip.AhbEnrAddress);

        // Act
        chip.Write32(CloneChip.AhbEnrAddress, before | (1u << 3) | (1u << 12));
        var after = chip.Read32(CloneChip.AhbEnrAddress);
        chip.SetResetLine(true);
        chip.SetResetLine(false);
        var afterReset = chip.Read32(CloneChip.AhbEnrAddress);

        // Assert: only the clone's own tell bit keeps the 1; RCC_AHBENR reset value is 0x14 (RM0008 §7.3.6)
        Assert.Equal(tell, after & ((1u << 3) | (1u << 12)));
        Assert.Equal(0x14u, afterReset);
    }

    [Fact]
    public void ModeKeyr_Ch32_KeysClearFlock()
    {
        // Arrange
        var chip = CloneChips.Create("ch32f103c8", _clock);
        var before = chip.Read32(ChipBus.Cr);

        // Act: §5.3: FLASH_MODEKEYR 0x40022024, same keys, clears CR.FLOCK b15 (BMP ch32f1.c)
        chip.Unlock();
        chip.Write32(CloneBus.ModeKeyr, ChipBus.Key1);
        chip.Write32(CloneBus.ModeKeyr, ChipBus.Key2);
        var after = chip.Read32(ChipBus.Cr);

        // Assert: LOCK (b7) and FLOCK (b15) set at reset; FLOCK gone after the keys
        Assert.Equal(CloneChip.CrFlock | Stm32F1FlashController.CrLock, before);
        Assert.Equal(0u, after & CloneChip.CrFlock);
    }

    [Fact]
    public void GenuineF103_ShowsNoCloneTell()
    {
        // Arrange
        var chip = new Stm32F1Chip(Stm32F1Specs.Stm32F103C8, _clock);

        // Act
        chip.Write32(CloneChip.AhbEnrAddress, 0x14u | (1u << 3) | (1u << 12));
        var ahbEnr = chip.Read32(CloneChip.AhbEnrAddress);
        chip.Unlock();
        chip.Write32(CloneBus.ModeKeyr, ChipBus.Key1);
        chip.Write32(CloneBus.ModeKeyr, ChipBus.Key2);
        var cr = chip.Read32(ChipBus.Cr);
        var (designer, jedec, romPart) = CloneBus.DecodePeripheralId(chip.RomTablePeripheralId());

        // Assert: §5.3 genuine column: DPIDR 0x1BA01477, AP rev 1, CPUID r1p1, ST ROM table part 0x410, FSIZE 64,
        // RCC_AHBENR b3/b12 stay 0, no FLOCK
        Assert.Equal(0x1BA01477u, chip.DpIdr);
        Assert.Equal(1u, chip.ApIdr >> 28);
        Assert.Equal(0x411FC231u, chip.Read32(CloneBus.CpuId));
        Assert.Equal((0x020, true, 0x410), (designer, jedec, romPart));
        Assert.Equal(0x20036410u, chip.Read32(CloneBus.DbgMcuIdCode));
        Assert.Equal(64, chip.Read16(CloneBus.FlashSize));
        Assert.Equal(0x14u, ahbEnr);
        Assert.Equal(0u, cr & CloneChip.CrFlock);
    }
}
