using ProdFlash.Core.Devices;

namespace ProdFlash.Programming.Flash;

/// <summary>
/// Where a RAM loader and its ring buffer sit in the part's main SRAM, and the ring's pointer arithmetic as the host sees
/// it: <c>[code][write pointer][read pointer][data ...][stack]</c> (Loaders/word_ring_loader.S).
/// </summary>
/// <remarks>
/// Both pointers are absolute addresses in [<see cref="DataStart"/>, <see cref="RingEnd"/>) and always a whole number
/// of programming units from <see cref="DataStart"/>; equal pointers mean an empty ring. The host keeps one unit free so
/// a full ring never looks empty. Immutable.
/// </remarks>
internal sealed record RamLoaderLayout
{
    /// <summary>The main SRAM the loader runs in (every STM32 maps it here; RM0090 §2.3, RM0351 §2.2.2, RM0444 §2.2).</summary>
    public const uint MainSramBase = 0x2000_0000;

    /// <summary>A smaller ring is not worth the set-up: it would hold well under a millisecond of programming.</summary>
    public const int MinimumDataBytes = 1024;

    /// <summary>Stack kept above the ring; the loader pushes nothing, so this only gives SP a valid, aligned home.</summary>
    public const int StackBytes = 64;

    /// <summary>The write pointer word (host-owned) and the read pointer word (loader-owned).</summary>
    public const int PointerBytes = 8;

    private RamLoaderLayout(uint codeAddress, uint ringStart, uint ringEnd, uint stackTop, int unitBytes)
    {
        CodeAddress = codeAddress;
        RingStart = ringStart;
        RingEnd = ringEnd;
        StackTop = stackTop;
        UnitBytes = unitBytes;
    }

    /// <summary>Where the loader's code starts (the PC to run from).</summary>
    public uint CodeAddress { get; }

    /// <summary>The write pointer word; the read pointer follows it, then the data.</summary>
    public uint RingStart { get; }

    /// <summary>One past the ring's last data byte.</summary>
    public uint RingEnd { get; }

    /// <summary>The initial SP (8-byte aligned, above the ring).</summary>
    public uint StackTop { get; }

    /// <summary>The programming unit the ring is divided into.</summary>
    public int UnitBytes { get; }

    /// <summary>Address of the write pointer word.</summary>
    public uint WritePointerAddress => RingStart;

    /// <summary>Address of the read pointer word.</summary>
    public uint ReadPointerAddress => RingStart + 4;

    /// <summary>The first data byte.</summary>
    public uint DataStart => RingStart + PointerBytes;

    /// <summary>Bytes of data the ring holds (a multiple of <see cref="UnitBytes"/>).</summary>
    public int DataBytes => (int)(RingEnd - DataStart);

    /// <summary>
    /// The layout for a loader of <paramref name="codeBytes"/> in <paramref name="part"/>'s main SRAM, with a ring of at
    /// most <paramref name="maxDataBytes"/>; null when the part has no main SRAM at <see cref="MainSramBase"/> or it
    /// cannot hold <see cref="MinimumDataBytes"/> of ring, or the unit is not a whole number of words.
    /// </summary>
    public static RamLoaderLayout? Plan(DevicePart part, int codeBytes, int unitBytes, int maxDataBytes)
    {
        ArgumentNullException.ThrowIfNull(part);
        if (unitBytes <= 0 || unitBytes % 4 != 0 || codeBytes <= 0)
        {
            return null;
        }

        var sram = part.Ram.FirstOrDefault(r => r.Base == MainSramBase);
        if (sram is null)
        {
            return null;
        }

        var codeSpace = (codeBytes + 7) / 8 * 8;
        var room = sram.Size - codeSpace - PointerBytes - StackBytes;
        var data = (int)Math.Min(room, maxDataBytes) / unitBytes * unitBytes;
        if (data < MinimumDataBytes)
        {
            return null;
        }

        var ringStart = sram.Base + (uint)codeSpace;
        var ringEnd = ringStart + PointerBytes + (uint)data;
        var stackTop = (ringEnd + StackBytes) & ~7u;
        return new RamLoaderLayout(sram.Base, ringStart, ringEnd, stackTop, unitBytes);
    }

    /// <summary>Bytes written by the host and not yet programmed by the loader.</summary>
    public int Used(uint writePointer, uint readPointer) =>
        (int)(((long)writePointer - readPointer + DataBytes) % DataBytes);

    /// <summary>Bytes the host may write now (one unit always stays free).</summary>
    public int Free(uint writePointer, uint readPointer) => DataBytes - UnitBytes - Used(writePointer, readPointer);

    /// <summary>Bytes the loader programmed between two readings of the read pointer.</summary>
    public int Consumed(uint previousReadPointer, uint readPointer) => Used(readPointer, previousReadPointer);

    /// <summary>Whether <paramref name="pointer"/> is a valid ring position (inside the data, on a unit boundary).</summary>
    public bool IsValidPointer(uint pointer) =>
        pointer >= DataStart && pointer < RingEnd && (pointer - DataStart) % (uint)UnitBytes == 0;

    /// <summary>
    /// The next chunk the host writes at <paramref name="writePointer"/>: the free space up to the ring's end, at most
    /// <paramref name="remaining"/> and <paramref name="maxChunk"/>, in whole units; 0 when the ring is full.
    /// </summary>
    public int NextChunk(uint writePointer, uint readPointer, long remaining, int maxChunk)
    {
        var contiguous = (long)RingEnd - writePointer;
        var chunk = Math.Min(Math.Min(Free(writePointer, readPointer), contiguous), Math.Min(remaining, maxChunk));
        return (int)(chunk / UnitBytes * UnitBytes);
    }

    /// <summary>The pointer <paramref name="bytes"/> past <paramref name="pointer"/> (at most to the ring's end), wrapped.</summary>
    public uint Advance(uint pointer, int bytes)
    {
        var next = pointer + (uint)bytes;
        return next >= RingEnd ? DataStart + (next - RingEnd) : next;
    }
}
