using ProdFlash.Emulator.Chips;
using ProdFlash.Emulator.Target;

using static ProdFlash.Emulator.Chips.Stm32F1FlashController;

namespace ProdFlash.Emulator.Tests.Chips;

/// <summary>Option bytes and readout protection, driven with OpenOCD 0.12's own register sequences (stm32f1x.c).</summary>
public sealed class Stm32F1OptionBytesTests
{
    private const uint OptionBytes = 0x1FFFF800;

    private readonly ManualModeledClock _clock = new();

    private Stm32F1Chip NewChip(ChipFaults? faults = null) => new(Stm32F1Specs.Stm32F103C8, _clock, faults);

    /// <summary>stm32x_erase_options: unlock FPEC and option bytes, OPTER, OPTER|STRT, wait; leaves the FPEC unlocked.</summary>
    private void EraseOptions(Stm32F1Chip chip)
    {
        chip.UnlockOptionBytes();
        chip.Write32(ChipBus.Cr, CrOptEr | CrOptWre);
        chip.Write32(ChipBus.Cr, CrOptEr | CrStrt | CrOptWre);
        chip.WaitNotBusy(_clock);
    }

    /// <summary>stm32x_write_options without a work area: keys again, OPTPG|OPTWRE, eight 16-bit writes each polled, LOCK.</summary>
    private void WriteOptions(Stm32F1Chip chip, byte rdp, byte user = 0xFF, byte data0 = 0xFF, byte data1 = 0xFF, uint wrp = 0xFFFFFFFF)
    {
        chip.UnlockOptionBytes();
        chip.Write32(ChipBus.Cr, CrOptPg | CrOptWre);
        ushort[] values = [rdp, user, data0, data1, (byte)wrp, (byte)(wrp >> 8), (byte)(wrp >> 16), (byte)(wrp >> 24)];
        for (var i = 0; i < values.Length; i++)
        {
            chip.Write16(OptionBytes + (uint)(2 * i), values[i]);
            chip.WaitNotBusy(_clock);
            Assert.Equal(0u, chip.Read32(ChipBus.Sr) & (SrPgErr | SrWrprtErr));
        }

        chip.Write32(ChipBus.Cr, CrLock);
    }

    private static void Reset(Stm32F1Chip chip)
    {
        chip.SetResetLine(true);
        chip.SetResetLine(false);
    }

    private void ProgramHalfWord(Stm32F1Chip chip, uint address, ushort value)
    {
        chip.UnlockFlash();
        chip.Write32(ChipBus.Cr, CrPg);
        chip.Write16(address, value);
        chip.WaitNotBusy(_clock);
        chip.Write32(ChipBus.Cr, CrLock);
    }

    [Fact]
    public void EraseOptions_OpenOcdSequence_ErasesBlockInPageEraseTime()
    {
        // Arrange
        var chip = NewChip();
        chip.UnlockOptionBytes();
        var crAfterKeys = chip.Read32(ChipBus.Cr);

        // Act
        chip.Write32(ChipBus.Cr, CrOptEr | CrOptWre);
        chip.Write32(ChipBus.Cr, CrOptEr | CrStrt | CrOptWre);
        var start = _clock.Now;
        var readWhileBusy = chip.Read(OptionBytes, AccessWidth.Word, out _);
        chip.WaitNotBusy(_clock);

        // Assert
        Assert.Equal(CrOptWre, crAfterKeys);
        Assert.Equal(BusResult.Wait, readWhileBusy);
        Assert.InRange(_clock.Now - start, TimeSpan.FromMilliseconds(40), TimeSpan.FromMilliseconds(40.01)); // DS5319: no typical erase time, the model charges the 40 ms maximum
        Assert.All(chip.OptionBytes.ToArray(), b => Assert.Equal(0xFF, b));
    }

