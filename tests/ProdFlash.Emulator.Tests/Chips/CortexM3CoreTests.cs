using ProdFlash.Emulator.Chips;
using ProdFlash.Emulator.Target;

using static ProdFlash.Emulator.Chips.CortexM3Core;

namespace ProdFlash.Emulator.Tests.Chips;

/// <summary>Cortex-M3 debug registers of the chip model: halt/run, core register transfer, resets and vector catch.</summary>
public sealed class CortexM3CoreTests
{
    private const uint DebugKey = DbgKey << 16;
    private const uint VectorSp = 0x20005000;
    private const uint VectorReset = 0x08000145;

    private readonly ManualModeledClock _clock = new();

    /// <summary>A chip whose flash holds a vector table: SP 0x20005000, reset handler 0x08000145 (Thumb).</summary>
    private Stm32F1Chip NewChipWithVectorTable()
    {
        var chip = new Stm32F1Chip(Stm32F1Specs.Stm32F103C8, _clock);
        chip.UnlockFlash();
        chip.Write32(ChipBus.Cr, Stm32F1FlashController.CrPg);
        chip.Write32(0x08000000, VectorSp);
        chip.WaitNotBusy(_clock);
        chip.Write32(0x08000004, VectorReset);
        chip.WaitNotBusy(_clock);
        chip.Write32(ChipBus.Cr, Stm32F1FlashController.CrLock);
        return chip;
    }

    private static uint ReadCoreRegister(Stm32F1Chip chip, int selector)
    {
        chip.Write32(DcrsrAddress, (uint)selector);
        Assert.Equal(SRegRdy, chip.Read32(DhcsrAddress) & SRegRdy);
        return chip.Read32(DcrdrAddress);
    }

    [Fact]
    public void Dhcsr_HaltRequest_HaltsAndSetsDfsrHalted()
    {
        // Arrange
        var chip = NewChipWithVectorTable();

        // Act
        chip.Write32(DhcsrAddress, DebugKey | CDebugEn);
        var running = chip.Read32(DhcsrAddress);
        chip.Write32(DhcsrAddress, DebugKey | CDebugEn | CHalt);
        var halted = chip.Read32(DhcsrAddress);

        // Assert
        Assert.Equal(0u, running & SHalt);
        Assert.Equal(SHalt | SRegRdy | CHalt | CDebugEn, halted & (SHalt | SRegRdy | CHalt | CDebugEn));
        Assert.Equal(DfsrHalted, chip.Read32(DfsrAddress) & DfsrHalted);
        Assert.Equal(CoreRunState.Halted, chip.Core.State);
    }

    [Fact]
    public void Dhcsr_ClearHalt_ResumesRunning()
    {
        // Arrange
        var chip = NewChipWithVectorTable();
        chip.Write32(DhcsrAddress, DebugKey | CDebugEn | CHalt);

        // Act
        chip.Write32(DhcsrAddress, DebugKey | CDebugEn);
        var value = chip.Read32(DhcsrAddress);

        // Assert
        Assert.Equal(0u, value & SHalt);
        Assert.Equal(SRetireSt, value & SRetireSt);
        Assert.Equal(CoreRunState.Running, chip.Core.State);
    }

    [Fact]
    public void Dhcsr_WriteWithoutDebugKey_Ignored()
    {
        // Arrange
        var chip = NewChipWithVectorTable();

        // Act
        chip.Write32(DhcsrAddress, CDebugEn | CHalt);

        // Assert
        Assert.Equal(0u, chip.Read32(DhcsrAddress) & (CDebugEn | SHalt));
    }

    [Fact]
    public void Dcrsr_WriteThenReadRegisters_RoundTrips()
    {
        // Arrange
        var chip = NewChipWithVectorTable();
        chip.Write32(DhcsrAddress, DebugKey | CDebugEn | CHalt);

        // Act: write R0 and PC, then read them back (OpenOCD cortex_m_store_core_reg_u32 / load)
        chip.Write32(DcrdrAddress, 0xDEADBEEF);
        chip.Write32(DcrsrAddress, DcrsrRegWnR | 0);
        chip.Write32(DcrdrAddress, 0x20000100);
        chip.Write32(DcrsrAddress, DcrsrRegWnR | 15);
        chip.Write32(DcrdrAddress, 0x20001003);
        chip.Write32(DcrsrAddress, DcrsrRegWnR | (uint)RegMsp);
        var r0 = ReadCoreRegister(chip, 0);
        var pc = ReadCoreRegister(chip, 15);
        var sp = ReadCoreRegister(chip, 13);
        var msp = ReadCoreRegister(chip, RegMsp);

        // Assert: MSP bits [1:0] read as zero; R13 is MSP in thread mode with CONTROL.SPSEL = 0
        Assert.Equal(0xDEADBEEFu, r0);
        Assert.Equal(0x20000100u, pc);
        Assert.Equal(0x20001000u, msp);
        Assert.Equal(msp, sp);
    }

