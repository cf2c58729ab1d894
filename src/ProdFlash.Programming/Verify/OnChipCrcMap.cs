namespace ProdFlash.Programming.Verify;

/// <summary>The CRC unit's register set on a family (docs/onchip-verify.md).</summary>
public enum CrcRegisterSet
{
    /// <summary>F1, F4: DR, IDR, CR.RESET only; polynomial 0x04C11DB7 and init 0xFFFFFFFF fixed.</summary>
    Fixed,

    /// <summary>F030/F070: adds CR.REV_IN/REV_OUT and CRC_INIT (0x10); the polynomial is fixed.</summary>
    Init,

    /// <summary>G0, L4: adds CR.POLYSIZE and CRC_POL (0x14).</summary>
    InitAndPolynomial,
}

/// <summary>
/// Where a family's CRC unit and a memory-to-memory DMA channel sit, for the on-chip verify. Every address and bit is
/// listed with its source in docs/onchip-verify.md; the values are per family, identical for every part of it that the
/// catalog holds.
/// </summary>
/// <param name="Family">Catalog family key.</param>
/// <param name="RccEnableAddress">RCC register with the DMA and CRC clock enables.</param>
/// <param name="DmaEnableMask">Clock-enable bit of the DMA used (F4: DMA2EN — only DMA2 does memory-to-memory).</param>
/// <param name="CrcEnableMask">CRCEN.</param>
/// <param name="Crc">The CRC unit's register set.</param>
/// <param name="StreamDma">True: F4 stream DMA (DMA2 stream 0); false: channel DMA (DMA1 channel 1).</param>
/// <param name="DmaBase">Base of the DMA used.</param>
/// <param name="DmaMuxChannel0">G0: DMAMUX_C0CR (the request line of DMA channel 1), else null.</param>
/// <param name="ChannelSelection">L4: DMA1_CSELR, else null.</param>
/// <param name="ResetHclkHz">HCLK after reset (HSI 8 MHz F0/F1, HSI16 F4/G0, MSI 4 MHz L4): sizes the first wait.</param>
public sealed record OnChipCrcMap(
    string Family,
    uint RccEnableAddress,
    uint DmaEnableMask,
    uint CrcEnableMask,
    CrcRegisterSet Crc,
    bool StreamDma,
    uint DmaBase,
    uint? DmaMuxChannel0,
    uint? ChannelSelection,
    double ResetHclkHz)
{
    /// <summary>CRC unit base (every family here).</summary>
    public const uint CrcBase = 0x40023000;

    /// <summary>CRC_DR.</summary>
    public const uint CrcDr = CrcBase + 0x00;

    /// <summary>CRC_CR.</summary>
    public const uint CrcCr = CrcBase + 0x08;

    /// <summary>CRC_INIT.</summary>
    public const uint CrcInit = CrcBase + 0x10;

    /// <summary>CRC_POL.</summary>
    public const uint CrcPol = CrcBase + 0x14;

    /// <summary>CRC_CR.RESET.</summary>
    public const uint CrcCrReset = 1u << 0;

    /// <summary>Largest item count of one DMA transfer (CNDTR/NDTR are 16 bits).</summary>
    public const int MaxItems = 0xFFFF;

    /// <summary>The families with a map, by catalog key.</summary>
    public static IReadOnlyDictionary<string, OnChipCrcMap> ByFamily { get; } = new Dictionary<string, OnChipCrcMap>(StringComparer.Ordinal)
    {
        // RM0008: RCC_AHBENR (0x40021014) DMA1EN b0, CRCEN b6; DMA1 0x40020000; CRC (STM32F103 SVD).
        ["f1"] = new("f1", 0x40021014, 1u << 0, 1u << 6, CrcRegisterSet.Fixed, false, 0x40020000, null, null, 8e6),

        // RM0360: RCC_AHBENR (0x40021014) DMAEN b0, CRCEN b6; DMA 0x40020000; CRC with INIT, no POL (STM32F0x0 SVD).
        ["f0"] = new("f0", 0x40021014, 1u << 0, 1u << 6, CrcRegisterSet.Init, false, 0x40020000, null, null, 8e6),

        // RM0090: RCC_AHB1ENR (0x40023830) CRCEN b12, DMA2EN b22 (STM32F407 SVD); DMA2 0x40026400 (only DMA2 does memory-to-memory).
        ["f4"] = new("f4", 0x40023830, 1u << 22, 1u << 12, CrcRegisterSet.Fixed, true, 0x40026400, null, null, 16e6),

        // RM0444: RCC_AHBENR (0x40021038) DMAEN b0, CRCEN b12 (STM32G071 SVD); DMA1 0x40020000; DMAMUX 0x40020800.
        ["g0"] = new("g0", 0x40021038, 1u << 0, 1u << 12, CrcRegisterSet.InitAndPolynomial, false, 0x40020000, 0x40020800, null, 16e6),

        // RM0351: RCC_AHB1ENR (0x40021048) DMA1EN b0, CRCEN b12 (STM32L4x6 SVD); DMA1 0x40020000 with CSELR at +0xA8.
        ["l4"] = new("l4", 0x40021048, 1u << 0, 1u << 12, CrcRegisterSet.InitAndPolynomial, false, 0x40020000, null, 0x400200A8, 4e6),
    };
}