    [Fact]
    public void WriteOptions_LowByteOnly_HardwareAddsComplement()
    {
        // Arrange
        var chip = NewChip();
        EraseOptions(chip);

        // Act: OpenOCD writes 0x00A5, 0x00FF, ... (target_buffer_set_u16 of the byte)
        WriteOptions(chip, rdp: 0xA5, user: 0xFF, data0: 0x12, data1: 0x34);

        // Assert: reference §4.2 layout, each half-word = byte | ~byte << 8
        Assert.Equal(0x00FF5AA5u, chip.Read32(OptionBytes));
        Assert.Equal(0xCB34ED12u, chip.Read32(OptionBytes + 4));
        Assert.Equal(0x00FF00FFu, chip.Read32(OptionBytes + 8));
    }

    [Fact]
    public void WriteOptions_NewValues_TakeEffectOnlyAfterReset()
    {
        // Arrange
        var chip = NewChip();
        EraseOptions(chip);
        WriteOptions(chip, rdp: 0xA5, user: 0xFE, data0: 0x12, data1: 0x34, wrp: 0xFFFFFFFE);
        var obrBefore = chip.Read32(ChipBus.Obr);

        // Act
        Reset(chip);
        var obrAfter = chip.Read32(ChipBus.Obr);
        var wrprAfter = chip.Read32(ChipBus.Wrpr);

        // Assert: OBR = Data1[25:18] | Data0[17:10] | USER[9:2] | RDPRT b1 (reference §4.2)
        Assert.Equal(0x03FFFFFCu, obrBefore);
        Assert.Equal((0x34u << 18) | (0x12u << 10) | (0xFEu << 2), obrAfter);
        Assert.Equal(0xFFFFFFFEu, wrprAfter);
        Assert.True(chip.Flash.IsPageProtected(3));
        Assert.False(chip.Flash.IsPageProtected(4));
    }

    [Fact]
    public void ProgramOptions_NotErased_PgErr()
    {
        // Arrange: factory option bytes are programmed, not erased
        var chip = NewChip();
        chip.UnlockOptionBytes();
        chip.Write32(ChipBus.Cr, CrOptPg | CrOptWre);

        // Act
        chip.Write16(OptionBytes + 4, 0x00);

        // Assert
        Assert.Equal(SrPgErr, chip.Read32(ChipBus.Sr));
    }

    [Fact]
    public void ProgramOptions_WithoutOptionKeys_Ignored()
    {
        // Arrange
        var chip = NewChip();
        EraseOptions(chip);
        chip.Write32(ChipBus.Cr, CrLock); // clears OPTWRE too
        chip.UnlockFlash();

        // Act
        chip.Write32(ChipBus.Cr, CrOptPg);
        chip.Write16(OptionBytes, 0x00);

        // Assert
        Assert.Equal(0u, chip.Read32(ChipBus.Cr) & CrOptWre);
        Assert.Equal(0xFFFFu, chip.Read16(OptionBytes));
    }

    [Fact]
    public void OptionKeys_WrongKey_Faults()
    {
        // Arrange
        var chip = NewChip();
        chip.UnlockFlash();

        // Act
        var result = chip.Write(ChipBus.OptKeyr, AccessWidth.Word, 0x08192A3B); // the F4 option key, wrong on F1

        // Assert
        Assert.Equal(BusResult.Fault, result);
        Assert.Equal(0u, chip.Read32(ChipBus.Cr) & CrOptWre);
    }

    [Fact]
    public void Lock_OpenOcdSequence_ReadoutProtectedAfterReset()
    {
        // Arrange: a programmed chip
        var chip = NewChip();
        ProgramHalfWord(chip, 0x08000000, 0x1234);

        // Act: "stm32f1x lock 0" = erase options, write options with RDP 0, then reset
        EraseOptions(chip);
        WriteOptions(chip, rdp: Stm32F1OptionBytes.RdpLevel1);
        var readBeforeReset = chip.Read(0x08000000, AccessWidth.HalfWord, out _);
        Reset(chip);

        // Assert: the new level applies only after reset; then flash reads are bus errors, OBR.RDPRT is set
        Assert.Equal(BusResult.Ok, readBeforeReset);
        Assert.Equal(BusResult.Fault, chip.Read(0x08000000, AccessWidth.HalfWord, out _));
        Assert.Equal(BusResult.Fault, chip.Read(0x00000000, AccessWidth.Word, out _));
        Assert.Equal(Stm32F1OptionBytes.ObrRdprt, chip.Read32(ChipBus.Obr) & Stm32F1OptionBytes.ObrRdprt);
        Assert.Equal(0x1234, chip.MainFlash[0] | (chip.MainFlash[1] << 8));
    }

