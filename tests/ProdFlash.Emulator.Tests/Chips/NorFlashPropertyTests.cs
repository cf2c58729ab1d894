using CsCheck;

using ProdFlash.Emulator.Chips;

using static ProdFlash.Emulator.Chips.Stm32F1FlashController;

namespace ProdFlash.Emulator.Tests.Chips;

/// <summary>NOR-flash rules as properties over random values.</summary>
public sealed class NorFlashPropertyTests
{
    [Fact]
    public void ProgramHalfWord_AnyTwoValues_OnlyClearsBits()
    {
        Gen.Select(Gen.UShort, Gen.UShort).Sample((first, second) =>
        {
            // Arrange
            var array = new NorFlashArray(4);
            array.ProgramHalfWord(2, first);

            // Act
            array.ProgramHalfWord(2, second);

            // Assert
            Assert.Equal((ushort)(first & second), array.ReadHalfWord(2));
            Assert.Equal(0xFFFF, array.ReadHalfWord(0));
        });
    }

    [Fact]
    public void ChipProgram_SecondWrite_PgErrUnlessErasedOrZero()
    {
        Gen.Select(Gen.UShort, Gen.UShort).Sample((first, second) =>
        {
            // Arrange
            var clock = new ManualModeledClock();
            var chip = new Stm32F1Chip(Stm32F1Specs.Stm32F103C8, clock);
            chip.UnlockFlash();
            chip.Write32(ChipBus.Cr, CrPg);
            chip.Write16(0x08000000, first);
            chip.WaitNotBusy(clock);

            // Act
            chip.Write16(0x08000000, second);
            chip.WaitNotBusy(clock);

            // Assert: PM0075 — only an erased half-word (0xFFFF) may be programmed, except with 0x0000
            var accepted = first == 0xFFFF || second == 0x0000;
            var expected = accepted ? (ushort)(first & second) : first;
            Assert.Equal(accepted ? 0u : SrPgErr, chip.Read32(ChipBus.Sr) & SrPgErr);
            Assert.Equal(expected, chip.Read16(0x08000000));
        });
    }

    [Fact]
    public void Erase_WithStuckBits_StuckValuesSurvive()
    {
        Gen.Select(Gen.Int[0, 7], Gen.Bool, Gen.UShort).Sample((bit, stuckHigh, programmed) =>
        {
            // Arrange
            var array = new NorFlashArray(2);
            array.SetStuckBit(1, bit, stuckHigh);
            array.ProgramHalfWord(0, programmed);

            // Act
            array.EraseAll();

            // Assert
            var high = array.Contents[1];
            Assert.Equal(stuckHigh, (high & (1 << bit)) != 0);
            Assert.Equal(0xFF, high | (1 << bit));
            Assert.Equal(0xFF, array.Contents[0]);
        });
    }
}
