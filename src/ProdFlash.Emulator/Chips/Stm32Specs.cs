using ProdFlash.Core.Devices;

namespace ProdFlash.Emulator.Chips;

/// <summary>
/// Builds <see cref="Stm32ChipSpec"/> records for STM32F0, F4, G0 and L4 parts from the device catalog. The debug-side
/// facts and datasheet times the catalog does not hold are cited here; wherever the catalog has a value it wins.
/// </summary>
/// <remarks>
/// Flash times: the catalog's typical value; where it is unknown, the catalog's maximum (so such a part is modeled
/// slow, never fast); where the catalog has neither, the datasheet typical value cited in <see cref="Fallbacks"/>.
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
        var fallback = Fallbacks[key];
        var erase = new Dictionary<uint, ModeledTime>();
        foreach (var size in part.Layout.Units.Select(u => u.Size).Distinct())
        {
            erase[size] = Pick(timings.EraseTime(size), fallback.Erase.GetValueOrDefault(size), part, $"{size}-byte erase");
        }

        return new FamilyFlashTimes(
            Pick(timings.Program, fallback.Program, part, "programming"),
            erase,
            Pick(timings.MassErase, fallback.MassErase, part, "mass erase"));
    }

    private static ModeledTime Pick(TimingRange range, ModeledTime? fallback, DevicePart part, string what)
    {
        if (range.Typical is { } typical)
        {
            return new ModeledTime(typical, $"catalog typical ({range.Source})");
        }

        if (range.Maximum is { } maximum)
        {
            return new ModeledTime(maximum, $"catalog maximum, typical unknown ({range.Source})");
        }

        return fallback ?? throw Missing(part, $"the {what} time");
    }

    /// <summary>A family's datasheet typical times, used only where the catalog has neither typical nor maximum.</summary>
    private sealed record FallbackTimes(ModeledTime Program, IReadOnlyDictionary<uint, ModeledTime> Erase, ModeledTime MassErase);

    /// <summary>
    /// Datasheet "Flash memory characteristics" typical values, recalled from the datasheets named (not re-checked
    /// against the PDFs here; the catalog overrides each one as soon as it lists it).
    /// </summary>
    private static readonly Dictionary<string, FallbackTimes> Fallbacks = new()
    {
        ["f0"] = new(
            new(TimeSpan.FromMicroseconds(53.5), "DS9773 (STM32F030) t_prog 16-bit typical 53.5 µs"),
            new Dictionary<uint, ModeledTime>(),
            new(TimeSpan.FromMilliseconds(40), "DS9773 t_ME 20..40 ms, no typical: maximum taken")),
        ["f4"] = new(
            new(TimeSpan.FromMicroseconds(16), "DS8626 (STM32F405/407) t_prog word programming typical 16 µs (any PSIZE)"),
            new Dictionary<uint, ModeledTime>
            {
                [16 * 1024] = new(TimeSpan.FromMilliseconds(400), "DS8626 t_ERASE16KB typical 400 ms (x8)"),
                [64 * 1024] = new(TimeSpan.FromMilliseconds(1200), "DS8626 t_ERASE64KB typical 1200 ms (x8)"),
            },
            new(TimeSpan.FromSeconds(16), "DS8626 t_ME typical 16 s (x8)")),
        ["g0"] = new(
            new(TimeSpan.FromMicroseconds(85), "DS12991/DS13560 (STM32G07x) t_prog 64-bit typical 85 µs"),
            new Dictionary<uint, ModeledTime>(),
            new(TimeSpan.FromMilliseconds(22.1), "DS13560 t_ME typical 22.1 ms")),
        ["l4"] = new(
            new(TimeSpan.FromMicroseconds(81.69), "DS10198 (STM32L476) t_prog 64-bit typical 81.69 µs"),
            new Dictionary<uint, ModeledTime>(),
            new(TimeSpan.FromMilliseconds(22.13), "DS10198 t_ME typical 22.13 ms (one bank)")),
    };

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
        new($"Neither the device catalog nor the model's datasheet fallbacks give {what} for {part.PartNumber}. Add it to stm32-devices.json with its source.");
}
