using ProdFlash.Emulator.Chips;
using ProdFlash.Emulator.Target;

namespace ProdFlash.Emulator.Tests.Chips.Families;

/// <summary>The STM32G071RB and STM32L476RG models against their bus: identity, keys, double words, erase, OPTR, RDP.</summary>
public sealed class Stm32L4G0ChipTests
{
    private const uint Flash = 0x0800_0000;

    [Theory]
    [InlineData("stm32g071rb", 0x0BC11477u, 0x410CC601u, 0x40015800u, 0x20000460u, 128)]
    [InlineData("stm32l476rg", 0x2BA01477u, 0x410FC241u, 0xE0042000u, 0x10070415u, 1024)]
    public void Identity_Part_ReadsTheReferenceValues(string part, uint dpidr, uint cpuid, uint dbgmcu, uint idcode, int kib)
    {
        var chip = FamilyBus.Create(part, new ManualModeledClock());

        Assert.Equal(dpidr, chip.DpIdr);
        Assert.Equal(cpuid, chip.Read32(0xE000ED00));
        Assert.Equal(idcode, chip.Read32(dbgmcu));
        Assert.Equal(kib, chip.Read16(0x1FFF75E0));
        Assert.Equal(chip.UniqueId[..4].ToArray(), BitConverterFree(chip.Read32(0x1FFF7590)));
    }

    [Theory]
    [InlineData("stm32g071rb")]
    [InlineData("stm32l476rg")]
    public void Unlock_KeyrThenOptkeyr_ClearsLockThenOptlock(string part)
    {
        var chip = FamilyBus.Create(part, new ManualModeledClock());
        var cr = chip.Reg("CR");
        Assert.Equal(0xC0000000u, chip.Read32(cr)); // LOCK and OPTLOCK after reset (RM0351/RM0444 FLASH_CR)

        chip.Unlock();
        Assert.Equal(chip.Mask("CR", "OPTLOCK"), chip.Read32(cr));
        chip.UnlockOptions();
        Assert.Equal(0u, chip.Read32(cr));
    }

    [Theory]
    [InlineData("stm32g071rb")]
    [InlineData("stm32l476rg")]
    [InlineData("stm32f407vg")]
    public void Unlock_WrongOptionKey_BusFaultAndOptionsStayLockedUntilReset(string part)
    {
        var chip = FamilyBus.Create(part, new ManualModeledClock());
        var map = chip.Spec.Family.FlashController;
        chip.Unlock();

        Assert.Equal(BusResult.Fault, chip.Write(chip.Reg("OPTKEYR"), AccessWidth.Word, map.Key1)); // KEY1 is not OPTKEY1 here
        Assert.Equal(BusResult.Fault, chip.Write(chip.Reg("OPTKEYR"), AccessWidth.Word, map.OptKey1));
        chip.SetResetLine(true);
        chip.SetResetLine(false);
        chip.UnlockOptions();

        var lockRegister = part.StartsWith("stm32f4", StringComparison.Ordinal) ? "OPTCR" : "CR";
        var lockBit = part.StartsWith("stm32f4", StringComparison.Ordinal) ? chip.OptionField("OPTLOCK") : chip.Mask("CR", "OPTLOCK");
        Assert.Equal(0u, chip.Read32(chip.Reg(lockRegister)) & lockBit);
    }

    [Theory]
    [InlineData("stm32g071rb", 85.0)]   // DS13560 t_prog typical (catalog has none for the 0x460 line)
    [InlineData("stm32g030f6", 85.0)]   // catalog typical for the 0x466 line
    [InlineData("stm32l476rg", 81.69)]  // DS10198 t_prog typical
    public void Program_TwoWordsOfOneDoubleWord_ProgramsForTheModeledTime(string part, double microseconds)
    {
        var clock = new ManualModeledClock();
        var chip = FamilyBus.Create(part, clock);
        chip.Unlock();
        chip.Write32(chip.Reg("CR"), chip.Mask("CR", "PG"));

        chip.Write32(Flash + 8, 0x11223344);
        Assert.False(chip.Busy()); // nothing happens until the second word
        chip.Write32(Flash + 12, 0x55667788);

        clock.Advance(TimeSpan.FromMicroseconds(microseconds) - TimeSpan.FromTicks(1));
        Assert.True(chip.Busy());
        clock.Advance(TimeSpan.FromTicks(1));
        Assert.False(chip.Busy());
        Assert.Equal(0x11223344u, chip.Read32(Flash + 8));
        Assert.Equal(0x55667788u, chip.Read32(Flash + 12));
    }

