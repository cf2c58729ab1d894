using ProdFlash.Emulator.Chips;
using ProdFlash.Emulator.Faults;
using ProdFlash.Emulator.Target;

namespace ProdFlash.Emulator.Tests.Chips.Families;

/// <summary>The chip-side faults on every family: verify-mismatch, brown-out mid-program, parsing of the new names.</summary>
public sealed class FamilyFaultTests
{
    private const uint Flash = 0x0800_0000;

    [Fact]
    public void Parse_NewChipFaultNames_SetTheChipFaults()
    {
        var faults = FaultSet.Parse(["verify-mismatch", "ob-write-fail", "brown-out:40"]);

        Assert.True(faults.Chip.VerifyMismatch);
        Assert.True(faults.Chip.OptionByteWriteFails);
        Assert.Equal(new PhaseTrigger(FaultPhase.Program, 40), faults.Brownout);
        Assert.Equal(new PhaseTrigger(FaultPhase.Erase, 10), FaultSet.Parse(["brown-out:erase:10"]).Brownout);
    }

    [Theory]
    [InlineData("brown-out:150")]
    [InlineData("verify-mismatch:1")]
    [InlineData("ob-write-fail:x")]
    public void Parse_BadArguments_ThrowNamingTheFault(string name)
    {
        var error = Assert.Throws<EmulatorConfigurationException>(() => FaultSet.Parse([name]));

        Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("stm32f030f4")]
    [InlineData("stm32f407vg")]
    [InlineData("stm32g071rb")]
    [InlineData("stm32l476rg")]
    public void VerifyMismatch_FirstProgrammedByte_ReadsBackWithBit0Inverted(string part)
    {
        var clock = new ManualModeledClock();
        var chip = FamilyBus.Create(part, clock, new ChipFaults(VerifyMismatch: true));

        ProgramEightBytes(chip, clock, Flash + 0x10, 0x11223344, 0x55667788);

        Assert.Equal(0x11223345u, chip.Read32(Flash + 0x10));
        Assert.Equal(0x44u, chip.MainFlash[0x10]); // the cells hold the right value; only the read-back differs
        Assert.Equal(0x55667788u, chip.Read32(Flash + 0x14));
    }

    [Fact]
    public void VerifyMismatch_F103_FirstProgrammedHalfWordReadsWrong()
    {
        var clock = new ManualModeledClock();
        var chip = new Stm32F1Chip(Stm32F1Specs.Stm32F103C8, clock, new ChipFaults(VerifyMismatch: true));
        ChipBus.UnlockFlash(chip);
        ChipBus.Write32(chip, ChipBus.Cr, Stm32F1FlashController.CrPg);

        ChipBus.Write16(chip, Flash + 4, 0xBEEF);
        ChipBus.WaitNotBusy(chip, clock);

        Assert.Equal(0xBEEE, ChipBus.Read16(chip, Flash + 4));
    }

    [Fact]
    public void ObWriteFail_F103OptionErase_KeepsTheBlockAndProgramSetsPgerr()
    {
        var clock = new ManualModeledClock();
        var chip = new Stm32F1Chip(Stm32F1Specs.Stm32F103C8, clock, new ChipFaults(OptionByteWriteFails: true));
        ChipBus.UnlockOptionBytes(chip);
        var optWre = Stm32F1FlashController.CrOptWre;

        ChipBus.Write32(chip, ChipBus.Cr, Stm32F1FlashController.CrOptEr | optWre);
        ChipBus.Write32(chip, ChipBus.Cr, Stm32F1FlashController.CrOptEr | Stm32F1FlashController.CrStrt | optWre);
        ChipBus.WaitNotBusy(chip, clock);
        ChipBus.Write32(chip, ChipBus.Cr, Stm32F1FlashController.CrOptPg | optWre);
        ChipBus.Write16(chip, 0x1FFFF800, 0x00);

        Assert.NotEqual(0u, ChipBus.Read32(chip, ChipBus.Sr) & Stm32F1FlashController.SrPgErr);
        Assert.Equal(0x5AA5, ChipBus.Read16(chip, 0x1FFFF800));
    }

    [Theory]
    [InlineData("stm32f407vg")]
    [InlineData("stm32l476rg")]
    public void BrownOut_PowerLostWhileProgramming_LeavesTheUnitHalfProgrammedAndTheBoardDark(string part)
    {
        var clock = new ManualModeledClock();
        var chip = FamilyBus.Create(part, clock);
        var board = new BoardFaultTarget(chip, FaultSet.Parse(["brown-out:50"]));

        StartEightBytes(chip, Flash, 0x00000000, 0x00000000);
        Assert.True(chip.Busy());
        board.PowerLost = true;

        Assert.Equal(0.0, board.SenseVoltage);
        Assert.False(board.SwdResponds);
        Assert.False(chip.Busy());
        Assert.Equal(0xAAAAAAAAu, chip.Read32(Flash)); // every other bit of the change took effect: neither old nor new
    }

    private static void StartEightBytes(Stm32Chip chip, uint address, uint low, uint high)
    {
        chip.Unlock();
        if (chip.Spec.Family.Key == "f4")
        {
            chip.Write32(chip.Reg("CR"), chip.Mask("CR", "PG") | (3u << 8)); // x64: one operation for eight bytes
        }
        else
        {
            chip.Write32(chip.Reg("CR"), chip.Mask("CR", "PG"));
        }

        chip.Write32(address, low);
        chip.Write32(address + 4, high);
    }

    private static void ProgramEightBytes(Stm32Chip chip, ManualModeledClock clock, uint address, uint low, uint high)
    {
        if (chip.Spec.Family.Key == "f0")
        {
            chip.Unlock();
            chip.Write32(chip.Reg("CR"), chip.Mask("CR", "PG"));
            foreach (var (offset, half) in new[] { (0u, low), (2u, low >> 16), (4u, high), (6u, high >> 16) })
            {
                chip.Write16(address + offset, (ushort)half);
                chip.WaitNotBusy(clock);
            }

            return;
        }

        StartEightBytes(chip, address, low, high);
        chip.WaitNotBusy(clock);
    }
}