    [Fact]
    public void Dcrsr_WhileRunning_RegisterNotReady()
    {
        // Arrange
        var chip = NewChipWithVectorTable();
        chip.Write32(DhcsrAddress, DebugKey | CDebugEn);

        // Act
        chip.Write32(DcrsrAddress, 15);

        // Assert
        Assert.Equal(0u, chip.Read32(DhcsrAddress) & SRegRdy);
    }

    [Fact]
    public void Aircr_SysResetReqWithVcCoreReset_HaltsAtResetVector()
    {
        // Arrange: halt, scribble on the registers, arm the reset vector catch (OpenOCD "reset halt" with sysresetreq)
        var chip = NewChipWithVectorTable();
        chip.Write32(DhcsrAddress, DebugKey | CDebugEn | CHalt);
        chip.Write32(DcrdrAddress, 0x12345678);
        chip.Write32(DcrsrAddress, DcrsrRegWnR | 0);
        chip.Write32(DfsrAddress, 0x1F);
        chip.Write32(DemcrAddress, TrcEna | VcCoreReset);

        // Act
        chip.Write32(AircrAddress, (VectKey << 16) | AircrSysResetReq);
        var dhcsr = chip.Read32(DhcsrAddress);
        var dhcsrAgain = chip.Read32(DhcsrAddress);

        // Assert: halted, PC = reset handler without the Thumb bit, SP from word 0, xPSR = T bit, R0 cleared
        Assert.Equal(SHalt | SResetSt, dhcsr & (SHalt | SResetSt));
        Assert.Equal(0u, dhcsrAgain & SResetSt); // sticky: cleared by the first read
        Assert.Equal(DfsrVCatch, chip.Read32(DfsrAddress) & DfsrVCatch);
        Assert.Equal(VectorReset & ~1u, ReadCoreRegister(chip, 15));
        Assert.Equal(VectorSp, ReadCoreRegister(chip, RegMsp));
        Assert.Equal(ResetXpsr, ReadCoreRegister(chip, RegXpsr));
        Assert.Equal(0xFFFFFFFFu, ReadCoreRegister(chip, 14));
        Assert.Equal(0u, ReadCoreRegister(chip, 0));
        Assert.Equal(TrcEna | VcCoreReset, chip.Read32(DemcrAddress)); // debug registers survive a system reset
    }

    [Fact]
    public void Aircr_SysResetReqWithoutVectorCatch_Runs()
    {
        // Arrange
        var chip = NewChipWithVectorTable();
        chip.Write32(DhcsrAddress, DebugKey | CDebugEn | CHalt);

        // Act
        chip.Write32(AircrAddress, (VectKey << 16) | AircrSysResetReq);

        // Assert
        Assert.Equal(CoreRunState.Running, chip.Core.State);
        Assert.Equal(0u, chip.Read32(DhcsrAddress) & SHalt);
    }

    [Fact]
    public void Aircr_WrongKey_NoReset()
    {
        // Arrange
        var chip = NewChipWithVectorTable();
        chip.Write32(DhcsrAddress, DebugKey | CDebugEn | CHalt);
        _ = chip.Read32(DhcsrAddress); // clear S_RESET_ST from power-on

        // Act
        chip.Write32(AircrAddress, AircrSysResetReq);

        // Assert: reads back VECTKEYSTAT 0xFA05; still halted, no reset seen
        Assert.Equal(0xFA050000u, chip.Read32(AircrAddress));
        Assert.Equal(SHalt, chip.Read32(DhcsrAddress) & (SHalt | SResetSt));
    }

    [Fact]
    public void Aircr_SysResetReq_LocksFlashAgain()
    {
        // Arrange
        var chip = NewChipWithVectorTable();
        chip.UnlockFlash();

        // Act
        chip.Write32(AircrAddress, (VectKey << 16) | AircrSysResetReq);

        // Assert
        Assert.Equal(Stm32F1FlashController.CrLock, chip.Read32(ChipBus.Cr));
    }

    [Fact]
    public void Nrst_HaltRequestedWhileHeld_HaltsAtResetVectorOnRelease()
    {
        // Arrange: connect under reset
        var chip = NewChipWithVectorTable();
        chip.SetResetLine(true);
        var inReset = chip.Read32(DhcsrAddress);

        // Act
        chip.Write32(DhcsrAddress, DebugKey | CDebugEn | CHalt);
        chip.SetResetLine(false);

        // Assert
        Assert.Equal(SResetSt, inReset & SResetSt);
        Assert.Equal(CoreRunState.Halted, chip.Core.State);
        Assert.Equal(VectorReset & ~1u, ReadCoreRegister(chip, 15));
    }

    [Fact]
    public void Nrst_ReleasedWithVcCoreReset_HaltsAtResetVector()
    {
        // Arrange
        var chip = NewChipWithVectorTable();
        chip.Write32(DhcsrAddress, DebugKey | CDebugEn);
        chip.Write32(DemcrAddress, VcCoreReset);

        // Act
        chip.SetResetLine(true);
        var held = chip.Core.State;
        chip.SetResetLine(false);

        // Assert
        Assert.Equal(CoreRunState.InReset, held);
        Assert.Equal(CoreRunState.Halted, chip.Core.State);
        Assert.Equal(VectorReset & ~1u, chip.Core.ProgramCounter);
        Assert.Equal(VectorSp, chip.Core.MainStackPointer);
    }

