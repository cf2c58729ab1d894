using ProdFlash.Emulator.Chips;
using ProdFlash.Emulator.Target;

namespace ProdFlash.Emulator.Tests.Chips.Families;

/// <summary>The STM32F407VG model against its bus: identity, keys, PSIZE programming, sector/mass erase, OPTCR, RDP.</summary>
public sealed class Stm32F4ChipTests
{
    private const uint Flash = 0x0800_0000;

    [Fact]
    public void Identity_F407VG_ReadsTheReferenceValues()
    {
        var clock = new ManualModeledClock();
        var chip = FamilyBus.Create("stm32f407vg", clock);

        Assert.Equal(0x2BA01477u, chip.DpIdr); // reference §2.4 F4 card
        Assert.Equal(0x410FC241u, chip.Read32(0xE000ED00)); // CPUID, reference §5.2
        Assert.Equal(0x20010413u, chip.Read32(0xE0042000)); // DBGMCU_IDCODE: DEV 0x413, REV 0x2001 ("3")
        Assert.Equal(1024, chip.Read16(0x1FFF7A22)); // F_SIZE in KiB
        var uid = Enumerable.Range(0, 3).SelectMany(i => BitConverterFree(chip.Read32(0x1FFF7A10 + (uint)(4 * i)))).ToArray();
        Assert.Equal(chip.UniqueId.ToArray(), uid);
        Assert.Equal(0xE00FF003u, chip.ApBase);
    }

    [Fact]
    public void Unlock_KeysThenWrongKey_UnlocksThenFaultsUntilReset()
    {
        var clock = new ManualModeledClock();
        var chip = FamilyBus.Create("stm32f407vg", clock);
        var cr = chip.Reg("CR");
        Assert.Equal(0x80000000u, chip.Read32(cr)); // LOCK after reset (RM0090 §3.9.7)

        chip.Unlock();
        Assert.Equal(0u, chip.Read32(cr) & chip.Mask("CR", "LOCK"));

        chip.Write32(cr, chip.Mask("CR", "LOCK"));
        Assert.Equal(BusResult.Fault, chip.Write(chip.Reg("KEYR"), AccessWidth.Word, 0x12345678));
        Assert.Equal(BusResult.Fault, chip.Write(chip.Reg("KEYR"), AccessWidth.Word, chip.Spec.Family.FlashController.Key1));
        chip.SetResetLine(true);
        chip.SetResetLine(false);
        chip.Unlock();
        Assert.Equal(0u, chip.Read32(cr) & chip.Mask("CR", "LOCK"));
    }

    [Fact]
    public void Program_HalfWordWithPsizeX16_ProgramsForTheModeledTime()
    {
        var clock = new ManualModeledClock();
        var chip = FamilyBus.Create("stm32f407vg", clock);
        chip.Unlock();
        chip.Write32(chip.Reg("CR"), chip.Mask("CR", "PG") | (1u << 8)); // PSIZE = 01, x16

        chip.Write16(Flash + 0x100, 0xBEEF);

        Assert.True(chip.Busy());
        Assert.Equal(BusResult.Wait, chip.Write(Flash + 0x102, AccessWidth.HalfWord, 0x1234)); // AHB stalls while BSY
        Assert.Equal(TimeSpan.FromMicroseconds(16), chip.WaitNotBusy(clock)); // catalog: DS8626 Table 40 t_prog x32 typical 16 µs
        Assert.Equal(0xBEEF, chip.Read16(Flash + 0x100));
        Assert.Equal(0u, chip.Read32(chip.Reg("SR")) & 0xF3); // no error, no EOP without EOPIE
    }

    [Fact]
    public void Program_WordWithPsizeX16_SetsPgperrAndProgramsNothing()
    {
        var clock = new ManualModeledClock();
        var chip = FamilyBus.Create("stm32f407vg", clock);
        chip.Unlock();
        chip.Write32(chip.Reg("CR"), chip.Mask("CR", "PG") | (1u << 8));

        chip.Write32(Flash, 0x11223344);

        Assert.NotEqual(0u, chip.Read32(chip.Reg("SR")) & chip.Mask("SR", "PGPERR"));
        Assert.Equal(0xFFFFFFFFu, chip.Read32(Flash));
    }

    [Fact]
    public void Program_WithoutPg_SetsPgserr()
    {
        var clock = new ManualModeledClock();
        var chip = FamilyBus.Create("stm32f407vg", clock);
        chip.Unlock();

        chip.Write16(Flash, 0x0000);

        Assert.NotEqual(0u, chip.Read32(chip.Reg("SR")) & chip.Mask("SR", "PGSERR"));
        Assert.Equal(0xFFFF, chip.Read16(Flash));
    }

