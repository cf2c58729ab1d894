using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Images;
using ProdFlash.Core.Probes;
using ProdFlash.Core.Recipes;
using ProdFlash.Emulator.Tests.OpenOcd;
using ProdFlash.Probes.Gdb;
using ProdFlash.Programming.Engine;
using ProdFlash.Testing;

namespace ProdFlash.Emulator.Tests.Gdb;

/// <summary>
/// A whole attempt of our engine through OpenOCD 0.12's GDB server (OpenOCD drives our emulated STM32F103C8 over the
/// stlink-server endpoint): the flash is erased and programmed by OpenOCD's own flash driver through vFlash packets,
/// the engine verifies, writes the serial record and runs the board; what a GDB server cannot measure is reported as
/// not available.
/// </summary>
public sealed class OpenOcdEngineTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Attempt_SampleImageWithSerialThroughOpenOcd_PassesAndTheChipHoldsImageAndRecord()
    {
        // Arrange
        await using var bench = OpenOcdBench.Start();
        await using var openocd = await OpenOcdGdbServerTests.OpenOcdGdbPort.StartAsync(bench);
        var folder = Path.Combine(RepositoryPaths.FirmwareImages, "samples", "blue-pill-f103c8");
        var recipe = Recipe.Load(Path.Combine(folder, "recipe.json"));
        var image = ImageReader.ReadFile(Path.Combine(folder, "blue-pill-f103c8.hex"));
        var record = recipe.Serial!.Render(4242, new DateTimeOffset(2026, 12, 3, 8, 0, 0, TimeSpan.Zero));
        await using var probe = await new GdbProbeProvider().OpenAsync(ProbeSelector.Parse(openocd.Selector), Ct);

        // Act
        var result = await new AttemptEngine(new AttemptOptions()).RunAsync(probe, recipe, image, record, null, Ct);

        // Assert
        Assert.True(result.Outcome == AttemptOutcome.Passed, $"{result.FailureCode}: {result.Diagnosis?.Summary}");
        Assert.Equal("stm32f103c8", result.Part!.PartNumber);
        Assert.Contains("target voltage", result.Phases.Single(p => p.Phase == AttemptPhase.Power).NotAvailable, StringComparison.Ordinal);
        Assert.Null(result.Phases.Single(p => p.Phase == AttemptPhase.Verify).NotAvailable);
        Assert.Equal(record, result.Serial);
        var first = image.Segments[0];
        Assert.Equal(BitConverter.ToUInt32(first.Data.Span[..4]), OpenOcdBench.ReadWord(bench.Chip, first.Address));
        Assert.Equal(BitConverter.ToUInt32(record.Bytes.Span[..4]), OpenOcdBench.ReadWord(bench.Chip, record.Address));
    }
}