    [Theory]
    [InlineData("stm32g071rb")]
    [InlineData("stm32l476rg")]
    public void Program_WrongWidthAlignmentOrNotErased_SetsTheFamilyFlags(string part)
    {
        var clock = new ManualModeledClock();
        var chip = FamilyBus.Create(part, clock);
        var sr = chip.Reg("SR");
        chip.Unlock();
        chip.Write32(chip.Reg("CR"), chip.Mask("CR", "PG"));

        chip.Write16(Flash, 0x1234);
        Assert.NotEqual(0u, chip.Read32(sr) & chip.Mask("SR", "SIZERR"));
        chip.Write32(sr, 0xFFFF);

        chip.Write32(Flash + 4, 0x1234);
        Assert.NotEqual(0u, chip.Read32(sr) & chip.Mask("SR", "PGAERR"));
        chip.Write32(sr, 0xFFFF);

        chip.Write32(Flash, 0x12345678);
        chip.Write32(Flash + 4, 0x9ABCDEF0);
        chip.WaitNotBusy(clock);
        chip.Write32(Flash, 0x02345678);
        chip.Write32(Flash + 4, 0x9ABCDEF0);
        Assert.NotEqual(0u, chip.Read32(sr) & chip.Mask("SR", "PROGERR"));
        Assert.Equal(0x12345678u, chip.Read32(Flash));
    }

    [Fact]
    public void FastProgramming_OverTheDebugPort_EndsInMiserr()
    {
        var chip = FamilyBus.Create("stm32l476rg", new ManualModeledClock());
        chip.Unlock();
        chip.Write32(chip.Reg("CR"), chip.Mask("CR", "FSTPG"));

        chip.Write32(Flash, 0);

        Assert.NotEqual(0u, chip.Read32(chip.Reg("SR")) & Stm32L4G0FlashController.SrMisErr);
        Assert.Equal(0xFFFFFFFFu, chip.Read32(Flash));
    }

    [Fact]
    public void PageErase_Bank2WithBker_ErasesThatPageForTheCatalogMaximum()
    {
        var clock = new ManualModeledClock();
        var chip = FamilyBus.Create("stm32l476rg", clock);
        chip.Unlock();
        var cr = chip.Reg("CR");
        chip.Write32(cr, chip.Mask("CR", "PG"));
        chip.Write32(Flash + 0x80800, 0);
        chip.Write32(Flash + 0x80804, 0);
        chip.WaitNotBusy(clock);
        chip.Write32(cr, 0);

        chip.Write32(cr, chip.Mask("CR", "PER") | chip.Mask("CR", "BKER") | (1u << 3) | chip.Mask("CR", "STRT")); // bank 2, page 1

        clock.Advance(TimeSpan.FromMilliseconds(24.47) - TimeSpan.FromTicks(1)); // catalog: 24.47 ms max per 2 KiB page
        Assert.True(chip.Busy());
        clock.Advance(TimeSpan.FromTicks(1));
        Assert.False(chip.Busy());
        Assert.Equal(0xFFFFFFFFu, chip.Read32(Flash + 0x80800));
        Assert.Equal(2048, chip.BytesErased);
    }

    [Fact]
    public void MassErase_G0Mer1_ErasesEverything()
    {
        var clock = new ManualModeledClock();
        var chip = FamilyBus.Create("stm32g071rb", clock);
        chip.Unlock();
        chip.Write32(chip.Reg("CR"), chip.Mask("CR", "PG"));
        chip.Write32(Flash + 0x1F000, 0);
        chip.Write32(Flash + 0x1F004, 0);
        chip.WaitNotBusy(clock);
        chip.Write32(chip.Reg("CR"), 0);

        chip.Write32(chip.Reg("CR"), chip.Mask("CR", "MER1") | chip.Mask("CR", "STRT"));
        chip.WaitNotBusy(clock);

        Assert.All(chip.MainFlash.ToArray(), b => Assert.Equal(0xFF, b));
    }

