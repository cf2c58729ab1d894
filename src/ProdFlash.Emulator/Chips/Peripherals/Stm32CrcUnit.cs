namespace ProdFlash.Emulator.Chips.Peripherals;

/// <summary>Which CRC calculation unit a family has (docs/onchip-verify.md).</summary>
public enum CrcUnitKind
{
    /// <summary>F1, F4: CRC-32 (0x04C11DB7), init 0xFFFFFFFF, 32-bit input only; DR, IDR, CR.RESET (RM0008, RM0090).</summary>
    Fixed,

    /// <summary>F030/F070: adds CR.REV_IN/REV_OUT and CRC_INIT; the polynomial stays 0x04C11DB7 (RM0360; stm32-rs F0x0 CRC map has no POL).</summary>
    ProgrammableInit,

    /// <summary>G0, L4: adds CR.POLYSIZE and CRC_POL (RM0444, RM0351).</summary>
    ProgrammablePolynomial,
}

/// <summary>
/// The STM32 CRC calculation unit at 0x40023000 as a bus slave: DR (0x00), IDR (0x04), CR (0x08), INIT (0x10), POL
/// (0x14). Writing DR feeds its bits most-significant first through the polynomial; CR.RESET loads DR with INIT.
/// </summary>
/// <remarks>
/// The computation is bit-serial on purpose: it is the reference against which the host's table-driven CRC is tested.
/// Not thread-safe; owned by one chip model. Its compute time is charged by the bus master that feeds it (the DMA model).
/// </remarks>
public sealed class Stm32CrcUnit
{
    /// <summary>CRC unit base address on every family here (RM0008/RM0090/RM0360/RM0444/RM0351 memory maps).</summary>
    public const uint Base = 0x40023000;

    /// <summary>Size of the CRC register window (1 KiB boundary).</summary>
    public const int WindowSize = 0x400;

    /// <summary>CRC_DR offset.</summary>
    public const uint DrOffset = 0x00;

    /// <summary>CRC_IDR offset.</summary>
    public const uint IdrOffset = 0x04;

    /// <summary>CRC_CR offset.</summary>
    public const uint CrOffset = 0x08;

    /// <summary>CRC_INIT offset (not on F1/F4).</summary>
    public const uint InitOffset = 0x10;

    /// <summary>CRC_POL offset (G0/L4 only).</summary>
    public const uint PolOffset = 0x14;

    /// <summary>CR.RESET: loads DR with INIT; reads 0.</summary>
    public const uint CrReset = 1u << 0;

    /// <summary>CR.POLYSIZE[4:3]: 00 = 32, 01 = 16, 10 = 8, 11 = 7 bits.</summary>
    public const uint CrPolySizeMask = 3u << 3;

    /// <summary>CR.REV_IN[6:5]: 00 none, 01 by byte, 10 by half-word, 11 by word.</summary>
    public const uint CrRevInMask = 3u << 5;

    /// <summary>CR.REV_OUT: DR reads bit-reversed.</summary>
    public const uint CrRevOut = 1u << 7;

    /// <summary>Reset value of DR and INIT.</summary>
    public const uint DefaultInit = 0xFFFFFFFF;

    /// <summary>Reset value of POL: the CRC-32 (Ethernet) polynomial.</summary>
    public const uint DefaultPolynomial = 0x04C11DB7;

    private readonly CrcUnitKind _kind;
    private readonly uint _idrMask;
    private uint _dr;
    private uint _idr;
    private uint _cr;
    private uint _init;
    private uint _pol;

    /// <summary>Creates the unit in its reset state.</summary>
    /// <param name="kind">Which registers exist.</param>
    /// <param name="idrBits">Width of IDR: 8 (F1, F4, F0, L4) or 32 (G0).</param>
    public Stm32CrcUnit(CrcUnitKind kind, int idrBits)
    {
        _kind = kind;
        _idrMask = idrBits >= 32 ? 0xFFFFFFFF : (1u << idrBits) - 1;
        Reset();
    }

    /// <summary>Peripheral reset (system reset or RCC reset): every register to its reset value.</summary>
    public void Reset()
    {
        _dr = DefaultInit;
        _idr = 0;
        _cr = 0;
        _init = DefaultInit;
        _pol = DefaultPolynomial;
    }

