using Microsoft.Extensions.Time.Testing;
using ProdFlash.Core.Devices;
using ProdFlash.Emulator.Chips;
using ProdFlash.Emulator.Faults;
using ProdFlash.Emulator.Target;

namespace ProdFlash.Emulator.Tests.Chips.Families;

/// <summary>Every F0/F4/G0/L4 part of the device catalog resolves to a model shaped by its catalog entry.</summary>
public sealed class FamilyCatalogTests
{
    public static TheoryData<string> Parts => [.. Stm32Specs.CatalogParts().Select(p => p.PartNumber)];

    [Theory]
    [MemberData(nameof(Parts))]
    public void Create_EveryCatalogPart_ReportsItsDevIdFlashSizeAndRam(string partNumber)
    {
        var part = DeviceCatalog.Default.FindPart(partNumber)!;
        var clock = new ManualModeledClock();

        var chip = EmulatedChips.Create(partNumber, ChipFaults.None, clock, 0);

        Assert.Equal(part.Family.Genuine.SwdDpIdr, chip.DpIdr);
        Assert.Equal(BusResult.Ok, chip.Read(part.Family.DbgmcuIdcodeAddress, AccessWidth.Word, out var idcode));
        Assert.Equal(part.Line.DevId, idcode & 0xFFF);
        Assert.NotNull(part.Line.RevisionName((ushort)(idcode >> 16)));
        Assert.Equal(BusResult.Ok, chip.Read(part.Family.FlashSizeRegisterAddress, AccessWidth.HalfWord, out var kib));
        Assert.Equal((uint)part.FlashKiB, kib);
        Assert.Equal(BusResult.Ok, chip.Read(0x08000000 + (uint)part.FlashBytes - 4, AccessWidth.Word, out var last));
        Assert.Equal(0xFFFFFFFFu, last);
        Assert.Equal(BusResult.Fault, chip.Read(0x08000000 + (uint)part.FlashBytes, AccessWidth.Word, out _));
        foreach (var ram in part.Ram)
        {
            Assert.Equal(BusResult.Ok, chip.Write(ram.Base + (uint)ram.Size - 4, AccessWidth.Word, 0xC0FFEE00));
        }
    }

    [Fact]
    public void Selector_F407VgWithFaults_BuildsTheSlot()
    {
        var selector = EmulatorSelector.Parse("emulator://stm32f407vg?probe=v21j40&faults=rdp1,verify-mismatch");

        var probe = EmulatedProbes.Create(selector, 0, new FakeTimeProvider());

        Assert.Equal("stm32f407vg", selector.Chip);
        Assert.True(selector.Faults.Chip.VerifyMismatch);
        Assert.NotNull(probe);
    }

    [Fact]
    public void Create_Rdp2OnF0_StartsWithTheDebugPortClosed()
    {
        var chip = EmulatedChips.Create("stm32f030f4", new ChipFaults(Rdp2: true), new ManualModeledClock(), 0);

        Assert.False(chip.SwdResponds);
    }

    [Theory]
    [InlineData("stm32f030f4")]
    [InlineData("stm32f407vg")]
    [InlineData("stm32g071rb")]
    [InlineData("stm32l476rg")]
    public void Create_Rdp2_DebugPortSilentAlsoUnderResetAndAfterIt(string part)
    {
        // Reference §4.1/§6: level 2 disables the debug port for good, "also disabled under reset".
        var chip = EmulatedChips.Create(part, new ChipFaults(Rdp2: true), new ManualModeledClock(), 0);

        var before = chip.SwdResponds;
        chip.SetResetLine(true);
        var underReset = chip.SwdResponds;
        chip.SetResetLine(false);
        var after = chip.SwdResponds;

        Assert.False(before);
        Assert.False(underReset);
        Assert.False(after);
    }

