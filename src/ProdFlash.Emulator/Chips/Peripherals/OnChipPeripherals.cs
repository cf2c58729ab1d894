using ProdFlash.Emulator.Target;

namespace ProdFlash.Emulator.Chips.Peripherals;

/// <summary>
/// Where a family's CRC unit, memory-to-memory DMA and their RCC clock-enable bits sit, and how fast the DMA moves a
/// word at the reset clock. Facts and sources: docs/onchip-verify.md (RM0008, RM0090, RM0360, RM0444, RM0351 and the
/// vendor SVD files).
/// </summary>
/// <param name="Family">Family key (<c>f0</c>, <c>f1</c>, <c>f4</c>, <c>g0</c>, <c>l4</c>).</param>
/// <param name="RccEnableAddress">The RCC register holding the DMA and CRC clock enables.</param>
/// <param name="DmaEnableMask">The memory-to-memory DMA's clock-enable bit (F4: DMA2EN).</param>
/// <param name="CrcEnableMask">CRCEN.</param>
/// <param name="Crc">Which CRC unit.</param>
/// <param name="IdrBits">Width of CRC_IDR.</param>
/// <param name="StreamDma">True for the F4 stream DMA, false for the channel DMA.</param>
/// <param name="DmaBase">Base of the DMA used (F4: DMA2).</param>
/// <param name="DmaChannels">Channels of the channel DMA (streams are always 8).</param>
/// <param name="DmaMuxBase">G0 DMAMUX base, or null.</param>
/// <param name="HasChannelSelection">Whether DMA_CSELR exists (L4).</param>
/// <param name="ResetHclkHz">HCLK after reset: HSI 8 MHz (F0, F1), HSI16 (F4, G0), MSI 4 MHz (L4).</param>
/// <param name="CyclesPerItem">
/// AHB clocks per 32-bit memory-to-memory item (a read and a write, arbitration between them). A model figure, not a
/// datasheet one: the reference manuals give no per-item time; see docs/onchip-verify.md.
/// </param>
public sealed record OnChipPeripheralLayout(
    string Family,
    uint RccEnableAddress,
    uint DmaEnableMask,
    uint CrcEnableMask,
    CrcUnitKind Crc,
    int IdrBits,
    bool StreamDma,
    uint DmaBase,
    int DmaChannels,
    uint? DmaMuxBase,
    bool HasChannelSelection,
    double ResetHclkHz,
    int CyclesPerItem)
{
    /// <summary>Model figure: AHB clocks per memory-to-memory word (docs/onchip-verify.md).</summary>
    public const int DefaultCyclesPerItem = 5;

    /// <summary>STM32F1: RCC_AHBENR 0x40021014 DMA1EN b0, CRCEN b6; DMA1 0x40020000, 7 channels; HSI 8 MHz.</summary>
    public static OnChipPeripheralLayout F1 { get; } = new("f1", 0x40021014, 1u << 0, 1u << 6, CrcUnitKind.Fixed, 8, false, 0x40020000, 7, null, false, 8e6, DefaultCyclesPerItem);

    /// <summary>STM32F0 (F030/F070): RCC_AHBENR 0x40021014 DMAEN b0, CRCEN b6; DMA 0x40020000, 5 channels; HSI 8 MHz.</summary>
    public static OnChipPeripheralLayout F0 { get; } = new("f0", 0x40021014, 1u << 0, 1u << 6, CrcUnitKind.ProgrammableInit, 8, false, 0x40020000, 5, null, false, 8e6, DefaultCyclesPerItem);

    /// <summary>STM32F4: RCC_AHB1ENR 0x40023830 DMA2EN b22, CRCEN b12; DMA2 0x40026400; HSI 16 MHz.</summary>
    public static OnChipPeripheralLayout F4 { get; } = new("f4", 0x40023830, 1u << 22, 1u << 12, CrcUnitKind.Fixed, 8, true, 0x40026400, 8, null, false, 16e6, DefaultCyclesPerItem);

    /// <summary>STM32G0: RCC_AHBENR 0x40021038 DMAEN b0, CRCEN b12; DMA1 0x40020000, 7 channels; DMAMUX 0x40020800; HSI16.</summary>
    public static OnChipPeripheralLayout G0 { get; } = new("g0", 0x40021038, 1u << 0, 1u << 12, CrcUnitKind.ProgrammablePolynomial, 32, false, 0x40020000, 7, 0x40020800, false, 16e6, DefaultCyclesPerItem);

    /// <summary>STM32L4: RCC_AHB1ENR 0x40021048 DMA1EN b0, CRCEN b12; DMA1 0x40020000, 7 channels, CSELR; MSI 4 MHz.</summary>
    public static OnChipPeripheralLayout L4 { get; } = new("l4", 0x40021048, 1u << 0, 1u << 12, CrcUnitKind.ProgrammablePolynomial, 8, false, 0x40020000, 7, null, true, 4e6, DefaultCyclesPerItem);

    /// <summary>Modeled time of one memory-to-memory item, in (fractional) <see cref="TimeSpan"/> ticks.</summary>
    public double ItemTicks => CyclesPerItem * TimeSpan.TicksPerSecond / ResetHclkHz;

    /// <summary>Modeled time of <paramref name="items"/> memory-to-memory items.</summary>
    public TimeSpan TimeFor(int items) => TimeSpan.FromTicks((long)Math.Ceiling(items * ItemTicks));

    /// <summary>The layout of family <paramref name="familyKey"/>, or null where none is modeled.</summary>
    public static OnChipPeripheralLayout? ForFamily(string familyKey) => familyKey switch
    {
        "f0" => F0,
        "f1" => F1,
        "f4" => F4,
        "g0" => G0,
        "l4" => L4,
        _ => null,
    };
}

