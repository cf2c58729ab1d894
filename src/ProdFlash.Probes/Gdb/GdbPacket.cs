using System.Globalization;
using System.Text;

namespace ProdFlash.Probes.Gdb;

/// <summary>
/// Framing of the GDB remote serial protocol (GDB manual, "Overview" of Appendix E Remote Protocol):
/// <c>$payload#cs</c> with the modulo-256 sum of the payload bytes as two lower-case hex digits, <c>}</c> escapes
/// (the next byte XOR 0x20) for <c>$ # } *</c>, and run-length encoding <c>c*n</c> in replies (the byte
/// <c>n</c> minus 29 more copies of <c>c</c>).
/// </summary>
public static class GdbPacket
{
    /// <summary>Start of a packet.</summary>
    public const byte Start = (byte)'$';

    /// <summary>End of the payload; two checksum digits follow.</summary>
    public const byte End = (byte)'#';

    /// <summary>Escape: the next byte is XOR <see cref="EscapeXor"/>.</summary>
    public const byte Escape = (byte)'}';

    /// <summary>Run-length marker in replies.</summary>
    public const byte RunLength = (byte)'*';

    /// <summary>Positive acknowledgement.</summary>
    public const byte Ack = (byte)'+';

    /// <summary>Negative acknowledgement: the receiver asks for a retransmission.</summary>
    public const byte Nak = (byte)'-';

    /// <summary>The out-of-band interrupt (Ctrl-C) that asks a running target to stop.</summary>
    public const byte Interrupt = 0x03;

    /// <summary>The value escaped bytes are XORed with.</summary>
    public const byte EscapeXor = 0x20;

    /// <summary>Run-length counts are this much above the repeat count (GDB manual: "n+29").</summary>
    public const int RunLengthBias = 29;

    /// <summary>The modulo-256 sum of <paramref name="raw"/> (the bytes between <c>$</c> and <c>#</c> as sent).</summary>
    public static byte Checksum(ReadOnlySpan<byte> raw)
    {
        var sum = 0;
        foreach (var b in raw)
        {
            sum += b;
        }

        return (byte)sum;
    }

    /// <summary>Whether <paramref name="b"/> must be escaped inside a packet.</summary>
    public static bool NeedsEscape(byte b) => b is Start or End or Escape or RunLength;

    /// <summary>The number of bytes <paramref name="data"/> takes on the wire once escaped.</summary>
    public static int EscapedLength(ReadOnlySpan<byte> data)
    {
        var length = data.Length;
        foreach (var b in data)
        {
            if (NeedsEscape(b))
            {
                length++;
            }
        }

        return length;
    }

    /// <summary>Appends <paramref name="data"/> to <paramref name="output"/>, escaping <c>$ # } *</c>.</summary>
    public static void AppendEscaped(List<byte> output, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(output);
        foreach (var b in data)
        {
            if (NeedsEscape(b))
            {
                output.Add(Escape);
                output.Add((byte)(b ^ EscapeXor));
            }
            else
            {
                output.Add(b);
            }
        }
    }

    /// <summary>Frames an already escaped payload: <c>$payload#cs</c>.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> escapedPayload)
    {
        var frame = new byte[escapedPayload.Length + 4];
        frame[0] = Start;
        escapedPayload.CopyTo(frame.AsSpan(1));
        frame[^3] = End;
        var checksum = Checksum(escapedPayload);
        frame[^2] = HexDigit(checksum >> 4);
        frame[^1] = HexDigit(checksum & 0xF);
        return frame;
    }

    /// <summary>Frames a text command (which must not contain <c>$ # } *</c>): <c>$text#cs</c>.</summary>
    /// <exception cref="ArgumentException">The text holds a byte that would need escaping, or a non-ASCII character.</exception>
    public static byte[] Frame(string command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var bytes = Encoding.ASCII.GetBytes(command);
        foreach (var b in bytes)
        {
            if (NeedsEscape(b) || b > 0x7E)
            {
                throw new ArgumentException($"The command '{command}' holds a character that must be escaped; build it as binary.", nameof(command));
            }
        }

        return Frame(bytes);
    }

    /// <summary>
    /// Decodes a received payload (the bytes between <c>$</c> and <c>#</c>): undoes <c>}</c> escapes and expands
    /// run-length encoding.
    /// </summary>
    /// <exception cref="FormatException">A run-length marker with nothing before it, an invalid count, or a dangling escape.</exception>
    public static byte[] Decode(ReadOnlySpan<byte> raw)
    {
        var output = new List<byte>(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            var b = raw[i];
            if (b == Escape)
            {
                if (++i >= raw.Length)
                {
                    throw new FormatException("The packet ends inside an escape ('}' is the last byte).");
                }

                output.Add((byte)(raw[i] ^ EscapeXor));
            }
            else if (b == RunLength)
            {
                if (output.Count == 0 || ++i >= raw.Length)
                {
                    throw new FormatException("A run-length marker '*' has no byte to repeat or no count.");
                }

                var repeat = raw[i] - RunLengthBias;
                if (repeat < 0 || raw[i] > 126)
                {
                    throw new FormatException(string.Create(CultureInfo.InvariantCulture, $"Run-length count byte 0x{raw[i]:X2} is out of range."));
                }

                var previous = output[^1];
                for (var r = 0; r < repeat; r++)
                {
                    output.Add(previous);
                }
            }
            else
            {
                output.Add(b);
            }
        }

        return [.. output];
    }

    /// <summary>Lower-case hex of <paramref name="data"/> (the encoding of <c>m</c>/<c>M</c> data and <c>qRcmd</c>).</summary>
    public static string ToHex(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(data);

    /// <summary>Parses hex digits into bytes.</summary>
    /// <exception cref="FormatException">Odd length or a non-hex character.</exception>
    public static byte[] FromHex(ReadOnlySpan<char> hex) =>
        hex.Length % 2 == 0 ? Convert.FromHexString(hex) : throw new FormatException($"Odd number of hex digits ({hex.Length}).");

    /// <summary>Whether every character of <paramref name="text"/> is a hex digit.</summary>
    public static bool IsHex(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The value of one hex digit byte, or -1.</summary>
    public static int HexValue(byte digit) => digit switch
    {
        >= (byte)'0' and <= (byte)'9' => digit - '0',
        >= (byte)'a' and <= (byte)'f' => digit - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => digit - 'A' + 10,
        _ => -1,
    };

    private static byte HexDigit(int value) => (byte)"0123456789abcdef"[value];
}
