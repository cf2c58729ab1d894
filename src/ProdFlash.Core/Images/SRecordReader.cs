using System.Runtime.CompilerServices;

namespace ProdFlash.Core.Images;

/// <summary>
/// Reads Motorola S-records (Motorola M68000 Family Programmer's Reference Manual, appendix C; srec(5)):
/// S0 header, S1/S2/S3 data with 16/24/32-bit addresses, S5/S6 record counts, S7/S8/S9 start address and termination.
/// </summary>
/// <remarks>
/// Decisions: hex digits in either case; LF or CRLF; trailing spaces and blank lines ignored; a termination record
/// (S7/S8/S9) is optional (srec_cat leaves it out when there is no start address) but only blank lines may follow
/// one; the last record must be a count (S5/S6) or termination record, so a file cut at a line boundary is reported as
/// truncated (srec_cat always writes S5, objcopy always writes S7); an S5/S6 count must equal the number of S1–S3
/// records before it; a termination address of 0 means "no start address"
/// (srec_cat and objcopy write 0 when there is none, and 0 is never a Cortex-M entry: the vector table's initial stack
/// pointer lives there and Thumb entry addresses are odd); a file with no data records is an error.
/// </remarks>
internal static class SRecordReader
{
    // Count byte + 255 bytes it counts (address, data, checksum).
    private const int MaxRecordBytes = 256;
    private const ulong AddressSpaceEnd = 1UL << 32;

    /// <summary>Reads an S-record stream into an image.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static MemoryImage Read(Stream stream, string fileName, long capacityHint)
    {
        var lines = new LineReader(stream, fileName);
        var builder = new SegmentBuilder(capacityHint);
        Span<byte> record = stackalloc byte[MaxRecordBytes];
        uint? entryPoint = null;
        var terminated = false;
        var anyLine = false;
        long dataRecords = 0;
        var lastClosesFile = false;

        while (lines.TryReadLine(out var line))
        {
            if (line.IsEmpty)
            {
                continue;
            }

            anyLine = true;
            var lineNumber = lines.LineNumber;
            if (terminated)
            {
                throw Error(fileName, lineNumber, "there is more after the termination record (S7/S8/S9); two files may have been joined, export one complete file");
            }

            if (line[0] != (byte)'S')
            {
                throw Error(fileName, lineNumber, $"a record must start with 'S' but this line starts with {HexDigits.Describe(line[0])}; this is not an S-record file or it is damaged");
            }

            if (line.Length < 2 || line[1] is < (byte)'0' or > (byte)'9' || line[1] == (byte)'4')
            {
                var what = line.Length < 2 ? "nothing" : HexDigits.Describe(line[1]);
                throw Error(fileName, lineNumber, $"the record type after 'S' is {what}, not one of S0–S3, S5–S9; the file is corrupted, re-export it");
            }

            var type = line[1] - '0';
            var addressLength = type switch
            {
                0 or 1 or 5 or 9 => 2,
                2 or 6 or 8 => 3,
                _ => 4,
            };
            var length = DecodeRecord(line[2..], record, addressLength, fileName, lineNumber);
            var address = 0u;
            for (var i = 1; i <= addressLength; i++)
            {
                address = (address << 8) | record[i];
            }

            var data = record[(1 + addressLength)..(length - 1)];
            lastClosesFile = type >= 5;
            switch (type)
            {
                case 0:
                    break;

                case 1:
                case 2:
                case 3:
                    if ((ulong)address + (ulong)data.Length > AddressSpaceEnd)
                    {
                        throw Error(fileName, lineNumber, $"the record's {data.Length} bytes at 0x{address:X8} run past the 4 GiB address space; the file is corrupted, re-export it");
                    }

                    Add(builder, address, data, fileName, lineNumber);
                    dataRecords++;
                    break;

                case 5:
                case 6:
                    ExpectNoData(data, type, fileName, lineNumber);
                    if (address != dataRecords)
                    {
                        throw Error(fileName, lineNumber, $"the S{type} count record says {address} data records but {dataRecords} came before it; records are missing or extra, re-export the file");
                    }

                    break;

                default:
                    ExpectNoData(data, type, fileName, lineNumber);
                    entryPoint = address == 0 ? null : address;
                    terminated = true;
                    break;
            }
        }

        if (!anyLine)
        {
            throw Error(fileName, null, "the file is empty; export the firmware image again");
        }

        if (!lastClosesFile)
        {
            throw Error(fileName, lines.LineNumber, "the file ends without a count (S5/S6) or termination (S7/S8/S9) record; it is truncated, copy or export it again");
        }

        if (builder.TotalBytes == 0)
        {
            throw Error(fileName, null, "the file has no data records (S1–S3); there is nothing to program");
        }

        return builder.Build(entryPoint);
    }

    /// <summary>Decodes the hex digits after 'Sn', checks the count byte and checksum; returns the decoded byte count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static int DecodeRecord(ReadOnlySpan<byte> digits, Span<byte> record, int addressLength, string fileName, long lineNumber)
    {
        if (HexDigits.DecodeRecord(digits, record, prefixLength: 2, out var pairs) is { } reason)
        {
            throw Error(fileName, lineNumber, reason);
        }

        var minimum = 1 + addressLength + 1;
        if (pairs < minimum)
        {
            throw Error(fileName, lineNumber, $"the record has {pairs} bytes, fewer than the {minimum} (count, {addressLength}-byte address, checksum) it needs; it is truncated, re-export the file");
        }

        var count = record[0];
        if (pairs != count + 1)
        {
            throw Error(fileName, lineNumber, $"the count byte says {count} bytes follow but the record holds {pairs - 1}; the file is corrupted, re-export it");
        }

        byte sum = 0;
        foreach (var b in record[..(pairs - 1)])
        {
            sum += b;
        }

        // The checksum is the ones' complement of the low byte of the sum of count, address and data bytes.
        var expected = (byte)~sum;
        var actual = record[pairs - 1];
        if (actual != expected)
        {
            throw Error(fileName, lineNumber, $"checksum is 0x{actual:X2} but the record's bytes give 0x{expected:X2}; the file is corrupted, re-export it");
        }

        return pairs;
    }

    private static void ExpectNoData(ReadOnlySpan<byte> data, int type, string fileName, long lineNumber)
    {
        if (!data.IsEmpty)
        {
            throw Error(fileName, lineNumber, $"an S{type} record carries no data but this one has {data.Length} extra bytes; the file is corrupted, re-export it");
        }
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

    private static ImageParseException Error(string fileName, long? lineNumber, string reason) => new(fileName, lineNumber, null, reason);
}
