using ProdFlash.Core.Devices;

namespace ProdFlash.Emulator.Chips;

/// <summary>Which value a modeled flash time took.</summary>
public enum ModeledTimeOrigin
{
    /// <summary>The device catalog's typical value.</summary>
    CatalogTypical,

    /// <summary>The device catalog's maximum, its typical being unknown (the part is modeled slow, never fast).</summary>
    CatalogMaximum,

    /// <summary>
    /// The catalog has neither value: a fallback written in <see cref="Stm32Specs"/> that no public datasheet source
    /// confirmed for this part. Figures built on it must say so.
    /// </summary>
    Assumption,
}

/// <summary>A modeled flash time with where it came from (catalog typical, catalog maximum, or an assumption).</summary>
/// <param name="Time">The time the model charges.</param>
/// <param name="Source">Which value was taken and from where.</param>
/// <param name="Origin">Whether the time is a catalog value or an assumption.</param>
public sealed record ModeledTime(TimeSpan Time, string Source, ModeledTimeOrigin Origin)
{
    /// <summary>Whether the time is an assumption rather than a catalog (datasheet) value.</summary>
    public bool IsAssumption => Origin == ModeledTimeOrigin.Assumption;
}

/// <summary>The flash operation times an F0/F4/G0/L4 model charges.</summary>
/// <param name="Program">One programming operation: an F0 half-word, an F4 access of PSIZE width, a G0/L4 double word.</param>
/// <param name="UnitErase">One page or sector erase, by unit size in bytes.</param>
/// <param name="MassErase">A mass erase (per bank on dual-bank parts).</param>
/// <param name="OptionBytes">One option-byte programming operation (the catalog's option-byte time, else an assumption).</param>
public sealed record FamilyFlashTimes(
    ModeledTime Program,
    IReadOnlyDictionary<uint, ModeledTime> UnitErase,
    ModeledTime MassErase,
    ModeledTime OptionBytes)
{
    /// <summary>The erase time of a unit of <paramref name="unitSize"/> bytes.</summary>
    /// <exception cref="ChipConfigurationException">No time is known for that unit size.</exception>
    public TimeSpan EraseTime(uint unitSize) => UnitErase.TryGetValue(unitSize, out var time)
        ? time.Time
        : throw new ChipConfigurationException($"No erase time is modeled for {unitSize}-byte units.");

    /// <summary>
    /// Every time that is an assumption, keyed by what it times: <c>program</c>, <c>erase {size}</c> (unit size in
    /// bytes), <c>mass erase</c>, <c>option bytes</c>. Empty when every time comes from the catalog.
    /// </summary>
    public IReadOnlyDictionary<string, ModeledTime> Assumptions
    {
        get
        {
            var all = new List<KeyValuePair<string, ModeledTime>>
            {
                new("program", Program),
                new("mass erase", MassErase),
                new("option bytes", OptionBytes),
            };
            all.AddRange(UnitErase.OrderBy(e => e.Key).Select(e => new KeyValuePair<string, ModeledTime>($"erase {e.Key}", e.Value)));
            return all.Where(e => e.Value.IsAssumption).ToDictionary(e => e.Key, e => e.Value);
        }
    }
}

/// <summary>One erasable unit of the main flash: page (F0/G0/L4) or sector (F4).</summary>
/// <param name="Offset">Offset from the flash base.</param>
/// <param name="Size">Size in bytes.</param>
/// <param name="Bank">Bank (1 or 2).</param>
/// <param name="Number">Number the controller selects it by: F4 SNB (bank-2 sectors 0x10 | n), G0/L4 PNB within its bank, F0 page index.</param>
/// <param name="Index">Position in the whole flash (0-based), for write-protection bits.</param>
public sealed record FlashUnit(int Offset, int Size, int Bank, int Number, int Index);

/// <summary>
/// Everything that makes one STM32F0/F4/G0/L4 part what it is to a debugger: identity registers, memory sizes, ROM
/// table, flash geometry, controller map, option-byte layout and timings. Built by
/// <see cref="Stm32Specs.FromCatalog(DevicePart, ushort?)"/> from the device catalog.
/// </summary>
public sealed record Stm32ChipSpec
{
    /// <summary>The catalog part.</summary>
    public required DevicePart Part { get; init; }

