using ProdFlash.Core.Images;

namespace ProdFlash.Core.Devices;

/// <summary>
/// An STM32 family (F0, F1, F4, G0, L4): identity register addresses, flash controller, option bytes, programming
/// unit, timings and the genuine debug identity, shared by all its lines.
/// </summary>
/// <remarks>Immutable once the catalog is loaded; safe to share between threads.</remarks>
public sealed class DeviceFamily
{
    private readonly List<DeviceLine> _lines = [];
    private readonly List<DevicePart> _parts = [];

    internal DeviceFamily(
        string key,
        string name,
        string core,
        uint dbgmcuIdcodeAddress,
        uint flashSizeRegisterAddress,
        uint uidAddress,
        uint flashBase,
        ProgrammingUnit programmingUnit,
        FlashControllerMap flashController,
        OptionByteLayout optionBytes,
        GenuineIdentity genuine,
        FlashTimings timings,
        string source)
    {
        Key = key;
        Name = name;
        Core = core;
        DbgmcuIdcodeAddress = dbgmcuIdcodeAddress;
        FlashSizeRegisterAddress = flashSizeRegisterAddress;
        UidAddress = uidAddress;
        FlashBase = flashBase;
        ProgrammingUnit = programmingUnit;
        FlashController = flashController;
        OptionBytes = optionBytes;
        Genuine = genuine;
        Timings = timings;
        Source = source;
    }

    /// <summary>Lower-case key, e.g. <c>f1</c>.</summary>
    public string Key { get; }

    /// <summary>Display name, e.g. <c>STM32F1</c>.</summary>
    public string Name { get; }

    /// <summary>The CPU core, e.g. <c>Cortex-M3</c>.</summary>
    public string Core { get; }

    /// <summary>Address of DBGMCU_IDCODE (DEV_ID bits [11:0], REV_ID bits [31:16]).</summary>
    public uint DbgmcuIdcodeAddress { get; }

    /// <summary>Address of the 16-bit flash-size register (value in KiB).</summary>
    public uint FlashSizeRegisterAddress { get; }

    /// <summary>Address of the 96-bit unique device ID.</summary>
    public uint UidAddress { get; }

    /// <summary>Address of main flash.</summary>
    public uint FlashBase { get; }

    /// <summary>How the flash is programmed.</summary>
    public ProgrammingUnit ProgrammingUnit { get; }

    /// <summary>The flash controller's registers, bits and keys.</summary>
    public FlashControllerMap FlashController { get; }

    /// <summary>The option bytes.</summary>
    public OptionByteLayout OptionBytes { get; }

    /// <summary>What a genuine part shows on its debug port.</summary>
    public GenuineIdentity Genuine { get; }

    /// <summary>Family-wide flash timings; a line may override them (<see cref="DeviceLine.Timings"/>).</summary>
    public FlashTimings Timings { get; }

    /// <summary>Where the family's facts come from.</summary>
    public string Source { get; }

    /// <summary>The lines (one per DEV_ID).</summary>
    public IReadOnlyList<DeviceLine> Lines => _lines;

    /// <summary>The parts of all lines.</summary>
    public IReadOnlyList<DevicePart> Parts => _parts;

    /// <inheritdoc/>
    public override string ToString() => Name;

    internal void Add(DeviceLine line) => _lines.Add(line);

    internal void Add(DevicePart part) => _parts.Add(part);
}

/// <summary>A device line: all parts that share one DEV_ID (e.g. 0x410, STM32F10x medium-density).</summary>
/// <remarks>Immutable once the catalog is loaded; safe to share between threads.</remarks>
public sealed class DeviceLine
{
    private readonly List<DevicePart> _parts = [];

