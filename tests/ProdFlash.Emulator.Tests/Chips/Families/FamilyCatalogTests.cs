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

    [Fact]
    public void Timings_F407_TakeCatalogValuesFirstAndSayWhereEachComesFrom()
    {
        var spec = Stm32Specs.FromCatalog("stm32f407vg");

        Assert.Equal(TimeSpan.FromSeconds(4), spec.Timings.EraseTime(131072));
        Assert.StartsWith("catalog maximum", spec.Timings.UnitErase[131072].Source, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(32), spec.Timings.MassErase.Time);
        Assert.StartsWith("DS8626", spec.Timings.Program.Source, StringComparison.Ordinal);
        Assert.Equal(12, spec.Units.Count);
        Assert.Equal(7, spec.Units[7].Number);
    }
}
