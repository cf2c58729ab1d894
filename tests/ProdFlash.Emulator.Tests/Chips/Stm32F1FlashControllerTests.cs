using ProdFlash.Emulator.Chips;
using ProdFlash.Emulator.Target;

using static ProdFlash.Emulator.Chips.Stm32F1FlashController;

namespace ProdFlash.Emulator.Tests.Chips;

/// <summary>The F1 flash controller through the bus: keys, NOR semantics, errors and modeled busy time.</summary>
public sealed class Stm32F1FlashControllerTests
{
    private static readonly TimeSpan ProgramTime = TimeSpan.FromTicks(525); // DS5319 t_prog typ 52.5 µs
    private static readonly TimeSpan EraseTime = TimeSpan.FromMilliseconds(40); // DS5319 t_ERASE / t_ME 20–40 ms, no typical: the model charges the maximum

    private readonly ManualModeledClock _clock = new();

    private Stm32F1Chip NewChip(ChipFaults? faults = null) => new(Stm32F1Specs.Stm32F103C8, _clock, faults);

    [Fact]
    public void Unlock_RightKeysInOrder_ClearsLock()
    {
        // Arrange
        var chip = NewChip();
        var before = chip.Read32(ChipBus.Cr);

        // Act
        chip.UnlockFlash();

        // Assert: CR reset value 0x80 (LOCK), then 0
        Assert.Equal(CrLock, before);
        Assert.Equal(0u, chip.Read32(ChipBus.Cr) & CrLock);
    }

    [Fact]
    public void Unlock_WrongKey_FaultsAndStaysLockedUntilReset()
    {
        // Arrange
        var chip = NewChip();

        // Act
        var wrong = chip.Write(ChipBus.Keyr, AccessWidth.Word, 0x12345678);
        var retryKey1 = chip.Write(ChipBus.Keyr, AccessWidth.Word, ChipBus.Key1);
        var retryKey2 = chip.Write(ChipBus.Keyr, AccessWidth.Word, ChipBus.Key2);
        var stillLocked = chip.Read32(ChipBus.Cr) & CrLock;
        chip.SetResetLine(true);
        chip.SetResetLine(false);
        chip.UnlockFlash();

        // Assert: RM0008 §3.3.1 — a wrong sequence is a bus error and locks the FPEC until the next reset
        Assert.Equal(BusResult.Fault, wrong);
        Assert.Equal(BusResult.Fault, retryKey1);
        Assert.Equal(BusResult.Fault, retryKey2);
        Assert.Equal(CrLock, stillLocked);
        Assert.Equal(0u, chip.Read32(ChipBus.Cr) & CrLock);
    }

    [Fact]
    public void Unlock_KeysInWrongOrder_Faults()
    {
        // Arrange
        var chip = NewChip();

        // Act
        var result = chip.Write(ChipBus.Keyr, AccessWidth.Word, ChipBus.Key2);

        // Assert
        Assert.Equal(BusResult.Fault, result);
        Assert.Equal(CrLock, chip.Read32(ChipBus.Cr) & CrLock);
    }

    [Fact]
    public void Write_ControlWhileLocked_Ignored()
    {
        // Arrange
        var chip = NewChip();

        // Act
        chip.Write32(ChipBus.Cr, CrPg);

        // Assert
        Assert.Equal(CrLock, chip.Read32(ChipBus.Cr));
    }

    [Fact]
    public void ProgramHalfWord_ErasedCell_BusyForProgramTimeThenEop()
    {
        // Arrange
        var chip = NewChip();
        chip.UnlockFlash();
        chip.Write32(ChipBus.Cr, CrPg);

        // Act
        chip.Write16(0x08000400, 0xA55A);
        var srWhileBusy = chip.Read32(ChipBus.Sr);
        var writeWhileBusy = chip.Write(0x08000402, AccessWidth.HalfWord, 0x1234);
        var readWhileBusy = chip.Read(0x08000400, AccessWidth.HalfWord, out _);
        _clock.Advance(ProgramTime - TimeSpan.FromTicks(1));
        var srJustBefore = chip.Read32(ChipBus.Sr);
        _clock.Advance(TimeSpan.FromTicks(1));
        var srAfter = chip.Read32(ChipBus.Sr);

        // Assert
        Assert.Equal(SrBsy, srWhileBusy);
        Assert.Equal(BusResult.Wait, writeWhileBusy);
        Assert.Equal(BusResult.Wait, readWhileBusy);
        Assert.Equal(SrBsy, srJustBefore & SrBsy);
        Assert.Equal(SrEop, srAfter);
        Assert.Equal(0xA55A, chip.Read16(0x08000400));
        Assert.Equal(2, chip.Counters.BytesProgrammed);
    }

