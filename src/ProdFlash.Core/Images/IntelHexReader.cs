using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace ProdFlash.Core.Images;

/// <summary>
/// Reads Intel HEX (Intel, "Hexadecimal Object File Format Specification", Rev. A, 1988): record types 00–05,
/// checksums, segment (02) and linear (04) extended addressing, start addresses (03, 05).
/// </summary>
/// <remarks>
/// Decisions where the specification leaves room: hex digits in either case; LF or CRLF line ends; trailing spaces and
/// blank lines anywhere are ignored; the end-of-file record (01) is required (a file without one is reported as
/// truncated) and only blank lines may follow it; a file with no data records is an error (nothing to program).
/// Before any 02/04 record, addresses are 16-bit offsets in segment 0 (the 8-bit format).
/// </remarks>
internal static class IntelHexReader
{
    // Record types, Intel HEX specification section 3.
    private const byte DataRecord = 0x00;
    private const byte EndOfFileRecord = 0x01;
    private const byte ExtendedSegmentAddressRecord = 0x02;
    private const byte StartSegmentAddressRecord = 0x03;
    private const byte ExtendedLinearAddressRecord = 0x04;
    private const byte StartLinearAddressRecord = 0x05;

    // Byte count, two address bytes, record type, checksum.
    private const int RecordOverhead = 5;
    private const int MaxRecordBytes = RecordOverhead + 255;
    private const ulong SegmentSize = 0x1_0000;
    private const ulong AddressSpaceEnd = 1UL << 32;

    /// <summary>Reads an Intel HEX stream into an image.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static MemoryImage Read(Stream stream, string fileName, long capacityHint)
    {
        var lines = new LineReader(stream, fileName);
        var builder = new SegmentBuilder(capacityHint);
        Span<byte> record = stackalloc byte[MaxRecordBytes];
        ulong segmentBase = 0;
        var linear = false;
        uint? entryPoint = null;
        var endOfFile = false;
        var anyLine = false;

        while (lines.TryReadLine(out var line))
        {
            if (line.IsEmpty)
            {
                continue;
            }

            anyLine = true;
            var lineNumber = lines.LineNumber;
            if (endOfFile)
            {
                throw Error(fileName, lineNumber, "there is more after the end-of-file record (type 01); two files may have been joined, export one complete file");
            }

            if (line[0] != (byte)':')
            {
                throw Error(fileName, lineNumber, $"a record must start with ':' but this line starts with {HexDigits.Describe(line[0])}; this is not an Intel HEX file or it is damaged");
            }

            var length = DecodeRecord(line[1..], record, fileName, lineNumber);
            var bytes = record[..length];
            var count = bytes[0];
            var offset = BinaryPrimitives.ReadUInt16BigEndian(bytes[1..]);
            var type = bytes[3];
            var data = bytes.Slice(4, count);

            switch (type)
            {
                case DataRecord:
                    if (linear)
                    {
                        var address = segmentBase + offset;
                        if (address + count > AddressSpaceEnd)
                        {
                            throw Error(fileName, lineNumber, $"the record's {count} bytes at 0x{address:X8} run past the 4 GiB address space; the file is corrupted, re-export it");
                        }

                        Add(builder, address, data, fileName, lineNumber);
                    }
                    else
                    {
                        // Segment addressing wraps inside the 64 KiB segment: (SBA*16 + (offset + i) mod 64K), spec section 3.
                        var first = (int)Math.Min((ulong)count, SegmentSize - offset);
                        Add(builder, segmentBase + offset, data[..first], fileName, lineNumber);
                        Add(builder, segmentBase, data[first..], fileName, lineNumber);
                    }

                    break;

                case EndOfFileRecord:
                    ExpectLength(count, 0, "an end-of-file", fileName, lineNumber);
                    endOfFile = true;
                    break;

                case ExtendedSegmentAddressRecord:
                    ExpectLength(count, 2, "an extended segment address", fileName, lineNumber);
                    segmentBase = (ulong)BinaryPrimitives.ReadUInt16BigEndian(data) << 4;
                    linear = false;
                    break;

                case StartSegmentAddressRecord:
                    ExpectLength(count, 4, "a start segment address", fileName, lineNumber);
                    var codeSegment = BinaryPrimitives.ReadUInt16BigEndian(data);
                    var instructionPointer = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
                    entryPoint = SetEntry(entryPoint, (uint)((codeSegment << 4) + instructionPointer), fileName, lineNumber);
                    break;

                case ExtendedLinearAddressRecord:
                    ExpectLength(count, 2, "an extended linear address", fileName, lineNumber);
                    segmentBase = (ulong)BinaryPrimitives.ReadUInt16BigEndian(data) << 16;
                    linear = true;
                    break;

                case StartLinearAddressRecord:
                    ExpectLength(count, 4, "a start linear address", fileName, lineNumber);
                    entryPoint = SetEntry(entryPoint, BinaryPrimitives.ReadUInt32BigEndian(data), fileName, lineNumber);
                    break;

                default:
                    throw Error(fileName, lineNumber, $"record type 0x{type:X2} is not an Intel HEX type (00–05); the file is corrupted or uses an extension we do not read");
            }
        }

        if (!anyLine)
        {
            throw Error(fileName, null, "the file is empty; export the firmware image again");
        }

        if (!endOfFile)
        {
            throw Error(fileName, lines.LineNumber, "the file ends without an end-of-file record (:00000001FF); it is truncated, copy or export it again");
        }

        if (builder.TotalBytes == 0)
        {
            throw Error(fileName, null, "the file has no data records; there is nothing to program");
        }

        return builder.Build(entryPoint);
    }

