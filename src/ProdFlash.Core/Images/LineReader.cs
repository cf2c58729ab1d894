using System.Runtime.CompilerServices;

namespace ProdFlash.Core.Images;

/// <summary>
/// Reads text lines as byte spans from a stream through one fixed buffer: no per-line allocation, memory independent
/// of the file size. A line ends at LF; a CR before it and trailing spaces or tabs are trimmed.
/// </summary>
/// <remarks>A span returned by <see cref="TryReadLine"/> is valid only until the next call. Not thread-safe.</remarks>
internal sealed class LineReader
{
    /// <summary>The longest line accepted; far longer than any valid HEX (521) or S-record (514) line.</summary>
    public const int MaxLineLength = 16 * 1024;

    private const int BufferSize = 64 * 1024;

    private readonly Stream _stream;
    private readonly string _fileName;
    private readonly byte[] _buffer = new byte[BufferSize];
    private int _start;
    private int _end;
    private bool _endOfStream;

    /// <summary>Creates a reader over <paramref name="stream"/>; <paramref name="fileName"/> names it in errors.</summary>
    public LineReader(Stream stream, string fileName)
    {
        _stream = stream;
        _fileName = fileName;
    }

    /// <summary>1-based number of the line last returned (0 before the first).</summary>
    public long LineNumber { get; private set; }

    /// <summary>Total bytes consumed so far.</summary>
    public long BytesRead { get; private set; }

    /// <summary>Reads the next line, trimmed of its terminator and trailing whitespace; false at the end of the stream.</summary>
    /// <exception cref="ImageParseException">A line is longer than <see cref="MaxLineLength"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool TryReadLine(out ReadOnlySpan<byte> line)
    {
        while (true)
        {
            var pending = _buffer.AsSpan(_start, _end - _start);
            var newline = pending.IndexOf((byte)'\n');
            if (newline >= 0)
            {
                line = Trim(pending[..newline]);
                _start += newline + 1;
                BytesRead += newline + 1;
                LineNumber++;
                return true;
            }

            if (pending.Length > MaxLineLength)
            {
                throw new ImageParseException(_fileName, LineNumber + 1, null, $"the line is longer than {MaxLineLength} characters, far longer than any record; this is not a text image file");
            }

            if (_endOfStream)
            {
                if (pending.Length == 0)
                {
                    line = default;
                    return false;
                }

                line = Trim(pending);
                _start = _end;
                BytesRead += pending.Length;
                LineNumber++;
                return true;
            }

            if (_start > 0)
            {
                pending.CopyTo(_buffer);
                _end = pending.Length;
                _start = 0;
            }

            var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (read == 0)
            {
                _endOfStream = true;
            }

            _end += read;
        }
    }

    private static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> line) => line.TrimEnd(" \t\r"u8);
}
