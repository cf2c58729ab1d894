using System.Buffers.Binary;

namespace ProdFlash.Emulator.Chips;

/// <summary>Byte-lane arithmetic of the chip models' memory arrays and 32-bit registers (AHB is little-endian).</summary>
internal static class BusBytes
{
    /// <summary>Whether the <paramref name="size"/>-byte access at <paramref name="address"/> lies inside [start, start + length).</summary>
    public static bool InRange(uint address, int size, uint start, int length) =>
        address >= start && (ulong)address + (ulong)size <= (ulong)start + (ulong)length;

    /// <summary>Reads 1, 2 or 4 bytes little-endian from <paramref name="memory"/>.</summary>
    public static uint ReadLittleEndian(byte[] memory, int offset, int size) => size switch
    {
        1 => memory[offset],
        2 => BinaryPrimitives.ReadUInt16LittleEndian(memory.AsSpan(offset, 2)),
        _ => BinaryPrimitives.ReadUInt32LittleEndian(memory.AsSpan(offset, 4)),
    };

    /// <summary>Writes 1, 2 or 4 bytes little-endian into <paramref name="memory"/>.</summary>
    public static void WriteLittleEndian(byte[] memory, int offset, int size, uint value)
    {
        switch (size)
        {
            case 1:
                memory[offset] = (byte)value;
                break;
            case 2:
                BinaryPrimitives.WriteUInt16LittleEndian(memory.AsSpan(offset, 2), (ushort)value);
                break;
            default:
                BinaryPrimitives.WriteUInt32LittleEndian(memory.AsSpan(offset, 4), value);
                break;
        }
    }

    /// <summary>Takes the <paramref name="size"/> bytes at <paramref name="address"/> out of the aligned word holding them.</summary>
    public static uint Extract(uint word, uint address, int size)
    {
        var shifted = word >> (int)(8 * (address & 3));
        return size == 4 ? shifted : shifted & ((1u << (8 * size)) - 1);
    }

    /// <summary>Merges a sub-word write into the aligned word holding it.</summary>
    public static uint Merge(uint word, uint address, int size, uint value)
    {
        var shift = (int)(8 * (address & 3));
        var mask = ((1u << (8 * size)) - 1) << shift;
        return (word & ~mask) | ((value << shift) & mask);
    }
}
