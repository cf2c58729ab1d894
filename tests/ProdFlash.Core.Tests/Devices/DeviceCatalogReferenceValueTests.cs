using ProdFlash.Core.Devices;

namespace ProdFlash.Core.Tests.Devices;

/// <summary>
/// A sample of catalog values checked against /work/shared/reference/stm32-targets.md (its source keys in comments).
/// </summary>
public class DeviceCatalogReferenceValueTests
{
    private static readonly DeviceCatalog s_catalog = DeviceCatalog.Default;

    private static DeviceFamily Family(string key) => s_catalog.FindFamily(key) ?? throw new InvalidOperationException($"no family {key}");

    private static DevicePart Part(string number) => s_catalog.FindPart(number) ?? throw new InvalidOperationException($"no part {number}");

    [Fact]
    public void F1_IdentityAddresses_MatchReference()
    {
        // §2.1 / §2.4 F1 card (OCD-f1, LOCM3 f1, BMP).
        var f1 = Family("f1");

        Assert.Equal(0xE004_2000u, f1.DbgmcuIdcodeAddress);
        Assert.Equal(0x1FFF_F7E0u, f1.FlashSizeRegisterAddress);
        Assert.Equal(0x1FFF_F7E8u, f1.UidAddress);
        Assert.Equal(0x0800_0000u, f1.FlashBase);
    }

    [Fact]
    public void F1_FlashController_BaseKeysAndRegisters_MatchReference()
    {
        // §3.1 FPEC map (OCD-f1, STL stm32flash.h, LOCM3 flash_common_f01.h); §3.2 keys.
        var fpec = Family("f1").FlashController;

        Assert.Equal(0x4002_2000u, fpec.Base);
        Assert.Equal(0x4567_0123u, fpec.Key1);
        Assert.Equal(0xCDEF_89ABu, fpec.Key2);
        Assert.Equal(0x4567_0123u, fpec.OptKey1);
        Assert.Equal(0xCDEF_89ABu, fpec.OptKey2);
        Assert.Equal(0x4002_2004u, fpec.Address(FlashRegisterNames.Keyr));
        Assert.Equal(0x4002_200Cu, fpec.Address(FlashRegisterNames.Sr));
        Assert.Equal(0x4002_2010u, fpec.Address(FlashRegisterNames.Cr));
        Assert.Equal(0x4002_2014u, fpec.Address(FlashRegisterNames.Ar));
        Assert.Equal(0x4002_201Cu, fpec.Address(FlashRegisterNames.Obr));
        Assert.Equal(0x4002_2020u, fpec.Address(FlashRegisterNames.Wrpr));
        Assert.Equal(0x40u, fpec.Bank2RegisterOffset);
        Assert.Equal(0x44u, fpec.Offset("KEYR2"));
        // §3.1 F1-XL bank 2: KEYR2 0x44, SR2 0x4C, CR2 0x50, AR2 0x54.
        Assert.Equal(fpec.Address("CR2"), fpec.AddressForBank(FlashRegisterNames.Cr, 2));
        Assert.Equal(fpec.Address("AR2"), fpec.AddressForBank(FlashRegisterNames.Ar, 2));
        Assert.Equal(0x4002_2010u, fpec.AddressForBank(FlashRegisterNames.Cr, 1));
        // One register set serves both banks on L4 (BKER selects the bank).
        Assert.Equal(0x4002_2014u, Family("l4").FlashController.AddressForBank(FlashRegisterNames.Cr, 2));
    }

