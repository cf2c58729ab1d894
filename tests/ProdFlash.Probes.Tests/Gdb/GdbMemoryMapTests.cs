using ProdFlash.Core.Targets;
using ProdFlash.Probes.Gdb;

namespace ProdFlash.Probes.Tests.Gdb;

public sealed class GdbMemoryMapTests
{
    // The memory map OpenOCD 0.12 serves for an STM32F103C8 with a 20 KiB SRAM work area (gdb_server.c,
    // gdb_memory_map): flash with its sector size, then ram regions for the gaps.
    internal const string OpenOcdF103Map =
        "<?xml version=\"1.0\"?>\n<!DOCTYPE memory-map PUBLIC \"+//IDN gnu.org//DTD GDB Memory Map V1.0//EN\" \"http://sourceware.org/gdb/gdb-memory-map.dtd\">\n" +
        "<memory-map>\n<memory type=\"ram\" start=\"0x0\" length=\"0x8000000\"/>\n" +
        "<memory type=\"flash\" start=\"0x8000000\" length=\"0x10000\">\n<property name=\"blocksize\">0x400</property>\n</memory>\n" +
        "<memory type=\"ram\" start=\"0x8010000\" length=\"0xf7ff0000\"/>\n</memory-map>\n";

    [Fact]
    public void Parse_OpenOcdMap_FlashWithBlockSizeAndRamAround()
    {
        var regions = GdbMemoryMap.Parse(OpenOcdF103Map);

        Assert.Equal(3, regions.Count);
        Assert.Equal(new ServerMemoryRegion(ServerMemoryKind.Ram, 0, 0x0800_0000, null), regions[0]);
        Assert.Equal(new ServerMemoryRegion(ServerMemoryKind.Flash, 0x0800_0000, 0x1_0000, 0x400), regions[1]);
        Assert.Equal(0x1_0000_0000UL, regions[2].End);
    }

    [Theory]
    [InlineData("<memory-map><memory type=\"flash\" start=\"0x8000000\" length=\"0x10000\"/></memory-map>")]
    [InlineData("<memory-map><memory type=\"eeprom\" start=\"0\" length=\"1\"/></memory-map>")]
    [InlineData("<memory-map><memory type=\"ram\" length=\"1\"/></memory-map>")]
    [InlineData("<other/>")]
    [InlineData("<memory-map>")]
    public void Parse_Invalid_FormatException(string xml)
    {
        Assert.Throws<FormatException>(() => GdbMemoryMap.Parse(xml));
    }

    [Fact]
    public void Parse_DecimalNumbers_Accepted()
    {
        var regions = GdbMemoryMap.Parse("<memory-map><memory type=\"rom\" start=\"4096\" length=\"256\"/></memory-map>");

        Assert.Equal(new ServerMemoryRegion(ServerMemoryKind.Rom, 4096, 256, null), Assert.Single(regions));
    }
}