/// <summary>
/// A chip's CRC unit, memory-to-memory DMA and (G0) DMAMUX as bus slaves, clock-gated by their RCC enable bits: with
/// the clock off, reads return 0 and writes are ignored, as on silicon.
/// </summary>
/// <remarks>Not thread-safe; owned by one chip model, which calls <see cref="CatchUp"/> before every bus access.</remarks>
public sealed class OnChipPeripherals
{
    /// <summary>DMAMUX register window size.</summary>
    public const int DmaMuxWindowSize = 0x400;

    /// <summary>DMAMUX channel control registers modeled (C0CR..C6CR on the G071).</summary>
    public const int DmaMuxChannels = 7;

    private readonly Func<uint> _rccEnable;
    private readonly Stm32DmaChannels? _channels;
    private readonly Stm32DmaStreams? _streams;
    private readonly uint[] _dmaMux = new uint[DmaMuxChannels];

    /// <summary>Creates the peripherals in their reset state.</summary>
    /// <param name="layout">Where they sit.</param>
    /// <param name="clock">Modeled time.</param>
    /// <param name="bus">The chip's bus as the DMA master sees it.</param>
    /// <param name="rccEnable">Reads the RCC register at <see cref="OnChipPeripheralLayout.RccEnableAddress"/>.</param>
    public OnChipPeripherals(OnChipPeripheralLayout layout, IModeledClock clock, IDmaBus bus, Func<uint> rccEnable)
    {
        ArgumentNullException.ThrowIfNull(layout);
        Layout = layout;
        _rccEnable = rccEnable;
        Crc = new Stm32CrcUnit(layout.Crc, layout.IdrBits);
        if (layout.StreamDma)
        {
            _streams = new Stm32DmaStreams(clock, bus, layout.ItemTicks);
        }
        else
        {
            _channels = new Stm32DmaChannels(clock, bus, layout.DmaChannels, layout.ItemTicks, layout.HasChannelSelection);
        }
    }

    /// <summary>Where the peripherals sit.</summary>
    public OnChipPeripheralLayout Layout { get; }

    /// <summary>The CRC unit.</summary>
    public Stm32CrcUnit Crc { get; }

