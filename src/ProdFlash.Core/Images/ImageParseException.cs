namespace ProdFlash.Core.Images;

/// <summary>
/// A firmware image file could not be read: it names the file, the line (text formats) or byte offset (ELF, binary)
/// and, in one sentence, what was wrong and what to do.
/// </summary>
/// <remarks>The readers throw nothing else for bad content, however broken; I/O failures stay <see cref="IOException"/>.</remarks>
public sealed class ImageParseException : Exception
{
    /// <summary>Creates the exception; the message is built from the location and <paramref name="reason"/>.</summary>
    /// <param name="fileName">The file name as the user knows it.</param>
    /// <param name="line">1-based line number in a text format, or null.</param>
    /// <param name="offset">Byte offset in the file (ELF, binary), or null.</param>
    /// <param name="reason">What was wrong and what to do, without the location.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public ImageParseException(string fileName, long? line, long? offset, string reason, Exception? innerException = null)
        : base(Format(fileName, line, offset, reason), innerException)
    {
        FileName = fileName;
        Line = line;
        Offset = offset;
        Reason = reason;
    }

    /// <summary>The file name as the user knows it.</summary>
    public string FileName { get; }

    /// <summary>1-based line number of the offending record in a text format, or null.</summary>
    public long? Line { get; }

    /// <summary>Byte offset in the file of the offending structure (ELF, binary), or null.</summary>
    public long? Offset { get; }

    /// <summary>What was wrong and what to do, without the location.</summary>
    public string Reason { get; }

    private static string Format(string fileName, long? line, long? offset, string reason)
    {
        if (line is { } l)
        {
            return $"{fileName} line {l}: {reason}";
        }

        return offset is { } o ? $"{fileName} at offset 0x{o:X}: {reason}" : $"{fileName}: {reason}";
    }
}
