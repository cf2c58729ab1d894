using ProdFlash.Core.Devices;

namespace ProdFlash.Emulator.Chips;

/// <summary>
/// Builds <see cref="Stm32ChipSpec"/> records for STM32F0, F4, G0 and L4 parts from the device catalog. The debug-side
/// facts the catalog does not hold are cited here; every flash time comes from the catalog where it has one.
/// </summary>
/// <remarks>
/// Flash times: the catalog's typical value; where it is unknown, the catalog's maximum (so such a part is modeled
/// slow, never fast); where the catalog has neither, the one named assumption per value below, marked
/// <see cref="ModeledTimeOrigin.Assumption"/> so <see cref="Stm32ChipSpec.TimingAssumptions"/> lists it.
/// </remarks>
public static class Stm32Specs
{
    /// <summary>Family keys these models cover.</summary>
    public static IReadOnlyList<string> FamilyKeys { get; } = ["f0", "f4", "g0", "l4"];

    /// <summary>AHB-AP BASE: ROM table at 0xE00FF000, format and present bits set (an STM32F303 reads 0xE00FF003, reference §1 item 3).</summary>
    public const uint DefaultApBase = 0xE00FF003;

    /// <summary>Nominal board supply the probe senses, in volts (every family here runs from 3.3 V boards).</summary>
    public const double NominalVoltage = 3.3;

    // Cortex-M0 (ARM DDI 0432C §4 "Debug"): SCS, DWT, BPU peripheral IDs; AHB-AP IDR of the M0 DAP (variant 2 of
    // the ARM AHB-AP, 0x04770021 as J-Link and OpenOCD logs of Cortex-M0 parts print it).
    private const uint M0ApIdr = 0x04770021;

    // Cortex-M0+ (ARM DDI 0484C): same component parts as the M0, AHB-AP variant 3 (0x04770031 in public OpenOCD logs of G0 parts).
    private const uint M0PlusApIdr = 0x04770031;

    // Cortex-M4 r0p1 AHB-AP: 0x24770011 (reference §5 "AHB-AP IDR 0x24770011" for r2p1-class DAPs, STM32F4 logs).
    private const uint M4ApIdr = 0x24770011;

    /// <summary>Generic Cortex-M0 r0p0 CPUID (reference §2.4 F0 card, §5.2 table).</summary>
    private const uint M0CpuId = 0x410CC200;

    /// <summary>Generic Cortex-M0+ r0p1 CPUID (reference §5.2 table).</summary>
    private const uint M0PlusCpuId = 0x410CC601;

    /// <summary>Builds the spec of catalog part <paramref name="partNumber"/>.</summary>
    /// <exception cref="ChipConfigurationException">Unknown part, or not an F0/F4/G0/L4 part.</exception>
    public static Stm32ChipSpec FromCatalog(string partNumber, ushort? revId = null)
    {
        var part = DeviceCatalog.Default.FindPart(partNumber)
            ?? throw new ChipConfigurationException($"The device catalog has no part '{partNumber}'; pick one of its F0/F4/G0/L4 parts, e.g. stm32f407vg.");
        return FromCatalog(part, revId);
    }