    [Fact]
    public void F1_ControlAndStatusBits_MatchReference()
    {
        // §3.1: SR BSY b0, PGERR b2, WRPRTERR b4, EOP b5; CR PG b0, PER b1, MER b2, OPTPG b4, OPTER b5, STRT b6, LOCK b7, OPTWRE b9.
        var fpec = Family("f1").FlashController;

        Assert.Equal(0x01u, fpec.Bit("SR", "BSY").Mask);
        Assert.Equal(0x04u, fpec.Bit("SR", "PGERR").Mask);
        Assert.Equal(0x10u, fpec.Bit("SR", "WRPRTERR").Mask);
        Assert.Equal(0x20u, fpec.Bit("SR", "EOP").Mask);
        Assert.Equal(0x01u, fpec.Bit("CR", "PG").Mask);
        Assert.Equal(0x02u, fpec.Bit("CR", "PER").Mask);
        Assert.Equal(0x04u, fpec.Bit("CR", "MER").Mask);
        Assert.Equal(0x40u, fpec.Bit("CR", "STRT").Mask);
        Assert.Equal(0x80u, fpec.Bit("CR", "LOCK").Mask);
        Assert.Equal(0x200u, fpec.Bit("CR", "OPTWRE").Mask);
        // OBL_LAUNCH (b13) exists on F0 but "not on F1" (OCD-f1).
        Assert.False(fpec.TryGetBit("CR", "OBL_LAUNCH", out _));
        Assert.Equal(0x2000u, Family("f0").FlashController.Bit("CR", "OBL_LAUNCH").Mask);
    }

    [Fact]
    public void F1_Rdp_Level0IsA5WithComplementAndNoLevel2()
    {
        // §4.1 (PM0075 p.19, OCD-f1): RDP 0xA5 (half-word 0x5AA5) = level 0; no level 2 on F1.
        var ob = Family("f1").OptionBytes;

        Assert.Equal(0xA5, ob.Rdp.Level0);
        Assert.Null(ob.Rdp.Level2);
        Assert.Equal(0x5AA5, RdpEncoding.WithComplement(ob.Rdp.Level0));
        Assert.Equal(RdpLevel.Level0, ob.Rdp.Decode(0xA5));
        Assert.Equal(RdpLevel.Level1, ob.Rdp.Decode(0xAA));
        Assert.Equal(RdpLevel.Level1, ob.Rdp.Decode(0xCC));
        Assert.Equal(OptionByteReload.SystemReset, ob.Reload);
    }

    [Fact]
    public void F1_OptionBytes_LayoutMatchesReference()
    {
        // §4.2 F1: OB 0x1FFFF800, 16 bytes of byte/complement half-words; OBR b0 OPTERR, b1 RDPRT, Data0 [17:10], Data1 [25:18].
        var ob = Family("f1").OptionBytes;

        Assert.Equal(0x1FFF_F800u, ob.Address);
        Assert.Equal(16, ob.Size);
        Assert.True(ob.ComplementedHalfWords);
        Assert.Equal(0x2u, ob.ByteOffsets["USER"]);
        Assert.Equal(0x8u, ob.ByteOffsets["WRP0"]);
        Assert.Equal("OBR", ob.StatusRegister);
        Assert.Equal(new BitField(10, 8), ob.Fields["DATA0"]);
        Assert.Equal(new BitField(18, 8), ob.Fields["DATA1"]);
        Assert.Equal(RdpLevel.Level1, ob.DecodeRdp(0x0000_0002));
        Assert.Equal(RdpLevel.Level0, ob.DecodeRdp(0x03FF_FFFC));
    }

    [Fact]
    public void F1_GenuineIdentity_MatchesReference()
    {
        // §5.1 SW-DP 0x1BA01477, JTAG 0x3BA00477 (OCD-cfg f1); §5.2 CPUID 0x411FC231 (J-Link logs, genuine F103);
        // §5.3 AHB-AP IDR 0x14770011 (JLOG), ROM-table designer ST (JEP106 bank 0, id 0x20), PART 0x410 (AVS).
        var genuine = Family("f1").Genuine;

        Assert.Equal(0x1BA0_1477u, genuine.SwdDpIdr);
        Assert.Equal(0x3BA0_0477u, genuine.JtagIdcode);
        Assert.Equal(0x411F_C231u, genuine.CpuId);
        Assert.Equal(0xC23, genuine.CpuPartNo);
        Assert.Equal(0x1477_0011u, genuine.AhbApIdr);
        Assert.Equal(0x020, genuine.RomTableDesigner);
        Assert.Equal(0xE00F_F000u, genuine.RomTableBase);
        Assert.Equal((ushort)0x410, s_catalog.FindLine(0x410)!.RomTablePart);
    }