    /// <summary>Decodes the hex digits after ':' into <paramref name="record"/>, checks length and checksum; returns the byte count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int DecodeRecord(ReadOnlySpan<byte> digits, Span<byte> record, string fileName, long lineNumber)
    {
        if (HexDigits.DecodeRecord(digits, record, prefixLength: 1, out var pairs) is { } reason)
        {
            throw Error(fileName, lineNumber, reason);
        }

        if (pairs < RecordOverhead)
        {
            throw Error(fileName, lineNumber, $"the record has {pairs} bytes, fewer than the {RecordOverhead} every record needs; it is truncated, re-export the file");
        }

        var count = record[0];
        if (pairs != count + RecordOverhead)
        {
            throw Error(fileName, lineNumber, $"the length byte says {count} data bytes but the record holds {pairs - RecordOverhead}; the file is corrupted, re-export it");
        }

        byte sum = 0;
        foreach (var b in record[..(pairs - 1)])
        {
            sum += b;
        }

        var expected = (byte)-sum;
        var actual = record[pairs - 1];
        if (actual != expected)
        {
            throw Error(fileName, lineNumber, $"checksum is 0x{actual:X2} but the record's bytes give 0x{expected:X2}; the file is corrupted, re-export it");
        }

        return pairs;
    }

    private static void Add(SegmentBuilder builder, ulong address, ReadOnlySpan<byte> data, string fileName, long lineNumber)
    {
        switch (builder.TryAdd(address, data, out var conflict))
        {
            case AddResult.Conflict:
                throw Error(fileName, lineNumber, $"the record puts different data at 0x{conflict:X8} than an earlier record; the file has conflicting overlapping records, fix the build that merged them");
            case AddResult.TooLarge:
                throw Error(fileName, lineNumber, $"the contiguous block reaching 0x{address:X8} is larger than 2 GiB; no microcontroller image is this large");
        }
    }

    private static void ExpectLength(byte count, int expected, string name, string fileName, long lineNumber)
    {
        if (count != expected)
        {
            throw Error(fileName, lineNumber, $"{name} record must hold {expected} data bytes but holds {count}; the file is corrupted, re-export it");
        }
    }

    private static uint SetEntry(uint? existing, uint entry, string fileName, long lineNumber)
    {
        if (existing is { } previous && previous != entry)
        {
            throw Error(fileName, lineNumber, $"start address 0x{entry:X8} contradicts the earlier start address 0x{previous:X8}; keep one start address record");
        }

        return entry;
    }

    private static ImageParseException Error(string fileName, long? lineNumber, string reason) => new(fileName, lineNumber, null, reason);
}