    /// <summary>Builds the spec of a catalog part; <paramref name="revId"/> defaults to the line's highest known revision.</summary>
    /// <exception cref="ChipConfigurationException">The part is not F0/F4/G0/L4, or the revision is unknown for its line.</exception>
    public static Stm32ChipSpec FromCatalog(DevicePart part, ushort? revId = null)
    {
        ArgumentNullException.ThrowIfNull(part);
        var family = part.Family;
        var key = family.Key.ToLowerInvariant();
        if (!FamilyKeys.Contains(key))
        {
            throw new ChipConfigurationException($"{part.PartNumber} is an {family.Name} part; this model covers {string.Join("/", FamilyKeys)} only.");
        }

        var rev = revId ?? part.Line.Revisions.Keys.Max();
        if (part.Line.RevisionName(rev) is null)
        {
            throw new ChipConfigurationException(
                $"REV_ID 0x{rev:X4} is not a known revision of {part.Line}; use one of {string.Join(", ", part.Line.Revisions.Keys.Select(r => $"0x{r:X4}"))}.");
        }

        var genuine = family.Genuine;
        var romPart = part.Line.RomTablePart ?? part.Line.DevId; // ST ROM tables carry the DEV_ID as PART (F103: 0x410, reference §4.3); assumed for these lines
        var (apIdr, cpuId, components, fpbCode, fpbLiteral, dwt) = key switch
        {
            "f0" => (M0ApIdr, genuine.CpuId ?? M0CpuId, CortexM0Components(), 4, 0, 2),
            "g0" => (M0PlusApIdr, genuine.CpuId ?? M0PlusCpuId, CortexM0Components(), 4, 0, 2),
            _ => (M4ApIdr, genuine.CpuId ?? throw Missing(part, "the CPUID"), CortexM4Components(), 6, 2, 4),
        };

        return new Stm32ChipSpec
        {
            Part = part,
            RevId = rev,
            DpIdr = genuine.SwdDpIdr,
            ApIdr = genuine.AhbApIdr ?? apIdr,
            ApBase = genuine.RomTableBase is { } rom ? rom | 0x3 : DefaultApBase,
            CpuId = cpuId,
            RomTableIdentity = new CoreSightIdentity(Stm32F1Specs.RomTablePeripheralId(genuine.RomTableDesigner, romPart), CoreSightIdentity.RomTableComponentId),
            Components = components,
            FpbCodeComparators = fpbCode,
            FpbLiteralComparators = fpbLiteral,
            DwtComparators = dwt,
            Units = Units(part, key),
            Timings = Times(part, key),
            TimingsByParallelism = ParallelismTimes(part, Times(part, key)),
            NominalVoltage = NominalVoltage,
        };
    }

    /// <summary>Every catalog part these models cover.</summary>
    public static IEnumerable<DevicePart> CatalogParts() =>
        DeviceCatalog.Default.Families.Where(f => FamilyKeys.Contains(f.Key.ToLowerInvariant())).SelectMany(f => f.Parts);

    private static List<FlashUnit> Units(DevicePart part, string key)
    {
        var units = new List<FlashUnit>();
        var firstOfBank = new Dictionary<int, int>();
        foreach (var unit in part.Layout.Units)
        {
            firstOfBank.TryAdd(unit.Bank, unit.Index);

            // G0/L4 PNB counts pages within the bank (OCD-l4 stm32l4_erase with BKER); F4 SNB is the catalog number.
            var number = key is "l4" or "g0" ? unit.Index - firstOfBank[unit.Bank] : unit.Number;
            units.Add(new FlashUnit((int)(unit.Address - part.Family.FlashBase), (int)unit.Size, unit.Bank, number, unit.Index));
        }

        return units;
    }

    private static FamilyFlashTimes Times(DevicePart part, string key)
    {
        var timings = part.Line.Timings;
        var erase = new Dictionary<uint, ModeledTime>();
        foreach (var size in part.Layout.Units.Select(u => u.Size).Distinct())
        {
            erase[size] = Pick(timings.EraseTime(size), EraseAssumption(key, size), part, $"{size}-byte erase");
        }

        var firstUnitErase = erase[part.Layout.Units.First().Size];
        return new FamilyFlashTimes(
            Pick(timings.Program, ProgramAssumption(key), part, "programming"),
            erase,
            Pick(timings.MassErase, MassEraseAssumption(key), part, "mass erase"),
            Pick(timings.OptionBytes, OptionBytesAssumption(firstUnitErase), part, "option-byte programming"));
    }

