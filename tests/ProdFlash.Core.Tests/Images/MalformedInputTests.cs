using System.Text;

using ProdFlash.Core.Images;

namespace ProdFlash.Core.Tests.Images;

/// <summary>
/// Thousands of corrupted files (bit flips, truncations, inserted, deleted and duplicated bytes) made from valid HEX,
/// S-record and ELF: each read either succeeds or throws <see cref="ImageParseException"/>, never anything else.
/// </summary>
public class MalformedInputTests
{
    private const int MutationsPerFormat = 4000;

    public static TheoryData<ImageFormat> Formats => [ImageFormat.IntelHex, ImageFormat.SRecord, ImageFormat.Elf];

    [Theory]
    [MemberData(nameof(Formats))]
    public void Read_MutatedValidFile_ThrowsOnlyImageParseException(ImageFormat format)
    {
        // Arrange: a valid file with several segments, extended addresses and an entry point (ELF: the sample firmware).
        var original = ValidFile(format);
        var random = new Random(20261125 + (int)format);
        var rejected = 0;

        for (var i = 0; i < MutationsPerFormat; i++)
        {
            var (mutated, how) = Mutate(original, random);
            try
            {
                // Act
                ImageReader.Read(new MemoryStream(mutated), "mutant", format);
            }
            catch (ImageParseException error)
            {
                rejected++;
                Assert.Equal("mutant", error.FileName);
                Assert.False(string.IsNullOrWhiteSpace(error.Reason));
                if (format != ImageFormat.Elf && error.Line is null)
                {
                    // Only whole-file verdicts may come without a line.
                    Assert.Matches("empty|no data records", error.Reason);
                }
            }
            catch (Exception other) when (other is not Xunit.Sdk.XunitException)
            {
                // Assert: anything else is a bug; name the mutation so it can be replayed.
                Assert.Fail($"mutation {i} ({how}) of the {format} file threw {other.GetType().Name}: {other.Message}");
            }
        }

        Assert.True(rejected > MutationsPerFormat / 2, $"only {rejected} of {MutationsPerFormat} mutants were rejected");
    }

    private static byte[] ValidFile(ImageFormat format)
    {
        if (format == ImageFormat.Elf)
        {
            return File.ReadAllBytes(Path.Combine(ImageText.SampleFolder, "blue-pill-f103c8.elf"));
        }

        var random = new Random(7);
        var segments = new[] { 0x0800_0000u, 0x0800_FFE0u, 0x1FFF_F800u }
            .Select(address => new ImageSegment(address, Enumerable.Range(0, 96).Select(_ => (byte)random.Next(256)).ToArray()));
        return ImageText.Write(new MemoryImage(segments, 0x0800_00C1), format);
    }

    private static (byte[] Bytes, string How) Mutate(byte[] original, Random random)
    {
        var bytes = original.ToList();
        var kind = random.Next(6);
        var at = random.Next(bytes.Count);
        switch (kind)
        {
            case 0:
                var bit = random.Next(8);
                bytes[at] ^= (byte)(1 << bit);
                return (bytes.ToArray(), $"flip bit {bit} at {at}");
            case 1:
                return (bytes.Take(at).ToArray(), $"truncate to {at}");
            case 2:
                var inserted = (byte)random.Next(256);
                bytes.Insert(at, inserted);
                return (bytes.ToArray(), $"insert 0x{inserted:X2} at {at}");
            case 3:
                bytes.RemoveAt(at);
                return (bytes.ToArray(), $"delete at {at}");
            case 4:
                var value = (byte)random.Next(256);
                bytes[at] = value;
                return (bytes.ToArray(), $"set 0x{value:X2} at {at}");
            default:
                var count = random.Next(1, 5);
                for (var n = 0; n < count; n++)
                {
                    var position = random.Next(bytes.Count);
                    bytes[position] ^= (byte)random.Next(1, 256);
                }

                return (bytes.ToArray(), $"{count} random byte changes from seed");
        }
    }

    [Fact]
    public void Read_RandomBytesAsHex_ThrowsImageParseException()
    {
        var garbage = Encoding.ASCII.GetBytes(":" + new string('Z', 100) + "\n");

        Assert.Throws<ImageParseException>(() => ImageReader.Read(new MemoryStream(garbage), "z.hex", ImageFormat.IntelHex));
    }

    [Fact]
    public void Read_VeryLongLine_ThrowsImageParseException()
    {
        var huge = new byte[200_000];
        huge.AsSpan().Fill((byte)'0');
        huge[0] = (byte)':';

        var error = Assert.Throws<ImageParseException>(() => ImageReader.Read(new MemoryStream(huge), "long.hex", ImageFormat.IntelHex));

        Assert.Equal(1, error.Line);
    }
}
