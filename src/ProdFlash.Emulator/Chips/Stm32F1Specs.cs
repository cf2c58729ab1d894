using ProdFlash.Core.Devices;

namespace ProdFlash.Emulator.Chips;

/// <summary>
/// Builds <see cref="Stm32F1ChipSpec"/> records from the device catalog (ProdFlash.Core <see cref="DeviceCatalog"/>),
/// so identity, sizes, keys and timings live in one place. The debug-side facts the catalog does not hold are cited
/// here from /work/shared/reference/stm32-targets.md.
/// </summary>
public static class Stm32F1Specs
{
    /// <summary>REV_ID the models report by default: rev "Y", seen on genuine F103s as 0x20036410 (reference §2.2, §5.3).</summary>
    public const ushort DefaultRevId = 0x2003;

    /// <summary>AHB-AP BASE low bits: FORMAT (b1, ADIv5 format) and PRESENT (b0); an F303 reads 0xE00FF003 (reference §1 item 3).</summary>
    public const uint ApBaseFormatAndPresent = 0x3;

    /// <summary>DBGMCU_IDCODE bits [15:12] on a genuine F103: 0x6 (full value 0x20036410, reference §5.3, YEP, STL #1322).</summary>
    public const byte F103IdCodeReservedNibble = 0x6;

    /// <summary>System memory (boot loader) base on F1 (RM0008 §3.3.1 table 5).</summary>
    public const uint F1SystemMemoryBase = 0x1FFFF000;

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
    public static Stm32F1ChipSpec Stm32F103C8 { get; } = FromCatalog("stm32f103c8");

    /// <summary>STM32F103CB: the same die and identity as the C8 with 128 KiB flash.</summary>
    public static Stm32F1ChipSpec Stm32F103CB { get; } = FromCatalog("stm32f103cb");

