using ProdFlash.Core.Recipes;
using ProdFlash.EndToEnd.Tests.Harness;
using ProdFlash.Testing;

namespace ProdFlash.EndToEnd.Tests.Samples;

/// <summary>
/// The sample firmware in firmware-images/samples/: the committed builds are what the sources make, and the banner
/// firmware, run by QEMU, prints the serial record that ProdFlash's renderer makes from each sample recipe.
/// </summary>
public sealed class SampleFirmwareTests
{
    private static readonly string[] s_samples = ["blue-pill-f103c8", "qemu-stm32vldiscovery"];

    public static TheoryData<string> Samples => [.. s_samples];

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task Rebuild_FromCommittedSources_IsByteIdenticalToCommittedBuild(string sample)
    {
        // Arrange
        var make = ExternalTool.Require("make", "make");
        ExternalTool.Require("arm-none-eabi-gcc", "gcc-arm-none-eabi");
        ExternalTool.Require("arm-none-eabi-objcopy", "binutils-arm-none-eabi");
        var folder = Path.Combine(RepositoryPaths.FirmwareImages, "samples", sample);
        using var output = new TempDirectory();

        // Act
        var result = await ExternalTool.RunAsync(make, ["-C", folder, $"OUT={output.Path}"], TimeSpan.FromMinutes(2));

        // Assert
        Assert.True(result.ExitCode == 0, $"make failed: {result.StandardError}{result.StandardOutput}");
        foreach (var extension in new[] { "elf", "hex", "bin" })
        {
            var committed = await File.ReadAllBytesAsync(Path.Combine(folder, $"{sample}.{extension}"), TestContext.Current.CancellationToken);
            var rebuilt = await File.ReadAllBytesAsync(Path.Combine(output.Path, $"{sample}.{extension}"), TestContext.Current.CancellationToken);
            Assert.True(committed.AsSpan().SequenceEqual(rebuilt), $"{sample}.{extension} differs from a rebuild of its sources; run 'make -C firmware-images/samples/{sample}' and commit the result.");
        }
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Recipe_NamesTheCommittedImageByItsSha256(string sample)
    {
        // Arrange
        var folder = Path.Combine(RepositoryPaths.FirmwareImages, "samples", sample);
        var recipe = Recipe.Load(Path.Combine(folder, "recipe.json"));

        // Act
        var image = ProdFlash.Core.Images.ImageReader.ReadFile(Path.Combine(folder, $"{sample}.hex"));

        // Assert
        Assert.Equal($"{sample}.hex", recipe.Image.Path);
        Assert.Equal(recipe.Image.Sha256, image.Sha256, StringComparer.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Banner_NoRecordWritten_PrintsSnNone()
    {
        // Arrange
        var elf = Path.Combine(RepositoryPaths.FirmwareImages, "samples", "qemu-stm32vldiscovery", "qemu-stm32vldiscovery.elf");

        // Act
        await using var qemu = await QemuMachine.StartAsync(elf);
        var line = await qemu.WaitForLineAsync("SN=", TimeSpan.FromSeconds(30));

        // Assert
        Assert.Equal("SN=none", line);
    }

    [Theory]
    [InlineData(1234UL)]
    [InlineData(987654321UL)]
    public async Task Banner_RecordRenderedFromTheSampleRecipe_PrintsTheSerialInDecimal(ulong sequence)
    {
        // Arrange: the record exactly as the engine would write it, put in QEMU's flash at the recipe's address.
        var folder = Path.Combine(RepositoryPaths.FirmwareImages, "samples", "qemu-stm32vldiscovery");
        var scheme = Recipe.Load(Path.Combine(folder, "recipe.json")).Serial!;
        var record = scheme.Render(sequence, DateTimeOffset.UtcNow);

        // Act
        await using var qemu = await QemuMachine.StartAsync(Path.Combine(folder, "qemu-stm32vldiscovery.elf"), loads: [(record.Bytes.ToArray(), record.Address)]);
        var line = await qemu.WaitForLineAsync("SN=", TimeSpan.FromSeconds(30));

        // Assert
        Assert.Equal($"SN={sequence}", line);
    }

    [Fact]
    public async Task Banner_RecordWithWrongCrc_PrintsBadCrc()
    {
        // Arrange
        var folder = Path.Combine(RepositoryPaths.FirmwareImages, "samples", "qemu-stm32vldiscovery");
        var scheme = Recipe.Load(Path.Combine(folder, "recipe.json")).Serial!;
        var bytes = scheme.Render(42, DateTimeOffset.UtcNow).Bytes.ToArray();
        bytes[0] ^= 0x01; // '4' becomes '5': the CRC no longer matches

        // Act
        await using var qemu = await QemuMachine.StartAsync(Path.Combine(folder, "qemu-stm32vldiscovery.elf"), loads: [(bytes, scheme.Address)]);
        var line = await qemu.WaitForLineAsync("SN=", TimeSpan.FromSeconds(30));

        // Assert
        Assert.Equal("SN=bad-crc", line);
    }

    [Fact]
    public void BluePillRecipe_RendersANumericSerialInDecimalInsideTheText()
    {
        // Arrange
        var scheme = Recipe.Load(Path.Combine(RepositoryPaths.FirmwareImages, "samples", "blue-pill-f103c8", "recipe.json")).Serial!;

        // Act
        var record = scheme.Render(1234, new DateTimeOffset(2026, 12, 3, 8, 0, 0, TimeSpan.Zero));

        // Assert
        Assert.Equal("SF2612-001234", record.Text);
        Assert.Equal(0x0800FC00u, record.Address);
    }
}
