namespace ProdFlash.Emulator.Chips;

/// <summary>
/// The STM32F1 reset and clock control (RCC) registers, as storage with their reset values, plus RCC_AHBENR with only
/// the bits a genuine F103 implements: clone detectors set bits 3 and 12 and expect them to stay 0 on ST silicon
/// (reference §5.3 "Other peripheral tells", BLAAT "identifying-32f103-clones"). Clocks are not modeled.
/// </summary>
/// <remarks>Not thread-safe; owned by one chip model.</remarks>
public sealed class Stm32F1Rcc
{
    /// <summary>RCC base address (RM0008 §3.3 memory map).</summary>
    public const uint Base = 0x40021000;

    /// <summary>Size of the RCC register window.</summary>
    public const uint WindowSize = 0x400;

    /// <summary>RCC_CR offset.</summary>
    public const uint CrOffset = 0x00;

    /// <summary>RCC_AHBENR offset.</summary>
    public const uint AhbEnrOffset = 0x14;

    /// <summary>RCC_BDCR offset (backup domain: not reset by a system reset).</summary>
    public const uint BdcrOffset = 0x20;

    /// <summary>RCC_CSR offset.</summary>
    public const uint CsrOffset = 0x24;

    /// <summary>RCC_CR reset value: HSION, HSIRDY, HSITRIM = 16 (RM0008 §7.3.1).</summary>
    public const uint CrResetValue = 0x00000083;

    /// <summary>RCC_AHBENR reset value: SRAMEN and FLITFEN (RM0008 §7.3.6).</summary>
    public const uint AhbEnrResetValue = 0x00000014;

    /// <summary>RCC_AHBENR bits that exist on an F103 medium-density part: DMA1EN, SRAMEN, FLITFEN, CRCEN (RM0008 §7.3.6).</summary>
    public const uint AhbEnrImplementedMask = 0x00000055;

    /// <summary>RCC_CSR value after power-on: PORRSTF and PINRSTF (RM0008 §7.3.10).</summary>
    public const uint CsrPowerOnValue = 0x0C000000;

    private readonly Dictionary<uint, uint> _registers = [];

    /// <summary>Creates the RCC in its power-on state.</summary>
    public Stm32F1Rcc()
    {
        _registers[CsrOffset] = CsrPowerOnValue;
        Reset();
    }

    /// <summary>System reset: every register but RCC_BDCR and RCC_CSR back to its reset value.</summary>
    public void Reset()
    {
        var bdcr = _registers.GetValueOrDefault(BdcrOffset);
        var csr = _registers.GetValueOrDefault(CsrOffset);
        _registers.Clear();
        _registers[CrOffset] = CrResetValue;
        _registers[AhbEnrOffset] = AhbEnrResetValue;
        _registers[BdcrOffset] = bdcr;
        _registers[CsrOffset] = csr;
    }

    /// <summary>Reads the register at <paramref name="offset"/> (word aligned).</summary>
    public uint Read(uint offset) => _registers.GetValueOrDefault(offset);

    /// <summary>Writes the register at <paramref name="offset"/> (word aligned).</summary>
    public void Write(uint offset, uint value) =>
        _registers[offset] = offset == AhbEnrOffset ? value & AhbEnrImplementedMask : value;
}