    [Fact]
    public void ProgramHalfWord_NotErased_PgErrAndUnchanged()
    {
        // Arrange
        var chip = NewChip();
        chip.UnlockFlash();
        chip.Write32(ChipBus.Cr, CrPg);
        chip.Write16(0x08000000, 0xFF0F);
        chip.WaitNotBusy(_clock);

        // Act
        chip.Write16(0x08000000, 0x0F0F);

        // Assert: PM0075 — a half-word must be erased before programming (except 0x0000)
        Assert.Equal(SrPgErr, chip.Read32(ChipBus.Sr) & (SrPgErr | SrBsy));
        Assert.Equal(0xFF0F, chip.Read16(0x08000000));
    }

    [Fact]
    public void ProgramHalfWord_ZeroOverProgrammed_Allowed()
    {
        // Arrange
        var chip = NewChip();
        chip.UnlockFlash();
        chip.Write32(ChipBus.Cr, CrPg);
        chip.Write16(0x08000000, 0x1234);
        chip.WaitNotBusy(_clock);

        // Act
        chip.Write16(0x08000000, 0x0000);
        chip.WaitNotBusy(_clock);

        // Assert
        Assert.Equal(0u, chip.Read32(ChipBus.Sr) & SrPgErr);
        Assert.Equal(0x0000, chip.Read16(0x08000000));
    }

    [Fact]
    public void Program_ByteWrite_PgErr()
    {
        // Arrange
        var chip = NewChip();
        chip.UnlockFlash();
        chip.Write32(ChipBus.Cr, CrPg);

        // Act
        Assert.Equal(BusResult.Ok, chip.Write(0x08000001, AccessWidth.Byte, 0x00));

        // Assert
        Assert.Equal(SrPgErr, chip.Read32(ChipBus.Sr));
        Assert.Equal(0xFFFF, chip.Read16(0x08000000));
    }

    [Fact]
    public void Program_WordWrite_ProgramsBothHalfWordsInTwiceTheTime()
    {
        // Arrange
        var chip = NewChip();
        chip.UnlockFlash();
        chip.Write32(ChipBus.Cr, CrPg);

        // Act
        chip.Write32(0x08000010, 0xCAFEBABE);
        _clock.Advance(ProgramTime);
        var busyAfterOne = chip.Read32(ChipBus.Sr) & SrBsy;
        _clock.Advance(ProgramTime);
        var busyAfterTwo = chip.Read32(ChipBus.Sr) & SrBsy;

        // Assert
        Assert.Equal(SrBsy, busyAfterOne);
        Assert.Equal(0u, busyAfterTwo);
        Assert.Equal(0xCAFEBABEu, chip.Read32(0x08000010));
        Assert.Equal(4, chip.Counters.BytesProgrammed);
    }

    [Fact]
    public void Program_WithoutPg_Ignored()
    {
        // Arrange
        var chip = NewChip();
        chip.UnlockFlash();

        // Act
        chip.Write16(0x08000000, 0x0000);

        // Assert
        Assert.Equal(0xFFFF, chip.Read16(0x08000000));
        Assert.Equal(0u, chip.Read32(ChipBus.Sr));
    }

