using CsCheck;

using ProdFlash.Core.Images;

namespace ProdFlash.Core.Tests.Images;

public class RoundTripTests
{
    [Fact]
    public void IntelHex_WriteThenRead_PreservesSegmentsHashAndEntry()
    {
        Gen.Select(ImageGen.Images, Gen.Int[1, 255]).Sample((image, perRecord) =>
        {
            using var stream = new MemoryStream();
            ImageWriter.WriteIntelHex(image, stream, perRecord);
            stream.Position = 0;

            var read = ImageReader.Read(stream, "rt.hex", ImageFormat.IntelHex);

            AssertSameContent(image, read);
            Assert.Equal(image.EntryPoint, read.EntryPoint);
        }, iter: 300);
    }

    [Fact]
    public void SRecord_WriteThenRead_PreservesSegmentsHashAndEntry()
    {
        Gen.Select(ImageGen.Images, Gen.Int[1, 250]).Sample((image, perRecord) =>
        {
            using var stream = new MemoryStream();
            ImageWriter.WriteSRecord(image, stream, perRecord, header: "prodflash");
            stream.Position = 0;

            var read = ImageReader.Read(stream, "rt.srec", ImageFormat.SRecord);

            AssertSameContent(image, read);
            Assert.Equal(image.EntryPoint, read.EntryPoint);
        }, iter: 300);
    }

    [Fact]
    public void HexToSRecordToHex_SameContentSameHash()
    {
        ImageGen.Images.Sample(image =>
        {
            var fromHex = ImageText.ReadHex(System.Text.Encoding.ASCII.GetString(ImageText.Write(image, ImageFormat.IntelHex)));
            var srec = ImageText.ReadSRecord(System.Text.Encoding.ASCII.GetString(ImageText.Write(fromHex, ImageFormat.SRecord)));
            var back = ImageText.ReadHex(System.Text.Encoding.ASCII.GetString(ImageText.Write(srec, ImageFormat.IntelHex)));

            Assert.Equal(image.Sha256, fromHex.Sha256);
            Assert.Equal(image.Sha256, srec.Sha256);
            Assert.Equal(image.Sha256, back.Sha256);
            Assert.Equal(image.EntryPoint, back.EntryPoint);
        }, iter: 200);
    }

    [Fact]
    public void Binary_WriteThenReadAtStart_EqualsImageWithGapsFilled()
    {
        Gen.Select(ImageGen.Images, Gen.Byte).Sample((image, fill) =>
        {
            var start = image.StartAddress!.Value;
            using var stream = new MemoryStream();
            ImageWriter.WriteBinary(image, stream, fill);
            stream.Position = 0;

            var read = ImageReader.Read(stream, "rt.bin", ImageFormat.Binary, start);

            var segment = Assert.Single(read.Segments);
            Assert.Equal(start, segment.Address);
            Assert.Equal(ImageText.Flatten(image, fill), segment.Data.ToArray());
            if (image.Segments.Count == 1)
            {
                Assert.Equal(image.Sha256, read.Sha256);
            }
        }, iter: 200);
    }

    [Fact]
    public void BinaryToHexToSRecord_SingleBlock_KeepsHash()
    {
        Gen.Select(Gen.Byte.Array[1, 5000], Gen.UInt[0, 0xFFFF_0000]).Sample((bytes, address) =>
        {
            var bin = ImageReader.Read(new MemoryStream(bytes), "rt.bin", ImageFormat.Binary, address);
            var hex = ImageText.ReadHex(System.Text.Encoding.ASCII.GetString(ImageText.Write(bin, ImageFormat.IntelHex)));
            var srec = ImageText.ReadSRecord(System.Text.Encoding.ASCII.GetString(ImageText.Write(hex, ImageFormat.SRecord)));

            Assert.Equal(bin.Sha256, hex.Sha256);
            Assert.Equal(bin.Sha256, srec.Sha256);
        }, iter: 100);
    }

    private static void AssertSameContent(MemoryImage expected, MemoryImage actual)
    {
        Assert.Equal(expected.Segments.Count, actual.Segments.Count);
        for (var i = 0; i < expected.Segments.Count; i++)
        {
            Assert.Equal(expected.Segments[i].Address, actual.Segments[i].Address);
            Assert.True(expected.Segments[i].Data.Span.SequenceEqual(actual.Segments[i].Data.Span), $"segment {i} differs");
        }

        Assert.Equal(expected.Sha256, actual.Sha256);
    }
}
