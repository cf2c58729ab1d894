using System.Text;

using CsCheck;

using ProdFlash.Core.Images;

namespace ProdFlash.Core.Tests.Images;

/// <summary>Records may come in any order; the image is the same, and many out-of-order records stay fast.</summary>
public class RecordOrderTests
{
    [Fact]
    public void Read_RecordsInShuffledOrder_SameImageAsInOrder()
    {
        Gen.Select(ImageGen.Images, Gen.Int).Sample((image, seed) =>
        {
            var records = Records(image).ToList();
            var random = new Random(seed);
            var shuffled = records.OrderBy(_ => random.Next()).ToList();

            var read = ImageText.ReadHex(HexOf(shuffled));

            Assert.Equal(image.Sha256, read.Sha256);
            Assert.Equal(image.Segments.Count, read.Segments.Count);
        }, iter: 100);
    }

    [Fact]
    public void Read_OneMebibyteInDescendingRecordOrder_EqualsAscending()
    {
        // 65 536 records, each starting a new block before the previous one: the worst case for appending.
        var data = new byte[1 << 20];
        new Random(3).NextBytes(data);
        var image = new MemoryImage([new ImageSegment(0x0800_0000, data)]);
        var descending = Records(image).Reverse().ToList();

        var read = ImageText.ReadHex(HexOf(descending));

        var segment = Assert.Single(read.Segments);
        Assert.Equal(0x0800_0000u, segment.Address);
        Assert.Equal(image.Sha256, read.Sha256);
    }

    /// <summary>Each 16-byte piece as its own type 04 + type 00 pair, so records can be reordered freely.</summary>
    private static IEnumerable<(uint Address, byte[] Data)> Records(MemoryImage image)
    {
        foreach (var segment in image.Segments)
        {
            for (var offset = 0; offset < segment.Length; offset += 16)
            {
                var address = segment.Address + (uint)offset;
                var count = (int)Math.Min(Math.Min(16, segment.Length - offset), 0x1_0000 - (address & 0xFFFF));
                yield return (address, segment.Data.Span.Slice(offset, count).ToArray());
                if (count < Math.Min(16, segment.Length - offset))
                {
                    var rest = Math.Min(16, segment.Length - offset) - count;
                    yield return (address + (uint)count, segment.Data.Span.Slice(offset + count, rest).ToArray());
                }
            }
        }
    }

    private static string HexOf(IEnumerable<(uint Address, byte[] Data)> records)
    {
        var text = new StringBuilder();
        foreach (var (address, data) in records)
        {
            text.Append(Record(0x04, 0, [(byte)(address >> 24), (byte)(address >> 16)]));
            text.Append(Record(0x00, (ushort)address, data));
        }

        return text.Append(":00000001FF\n").ToString();
    }

    private static string Record(byte type, ushort offset, byte[] data)
    {
        var bytes = new byte[] { (byte)data.Length, (byte)(offset >> 8), (byte)offset, type }.Concat(data).ToList();
        var sum = 0;
        bytes.ForEach(b => sum += b);
        bytes.Add((byte)-sum);
        return ":" + Convert.ToHexString(bytes.ToArray()) + "\n";
    }
}