    [Fact]
    public void Rdp1Fault_FlashHiddenButIdentityAndOptionBytesReadable()
    {
        // Arrange
        var chip = NewChip(new ChipFaults(Rdp1: true));

        // Act
        var flashRead = chip.Read(0x08000000, AccessWidth.Word, out _);
        var rdp = chip.Read16(OptionBytes);

        // Assert
        Assert.Equal(BusResult.Fault, flashRead);
        Assert.Equal(0xFF00, rdp);
        Assert.Equal(0x20036410u, chip.Read32(0xE0042000));
        Assert.Equal(64, chip.Read16(0x1FFFF7E0));
        Assert.Equal(0x03FFFFFEu, chip.Read32(ChipBus.Obr));
    }

    [Fact]
    public void Rdp1_ProgramAndPageErase_RefusedWithWrprtErr()
    {
        // Arrange
        var chip = NewChip(new ChipFaults(Rdp1: true));
        chip.UnlockFlash();

        // Act
        chip.Write32(ChipBus.Cr, CrPg);
        chip.Write16(0x08002000, 0x0000);
        var afterProgram = chip.Read32(ChipBus.Sr);
        chip.Write32(ChipBus.Sr, SrWrprtErr);
        chip.Write32(ChipBus.Cr, CrPer);
        chip.Write32(ChipBus.Ar, 0x08002000);
        chip.Write32(ChipBus.Cr, CrPer | CrStrt);
        var afterErase = chip.Read32(ChipBus.Sr);

        // Assert
        Assert.Equal(SrWrprtErr, afterProgram);
        Assert.Equal(SrWrprtErr, afterErase);
        Assert.Equal(0, chip.Counters.BytesProgrammed);
        Assert.Equal(0, chip.Counters.PagesErased);
    }

    [Fact]
    public void Rdp1_MassErase_Allowed()
    {
        // Arrange
        var chip = NewChip(new ChipFaults(Rdp1: true));
        chip.UnlockFlash();

        // Act
        chip.Write32(ChipBus.Cr, CrMer);
        chip.Write32(ChipBus.Cr, CrMer | CrStrt);
        chip.WaitNotBusy(_clock);

        // Assert: erased, but still protected until RDP is regressed and the chip reset
        Assert.Equal(SrEop, chip.Read32(ChipBus.Sr));
        Assert.Equal(1, chip.Counters.MassErases);
        Assert.Equal(BusResult.Fault, chip.Read(0x08000000, AccessWidth.Word, out _));
    }

    [Fact]
    public void Unlock_OpenOcdSequenceOnRdp1_MassErasesAndLevel0AfterReset()
    {
        // Arrange: protected chip with firmware in it
        var chip = NewChip();
        ProgramHalfWord(chip, 0x08000000, 0x1234);
        ProgramHalfWord(chip, 0x0800FFFE, 0x5678);
        EraseOptions(chip);
        WriteOptions(chip, rdp: Stm32F1OptionBytes.RdpLevel1);
        Reset(chip);
        var massErasesBefore = chip.Counters.MassErases;

        // Act: "stm32f1x unlock 0" = erase options, write options with RDP 0xA5 (PM0075: forces a mass erase first)
        EraseOptions(chip);
        WriteOptions(chip, rdp: Stm32F1OptionBytes.RdpLevel0);
        var stillHidden = chip.Read(0x08000000, AccessWidth.Word, out _);
        Reset(chip);

        // Assert
        Assert.Equal(BusResult.Fault, stillHidden);
        Assert.Equal(massErasesBefore + 1, chip.Counters.MassErases);
        Assert.Equal(0xFFFFFFFFu, chip.Read32(0x08000000));
        Assert.Equal(0xFFFFu, chip.Read16(0x0800FFFE));
        Assert.Equal(0u, chip.Read32(ChipBus.Obr) & Stm32F1OptionBytes.ObrRdprt);
    }