    [Fact]
    public void Program_WriteProtectedPage_WrprtErr()
    {
        // Arrange: page 5 protected -> WRP bit 1 (pages 4..7) cleared
        var chip = NewChip(new ChipFaults(WriteProtectedPages: new HashSet<int> { 5 }));
        chip.UnlockFlash();
        chip.Write32(ChipBus.Cr, CrPg);

        // Act
        chip.Write16(0x08001000, 0x0000); // page 4
        var sr = chip.Read32(ChipBus.Sr);
        chip.Write16(0x08000C00, 0x0000); // page 3: not protected
        chip.WaitNotBusy(_clock);

        // Assert
        Assert.Equal(0xFFFFFFFDu, chip.Read32(ChipBus.Wrpr));
        Assert.Equal(SrWrprtErr, sr);
        Assert.Equal(0xFFFF, chip.Read16(0x08001000));
        Assert.Equal(0x0000, chip.Read16(0x08000C00));
    }

    [Fact]
    public void Sr_WriteOneToClear_ClearsErrorFlags()
    {
        // Arrange
        var chip = NewChip();
        chip.UnlockFlash();
        chip.Write32(ChipBus.Cr, CrPg);
        Assert.Equal(BusResult.Ok, chip.Write(0x08000000, AccessWidth.Byte, 0));

        // Act: OpenOCD clears with FLASH_WRPRTERR | FLASH_PGERR
        chip.Write32(ChipBus.Sr, SrWrprtErr | SrPgErr);

        // Assert
        Assert.Equal(0u, chip.Read32(ChipBus.Sr));
    }

    [Fact]
    public void PageErase_OpenOcdSequence_ErasesOnePageInEraseTime()
    {
        // Arrange: program the last half-word of page 1 and the first of page 2
        var chip = NewChip();
        chip.UnlockFlash();
        chip.Write32(ChipBus.Cr, CrPg);
        chip.Write16(0x080007FE, 0x0000);
        chip.WaitNotBusy(_clock);
        chip.Write16(0x08000800, 0x0000);
        chip.WaitNotBusy(_clock);

        // Act: stm32x_erase: CR=PER, AR=page address, CR=PER|STRT, poll BSY
        chip.Write32(ChipBus.Cr, CrPer);
        chip.Write32(ChipBus.Ar, 0x08000400);
        chip.Write32(ChipBus.Cr, CrPer | CrStrt);
        var start = _clock.Now;
        var readWhileBusy = chip.Read(0x08000400, AccessWidth.Word, out _);
        chip.WaitNotBusy(_clock);
        var elapsed = _clock.Now - start;

        // Assert
        Assert.Equal(BusResult.Wait, readWhileBusy);
        Assert.InRange(elapsed, EraseTime, EraseTime + TimeSpan.FromMicroseconds(10));
        Assert.Equal(0xFFFF, chip.Read16(0x080007FE));
        Assert.Equal(0x0000, chip.Read16(0x08000800));
        Assert.Equal(SrEop, chip.Read32(ChipBus.Sr));
        Assert.Equal(0u, chip.Read32(ChipBus.Cr) & CrStrt);
        Assert.Equal(1, chip.Counters.PagesErased);
    }

    [Fact]
    public void PageErase_WriteProtectedPage_WrprtErrAndKept()
    {
        // Arrange
        var chip = NewChip(new ChipFaults(WriteProtectedPages: new HashSet<int> { 0 }));
        chip.UnlockFlash();

        // Act
        chip.Write32(ChipBus.Cr, CrPer);
        chip.Write32(ChipBus.Ar, 0x08000000);
        chip.Write32(ChipBus.Cr, CrPer | CrStrt);

        // Assert
        Assert.Equal(SrWrprtErr, chip.Read32(ChipBus.Sr));
        Assert.Equal(0, chip.Counters.PagesErased);
    }

    [Fact]
    public void MassErase_OpenOcdSequence_ErasesAllInMassEraseTime()
    {
        // Arrange
        var chip = NewChip();
        chip.UnlockFlash();
        chip.Write32(ChipBus.Cr, CrPg);
        chip.Write16(0x08000000, 0x0000);
        chip.WaitNotBusy(_clock);
        chip.Write16(0x0800FFFE, 0x0000);
        chip.WaitNotBusy(_clock);

        // Act: stm32x_mass_erase: CR=MER, CR=MER|STRT, poll BSY, CR=LOCK
        chip.Write32(ChipBus.Cr, CrMer);
        chip.Write32(ChipBus.Cr, CrMer | CrStrt);
        var start = _clock.Now;
        var writeWhileBusy = chip.Write(0x08000000, AccessWidth.HalfWord, 0);
        chip.WaitNotBusy(_clock);
        var elapsed = _clock.Now - start;
        chip.Write32(ChipBus.Cr, CrLock);

        // Assert
        Assert.Equal(BusResult.Wait, writeWhileBusy);
        Assert.InRange(elapsed, EraseTime, EraseTime + TimeSpan.FromMicroseconds(10));
        Assert.Equal(0xFFFF, chip.Read16(0x08000000));
        Assert.Equal(0xFFFF, chip.Read16(0x0800FFFE));
        Assert.Equal(1, chip.Counters.MassErases);
        Assert.Equal(CrLock, chip.Read32(ChipBus.Cr));
    }