    /// <summary>
    /// The line's other PSIZE columns (F4 0x413: x8, x16): each value the column gives (typical, else maximum), and where
    /// it gives none, the listed column's modeled time, named as an assumption.
    /// </summary>
    private static Dictionary<int, FamilyFlashTimes> ParallelismTimes(DevicePart part, FamilyFlashTimes listed)
    {
        var columns = new Dictionary<int, FamilyFlashTimes>();
        foreach (var (bytes, timings) in part.Line.Timings.ByParallelism)
        {
            var name = $"x{bytes * 8}";
            ModeledTime Column(TimingRange range, ModeledTime fallback) =>
                range.Typical is { } typical ? new ModeledTime(typical, $"catalog typical at {name} ({range.Source})", ModeledTimeOrigin.CatalogTypical)
                : range.Maximum is { } maximum ? new ModeledTime(maximum, $"catalog maximum at {name}, typical unknown ({range.Source})", ModeledTimeOrigin.CatalogMaximum)
                : Assumed(fallback.Time, $"the listed column's time ({fallback.Source}) at {name}, for which the catalog has none");
            var erase = listed.UnitErase.ToDictionary(e => e.Key, e => Column(timings.EraseTime(e.Key), e.Value));
            columns[bytes] = new FamilyFlashTimes(
                Column(timings.Program, listed.Program),
                erase,
                Column(timings.MassErase, listed.MassErase),
                Column(timings.OptionBytes, listed.OptionBytes));
        }

        return columns;
    }

    private static ModeledTime Pick(TimingRange range, ModeledTime? assumption, DevicePart part, string what)
    {
        if (range.Typical is { } typical)
        {
            return new ModeledTime(typical, $"catalog typical ({range.Source})", ModeledTimeOrigin.CatalogTypical);
        }

        if (range.Maximum is { } maximum)
        {
            return new ModeledTime(maximum, $"catalog maximum, typical unknown ({range.Source})", ModeledTimeOrigin.CatalogMaximum);
        }

        return assumption ?? throw Missing(part, $"the {what} time");
    }

    private static ModeledTime Assumed(TimeSpan time, string why) => new(time, $"assumption: {why}", ModeledTimeOrigin.Assumption);

    // One assumption per value the catalog leaves null (stm32-devices.json says why each is null). None of these
    // numbers was confirmed by a public datasheet source; each is used only while the catalog has neither typical
    // nor maximum, and the spec lists it in TimingAssumptions.

    /// <summary>F4 t_prog for lines other than 0x413: DS8626 (F405/407) x32 typical taken for an unchecked datasheet.</summary>
    private static readonly ModeledTime F4ProgramAssumption = Assumed(
        TimeSpan.FromMicroseconds(16),
        "16 µs, the DS8626 (F405/407) x32 typical, taken for an F4 line whose own datasheet was not checked");

    /// <summary>F4 t_ERASE16KB for lines other than 0x413: DS8626 x32 typical taken for an unchecked datasheet.</summary>
    private static readonly ModeledTime F4Erase16KAssumption = Assumed(
        TimeSpan.FromMilliseconds(250),
        "250 ms, the DS8626 (F405/407) t_ERASE16KB x32 typical, taken for an F4 line whose own datasheet was not checked");

    /// <summary>F4 t_ERASE64KB: no public source found for any F4 line.</summary>
    private static readonly ModeledTime F4Erase64KAssumption = Assumed(
        TimeSpan.FromMilliseconds(550),
        "550 ms, DS8626 t_ERASE64KB x32 typical recalled from the datasheet, not confirmed by a public source");

    /// <summary>F0 t_ME: no public source found; the F1 pattern (DS5319 t_ME = t_ERASE, 40 ms max) applied to the F0 page-erase maximum.</summary>
    private static readonly ModeledTime F0MassEraseAssumption = Assumed(
        TimeSpan.FromMilliseconds(40),
        "40 ms, the F0 page-erase maximum (Zephyr), as DS5319 gives the F1 mass erase the page-erase range");

    /// <summary>G0 t_prog for lines other than 0x466: the STM32G030 datasheet typical taken for an unchecked datasheet.</summary>
    private static readonly ModeledTime G0ProgramAssumption = Assumed(
        TimeSpan.FromMicroseconds(85),
        "85 µs, the STM32G030 (line 0x466) double-word typical, taken for a G0 line whose datasheet (e.g. DS12232 G071) was not checked");

