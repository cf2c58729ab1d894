using System.Buffers.Binary;

namespace ProdFlash.Emulator.Chips;

/// <summary>
/// A NOR flash array: erasing sets bytes to 0xFF, programming can only clear bits, and stuck bits keep their value
/// whatever is done to them. Knows nothing about controllers, keys or timing.
/// </summary>
/// <remarks>Not thread-safe; owned by one chip model.</remarks>
public sealed class NorFlashArray
{
    /// <summary>Value of an erased byte.</summary>
    public const byte ErasedByte = 0xFF;

    private readonly byte[] _cells;
    private readonly Dictionary<int, (byte Mask, byte Value)> _stuck = [];

    /// <summary>Creates an erased array of <paramref name="size"/> bytes.</summary>
    public NorFlashArray(int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        _cells = new byte[size];
        Array.Fill(_cells, ErasedByte);
    }

    /// <summary>Size in bytes.</summary>
    public int Size => _cells.Length;

    /// <summary>The current contents (stuck bits applied).</summary>
    public ReadOnlySpan<byte> Contents => _cells;

    /// <summary>Makes bit <paramref name="bit"/> of byte <paramref name="offset"/> read <paramref name="value"/> from now on.</summary>
    public void SetStuckBit(int offset, int bit, bool value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(offset, _cells.Length);
        ArgumentOutOfRangeException.ThrowIfNegative(bit);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bit, 7);
        var mask = (byte)(1 << bit);
        _stuck.TryGetValue(offset, out var existing);
        var stuckValue = value ? (byte)(existing.Value | mask) : (byte)(existing.Value & ~mask);
        _stuck[offset] = ((byte)(existing.Mask | mask), stuckValue);
        ApplyStuck(offset);
    }

    /// <summary>Reads a little-endian item of 1, 2 or 4 bytes at <paramref name="offset"/>.</summary>
    public uint Read(int offset, int size) => size switch
    {
        1 => _cells[offset],
        2 => BinaryPrimitives.ReadUInt16LittleEndian(_cells.AsSpan(offset, 2)),
        4 => BinaryPrimitives.ReadUInt32LittleEndian(_cells.AsSpan(offset, 4)),
        _ => throw new ArgumentOutOfRangeException(nameof(size), size, "Item size must be 1, 2 or 4 bytes."),
    };

    /// <summary>Reads the little-endian half-word at <paramref name="offset"/>.</summary>
    public ushort ReadHalfWord(int offset) => BinaryPrimitives.ReadUInt16LittleEndian(_cells.AsSpan(offset, 2));

    /// <summary>Programs a half-word: each cell keeps only the bits that are 1 in both old and new value.</summary>
    public void ProgramHalfWord(int offset, ushort value)
    {
        var old = ReadHalfWord(offset);
        BinaryPrimitives.WriteUInt16LittleEndian(_cells.AsSpan(offset, 2), (ushort)(old & value));
        ApplyStuck(offset);
        ApplyStuck(offset + 1);
    }

    /// <summary>Programs <paramref name="data"/> at <paramref name="offset"/>: each cell keeps only the bits that are 1 in both old and new value.</summary>
    public void Program(int offset, ReadOnlySpan<byte> data)
    {
        for (var i = 0; i < data.Length; i++)
        {
            _cells[offset + i] &= data[i];
            ApplyStuck(offset + i);
        }
    }

    /// <summary>Whether the <paramref name="length"/> bytes from <paramref name="offset"/> are all erased (0xFF).</summary>
    public bool IsErased(int offset, int length) => !_cells.AsSpan(offset, length).ContainsAnyExcept(ErasedByte);

    /// <summary>Erases <paramref name="length"/> bytes from <paramref name="offset"/> to 0xFF.</summary>
    public void Erase(int offset, int length)
    {
        _cells.AsSpan(offset, length).Fill(ErasedByte);
        foreach (var stuckOffset in _stuck.Keys)
        {
            if (stuckOffset >= offset && stuckOffset < offset + length)
            {
                ApplyStuck(stuckOffset);
            }
        }
    }

    /// <summary>Erases the whole array.</summary>
    public void EraseAll() => Erase(0, _cells.Length);

    private void ApplyStuck(int offset)
    {
        if (_stuck.TryGetValue(offset, out var stuck))
        {
            _cells[offset] = (byte)((_cells[offset] & ~stuck.Mask) | (stuck.Value & stuck.Mask));
        }
    }
}
