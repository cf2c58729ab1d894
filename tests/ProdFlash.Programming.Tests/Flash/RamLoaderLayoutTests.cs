using ProdFlash.Core.Devices;
using ProdFlash.Programming.Flash;

namespace ProdFlash.Programming.Tests.Flash;

/// <summary>Where the RAM loader's ring sits in SRAM and the host's ring-pointer arithmetic.</summary>
public sealed class RamLoaderLayoutTests
{
    private static DevicePart Part(string name) => DeviceCatalog.Default.FindPart(name)!;

    [Theory]
    [InlineData("stm32g071rb", 8)]
    [InlineData("stm32l476rg", 8)]
    [InlineData("stm32f407vg", 4)]
    public void Plan_CatalogPart_PutsCodeRingAndStackInMainSram(string part, int unit)
    {
        var layout = RamLoaderLayout.Plan(Part(part), 76, unit, 8192)!;

        Assert.Equal(0x2000_0000u, layout.CodeAddress);
        Assert.Equal(0x2000_0050u, layout.RingStart); // 76 bytes of code rounded up to 8
        Assert.Equal(0x2000_0058u, layout.DataStart);
        Assert.Equal(8192, layout.DataBytes);
        Assert.Equal(0u, layout.StackTop % 8);
        Assert.True(layout.StackTop >= layout.RingEnd + 56);
        var sram = Part(part).Ram.Single(r => r.Base == 0x2000_0000);
        Assert.True(layout.StackTop <= sram.End);
    }

    [Fact]
    public void Plan_RingLargerThanSram_ShrinksToSramInWholeUnits()
    {
        var part = Part("stm32g071rb"); // 36 KiB SRAM
        var layout = RamLoaderLayout.Plan(part, 76, 8, 1 << 20)!;

        var sram = part.Ram.Single(r => r.Base == 0x2000_0000);
        Assert.Equal(0, layout.DataBytes % 8);
        Assert.True(layout.StackTop <= sram.End);
        Assert.True(sram.End - layout.StackTop < 8 + 8);
    }

    [Theory]
    [InlineData(2)] // F0/F1 half-words and F4 x16: the word loader cannot store them
    [InlineData(1)]
    public void Plan_UnitNotWholeWords_IsNull(int unit) =>
        Assert.Null(RamLoaderLayout.Plan(Part("stm32f407vg"), 76, unit, 8192));

    [Fact]
    public void Plan_RingBelowMinimum_IsNull() =>
        Assert.Null(RamLoaderLayout.Plan(Part("stm32g071rb"), 76, 8, RamLoaderLayout.MinimumDataBytes - 8));

    [Fact]
    public void FreeAndUsed_EmptyRing_KeepsOneUnitFree()
    {
        var layout = RamLoaderLayout.Plan(Part("stm32g071rb"), 76, 8, 1024)!;
        var start = layout.DataStart;

        Assert.Equal(0, layout.Used(start, start));
        Assert.Equal(1024 - 8, layout.Free(start, start));
        Assert.Equal(1024 - 8, layout.NextChunk(start, start, long.MaxValue, int.MaxValue));
    }

    [Fact]
    public void NextChunk_WriterBehindReader_StopsOneUnitShortOfTheReader()
    {
        var layout = RamLoaderLayout.Plan(Part("stm32g071rb"), 76, 8, 1024)!;
        var reader = layout.DataStart + 512;
        var writer = layout.DataStart + 256; // wrapped: 768 bytes used, 256 - 8 may be written

        Assert.Equal(768, layout.Used(writer, reader));
        Assert.Equal(248, layout.Free(writer, reader));
        Assert.Equal(248, layout.NextChunk(writer, reader, 10_000, 4096));
    }

    [Fact]
    public void NextChunk_WriterAheadOfReader_StopsAtTheRingEndThenWraps()
    {
        var layout = RamLoaderLayout.Plan(Part("stm32l476rg"), 76, 8, 1024)!;
        var reader = layout.DataStart + 512;
        var writer = layout.DataStart + 768;

        var chunk = layout.NextChunk(writer, reader, 10_000, 4096);
        var wrapped = layout.Advance(writer, chunk);

        Assert.Equal(256, chunk); // up to the end of the ring, not across it
        Assert.Equal(layout.DataStart, wrapped);
        Assert.Equal(504, layout.NextChunk(wrapped, reader, 10_000, 4096));
    }

    [Fact]
    public void NextChunk_LimitedByRemainingAndMaxChunk_InWholeUnits()
    {
        var layout = RamLoaderLayout.Plan(Part("stm32f407vg"), 76, 4, 4096)!;
        var start = layout.DataStart;

        Assert.Equal(100, layout.NextChunk(start, start, 100, 4096));
        Assert.Equal(1000, layout.NextChunk(start, start, 10_000, 1002));
        Assert.Equal(0, layout.NextChunk(start, layout.Advance(start, 4), 10_000, 4096)); // full: writer one unit behind the reader
    }

    [Fact]
    public void Consumed_ReaderWrapped_CountsAcrossTheEnd()
    {
        var layout = RamLoaderLayout.Plan(Part("stm32g071rb"), 76, 8, 1024)!;
        var before = layout.DataStart + 1000 - 8;
        var after = layout.DataStart + 16;

        Assert.Equal(32 + 16, layout.Consumed(before, after)); // 1024 - 992 = 32 to the end, then 16 from the start
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(8, true)]
    [InlineData(4, false)] // not on a unit boundary
    [InlineData(1024, false)] // the ring end itself is never a position
    [InlineData(-8, false)] // the read pointer word, not data
    public void IsValidPointer_Position_MatchesRingAndUnit(int offset, bool valid)
    {
        var layout = RamLoaderLayout.Plan(Part("stm32g071rb"), 76, 8, 1024)!;

        Assert.Equal(valid, layout.IsValidPointer((uint)(layout.DataStart + offset)));
    }
}