    [Fact]
    public void F1_Timings_MatchDs5319()
    {
        // DS5319 Table 28: t_prog 16-bit min 40, typ 52.5, max 70 µs; page (1 KB) erase min 20, max 40 ms, no typical;
        // mass erase the same.
        var timings = Part("stm32f103c8").Line.Timings;

        Assert.Equal(TimeSpan.FromMicroseconds(52.5), timings.Program.Typical);
        Assert.Equal(TimeSpan.FromMicroseconds(70), timings.Program.Maximum);
        Assert.Equal(TimeSpan.FromMicroseconds(40), timings.Program.Minimum);
        Assert.Null(timings.EraseTime(1024).Typical);
        Assert.Equal(TimeSpan.FromMilliseconds(20), timings.EraseTime(1024).Minimum);
        Assert.Equal(TimeSpan.FromMilliseconds(40), timings.EraseTime(1024).Maximum);
        Assert.Equal(TimeSpan.FromMilliseconds(20), timings.EraseTime(1024).Floor); // the floor takes the minimum where no typical is given
        Assert.Null(timings.MassErase.Typical);
        Assert.Equal(TimeSpan.FromMilliseconds(20), timings.MassErase.Minimum);
        Assert.Equal(TimeSpan.FromMilliseconds(40), timings.MassErase.Maximum);
        Assert.Equal(2, Family("f1").ProgrammingUnit.Bytes);
    }

    [Theory]
    [InlineData(0x412, 32, 1024, 4)]
    [InlineData(0x410, 128, 1024, 4)]
    [InlineData(0x414, 512, 2048, 2)]
    [InlineData(0x418, 256, 2048, 2)]
    [InlineData(0x430, 1024, 2048, 2)]
    [InlineData(0x420, 128, 1024, 4)]
    [InlineData(0x428, 512, 2048, 4)]
    public void F1_Lines_MaxFlashPageAndWrpGranule_MatchOpenOcd(int devId, int maxKiB, int page, int wrpPages)
    {
        // §2.4 F1 card: max flash / page / WRP granule by DEV_ID (OCD-f1).
        var line = s_catalog.FindLine((uint)devId)!;

        Assert.Equal("f1", line.Family.Key);
        Assert.Equal(maxKiB, line.MaxFlashKiB);
        Assert.Equal((uint)page, line.EraseUnitSize);
        Assert.Equal(wrpPages, line.WriteProtectionPagesPerBit);
    }

    [Fact]
    public void F1_XlDensity_SecondBankAt0x08080000()
    {
        // §2.4 F1 card: 0x430 XL 1024 K, 2 banks, bank 2 at 0x08080000, 2 K pages.
        var layout = Part("stm32f103zg").Layout;

        Assert.Equal(2, layout.BankCount);
        Assert.Equal(512, layout.UnitCount);
        var bank2 = Assert.Single(layout.Regions, r => r.Bank == 2);
        Assert.Equal(0x0808_0000u, bank2.Base);
        Assert.Equal(256, bank2.Count);
    }

    [Fact]
    public void F0_IdentityAndRdp_MatchReference()
    {
        // §2.4 F0 card: DBGMCU 0x40015800, FSIZE 0x1FFFF7CC, UID 0x1FFFF7AC, SW-DP 0x0BB11477; §4.1 RDP 0xAA/0xCC, OBL_LAUNCH.
        var f0 = Family("f0");

        Assert.Equal(0x4001_5800u, f0.DbgmcuIdcodeAddress);
        Assert.Equal(0x1FFF_F7CCu, f0.FlashSizeRegisterAddress);
        Assert.Equal(0x1FFF_F7ACu, f0.UidAddress);
        Assert.Equal(0x0BB1_1477u, f0.Genuine.SwdDpIdr);
        Assert.Equal(0xAA, f0.OptionBytes.Rdp.Level0);
        Assert.Equal((byte)0xCC, f0.OptionBytes.Rdp.Level2);
        Assert.Equal(OptionByteReload.OblLaunch, f0.OptionBytes.Reload);
        // §4.2: OBR RDPRT[2:1] 00 L0, 01 L1, 11 L2.
        Assert.Equal(RdpLevel.Level2, f0.OptionBytes.DecodeRdp(0b110));
        Assert.Equal(RdpLevel.Level1, f0.OptionBytes.DecodeRdp(0b010));
        Assert.Equal(RdpLevel.Level0, f0.OptionBytes.DecodeRdp(0));
    }