    [Fact]
    public void StuckBit_StuckHigh_ProgrammedValueReadsBackWrong()
    {
        // Arrange: bit 3 of 0x08000100 stuck at 1
        var chip = NewChip(new ChipFaults(StuckBits: [new StuckBit(0x08000100, 3, true)]));
        chip.UnlockFlash();
        chip.Write32(ChipBus.Cr, CrPg);

        // Act
        chip.Write16(0x08000100, 0x0000);
        chip.WaitNotBusy(_clock);

        // Assert: programming reports success, verification sees 0x0008
        Assert.Equal(SrEop, chip.Read32(ChipBus.Sr));
        Assert.Equal(0x0008, chip.Read16(0x08000100));
    }

    [Fact]
    public void StuckBit_StuckLow_ErasedCellReadsZeroBit()
    {
        // Arrange
        var chip = NewChip(new ChipFaults(StuckBits: [new StuckBit(0x08000201, 7, false)]));

        // Act
        var value = chip.Read16(0x08000200);

        // Assert
        Assert.Equal(0x7FFF, value);
    }

    [Fact]
    public void Faults_StuckBitOutsideFlash_ThrowsNamingTheRange()
    {
        // Act
        var error = Assert.Throws<ChipConfigurationException>(
            () => NewChip(new ChipFaults(StuckBits: [new StuckBit(0x08010000, 0, true)])));

        // Assert
        Assert.Contains("0x08010000", error.Message, StringComparison.Ordinal);
        Assert.Contains("0x0800FFFF", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Faults_WriteProtectedPageOutOfRange_Throws()
    {
        // Act
        var error = Assert.Throws<ChipConfigurationException>(
            () => NewChip(new ChipFaults(WriteProtectedPages: new HashSet<int> { 64 })));

        // Assert
        Assert.Contains("0..63", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PageErase_PgStillSet_NothingErased()
    {
        // Arrange: a driver that sets PER with a read-modify-write and forgets to clear PG
        var chip = NewChip();
        chip.UnlockFlash();
        chip.Write32(ChipBus.Cr, CrPg);
        chip.Write16(0x08000000, 0x0000);
        chip.WaitNotBusy(_clock);
        chip.Write32(ChipBus.Sr, SrEop);

        // Act
        chip.Write32(ChipBus.Cr, CrPg | CrPer);
        chip.Write32(ChipBus.Ar, 0x08000000);
        chip.Write32(ChipBus.Cr, CrPg | CrPer | CrStrt);

        // Assert: libopencm3 #253 — on an F103 the erase fails while PG is set
        Assert.Equal(0u, chip.Read32(ChipBus.Sr));
        Assert.Equal(0x0000, chip.Read16(0x08000000));
        Assert.Equal(0, chip.Counters.PagesErased);
    }

    [Fact]
    public void StuckBit_StuckLow_ProgrammingThatHalfWordPgErr()
    {
        // Arrange: bit 0 of 0x08000300 stuck at 0, so the "erased" half-word reads 0xFFFE
        var chip = NewChip(new ChipFaults(StuckBits: [new StuckBit(0x08000300, 0, false)]));
        chip.UnlockFlash();
        chip.Write32(ChipBus.Cr, CrPg);

        // Act
        chip.Write16(0x08000300, 0x1234);

        // Assert
        Assert.Equal(SrPgErr, chip.Read32(ChipBus.Sr));
        Assert.Equal(0xFFFE, chip.Read16(0x08000300));
    }
}
