using System.Text.Json.Nodes;

using ProdFlash.Core.Devices;

namespace ProdFlash.Core.Tests.Devices;

public class DeviceCatalogValidationTests
{
    private static string EmbeddedJson()
    {
        using var stream = typeof(DeviceCatalog).Assembly.GetManifestResourceStream(DeviceCatalog.ResourceName)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static JsonNode Data() => JsonNode.Parse(EmbeddedJson())!;

    private static JsonNode FamilyNode(JsonNode data, string key) =>
        data["families"]!.AsArray().First(f => (string?)f!["key"] == key)!;

    private static JsonNode PartNode(JsonNode data, string part) =>
        data["parts"]!.AsArray().First(p => (string?)p!["part"] == part)!;

    private static DeviceCatalogException ParseFails(JsonNode data) =>
        Assert.Throws<DeviceCatalogException>(() => DeviceCatalog.Parse(data.ToJsonString()));

    [Fact]
    public void Parse_EmbeddedData_LoadsEveryFamilyLineAndPart()
    {
        var catalog = DeviceCatalog.Parse(EmbeddedJson());

        Assert.Equal(5, catalog.Families.Count);
        Assert.Equal(26, catalog.Lines.Count);
        Assert.Equal(DeviceCatalog.Default.Parts.Count, catalog.Parts.Count);
        Assert.True(catalog.Parts.Count >= 55);
    }

    [Fact]
    public void Parts_EveryLayout_CoversFlashExactlyFromFlashBase()
    {
        foreach (var part in DeviceCatalog.Default.Parts)
        {
            foreach (var layout in part.AlternateLayouts.Select(v => v.Layout).Prepend(part.Layout))
            {
                Assert.Equal(part.FlashBytes, layout.TotalSize);
                Assert.Equal(part.Family.FlashBase, layout.Start);
                Assert.Equal(part.FlashBytes, layout.Units.Sum(u => (long)u.Size));
                Assert.Equal(Enumerable.Range(0, layout.UnitCount), layout.Units.Select(u => u.Index));
            }

            Assert.Contains(part, part.Line.Parts);
            Assert.True(part.FlashKiB <= part.Line.MaxFlashKiB, part.PartNumber);
        }
    }

    [Fact]
    public void Families_EveryEntry_CitesItsSourceAndHasUniqueDevIds()
    {
        foreach (var family in DeviceCatalog.Default.Families)
        {
            Assert.Equal(family.Lines.Count, family.Lines.Select(l => l.DevId).Distinct().Count());
            Assert.All(
                new[] { family.Source, family.FlashController.Source, family.OptionBytes.Source, family.OptionBytes.Rdp.Source, family.Genuine.Source, family.ProgrammingUnit.Source, family.Timings.Program.Source, family.Timings.MassErase.Source },
                s => Assert.False(string.IsNullOrWhiteSpace(s)));
            Assert.All(family.Lines, l => Assert.Contains("§", l.Source, StringComparison.Ordinal));
            Assert.All(family.Parts, p => Assert.False(string.IsNullOrWhiteSpace(p.Source)));
        }
    }

    [Fact]
    public void Parse_NotJson_ThrowsWithPosition()
    {
        var ex = Assert.Throws<DeviceCatalogException>(() => DeviceCatalog.Parse("{ \"schemaVersion\": 1, "));

        Assert.Contains("not valid JSON", ex.Message, StringComparison.Ordinal);
        Assert.Contains("line 1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MissingRequiredField_NamesEntryAndField()
    {
        var data = Data();
        FamilyNode(data, "f1").AsObject().Remove("flashSizeRegister");

        var ex = ParseFails(data);

        Assert.Equal("catalog.families[f1]", ex.Entry);
        Assert.Equal("flashSizeRegister", ex.Field);
        Assert.Contains("required", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BadHexValue_NamesEntryAndField()
    {
        var data = Data();
        FamilyNode(data, "f4")["flashController"]!["key1"] = "0x4567G123";

        var ex = ParseFails(data);

        Assert.Equal("catalog.families[f4].flashController", ex.Entry);
        Assert.Equal("key1", ex.Field);
        Assert.Contains("0x4567G123", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PartPointingToUnknownLine_NamesThePart()
    {
        var data = Data();
        PartNode(data, "stm32f103c8")["devId"] = "0x411";

        var ex = ParseFails(data);

        Assert.Equal("catalog.parts[stm32f103c8]", ex.Entry);
        Assert.Equal("devId", ex.Field);
        Assert.Contains("0x411", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_LayoutNotCoveringFlash_NamesThePartAndSizes()
    {
        var data = Data();
        PartNode(data, "stm32f103c8")["layout"]![0]!["count"] = 63;

        var ex = ParseFails(data);

        Assert.Equal("catalog.parts[stm32f103c8]", ex.Entry);
        Assert.Equal("layout", ex.Field);
        Assert.Contains("63 KiB", ex.Message, StringComparison.Ordinal);
        Assert.Contains("64 KiB", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SameDevIdAndFlashWithDifferentLayout_IsRejected()
    {
        // stm32f103rb shares DEV_ID 0x410 and 128 KiB with stm32f103cb; give it 64 × 1 KiB + 32 × 2 KiB instead of 128 × 1 KiB.
        var data = Data();
        PartNode(data, "stm32f103rb")["layout"] = JsonNode.Parse(
            """[{ "base": "0x08000000", "unitSize": 1024, "count": 64 }, { "base": "0x08010000", "unitSize": 2048, "count": 32 }]""");

        var ex = ParseFails(data);

        Assert.Equal("catalog.parts[stm32f103rb]", ex.Entry);
        Assert.Equal("layout", ex.Field);
        Assert.Contains("differs from stm32f103cb", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DevIdAliasForAnotherCore_IsRejected()
    {
        var data = Data();
        var line = FamilyNode(data, "f4")["lines"]!.AsArray().First(l => (string?)l!["devId"] == "0x413")!;
        line["devIdAliases"]![0]!["cpuPartNo"] = "0xC23";

        var ex = ParseFails(data);

        Assert.Equal("cpuPartNo", ex.Field);
        Assert.Contains("0xC24", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DevIdAliasEqualToAnotherLinesDevId_IsRejected()
    {
        // 0x419 is the F42x/43x DEV_ID, on the same Cortex-M4: an alias to it on 0x413 would be ambiguous.
        var data = Data();
        var line = FamilyNode(data, "f4")["lines"]!.AsArray().First(l => (string?)l!["devId"] == "0x413")!;
        line["devIdAliases"]![0]!["devId"] = "0x419";

        var ex = ParseFails(data);

        Assert.Equal("devIdAliases", ex.Field);
        Assert.Contains("ambiguous", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DuplicatePartNumber_IsRejected()
    {
        var data = Data();
        var copy = PartNode(data, "stm32f103cb").DeepClone();
        data["parts"]!.AsArray().Add(copy);

        var ex = ParseFails(data);

        Assert.Equal("part", ex.Field);
        Assert.Contains("appears twice", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DuplicateDevIdInFamily_IsRejected()
    {
        var data = Data();
        var lines = FamilyNode(data, "f1")["lines"]!.AsArray();
        lines[1]!["devId"] = (string?)lines[0]!["devId"];

        var ex = ParseFails(data);

        Assert.Equal("devId", ex.Field);
        Assert.Contains("0x412", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MisspeltField_IsRejectedNotIgnored()
    {
        var data = Data();
        PartNode(data, "stm32f407vg")["ramKib"] = 192;

        var ex = ParseFails(data);

        Assert.Equal("catalog.parts[stm32f407vg]", ex.Entry);
        Assert.Equal("ramKib", ex.Field);
        Assert.Contains("unknown field", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UpperCasePartNumber_IsRejected()
    {
        var data = Data();
        PartNode(data, "stm32g071rb")["part"] = "STM32G071RB";

        var ex = ParseFails(data);

        Assert.Equal("part", ex.Field);
        Assert.Contains("lower-case", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RdpFieldNotInOptionFields_IsRejected()
    {
        var data = Data();
        FamilyNode(data, "g0")["optionBytes"]!["rdp"]!["byteField"] = "RDPX";

        var ex = ParseFails(data);

        Assert.Equal("catalog.families[g0].optionBytes.rdp", ex.Entry);
        Assert.Equal("byteField", ex.Field);
    }

    [Theory]
    [InlineData("\"8-2\"")]
    [InlineData("\"30:4\"")]
    [InlineData("32")]
    public void Parse_BadBitField_NamesRegisterAndField(string json)
    {
        var data = Data();
        FamilyNode(data, "f4")["flashController"]!["bits"]!["CR"]!["PSIZE"] = JsonNode.Parse(json);

        var ex = ParseFails(data);

        Assert.Equal("catalog.families[f4].flashController.bits", ex.Entry);
        Assert.Equal("CR.PSIZE", ex.Field);
    }

    [Fact]
    public void Parse_BadTime_NamesTheField()
    {
        var data = Data();
        FamilyNode(data, "f1")["timings"]!["program"]!["typical"] = "52.5 microseconds";

        var ex = ParseFails(data);

        Assert.Equal("catalog.families[f1].timings.program", ex.Entry);
        Assert.Equal("typical", ex.Field);
    }

    [Fact]
    public void Parse_CpuIdDisagreeingWithPartNo_IsRejected()
    {
        var data = Data();
        FamilyNode(data, "f1")["genuine"]!["cpuId"] = "0x410FC241";

        var ex = ParseFails(data);

        Assert.Equal("cpuId", ex.Field);
        Assert.Contains("PARTNO 0xC24", ex.Message, StringComparison.Ordinal);
    }
}
