using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace ProdFlash.Core.Images;

/// <summary>Writes a <see cref="MemoryImage"/> as Intel HEX, Motorola S-records or raw binary.</summary>
/// <remarks>
/// Text output uses upper-case hex digits and LF line ends, and is buffered: the destination sees few, large writes.
/// The destination stream is left open. Stateless and thread-safe.
/// </remarks>
public static class ImageWriter
{
    /// <summary>Default data bytes per text record, the common choice of objcopy and most IDEs.</summary>
    public const int DefaultBytesPerRecord = 16;

    private const int MaxHexBytesPerRecord = 255;
    private const int MaxSRecordBytesPerRecord = 250;
    private const int FlushThreshold = 60 * 1024;
    private const ulong AddressSpaceEnd = 1UL << 32;
    private const uint SegmentSize = 0x1_0000;

    /// <summary>Writes <paramref name="image"/> in <paramref name="format"/> with default settings.</summary>
    /// <exception cref="NotSupportedException"><paramref name="format"/> is <see cref="ImageFormat.Elf"/>; ELF is read only.</exception>
    public static void Write(MemoryImage image, Stream destination, ImageFormat format)
    {
        switch (format)
        {
            case ImageFormat.IntelHex:
                WriteIntelHex(image, destination);
                break;
            case ImageFormat.SRecord:
                WriteSRecord(image, destination);
                break;
            case ImageFormat.Binary:
                WriteBinary(image, destination);
                break;
            default:
                throw new NotSupportedException($"ProdFlash reads {format} images but does not write them; write hex, srec or bin.");
        }
    }

    /// <summary>
    /// Writes Intel HEX: type 04 extended linear address records whenever the upper 16 address bits change, data
    /// records that never cross a 64 KiB boundary, the entry point (type 03 for an image wholly below 64 KiB with an
    /// entry below 64 KiB, else type 05), and the end-of-file record.
    /// </summary>
    /// <param name="image">The image.</param>
    /// <param name="destination">Where the text goes.</param>
    /// <param name="bytesPerRecord">Data bytes per data record, 1–255.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WriteIntelHex(MemoryImage image, Stream destination, int bytesPerRecord = DefaultBytesPerRecord)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentOutOfRangeException.ThrowIfLessThan(bytesPerRecord, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytesPerRecord, MaxHexBytesPerRecord);

        var output = new TextOutput(destination);
        Span<byte> field = stackalloc byte[4];
        uint? upper = image.EndAddress > SegmentSize ? null : 0;
        foreach (var segment in image.Segments)
        {
            var data = segment.Data.Span;
            var address = segment.Address;
            var position = 0;
            while (position < data.Length)
            {
                var high = address >> 16;
                if (upper != high)
                {
                    BinaryPrimitives.WriteUInt16BigEndian(field, (ushort)high);
                    output.HexRecord(0x04, 0, field[..2]);
                    upper = high;
                }

                var toBoundary = SegmentSize - (address & 0xFFFF);
                var count = (int)Math.Min(Math.Min((uint)bytesPerRecord, toBoundary), (uint)(data.Length - position));
                output.HexRecord(0x00, (ushort)address, data.Slice(position, count));
                position += count;
                address += (uint)count;
            }
        }

        if (image.EntryPoint is { } entry)
        {
            if (entry < SegmentSize && upper == 0)
            {
                // Start segment address (type 03): CS = 0, IP = entry.
                BinaryPrimitives.WriteUInt32BigEndian(field, entry);
                output.HexRecord(0x03, 0, field);
            }
            else
            {
                BinaryPrimitives.WriteUInt32BigEndian(field, entry);
                output.HexRecord(0x05, 0, field);
            }
        }

