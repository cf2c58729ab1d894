using ProdFlash.Emulator.Chips;
using ProdFlash.Emulator.Target;

namespace ProdFlash.Emulator.Tests.Chips.Families;

/// <summary>The STM32F030F4 model against its bus: identity, FPEC, half-word rule, erase, option bytes with OBL_LAUNCH.</summary>
public sealed class Stm32F0ChipTests
{
    private const uint Flash = 0x0800_0000;
    private const uint OptionBytes = 0x1FFFF800;

    [Fact]
    public void Identity_F030F4_ReadsTheReferenceValues()
    {
        var chip = FamilyBus.Create("stm32f030f4", new ManualModeledClock());

        Assert.Equal(0x0BB11477u, chip.DpIdr); // reference §2.4 F0 card
        Assert.Equal(0x410CC200u, chip.Read32(0xE000ED00)); // Cortex-M0 r0p0
        Assert.Equal(0x20000444u, chip.Read32(0x40015800)); // DEV 0x444, REV 0x2000
        Assert.Equal(16, chip.Read16(0x1FFFF7CC));
        Assert.Equal(chip.UniqueId[..4].ToArray(), BitConverterFree(chip.Read32(0x1FFFF7AC)));
        Assert.Equal(0x55AAu, chip.Read32(OptionBytes) & 0xFFFF); // RDP 0xAA with its complement
    }

    [Fact]
    public void Program_HalfWordAfterUnlock_ProgramsForTheModeledTime()
    {
        var clock = new ManualModeledClock();
        var chip = FamilyBus.Create("stm32f030f4", clock);
        Assert.Equal(chip.Mask("CR", "LOCK"), chip.Read32(chip.Reg("CR")));
        chip.Unlock();
        chip.Write32(chip.Reg("CR"), chip.Mask("CR", "PG"));

        chip.Write16(Flash + 2, 0xA55A);

        clock.Advance(TimeSpan.FromMicroseconds(53.5) - TimeSpan.FromTicks(1)); // catalog: STM32F0 datasheet t_prog 16-bit typical 53.5 µs
        Assert.True(chip.Busy());
        clock.Advance(TimeSpan.FromTicks(1));
        Assert.False(chip.Busy());
        Assert.Equal(0xA55A, chip.Read16(Flash + 2));
        Assert.NotEqual(0u, chip.Read32(chip.Reg("SR")) & chip.Mask("SR", "EOP"));
    }

    [Fact]
    public void Program_WordOrNotErased_BusErrorThenPgerr()
    {
        var clock = new ManualModeledClock();
        var chip = FamilyBus.Create("stm32f030f4", clock);
        chip.Unlock();
        chip.Write32(chip.Reg("CR"), chip.Mask("CR", "PG"));

        Assert.Equal(BusResult.Fault, chip.Write(Flash, AccessWidth.Word, 0)); // RM0360 §3.2.2
        chip.Write16(Flash, 0x1234);
        chip.WaitNotBusy(clock);
        chip.Write16(Flash, 0x4321);

        Assert.NotEqual(0u, chip.Read32(chip.Reg("SR")) & chip.Mask("SR", "PGERR"));
        Assert.Equal(0x1234, chip.Read16(Flash));
    }

    [Fact]
    public void PageErase_OneKiBPage_BusyForTheCatalogMaximum()
    {
        var clock = new ManualModeledClock();
        var chip = FamilyBus.Create("stm32f030f4", clock);
        chip.Unlock();
        chip.Write32(chip.Reg("CR"), chip.Mask("CR", "PG"));
        chip.Write16(Flash + 0x400, 0);
        chip.WaitNotBusy(clock);
        chip.Write32(chip.Reg("CR"), chip.Mask("CR", "PER"));
        chip.Write32(chip.Reg("AR"), Flash + 0x400);

        chip.Write32(chip.Reg("CR"), chip.Mask("CR", "PER") | chip.Mask("CR", "STRT"));

        clock.Advance(TimeSpan.FromMilliseconds(40) - TimeSpan.FromTicks(1)); // catalog: page erase max 40 ms, typical unknown
        Assert.True(chip.Busy());
        clock.Advance(TimeSpan.FromTicks(1));
        Assert.False(chip.Busy());
        Assert.Equal(0xFFFF, chip.Read16(Flash + 0x400));
    }

