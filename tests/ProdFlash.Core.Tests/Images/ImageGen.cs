using CsCheck;

using ProdFlash.Core.Images;

namespace ProdFlash.Core.Tests.Images;

/// <summary>CsCheck generators of random multi-segment images: gaps, 64 KiB boundaries, addresses near 4 GiB.</summary>
internal static class ImageGen
{
    private const ulong AddressSpaceEnd = 1UL << 32;

    /// <summary>1–6 segments of 1–300 bytes with gaps of 1 byte to ~100 KiB, placed low, above 64 KiB, or at the top of 4 GiB.</summary>
    public static readonly Gen<MemoryImage> Images =
        Gen.Select(
            Gen.Select(Gen.Int[1, 100_000], Gen.Byte.Array[1, 300]).List[1, 6],
            Gen.Int[0, 2],
            Gen.UInt,
            Gen.Bool,
            Build);

    private static MemoryImage Build(List<(int Gap, byte[] Data)> parts, int region, uint pick, bool withEntry)
    {
        var layout = new List<(ulong Offset, byte[] Data)>();
        ulong position = 0;
        foreach (var (gap, data) in parts)
        {
            if (layout.Count > 0)
            {
                position += (ulong)gap;
            }

            layout.Add((position, data));
            position += (ulong)data.Length;
        }

        var span = position;
        var start = region switch
        {
            0 => pick % Math.Max(1UL, 0x1_0000 - Math.Min(span, 0xFFFFUL)),
            1 => 0x1_0000 + (pick % 0x0900_0000UL),
            _ => AddressSpaceEnd - span - (pick % 0x2_0000UL),
        };
        var segments = layout.Select(p => new ImageSegment((uint)(start + p.Offset), p.Data));
        return new MemoryImage(segments, withEntry ? (uint)(start | 1) : null);
    }
}