    [Theory]
    [InlineData("stm32g071rb")]
    [InlineData("stm32l476rg")]
    public void OptionBytes_OptstrtThenOblLaunch_Level1ThenRegressionMassErases(string part)
    {
        var clock = new ManualModeledClock();
        var chip = FamilyBus.Create(part, clock);
        chip.Unlock();
        var cr = chip.Reg("CR");
        chip.Write32(cr, chip.Mask("CR", "PG"));
        chip.Write32(Flash, 0x12345678);
        chip.Write32(Flash + 4, 0);
        chip.WaitNotBusy(clock);
        chip.Write32(cr, 0);
        chip.UnlockOptions();
        var optr = chip.Reg("OPTR");
        Assert.Equal(0xAAu, chip.Read32(optr) & 0xFF);

        chip.Write32(optr, (chip.Read32(optr) & ~0xFFu) | 0xBB);
        chip.Write32(cr, chip.Mask("CR", "OPTSTRT"));
        chip.WaitNotBusy(clock);
        Assert.Equal(0x12345678u, chip.Read32(Flash)); // not in force before the reload
        chip.SetResetLine(true);
        chip.SetResetLine(false);
        Assert.Equal(0x12345678u, chip.Read32(Flash)); // nor after a plain system reset: only power-on and OBL_LAUNCH load
        Assert.Equal(0xAAu, chip.Read32(optr) & 0xFF);
        chip.UnlockOptions();
        chip.Write32(cr, chip.Mask("CR", "OBL_LAUNCH"));

        Assert.Equal(BusResult.Fault, chip.Read(Flash, AccessWidth.Word, out _));
        Assert.Equal(0xC0000000u, chip.Read32(cr)); // OBL_LAUNCH reset the chip: locked again

        chip.UnlockOptions();
        chip.Write32(optr, (chip.Read32(optr) & ~0xFFu) | 0xAA);
        chip.Write32(cr, chip.Mask("CR", "OPTSTRT"));
        chip.WaitNotBusy(clock);
        chip.Write32(cr, chip.Mask("CR", "OBL_LAUNCH"));

        Assert.Equal(0xFFFFFFFFu, chip.Read32(Flash));
        Assert.Equal(chip.Spec.FlashSize, chip.BytesErased);
    }

    [Theory]
    [InlineData("stm32g071rb")]
    [InlineData("stm32l476rg")]
    public void Rdp_Level2AfterOblLaunch_ClosesTheDebugPort(string part)
    {
        var clock = new ManualModeledClock();
        var chip = FamilyBus.Create(part, clock);
        chip.UnlockOptions();
        var optr = chip.Reg("OPTR");

        chip.Write32(optr, (chip.Read32(optr) & ~0xFFu) | 0xCC);
        chip.Write32(chip.Reg("CR"), chip.Mask("CR", "OPTSTRT"));
        chip.WaitNotBusy(clock);
        Assert.True(chip.SwdResponds);
        chip.Write32(chip.Reg("CR"), chip.Mask("CR", "OBL_LAUNCH"));

        Assert.False(chip.SwdResponds);
    }

    [Fact]
    public void ObWriteFail_Optstrt_SetsOptverrAndKeepsTheOldValues()
    {
        var clock = new ManualModeledClock();
        var chip = FamilyBus.Create("stm32l476rg", clock, new ChipFaults(OptionByteWriteFails: true));
        chip.UnlockOptions();
        var optr = chip.Reg("OPTR");

        chip.Write32(optr, (chip.Read32(optr) & ~0xFFu) | 0xBB);
        chip.Write32(chip.Reg("CR"), chip.Mask("CR", "OPTSTRT"));
        chip.WaitNotBusy(clock);

        Assert.NotEqual(0u, chip.Read32(chip.Reg("SR")) & Stm32L4G0FlashController.SrOptVErr);
        Assert.Equal(Stm32L4G0FlashController.L4OptrFactory, chip.Read32(optr));
    }

    [Fact]
    public void WriteProtection_WrpFault_RefusesProgramWithWrperr()
    {
        var clock = new ManualModeledClock();
        var chip = FamilyBus.Create("stm32g071rb", clock, new ChipFaults(WriteProtectedPages: new HashSet<int> { 0, 1 }));
        chip.Unlock();
        chip.Write32(chip.Reg("CR"), chip.Mask("CR", "PG"));

        chip.Write32(Flash + 0x800, 0);
        chip.Write32(Flash + 0x804, 0);

        Assert.NotEqual(0u, chip.Read32(chip.Reg("SR")) & chip.Mask("SR", "WRPERR"));
        Assert.Equal(0x00010000u, chip.Read32(chip.Reg("WRP1AR")) & 0x00FF00FF);
    }

    private static byte[] BitConverterFree(uint word) => [(byte)word, (byte)(word >> 8), (byte)(word >> 16), (byte)(word >> 24)];
}