    [Fact]
    public void OptionBytes_Level1ViaOblLaunchThenRegression_MassErases()
    {
        var clock = new ManualModeledClock();
        var chip = FamilyBus.Create("stm32f030f4", clock);
        var cr = chip.Reg("CR");
        chip.Unlock();
        chip.Write32(cr, chip.Mask("CR", "PG"));
        chip.Write16(Flash, 0x1234);
        chip.WaitNotBusy(clock);
        chip.UnlockOptions();
        var user = chip.Read16(OptionBytes + 2);

        ReprogramRdp(chip, clock, 0xBB, user);
        chip.SetResetLine(true);
        chip.SetResetLine(false);
        Assert.Equal(0x1234, chip.Read16(Flash)); // a plain reset does not load the option bytes
        chip.Unlock();
        chip.Write32(cr, chip.Mask("CR", "OBL_LAUNCH"));

        Assert.Equal(1u, (chip.Read32(chip.Reg("OBR")) >> 1) & 3); // RDPRT = 01, level 1
        Assert.Equal(BusResult.Fault, chip.Read(Flash, AccessWidth.HalfWord, out _));

        chip.UnlockOptions();
        ReprogramRdp(chip, clock, 0xAA, user);
        chip.Write32(cr, chip.Mask("CR", "OBL_LAUNCH"));

        Assert.Equal(0u, (chip.Read32(chip.Reg("OBR")) >> 1) & 3);
        Assert.Equal(0xFFFF, chip.Read16(Flash));
        Assert.Equal(0xFFu, (chip.Read32(chip.Reg("OBR")) >> 8) & 0xFF); // USER rewritten as it was
    }

    [Fact]
    public void Rdp_Level2AfterOblLaunch_ClosesTheDebugPort()
    {
        var clock = new ManualModeledClock();
        var chip = FamilyBus.Create("stm32f030f4", clock);
        chip.UnlockOptions();

        ReprogramRdp(chip, clock, 0xCC, 0x00FF);
        chip.Write32(chip.Reg("CR"), chip.Mask("CR", "OBL_LAUNCH"));

        Assert.False(chip.SwdResponds);
    }

    [Fact]
    public void ObWriteFail_OptionErasAndProgram_PgerrAndTheOldValuesStay()
    {
        var clock = new ManualModeledClock();
        var chip = FamilyBus.Create("stm32f030f4", clock, new ChipFaults(OptionByteWriteFails: true));
        chip.UnlockOptions();

        ReprogramRdp(chip, clock, 0xBB, 0x00FF);

        Assert.NotEqual(0u, chip.Read32(chip.Reg("SR")) & chip.Mask("SR", "PGERR"));
        Assert.Equal(0x55AAu, chip.Read32(OptionBytes) & 0xFFFF);
    }

    private static void ReprogramRdp(Stm32Chip chip, ManualModeledClock clock, byte rdp, ushort user)
    {
        var cr = chip.Reg("CR");
        var optWre = chip.Mask("CR", "OPTWRE");
        chip.Write32(cr, chip.Mask("CR", "OPTER") | optWre);
        chip.Write32(cr, chip.Mask("CR", "OPTER") | chip.Mask("CR", "STRT") | optWre);
        chip.WaitNotBusy(clock);
        chip.Write32(cr, chip.Mask("CR", "OPTPG") | optWre);
        chip.Write16(OptionBytes, rdp);
        chip.WaitNotBusy(clock);
        chip.Write16(OptionBytes + 2, (byte)user);
        chip.WaitNotBusy(clock);
    }

    private static byte[] BitConverterFree(uint word) => [(byte)word, (byte)(word >> 8), (byte)(word >> 16), (byte)(word >> 24)];
}