    private bool DmaClocked => (_rccEnable() & Layout.DmaEnableMask) != 0;

    private bool CrcClocked => (_rccEnable() & Layout.CrcEnableMask) != 0;

    /// <summary>Peripheral reset (system reset).</summary>
    public void Reset()
    {
        Crc.Reset();
        _channels?.Reset();
        _streams?.Reset();
        Array.Clear(_dmaMux);
    }

    /// <summary>Whether a DMA transfer is moving data.</summary>
    public bool DmaActive => _channels is { Active: true } || _streams is { Active: true };

    /// <summary>Moves a running DMA transfer up to the current modeled time.</summary>
    public void CatchUp()
    {
        if (_channels is { Active: true })
        {
            _channels.CatchUp();
        }
        else if (_streams is { Active: true })
        {
            _streams.CatchUp();
        }
    }

    /// <summary>Reads <paramref name="address"/> when it belongs to one of these peripherals.</summary>
    /// <returns>False when the address is not theirs.</returns>
    public bool TryRead(uint address, int size, out uint value)
    {
        value = 0;
        if (!TryWindow(address, size, out var window, out var offset))
        {
            return false;
        }

        var word = window switch
        {
            Window.Crc => CrcClocked ? Crc.Read(offset) : 0,
            Window.Dma => !DmaClocked ? 0 : _streams?.Read(offset) ?? _channels!.Read(offset),
            _ => DmaClocked && offset / 4 < DmaMuxChannels ? _dmaMux[offset / 4] : 0,
        };
        value = BusBytes.Extract(word, address, size);
        return true;
    }

    /// <summary>Writes <paramref name="address"/> when it belongs to one of these peripherals.</summary>
    /// <returns>False when the address is not theirs.</returns>
    public bool TryWrite(uint address, int size, uint value)
    {
        if (!TryWindow(address, size, out var window, out var offset))
        {
            return false;
        }

        switch (window)
        {
            case Window.Crc when CrcClocked:
                if (offset == Stm32CrcUnit.DrOffset)
                {
                    Crc.Write(offset, size, value); // DR takes 8/16/32-bit data as written
                }
                else
                {
                    Crc.Write(offset, 4, size == 4 ? value : BusBytes.Merge(Crc.Read(offset), address, size, value));
                }

                break;
            case Window.Dma when DmaClocked:
                var word = size == 4 ? value : BusBytes.Merge(_streams?.Read(offset) ?? _channels!.Read(offset), address, size, value);
                if (_streams is not null)
                {
                    _streams.Write(offset, word);
                }
                else
                {
                    _channels!.Write(offset, word);
                }

                break;
            case Window.DmaMux when DmaClocked && offset / 4 < DmaMuxChannels:
                _dmaMux[offset / 4] = size == 4 ? value : BusBytes.Merge(_dmaMux[offset / 4], address, size, value);
                break;
            default:
                break; // clock off: writes are lost
        }

        return true;
    }

    private bool TryWindow(uint address, int size, out Window window, out uint offset)
    {
        if (BusBytes.InRange(address, size, Stm32CrcUnit.Base, Stm32CrcUnit.WindowSize))
        {
            (window, offset) = (Window.Crc, (address - Stm32CrcUnit.Base) & ~3u);
            return true;
        }

        var dmaWindow = Layout.StreamDma ? Stm32DmaStreams.WindowSize : Stm32DmaChannels.WindowSize;
        if (BusBytes.InRange(address, size, Layout.DmaBase, dmaWindow))
        {
            (window, offset) = (Window.Dma, (address - Layout.DmaBase) & ~3u);
            return true;
        }

        if (Layout.DmaMuxBase is { } mux && BusBytes.InRange(address, size, mux, DmaMuxWindowSize))
        {
            (window, offset) = (Window.DmaMux, (address - mux) & ~3u);
            return true;
        }

        (window, offset) = (Window.Crc, 0);
        return false;
    }

    private enum Window
    {
        Crc,
        Dma,
        DmaMux,
    }
}
