using ProdFlash.Core.Devices;

namespace ProdFlash.Core.Tests.Devices;

/// <summary>
/// Flash timings in the catalog: a sample checked against the datasheet values public sources quote (each test names
/// its source), and the rule that an unknown value stays null with a source saying why.
/// </summary>
public class DeviceCatalogTimingTests
{
    private static DevicePart Part(string number) =>
        DeviceCatalog.Default.FindPart(number) ?? throw new InvalidOperationException($"no part {number}");

    [Fact]
    public void F407_Program_MatchesDs8626Table40X32()
    {
        // DS8626 Table 40 (§6.3.12) t_prog word, x32: typical 16 µs, maximum 100 µs.
        var program = Part("stm32f407vg").Line.Timings.Program;

        Assert.Equal(TimeSpan.FromMicroseconds(16), program.Typical);
        Assert.Equal(TimeSpan.FromMicroseconds(100), program.Maximum);
        Assert.Contains("DS8626 Table 40", program.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void F407_SectorErase_MatchesDs8626Table40X32AndLeavesTheUnconfirmedNull()
    {
        // DS8626: t_ERASE16KB x32 typical 250 ms; t_ERASE128KB x32 maximum 2 s; t_ERASE64KB not confirmed publicly.
        var timings = Part("stm32f407vg").Line.Timings;

        Assert.Equal(TimeSpan.FromMilliseconds(250), timings.EraseTime(16 * 1024).Typical);
        Assert.Null(timings.EraseTime(16 * 1024).Maximum);
        Assert.Equal(TimeSpan.FromSeconds(2), timings.EraseTime(128 * 1024).Maximum);
        Assert.Null(timings.EraseTime(128 * 1024).Typical);
        Assert.False(timings.EraseTime(64 * 1024).IsKnown);
        Assert.StartsWith("unknown", timings.EraseTime(64 * 1024).Source, StringComparison.Ordinal);
    }

    [Fact]
    public void F407_MassErase_IsTheOpenOcdX8Bound()
    {
        // Reference §3.4, OCD-f2: "Mass erase ... as high as 32 s in x8 mode"; no typical confirmed.
        var massErase = Part("stm32f407vg").Line.Timings.MassErase;

        Assert.Equal(TimeSpan.FromSeconds(32), massErase.Maximum);
        Assert.Null(massErase.Typical);
    }

    [Fact]
    public void PartTimings_F407_AreTheLineOverrideNotTheFamilyBlock()
    {
        // Line 0x413 cites DS8626; the F4 family block does not know the program time.
        var part = Part("stm32f407vg");

        Assert.Same(part.Line.Timings, part.Timings);
        Assert.Equal(TimeSpan.FromMicroseconds(16), part.Timings.Program.Typical);
        Assert.False(part.Family.Timings.Program.IsKnown);
    }

    [Fact]
    public void F411_Timings_FamilyValuesNotDs8626()
    {
        // DS10314 (F411) was not checked: the line keeps the F4 family's Zephyr/OpenOCD bounds, program time unknown.
        var timings = Part("stm32f411ce").Line.Timings;

        Assert.False(timings.Program.IsKnown);
        Assert.Equal(TimeSpan.FromSeconds(4), timings.EraseTime(128 * 1024).Maximum);
    }

    [Fact]
    public void F030_Program_MatchesTheF0DatasheetQuote()
    {
        // STM32F0 datasheet t_prog 16-bit typical 53.5 µs (public STM32F0 firmware quoting it); maximum not found.
        var program = Part("stm32f030c8").Line.Timings.Program;

        Assert.Equal(TimeSpan.FromMicroseconds(53.5), program.Typical);
        Assert.Null(program.Maximum);
    }

    [Theory]
    [InlineData("stm32f030c8")]
    [InlineData("stm32f103c8")]
    [InlineData("stm32f407vg")]
    [InlineData("stm32g030f6")]
    [InlineData("stm32g071rb")]
    [InlineData("stm32l476rg")]
    public void OptionBytes_NoPublicSource_IsUnknownWithItsReason(string part)
    {
        // No public datasheet table consulted gives an option-byte programming time for these families.
        var optionBytes = Part(part).Line.Timings.OptionBytes;

        Assert.False(optionBytes.IsKnown);
        Assert.StartsWith("unknown", optionBytes.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void Catalog_EveryTiming_CitesItsSource()
    {
        var all = DeviceCatalog.Default.Families.SelectMany(f => f.Lines.Select(l => l.Timings).Append(f.Timings))
            .SelectMany(t => t.UnitErase.Select(e => e.Time).Concat([t.Program, t.MassErase, t.OptionBytes]));

        Assert.All(all, range => Assert.False(string.IsNullOrWhiteSpace(range.Source)));
        Assert.All(all.Where(r => !r.IsKnown), range => Assert.StartsWith("unknown", range.Source, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(1, 4.0)] // x8
    [InlineData(2, 2.6)] // x16
    [InlineData(4, 2.0)] // x32: the line block itself
    public void F407_SectorErase128KAtParallelism_MatchesDs8626Table40Column(int parallelismBytes, double maximumSeconds)
    {
        // DS8626 Table 40 (§6.3.12) t_ERASE128KB maximum: x8 4 s, x16 2.6 s, x32 2 s (quoted in a public safety model).
        var timings = Part("stm32f407vg").Timings.At(parallelismBytes);

        var erase = timings.EraseTime(128 * 1024);

        Assert.Equal(TimeSpan.FromSeconds(maximumSeconds), erase.Maximum);
        Assert.Null(erase.Typical);
        Assert.Equal(TimeSpan.FromSeconds(32), timings.MassErase.Maximum);
    }

    [Fact]
    public void F407_ProgramAtX8_UnknownNotTheX32Value()
    {
        // Only the x32 t_prog (16 µs typ, 100 µs max) is confirmed; the x8 column must not borrow it.
        var line = Part("stm32f407vg").Line.Timings;

        Assert.False(line.At(1).Program.IsKnown);
        Assert.StartsWith("unknown", line.At(1).Program.Source, StringComparison.Ordinal);
        Assert.Same(line, line.At(4));
        Assert.Same(line, line.At(null));
        Assert.Equal([1, 2], line.ByParallelism.Keys.Order());
    }

    [Fact]
    public void Catalog_EveryParallelismColumn_CitesItsSource()
    {
        var all = DeviceCatalog.Default.Families.SelectMany(f => f.Lines).SelectMany(l => l.Timings.ByParallelism.Values)
            .SelectMany(t => t.UnitErase.Select(e => e.Time).Concat([t.Program, t.MassErase, t.OptionBytes]))
            .ToList();

        Assert.NotEmpty(all);
        Assert.All(all.Where(r => !r.IsKnown), range => Assert.StartsWith("unknown", range.Source, StringComparison.Ordinal));
        Assert.All(all.Where(r => r.IsKnown), range => Assert.DoesNotContain("unknown", range.Source, StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_TimingsWithoutOptionBytes_Throws()
    {
        using var stream = typeof(DeviceCatalog).Assembly.GetManifestResourceStream(DeviceCatalog.ResourceName)!;
        using var reader = new StreamReader(stream);
        var json = reader.ReadToEnd().Replace("\"optionBytes\"", "\"optionBytesTypo\"", StringComparison.Ordinal);

        var ex = Assert.Throws<DeviceCatalogException>(() => DeviceCatalog.Parse(json));

        Assert.Contains("optionBytes", ex.Message, StringComparison.Ordinal);
    }
}
