using Microsoft.Extensions.Time.Testing;
using ProdFlash.Core.Devices;
using ProdFlash.Programming.Flash;

namespace ProdFlash.Programming.Tests.Flash;

/// <summary>The factory and the F4 parallelism choice (pure; no target needed).</summary>
public sealed class FlashDriversTests
{
    [Theory]
    [InlineData("stm32f030f4")]
    [InlineData("stm32f103c8")]
    [InlineData("stm32f103rg")]
    [InlineData("stm32f407vg")]
    [InlineData("stm32g071rb")]
    [InlineData("stm32l476rg")]
    public void Create_CatalogPart_DriverForThatPart(string partNumber)
    {
        var part = DeviceCatalog.Default.FindPart(partNumber)!;

        var driver = FlashDrivers.Create(part, new UnreachableMemory(), new FakeTimeProvider());

        Assert.Same(part, driver.Part);
        Assert.IsAssignableFrom<IFlashDriverStatistics>(driver);
    }

    [Fact]
    public void Create_EveryCatalogFamily_IsSupported()
    {
        Assert.All(DeviceCatalog.Default.Families, f => Assert.Contains(f.Key, FlashDrivers.SupportedFamilies));
    }

    [Theory]
    [InlineData(3.3, 4)] // RM0090 §3.5.2: x32 at 2.7–3.6 V
    [InlineData(2.7, 4)]
    [InlineData(2.5, 2)] // x16 at 2.1–2.7 V
    [InlineData(2.1, 2)]
    [InlineData(1.9, 1)] // x8 from 1.8 V
    public void UnitForVoltage_SupplyVoltage_ParallelismOfRm0090(double volts, int bytes)
    {
        var unit = DeviceCatalog.Default.FindFamily("f4")!.ProgrammingUnit;

        Assert.Equal(bytes, F4FlashDriver.UnitForVoltage(unit, volts));
    }

    [Fact]
    public void UnitForVoltage_Unknown_CatalogDefaultX16()
    {
        var unit = DeviceCatalog.Default.FindFamily("f4")!.ProgrammingUnit;

        Assert.Equal(2, F4FlashDriver.UnitForVoltage(unit, null));
    }

    [Theory]
    [InlineData(0.0)] // a probe that cannot measure
    [InlineData(3.7)]
    [InlineData(1.5)]
    public void UnitForVoltage_OutsideTheProgrammingRange_CatalogDefaultX16(double volts)
    {
        var unit = DeviceCatalog.Default.FindFamily("f4")!.ProgrammingUnit;

        Assert.Equal(2, F4FlashDriver.UnitForVoltage(unit, volts));
    }

    /// <summary>A transport that must not be used: the factory may not touch the target.</summary>
    private sealed class UnreachableMemory : Core.Targets.ITargetMemory
    {
        public ValueTask ReadAsync(uint address, Memory<byte> destination, Core.Targets.AccessWidth width, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the factory read the target");

        public ValueTask WriteAsync(uint address, ReadOnlyMemory<byte> source, Core.Targets.AccessWidth width, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the factory wrote the target");
    }
}
