using ProdFlash.Core.Serialization;

namespace ProdFlash.Core.Tests.Serialization;

public sealed class SerialTemplateTests
{
    private static readonly DateTimeOffset s_nov25 = new(2026, 11, 25, 14, 3, 9, TimeSpan.Zero);

    [Theory]
    [InlineData("PF{yyMM}-{seq:000000}", 42UL, "PF2611-000042")]
    [InlineData("{yyyy-MM-dd}/{HH}", 1UL, "2026-11-25/14")]
    [InlineData("W{ww}D{jjj}", 1UL, "W48D329")]
    [InlineData("{seq:X8}", 0xBEEFUL, "0000BEEF")]
    [InlineData("{seq:x4}", 0xBEEFUL, "beef")]
    [InlineData("{seq:X}", 0xABCUL, "ABC")]
    [InlineData("{seq}", 1234567UL, "1234567")]
    [InlineData("{{literal}} {seq:00}}}", 7UL, "{literal} 07}")]
    [InlineData("no placeholders", 9UL, "no placeholders")]
    public void Render_Formats_ProduceDocumentedText(string template, ulong sequence, string expected)
    {
        var parsed = SerialTemplate.Parse(template);

        var text = parsed.Render(sequence, s_nov25);

        Assert.Equal(expected, text);
    }

    [Theory]
    [InlineData(2027, 1, 1, "53", "001")] // 2026 starts on a Thursday, so it has ISO week 53, which runs into 2027.
    [InlineData(2026, 1, 1, "01", "001")]
    [InlineData(2026, 12, 31, "53", "365")]
    [InlineData(2024, 12, 31, "01", "366")] // leap year; 2024-12-31 is in ISO week 1 of 2025.
    public void Render_IsoWeekAndDayOfYear_FollowIso8601(int year, int month, int day, string week, string dayOfYear)
    {
        var template = SerialTemplate.Parse("{ww}|{jjj}");

        var text = template.Render(1, new DateTimeOffset(year, month, day, 12, 0, 0, TimeSpan.Zero));

        Assert.Equal(week + "|" + dayOfYear, text);
    }

    [Fact]
    public void Render_DateFields_UseTheTimestampsOwnOffset()
    {
        var template = SerialTemplate.Parse("{dd}{HH}");

        var text = template.Render(1, new DateTimeOffset(2026, 11, 25, 23, 30, 0, TimeSpan.FromHours(2)));

        Assert.Equal("2523", text);
    }

    [Fact]
    public void Render_Station_InsertsStationName()
    {
        var template = SerialTemplate.Parse("{station}-{seq:0000}");

        Assert.True(template.UsesStation);
        Assert.Equal("LINE3-0012", template.Render(12, s_nov25, "LINE3"));
    }

    [Fact]
    public void Render_StationMissing_ThrowsValueError()
    {
        var template = SerialTemplate.Parse("{station}");

        var error = Assert.Throws<SerialValueException>(() => template.Render(1, s_nov25));

        Assert.Contains("{station}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_SequenceWiderThanPadding_Throws()
    {
        var template = SerialTemplate.Parse("PF{seq:000}");

        var error = Assert.Throws<SerialValueException>(() => template.Render(1000, s_nov25));

        Assert.Equal("Sequence 1000 needs 4 digits but {seq:000} in serial template \"PF{seq:000}\" allows 3; widen the placeholder or start a new scheme.", error.Message);
    }

    [Fact]
    public void Render_HexWiderThanWidth_Throws()
    {
        var template = SerialTemplate.Parse("{seq:X2}");

        Assert.Equal("FF", template.Render(0xFF, s_nov25));
        Assert.Throws<SerialValueException>(() => template.Render(0x100, s_nov25));
    }

    [Theory]
    [InlineData("PF{seq", 3, "'{' is not closed")]
    [InlineData("PF}", 3, "a single '}'")]
    [InlineData("A{foo}", 3, "unknown placeholder \"{foo}\"")]
    [InlineData("{yyMMx}", 6, "unknown placeholder")]
    [InlineData("{seq:Q}", 6, "unknown sequence format \"Q\"")]
    [InlineData("{seq:X99}", 7, "hex width \"99\"")]
    [InlineData("{seq:}", 6, "needs a format")]
    [InlineData("x{}", 2, "empty placeholder")]
    public void Parse_SyntaxErrors_NameCharacterPosition(string template, int position, string problem)
    {
        var error = Assert.Throws<SerialTemplateException>(() => SerialTemplate.Parse(template));

        Assert.Equal(template, error.Template);
        Assert.StartsWith($"Serial template \"{template}\" at character {position}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(problem, error.Message, StringComparison.Ordinal);
    }
}