    /// <summary>Part name in lower case (e.g. <c>stm32f407vg</c>).</summary>
    public string PartName => Part.PartNumber;

    /// <summary>The catalog family.</summary>
    public DeviceFamily Family => Part.Family;

    /// <summary>DBGMCU_IDCODE REV_ID.</summary>
    public required ushort RevId { get; init; }

    /// <summary>DBGMCU_IDCODE DEV_ID.</summary>
    public ushort DevId => Part.Line.DevId;

    /// <summary>DBGMCU_IDCODE value: REV_ID &lt;&lt; 16 | DEV_ID.</summary>
    public uint DbgMcuIdCode => ((uint)RevId << 16) | DevId;

    /// <summary>SW-DP DPIDR.</summary>
    public required uint DpIdr { get; init; }

    /// <summary>AHB-AP IDR.</summary>
    public required uint ApIdr { get; init; }

    /// <summary>AHB-AP BASE (ROM table address with format/present bits).</summary>
    public required uint ApBase { get; init; }

    /// <summary>Address of the ROM table.</summary>
    public uint RomTableAddress => ApBase & 0xFFFFF000;

    /// <summary>Cortex-M CPUID.</summary>
    public required uint CpuId { get; init; }

    /// <summary>The ROM table's own identity.</summary>
    public required CoreSightIdentity RomTableIdentity { get; init; }

    /// <summary>CoreSight components in ROM-table order.</summary>
    public required IReadOnlyList<CoreSightComponent> Components { get; init; }

    /// <summary>FPB/BPU code comparators.</summary>
    public required int FpbCodeComparators { get; init; }

    /// <summary>FPB literal comparators.</summary>
    public required int FpbLiteralComparators { get; init; }

    /// <summary>DWT comparators.</summary>
    public required int DwtComparators { get; init; }

    /// <summary>Main flash base.</summary>
    public uint FlashBase => Family.FlashBase;

    /// <summary>Main flash size in bytes.</summary>
    public int FlashSize => Part.FlashKiB * 1024;

    /// <summary>The erasable units, in address order.</summary>
    public required IReadOnlyList<FlashUnit> Units { get; init; }

    /// <summary>Number of banks (1 or 2).</summary>
    public int BankCount => Units.Max(u => u.Bank);

    /// <summary>The flash timings the model charges (F4: at the catalog's listed column, x32 for DS8626).</summary>
    public required FamilyFlashTimes Timings { get; init; }

    /// <summary>
    /// F4 timings at other program/erase parallelisms (CR.PSIZE as bytes: 1 = x8, 2 = x16), where the catalog has a
    /// column for them; empty otherwise.
    /// </summary>
    public IReadOnlyDictionary<int, FamilyFlashTimes> TimingsByParallelism { get; init; } = new Dictionary<int, FamilyFlashTimes>();

    /// <summary>The timings at a parallelism of <paramref name="parallelismBytes"/> bytes: its column, else <see cref="Timings"/>.</summary>
    public FamilyFlashTimes TimingsAt(int parallelismBytes) =>
        TimingsByParallelism.TryGetValue(parallelismBytes, out var column) ? column : Timings;

    /// <summary>
    /// The modeled flash times that are assumptions rather than catalog values (see <see cref="FamilyFlashTimes.Assumptions"/>),
    /// so a benchmark built on this model can name them.
    /// </summary>
    public IReadOnlyDictionary<string, ModeledTime> TimingAssumptions => Timings.Assumptions;

    /// <summary>Nominal supply voltage the probe senses, in volts.</summary>
    public required double NominalVoltage { get; init; }

    /// <summary>The unit holding flash offset <paramref name="offset"/>.</summary>
    public FlashUnit UnitAt(int offset)
    {
        foreach (var unit in Units)
        {
            if (offset >= unit.Offset && offset < unit.Offset + unit.Size)
            {
                return unit;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(offset), offset, $"Offset is outside {PartName}'s flash.");
    }
}
