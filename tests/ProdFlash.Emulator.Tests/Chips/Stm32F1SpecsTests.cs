using ProdFlash.Core.Devices;
using ProdFlash.Emulator.Chips;

using static ProdFlash.Emulator.Chips.Stm32F1FlashController;

namespace ProdFlash.Emulator.Tests.Chips;

/// <summary>The chip spec comes from the device catalog, and the FPEC model agrees with the catalog's register map.</summary>
public sealed class Stm32F1SpecsTests
{
    [Fact]
    public void Stm32F103C8_FromCatalog_HasReferenceValues()
    {
        // Act
        var spec = Stm32F1Specs.Stm32F103C8;

        // Assert: reference §2.4 F1 card, §3.2 keys, §3.4 DS5319 typical timings, §5.3 identity
        Assert.Equal("stm32f103c8", spec.PartName);
        Assert.Equal(0x20036410u, spec.DbgMcuIdCode);
        Assert.Equal(0x1BA01477u, spec.DpIdr);
        Assert.Equal(0x14770011u, spec.ApIdr);
        Assert.Equal(0x411FC231u, spec.CpuId);
        Assert.Equal(64 * 1024, spec.FlashSize);
        Assert.Equal(1024, spec.PageSize);
        Assert.Equal(4, spec.PagesPerWriteProtectBit);
        Assert.Equal(20 * 1024, spec.SramSize);
        Assert.Equal(0x45670123u, spec.FlashKey1);
        Assert.Equal(0xCDEF89ABu, spec.FlashKey2);
        Assert.Equal(0x45670123u, spec.OptionKey1);
        Assert.Equal(0xCDEF89ABu, spec.OptionKey2);
        Assert.False(spec.HasRdpLevel2);
        Assert.Equal(TimeSpan.FromMicroseconds(52.5), spec.TypicalTimings.ProgramHalfWord);
        Assert.Equal(TimeSpan.FromMilliseconds(40), spec.TypicalTimings.PageErase); // DS5319 gives 20–40 ms, no typical: the model charges the maximum
        Assert.Equal(TimeSpan.FromMilliseconds(40), spec.MaximumTimings.MassErase);
        Assert.Equal(0x020, spec.RomTableIdentity.Designer);
        Assert.Equal(0x410, spec.RomTableIdentity.Part);
    }

    [Fact]
    public void RomTablePeripheralId_StAndArmDesigners_EncodeAsReference()
    {
        // Act
        var st = Stm32F1Specs.RomTablePeripheralId(0x020, 0x410);
        var arm = Stm32F1Specs.RomTablePeripheralId(0x43B, 0x4C3);

        // Assert: §4.3 — ST ROM table PIDR2 = 0x0A (JEDEC | id[6:4] = 2); ARM (cont 4, id 0x3B) Cortex-M3 ROM 0x4C3
        Assert.Equal(0x00_000A0410ul, st);
        Assert.Equal(0x04_000BB4C3ul, arm);
    }

