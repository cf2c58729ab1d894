using System.Globalization;

namespace ProdFlash.Cli.Commands;

/// <summary>Parses the numbers an engineer types: <c>0x08000000</c>, <c>0x0800_0000</c>, <c>134217728</c>.</summary>
internal static class NumberParsing
{
    /// <summary>Parses a 32-bit address in hex (0x prefix) or decimal; underscores are ignored.</summary>
    public static bool TryParseAddress(string text, out uint value)
    {
        var s = text.Trim().Replace("_", string.Empty, StringComparison.Ordinal);
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return uint.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value) && s.Length > 2;
        }

        return uint.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Parses a byte value in hex (0x prefix) or decimal.</summary>
    public static bool TryParseByte(string text, out byte value)
    {
        value = 0;
        if (!TryParseAddress(text, out var wide) || wide > byte.MaxValue)
        {
            return false;
        }

        value = (byte)wide;
        return true;
    }
}
