using System.Runtime.CompilerServices;

namespace ProdFlash.Core.Images;

/// <summary>Table-driven ASCII hex digit decoding and encoding for the text formats.</summary>
internal static class HexDigits
{
    /// <summary>Marks a byte that is not a hex digit in <see cref="Values"/>.</summary>
    public const byte Invalid = 0xFF;

    /// <summary>Upper-case digits for encoding, the form Intel and Motorola documents show.</summary>
    public static ReadOnlySpan<byte> Upper => "0123456789ABCDEF"u8;

    /// <summary>Value of each ASCII byte as a hex digit, or <see cref="Invalid"/>; both cases accepted.</summary>
    public static ReadOnlySpan<byte> Values =>
    [
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    ];

    /// <summary>
    /// Decodes pairs of hex digits from <paramref name="text"/> into <paramref name="destination"/>.
    /// Returns -1 on success, or the 0-based index in <paramref name="text"/> of the first byte that is not a hex digit.
    /// </summary>
    /// <remarks><paramref name="text"/> must have an even length and <paramref name="destination"/> room for half of it.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Decode(ReadOnlySpan<byte> text, Span<byte> destination)
    {
        var values = Values;
        for (int i = 0, j = 0; i < text.Length; i += 2, j++)
        {
            int hi = values[text[i]];
            int lo = values[text[i + 1]];
            if ((hi | lo) > 0xF)
            {
                return hi > 0xF ? i : i + 1;
            }

            destination[j] = (byte)((hi << 4) | lo);
        }

        return -1;
    }

    /// <summary>Writes <paramref name="value"/> as two upper-case hex digits at <paramref name="destination"/>[0..2].</summary>
    public static void Encode(byte value, Span<byte> destination)
    {
        destination[0] = Upper[value >> 4];
        destination[1] = Upper[value & 0xF];
    }

    /// <summary>Describes a byte for an error message: the printable character in quotes, or its code.</summary>
    public static string Describe(byte value) =>
        value is >= 0x21 and < 0x7F ? $"'{(char)value}'" : $"byte 0x{value:X2}";

    /// <summary>
    /// Decodes the hex digits of one record (after its <paramref name="prefixLength"/>-character prefix, ':' or 'Sn')
    /// into <paramref name="record"/>, which holds the longest valid record.
    /// </summary>
    /// <returns>Null and the byte count in <paramref name="pairs"/>, or why the text is not a record (with the column).</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static string? DecodeRecord(ReadOnlySpan<byte> digits, Span<byte> record, int prefixLength, out int pairs)
    {
        pairs = digits.Length / 2;
        var decodable = Math.Min(pairs, record.Length) * 2;
        var bad = Decode(digits[..decodable], record);
        if (bad >= 0)
        {
            return $"{Describe(digits[bad])} at column {bad + prefixLength + 1} is not a hex digit; the file is corrupted, re-export it";
        }

        if (pairs > record.Length)
        {
            return $"the record has {pairs} bytes, more than the longest valid record ({record.Length}); the file is corrupted, re-export it";
        }

        if ((digits.Length & 1) != 0)
        {
            return Values[digits[^1]] == Invalid
                ? $"{Describe(digits[^1])} at column {digits.Length + prefixLength} is not a hex digit; the file is corrupted, re-export it"
                : $"the record has an odd number of hex digits ({digits.Length}); a character is missing or extra, re-export the file";
        }

        return null;
    }
}
