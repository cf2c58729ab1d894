using ProdFlash.Core.Images;

namespace ProdFlash.Core.Tests.Images;

public class MemoryImageTests
{
    [Fact]
    public void Constructor_AdjacentSegments_AreMergedAndOrdered()
    {
        var image = new MemoryImage([new ImageSegment(0x0800_0010, new byte[] { 3, 4 }), new ImageSegment(0x0800_0000, new byte[16])]);

        var segment = Assert.Single(image.Segments);
        Assert.Equal(0x0800_0000u, segment.Address);
        Assert.Equal(18, segment.Length);
        Assert.Equal(18, image.TotalBytes);
    }

    [Fact]
    public void Constructor_OverlappingSegments_Throws()
    {
        Assert.Throws<ArgumentException>(() => new MemoryImage([new ImageSegment(0x100, new byte[16]), new ImageSegment(0x108, new byte[16])]));
    }

    [Fact]
    public void Sha256_SameContentDifferentSplit_IsEqual()
    {
        var whole = new MemoryImage([new ImageSegment(0x2000, new byte[] { 1, 2, 3, 4 })]);
        var split = new MemoryImage([new ImageSegment(0x2000, new byte[] { 1, 2 }), new ImageSegment(0x2002, new byte[] { 3, 4 })]);
        var moved = new MemoryImage([new ImageSegment(0x2004, new byte[] { 1, 2, 3, 4 })]);

        Assert.Equal(whole.Sha256, split.Sha256);
        Assert.NotEqual(whole.Sha256, moved.Sha256);
        Assert.Equal(64, whole.Sha256.Length);
    }

    [Fact]
    public void CopyTo_RangeWithGap_FillsGap()
    {
        var image = new MemoryImage([new ImageSegment(0x10, new byte[] { 1, 2 }), new ImageSegment(0x14, new byte[] { 5 })]);
        var buffer = new byte[6];

        image.CopyTo(0x10, buffer, fill: 0xEE);

        Assert.Equal(new byte[] { 1, 2, 0xEE, 0xEE, 5, 0xEE }, buffer);
    }
}
