using ProdFlash.Core.Devices;
using ProdFlash.Core.Recipes;
using ProdFlash.Programming.Engine;

namespace ProdFlash.Programming.Tests.Engine;

/// <summary>Erase plans and the physical floor from the catalog's DS5319 times (F103: 52.5 µs typical per half-word; 1 KiB page and mass erase 20–40 ms, no typical: the floor takes the 20 ms minimum).</summary>
public sealed class FloorAndPlanTests
{
    private static readonly DevicePart s_f103c8 = DeviceCatalog.Default.FindPart("stm32f103c8")!;

    private static IReadOnlyList<EraseUnit> Units(int count) => [.. s_f103c8.Layout.Units.Take(count)];

    [Fact]
    public void Compute_WholeF103C8_MatchesDesignSection7()
    {
        // Arrange: 64 KiB = 32768 half-words; one mass erase; 16384 words × 46 SWD clocks at 4 MHz.
        var plan = ErasePlanner.Plan(s_f103c8, EraseStrategy.Auto, Units(64), new HashSet<int>(), []);

        // Act
        var floor = FloorCalculator.Compute(s_f103c8, plan, [(0x0800_0000u, 65536)], 4000);

        // Assert
        Assert.True(plan.Mass);
        Assert.Equal(TimeSpan.FromMicroseconds(52.5 * 32768), floor.Program);
        Assert.Equal(TimeSpan.FromMilliseconds(20), floor.Erase);
        Assert.Equal(16384 * 46 / 4_000_000.0, floor.Transfer.TotalSeconds, 9);
        Assert.Equal(1.72032 + 0.020 + 0.188416, floor.Total!.Value.TotalSeconds, 6);
    }

    [Fact]
    public void Plan_OnePageImage_TouchedPageBecauseMassIsNotCheaper()
    {
        // Act: 1 page × 20 ms = mass erase 20 ms: the page is erased (mass only when strictly cheaper).
        var plan = ErasePlanner.Plan(s_f103c8, EraseStrategy.Auto, Units(1), new HashSet<int>(), []);

        // Assert
        Assert.False(plan.Mass);
        Assert.Equal(TimeSpan.FromMilliseconds(20), plan.TouchedCost);
        Assert.Single(plan.Units);
    }

    [Fact]
    public void Plan_WriteProtectionOutsideImage_NeverMassErase()
    {
        // Act
        var plan = ErasePlanner.Plan(s_f103c8, EraseStrategy.Auto, Units(10), new HashSet<int>(), [60]);

        // Assert
        Assert.False(plan.Mass);
        Assert.Equal(10, plan.Units.Count);
    }

    [Fact]
    public void Plan_MatchingUnits_SkippedAndNotMassErased()
    {
        // Act
        var plan = ErasePlanner.Plan(s_f103c8, EraseStrategy.Auto, Units(10), new HashSet<int> { 0, 1, 2 }, []);

        // Assert
        Assert.False(plan.Mass);
        Assert.Equal([3, 4, 5, 6, 7, 8, 9], plan.Units.Select(u => u.Index));
        Assert.Equal([0, 1, 2], plan.SkippedUnits.Select(u => u.Index));
    }

    [Theory]
    [InlineData(EraseStrategy.Mass, true)]
    [InlineData(EraseStrategy.Touched, false)]
    public void Plan_RecipeStrategy_Obeyed(EraseStrategy strategy, bool mass)
    {
        // Act
        var plan = ErasePlanner.Plan(s_f103c8, strategy, Units(2), new HashSet<int>(), []);

        // Assert
        Assert.Equal(mass, plan.Mass);
    }

