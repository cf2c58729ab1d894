namespace ProdFlash.Core.Serialization;

/// <summary>
/// CRC-32 as IEEE 802.3, zlib's <c>crc32</c> and the <c>crc32</c> tool compute it: reflected polynomial 0xEDB88320,
/// initial value 0xFFFFFFFF, final XOR 0xFFFFFFFF. Check value: "123456789" → 0xCBF43926.
/// </summary>
public static class Crc32
{
    /// <summary>The reflected form of the IEEE 802.3 polynomial 0x04C11DB7.</summary>
    public const uint ReflectedPolynomial = 0xEDB88320;

    private static readonly uint[] s_table = BuildTable();

    /// <summary>The CRC-32 of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => ~Append(0xFFFFFFFF, data);

    /// <summary>
    /// Continues a running register (start with 0xFFFFFFFF; complement the result to finish), so a CRC can be
    /// computed over pieces.
    /// </summary>
    public static uint Append(uint register, ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            register = s_table[(register ^ b) & 0xFF] ^ (register >> 8);
        }

        return register;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? ReflectedPolynomial ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