    /// <summary>All modeled parts, by <see cref="Stm32F1ChipSpec.PartName"/> (case-insensitive).</summary>
    public static IReadOnlyDictionary<string, Stm32F1ChipSpec> ByPartName { get; } =
        new[] { Stm32F103C8, Stm32F103CB }.ToDictionary(spec => spec.PartName, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Every STM32F1 part of <see cref="DeviceCatalog.Default"/> the model can be built for (with the line's first
    /// known revision when the F103 default is not one of its revisions), by lower-case part number.
    /// </summary>
    public static IEnumerable<(string PartNumber, Lazy<Stm32F1ChipSpec> Spec)> CatalogSpecs()
    {
        foreach (var part in DeviceCatalog.Default.Parts.Where(p => string.Equals(p.Family.Key, "f1", StringComparison.OrdinalIgnoreCase)))
        {
            if (Unmodeled(part) is null)
            {
                var revId = part.Line.RevisionName(DefaultRevId) is null ? part.Line.Revisions.Keys.Min() : DefaultRevId;
                yield return (part.PartNumber, new Lazy<Stm32F1ChipSpec>(() => FromCatalog(part, revId)));
            }
        }
    }

    /// <summary>Why the F1 model cannot be built for <paramref name="part"/> from the catalog, or null when it can.</summary>
    public static string? Unmodeled(DevicePart part)
    {
        ArgumentNullException.ThrowIfNull(part);
        try
        {
            var revId = part.Line.RevisionName(DefaultRevId) is null && part.Line.Revisions.Count > 0 ? part.Line.Revisions.Keys.Min() : DefaultRevId;
            _ = FromCatalog(part, revId);
            return null;
        }
        catch (ChipConfigurationException error)
        {
            return error.Message;
        }
    }

    /// <summary>Builds the spec of catalog part <paramref name="partNumber"/> from <see cref="DeviceCatalog.Default"/>.</summary>
    /// <exception cref="ChipConfigurationException">The catalog does not know the part, or it is not an F1 part the model covers.</exception>
    public static Stm32F1ChipSpec FromCatalog(string partNumber, ushort revId = DefaultRevId)
    {
        var part = DeviceCatalog.Default.FindPart(partNumber)
            ?? throw new ChipConfigurationException($"The device catalog has no part '{partNumber}'; pick one of its STM32F1 parts, e.g. stm32f103c8.");
        return FromCatalog(part, revId);
    }

    /// <summary>Builds the spec of a catalog part.</summary>
    /// <exception cref="ChipConfigurationException">
    /// The part is not an STM32F1 with a Cortex-M3 r1p1 identity, <paramref name="revId"/> is not a revision the catalog
    /// lists for its line, or a fact the model needs is unknown in the catalog.
    /// </exception>
    public static Stm32F1ChipSpec FromCatalog(DevicePart part, ushort revId = DefaultRevId)
    {
        ArgumentNullException.ThrowIfNull(part);
        var family = part.Family;
        var line = part.Line;
        if (!string.Equals(family.Key, "f1", StringComparison.OrdinalIgnoreCase))
        {
            throw new ChipConfigurationException($"{part.PartNumber} is an {family.Name} part; the STM32F1 chip model covers F1 parts only.");
        }

        if (line.RevisionName(revId) is null)
        {
            throw new ChipConfigurationException(
                $"REV_ID 0x{revId:X4} is not a known revision of {line}; use one of {string.Join(", ", line.Revisions.Keys.Select(r => $"0x{r:X4}"))}.");
        }

        var genuine = family.Genuine;
        var sram = part.Ram.FirstOrDefault(r => r.Base == 0x20000000)
            ?? throw Missing(part, "an SRAM region at 0x20000000");
        // XL density (a second bank with its own registers): modeled with the named assumptions below where the catalog
        // has no value; the other 2 KiB-page lines (HD, CL, VL-HD) are not modeled.
        var bank2 = part.Layout.Units.Where(u => u.Bank == 2).Select(u => (EraseUnit?)u).FirstOrDefault();
        var assumptions = new Dictionary<string, string>();
        var romPart = line.RomTablePart
            ?? (bank2 is not null ? Assume(assumptions, "ROM-table PART", line.DevId, XlRomPartAssumption) : throw Missing(part, "the ROM-table part number"));
        var pageSize = (int)line.EraseUnitSize;
        var pageTimes = line.Timings.EraseTime((uint)pageSize);
        if (!pageTimes.IsKnown && bank2 is not null)
        {
            pageTimes = line.Timings.EraseTime(1024);
            assumptions[$"{pageSize}-byte page erase"] = XlPageEraseAssumption;
        }

        return new Stm32F1ChipSpec
        {
            PartName = part.PartNumber,
            DevId = line.DevId,
            RevId = revId,
            DbgMcuIdCodeReservedNibble = F103IdCodeReservedNibble,
            DpIdr = genuine.SwdDpIdr,
            ApIdr = genuine.AhbApIdr ?? throw Missing(part, "the AHB-AP IDR"),
            ApBase = (genuine.RomTableBase ?? throw Missing(part, "the ROM-table base")) | ApBaseFormatAndPresent,
            CpuId = genuine.CpuId ?? throw Missing(part, "the CPUID"),
            FlashBase = family.FlashBase,
            FlashSize = part.FlashKiB * 1024,
            PageSize = pageSize,
            PagesPerWriteProtectBit = line.WriteProtectionPagesPerBit ?? throw Missing(part, "the WRP granule"),
            SramBase = sram.Base,
            SramSize = (int)sram.Size,
            SystemMemoryBase = F1SystemMemoryBase,
            SystemMemorySize = (int)(family.FlashSizeRegisterAddress - F1SystemMemoryBase),
            FlashSizeRegisterAddress = family.FlashSizeRegisterAddress,
            UniqueIdAddress = family.UidAddress,
            OptionBytesAddress = family.OptionBytes.Address ?? throw Missing(part, "the option-byte address"),
            FlashRegistersBase = family.FlashController.Base,
            FlashKey1 = family.FlashController.Key1,
            FlashKey2 = family.FlashController.Key2,
            OptionKey1 = family.FlashController.OptKey1,
            OptionKey2 = family.FlashController.OptKey2,
            HasRdpLevel2 = family.OptionBytes.Rdp.Level2.HasValue,
            DbgMcuIdCodeAddress = family.DbgmcuIdcodeAddress,
            RomTableIdentity = new CoreSightIdentity(RomTablePeripheralId(genuine.RomTableDesigner, romPart), CoreSightIdentity.RomTableComponentId),
            Components =
            [
                new("SCS", 0xE000E000, new(ScsPid, CoreSightIdentity.GenericIpComponentId), true),
                new("DWT", 0xE0001000, new(DwtPid, CoreSightIdentity.GenericIpComponentId), true),
                new("FPB", 0xE0002000, new(FpbPid, CoreSightIdentity.GenericIpComponentId), true),
                new("ITM", 0xE0000000, new(ItmPid, CoreSightIdentity.GenericIpComponentId), true),
                new("TPIU", 0xE0040000, new(TpiuPid, CoreSightIdentity.CoreSightComponentId), true),
                new("ETM", 0xE0041000, new(EtmPid, CoreSightIdentity.CoreSightComponentId), false),
            ],
            FpbCodeComparators = 6, // J-Link log of a genuine F103: "FPUnit: 6 code (BP) slots and 2 literal slots"
            FpbLiteralComparators = 2,
            DwtComparators = 4, // Cortex-M3 TRM: the DWT has 4 comparators
            TypicalTimings = Times(part, line.Timings, pageTimes, pageSize, range => range.Typical ?? range.Maximum), // DS5319 gives no typical erase time
            MaximumTimings = Times(part, line.Timings, pageTimes, pageSize, range => range.Maximum),
            NominalVoltage = 3.3, // DS5319: VDD 2.0-3.6 V; 3.3 V is the usual board supply
            Bank2Offset = bank2 is { } b ? (int)(b.Address - family.FlashBase) : null,
            Assumptions = assumptions,
        };
    }

    /// <summary>
    /// The ROM table's 40-bit peripheral ID for a JEP106 designer (12-bit continuation &lt;&lt; 8 | id) and part:
    /// PIDR0 = part[7:0]; PIDR1 = id[3:0] &lt;&lt; 4 | part[11:8]; PIDR2 = JEDEC bit 3 | id[6:4]; PIDR4 = continuation
    /// (reference §4.3).
    /// </summary>
    public static ulong RomTablePeripheralId(ushort designer, ushort part)
    {
        uint designerBits = designer;
        uint partBits = part;
        var id = designerBits & 0x7Fu;
        var continuation = (designerBits >> 8) & 0xFu;
        const uint jedecUsed = 0x8u << 16; // PIDR2 bit 3
        var low = jedecUsed | ((id >> 4) << 16) | ((id & 0xFu) << 12) | (partBits & 0xFFFu);
        return ((ulong)continuation << 32) | low;
    }

    /// <summary>
    /// XL-density ROM-table PART: not confirmed by a public source; ST ROM tables carry the DEV_ID as PART (F103 MD:
    /// 0x410, reference §4.3), as the F0/F4/G0/L4 models also assume (<see cref="Stm32Specs"/>).
    /// </summary>
    private const string XlRomPartAssumption =
        "assumption: the DEV_ID (0x430), as a genuine F103 medium-density ROM table shows its DEV_ID 0x410 (reference §4.3); no XL-density ROM-table dump was found";

    /// <summary>
    /// XL-density 2 KiB page erase: the catalog has no time for 2 KiB F1 pages; the DS5319 1 KiB page range
    /// (catalog typical 20 ms, maximum 40 ms) is taken for it.
    /// </summary>
    private const string XlPageEraseAssumption =
        "assumption: the DS5319 Table 28 1 KiB page erase times (catalog typical 20 ms, maximum 40 ms) taken for the 2 KiB page; the XL-density datasheet was not checked";

    private static ushort Assume(Dictionary<string, string> assumptions, string what, ushort value, string why)
    {
        assumptions[what] = why;
        return value;
    }

    private static FlashOperationTimes Times(DevicePart part, FlashTimings timings, TimingRange pageTimes, int pageSize, Func<TimingRange, TimeSpan?> pick) => new(
        pick(timings.Program) ?? throw Missing(part, "the half-word programming time"),
        pick(pageTimes) ?? throw Missing(part, $"the {pageSize}-byte page erase time"),
        pick(timings.MassErase) ?? throw Missing(part, "the mass-erase time"));

    private static ChipConfigurationException Missing(DevicePart part, string what) =>
        new($"The device catalog does not give {what} for {part.PartNumber}; the chip model needs it. Add it to stm32-devices.json with its source.");
}
