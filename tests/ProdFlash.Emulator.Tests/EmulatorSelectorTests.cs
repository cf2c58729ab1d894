using ProdFlash.Emulator.Target;

namespace ProdFlash.Emulator.Tests;

public sealed class EmulatorSelectorTests
{
    [Fact]
    public void Parse_FullSelector_GivesChipPersonalityAndFaults()
    {
        var selector = EmulatorSelector.Parse("emulator://STM32F103C8?probe=v3j9&faults=no-vcc,flaky-wait:0.05");

        Assert.Equal("stm32f103c8", selector.Chip);
        Assert.Equal("v3j9", selector.Personality);
        Assert.True(selector.Faults.NoVcc);
        Assert.Equal(0.05, selector.Faults.FlakyWaitRate);
        Assert.Equal("emulator://stm32f103c8?probe=v3j9&faults=no-vcc,flaky-wait:0.05", selector.ToString());
    }

    [Fact]
    public void Parse_ChipOnly_DefaultsToV2j37WithoutFaults()
    {
        var selector = EmulatorSelector.Parse("emulator://stm32f103c8");

        Assert.Equal("v2j37", selector.Personality);
        Assert.False(selector.Faults.HasBoardFault);
        Assert.Null(selector.Faults.Unplug);
    }

    [Theory]
    [InlineData("stlink://usb/066DFF", "must start with 'emulator://'")]
    [InlineData("emulator://?probe=v2j37", "must name one chip model")]
    [InlineData("emulator://stm32f103c8?probe=v9", "Unknown probe personality 'v9'")]
    [InlineData("emulator://stm32f103c8?speed=4000", "unknown parameter 'speed'")]
    [InlineData("emulator://stm32f103c8?probe=v2j37&probe=v3j9", "gives 'probe' twice")]
    [InlineData("emulator://stm32f103c8?faults=melted", "Unknown fault 'melted'")]
    public void Parse_BadSelector_ThrowsNamingThePart(string text, string expected)
    {
        var error = Assert.Throws<EmulatorConfigurationException>(() => EmulatorSelector.Parse(text));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("stm32f103c8", 64)]
    [InlineData("stm32f103cb", 128)]
    [InlineData("stm32f103rb", 128)]
    public void EmulatedChips_CatalogF1MediumDensityParts_AreModeled(string name, int flashKiB)
    {
        var chip = EmulatedChips.Create(name, ProdFlash.Emulator.Chips.ChipFaults.None, new ProdFlash.Emulator.Timing.ModeledClock(TimeProvider.System), 0);

        // FSIZE (0x1FFFF7E0, RM0008 §30.1) holds the flash size in KiB.
        Assert.Equal(BusResult.Ok, chip.Read(0x1FFF_F7E0, AccessWidth.HalfWord, out var fsize));
        Assert.Equal((uint)flashKiB, fsize);
        Assert.Contains(name, EmulatedChips.Names);
    }

    [Fact]
    public void EmulatedChips_UnknownChip_ThrowsListingWhatExists()
    {
        var error = Assert.Throws<EmulatorConfigurationException>(
            () => EmulatedChips.Create("stm32h999", ProdFlash.Emulator.Chips.ChipFaults.None, new ProdFlash.Emulator.Timing.ModeledClock(TimeProvider.System), 0));

        Assert.Contains("No emulated chip named 'stm32h999'", error.Message, StringComparison.Ordinal);
    }
}

public sealed class EmulatedProbesTests
{
    [Fact]
    public void Create_Rdp2OnF103_IsRefusedWithTheChipsReason()
    {
        var selector = EmulatorSelector.Parse("emulator://stm32f103c8?faults=rdp2");

        var error = Assert.Throws<EmulatorConfigurationException>(() => EmulatedProbes.Create(selector, 0, TimeProvider.System));

        Assert.Contains("Chip 'stm32f103c8' cannot be built", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_F103WithLowVcc_ReportsTheLowVoltageAndAnswersSwd()
    {
        var probe = EmulatedProbes.Create(EmulatorSelector.Parse("emulator://stm32f103c8?probe=v21j40&faults=low-vcc"), 0, TimeProvider.System);
        var reply = new byte[8];

        probe.Execute(Tests.ProbeHarness.Cdb(0xF7), [], reply);
        var enter = new byte[2];
        probe.Execute(Tests.ProbeHarness.Cdb(0xF2, 0x30, 0xA3), [], enter);

        Assert.Equal(1014u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(reply.AsSpan(4)));
        Assert.Equal(new byte[] { 0x80, 0x00 }, enter);
        Assert.Equal("V2J40M27", probe.Personality.FirmwareName);
    }

    [Fact]
    public async Task OpenAsync_SameSelectorsInAnyOrderOrProvider_SameDistinctSerials()
    {
        // Arrange: two providers (two station starts) opening the same three selectors in opposite orders.
        string[] selectors = ["emulator://stm32f103c8?probe=v2j37", "emulator://stm32f103c8?probe=v2j37&faults=no-vcc", "emulator://stm32f103c8?probe=v3j9"];
        var ct = TestContext.Current.CancellationToken;

        // Act
        var first = await SerialsAsync(new Selection.EmulatorProbeProvider(), selectors, ct);
        var second = await SerialsAsync(new Selection.EmulatorProbeProvider(), [.. selectors.Reverse()], ct);

        // Assert: per selector the same serial each time, distinct between selectors, 24 upper-case hex characters.
        Assert.All(selectors, s => Assert.Equal(first[s], second[s]));
        Assert.Equal(selectors.Length, first.Values.Distinct().Count());
        Assert.All(first.Values, serial => Assert.Matches("^[0-9A-F]{24}$", serial));
        Assert.StartsWith("066DFF48", first[selectors[0]], StringComparison.Ordinal);
        Assert.StartsWith("003F0039", first[selectors[2]], StringComparison.Ordinal);
    }

    [Fact]
    public void SerialNumberOf_SpellingThatParsesAlike_SameNumber()
    {
        var canonical = EmulatorSelector.Parse("emulator://stm32f103c8?probe=v2j37&faults=no-vcc");
        var spelled = EmulatorSelector.Parse("emulator://STM32F103C8/?faults=no-vcc&probe=V2J37");

        Assert.Equal(EmulatedProbes.SerialNumberOf(canonical), EmulatedProbes.SerialNumberOf(spelled));
        Assert.NotEqual(EmulatedProbes.SerialNumberOf(canonical), EmulatedProbes.SerialNumberOf(EmulatorSelector.Parse("emulator://stm32f103c8")));
    }

    private static async Task<Dictionary<string, string>> SerialsAsync(Selection.EmulatorProbeProvider provider, string[] selectors, CancellationToken ct)
    {
        var serials = new Dictionary<string, string>();
        foreach (var selector in selectors)
        {
            await using var probe = await provider.OpenAsync(Core.Probes.ProbeSelector.Parse(selector), ct);
            serials[selector] = probe.Description.Serial!;
        }

        return serials;
    }
}
