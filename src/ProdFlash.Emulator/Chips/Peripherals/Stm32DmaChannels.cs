using ProdFlash.Emulator.Target;

namespace ProdFlash.Emulator.Chips.Peripherals;

/// <summary>
/// The channel DMA controller of the F0, F1, G0 and L4 families (RM0008, RM0360, RM0444, RM0351):
/// ISR (0x00), IFCR (0x04), per channel n (1-based) CCR at 0x08 + 0x14 × (n − 1), then CNDTR, CPAR, CMAR; L4 CSELR at
/// 0xA8. Memory-to-memory transfers (CCR.MEM2MEM) run on modeled time; peripheral requests are not modeled, so a
/// channel enabled without MEM2MEM waits forever, as it would for a request that never comes.
/// </summary>
/// <remarks>Not thread-safe; owned by one chip model. Register facts: docs/onchip-verify.md.</remarks>
public sealed class Stm32DmaChannels
{
    /// <summary>DMA_ISR offset.</summary>
    public const uint IsrOffset = 0x00;

    /// <summary>DMA_IFCR offset.</summary>
    public const uint IfcrOffset = 0x04;

    /// <summary>DMA_CCR1 offset; channel n at + 0x14 × (n − 1).</summary>
    public const uint Ccr1Offset = 0x08;

    /// <summary>Distance between channels' register groups.</summary>
    public const uint ChannelStride = 0x14;

    /// <summary>DMA_CSELR offset (L4 only).</summary>
    public const uint CselrOffset = 0xA8;

    /// <summary>Register window size.</summary>
    public const int WindowSize = 0x400;

    /// <summary>CCR.EN.</summary>
    public const uint CcrEn = 1u << 0;

    /// <summary>CCR.DIR: 1 = read from memory (CMAR), write to peripheral (CPAR).</summary>
    public const uint CcrDir = 1u << 4;

    /// <summary>CCR.CIRC.</summary>
    public const uint CcrCirc = 1u << 5;

    /// <summary>CCR.PINC.</summary>
    public const uint CcrPinc = 1u << 6;

    /// <summary>CCR.MINC.</summary>
    public const uint CcrMinc = 1u << 7;

    /// <summary>CCR.MEM2MEM.</summary>
    public const uint CcrMem2Mem = 1u << 14;

    /// <summary>ISR flags of one channel, shifted by 4 × (n − 1): GIF, TCIF, HTIF, TEIF.</summary>
    public const uint Gif = 1u << 0, Tcif = 1u << 1, Htif = 1u << 2, Teif = 1u << 3;

    private readonly IModeledClock _clock;
    private readonly IDmaBus _bus;
    private readonly double _itemTicks;
    private readonly bool _hasChannelSelection;
    private readonly Channel[] _channels;
    private uint _isr;
    private uint _cselr;

    /// <summary>Creates the controller in its reset state.</summary>
    /// <param name="clock">Modeled time.</param>
    /// <param name="bus">The chip's bus as the DMA master sees it.</param>
    /// <param name="channels">Number of channels (F103: 7; F030x4: 5; G071: 7; L476: 7).</param>
    /// <param name="itemTicks">Modeled time of one memory-to-memory item (read, write), in TimeSpan ticks.</param>
    /// <param name="hasChannelSelection">Whether DMA_CSELR exists (L4).</param>
    public Stm32DmaChannels(IModeledClock clock, IDmaBus bus, int channels, double itemTicks, bool hasChannelSelection)
    {
        _clock = clock;
        _bus = bus;
        _itemTicks = itemTicks;
        _hasChannelSelection = hasChannelSelection;
        _channels = [.. Enumerable.Range(0, channels).Select(_ => new Channel())];
    }

    /// <summary>Whether a transfer is running (the chip catches it up before every access).</summary>
    public bool Active => _channels.Any(c => c.Transfer is { Ended: false });

    /// <summary>Peripheral reset: every register to 0, transfers stopped.</summary>
    public void Reset()
    {
        _isr = 0;
        _cselr = 0;
        foreach (var c in _channels)
        {
            c.Ccr = c.Cndtr = c.Cpar = c.Cmar = 0;
            c.Transfer = null;
        }
    }

