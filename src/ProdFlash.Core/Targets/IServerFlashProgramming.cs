namespace ProdFlash.Core.Targets;

/// <summary>Kind of a region in a probe server's memory map.</summary>
public enum ServerMemoryKind
{
    /// <summary>Read-write memory.</summary>
    Ram,

    /// <summary>Read-only memory.</summary>
    Rom,

    /// <summary>Flash the server erases and programs itself.</summary>
    Flash,
}

/// <summary>One region of the memory map a probe server reports (e.g. a GDB server's <c>qXfer:memory-map</c>).</summary>
/// <param name="Kind">ram, rom or flash.</param>
/// <param name="Start">First address.</param>
/// <param name="Length">Size in bytes.</param>
/// <param name="BlockSize">Erase block size of a flash region; null for ram and rom.</param>
public sealed record ServerMemoryRegion(ServerMemoryKind Kind, uint Start, ulong Length, uint? BlockSize)
{
    /// <summary>One past the last address.</summary>
    public ulong End => Start + Length;
}

/// <summary>
/// Implemented by an <see cref="IDebugProbe"/> whose server erases and programs flash itself (a GDB server that
/// advertises flash regions and <c>vFlashErase</c>/<c>vFlashWrite</c>/<c>vFlashDone</c>), so the engine can program
/// through it instead of driving the chip's flash controller register by register.
/// </summary>
/// <remarks>
/// Optional: test with <c>probe is IServerFlashProgramming { FlashRegions.Count: &gt; 0 }</c>. Not thread-safe (one owner
/// per probe). Writes are buffered by the server until <see cref="CommitFlashAsync"/>; reading flash before the commit
/// may show old contents. Failures are <see cref="TargetException"/>.
/// </remarks>
public interface IServerFlashProgramming
{
    /// <summary>The server's memory map; empty when the server reports none (then flash cannot be programmed through it).</summary>
    IReadOnlyList<ServerMemoryRegion> MemoryMap { get; }

    /// <summary>The flash regions of <see cref="MemoryMap"/>; empty when the server programs no flash.</summary>
    IReadOnlyList<ServerMemoryRegion> FlashRegions { get; }

    /// <summary>Erases the flash blocks that cover <paramref name="address"/> .. <paramref name="address"/> + <paramref name="length"/> (widened to block boundaries).</summary>
    ValueTask EraseFlashAsync(uint address, uint length, CancellationToken cancellationToken);

    /// <summary>Hands <paramref name="data"/> for <paramref name="address"/> to the server's flash writer (erased blocks only).</summary>
    ValueTask WriteFlashAsync(uint address, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Makes the server finish every buffered flash write.</summary>
    ValueTask CommitFlashAsync(CancellationToken cancellationToken);
}
