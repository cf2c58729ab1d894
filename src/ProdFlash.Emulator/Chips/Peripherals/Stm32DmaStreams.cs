using ProdFlash.Emulator.Target;

namespace ProdFlash.Emulator.Chips.Peripherals;

/// <summary>
/// The F4 stream DMA controller (RM0090), modeled for DMA2, the only one that does memory-to-memory: LISR (0x00),
/// HISR (0x04), LIFCR (0x08), HIFCR (0x0C), per stream n at 0x10 + 0x18 × n: CR, NDTR, PAR, M0AR, M1AR, FCR. A
/// memory-to-memory transfer (CR.DIR = 10) reads from PAR and writes to M0AR on modeled time; EN clears itself at the
/// end or on a transfer error. Peripheral requests are not modeled.
/// </summary>
/// <remarks>Not thread-safe; owned by one chip model. Register facts: docs/onchip-verify.md.</remarks>
public sealed class Stm32DmaStreams
{
    /// <summary>DMA_LISR offset (streams 0–3).</summary>
    public const uint LisrOffset = 0x00;

    /// <summary>DMA_HISR offset (streams 4–7).</summary>
    public const uint HisrOffset = 0x04;

    /// <summary>DMA_LIFCR offset.</summary>
    public const uint LifcrOffset = 0x08;

    /// <summary>DMA_HIFCR offset.</summary>
    public const uint HifcrOffset = 0x0C;

    /// <summary>DMA_S0CR offset; stream n at + 0x18 × n.</summary>
    public const uint S0CrOffset = 0x10;

    /// <summary>Distance between streams' register groups.</summary>
    public const uint StreamStride = 0x18;

    /// <summary>Register window size.</summary>
    public const int WindowSize = 0x400;

    /// <summary>SxCR.EN.</summary>
    public const uint CrEn = 1u << 0;

    /// <summary>SxCR.DIR[7:6] = 10: memory-to-memory.</summary>
    public const uint CrDirMemoryToMemory = 2u << 6;

    /// <summary>SxCR.DIR field.</summary>
    public const uint CrDirMask = 3u << 6;

    /// <summary>SxCR.PINC.</summary>
    public const uint CrPinc = 1u << 9;

    /// <summary>SxCR.MINC.</summary>
    public const uint CrMinc = 1u << 10;

    /// <summary>SxFCR reset value (FTH = half FIFO, direct mode).</summary>
    public const uint FcrResetValue = 0x21;

    /// <summary>SxFCR.DMDIS: set by hardware when memory-to-memory is enabled (direct mode is not allowed there).</summary>
    public const uint FcrDmdis = 1u << 2;

    /// <summary>Stream flag bits (shift by <see cref="FlagShift"/>): FEIF, DMEIF, TEIF, HTIF, TCIF.</summary>
    public const uint Feif = 1u << 0, Dmeif = 1u << 2, Teif = 1u << 3, Htif = 1u << 4, Tcif = 1u << 5;

    private static readonly int[] FlagShifts = [0, 6, 16, 22];

    private readonly IModeledClock _clock;
    private readonly IDmaBus _bus;
    private readonly double _itemTicks;
    private readonly Stream[] _streams = [.. Enumerable.Range(0, 8).Select(_ => new Stream())];
    private uint _lisr;
    private uint _hisr;

    /// <summary>Creates the controller in its reset state.</summary>
    public Stm32DmaStreams(IModeledClock clock, IDmaBus bus, double itemTicks)
    {
        _clock = clock;
        _bus = bus;
        _itemTicks = itemTicks;
        Reset();
    }

    /// <summary>Whether a transfer is running.</summary>
    public bool Active => _streams.Any(s => s.Transfer is { Ended: false });

    /// <summary>Shift of stream <paramref name="stream"/>'s flags in LISR/HISR (and the clear registers).</summary>
    public static int FlagShift(int stream) => FlagShifts[stream % 4];

    /// <summary>Peripheral reset.</summary>
    public void Reset()
    {
        _lisr = _hisr = 0;
        foreach (var s in _streams)
        {
            s.Cr = s.Ndtr = s.Par = s.M0ar = s.M1ar = 0;
            s.Fcr = FcrResetValue;
            s.Transfer = null;
        }
    }

