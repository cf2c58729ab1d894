using ProdFlash.Emulator.Chips;
using ProdFlash.Emulator.Target;

using static ProdFlash.Emulator.Chips.Stm32F1FlashController;

namespace ProdFlash.Emulator.Tests.Chips;

/// <summary>
/// The XL-density F1 model (STM32F103ZG, DEV_ID 0x430): bank 2 at 0x08080000 behind its own register set
/// KEYR2/SR2/CR2/AR2 at 0x40022044/4C/50/54 (reference §2.4 F1 card, §3.1; OpenOCD stm32f1x.c).
/// </summary>
public sealed class Stm32F1XlBankTests
{
    private const uint Keyr2 = 0x40022044;
    private const uint Sr2 = 0x4002204C;
    private const uint Cr2 = 0x40022050;
    private const uint Ar2 = 0x40022054;
    private const uint Bank2Base = 0x08080000;

    private readonly ManualModeledClock _clock = new();

    private Stm32F1Chip NewChip() => new(Stm32F1Specs.FromCatalog("stm32f103zg", 0x1000), _clock);

    [Fact]
    public void FromCatalog_Stm32F103zg_TwoBanksAndNamedAssumptions()
    {
        // Act
        var spec = Stm32F1Specs.FromCatalog("stm32f103zg", 0x1000);

        // Assert: 1 MiB in 2 KiB pages, bank 2 from 512 KiB; the ROM-table PART and the 2 KiB page time are assumptions.
        Assert.Equal(0x430, spec.DevId);
        Assert.Equal(1024 * 1024, spec.FlashSize);
        Assert.Equal(2048, spec.PageSize);
        Assert.Equal(0x80000, spec.Bank2Offset);
        Assert.Contains("ROM-table PART", spec.Assumptions.Keys);
        Assert.Contains("2048-byte page erase", spec.Assumptions.Keys);
        Assert.Null(Stm32F1Specs.Unmodeled(Core.Devices.DeviceCatalog.Default.FindPart("stm32f103zg")!));
    }

    [Fact]
    public void Bank2Registers_LockedAtReset_UnlockedOnlyByKeyr2()
    {
        // Arrange
        var chip = NewChip();
        chip.UnlockFlash();

        // Act
        var cr2AfterBank1Unlock = chip.Read32(Cr2);
        chip.Write32(Keyr2, ChipBus.Key1);
        chip.Write32(Keyr2, ChipBus.Key2);

        // Assert: unlocking bank 1 leaves CR2 locked (0x80); KEYR2 unlocks it.
        Assert.Equal(CrLock, cr2AfterBank1Unlock);
        Assert.Equal(0u, chip.Read32(Cr2) & CrLock);
    }

    [Fact]
    public void Program_Bank2WithPgInCr2_ProgramsAndSetsEop2()
    {
        // Arrange
        var chip = NewChip();
        chip.Write32(Keyr2, ChipBus.Key1);
        chip.Write32(Keyr2, ChipBus.Key2);

        // Act: PG in CR1 does not program bank 2; PG in CR2 does.
        var ignored = chip.Write(Bank2Base, AccessWidth.HalfWord, 0x1234);
        chip.Write32(Cr2, CrPg);
        chip.Write16(Bank2Base + 2, 0xBEEF);
        var busy = chip.Read32(Sr2) & SrBsy;
        _clock.Advance(TimeSpan.FromMilliseconds(1));

        // Assert
        Assert.Equal(BusResult.Ok, ignored);
        Assert.Equal(0xFFFF, chip.Read16(Bank2Base));
        Assert.Equal(SrBsy, busy);
        Assert.Equal(0xBEEF, chip.Read16(Bank2Base + 2));
        Assert.Equal(SrEop, chip.Read32(Sr2) & (SrEop | SrBsy));
        Assert.Equal(0u, chip.Read32(ChipBus.Sr) & SrEop);
    }

    [Fact]
    public void PageErase_Bank2ThroughAr2_ErasesThatPageOnly()
    {
        // Arrange: program one half-word in the first page of each bank.
        var chip = NewChip();
        chip.UnlockFlash();
        chip.Write32(Keyr2, ChipBus.Key1);
        chip.Write32(Keyr2, ChipBus.Key2);
        chip.Write32(ChipBus.Cr, CrPg);
        chip.Write16(0x08000000, 0x1111);
        chip.WaitNotBusy(_clock);
        chip.Write32(Cr2, CrPg);
        chip.Write16(Bank2Base, 0x2222);
        _clock.Advance(TimeSpan.FromMilliseconds(1));

        // Act: AR (bank 1) pointing into bank 2 erases nothing; AR2 does.
        chip.Write32(ChipBus.Cr, CrPer);
        chip.Write32(ChipBus.Ar, Bank2Base);
        chip.Write32(ChipBus.Cr, CrPer | CrStrt);
        var afterBank1Register = chip.Read16(Bank2Base);
        chip.Write32(Cr2, CrPer);
        chip.Write32(Ar2, Bank2Base);
        chip.Write32(Cr2, CrPer | CrStrt);
        _clock.Advance(TimeSpan.FromMilliseconds(50));

        // Assert
        Assert.Equal(0x2222, afterBank1Register);
        Assert.Equal(0xFFFF, chip.Read16(Bank2Base));
        Assert.Equal(0x1111, chip.Read16(0x08000000));
    }

    [Fact]
    public void MassErase_Cr2Mer_ErasesBank2AndLeavesBank1()
    {
        // Arrange
        var chip = NewChip();
        chip.UnlockFlash();
        chip.Write32(Keyr2, ChipBus.Key1);
        chip.Write32(Keyr2, ChipBus.Key2);
        chip.Write32(ChipBus.Cr, CrPg);
        chip.Write16(0x0807FFFE, 0x1111);
        chip.WaitNotBusy(_clock);
        chip.Write32(Cr2, CrPg);
        chip.Write16(0x080FFFFE, 0x2222);
        _clock.Advance(TimeSpan.FromMilliseconds(1));

        // Act
        chip.Write32(Cr2, CrMer);
        chip.Write32(Cr2, CrMer | CrStrt);
        _clock.Advance(TimeSpan.FromMilliseconds(50));

        // Assert: MER in CR2 erases bank 2 only (OpenOCD stm32x_mass_erase writes both register sets for both banks).
        Assert.Equal(0xFFFF, chip.Read16(0x080FFFFE));
        Assert.Equal(0x1111, chip.Read16(0x0807FFFE));
        Assert.Equal(1, chip.Counters.MassErases);
    }
}