    /// <summary>Reads the register at word-aligned <paramref name="offset"/>; reserved offsets read 0.</summary>
    public uint Read(uint offset) => offset switch
    {
        DrOffset => (_cr & CrRevOut) != 0 ? Reverse(_dr, PolynomialBits) : _dr,
        IdrOffset => _idr,
        CrOffset => _cr,
        InitOffset when _kind != CrcUnitKind.Fixed => _init,
        PolOffset when _kind == CrcUnitKind.ProgrammablePolynomial => _pol,
        _ => 0,
    };

    /// <summary>Writes <paramref name="value"/> (<paramref name="bytes"/> wide, right-aligned) at <paramref name="offset"/>.</summary>
    /// <param name="offset">Register offset (DR may take 8/16/32-bit writes on F0/G0/L4).</param>
    /// <param name="bytes">Access width in bytes.</param>
    /// <param name="value">The value, right-aligned.</param>
    public void Write(uint offset, int bytes, uint value)
    {
        switch (offset)
        {
            case DrOffset:
                // F1/F4 units take 32-bit data only (fixed configuration); a narrower write is modeled as a word write.
                Feed(value, _kind == CrcUnitKind.Fixed ? 32 : bytes * 8);
                break;
            case IdrOffset:
                _idr = value & _idrMask;
                break;
            case CrOffset:
                var writable = _kind switch
                {
                    CrcUnitKind.Fixed => 0u,
                    CrcUnitKind.ProgrammableInit => CrRevInMask | CrRevOut,
                    _ => CrPolySizeMask | CrRevInMask | CrRevOut,
                };
                _cr = value & writable;
                if ((value & CrReset) != 0)
                {
                    _dr = _init & WidthMask;
                }

                break;
            case InitOffset when _kind != CrcUnitKind.Fixed:
                _init = value;
                break;
            case PolOffset when _kind == CrcUnitKind.ProgrammablePolynomial:
                _pol = value;
                break;
            default:
                break; // reserved: writes ignored
        }
    }

    /// <summary>Feeds one 32-bit word, as the DMA writes DR (a word write).</summary>
    public void FeedWord(uint word) => Feed(word, 32);

    private int PolynomialBits => ((_cr & CrPolySizeMask) >> 3) switch
    {
        0 => 32,
        1 => 16,
        2 => 8,
        _ => 7,
    };

    private uint WidthMask => PolynomialBits == 32 ? 0xFFFFFFFF : (1u << PolynomialBits) - 1;

    private static uint Reverse(uint value, int bits) => bits == 32 ? ReverseBits(value) : ReverseBits(value) >> (32 - bits);

    private static uint ReverseBits(uint value)
    {
        var r = 0u;
        for (var i = 0; i < 32; i++)
        {
            r = (r << 1) | ((value >> i) & 1);
        }

        return r;
    }

    private static uint ReverseInput(uint data, int bits, uint mode)
    {
        // REV_IN (RM0444): bit order reversed within each byte, half-word or word of the input.
        var unit = mode switch
        {
            1 => 8,
            2 => 16,
            _ => 32,
        };
        unit = Math.Min(unit, bits);
        var result = 0u;
        for (var start = 0; start < bits; start += unit)
        {
            var chunk = (data >> start) & (unit == 32 ? 0xFFFFFFFF : (1u << unit) - 1);
            result |= Reverse(chunk, unit) << start;
        }

        return result;
    }

    private void Feed(uint data, int bits)
    {
        var revIn = (_cr & CrRevInMask) >> 5;
        if (revIn != 0)
        {
            data = ReverseInput(data, bits, revIn);
        }

        var width = PolynomialBits;
        var mask = WidthMask;
        var poly = _pol & mask;
        var crc = _dr & mask;
        var top = 1u << (width - 1);
        for (var i = bits - 1; i >= 0; i--)
        {
            var feedback = ((crc & top) != 0) ^ (((data >> i) & 1) != 0);
            crc = (crc << 1) & mask;
            if (feedback)
            {
                crc ^= poly;
            }
        }

        _dr = crc;
    }
}