        output.HexRecord(0x01, 0, []);
        output.Flush();
    }

    /// <summary>
    /// Writes Motorola S-records: an S0 header, S1/S2/S3 data records chosen by the highest address (and entry point),
    /// an S5 or S6 record count (left out beyond 2^24 − 1 records), and the matching S9/S8/S7 termination with the
    /// entry point (0 when the image has none).
    /// </summary>
    /// <param name="image">The image.</param>
    /// <param name="destination">Where the text goes.</param>
    /// <param name="bytesPerRecord">Data bytes per data record, 1–250.</param>
    /// <param name="header">Text of the S0 header record (ASCII, at most 64 characters), or null for an empty header.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WriteSRecord(MemoryImage image, Stream destination, int bytesPerRecord = DefaultBytesPerRecord, string? header = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentOutOfRangeException.ThrowIfLessThan(bytesPerRecord, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytesPerRecord, MaxSRecordBytesPerRecord);
        var headerBytes = System.Text.Encoding.ASCII.GetBytes(header ?? string.Empty);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(headerBytes.Length, 64, nameof(header));

        var highest = Math.Max(image.EndAddress is { } end ? end - 1 : 0, image.EntryPoint ?? 0);
        var addressLength = highest <= 0xFFFF ? 2 : highest <= 0xFF_FFFF ? 3 : 4;
        var dataType = (byte)('1' + addressLength - 2);
        var terminationType = (byte)('9' - (addressLength - 2));

        var output = new TextOutput(destination);
        output.SRecord((byte)'0', 0, 2, headerBytes);
        long records = 0;
        foreach (var segment in image.Segments)
        {
            var data = segment.Data.Span;
            for (var position = 0; position < data.Length; position += bytesPerRecord)
            {
                var count = Math.Min(bytesPerRecord, data.Length - position);
                output.SRecord(dataType, segment.Address + (uint)position, addressLength, data.Slice(position, count));
                records++;
            }
        }

        if (records <= 0xFFFF)
        {
            output.SRecord((byte)'5', (uint)records, 2, []);
        }
        else if (records <= 0xFF_FFFF)
        {
            output.SRecord((byte)'6', (uint)records, 3, []);
        }

        output.SRecord(terminationType, image.EntryPoint ?? 0, addressLength, []);
        output.Flush();
    }

    /// <summary>Writes the bytes from the image start to its end, gaps filled with <paramref name="fill"/>; nothing for an empty image.</summary>
    public static void WriteBinary(MemoryImage image, Stream destination, byte fill = 0xFF)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.StartAddress is { } start && image.EndAddress is { } end)
        {
            WriteBinary(image, destination, start, end, fill);
        }
    }

    /// <summary>Writes the bytes of [<paramref name="start"/>, <paramref name="endExclusive"/>), gaps filled with <paramref name="fill"/>.</summary>
    /// <param name="image">The image; data outside the range is left out.</param>
    /// <param name="destination">Where the bytes go.</param>
    /// <param name="start">The address of the first byte written.</param>
    /// <param name="endExclusive">One past the last address written, at most 2^32.</param>
    /// <param name="fill">The value written where the image has no data.</param>
    /// <exception cref="ArgumentOutOfRangeException">The range is reversed or runs past 2^32.</exception>
    public static void WriteBinary(MemoryImage image, Stream destination, uint start, ulong endExclusive, byte fill = 0xFF)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(endExclusive, AddressSpaceEnd);
        ArgumentOutOfRangeException.ThrowIfLessThan(endExclusive, (ulong)start);

        var fillBlock = new byte[(int)Math.Min(64 * 1024, endExclusive - start)];
        fillBlock.AsSpan().Fill(fill);
        ulong cursor = start;
        foreach (var segment in image.Segments)
        {
            if (segment.End <= cursor)
            {
                continue;
            }

            if (segment.Address >= endExclusive)
            {
                break;
            }

            WriteFill(destination, fillBlock, segment.Address - cursor, cursor < segment.Address);
            var from = Math.Max(cursor, segment.Address);
            var to = Math.Min(endExclusive, segment.End);
            destination.Write(segment.Data.Span.Slice((int)(from - segment.Address), (int)(to - from)));
            cursor = to;
        }

        WriteFill(destination, fillBlock, endExclusive - cursor, cursor < endExclusive);
    }

    private static void WriteFill(Stream destination, byte[] fillBlock, ulong count, bool any)
    {
        if (!any)
        {
            return;
        }

        while (count > 0)
        {
            var chunk = (int)Math.Min(count, (ulong)fillBlock.Length);
            destination.Write(fillBlock, 0, chunk);
            count -= (ulong)chunk;
        }
    }

    /// <summary>Formats records into a reusable buffer and writes it out in large blocks.</summary>
    private sealed class TextOutput(Stream destination)
    {
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _length;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void HexRecord(byte type, ushort offset, ReadOnlySpan<byte> data)
        {
            var line = Reserve(1 + (2 * (5 + data.Length)) + 1);
            line[0] = (byte)':';
            var position = 1;
            var sum = (byte)(data.Length + (offset >> 8) + offset + type);
            Put(line, ref position, (byte)data.Length);
            Put(line, ref position, (byte)(offset >> 8));
            Put(line, ref position, (byte)offset);
            Put(line, ref position, type);
            foreach (var b in data)
            {
                sum += b;
                Put(line, ref position, b);
            }

            Put(line, ref position, (byte)-sum);
            line[position] = (byte)'\n';
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void SRecord(byte type, uint address, int addressLength, ReadOnlySpan<byte> data)
        {
            var count = addressLength + data.Length + 1;
            var line = Reserve(2 + (2 * (1 + count)) + 1);
            line[0] = (byte)'S';
            line[1] = type;
            var position = 2;
            var sum = (byte)count;
            Put(line, ref position, (byte)count);
            for (var shift = (addressLength - 1) * 8; shift >= 0; shift -= 8)
            {
                var b = (byte)(address >> shift);
                sum += b;
                Put(line, ref position, b);
            }

            foreach (var b in data)
            {
                sum += b;
                Put(line, ref position, b);
            }

            Put(line, ref position, (byte)~sum);
            line[position] = (byte)'\n';
        }

        public void Flush()
        {
            destination.Write(_buffer, 0, _length);
            _length = 0;
            destination.Flush();
        }

        private static void Put(Span<byte> line, ref int position, byte value)
        {
            HexDigits.Encode(value, line[position..]);
            position += 2;
        }

        private Span<byte> Reserve(int length)
        {
            if (_length + length > _buffer.Length || _length > FlushThreshold)
            {
                destination.Write(_buffer, 0, _length);
                _length = 0;
            }

            var span = _buffer.AsSpan(_length, length);
            _length += length;
            return span;
        }
    }
}
