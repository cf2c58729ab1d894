using System.Text;

using ProdFlash.Core.Images;

namespace ProdFlash.Core.Tests.Images;

public class ImageWriterTests
{
    [Fact]
    public void WriteIntelHex_ImageAbove64KiB_EmitsLinearAddressDataEntryAndEof()
    {
        var image = new MemoryImage([new ImageSegment(0x0800_0010, new byte[] { 1, 2, 3, 4 })], entryPoint: 0x0800_00C1);

        var text = Encoding.ASCII.GetString(ImageText.Write(image, ImageFormat.IntelHex));

        Assert.Equal(":020000040800F2\n:0400100001020304E2\n:04000005080000C12E\n:00000001FF\n", text);
    }

    [Fact]
    public void WriteIntelHex_RecordsNeverCross64KiBBoundary()
    {
        var image = new MemoryImage([new ImageSegment(0x0001_FFF8, new byte[16])]);

        var lines = Encoding.ASCII.GetString(ImageText.Write(image, ImageFormat.IntelHex)).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal([":020000040001F9", ":08FFF800000000000000000001", ":020000040002F8", ":080000000000000000000000F8", ":00000001FF"], lines);
    }

    [Fact]
    public void WriteIntelHex_SmallImageWithEntry_UsesStartSegmentRecord()
    {
        var image = new MemoryImage([new ImageSegment(0x0100, new byte[] { 0xAA })], entryPoint: 0x0101);

        var text = Encoding.ASCII.GetString(ImageText.Write(image, ImageFormat.IntelHex));

        Assert.Equal(":01010000AA54\n:0400000300000101F7\n:00000001FF\n", text);
        Assert.Equal(0x0101u, ImageText.ReadHex(text).EntryPoint);
    }

    [Theory]
    [InlineData(0x0000_1000u, "S1")]
    [InlineData(0x0080_0000u, "S2")]
    [InlineData(0x0800_0000u, "S3")]
    public void WriteSRecord_ChoosesDataRecordByHighestAddress(uint address, string expectedType)
    {
        var image = new MemoryImage([new ImageSegment(address, new byte[] { 1, 2, 3 })]);

        var lines = Encoding.ASCII.GetString(ImageText.Write(image, ImageFormat.SRecord)).Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.StartsWith("S0", lines[0], StringComparison.Ordinal);
        Assert.StartsWith(expectedType, lines[1], StringComparison.Ordinal);
        Assert.Equal("S5030001FB", lines[2]);
        Assert.StartsWith(expectedType switch { "S1" => "S9", "S2" => "S8", _ => "S7" }, lines[3], StringComparison.Ordinal);
    }

    [Fact]
    public void WriteSRecord_S3ImageWithEntry_MatchesHandComputedRecords()
    {
        var image = new MemoryImage([new ImageSegment(0x0800_0010, new byte[] { 1, 2, 3, 4 })], entryPoint: 0x0800_00C1);

        var text = Encoding.ASCII.GetString(ImageText.Write(image, ImageFormat.SRecord));

        Assert.Equal("S0030000FC\nS3090800001001020304D4\nS5030001FB\nS705080000C131\n", text);
    }

    [Fact]
    public void WriteBinary_RangeWithGapsAndOutside_FillsWithFillByte()
    {
        var image = new MemoryImage([new ImageSegment(0x10, new byte[] { 1, 2 }), new ImageSegment(0x14, new byte[] { 5, 6 })]);
        using var stream = new MemoryStream();

        ImageWriter.WriteBinary(image, stream, 0x0E, 0x17, fill: 0xEE);

        Assert.Equal(new byte[] { 0xEE, 0xEE, 1, 2, 0xEE, 0xEE, 5, 6, 0xEE }, stream.ToArray());
    }

    [Fact]
    public void WriteBinary_RangeInsideSegment_WritesOnlyThatRange()
    {
        var image = new MemoryImage([new ImageSegment(0x10, new byte[] { 1, 2, 3, 4, 5 })]);
        using var stream = new MemoryStream();

        ImageWriter.WriteBinary(image, stream, 0x11, 0x13);

        Assert.Equal(new byte[] { 2, 3 }, stream.ToArray());
    }

    [Fact]
    public void WriteBinary_DefaultRange_IsImageStartToEndWithFF()
    {
        var image = new MemoryImage([new ImageSegment(0x10, new byte[] { 1 }), new ImageSegment(0x13, new byte[] { 4 })]);
        using var stream = new MemoryStream();

        ImageWriter.WriteBinary(image, stream);

        Assert.Equal(new byte[] { 1, 0xFF, 0xFF, 4 }, stream.ToArray());
    }

    [Fact]
    public void WriteBinary_ReversedRange_Throws()
    {
        var image = new MemoryImage([new ImageSegment(0x10, new byte[] { 1 })]);

        Assert.Throws<ArgumentOutOfRangeException>(() => ImageWriter.WriteBinary(image, Stream.Null, 0x20, 0x10));
    }

    [Fact]
    public void Write_Elf_IsNotSupported()
    {
        var image = new MemoryImage([new ImageSegment(0x10, new byte[] { 1 })]);

        Assert.Throws<NotSupportedException>(() => ImageWriter.Write(image, Stream.Null, ImageFormat.Elf));
    }

    [Fact]
    public void WriteSRecord_MoreThan65535Records_UsesS6Count()
    {
        var image = new MemoryImage([new ImageSegment(0x0800_0000, new byte[70_000])]);
        using var stream = new MemoryStream();

        ImageWriter.WriteSRecord(image, stream, bytesPerRecord: 1);

        var lines = Encoding.ASCII.GetString(stream.ToArray()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("S604011170" + "79", lines[^2]);
        Assert.Equal(image.Sha256, ImageText.ReadSRecord(Encoding.ASCII.GetString(stream.ToArray())).Sha256);
    }

    [Fact]
    public void WriteBinary_EmptyRange_WritesNothing()
    {
        var image = new MemoryImage([new ImageSegment(0x10, new byte[] { 1 })]);
        using var stream = new MemoryStream();

        ImageWriter.WriteBinary(image, stream, 0x10, 0x10);

        Assert.Equal(0, stream.Length);
    }

    [Fact]
    public void WriteIntelHex_SegmentEndingAt4GiB_ReadsBack()
    {
        var image = new MemoryImage([new ImageSegment(0xFFFF_FFF0, Enumerable.Range(0, 16).Select(i => (byte)i).ToArray())]);

        var read = ImageText.ReadHex(Encoding.ASCII.GetString(ImageText.Write(image, ImageFormat.IntelHex)));

        Assert.Equal(image.Sha256, read.Sha256);
        Assert.Equal(1UL << 32, read.EndAddress);
    }
}
