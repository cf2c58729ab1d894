using System.Buffers.Binary;
using System.Security.Cryptography;

namespace ProdFlash.Core.Images;

/// <summary>
/// A firmware image as the target sees it: ordered, non-overlapping, non-adjacent segments and an optional entry point.
/// </summary>
/// <remarks>
/// Immutable once built. Adjacent segments are merged on construction, so the same content always has the same
/// segments whatever file format it came from, and <see cref="Sha256"/> is a property of the content alone.
/// </remarks>
public sealed class MemoryImage
{
    private string? _sha256;

    /// <summary>Creates an image from segments; they are sorted, checked for overlap, and adjacent ones merged.</summary>
    /// <exception cref="ArgumentException">Two segments overlap, or a segment runs past the 32-bit address space.</exception>
    public MemoryImage(IEnumerable<ImageSegment> segments, uint? entryPoint = null)
    {
        ArgumentNullException.ThrowIfNull(segments);
        var sorted = segments.Where(s => s.Length > 0).OrderBy(s => s.Address).ToList();
        var merged = new List<ImageSegment>(sorted.Count);
        foreach (var segment in sorted)
        {
            if (segment.End > 1UL << 32)
            {
                throw new ArgumentException($"Segment at 0x{segment.Address:X8} of {segment.Length} bytes runs past the 32-bit address space.", nameof(segments));
            }

            if (merged.Count > 0)
            {
                var last = merged[^1];
                if (segment.Address < last.End)
                {
                    throw new ArgumentException($"Segment at 0x{segment.Address:X8} overlaps the segment 0x{last.Address:X8}..0x{last.End - 1:X8}.", nameof(segments));
                }

                if (segment.Address == last.End)
                {
                    var joined = new byte[last.Length + segment.Length];
                    last.Data.Span.CopyTo(joined);
                    segment.Data.Span.CopyTo(joined.AsSpan(last.Length));
                    merged[^1] = new ImageSegment(last.Address, joined);
                    continue;
                }
            }

            merged.Add(segment);
        }

        Segments = merged;
        EntryPoint = entryPoint;
        TotalBytes = merged.Sum(s => (long)s.Length);
    }

    /// <summary>The segments, ordered by address; no two overlap or touch.</summary>
    public IReadOnlyList<ImageSegment> Segments { get; }

    /// <summary>The start address from the file (HEX type 03/05, S-record S7–S9, ELF e_entry), if any.</summary>
    public uint? EntryPoint { get; }

    /// <summary>Total number of data bytes (gaps excluded).</summary>
    public long TotalBytes { get; }

    /// <summary>Lowest address with data, or null for an empty image.</summary>
    public uint? StartAddress => Segments.Count == 0 ? null : Segments[0].Address;

    /// <summary>One past the highest address with data, or null for an empty image.</summary>
    public ulong? EndAddress => Segments.Count == 0 ? null : Segments[^1].End;

    /// <summary>
    /// SHA-256 over the normalized segments, lower-case hex. For each segment in address order: its address (u32 LE),
    /// its length (u32 LE), then its bytes. The entry point is not part of the content hash.
    /// </summary>
    public string Sha256 => _sha256 ??= ComputeSha256();

    /// <summary>Reads <paramref name="destination"/>.Length bytes from <paramref name="address"/>, filling gaps with <paramref name="fill"/>.</summary>
    public void CopyTo(uint address, Span<byte> destination, byte fill = 0xFF)
    {
        destination.Fill(fill);
        var start = (ulong)address;
        var end = start + (ulong)destination.Length;
        foreach (var segment in Segments)
        {
            if (segment.End <= start)
            {
                continue;
            }

            if (segment.Address >= end)
            {
                break;
            }

            var from = Math.Max(start, segment.Address);
            var to = Math.Min(end, segment.End);
            segment.Data.Span.Slice((int)(from - segment.Address), (int)(to - from))
                .CopyTo(destination.Slice((int)(from - start)));
        }
    }

    private string ComputeSha256()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> header = stackalloc byte[8];
        foreach (var segment in Segments)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(header, segment.Address);
            BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)segment.Length);
            hash.AppendData(header);
            hash.AppendData(segment.Data.Span);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