    internal DeviceLine(
        DeviceFamily family,
        ushort devId,
        string name,
        int maxFlashKiB,
        uint eraseUnitSize,
        int? writeProtectionPagesPerBit,
        IReadOnlyDictionary<ushort, string> revisions,
        ushort? romTablePart,
        IReadOnlyList<DevIdAlias> devIdAliases,
        FlashTimings timings,
        string source)
    {
        Family = family;
        DevId = devId;
        Name = name;
        MaxFlashKiB = maxFlashKiB;
        EraseUnitSize = eraseUnitSize;
        WriteProtectionPagesPerBit = writeProtectionPagesPerBit;
        Revisions = revisions;
        RomTablePart = romTablePart;
        DevIdAliases = devIdAliases;
        Timings = timings;
        Source = source;
    }

    /// <summary>The family.</summary>
    public DeviceFamily Family { get; }

    /// <summary>DEV_ID, DBGMCU_IDCODE bits [11:0].</summary>
    public ushort DevId { get; }

    /// <summary>Name, e.g. <c>STM32F10x medium-density</c>.</summary>
    public string Name { get; }

    /// <summary>Largest flash of the line in KiB (what tools assume when the flash-size register is blank).</summary>
    public int MaxFlashKiB { get; }

    /// <summary>The line's smallest erase unit in bytes (page size; F4: the first sector size).</summary>
    public uint EraseUnitSize { get; }

    /// <summary>Pages covered by one write-protection bit (F0/F1 WRPR), or null where protection is by range or sector.</summary>
    public int? WriteProtectionPagesPerBit { get; }

    /// <summary>Known REV_ID values (DBGMCU_IDCODE bits [31:16]) and their revision names.</summary>
    public IReadOnlyDictionary<ushort, string> Revisions { get; }

    /// <summary>The ROM-table PART number a genuine part shows, where a public source confirms it (F103: 0x410).</summary>
    public ushort? RomTablePart { get; }

    /// <summary>Other DEV_IDs some silicon of this line reports, with the core that tells them apart (F405/407 rev A: 0x411).</summary>
    public IReadOnlyList<DevIdAlias> DevIdAliases { get; }

    /// <summary>Flash timings for this line (the family's unless the line has its own source).</summary>
    public FlashTimings Timings { get; }

    /// <summary>Where the line's facts come from.</summary>
    public string Source { get; }

    /// <summary>The parts of this line in the catalog.</summary>
    public IReadOnlyList<DevicePart> Parts => _parts;

    /// <summary>The revision name for <paramref name="revId"/>, or null when the revision is not known.</summary>
    public string? RevisionName(ushort revId) => Revisions.TryGetValue(revId, out var name) ? name : null;

    /// <summary>The parts of this line with <paramref name="flashKiB"/> of flash (what the flash-size register reads).</summary>
    public IReadOnlyList<DevicePart> PartsWithFlash(int flashKiB) => _parts.Where(p => p.FlashKiB == flashKiB).ToList();

    /// <inheritdoc/>
    public override string ToString() => $"{Name} (DEV_ID 0x{DevId:X3})";

    internal void Add(DevicePart part) => _parts.Add(part);
}

/// <summary>
/// A DEV_ID that some silicon of a line reports instead of its own (an erratum), recognised only together with the
/// core's CPUID PARTNO so it cannot be confused with the line that owns that DEV_ID.
/// </summary>
/// <param name="DevId">The DEV_ID read (F405/407 revision A: 0x411, the STM32F2 value).</param>
/// <param name="CpuPartNo">The CPUID PARTNO that must accompany it (0xC24, Cortex-M4; an F2 is a Cortex-M3).</param>
/// <param name="Source">Where the erratum is documented.</param>
public sealed record DevIdAlias(ushort DevId, ushort CpuPartNo, string Source);

/// <summary>What lies at an address of a part's memory map, as far as the catalog knows it.</summary>
public enum MemoryArea
{
    /// <summary>Not main flash, SRAM or option bytes (system memory, OTP, peripherals, or nothing).</summary>
    Other,

    /// <summary>Main flash.</summary>
    MainFlash,

    /// <summary>SRAM (including CCM / SRAM2).</summary>
    Sram,

    /// <summary>The user option-byte area.</summary>
    OptionBytes,
}