    [Fact]
    public void Compute_FamilyWithoutTypicalProgramTime_FloorUnknownAndSaysWhy()
    {
        // Arrange: the catalog has no typical program time for the F411 line (its datasheet was not checked;
        // only the F405/407 line carries DS8626's values, stm32-targets.md §7).
        var f411 = DeviceCatalog.Default.FindPart("stm32f411re")!;
        var plan = ErasePlanner.Plan(f411, EraseStrategy.Auto, [.. f411.Layout.Units.Take(1)], new HashSet<int>(), []);

        // Act
        var floor = FloorCalculator.Compute(f411, plan, [(0x0800_0000u, 1024)], 4000);

        // Assert
        Assert.Null(floor.Total);
        Assert.StartsWith("unknown", floor.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_EveryF407Sector_SectorsOnTheKnownFigures()
    {
        // Arrange: no typical 64/128 KiB sector or mass erase time for the F405/407 (docs/device-catalog.md), so the
        // planner compares the best figures known at x32: 4 × 250 ms typical + 64 KiB (counted at the 128 KiB figure)
        // + 7 × 2 s maximum = 17 s against the 32 s mass-erase maximum.
        var f407 = DeviceCatalog.Default.FindPart("stm32f407vg")!;

        // Act
        var plan = ErasePlanner.Plan(f407, EraseStrategy.Auto, [.. f407.Layout.Units], new HashSet<int>(), [], parallelismBytes: 4);

        // Assert
        Assert.False(plan.Mass, plan.Reason);
        Assert.Equal(12, plan.Units.Count);
        Assert.Null(plan.TouchedCost); // the floor still has no typical figure to use
        Assert.Contains("touched units are cheaper on the known figures: 12 units ≤ 17000 ms", plan.Reason, StringComparison.Ordinal);
        Assert.Contains("vs mass erase 32000 ms, catalog maximum", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_EveryF429Sector_MassEraseOnTheKnownFigures()
    {
        // Arrange: 2 MiB, 24 sectors; only the 128 KiB maximum (4 s, x8) and the 32 s mass-erase bound are known.
        var f429 = DeviceCatalog.Default.FindPart("stm32f429zi")!;

        // Act
        var plan = ErasePlanner.Plan(f429, EraseStrategy.Auto, [.. f429.Layout.Units], new HashSet<int>(), [], parallelismBytes: 4);

        // Assert
        Assert.True(plan.Mass, plan.Reason);
        Assert.StartsWith("mass erase is cheaper on the known figures: 24 units ≤ 96000 ms", plan.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_SomeF407SectorsWithUnknownTimes_TouchedSectors()
    {
        // Arrange
        var f407 = DeviceCatalog.Default.FindPart("stm32f407vg")!;

        // Act
        var plan = ErasePlanner.Plan(f407, EraseStrategy.Auto, [.. f407.Layout.Units.Take(2)], new HashSet<int>(), []);

        // Assert
        Assert.False(plan.Mass);
        Assert.Equal(2, plan.Units.Count);
    }

    [Fact]
    public void Compute_F407AtX8_UsesTheX8ColumnWhoseProgramTimeIsUnknown()
    {
        // Arrange: at x32 (≥ 2.7 V) DS8626 gives t_prog 16 µs typical; the x8 column (1.8–2.1 V) has no confirmed
        // typical, so the floor at x8 must say unknown rather than borrow the x32 value.
        var part = DeviceCatalog.Default.FindPart("stm32f407vg")!;
        var units = part.Layout.Units.Take(1).ToList();
        var plan = ErasePlanner.Plan(part, EraseStrategy.Touched, units, new HashSet<int>(), [], parallelismBytes: 1);

        // Act
        var atX8 = FloorCalculator.Compute(part, plan, [(0x0800_0000u, 1024)], 4000, unitBytes: 1);
        var atX32 = FloorCalculator.Compute(part, ErasePlanner.Plan(part, EraseStrategy.Touched, units, new HashSet<int>(), [], 4), [(0x0800_0000u, 1024)], 4000, unitBytes: 4);

        // Assert
        Assert.Null(atX8.Program);
        Assert.StartsWith("unknown", atX8.Note, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromMicroseconds(16 * 256), atX32.Program);
        Assert.Equal(TimeSpan.FromMilliseconds(250), atX32.Erase);
    }
}
