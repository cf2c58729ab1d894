using System.Buffers.Binary;

namespace ProdFlash.Programming.Verify;

/// <summary>
/// The host's copy of what the STM32 CRC unit computes in its reset configuration: polynomial 0x04C11DB7, initial value
/// 0xFFFFFFFF, input fed as 32-bit words (each word read little-endian from memory, then shifted in most-significant
/// bit first), no input or output reflection, no final XOR (RM0008, RM0090; RM0444/RM0351 with CR.REV_IN = 00,
/// REV_OUT = 0, POLYSIZE = 32 bits). This is not zlib's CRC-32 (that one is reflected and inverted).
/// </summary>
/// <remarks>Thread-safe: pure functions over a static table.</remarks>
public static class Stm32Crc
{
    /// <summary>The CRC-32 (Ethernet) polynomial, normal (MSB-first) form.</summary>
    public const uint Polynomial = 0x04C11DB7;

    /// <summary>The CRC unit's reset value of CRC_DR / CRC_INIT.</summary>
    public const uint InitialValue = 0xFFFFFFFF;

    private static readonly uint[] Table = BuildTable();

    /// <summary>The CRC of <paramref name="words"/> (a multiple of 4 bytes, little-endian words) continued from <paramref name="crc"/>.</summary>
    /// <param name="words">The bytes as they sit in target memory.</param>
    /// <param name="crc">The running value: <see cref="InitialValue"/> for a fresh computation, or a previous result to continue it.</param>
    /// <exception cref="ArgumentException">The length is not a multiple of 4.</exception>
    public static uint Compute(ReadOnlySpan<byte> words, uint crc = InitialValue)
    {
        if (words.Length % 4 != 0)
        {
            throw new ArgumentException($"The CRC unit takes whole 32-bit words; {words.Length} bytes is not a multiple of 4.", nameof(words));
        }

        for (var i = 0; i < words.Length; i += 4)
        {
            crc = FeedWord(crc, BinaryPrimitives.ReadUInt32LittleEndian(words.Slice(i, 4)));
        }

        return crc;
    }

    /// <summary>Feeds one 32-bit word, most-significant byte first, as a word write to CRC_DR does.</summary>
    public static uint FeedWord(uint crc, uint word)
    {
        crc ^= word;
        crc = (crc << 8) ^ Table[crc >> 24];
        crc = (crc << 8) ^ Table[crc >> 24];
        crc = (crc << 8) ^ Table[crc >> 24];
        return (crc << 8) ^ Table[crc >> 24];
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i << 24;
            for (var bit = 0; bit < 8; bit++)
            {
                c = (c & 0x80000000) != 0 ? (c << 1) ^ Polynomial : c << 1;
            }

            table[i] = c;
        }

        return table;
    }
}
