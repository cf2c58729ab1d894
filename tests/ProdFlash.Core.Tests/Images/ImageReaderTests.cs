using ProdFlash.Core.Images;
using ProdFlash.Testing;

namespace ProdFlash.Core.Tests.Images;

public class ImageReaderTests
{
    [Theory]
    [InlineData("fw.hex", ImageFormat.IntelHex)]
    [InlineData("FW.IHEX", ImageFormat.IntelHex)]
    [InlineData("a/b/fw.srec", ImageFormat.SRecord)]
    [InlineData("fw.s19", ImageFormat.SRecord)]
    [InlineData("fw.s28", ImageFormat.SRecord)]
    [InlineData("fw.s37", ImageFormat.SRecord)]
    [InlineData("fw.mot", ImageFormat.SRecord)]
    [InlineData("fw.elf", ImageFormat.Elf)]
    [InlineData("fw.axf", ImageFormat.Elf)]
    [InlineData("fw.bin", ImageFormat.Binary)]
    public void FromExtension_KnownExtension_ReturnsFormat(string path, ImageFormat expected)
    {
        Assert.Equal(expected, ImageFormats.FromExtension(path));
    }

    [Theory]
    [InlineData("fw.txt")]
    [InlineData("fw")]
    public void FromExtension_UnknownExtension_ReturnsNull(string path)
    {
        Assert.Null(ImageFormats.FromExtension(path));
    }

    [Theory]
    [InlineData("hex", ImageFormat.IntelHex)]
    [InlineData("SREC", ImageFormat.SRecord)]
    [InlineData("elf", ImageFormat.Elf)]
    [InlineData("bin", ImageFormat.Binary)]
    public void Parse_Name_ReturnsFormat(string name, ImageFormat expected)
    {
        Assert.Equal(expected, ImageFormats.Parse(name));
    }

    [Fact]
    public void Parse_UnknownName_ThrowsNamingTheChoices()
    {
        var error = Assert.Throws<ArgumentException>(() => ImageFormats.Parse("zip"));

        Assert.Contains("hex, srec, elf or bin", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_BinaryWithBase_IsOneSegmentAtBase()
    {
        var image = ImageReader.Read(new MemoryStream([1, 2, 3]), "fw.bin", ImageFormat.Binary, 0x0800_0000);

        var segment = Assert.Single(image.Segments);
        Assert.Equal(0x0800_0000u, segment.Address);
        Assert.Equal(new byte[] { 1, 2, 3 }, segment.Data.ToArray());
    }

    [Fact]
    public void Read_BinaryWithoutBase_AsksForIt()
    {
        var error = Assert.Throws<ImageParseException>(() => ImageReader.Read(new MemoryStream([1]), "fw.bin", ImageFormat.Binary));

        Assert.Contains("give the address", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_BaseForHex_IsRefused()
    {
        var error = Assert.Throws<ImageParseException>(() => ImageReader.Read(new MemoryStream(":00000001FF\n"u8.ToArray()), "fw.hex", ImageFormat.IntelHex, 0x0800_0000));

        Assert.Contains("only applies to a raw binary", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_BinaryPast4GiB_ReportsOffset()
    {
        var error = Assert.Throws<ImageParseException>(() => ImageReader.Read(new MemoryStream(new byte[32]), "fw.bin", ImageFormat.Binary, 0xFFFF_FFF0));

        Assert.Equal(16, error.Offset);
    }

    [Fact]
    public void Read_EmptyBinary_IsAnError()
    {
        var error = Assert.Throws<ImageParseException>(() => ImageReader.Read(new MemoryStream(), "fw.bin", ImageFormat.Binary, 0));

        Assert.Contains("empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadFile_UnknownExtension_AsksForTheFormat()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.File("fw.txt"), ":00000001FF\n");

        var error = Assert.Throws<ImageParseException>(() => ImageReader.ReadFile(temp.File("fw.txt")));

        Assert.Equal("fw.txt", error.FileName);
        Assert.Contains("name the format", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NonSeekableElfStream_IsCopiedAndRead()
    {
        var bytes = File.ReadAllBytes(Path.Combine(ImageText.SampleFolder, "blue-pill-f103c8.elf"));
        using var pipe = new NonSeekableStream(bytes);

        var image = ImageReader.Read(pipe, "sample.elf", ImageFormat.Elf);

        Assert.Equal(0x0800_0000u, image.StartAddress);
    }

    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
