using ProdFlash.Core.Targets;
using ProdFlash.Probes.Gdb;

namespace ProdFlash.Probes.Tests.Gdb;

public sealed class GdbMemoryMapTests
{
    // Recorded: the memory map Debian's OpenOCD 0.12 served (qXfer:memory-map:read) for our emulated STM32F103C8
    // behind stlink-dap with target/stm32f1x.cfg: the flash bank with its page size, ram for the gaps around it.
    internal const string OpenOcdF103Map =
        "<memory-map>\n<memory type=\"ram\" start=\"0x00000000\" length=\"0x08000000\"/>\n" +
        "<memory type=\"flash\" start=\"0x08000000\" length=\"0x10000\">\n<property name=\"blocksize\">0x400</property>\n</memory>\n" +
        "<memory type=\"ram\" start=\"0x08010000\" length=\"0xf7ff0000\"/>\n</memory-map>\n";

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