    [Fact]
    public void F4_IdentityAndKeys_MatchReference()
    {
        // §2.4 F4 card: DBGMCU 0xE0042000, FSIZE 0x1FFF7A22, UID 0x1FFF7A10, SW-DP 0x2BA01477, CPUID 0x410FC241;
        // FLASH 0x40023C00; OPTKEYR 0x08192A3B/0x4C5D6E7F; OPTCR 0x40023C14 with RDP[15:8].
        var f4 = Family("f4");

        Assert.Equal(0xE004_2000u, f4.DbgmcuIdcodeAddress);
        Assert.Equal(0x1FFF_7A22u, f4.FlashSizeRegisterAddress);
        Assert.Equal(0x1FFF_7A10u, f4.UidAddress);
        Assert.Equal(0x2BA0_1477u, f4.Genuine.SwdDpIdr);
        Assert.Equal(0x410F_C241u, f4.Genuine.CpuId);
        Assert.Equal(0x4002_3C00u, f4.FlashController.Base);
        Assert.Equal(0x0819_2A3Bu, f4.FlashController.OptKey1);
        Assert.Equal(0x4C5D_6E7Fu, f4.FlashController.OptKey2);
        Assert.Equal(0x4002_3C14u, f4.FlashController.Address(FlashRegisterNames.Optcr));
        Assert.Equal(new BitField(8, 8), f4.OptionBytes.Fields["RDP"]);
        Assert.Equal(RdpLevel.Level2, f4.OptionBytes.DecodeRdp(0x0FFF_CCED));
        Assert.Equal(RdpLevel.Level0, f4.OptionBytes.DecodeRdp(0x0FFF_AAED));
    }

    [Fact]
    public void F4_StatusAndControlBits_MatchReference()
    {
        // §3.1 F2/F4: SR BSY b16, PGAERR b5; CR PSIZE[9:8], STRT b16, LOCK b31, MER1 b15.
        var flash = Family("f4").FlashController;

        Assert.Equal(0x0001_0000u, flash.Bit("SR", "BSY").Mask);
        Assert.Equal(0x20u, flash.Bit("SR", "PGAERR").Mask);
        Assert.Equal(0x300u, flash.Bit("CR", "PSIZE").Mask);
        Assert.Equal(0x0001_0000u, flash.Bit("CR", "STRT").Mask);
        Assert.Equal(0x8000_0000u, flash.Bit("CR", "LOCK").Mask);
        Assert.Equal(0x8000u, flash.Bit("CR", "MER1").Mask);
        // §3.3: x8/x16/x32/x64 by PSIZE.
        Assert.Equal([1, 2, 4, 8], Family("f4").ProgrammingUnit.SupportedBytes);
    }

    [Fact]
    public void F407vg_SectorLayout_Is4x16K1x64K7x128K()
    {
        // §2.3 F2/F4: sectors 4×16 K, 1×64 K, then 128 K (OCD-f2 header comment); 1 MiB part → 7×128 K.
        var layout = Part("stm32f407vg").Layout;

        Assert.Equal(
            [(0x0800_0000u, 16384u, 4), (0x0801_0000u, 65536u, 1), (0x0802_0000u, 131072u, 7)],
            layout.Regions.Select(r => (r.Base, r.UnitSize, r.Count)).ToArray());
        Assert.Equal(12, layout.UnitCount);
        Assert.Equal(1, layout.BankCount);
    }

    [Fact]
    public void F429zi_DualBank_Bank2SectorsStartAtSnb0x10()
    {
        // §2.3: 2 MiB parts are two banks of (4×16, 1×64, 7×128) K; §3.1: bank-2 sector n is SNB n|0x10.
        var layout = Part("stm32f429zi").Layout;

        Assert.Equal(2, layout.BankCount);
        Assert.Equal(24, layout.UnitCount);
        var sector12 = layout.UnitAt(0x0810_0000)!.Value;
        Assert.Equal(12, sector12.Index);
        Assert.Equal(0x10, sector12.Number);
        Assert.Equal(2, sector12.Bank);
        Assert.Equal(16384u, sector12.Size);
        var last = layout.UnitAt(0x081F_FFFF)!.Value;
        Assert.Equal(0x1B, last.Number);
        Assert.Equal(131072u, last.Size);
    }

