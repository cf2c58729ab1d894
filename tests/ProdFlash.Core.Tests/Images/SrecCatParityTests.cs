using CsCheck;

using ProdFlash.Core.Images;
using ProdFlash.Testing;

namespace ProdFlash.Core.Tests.Images;

/// <summary>
/// Our HEX-to-binary conversion against srec_cat (SRecord 1.64), which nobody here wrote. srec_cat's -Binary output
/// puts address 0 at file offset 0 and leaves holes as 0x00, so we shift with <c>-offset -START</c> (START = the
/// image's lowest address, so the file starts at the first data byte, as ours does) and write ours with fill 0x00.
/// </summary>
public class SrecCatParityTests
{
    [Fact]
    public async Task WriteBinary_GeneratedImages_EqualsSrecCatByteForByte()
    {
        var srecCat = ExternalTool.Require("srec_cat", "srecord");
        var cancel = TestContext.Current.CancellationToken;

        await ImageGen.Images.SampleAsync(async image =>
        {
            using var temp = new TempDirectory();
            var start = image.StartAddress!.Value;
            var hexPath = temp.File("in.hex");
            var binPath = temp.File("out.bin");
            await using (var hex = File.Create(hexPath))
            {
                ImageWriter.WriteIntelHex(image, hex, bytesPerRecord: 32);
            }

            var result = await ExternalTool.RunAsync(srecCat, ["in.hex", "-Intel", "-offset", $"-0x{start:X8}", "-o", "out.bin", "-Binary"], TimeSpan.FromSeconds(60), temp.Path);
            Assert.True(result.ExitCode == 0, result.StandardError);

            var ours = new MemoryStream();
            ImageWriter.WriteBinary(ImageReader.ReadFile(hexPath), ours, fill: 0x00);
            Assert.Equal(await File.ReadAllBytesAsync(binPath, cancel), ours.ToArray());
        }, iter: 40);
    }

    [Fact]
    public async Task ReadFile_SrecCatWrittenSRecord_HasTheSameHash()
    {
        var srecCat = ExternalTool.Require("srec_cat", "srecord");

        await ImageGen.Images.SampleAsync(async image =>
        {
            using var temp = new TempDirectory();
            await using (var hex = File.Create(temp.File("in.hex")))
            {
                ImageWriter.WriteIntelHex(image, hex);
            }

            var result = await ExternalTool.RunAsync(srecCat, ["in.hex", "-Intel", "-o", "out.srec", "-Motorola"], TimeSpan.FromSeconds(60), temp.Path);
            Assert.True(result.ExitCode == 0, result.StandardError);

            var theirs = ImageReader.ReadFile(temp.File("out.srec"));
            Assert.Equal(image.Sha256, theirs.Sha256);
        }, iter: 20);
    }
}
