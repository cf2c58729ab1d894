using ProdFlash.Core.Images;

namespace ProdFlash.Core.Devices;

/// <summary>A run of equal-size erase units (pages or sectors) in one bank.</summary>
/// <param name="Base">Address of the first unit.</param>
/// <param name="UnitSize">Size of each unit in bytes.</param>
/// <param name="Count">Number of units.</param>
/// <param name="Bank">Bank number, 1-based.</param>
/// <param name="FirstNumber">
/// The number the flash controller uses for the first unit of the region (F4 CR.SNB, G0/L4 CR.PNB within the bank
/// selected by BKER, or the page index in its bank where the controller erases by address as on F0/F1).
/// </param>
public sealed record FlashRegion(uint Base, uint UnitSize, int Count, int Bank, int FirstNumber)
{
    /// <summary>Total size of the region in bytes.</summary>
    public long Size => (long)UnitSize * Count;

    /// <summary>One past the last address of the region.</summary>
    public ulong End => Base + (ulong)Size;
}

/// <summary>One erase unit (page or sector).</summary>
/// <param name="Index">Position in the whole layout, 0-based, counting both banks.</param>
/// <param name="Number">The number the flash controller uses for it (see <see cref="FlashRegion.FirstNumber"/>).</param>
/// <param name="Address">Address of its first byte.</param>
/// <param name="Size">Size in bytes.</param>
/// <param name="Bank">Bank number, 1-based.</param>
public readonly record struct EraseUnit(int Index, int Number, uint Address, uint Size, int Bank)
{
    /// <summary>One past the last address of the unit.</summary>
    public ulong End => (ulong)Address + Size;
}

/// <summary>A half-open address range [<see cref="Start"/>, <see cref="End"/>).</summary>
/// <param name="Start">First address.</param>
/// <param name="End">One past the last address (up to 2^32).</param>
public readonly record struct AddressRange(uint Start, ulong End)
{
    /// <summary>Number of bytes in the range.</summary>
    public long Length => (long)(End - Start);

    /// <inheritdoc/>
    public override string ToString() => $"0x{Start:X8}..0x{End - 1:X8} ({Length} bytes)";
}

/// <summary>A named alternative layout that an option bit selects (F42x DB1M, ...).</summary>
/// <param name="Name">Short name, e.g. <c>dual-bank</c>.</param>
/// <param name="Condition">The option-bit setting that selects it, e.g. <c>FLASH_OPTCR.DB1M = 1</c>.</param>
/// <param name="Layout">The layout in that configuration.</param>
public sealed record FlashLayoutVariant(string Name, string Condition, FlashLayout Layout);

/// <summary>
/// The erase geometry of one part's main flash: regions of equal-size units, in address order, per bank.
/// </summary>
/// <remarks>Immutable; safe to share between threads.</remarks>
public sealed class FlashLayout
{
    private readonly int[] _firstIndex;

    /// <summary>Creates a layout from regions; they must be in address order and must not overlap.</summary>
    /// <exception cref="ArgumentException">No regions, an empty region, a unit size of 0, overlapping or unordered regions, or a region past 4 GiB.</exception>
    public FlashLayout(IEnumerable<FlashRegion> regions)
    {
        ArgumentNullException.ThrowIfNull(regions);
        var list = regions.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("A flash layout needs at least one region.", nameof(regions));
        }

        _firstIndex = new int[list.Count];
        var index = 0;
        for (var i = 0; i < list.Count; i++)
        {
            var region = list[i];
            if (region.UnitSize == 0 || region.Count <= 0)
            {
                throw new ArgumentException($"Region at 0x{region.Base:X8} has unit size {region.UnitSize} and count {region.Count}; both must be positive.", nameof(regions));
            }

            if (region.End > 1UL << 32)
            {
                throw new ArgumentException($"Region at 0x{region.Base:X8} runs past the 32-bit address space.", nameof(regions));
            }

            if (i > 0 && region.Base < list[i - 1].End)
            {
                throw new ArgumentException($"Region at 0x{region.Base:X8} overlaps or precedes the region at 0x{list[i - 1].Base:X8}; list regions in address order.", nameof(regions));
            }

            _firstIndex[i] = index;
            index += region.Count;
        }