    [Fact]
    public void Timings_F407_TakeCatalogValuesFirstAndSayWhereEachComesFrom()
    {
        var spec = Stm32Specs.FromCatalog("stm32f407vg");

        // DS8626 Table 40 x32: 128 KiB sector max 2 s (typical unknown), t_prog typical 16 µs; OCD-f2 mass erase 32 s (x8 bound).
        Assert.Equal(TimeSpan.FromSeconds(2), spec.Timings.EraseTime(131072));
        Assert.Equal(ModeledTimeOrigin.CatalogMaximum, spec.Timings.UnitErase[131072].Origin);
        Assert.StartsWith("catalog maximum", spec.Timings.UnitErase[131072].Source, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(32), spec.Timings.MassErase.Time);
        Assert.Equal(TimeSpan.FromMicroseconds(16), spec.Timings.Program.Time);
        Assert.Equal(ModeledTimeOrigin.CatalogTypical, spec.Timings.Program.Origin);
        Assert.Contains("DS8626", spec.Timings.Program.Source, StringComparison.Ordinal);
        Assert.Equal(12, spec.Units.Count);
        Assert.Equal(7, spec.Units[7].Number);
    }

    [Fact]
    public void TimingAssumptions_F407_OnlyTheValuesNoPublicSourceGives()
    {
        // Catalog (DS8626) has t_prog, 16 KiB and 128 KiB erase and mass erase; 64 KiB erase and option bytes are null.
        var spec = Stm32Specs.FromCatalog("stm32f407vg");

        Assert.Equal(["erase 65536", "option bytes"], spec.TimingAssumptions.Keys.Order(StringComparer.Ordinal));
        Assert.All(spec.TimingAssumptions.Values, t => Assert.StartsWith("assumption:", t.Source, StringComparison.Ordinal));
        Assert.Equal(spec.Timings.EraseTime(16384), spec.Timings.OptionBytes.Time); // one erase of sector 0
    }

    [Fact]
    public void TimingAssumptions_F411_ProgramAnd16KiBEraseBorrowDs8626()
    {
        // DS10314 (F411) not checked: the catalog has only the family's bounds, so the DS8626 values are assumptions here.
        var spec = Stm32Specs.FromCatalog("stm32f411ce");

        Assert.True(spec.Timings.Program.IsAssumption);
        Assert.Equal(TimeSpan.FromMicroseconds(16), spec.Timings.Program.Time);
        Assert.Contains("erase 16384", spec.TimingAssumptions.Keys);
        Assert.Equal(ModeledTimeOrigin.CatalogMaximum, spec.Timings.UnitErase[131072].Origin);
        Assert.Equal(TimeSpan.FromSeconds(4), spec.Timings.EraseTime(131072)); // family: Zephyr 128 KiB max 4 s
    }

    [Fact]
    public void TimingAssumptions_G030_ProgramAndPageEraseFromCatalog()
    {
        // Line 0x466: G030 datasheet quote, double-word 85 µs typical, 2 KiB page 22 ms typical; mass erase unknown.
        var spec = Stm32Specs.FromCatalog("stm32g030f6");

        Assert.Equal(ModeledTimeOrigin.CatalogTypical, spec.Timings.Program.Origin);
        Assert.Equal(TimeSpan.FromMilliseconds(22), spec.Timings.EraseTime(2048));
        Assert.Equal(["mass erase", "option bytes"], spec.TimingAssumptions.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TimingAssumptions_EveryCatalogPart_AreMarkedAndSaySo()
    {
        foreach (var part in Stm32Specs.CatalogParts())
        {
            var timings = Stm32Specs.FromCatalog(part).Timings;
            var all = timings.UnitErase.Values.Concat([timings.Program, timings.MassErase, timings.OptionBytes]);

            Assert.All(all, t => Assert.Equal(t.IsAssumption, t.Source.StartsWith("assumption:", StringComparison.Ordinal)));
            Assert.All(all, t => Assert.True(t.Time > TimeSpan.Zero, $"{part.PartNumber}: {t.Source}"));
        }
    }
}