    /// <summary>Moves every running transfer up to the current modeled time.</summary>
    public void CatchUp()
    {
        for (var i = 0; i < _channels.Length; i++)
        {
            var c = _channels[i];
            if (c.Transfer is not { Ended: false } t)
            {
                continue;
            }

            var before = t.Remaining;
            t.CatchUp(_clock.Now);
            c.Cndtr = (uint)t.Remaining;
            var shift = 4 * i;
            if (t.Error)
            {
                // Transfer error: TEIF set, EN cleared by hardware (RM0444 DMA_CCRx.EN).
                _isr |= (Teif | Gif) << shift;
                c.Ccr &= ~CcrEn;
                continue;
            }

            if (before > t.Total / 2 && t.Remaining <= t.Total / 2)
            {
                _isr |= (Htif | Gif) << shift;
            }

            if (t.Remaining == 0)
            {
                _isr |= (Tcif | Gif) << shift; // EN stays set in normal mode; CNDTR stays 0
            }
        }
    }

    /// <summary>Reads the register at word-aligned <paramref name="offset"/>.</summary>
    public uint Read(uint offset)
    {
        if (offset == IsrOffset)
        {
            return _isr;
        }

        if (offset == CselrOffset && _hasChannelSelection)
        {
            return _cselr;
        }

        if (TryChannel(offset, out var c, out var register))
        {
            return register switch
            {
                0 => c.Ccr,
                1 => c.Cndtr,
                2 => c.Cpar,
                _ => c.Cmar,
            };
        }

        return 0; // IFCR is write-only; reserved offsets read 0
    }

    /// <summary>Writes the register at word-aligned <paramref name="offset"/>.</summary>
    public void Write(uint offset, uint value)
    {
        if (offset == IfcrOffset)
        {
            for (var i = 0; i < _channels.Length; i++)
            {
                var clear = (value >> (4 * i)) & 0xF;
                if ((clear & Gif) != 0)
                {
                    clear = 0xF; // CGIF clears all four flags of the channel
                }

                _isr &= ~(clear << (4 * i));
            }

            return;
        }

        if (offset == CselrOffset && _hasChannelSelection)
        {
            _cselr = value;
            return;
        }

        if (!TryChannel(offset, out var c, out var register))
        {
            return;
        }

        var enabled = (c.Ccr & CcrEn) != 0;
        switch (register)
        {
            case 0:
                WriteCcr(c, Array.IndexOf(_channels, c), value, enabled);
                break;
            case 1 when !enabled:
                c.Cndtr = value & 0xFFFF; // read-only while EN = 1
                break;
            case 2 when !enabled:
                c.Cpar = value;
                break;
            case 3 when !enabled:
                c.Cmar = value;
                break;
            default:
                break;
        }
    }

    private static int SizeOf(uint field) => field switch
    {
        0 => 1,
        1 => 2,
        _ => 4,
    };

    private void WriteCcr(Channel c, int index, uint value, bool enabled)
    {
        if (enabled)
        {
            // Only EN may change while the channel runs; clearing it stops the transfer where it is.
            if ((value & CcrEn) == 0)
            {
                c.Ccr &= ~CcrEn;
                c.Transfer = null;
            }

            return;
        }

        if ((value & CcrEn) != 0 && (_isr & (Teif << (4 * index))) != 0)
        {
            value &= ~CcrEn; // cannot be re-enabled until TEIF is cleared (RM0444 DMA_CCRx.EN)
        }

        c.Ccr = value & 0x7FFF;
        if ((value & CcrEn) == 0 || (value & CcrMem2Mem) == 0 || c.Cndtr == 0)
        {
            return;
        }

        var psize = SizeOf((value >> 8) & 3);
        var msize = SizeOf((value >> 10) & 3);
        var pinc = (value & CcrPinc) != 0;
        var minc = (value & CcrMinc) != 0;
        c.Transfer = (value & CcrDir) != 0
            ? new DmaTransfer(_bus, _clock.Now, _itemTicks, c.Cmar, msize, minc, c.Cpar, psize, pinc, (int)c.Cndtr)
            : new DmaTransfer(_bus, _clock.Now, _itemTicks, c.Cpar, psize, pinc, c.Cmar, msize, minc, (int)c.Cndtr);
    }

    private bool TryChannel(uint offset, out Channel channel, out int register)
    {
        channel = null!;
        register = 0;
        if (offset < Ccr1Offset)
        {
            return false;
        }

        var index = (int)((offset - Ccr1Offset) / ChannelStride);
        var within = (offset - Ccr1Offset) % ChannelStride;
        if (index >= _channels.Length || within > 0x0C)
        {
            return false;
        }

        channel = _channels[index];
        register = (int)(within / 4);
        return true;
    }

    private sealed class Channel
    {
        public uint Ccr;
        public uint Cndtr;
        public uint Cpar;
        public uint Cmar;
        public DmaTransfer? Transfer;
    }
}