    [Fact]
    public void Program_X64SecondWordElsewhere_SetsPgaerr_ThenDoubleWordPrograms()
    {
        var clock = new ManualModeledClock();
        var chip = FamilyBus.Create("stm32f407vg", clock);
        chip.Unlock();
        chip.Write32(chip.Reg("CR"), chip.Mask("CR", "PG") | (3u << 8)); // PSIZE = 11, x64

        chip.Write32(Flash, 0x11111111);
        chip.Write32(Flash + 12, 0x22222222);
        Assert.NotEqual(0u, chip.Read32(chip.Reg("SR")) & chip.Mask("SR", "PGAERR"));

        chip.Write32(Flash + 8, 0x33333333);
        chip.Write32(Flash + 12, 0x44444444);
        chip.WaitNotBusy(clock);
        Assert.Equal(0x33333333u, chip.Read32(Flash + 8));
        Assert.Equal(0x44444444u, chip.Read32(Flash + 12));
        Assert.Equal(0xFFFFFFFFu, chip.Read32(Flash));
    }

    [Fact]
    public void SectorErase_128KiBSector_BusyForTheCatalogMaximumAndEopWithEopie()
    {
        var clock = new ManualModeledClock();
        var chip = FamilyBus.Create("stm32f407vg", clock);
        chip.Unlock();
        var cr = chip.Reg("CR");
        chip.Write32(cr, chip.Mask("CR", "PG") | (1u << 8));
        chip.Write16(Flash + 0x20000, 0x0000); // sector 5
        chip.WaitNotBusy(clock);

        chip.Write32(cr, chip.Mask("CR", "SER") | (5u << 3) | (2u << 8) | chip.Mask("CR", "STRT") | chip.Mask("CR", "EOPIE")); // PSIZE = 10, x32

        clock.Advance(TimeSpan.FromSeconds(2) - TimeSpan.FromTicks(1)); // catalog: DS8626 Table 40 t_ERASE128KB x32 max 2 s, typical unknown
        Assert.True(chip.Busy());
        clock.Advance(TimeSpan.FromTicks(1));
        Assert.False(chip.Busy());
        Assert.NotEqual(0u, chip.Read32(chip.Reg("SR")) & chip.Mask("SR", "EOP"));
        Assert.Equal(0xFFFF, chip.Read16(Flash + 0x20000));
        Assert.Equal(131072, chip.BytesErased);
    }

    [Theory]
    [InlineData(0u, 4.0)] // PSIZE 00, x8: DS8626 Table 40 t_ERASE128KB x8 max 4 s
    [InlineData(1u, 2.6)] // PSIZE 01, x16: max 2.6 s
    [InlineData(2u, 2.0)] // PSIZE 10, x32: max 2 s
    public void SectorErase_128KiBSectorAtPsize_BusyForThatColumnsMaximum(uint psize, double seconds)
    {
        var clock = new ManualModeledClock();
        var chip = FamilyBus.Create("stm32f407vg", clock);
        chip.Unlock();
        var cr = chip.Reg("CR");

        chip.Write32(cr, chip.Mask("CR", "SER") | (5u << 3) | (psize << 8) | chip.Mask("CR", "STRT"));

        Assert.Equal(TimeSpan.FromSeconds(seconds), chip.WaitNotBusyCoarse(clock, TimeSpan.FromMilliseconds(100)));
    }

    [Fact]
    public void MassErase_Mer_ErasesTheFlashForTheCatalogTime()
    {
        var clock = new ManualModeledClock();
        var chip = FamilyBus.Create("stm32f407vg", clock);
        chip.Unlock();
        chip.Write32(chip.Reg("CR"), chip.Mask("CR", "PG") | (1u << 8));
        chip.Write16(Flash + 0xF0000, 0x0000);
        chip.WaitNotBusy(clock);

        chip.Write32(chip.Reg("CR"), chip.Mask("CR", "MER"));
        chip.Write32(chip.Reg("CR"), chip.Mask("CR", "MER") | chip.Mask("CR", "STRT"));

        Assert.Equal(TimeSpan.FromSeconds(32), chip.WaitNotBusyCoarse(clock, TimeSpan.FromMilliseconds(1))); // catalog t_ME max 32 s
        Assert.All(chip.MainFlash.ToArray(), b => Assert.Equal(0xFF, b));
    }

