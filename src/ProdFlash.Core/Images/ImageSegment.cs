namespace ProdFlash.Core.Images;

/// <summary>A contiguous run of bytes at a target address.</summary>
/// <param name="Address">The target address of the first byte.</param>
/// <param name="Data">The bytes; never empty inside a <see cref="MemoryImage"/>.</param>
public sealed record ImageSegment(uint Address, ReadOnlyMemory<byte> Data)
{
    /// <summary>Number of bytes in the segment.</summary>
    public int Length => Data.Length;

    /// <summary>One past the last address (may be 2^32 for a segment that ends at the top of the address space).</summary>
    public ulong End => (ulong)Address + (ulong)Data.Length;

    /// <summary>Whether <paramref name="address"/> lies inside this segment.</summary>
    public bool Contains(ulong address) => address >= Address && address < End;
}
