using System.Buffers.Binary;

namespace ProdFlash.Emulator.Chips;

/// <summary>
/// Builds a plausible, reproducible 96-bit unique device ID from a seed, in the F1/F4 layout: bytes 0–1 wafer X,
/// 2–3 wafer Y, byte 4 wafer number, bytes 5–11 lot number in ASCII (reference §1, BMP <c>stm32_common.c</c>).
/// </summary>
public static class UniqueDeviceId
{
    /// <summary>Length of the unique ID in bytes.</summary>
    public const int Length = 12;

    private const string LotAlphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";

    /// <summary>Returns the 12 UID bytes for <paramref name="seed"/>; the same seed always gives the same UID.</summary>
    public static byte[] FromSeed(ulong seed)
    {
        var state = seed;
        var uid = new byte[Length];
        BinaryPrimitives.WriteUInt16LittleEndian(uid.AsSpan(0, 2), (ushort)(Next(ref state) % 64)); // wafer X
        BinaryPrimitives.WriteUInt16LittleEndian(uid.AsSpan(2, 2), (ushort)(Next(ref state) % 64)); // wafer Y
        uid[4] = (byte)(1 + (Next(ref state) % 25)); // wafer number 1..25
        for (var i = 5; i < Length; i++)
        {
            uid[i] = (byte)LotAlphabet[(int)(Next(ref state) % (ulong)LotAlphabet.Length)];
        }

        return uid;
    }

    // SplitMix64: a small, well-mixed deterministic generator.
    private static ulong Next(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15;
        var z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }
}