    [Fact]
    public void OptionBytes_ReadModifyWriteWithOptstrt_TakeEffectWhenBsyClears()
    {
        var clock = new ManualModeledClock();
        var chip = FamilyBus.Create("stm32f407vg", clock);
        var optcr = chip.Reg("OPTCR");
        Assert.Equal(0x0FFFAAEDu, chip.Read32(optcr)); // RM0090 factory value: OPTLOCK, BOR off, RDP 0xAA, no WRP

        chip.UnlockOptions();
        var value = chip.Read32(optcr);
        Assert.Equal(0u, value & chip.OptionField("OPTLOCK"));
        value &= ~(chip.OptionField("WDG_SW") | (1u << 16)); // hardware watchdog, write-protect sector 0
        chip.Write32(optcr, value);
        chip.Write32(optcr, value | chip.OptionField("OPTSTRT"));
        chip.WaitNotBusyCoarse(clock, TimeSpan.FromMilliseconds(1));
        chip.Write32(optcr, value | chip.OptionField("OPTLOCK"));

        chip.SetResetLine(true);
        chip.SetResetLine(false);
        Assert.Equal(0x0FFEAACDu, chip.Read32(optcr));
        chip.Unlock();
        chip.Write32(chip.Reg("CR"), chip.Mask("CR", "SER") | chip.Mask("CR", "STRT"));
        Assert.NotEqual(0u, chip.Read32(chip.Reg("SR")) & chip.Mask("SR", "WRPERR"));
    }

    [Fact]
    public void Rdp_Level1ThenRegression_HidesFlashThenMassErases()
    {
        var clock = new ManualModeledClock();
        var chip = FamilyBus.Create("stm32f407vg", clock);
        chip.Unlock();
        chip.Write32(chip.Reg("CR"), chip.Mask("CR", "PG") | (1u << 8));
        chip.Write16(Flash, 0x1234);
        chip.WaitNotBusy(clock);
        var optcr = chip.Reg("OPTCR");
        chip.UnlockOptions();

        chip.Write32(optcr, (chip.Read32(optcr) & ~0xFF00u) | (0xBBu << 8) | chip.OptionField("OPTSTRT"));
        chip.WaitNotBusyCoarse(clock, TimeSpan.FromMilliseconds(1));
        Assert.Equal(BusResult.Fault, chip.Read(Flash, AccessWidth.Word, out _));

        chip.Write32(optcr, (chip.Read32(optcr) & ~0xFF00u) | (0xAAu << 8) | chip.OptionField("OPTSTRT"));
        chip.WaitNotBusyCoarse(clock, TimeSpan.FromMilliseconds(1));

        Assert.Equal(0xFFFFFFFFu, chip.Read32(Flash));
        Assert.Equal(chip.Spec.FlashSize, chip.BytesErased);
    }

    [Fact]
    public void Rdp_Level2_ClosesTheDebugPort()
    {
        var clock = new ManualModeledClock();
        var chip = FamilyBus.Create("stm32f407vg", clock);
        chip.UnlockOptions();
        var optcr = chip.Reg("OPTCR");

        chip.Write32(optcr, (chip.Read32(optcr) & ~0xFF00u) | (0xCCu << 8) | chip.OptionField("OPTSTRT"));
        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.False(chip.SwdResponds);
    }

    [Fact]
    public void ObWriteFail_Optstrt_SetsOperrAndKeepsTheOldValues()
    {
        var clock = new ManualModeledClock();
        var chip = FamilyBus.Create("stm32f407vg", clock, new ChipFaults(OptionByteWriteFails: true));
        chip.UnlockOptions();
        var optcr = chip.Reg("OPTCR");

        chip.Write32(optcr, (chip.Read32(optcr) & ~0xFF00u) | (0xBBu << 8) | chip.OptionField("OPTSTRT"));
        chip.WaitNotBusyCoarse(clock, TimeSpan.FromMilliseconds(1));

        Assert.NotEqual(0u, chip.Read32(chip.Reg("SR")) & chip.Mask("SR", "OPERR"));
        Assert.Equal(0xAAu, (chip.Read32(optcr) >> 8) & 0xFF);
        Assert.True(chip.Read(Flash, AccessWidth.Word, out _) == BusResult.Ok);
    }

    [Fact]
    public void DualBank_F429ZI_Mer1ErasesBankTwoOnly()
    {
        var clock = new ManualModeledClock();
        var chip = FamilyBus.Create("stm32f429zi", clock);
        chip.Unlock();
        chip.Write32(chip.Reg("CR"), chip.Mask("CR", "PG") | (1u << 8));
        chip.Write16(Flash, 0x0000);
        chip.WaitNotBusy(clock);
        chip.Write16(Flash + 0x100000, 0x0000);
        chip.WaitNotBusy(clock);

        chip.Write32(chip.Reg("CR"), chip.Mask("CR", "MER1") | chip.Mask("CR", "STRT"));
        chip.WaitNotBusyCoarse(clock, TimeSpan.FromMilliseconds(10));

        Assert.Equal(0x0000, chip.Read16(Flash));
        Assert.Equal(0xFFFF, chip.Read16(Flash + 0x100000));
    }

    private static byte[] BitConverterFree(uint word) => [(byte)word, (byte)(word >> 8), (byte)(word >> 16), (byte)(word >> 24)];
}