/// <summary>A block of SRAM in the part's memory map.</summary>
/// <param name="Name">Name as the reference manual uses it (<c>SRAM</c>, <c>CCM</c>, <c>SRAM2</c>).</param>
/// <param name="Base">Address of the first byte.</param>
/// <param name="SizeKiB">Size in KiB.</param>
public sealed record RamRegion(string Name, uint Base, int SizeKiB)
{
    /// <summary>Size in bytes.</summary>
    public long Size => SizeKiB * 1024L;

    /// <summary>One past the last address.</summary>
    public ulong End => Base + (ulong)Size;
}

/// <summary>An orderable part, e.g. <c>stm32f103c8</c>: its line, flash and RAM sizes, and flash layout.</summary>
/// <remarks>Immutable once the catalog is loaded; safe to share between threads.</remarks>
public sealed class DevicePart
{
    internal DevicePart(
        DeviceLine line,
        string partNumber,
        int flashKiB,
        IReadOnlyList<RamRegion> ram,
        FlashLayout layout,
        IReadOnlyList<FlashLayoutVariant> alternateLayouts,
        string source)
    {
        Line = line;
        PartNumber = partNumber;
        FlashKiB = flashKiB;
        Ram = ram;
        RamKiB = ram.Sum(r => r.SizeKiB);
        Layout = layout;
        AlternateLayouts = alternateLayouts;
        Source = source;
    }

    /// <summary>Lower-case part number without package/temperature suffix, e.g. <c>stm32f103c8</c>.</summary>
    public string PartNumber { get; }

    /// <summary>The line (DEV_ID) the part belongs to.</summary>
    public DeviceLine Line { get; }

    /// <summary>The family.</summary>
    public DeviceFamily Family => Line.Family;

    /// <summary>
    /// The flash timings that apply to this part: its line's, which are the family's unless the line cites its own
    /// datasheet (e.g. DS8626 for the F405/407 line, the STM32G030 values for line 0x466). Prefer this to
    /// <see cref="DeviceFamily.Timings"/>, which lacks those line values.
    /// </summary>
    public FlashTimings Timings => Line.Timings;

    /// <summary>Main flash in KiB (what the flash-size register reads).</summary>
    public int FlashKiB { get; }

    /// <summary>Main flash in bytes.</summary>
    public long FlashBytes => FlashKiB * 1024L;

    /// <summary>Total SRAM in KiB: the sum of <see cref="Ram"/> (including CCM and SRAM2, as the datasheets count it).</summary>
    public int RamKiB { get; }

    /// <summary>The SRAM blocks and where they are mapped (main SRAM at 0x20000000; F4 CCM and L4 SRAM2 at 0x10000000).</summary>
    public IReadOnlyList<RamRegion> Ram { get; }

    /// <summary>The flash layout with factory-default option bytes.</summary>
    public FlashLayout Layout { get; }

    /// <summary>Layouts selected by option bits (F42x 1 MiB with DB1M = 1), if any.</summary>
    public IReadOnlyList<FlashLayoutVariant> AlternateLayouts { get; }

    /// <summary>Where the part's sizes come from.</summary>
    public string Source { get; }

    /// <summary>
    /// Which area <paramref name="address"/> is in: main flash (default layout), one of the SRAM blocks, or the option-byte
    /// area (where the family gives its size); <see cref="MemoryArea.Other"/> otherwise.
    /// </summary>
    public MemoryArea AreaAt(uint address)
    {
        if (Layout.UnitAt(address) is not null)
        {
            return MemoryArea.MainFlash;
        }

        if (Ram.Any(r => address >= r.Base && address < r.End))
        {
            return MemoryArea.Sram;
        }

        var ob = Family.OptionBytes;
        if (ob.Address is { } obBase && ob.Size is { } obSize && address >= obBase && address - obBase < (uint)obSize)
        {
            return MemoryArea.OptionBytes;
        }

        return MemoryArea.Other;
    }

    /// <summary>Checks <paramref name="image"/> against the part's default flash layout.</summary>
    public ImageFit Check(MemoryImage image) => Layout.Check(image);

    /// <inheritdoc/>
    public override string ToString() => PartNumber;
}
