namespace ProdFlash.Emulator.Chips;

/// <summary>
/// The STM32F1 parts the emulator models, with every value cited from /work/shared/reference/stm32-targets.md
/// (section and source key in each comment).
/// </summary>
public static class Stm32F1Specs
{
    /// <summary>Cortex-M3 r1p1 SCS peripheral ID on a genuine F103 (J-Link log, reference §5.3 last line).</summary>
    private const ulong ScsPid = 0x04_001BB000;

    /// <summary>Cortex-M3 r1p1 DWT peripheral ID on a genuine F103 (J-Link log, reference §5.3).</summary>
    private const ulong DwtPid = 0x04_001BB002;

    /// <summary>Cortex-M3 r1p1 FPB peripheral ID on a genuine F103 (J-Link log "PID: 000BB003 FPB").</summary>
    private const ulong FpbPid = 0x04_000BB003;

    /// <summary>Cortex-M3 r1p1 ITM peripheral ID on a genuine F103 (J-Link log "PID: 001BB001 ITM").</summary>
    private const ulong ItmPid = 0x04_001BB001;

    /// <summary>Cortex-M3 r1p1 TPIU peripheral ID on a genuine F103 (J-Link log "PID: 001BB923 TPIU-Lite").</summary>
    private const ulong TpiuPid = 0x04_001BB923;

    /// <summary>
    /// Cortex-M3 r1p1 ETM peripheral ID: part 0x924 (reference §5.3 lists 0x003BB924 for r2p1; revision 1 assumed
    /// like the other r1p1 components). Its ROM-table entry is not marked present: the J-Link log of a genuine
    /// F103C8 lists five components and no ETM.
    /// </summary>
    private const ulong EtmPid = 0x04_001BB924;

    /// <summary>STM32F103C8: medium density, 64 KiB flash in 1 KiB pages, 20 KiB SRAM.</summary>
    public static Stm32F1ChipSpec Stm32F103C8 { get; } = MediumDensityF103("stm32f103c8", flashKiB: 64);

    /// <summary>STM32F103CB: the same die and identity as the C8 with 128 KiB flash (reference §5.3 FSIZE row).</summary>
    public static Stm32F1ChipSpec Stm32F103CB { get; } = MediumDensityF103("stm32f103cb", flashKiB: 128);

    /// <summary>All modeled parts, by <see cref="Stm32F1ChipSpec.PartName"/>.</summary>
    public static IReadOnlyDictionary<string, Stm32F1ChipSpec> ByPartName { get; } =
        new[] { Stm32F103C8, Stm32F103CB }.ToDictionary(spec => spec.PartName, StringComparer.OrdinalIgnoreCase);

    private static Stm32F1ChipSpec MediumDensityF103(string partName, int flashKiB) => new()
    {
        PartName = partName,
        DevId = 0x410, // §2.2 (OCD-f1): F1 medium density
        RevId = 0x2003, // §2.2: rev "Y"; §5.3 seen as 0x20036410
        DbgMcuIdCodeReservedNibble = 0x6, // §5.3: full IDCODE 0x20036410 (YEP, STL #1322)
        DpIdr = 0x1BA01477, // §5.1 (OCD-cfg f1)
        ApIdr = 0x14770011, // §5.3 (JLOG)
        ApBase = 0xE00FF003, // §1 item 3
        CpuId = 0x411FC231, // §5.2: Cortex-M3 r1p1, genuine STM32F103
        FlashBase = 0x08000000, // §2.1
        FlashSize = flashKiB * 1024, // §5.3 FSIZE row: 64 (C8) / 128 (CB)
        PageSize = 1024, // §2.3: F1 MD 1 KiB pages
        PagesPerWriteProtectBit = 4, // §2.3 / §2.4: WRP granule 4 pages on 1 KiB-page parts
        SramBase = 0x20000000,
        SramSize = 20 * 1024, // DS5319: STM32F103x8 20 KiB SRAM
        SystemMemoryBase = 0x1FFFF000, // RM0008 §3.3.1: system memory 0x1FFFF000-0x1FFFF7FF (MD)
        SystemMemorySize = 0x7E0, // up to the flash-size register at 0x1FFFF7E0
        FlashSizeRegisterAddress = 0x1FFFF7E0, // §2.1
        UniqueIdAddress = 0x1FFFF7E8, // §2.1
        OptionBytesAddress = 0x1FFFF800, // §4.2
        FlashRegistersBase = 0x40022000, // §2.4 FPEC
        DbgMcuIdCodeAddress = 0xE0042000, // §2.1
        // ROM table: designer ST (continuation 0, id 0x20) with JEDEC bit, part 0x410 (§5.3, §4.3 encoding).
        RomTableIdentity = new CoreSightIdentity(0x00_000A0410, CoreSightIdentity.RomTableComponentId),
        Components =
        [
            new("SCS", 0xE000E000, new(ScsPid, CoreSightIdentity.GenericIpComponentId), true),
            new("DWT", 0xE0001000, new(DwtPid, CoreSightIdentity.GenericIpComponentId), true),
            new("FPB", 0xE0002000, new(FpbPid, CoreSightIdentity.GenericIpComponentId), true),
            new("ITM", 0xE0000000, new(ItmPid, CoreSightIdentity.GenericIpComponentId), true),
            new("TPIU", 0xE0040000, new(TpiuPid, CoreSightIdentity.CoreSightComponentId), true),
            new("ETM", 0xE0041000, new(EtmPid, CoreSightIdentity.CoreSightComponentId), false),
        ],
        FpbCodeComparators = 6, // J-Link log: "FPUnit: 6 code (BP) slots and 2 literal slots"
        FpbLiteralComparators = 2,
        DwtComparators = 4, // ARMv7-M Cortex-M3 r1p1 TRM: 4 DWT comparators
        TypicalTimings = new(
            TimeSpan.FromTicks(525), // §3.4 DS5319: t_prog typ 52.5 µs (1 tick = 100 ns)
            TimeSpan.FromMilliseconds(20), // t_ERASE typ 20 ms
            TimeSpan.FromMilliseconds(20)), // t_ME typ 20 ms
        MaximumTimings = new(
            TimeSpan.FromMicroseconds(70),
            TimeSpan.FromMilliseconds(40),
            TimeSpan.FromMilliseconds(40)),
        NominalVoltage = 3.3,
    };
}
