using ProdFlash.Emulator.Target;

namespace ProdFlash.Emulator.Chips.Peripherals;

/// <summary>The chip's bus as a DMA master sees it: flash, SRAM and the peripherals a transfer may reach.</summary>
/// <remarks>Called by the DMA model only, on the chip's thread.</remarks>
public interface IDmaBus
{
    /// <summary>Reads <paramref name="size"/> bytes at <paramref name="address"/>; <see cref="BusResult.Fault"/> where nothing answers.</summary>
    BusResult MasterRead(uint address, int size, out uint value);

    /// <summary>Writes <paramref name="size"/> bytes at <paramref name="address"/>; <see cref="BusResult.Fault"/> where nothing answers.</summary>
    BusResult MasterWrite(uint address, int size, uint value);
}

/// <summary>
/// One running memory-to-memory transfer on modeled time: item <c>i</c> completes at <c>start + (i + 1) × item time</c>.
/// Nothing moves until someone looks (<see cref="CatchUp"/>): the chip calls it before every bus access, so a debugger
/// always sees the registers, the flags and the destination as they are at the current modeled time.
/// </summary>
/// <remarks>Not thread-safe; owned by one DMA channel or stream model.</remarks>
internal sealed class DmaTransfer
{
    private readonly IDmaBus _bus;
    private readonly TimeSpan _start;
    private readonly double _itemTicks;
    private uint _source;
    private uint _destination;

    public DmaTransfer(IDmaBus bus, TimeSpan start, double itemTicks, uint source, int sourceSize, bool sourceIncrement, uint destination, int destinationSize, bool destinationIncrement, int items)
    {
        _bus = bus;
        _start = start;
        _itemTicks = itemTicks;
        // The low address bits below the item size are ignored (RM0444 DMA_CPARx/CMARx: "automatically aligned").
        _source = source & ~(uint)(sourceSize - 1);
        _destination = destination & ~(uint)(destinationSize - 1);
        SourceSize = sourceSize;
        DestinationSize = destinationSize;
        SourceIncrement = sourceIncrement;
        DestinationIncrement = destinationIncrement;
        Total = items;
        Remaining = items;
    }

    public int SourceSize { get; }

    public int DestinationSize { get; }

    public bool SourceIncrement { get; }

    public bool DestinationIncrement { get; }

    public int Total { get; }

    /// <summary>Items not yet transferred (what CNDTR/NDTR reads).</summary>
    public int Remaining { get; private set; }

    /// <summary>A bus access of the transfer faulted: the transfer stopped there.</summary>
    public bool Error { get; private set; }

    /// <summary>Whether the transfer has ended (all items moved, or an error).</summary>
    public bool Ended => Error || Remaining == 0;

    /// <summary>Moves every item whose modeled completion time has passed by <paramref name="now"/>.</summary>
    public void CatchUp(TimeSpan now)
    {
        if (Ended)
        {
            return;
        }

        var elapsed = now - _start;
        var due = elapsed <= TimeSpan.Zero ? 0 : (long)Math.Floor(elapsed.Ticks / Math.Max(_itemTicks, 1e-3));
        var done = Total - Remaining;
        while (done < due && Remaining > 0)
        {
            if (_bus.MasterRead(_source, SourceSize, out var value) != BusResult.Ok
                || _bus.MasterWrite(_destination, DestinationSize, Fit(value)) != BusResult.Ok)
            {
                Error = true;
                return;
            }

            _source += SourceIncrement ? (uint)SourceSize : 0;
            _destination += DestinationIncrement ? (uint)DestinationSize : 0;
            Remaining--;
            done++;
        }
    }

    // Packing/unpacking between different source and destination sizes (RM0444 DMA data width table):
    // a narrower destination takes the low bytes, a wider one is zero-extended.
    private uint Fit(uint value) => DestinationSize >= SourceSize ? value : value & ((1u << (8 * DestinationSize)) - 1);
}
