namespace ProdFlash.Core.Images;

/// <summary>Reads firmware image files (Intel HEX, S-record, ELF, raw binary) into a <see cref="MemoryImage"/>.</summary>
/// <remarks>
/// <para>
/// Text formats are parsed line by line from a buffered stream, so memory follows the image size, not the file size.
/// Bad content of any kind throws <see cref="ImageParseException"/> naming the file, the line or offset and the fault;
/// I/O failures (missing file, no permission) stay <see cref="IOException"/> and
/// <see cref="UnauthorizedAccessException"/>. Stateless and thread-safe.
/// </para>
/// <para>
/// Rules common to all formats: records may come in any order; records that overlap with identical bytes are
/// accepted, with different bytes rejected; data past 4 GiB is rejected; a file that yields no data (empty, blank,
/// or only header/end records) is rejected, since there is nothing to program. Text: hex digits in either case, LF or
/// CRLF, trailing blanks and blank lines ignored, lines over 16 KiB rejected. Intel HEX: the end-of-file record is
/// required and only blank lines may follow it; type 02 addressing wraps inside its 64 KiB segment, type 04 does
/// not. S-record: the last record must be a count (S5/S6) or termination (S7–S9) record, nothing may follow S7–S9,
/// S5/S6 counts are checked, and a termination address of 0 means no entry point. ELF: 32-bit little-endian ARM
/// executables only; PT_LOAD p_filesz bytes at p_paddr; e_entry 0 means no entry point.
/// </para>
/// </remarks>
public static class ImageReader
{
    private const ulong AddressSpaceEnd = 1UL << 32;

    /// <summary>Reads the image file at <paramref name="path"/>.</summary>
    /// <param name="path">The file to read.</param>
    /// <param name="format">The format, or null to take it from the file extension (see <see cref="ImageFormats.FromExtension"/>).</param>
    /// <param name="baseAddress">The load address of a raw binary; required for <see cref="ImageFormat.Binary"/>, refused for the others.</param>
    /// <exception cref="ImageParseException">The format is unknown, the base address is missing or superfluous, or the content is bad.</exception>
    /// <exception cref="IOException">The file cannot be opened or read.</exception>
    public static MemoryImage ReadFile(string path, ImageFormat? format = null, uint? baseAddress = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var fileName = Path.GetFileName(path);
        var resolved = format ?? ImageFormats.FromExtension(path)
            ?? throw new ImageParseException(fileName, null, null, $"the extension '{Path.GetExtension(path)}' does not say which format the file is; name the format (hex, srec, elf or bin)");
        // The text readers buffer for themselves; ELFSharp makes many small reads and gets a FileStream buffer.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: resolved == ImageFormat.Elf ? 4096 : 1, FileOptions.SequentialScan);
        return Read(stream, fileName, resolved, baseAddress);
    }

    /// <summary>Reads an image of <paramref name="format"/> from <paramref name="stream"/>, which is left open.</summary>
    /// <param name="stream">The content, read from its current position to its end.</param>
    /// <param name="fileName">The name used in error messages.</param>
    /// <param name="format">The format of the content.</param>
    /// <param name="baseAddress">The load address of a raw binary; required for <see cref="ImageFormat.Binary"/>, refused for the others.</param>
    /// <exception cref="ImageParseException">The base address is missing or superfluous, or the content is bad.</exception>
    public static MemoryImage Read(Stream stream, string fileName, ImageFormat format, uint? baseAddress = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(fileName);
        if (format == ImageFormat.Binary && baseAddress is null)
        {
            throw new ImageParseException(fileName, null, null, "a raw binary holds no addresses; give the address its first byte belongs at (e.g. 0x08000000 for STM32 flash)");
        }

        if (format != ImageFormat.Binary && baseAddress is not null)
        {
            throw new ImageParseException(fileName, null, null, $"a base address only applies to a raw binary; {format} files carry their own addresses, leave the base address out");
        }

        return format switch
        {
            ImageFormat.IntelHex => IntelHexReader.Read(stream, fileName, RemainingLength(stream) / 2),
            ImageFormat.SRecord => SRecordReader.Read(stream, fileName, RemainingLength(stream) / 2),
            ImageFormat.Elf => ReadElf(stream, fileName),
            ImageFormat.Binary => ReadBinary(stream, fileName, baseAddress.GetValueOrDefault()),
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Not an image format."),
        };
    }

    private static long RemainingLength(Stream stream) => stream.CanSeek ? Math.Max(0, stream.Length - stream.Position) : 0;

    private static MemoryImage ReadElf(Stream stream, string fileName)
    {
        if (stream.CanSeek && stream.Position == 0)
        {
            return ElfImageReader.Read(stream, fileName);
        }

        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        copy.Position = 0;
        return ElfImageReader.Read(copy, fileName);
    }

    private static MemoryImage ReadBinary(Stream stream, string fileName, uint baseAddress)
    {
        var room = AddressSpaceEnd - baseAddress;
        var builder = new SegmentBuilder(RemainingLength(stream));
        var buffer = new byte[64 * 1024];
        long offset = 0;
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            if ((ulong)(offset + read) > room)
            {
                throw new ImageParseException(fileName, null, (long)room, $"the file is longer than the {room} bytes between 0x{baseAddress:X8} and the end of the 4 GiB address space; check the base address");
            }

            if (builder.TryAdd(baseAddress + (ulong)offset, buffer.AsSpan(0, read), out _) == AddResult.TooLarge)
            {
                throw new ImageParseException(fileName, null, offset, "the file is larger than 2 GiB; no microcontroller image is this large");
            }

            offset += read;
        }

        if (offset == 0)
        {
            throw new ImageParseException(fileName, null, 0, "the file is empty; there is nothing to program");
        }

        return builder.Build(null);
    }
}