        Regions = list;
        UnitCount = index;
        TotalSize = list.Sum(r => r.Size);
        BankCount = list.Select(r => r.Bank).Distinct().Count();
    }

    /// <summary>The regions, in address order.</summary>
    public IReadOnlyList<FlashRegion> Regions { get; }

    /// <summary>Total number of erase units.</summary>
    public int UnitCount { get; }

    /// <summary>Total bytes of flash the layout covers (gaps between banks excluded).</summary>
    public long TotalSize { get; }

    /// <summary>Number of distinct banks.</summary>
    public int BankCount { get; }

    /// <summary>Address of the first unit.</summary>
    public uint Start => Regions[0].Base;

    /// <summary>One past the last address of the last unit.</summary>
    public ulong End => Regions[^1].End;

    /// <summary>Every erase unit in address order.</summary>
    public IEnumerable<EraseUnit> Units
    {
        get
        {
            for (var r = 0; r < Regions.Count; r++)
            {
                for (var u = 0; u < Regions[r].Count; u++)
                {
                    yield return MakeUnit(r, u);
                }
            }
        }
    }

    /// <summary>The erase unit that holds <paramref name="address"/>, or null when the address is not in this flash.</summary>
    public EraseUnit? UnitAt(uint address)
    {
        for (var r = 0; r < Regions.Count; r++)
        {
            var region = Regions[r];
            if (address >= region.Base && address < region.End)
            {
                return MakeUnit(r, (int)((address - region.Base) / region.UnitSize));
            }
        }

        return null;
    }

    /// <summary>
    /// Checks <paramref name="image"/> against this flash: which bytes fall outside it and which erase units it touches.
    /// </summary>
    public ImageFit Check(MemoryImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var outside = new List<AddressRange>();
        var units = new List<EraseUnit>();
        long inside = 0;
        foreach (var segment in image.Segments)
        {
            ulong cursor = segment.Address;
            var end = segment.End;
            for (var r = 0; r < Regions.Count && cursor < end; r++)
            {
                var region = Regions[r];
                if (region.End <= cursor)
                {
                    continue;
                }

                if (region.Base >= end)
                {
                    break;
                }

                if (cursor < region.Base)
                {
                    AddOutside(outside, cursor, region.Base);
                    cursor = region.Base;
                }

                var pieceEnd = Math.Min(end, region.End);
                var firstUnit = (int)((cursor - region.Base) / region.UnitSize);
                var lastUnit = (int)((pieceEnd - 1 - region.Base) / region.UnitSize);
                for (var u = firstUnit; u <= lastUnit; u++)
                {
                    var unit = MakeUnit(r, u);
                    if (units.Count == 0 || units[^1].Index < unit.Index)
                    {
                        units.Add(unit);
                    }
                }

                inside += (long)(pieceEnd - cursor);
                cursor = pieceEnd;
            }

            if (cursor < end)
            {
                AddOutside(outside, cursor, end);
            }
        }

        return new ImageFit(outside, units, inside);
    }

    private static void AddOutside(List<AddressRange> outside, ulong start, ulong end)
    {
        if (outside.Count > 0 && outside[^1].End == start)
        {
            outside[^1] = outside[^1] with { End = end };
            return;
        }

        outside.Add(new AddressRange((uint)start, end));
    }

    private EraseUnit MakeUnit(int regionIndex, int unitInRegion)
    {
        var region = Regions[regionIndex];
        return new EraseUnit(
            _firstIndex[regionIndex] + unitInRegion,
            region.FirstNumber + unitInRegion,
            region.Base + (uint)unitInRegion * region.UnitSize,
            region.UnitSize,
            region.Bank);
    }
}

/// <summary>Result of checking an image against a device's flash (<see cref="FlashLayout.Check"/>).</summary>
/// <remarks>Immutable.</remarks>
public sealed class ImageFit
{
    /// <summary>Creates the result.</summary>
    public ImageFit(IReadOnlyList<AddressRange> outside, IReadOnlyList<EraseUnit> units, long bytesInFlash)
    {
        Outside = outside;
        Units = units;
        BytesInFlash = bytesInFlash;
    }

    /// <summary>Whether every byte of the image lies in main flash.</summary>
    public bool Fits => Outside.Count == 0;

    /// <summary>The image's segments, or parts of them, that lie outside main flash, in address order.</summary>
    public IReadOnlyList<AddressRange> Outside { get; }

    /// <summary>The erase units the image touches (each once), in address order.</summary>
    public IReadOnlyList<EraseUnit> Units { get; }

    /// <summary>Number of image bytes that lie in main flash.</summary>
    public long BytesInFlash { get; }

    /// <summary>Number of image bytes outside main flash.</summary>
    public long BytesOutside => Outside.Sum(r => r.Length);

    /// <summary>Total size of the erase units touched, in bytes (what a page/sector erase must clear).</summary>
    public long EraseBytes => Units.Sum(u => (long)u.Size);
}
