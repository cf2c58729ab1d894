using System.Buffers.Binary;

namespace ProdFlash.Core.Targets;

/// <summary>Width of one access on the target bus.</summary>
public enum AccessWidth
{
    /// <summary>8-bit access.</summary>
    Byte = 1,

    /// <summary>16-bit access (half-word).</summary>
    HalfWord = 2,

    /// <summary>32-bit access (word).</summary>
    Word = 4,
}

/// <summary>Access to the target's memory map through the debug port.</summary>
/// <remarks>
/// Not thread-safe: one runner owns one probe and therefore one target. Implementations split transfers as the
/// probe needs (alignment, auto-increment boundary, per-command maximum); callers pass whole ranges.
/// Failures are <see cref="TargetException"/>; a bus fault is <see cref="TargetMemoryFaultException"/>.
/// </remarks>
public interface ITargetMemory
{
    /// <summary>Reads <paramref name="destination"/>.Length bytes starting at <paramref name="address"/>.</summary>
    /// <param name="address">First target address.</param>
    /// <param name="destination">Receives the bytes, in target (little-endian) order.</param>
    /// <param name="width">The preferred bus access width; unaligned head and tail bytes are read as bytes.</param>
    /// <param name="cancellationToken">Cancels between probe transactions.</param>
    ValueTask ReadAsync(uint address, Memory<byte> destination, AccessWidth width, CancellationToken cancellationToken);

    /// <summary>Writes <paramref name="source"/> starting at <paramref name="address"/>.</summary>
    /// <param name="address">First target address.</param>
    /// <param name="source">The bytes, in target (little-endian) order.</param>
    /// <param name="width">The bus access width; unaligned head and tail bytes are written as bytes.</param>
    /// <param name="cancellationToken">Cancels between probe transactions.</param>
    ValueTask WriteAsync(uint address, ReadOnlyMemory<byte> source, AccessWidth width, CancellationToken cancellationToken);
}

/// <summary>Single-register helpers over <see cref="ITargetMemory"/>.</summary>
public static class TargetMemoryExtensions
{
    /// <summary>Reads one aligned 32-bit word (little-endian on the bus).</summary>
    public static async ValueTask<uint> ReadUInt32Async(this ITargetMemory memory, uint address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(memory);
        var buffer = new byte[4];
        await memory.ReadAsync(address, buffer, AccessWidth.Word, cancellationToken).ConfigureAwait(false);
        return BinaryPrimitives.ReadUInt32LittleEndian(buffer);
    }

    /// <summary>Writes one aligned 32-bit word (little-endian on the bus).</summary>
    public static ValueTask WriteUInt32Async(this ITargetMemory memory, uint address, uint value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(memory);
        var buffer = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, value);
        return memory.WriteAsync(address, buffer, AccessWidth.Word, cancellationToken);
    }

    /// <summary>Reads one aligned 16-bit half-word (little-endian on the bus).</summary>
    public static async ValueTask<ushort> ReadUInt16Async(this ITargetMemory memory, uint address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(memory);
        var buffer = new byte[2];
        await memory.ReadAsync(address, buffer, AccessWidth.HalfWord, cancellationToken).ConfigureAwait(false);
        return BinaryPrimitives.ReadUInt16LittleEndian(buffer);
    }

    /// <summary>Writes one aligned 16-bit half-word (little-endian on the bus).</summary>
    public static ValueTask WriteUInt16Async(this ITargetMemory memory, uint address, ushort value, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(memory);
        var buffer = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(buffer, value);
        return memory.WriteAsync(address, buffer, AccessWidth.HalfWord, cancellationToken);
    }
}
