using System.Text.Json;
using ProdFlash.Core.Images;
using ProdFlash.Testing;

namespace ProdFlash.Cli.Tests;

public class ImageCommandsTests
{
    private static readonly string s_sampleHex = Path.Combine(RepositoryPaths.FirmwareImages, "samples", "blue-pill-f103c8", "blue-pill-f103c8.hex");
    private static readonly string s_sampleElf = Path.Combine(RepositoryPaths.FirmwareImages, "samples", "blue-pill-f103c8", "blue-pill-f103c8.elf");
    private static readonly string s_sampleBin = Path.Combine(RepositoryPaths.FirmwareImages, "samples", "blue-pill-f103c8", "blue-pill-f103c8.bin");

    private static (int Exit, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = CliApp.Run(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Info_SampleHexOnF103C8_ReportsFitAndThePagesItTouches()
    {
        var expected = ImageReader.ReadFile(s_sampleHex);

        var (exit, output, error) = Run("image", "info", s_sampleHex, "--device", "stm32f103c8");

        Assert.Equal(0, exit);
        Assert.Equal(string.Empty, error);
        Assert.Contains("Intel HEX", output, StringComparison.Ordinal);
        Assert.Contains(expected.Sha256, output, StringComparison.Ordinal);
        Assert.Contains("Fits:      yes", output, StringComparison.Ordinal);
        // 33,408 bytes from 0x08000000 touch the F103C8's 1 KiB pages 0 to 32.
        Assert.Contains("33 page(s), 33792 bytes to erase: 0-32", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Info_Json_ElfAndHexOfSameBuildHaveSameHash()
    {
        var (exitHex, hexJson, _) = Run("image", "info", s_sampleHex, "--json");
        var (exitElf, elfJson, _) = Run("image", "info", s_sampleElf, "--json", "--device", "stm32f407vg");

        Assert.Equal(0, exitHex);
        Assert.Equal(0, exitElf);
        using var hex = JsonDocument.Parse(hexJson);
        using var elf = JsonDocument.Parse(elfJson);
        Assert.Equal(hex.RootElement.GetProperty("sha256").GetString(), elf.RootElement.GetProperty("sha256").GetString());
        Assert.Equal("0x08000000", elf.RootElement.GetProperty("start").GetString());
        var device = elf.RootElement.GetProperty("device");
        Assert.True(device.GetProperty("fits").GetBoolean());
        Assert.Equal("sector", device.GetProperty("eraseUnit").GetString());
        Assert.Equal(16384, device.GetProperty("units")[0].GetProperty("bytes").GetInt32());
    }

    [Fact]
    public void Info_ImageBeyondFlash_ExitsOneAndNamesTheRange()
    {
        using var temp = new TempDirectory();
        var bin = temp.File("big.bin");
        File.WriteAllBytes(bin, new byte[70 * 1024]);

        var (exit, output, error) = Run("image", "info", bin, "--base", "0x08000000", "--device", "STM32F103C8");

        Assert.Equal(CliApp.ExitBadInput, exit);
        Assert.Contains("Fits:      NO", output, StringComparison.Ordinal);
        Assert.Contains("0x08010000..0x080117FF", output, StringComparison.Ordinal);
        Assert.Contains("does not fit STM32F103C8", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Convert_HexToBin_EqualsCommittedBinary()
    {
        using var temp = new TempDirectory();
        var output = temp.File("out.bin");

        var (exit, stdout, error) = Run("image", "convert", s_sampleHex, output);

        Assert.Equal(0, exit);
        Assert.Equal(string.Empty, error);
        Assert.Contains("raw binary", stdout, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(s_sampleBin), File.ReadAllBytes(output));
    }

    [Fact]
    public void Convert_BinWithBaseToSrecAndBack_KeepsHash()
    {
        using var temp = new TempDirectory();
        var srec = temp.File("out.s37");
        var hex = temp.File("again.hex");

        var first = Run("image", "convert", s_sampleBin, srec, "--base", "0x0800_0000");
        var second = Run("image", "convert", srec, hex);

        Assert.Equal(0, first.Exit);
        Assert.Equal(0, second.Exit);
        Assert.Equal(ImageReader.ReadFile(s_sampleHex).Sha256, ImageReader.ReadFile(hex).Sha256);
    }

    [Fact]
    public void Convert_FillByte_FillsGaps()
    {
        using var temp = new TempDirectory();
        var input = temp.File("gaps.hex");
        File.WriteAllText(input, ":020000000102FB\n:020004000304F3\n:00000001FF\n");
        var output = temp.File("gaps.bin");

        var (exit, _, error) = Run("image", "convert", input, output, "--fill", "0x00");

        Assert.True(exit == 0, error);
        Assert.Equal(new byte[] { 1, 2, 0, 0, 3, 4 }, File.ReadAllBytes(output));
    }

    [Fact]
    public void Info_CorruptedHex_ExitsOneWithLine()
    {
        using var temp = new TempDirectory();
        var input = temp.File("bad.hex");
        File.WriteAllText(input, ":020000000102FB\n:02000400030400\n:00000001FF\n");

        var (exit, _, error) = Run("image", "info", input);

        Assert.Equal(CliApp.ExitBadInput, exit);
        Assert.Contains("bad.hex", error, StringComparison.Ordinal);
        Assert.Contains("line 2", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("image", "info", "firmware.xyz")]
    [InlineData("image", "convert", "a.hex", "b.hex", "--to", "pdf")]
    [InlineData("image", "convert", "a.hex", "b.bin", "--fill", "300")]
    [InlineData("image", "info", "a.bin")]
    [InlineData("image", "info")]
    public void Run_UsageMistakes_ExitTwo(params string[] args)
    {
        var (exit, _, error) = Run(args);

        Assert.Equal(CliApp.ExitUsage, exit);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public void Convert_ToElf_IsRefused()
    {
        var (exit, _, error) = Run("image", "convert", s_sampleHex, "out.elf");

        Assert.Equal(CliApp.ExitUsage, exit);
        Assert.Contains("ELF is an input format only", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Info_MissingFile_ExitsOne()
    {
        var (exit, _, error) = Run("image", "info", "/nonexistent/firmware.hex");

        Assert.Equal(CliApp.ExitBadInput, exit);
        Assert.Contains("not found", error, StringComparison.OrdinalIgnoreCase);
    }
}