    /// <summary>Moves every running transfer up to the current modeled time.</summary>
    public void CatchUp()
    {
        for (var n = 0; n < _streams.Length; n++)
        {
            var s = _streams[n];
            if (s.Transfer is not { Ended: false } t)
            {
                continue;
            }

            var before = t.Remaining;
            t.CatchUp(_clock.Now);
            s.Ndtr = (uint)t.Remaining;
            if (t.Error)
            {
                SetFlags(n, Teif);
                s.Cr &= ~CrEn;
                continue;
            }

            if (before > t.Total / 2 && t.Remaining <= t.Total / 2)
            {
                SetFlags(n, Htif);
            }

            if (t.Remaining == 0)
            {
                SetFlags(n, Tcif);
                s.Cr &= ~CrEn; // the stream disables itself at the end of the transfer (RM0090)
            }
        }
    }

    /// <summary>Reads the register at word-aligned <paramref name="offset"/>.</summary>
    public uint Read(uint offset)
    {
        switch (offset)
        {
            case LisrOffset:
                return _lisr;
            case HisrOffset:
                return _hisr;
            case LifcrOffset or HifcrOffset:
                return 0;
            default:
                break;
        }

        if (!TryStream(offset, out var s, out var register))
        {
            return 0;
        }

        return register switch
        {
            0 => s.Cr,
            1 => s.Ndtr,
            2 => s.Par,
            3 => s.M0ar,
            4 => s.M1ar,
            _ => s.Fcr,
        };
    }

    /// <summary>Writes the register at word-aligned <paramref name="offset"/>.</summary>
    public void Write(uint offset, uint value)
    {
        if (offset == LifcrOffset)
        {
            _lisr &= ~value;
            return;
        }

        if (offset == HifcrOffset)
        {
            _hisr &= ~value;
            return;
        }

        if (!TryStream(offset, out var s, out var register))
        {
            return;
        }

        var enabled = (s.Cr & CrEn) != 0;
        switch (register)
        {
            case 0:
                WriteCr(s, value, enabled);
                break;
            case 1 when !enabled:
                s.Ndtr = value & 0xFFFF;
                break;
            case 2 when !enabled:
                s.Par = value;
                break;
            case 3 when !enabled:
                s.M0ar = value;
                break;
            case 4 when !enabled:
                s.M1ar = value;
                break;
            case 5 when !enabled:
                s.Fcr = (s.Fcr & 0x38) | (value & 0x87); // FS[5:3] and FEIE/DMDIS/FTH writable bits
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

    private void SetFlags(int stream, uint flags)
    {
        var shifted = flags << FlagShift(stream);
        if (stream < 4)
        {
            _lisr |= shifted;
        }
        else
        {
            _hisr |= shifted;
        }
    }

    private void WriteCr(Stream s, uint value, bool enabled)
    {
        if (enabled)
        {
            if ((value & CrEn) == 0)
            {
                s.Cr &= ~CrEn; // disable request: the stream stops after the current item
                s.Transfer = null;
            }

            return;
        }

        s.Cr = value & 0x0FEFFFFF;
        if ((value & CrEn) == 0 || (value & CrDirMask) != CrDirMemoryToMemory || s.Ndtr == 0)
        {
            return;
        }

        s.Fcr |= FcrDmdis;
        var psize = SizeOf((value >> 11) & 3);
        var msize = SizeOf((value >> 13) & 3);
        s.Transfer = new DmaTransfer(_bus, _clock.Now, _itemTicks, s.Par, psize, (value & CrPinc) != 0, s.M0ar, msize, (value & CrMinc) != 0, (int)s.Ndtr);
    }

    private bool TryStream(uint offset, out Stream stream, out int register)
    {
        stream = null!;
        register = 0;
        if (offset < S0CrOffset)
        {
            return false;
        }

        var index = (int)((offset - S0CrOffset) / StreamStride);
        if (index >= _streams.Length)
        {
            return false;
        }

        stream = _streams[index];
        register = (int)((offset - S0CrOffset) % StreamStride / 4);
        return true;
    }

    private sealed class Stream
    {
        public uint Cr;
        public uint Ndtr;
        public uint Par;
        public uint M0ar;
        public uint M1ar;
        public uint Fcr;
        public DmaTransfer? Transfer;
    }
}