    [Fact]
    public void F429zg_Db1mVariant_IsTwoBanksOf512K()
    {
        // §2.3: F42x/43x 1 MiB with DB1M=1: 4×16, 1×64, 3×128 per bank (OCD-f2).
        var part = Part("stm32f429zg");

        Assert.Equal(1, part.Layout.BankCount);
        var variant = Assert.Single(part.AlternateLayouts);
        Assert.Contains("DB1M", variant.Condition, StringComparison.Ordinal);
        Assert.Equal(2, variant.Layout.BankCount);
        Assert.Equal(16, variant.Layout.UnitCount);
        Assert.Equal(0x0808_0000u, variant.Layout.Regions.First(r => r.Bank == 2).Base);
    }

    [Fact]
    public void G0_RegistersAndRdp_MatchReference()
    {
        // §2.4 G0 card: DBGMCU 0x40015800, FSIZE 0x1FFF75E0, UID 0x1FFF7590, SW-DP 0x0BC11477; FLASH 0x40022000
        // (KEYR +0x08, OPTKEYR +0x0C, SR +0x10, CR +0x14, OPTR +0x20); CR.BKER b13, OBL_LAUNCH b27; §4.1 OPTR RDP 0xAA.
        var g0 = Family("g0");

        Assert.Equal(0x4001_5800u, g0.DbgmcuIdcodeAddress);
        Assert.Equal(0x1FFF_75E0u, g0.FlashSizeRegisterAddress);
        Assert.Equal(0x1FFF_7590u, g0.UidAddress);
        Assert.Equal(0x0BC1_1477u, g0.Genuine.SwdDpIdr);
        Assert.Equal(0x4002_2008u, g0.FlashController.Address(FlashRegisterNames.Keyr));
        Assert.Equal(0x4002_200Cu, g0.FlashController.Address(FlashRegisterNames.Optkeyr));
        Assert.Equal(0x4002_2010u, g0.FlashController.Address(FlashRegisterNames.Sr));
        Assert.Equal(0x4002_2014u, g0.FlashController.Address(FlashRegisterNames.Cr));
        Assert.Equal(0x4002_2020u, g0.FlashController.Address(FlashRegisterNames.Optr));
        Assert.Equal(13, g0.FlashController.Bit("CR", "BKER").Shift);
        Assert.Equal(27, g0.FlashController.Bit("CR", "OBL_LAUNCH").Shift);
        Assert.Equal(0xAA, g0.OptionBytes.Rdp.Level0);
        Assert.Equal("OPTR", g0.OptionBytes.StatusRegister);
        Assert.Equal(new BitField(0, 8), g0.OptionBytes.Fields["RDP"]);
        Assert.Equal(26, g0.OptionBytes.Fields["nBOOT0"].Shift);
        Assert.Equal(8, g0.ProgrammingUnit.Bytes);
    }

    [Fact]
    public void G030_Timings_MatchDatasheetQuote()
    {
        // §3.4: G030 64-bit program typ 85 µs, max 125 µs; page (2 KB) erase typ 22 ms, max 40 ms.
        var timings = Part("stm32g030f6").Line.Timings;

        Assert.Equal(TimeSpan.FromMicroseconds(85), timings.Program.Typical);
        Assert.Equal(TimeSpan.FromMicroseconds(125), timings.Program.Maximum);
        Assert.Equal(TimeSpan.FromMilliseconds(22), timings.EraseTime(2048).Typical);
        Assert.Equal(TimeSpan.FromMilliseconds(40), timings.EraseTime(2048).Maximum);
        Assert.False(timings.MassErase.IsKnown);
    }