    /// <summary>G0 t_ME: no public source found.</summary>
    private static readonly ModeledTime G0MassEraseAssumption = Assumed(
        TimeSpan.FromMilliseconds(22.1),
        "22.1 ms, G0 datasheet t_ME typical recalled, not confirmed by a public source");

    /// <summary>L4 t_prog: no public source found.</summary>
    private static readonly ModeledTime L4ProgramAssumption = Assumed(
        TimeSpan.FromMicroseconds(81.69),
        "81.69 µs, DS10198 (STM32L476) 64-bit t_prog typical recalled, not confirmed by a public source");

    /// <summary>L4 t_ME: no public source found.</summary>
    private static readonly ModeledTime L4MassEraseAssumption = Assumed(
        TimeSpan.FromMilliseconds(22.13),
        "22.13 ms, DS10198 (STM32L476) t_ME typical (one bank) recalled, not confirmed by a public source");

    private static ModeledTime? ProgramAssumption(string key) => key switch
    {
        "f4" => F4ProgramAssumption,
        "g0" => G0ProgramAssumption,
        "l4" => L4ProgramAssumption,
        _ => null,
    };

    private static ModeledTime? EraseAssumption(string key, uint unitSize) => (key, unitSize) switch
    {
        ("f4", 16 * 1024) => F4Erase16KAssumption,
        ("f4", 64 * 1024) => F4Erase64KAssumption,
        _ => null,
    };

    private static ModeledTime? MassEraseAssumption(string key) => key switch
    {
        "f0" => F0MassEraseAssumption,
        "g0" => G0MassEraseAssumption,
        "l4" => L4MassEraseAssumption,
        _ => null,
    };

    /// <summary>
    /// Option-byte programming for every family: no public source gives it, so it is assumed to take one erase of
    /// the first main-flash unit, the time the F0/F4/G0/L4 controller models charge for an option operation.
    /// </summary>
    private static ModeledTime OptionBytesAssumption(ModeledTime firstUnitErase) => Assumed(
        firstUnitErase.Time,
        $"one erase of the first flash unit ({firstUnitErase.Time.TotalMilliseconds} ms, {firstUnitErase.Origin}), as the controller models charge an option operation");

    private static CoreSightComponent[] CortexM0Components() =>
    [
        new("SCS", 0xE000E000, new(0x04_000BB008, CoreSightIdentity.GenericIpComponentId), true),
        new("DWT", 0xE0001000, new(0x04_000BB00A, CoreSightIdentity.GenericIpComponentId), true),
        new("BPU", 0xE0002000, new(0x04_000BB00B, CoreSightIdentity.GenericIpComponentId), true),
    ];

    // Cortex-M4 r0p1 TRM (ARM DDI 0439B table 8-2 ... and ROM table): SCS 0x00C, DWT 0x002, FPB 0x003, ITM 0x001, TPIU 0x9A1, ETM 0x925.
    private static CoreSightComponent[] CortexM4Components() =>
    [
        new("SCS", 0xE000E000, new(0x04_000BB00C, CoreSightIdentity.GenericIpComponentId), true),
        new("DWT", 0xE0001000, new(0x04_003BB002, CoreSightIdentity.GenericIpComponentId), true),
        new("FPB", 0xE0002000, new(0x04_002BB003, CoreSightIdentity.GenericIpComponentId), true),
        new("ITM", 0xE0000000, new(0x04_003BB001, CoreSightIdentity.GenericIpComponentId), true),
        new("TPIU", 0xE0040000, new(0x04_000BB9A1, CoreSightIdentity.CoreSightComponentId), true),
        new("ETM", 0xE0041000, new(0x04_000BB925, CoreSightIdentity.CoreSightComponentId), true),
    ];

    private static ChipConfigurationException Missing(DevicePart part, string what) =>
        new($"Neither the device catalog nor the model's assumptions give {what} for {part.PartNumber}. Add it to stm32-devices.json with its source.");
}