    [Fact]
    public void Dhcsr_StepWhileHalted_StaysHaltedAndRetires()
    {
        // Arrange
        var chip = NewChipWithVectorTable();
        chip.Write32(DhcsrAddress, DebugKey | CDebugEn | CHalt);
        _ = chip.Read32(DhcsrAddress);

        // Act: OpenOCD step: C_DEBUGEN | C_STEP with C_HALT cleared (C_MASKINTS optional)
        chip.Write32(DhcsrAddress, DebugKey | CDebugEn | CStep | CMaskInts);
        var value = chip.Read32(DhcsrAddress);

        // Assert: no instruction is modeled: the core halts again at once
        Assert.Equal(SHalt | SRetireSt, value & (SHalt | SRetireSt));
    }

    [Fact]
    public void SystemControlSpace_OtherRegisters_ReadBackWhatIsWritten()
    {
        // Arrange
        var chip = NewChipWithVectorTable();

        // Act: VTOR and DWT comparator registers, as OpenOCD's examine and reset handling use them
        chip.Write32(0xE000ED08, 0x08000000);
        chip.Write32(0xE0001020, 0x20000000);
        chip.Write32(0xE0001028, 0x01000005); // MATCHED (b24) is read-only

        // Assert
        Assert.Equal(0x08000000u, chip.Read32(0xE000ED08));
        Assert.Equal(0x20000000u, chip.Read32(0xE0001020));
        Assert.Equal(0x00000005u, chip.Read32(0xE0001028));
    }

    [Fact]
    public void ByteAccess_ToScs_ExtractsFromWord()
    {
        // Arrange
        var chip = NewChipWithVectorTable();

        // Act
        Assert.Equal(BusResult.Ok, chip.Read(0xE000ED03, AccessWidth.Byte, out var implementer));

        // Assert: CPUID[31:24] = 0x41 (ARM)
        Assert.Equal(0x41u, implementer);
    }

    [Fact]
    public void Resume_FpbComparatorAtPc_HaltsAtOnceWithBkpt()
    {
        // Arrange: halted at the reset vector 0x08000144; OpenOCD's step plants a hardware breakpoint at the PC
        var chip = NewChipWithVectorTable();
        chip.Write32(DemcrAddress, VcCoreReset);
        chip.Write32(DhcsrAddress, DebugKey | CDebugEn | CHalt);
        chip.Write32(AircrAddress, (VectKey << 16) | AircrSysResetReq);
        chip.Write32(DfsrAddress, 0x1F);
        chip.Write32(0xE0002000, 3); // FP_CTRL KEY | ENABLE
        chip.Write32(0xE0002008, 0x48000144 | 1); // FP_COMP0: REPLACE = 01 (lower half-word), address, ENABLE

        // Act
        chip.Write32(DhcsrAddress, DebugKey | CDebugEn);

        // Assert
        Assert.Equal(CoreRunState.Halted, chip.Core.State);
        Assert.Equal(DfsrBkpt, chip.Read32(DfsrAddress));
        Assert.Equal(0x08000144u, chip.Core.ProgramCounter);
    }

    [Fact]
    public void Resume_FpbComparatorElsewhere_Runs()
    {
        // Arrange
        var chip = NewChipWithVectorTable();
        chip.Write32(DemcrAddress, VcCoreReset);
        chip.Write32(DhcsrAddress, DebugKey | CDebugEn | CHalt);
        chip.Write32(AircrAddress, (VectKey << 16) | AircrSysResetReq);
        chip.Write32(0xE0002000, 3);
        chip.Write32(0xE0002008, 0x80000144 | 1); // REPLACE = 10: upper half-word (0x08000146) only

        // Act
        chip.Write32(DhcsrAddress, DebugKey | CDebugEn);

        // Assert
        Assert.Equal(CoreRunState.Running, chip.Core.State);
    }

    [Fact]
    public void Resume_OntoBkptInstructionInSram_HaltsWithBkpt()
    {
        // Arrange: PC in SRAM holding BKPT #0 (0xBE00), as OpenOCD's soft breakpoint writes it
        var chip = NewChipWithVectorTable();
        chip.Write32(DhcsrAddress, DebugKey | CDebugEn | CHalt);
        chip.Write16(0x20000100, 0xBE00);
        chip.Write32(DcrdrAddress, 0x20000100);
        chip.Write32(DcrsrAddress, DcrsrRegWnR | 15);

        // Act
        chip.Write32(DhcsrAddress, DebugKey | CDebugEn);

        // Assert
        Assert.Equal(CoreRunState.Halted, chip.Core.State);
        Assert.Equal(DfsrBkpt, chip.Read32(DfsrAddress) & DfsrBkpt);
    }
}
