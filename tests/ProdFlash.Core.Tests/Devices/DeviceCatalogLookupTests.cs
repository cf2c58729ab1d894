using ProdFlash.Core.Devices;

namespace ProdFlash.Core.Tests.Devices;

public class DeviceCatalogLookupTests
{
    private static readonly DeviceCatalog s_catalog = DeviceCatalog.Default;

    // Flash/RAM: libopencm3 ld/devices.data (ROM/RAM per part pattern); DEV_ID: reference §2.2.
    [Theory]
    [InlineData("stm32f103c8", "f1", 0x410, 64, 20)]
    [InlineData("STM32F103CB", "f1", 0x410, 128, 20)]
    [InlineData("stm32f103ze", "f1", 0x414, 512, 64)]
    [InlineData("stm32f030f4", "f0", 0x444, 16, 4)]
    [InlineData("stm32f407vg", "f4", 0x413, 1024, 192)]
    [InlineData("stm32f411re", "f4", 0x431, 512, 128)]
    [InlineData("stm32g071rb", "g0", 0x460, 128, 36)]
    [InlineData("stm32l476rg", "l4", 0x415, 1024, 128)]
    public void FindPart_KnownPartAnyCase_ReturnsSizesAndLine(string partNumber, string family, int devId, int flashKiB, int ramKiB)
    {
        var part = s_catalog.FindPart(partNumber);

        Assert.NotNull(part);
        Assert.Equal(partNumber.ToLowerInvariant(), part.PartNumber);
        Assert.Equal(family, part.Family.Key);
        Assert.Equal(devId, part.Line.DevId);
        Assert.Equal(flashKiB, part.FlashKiB);
        Assert.Equal(ramKiB, part.RamKiB);
    }

    [Fact]
    public void FindPart_F407vg_RamIsSramPlusCcm()
    {
        // libopencm3 ld/devices.data: stm32f4[01][57]?g RAM=128K CCM=64K, RAM_OFF 0x20000000, CCM_OFF 0x10000000.
        var part = s_catalog.FindPart("stm32f407vg")!;

        Assert.Equal([new RamRegion("SRAM", 0x2000_0000, 128), new RamRegion("CCM", 0x1000_0000, 64)], part.Ram);
        Assert.Equal(192, part.RamKiB);
    }

    [Fact]
    public void FindPart_F103c8_RamIsOneSramBlock()
    {
        // libopencm3 ld/devices.data: stm32f103?8 ROM=64K RAM=20K, RAM_OFF 0x20000000.
        var ram = Assert.Single(s_catalog.FindPart("stm32f103c8")!.Ram);

        Assert.Equal(0x2000_0000u, ram.Base);
        Assert.Equal(20 * 1024, ram.Size);
    }

    [Fact]
    public void FindPart_OrderingCodeWithPackageSuffix_ReturnsBasePart()
    {
        var part = s_catalog.FindPart("STM32F103C8T6");

        Assert.NotNull(part);
        Assert.Equal("stm32f103c8", part.PartNumber);
    }

    [Fact]
    public void FindPart_LongerThanAnOrderingSuffix_ReturnsNull()
    {
        Assert.Equal("stm32f407vg", s_catalog.FindPart("stm32f407vgt6tr")?.PartNumber);
        Assert.Null(s_catalog.FindPart("stm32f407vgt6trxx"));
    }

    [Theory]
    [InlineData("stm32f999zz")]
    [InlineData("gd32f103c8")]
    [InlineData("")]
    public void FindPart_UnknownPart_ReturnsNull(string partNumber)
    {
        Assert.Null(s_catalog.FindPart(partNumber));
    }

    [Fact]
    public void FindLineByIdcode_GenuineF103Idcode_ReturnsMediumDensityRevisionY()
    {
        // 0x20036410: DEV_ID 0x410, REV_ID 0x2003 = rev Y (reference §2.2 OCD-f1, §5.3 genuine F103 DBGMCU_IDCODE).
        var line = s_catalog.FindLineByIdcode(0x2003_6410);

        Assert.NotNull(line);
        Assert.Equal(0x410, line.DevId);
        Assert.Equal("Y", line.RevisionName(DeviceCatalog.RevIdOf(0x2003_6410)));
        Assert.Null(line.RevisionName(0x1303));
    }

    [Fact]
    public void FindLineByIdcode_F405RevA0x411OnCortexM4_ReturnsF405Line()
    {
        // Reference §1: F4 rev-A erratum, DEV_ID reads 0x411 on an M4 → treat as 0x413 (STL common.c, BMP stm32f4.c).
        var line = s_catalog.FindLineByIdcode(0x1000_6411, cpuPartNo: 0xC24);

        Assert.Equal((ushort)0x413, line?.DevId);
        Assert.Null(s_catalog.FindLineByIdcode(0x1000_6411));
        Assert.Null(s_catalog.FindLineByIdcode(0x1000_6411, cpuPartNo: 0xC23));
    }

    [Fact]
    public void FindLine_UnknownOrOutOfRangeDevId_ReturnsNull()
    {
        Assert.Null(s_catalog.FindLine(0x411));
        Assert.Null(s_catalog.FindLine(0x1410));
    }

    [Fact]
    public void FindParts_DevIdAndFlashSizeRegister_ReturnsPartsWithThatLayout()
    {
        // A medium-density F1 whose flash-size register reads 128 KiB: the CB and RB parts.
        var parts = s_catalog.FindParts(0x2003_6410, 128);

        Assert.Equal(["stm32f103cb", "stm32f103rb"], parts.Select(p => p.PartNumber).Order().ToArray());
        Assert.All(parts, p => Assert.Equal(128, p.Layout.UnitCount));
    }

    [Fact]
    public void Families_Default_CoverF0F1F4G0L4()
    {
        Assert.Equal(["f0", "f1", "f4", "g0", "l4"], s_catalog.Families.Select(f => f.Key).ToArray());
    }

    [Fact]
    public void Lines_EveryDevId_HasAtLeastTwoParts()
    {
        Assert.All(s_catalog.Lines, line => Assert.True(line.Parts.Count >= 2, $"{line} has {line.Parts.Count} part(s)"));
    }

    [Fact]
    public void Parts_Default_AreOrderedLowerCaseAndUnique()
    {
        var numbers = s_catalog.Parts.Select(p => p.PartNumber).ToList();

        Assert.Equal(numbers.Order(StringComparer.Ordinal), numbers);
        Assert.Equal(numbers.Count, numbers.Distinct().Count());
        Assert.All(numbers, n => Assert.Equal(n.ToLowerInvariant(), n));
    }

    [Fact]
    public void FindFamily_KeyAnyCase_ReturnsFamily()
    {
        Assert.Equal("STM32F4", s_catalog.FindFamily("F4")?.Name);
        Assert.Null(s_catalog.FindFamily("h7"));
    }
}