    [Fact]
    public void FlashControllerModel_MatchesCatalogRegisterMap()
    {
        // Arrange
        var map = DeviceCatalog.Default.FindFamily("f1")!.FlashController;

        // Act / Assert: the FPEC model's offsets and bits are the catalog's (one set of facts)
        Assert.Equal(AcrOffset, map.Offset(FlashRegisterNames.Acr));
        Assert.Equal(KeyrOffset, map.Offset(FlashRegisterNames.Keyr));
        Assert.Equal(OptKeyrOffset, map.Offset(FlashRegisterNames.Optkeyr));
        Assert.Equal(SrOffset, map.Offset(FlashRegisterNames.Sr));
        Assert.Equal(CrOffset, map.Offset(FlashRegisterNames.Cr));
        Assert.Equal(ArOffset, map.Offset(FlashRegisterNames.Ar));
        Assert.Equal(ObrOffset, map.Offset(FlashRegisterNames.Obr));
        Assert.Equal(WrprOffset, map.Offset(FlashRegisterNames.Wrpr));
        Assert.Equal(SrBsy, map.Bit("SR", "BSY").Mask);
        Assert.Equal(SrPgErr, map.Bit("SR", "PGERR").Mask);
        Assert.Equal(SrWrprtErr, map.Bit("SR", "WRPRTERR").Mask);
        Assert.Equal(SrEop, map.Bit("SR", "EOP").Mask);
        Assert.Equal(CrPg, map.Bit("CR", "PG").Mask);
        Assert.Equal(CrPer, map.Bit("CR", "PER").Mask);
        Assert.Equal(CrMer, map.Bit("CR", "MER").Mask);
        Assert.Equal(CrOptPg, map.Bit("CR", "OPTPG").Mask);
        Assert.Equal(CrOptEr, map.Bit("CR", "OPTER").Mask);
        Assert.Equal(CrStrt, map.Bit("CR", "STRT").Mask);
        Assert.Equal(CrLock, map.Bit("CR", "LOCK").Mask);
        Assert.Equal(CrOptWre, map.Bit("CR", "OPTWRE").Mask);
        Assert.Equal(CrErrIe, map.Bit("CR", "ERRIE").Mask);
        Assert.Equal(CrEopIe, map.Bit("CR", "EOPIE").Mask);
        Assert.Equal(Key1, map.Key1);
        Assert.Equal(Key2, map.Key2);
        Assert.Equal(Key1, map.OptKey1);
        Assert.Equal(Key2, map.OptKey2);
    }

    [Fact]
    public void OptionByteModel_MatchesCatalogLayout()
    {
        // Arrange
        var layout = DeviceCatalog.Default.FindFamily("f1")!.OptionBytes;

        // Act / Assert
        Assert.Equal(Stm32F1OptionBytes.RdpLevel0, layout.Rdp.Level0);
        Assert.Null(layout.Rdp.Level2);
        Assert.Equal((uint?)Stm32F1OptionBytes.BlockSize, (uint?)layout.Size);
        Assert.Equal(Stm32F1OptionBytes.ObrOptErr, layout.Fields["OPTERR"].Mask);
        Assert.Equal(Stm32F1OptionBytes.ObrRdprt, layout.Fields["RDPRT"].Mask);
        Assert.Equal(Stm32F1OptionBytes.ObrData0Shift, layout.Fields["DATA0"].Shift);
        Assert.Equal(Stm32F1OptionBytes.ObrData1Shift, layout.Fields["DATA1"].Shift);
    }

    [Fact]
    public void FromCatalog_NonF1Part_ThrowsNamingTheFamily()
    {
        // Act
        var error = Assert.Throws<ChipConfigurationException>(() => Stm32F1Specs.FromCatalog("stm32f401cc"));

        // Assert
        Assert.Contains("STM32F4", error.Message, StringComparison.Ordinal);
        Assert.Contains("F1 parts only", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromCatalog_UnknownPart_Throws()
    {
        // Act
        var error = Assert.Throws<ChipConfigurationException>(() => Stm32F1Specs.FromCatalog("stm32f999zz"));

        // Assert
        Assert.Contains("stm32f999zz", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromCatalog_UnknownRevision_ThrowsListingKnownOnes()
    {
        // Act
        var error = Assert.Throws<ChipConfigurationException>(() => Stm32F1Specs.FromCatalog("stm32f103c8", revId: 0x1303));

        // Assert: 0x1303 is GD32's REV_ID (reference §5.3), not an ST revision of 0x410
        Assert.Contains("0x1303", error.Message, StringComparison.Ordinal);
        Assert.Contains("0x2003", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromCatalog_RevisionB_ReportedInIdCode()
    {
        // Act
        var spec = Stm32F1Specs.FromCatalog("STM32F103C8T6", revId: 0x2000);

        // Assert
        Assert.Equal(0x20006410u, spec.DbgMcuIdCode);
    }
}