    [Fact]
    public void L4_IdentityAndOptionBits_MatchReference()
    {
        // §2.4 L4 card: DBGMCU 0xE0042000, FSIZE 0x1FFF75E0, UID 0x1FFF7590, SW-DP 0x2BA01477; CR BKER b11;
        // OPTR RDP[7:0], nSWBOOT0 b26, nBOOT0 b27; PDKEYR +0x04.
        var l4 = Family("l4");

        Assert.Equal(0xE004_2000u, l4.DbgmcuIdcodeAddress);
        Assert.Equal(0x1FFF_75E0u, l4.FlashSizeRegisterAddress);
        Assert.Equal(0x1FFF_7590u, l4.UidAddress);
        Assert.Equal(0x2BA0_1477u, l4.Genuine.SwdDpIdr);
        Assert.Equal(11, l4.FlashController.Bit("CR", "BKER").Shift);
        Assert.Equal(0x04u, l4.FlashController.Offset("PDKEYR"));
        Assert.Equal(26, l4.OptionBytes.Fields["nSWBOOT0"].Shift);
        Assert.Equal(27, l4.OptionBytes.Fields["nBOOT0"].Shift);
        Assert.Equal(RdpLevel.Level0, l4.OptionBytes.DecodeRdp(0xFFEF_F8AA));
        Assert.Equal(TimeSpan.FromMilliseconds(24.47), l4.Timings.EraseTime(2048).Maximum);
    }

    [Fact]
    public void L476rg_DualBank_TwoBanksOf256Pages()
    {
        // §2.4 L4 card: 0x415 1024 K dual-bank, 2 K pages; OCD-l4 erase: bank-2 PNB restarts at 0 with BKER.
        var layout = Part("stm32l476rg").Layout;

        Assert.Equal(2, layout.BankCount);
        Assert.Equal(512, layout.UnitCount);
        var firstOfBank2 = layout.UnitAt(0x0808_0000)!.Value;
        Assert.Equal(256, firstOfBank2.Index);
        Assert.Equal(0, firstOfBank2.Number);
        Assert.Equal(2, firstOfBank2.Bank);
    }

    [Theory]
    [InlineData(0x444, 32, 1024)]
    [InlineData(0x445, 32, 1024)]
    [InlineData(0x440, 64, 1024)]
    [InlineData(0x448, 128, 2048)]
    [InlineData(0x442, 256, 2048)]
    [InlineData(0x413, 1024, 16384)]
    [InlineData(0x419, 2048, 16384)]
    [InlineData(0x423, 256, 16384)]
    [InlineData(0x433, 512, 16384)]
    [InlineData(0x431, 512, 16384)]
    [InlineData(0x421, 512, 16384)]
    [InlineData(0x466, 64, 2048)]
    [InlineData(0x456, 64, 2048)]
    [InlineData(0x460, 128, 2048)]
    [InlineData(0x415, 1024, 2048)]
    [InlineData(0x435, 256, 2048)]
    [InlineData(0x462, 512, 2048)]
    [InlineData(0x464, 128, 2048)]
    [InlineData(0x461, 1024, 2048)]
    public void Lines_MaxFlashAndFirstUnit_MatchReference(int devId, int maxKiB, int unit)
    {
        // §2.4 cards (OCD-f1 / OCD-f2 / OCD-l4 max flash by DEV_ID) and §2.3 erase units.
        var line = s_catalog.FindLine((uint)devId)!;

        Assert.Equal(maxKiB, line.MaxFlashKiB);
        Assert.Equal((uint)unit, line.EraseUnitSize);
    }

    [Theory]
    [InlineData("f0", 0x45670123u, 0xCDEF89ABu)]
    [InlineData("f4", 0x08192A3Bu, 0x4C5D6E7Fu)]
    [InlineData("g0", 0x08192A3Bu, 0x4C5D6E7Fu)]
    [InlineData("l4", 0x08192A3Bu, 0x4C5D6E7Fu)]
    public void OptionKeys_PerFamily_MatchReference(string family, uint optKey1, uint optKey2)
    {
        // §3.2: OPTKEYR takes KEY1/KEY2 on F0/F1/F3, OPTKEY1/2 0x08192A3B/0x4C5D6E7F on F2/F4/G0/L4.
        var flash = Family(family).FlashController;

        Assert.Equal(0x4567_0123u, flash.Key1);
        Assert.Equal(0xCDEF_89ABu, flash.Key2);
        Assert.Equal(optKey1, flash.OptKey1);
        Assert.Equal(optKey2, flash.OptKey2);
    }
}
