using ProdFlash.Emulator.Chips;
using ProdFlash.Emulator.Chips.Clones;
using ProdFlash.Emulator.Target;
using ProdFlash.Emulator.Tests.Chips;

namespace ProdFlash.Emulator.Tests.Clones;

/// <summary>
/// Every look-alike is still programmable with the F1 flash sequence (reference §3.3), the way the real part must be
/// programmed: the APM32's rule (wait for BSY between half-words) is enforced, the GD32 takes 32-bit writes.
/// </summary>
public sealed class CloneProgrammingTests
{
    private readonly ManualModeledClock _clock = new();

    public static TheoryData<string> Clones => [.. CloneChips.Names];

    [Theory]
    [MemberData(nameof(Clones))]
    public void ProgramF1_EveryClone_ReadsBackWhatWasWritten(string part)
    {
        // Arrange
        var chip = CloneChips.Create(part, _clock);
        var data = Enumerable.Range(0, 256).Select(i => (byte)(i * 7 + 3)).ToArray();
        const uint address = 0x08000400;

        // Act
        chip.ProgramF1(_clock, address, data, chip.Spec.PageSize);
        var readBack = new byte[data.Length];
        for (var i = 0; i < data.Length; i += 4)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(readBack.AsSpan(i), chip.Read32(address + (uint)i));
        }

        // Assert
        Assert.Equal(data, readBack);
        Assert.Equal(0u, chip.Read32(ChipBus.Sr) & (Stm32F1FlashController.SrPgErr | Stm32F1FlashController.SrWrprtErr));
    }

    [Fact]
    public void FlashActivity_At32_CountsItsOwnPagesForPhaseFaults()
    {
        // Arrange: the probe's unplug/brownout faults read these counters (IFlashActivity)
        var chip = CloneChips.Create("at32f403acg", _clock);

        // Act
        chip.ProgramF1(_clock, 0x08000000, new byte[64], chip.Spec.PageSize);

        // Assert: one 2 KiB AT32 page erased (page size an assumption of the catalog), 64 bytes programmed, 1 MiB array
        Assert.Equal(64, chip.BytesProgrammed);
        Assert.Equal(chip.Spec.PageSize, chip.BytesErased);
        Assert.Equal(1024 * 1024, chip.FlashSizeBytes);
    }

    [Fact]
    public void Write_Apm32SecondHalfWordWhileBusy_IsLost()
    {
        // Arrange
        var chip = CloneChips.Create("apm32f103c8", _clock);
        chip.Unlock();
        chip.Write32(ChipBus.Cr, Stm32F1FlashController.CrPg);

        // Act: two half-words back to back, no BSY poll between them
        chip.Write16(0x08000000, 0x1111);
        var secondWhileBusy = chip.Write(0x08000002, AccessWidth.HalfWord, 0x2222);
        chip.WaitNotBusy(_clock);

        // Assert: embassy-stm32 4239a438 "Only one half-word gets written" (§5.3 APM32 Behavioural)
        Assert.Equal(BusResult.Ok, secondWhileBusy);
        Assert.Equal(0x1111, chip.Read16(0x08000000));
        Assert.Equal(0xFFFF, chip.Read16(0x08000002));
    }

    [Fact]
    public void Write_Apm32WordWrite_ProgramsOnlyTheLowHalfWord()
    {
        // Arrange
        var chip = CloneChips.Create("apm32f103c8", _clock);
        chip.Unlock();
        chip.Write32(ChipBus.Cr, Stm32F1FlashController.CrPg);

        // Act
        chip.Write32(0x08000000, 0x22221111);
        chip.WaitNotBusy(_clock);

        // Assert
        Assert.Equal(0xFFFF1111u, chip.Read32(0x08000000));
    }

    [Theory]
    [InlineData("gd32f103c8")] // §5.3: 32-bit flash writes accepted (BMP STM32F1_TOPT_32BIT_WRITES)
    [InlineData("stm32f103c8")] // genuine model: both half-words (see Stm32F1FlashController.WriteMain)
    public void Write_WordWrite_ProgramsBothHalves(string part)
    {
        // Arrange
        IEmulatedTarget chip = part.StartsWith("stm32", StringComparison.Ordinal)
            ? new Stm32F1Chip(Stm32F1Specs.Stm32F103C8, _clock)
            : CloneChips.Create(part, _clock);
        chip.Unlock();
        chip.Write32(ChipBus.Cr, Stm32F1FlashController.CrPg);

        // Act
        chip.Write32(0x08000000, 0x22221111);
        chip.WaitNotBusy(_clock);

        // Assert
        Assert.Equal(0x22221111u, chip.Read32(0x08000000));
    }

    [Fact]
    public void Write_GenuineSecondHalfWordWhileBusy_StallsInsteadOfDropping()
    {
        // Arrange
        var chip = new Stm32F1Chip(Stm32F1Specs.Stm32F103C8, _clock);
        chip.Unlock();
        chip.Write32(ChipBus.Cr, Stm32F1FlashController.CrPg);
        chip.Write16(0x08000000, 0x1111);

        // Act
        var whileBusy = chip.Write(0x08000002, AccessWidth.HalfWord, 0x2222);

        // Assert: the AHB-AP is told WAIT; retried after BSY clears, the write lands
        Assert.Equal(BusResult.Wait, whileBusy);
        chip.WaitNotBusy(_clock);
        chip.Write16(0x08000002, 0x2222);
        chip.WaitNotBusy(_clock);
        Assert.Equal(0x22221111u, chip.Read32(0x08000000));
    }
}