    [Fact]
    public void Unlock_RegressionWrite_BusyForMassErasePlusProgram()
    {
        // Arrange
        var chip = NewChip(new ChipFaults(Rdp1: true));
        EraseOptions(chip);
        chip.Write32(ChipBus.Cr, CrOptPg | CrOptWre);

        // Act
        chip.Write16(OptionBytes, Stm32F1OptionBytes.RdpLevel0);
        var start = _clock.Now;
        chip.WaitNotBusy(_clock);

        // Assert: t_ME 40 ms (DS5319 maximum: no typical given) + t_prog 52.5 µs (typical), polled in 10 µs steps
        Assert.InRange(_clock.Now - start, TimeSpan.FromMilliseconds(40.0525), TimeSpan.FromMilliseconds(40.0625));
    }

    [Fact]
    public void OptionLoad_RdpLeftErased_Level1WithoutOptErr()
    {
        // Arrange: erase the option bytes and program only USER, leaving RDP at 0xFFFF
        var chip = NewChip();
        EraseOptions(chip);
        chip.Write32(ChipBus.Cr, CrOptPg | CrOptWre);
        chip.Write16(OptionBytes + 2, 0xFF);
        chip.WaitNotBusy(_clock);

        // Act
        Reset(chip);
        var obr = chip.Read32(ChipBus.Obr);

        // Assert: RDP 0xFF is not 0xA5, so level 1 (reference §4.1); an erased pair is not a complement error
        Assert.Equal(Stm32F1OptionBytes.ObrRdprt, obr & (Stm32F1OptionBytes.ObrRdprt | Stm32F1OptionBytes.ObrOptErr));
        Assert.Equal(BusResult.Fault, chip.Read(0x08000000, AccessWidth.Word, out _));
    }

    [Fact]
    public void OptionBytesLoad_MismatchedPair_OptErrAndValueForcedToFf()
    {
        // Arrange
        var block = Stm32F1OptionBytes.Encode(0xA5, 0xFF, 0x12, 0xFF, 0xFFFFFFFF);
        block[5] = 0x00; // Data0 complement should be 0xED

        // Act
        var loaded = Stm32F1OptionBytes.Load(block);

        // Assert
        Assert.True(loaded.ComplementError);
        Assert.Equal(0xFF, loaded.Data0);
        Assert.False(loaded.ReadoutProtected);
        Assert.Equal(Stm32F1OptionBytes.ObrOptErr, loaded.ObrValue & Stm32F1OptionBytes.ObrOptErr);
    }

    [Fact]
    public void Rdp2Fault_OnF1_ThrowsNamingWhy()
    {
        // Act
        var error = Assert.Throws<ChipConfigurationException>(() => NewChip(new ChipFaults(Rdp2: true)));

        // Assert
        Assert.Contains("no readout protection level 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("Rdp1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MassErase_WithWriteProtectedPages_RefusedWithWrprtErr()
    {
        // Arrange
        var chip = NewChip(new ChipFaults(WriteProtectedPages: new HashSet<int> { 63 }));
        chip.UnlockFlash();

        // Act
        chip.Write32(ChipBus.Cr, CrMer);
        chip.Write32(ChipBus.Cr, CrMer | CrStrt);

        // Assert: page 63 -> WRP bit 15 (pages 60..63)
        Assert.Equal(0xFFFF7FFFu, chip.Read32(ChipBus.Wrpr));
        Assert.Equal(SrWrprtErr, chip.Read32(ChipBus.Sr));
        Assert.Equal(0, chip.Counters.MassErases);
    }
}
