using System.Text.Json;
using System.Text.RegularExpressions;

namespace ProdFlash.Core.Devices;

/// <summary>
/// The STM32 device catalog: families, lines (DEV_IDs) and parts with their identity registers, flash layout,
/// flash controller, option bytes, timings and genuine debug identity. Loaded from data, validated on load.
/// </summary>
/// <remarks>
/// Immutable once loaded; every lookup is safe from any thread. <see cref="Default"/> is loaded lazily, once, from the
/// <c>stm32-devices.json</c> resource embedded in ProdFlash.Core.
/// </remarks>
public sealed partial class DeviceCatalog
{
    /// <summary>Name of the embedded data file.</summary>
    public const string ResourceName = "ProdFlash.Core.Devices.stm32-devices.json";

    /// <summary>DEV_ID field of DBGMCU_IDCODE: bits [11:0] (OCD-f1 <c>device_id = idcode &amp; 0xfff</c>).</summary>
    public const uint DevIdMask = 0xFFF;

    /// <summary>REV_ID field of DBGMCU_IDCODE: bits [31:16] (OCD-f1 <c>rev_id = idcode &gt;&gt; 16</c>).</summary>
    public const int RevIdShift = 16;

    private const int MinPartNumberLength = 11;
    private const int MaxOrderingSuffix = 4;

    private static readonly Lazy<DeviceCatalog> s_default = new(LoadEmbedded, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly Dictionary<string, DevicePart> _partsByNumber;
    private readonly Dictionary<ushort, DeviceLine> _linesByDevId;

    private DeviceCatalog(IReadOnlyList<DeviceFamily> families)
    {
        Families = families;
        Lines = families.SelectMany(f => f.Lines).ToList();
        Parts = families.SelectMany(f => f.Parts).OrderBy(p => p.PartNumber, StringComparer.Ordinal).ToList();
        _partsByNumber = Parts.ToDictionary(p => p.PartNumber, StringComparer.OrdinalIgnoreCase);
        _linesByDevId = Lines.ToDictionary(l => l.DevId);
    }

    /// <summary>The catalog built into ProdFlash.Core.</summary>
    /// <exception cref="DeviceCatalogException">The embedded data file is broken (on first use).</exception>
    public static DeviceCatalog Default => s_default.Value;

    /// <summary>The families, in data-file order.</summary>
    public IReadOnlyList<DeviceFamily> Families { get; }

    /// <summary>All lines of all families.</summary>
    public IReadOnlyList<DeviceLine> Lines { get; }

    /// <summary>All parts, ordered by part number.</summary>
    public IReadOnlyList<DevicePart> Parts { get; }

    /// <summary>Loads and validates a catalog from JSON text.</summary>
    /// <exception cref="DeviceCatalogException">The JSON is malformed or an entry is invalid; the message names the entry and field.</exception>
    public static DeviceCatalog Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = false });
        }
        catch (JsonException ex)
        {
            throw new DeviceCatalogException($"Device catalog is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}): {ex.Message}", ex);
        }

        using (document)
        {
            return Build(new JsonEntry(document.RootElement, "catalog"));
        }
    }

    /// <summary>Loads and validates a catalog from a UTF-8 JSON stream (the caller keeps ownership of the stream).</summary>
    /// <exception cref="DeviceCatalogException">The JSON is malformed or an entry is invalid.</exception>
    public static DeviceCatalog Load(Stream utf8Json)
    {
        ArgumentNullException.ThrowIfNull(utf8Json);
        using var reader = new StreamReader(utf8Json, leaveOpen: true);
        return Parse(reader.ReadToEnd());
    }

    /// <summary>The part with this part number (case-insensitive, e.g. <c>STM32F103C8</c>), or null when unknown.</summary>
    /// <remarks>
    /// An ordering-code suffix of up to four characters (package, temperature range, packing: <c>stm32f103c8t6</c>,
    /// <c>stm32f407vgt6tr</c>) is accepted: the longest catalog part number the text starts with wins.
    /// </remarks>
    public DevicePart? FindPart(string partNumber)
    {
        ArgumentNullException.ThrowIfNull(partNumber);
        var key = partNumber.Trim();
        if (_partsByNumber.TryGetValue(key, out var part))
        {
            return part;
        }

        // Ordering code with package, temperature range and packing, e.g. STM32F103C8T6 or stm32f407vgt6tr:
        // at most MaxOrderingSuffix characters after a catalog part number.
        for (var length = key.Length - 1; length >= Math.Max(MinPartNumberLength, key.Length - MaxOrderingSuffix); length--)
        {
            if (_partsByNumber.TryGetValue(key[..length], out part))
            {
                return part;
            }
        }

        return null;
    }

    /// <summary>The family with this key (<c>f1</c>, case-insensitive), or null.</summary>
    public DeviceFamily? FindFamily(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Families.FirstOrDefault(f => string.Equals(f.Key, key, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The line with this DEV_ID (12 bits), or null when the catalog does not know it.</summary>
    /// <remarks>
    /// A DEV_ID alone is not a genuineness proof: clones report the same value (reference §5.3).
    /// </remarks>
    /// <param name="devId">DEV_ID, DBGMCU_IDCODE bits [11:0].</param>
    /// <param name="cpuPartNo">
    /// The CPUID PARTNO read from 0xE000ED00 bits [15:4], if known: with it, an erratum DEV_ID listed in
    /// <see cref="DeviceLine.DevIdAliases"/> is recognised (0x411 on a Cortex-M4 is an STM32F405/407 rev A).
    /// </param>
    public DeviceLine? FindLine(uint devId, ushort? cpuPartNo = null)
    {
        if (devId > DevIdMask)
        {
            return null;
        }

        if (_linesByDevId.TryGetValue((ushort)devId, out var line))
        {
            return line;
        }

        return cpuPartNo is { } partNo
            ? Lines.FirstOrDefault(l => l.DevIdAliases.Any(a => a.DevId == devId && a.CpuPartNo == partNo))
            : null;
    }

    /// <summary>The line for a whole DBGMCU_IDCODE value (DEV_ID = bits [11:0]), or null when unknown.</summary>
    /// <param name="dbgmcuIdcode">The DBGMCU_IDCODE register value.</param>
    /// <param name="cpuPartNo">The CPUID PARTNO, if known (see <see cref="FindLine"/>).</param>
    public DeviceLine? FindLineByIdcode(uint dbgmcuIdcode, ushort? cpuPartNo = null) => FindLine(dbgmcuIdcode & DevIdMask, cpuPartNo);

    /// <summary>The parts matching what a chip reports: DBGMCU_IDCODE and the flash-size register (KiB).</summary>
    /// <param name="dbgmcuIdcode">The DBGMCU_IDCODE register value.</param>
    /// <param name="flashSizeKiB">The flash-size register value.</param>
    /// <param name="cpuPartNo">The CPUID PARTNO, if known (see <see cref="FindLine"/>).</param>
    /// <returns>All catalog parts of that line with that flash size (they share a layout); empty when none.</returns>
    public IReadOnlyList<DevicePart> FindParts(uint dbgmcuIdcode, int flashSizeKiB, ushort? cpuPartNo = null) =>
        FindLineByIdcode(dbgmcuIdcode, cpuPartNo)?.PartsWithFlash(flashSizeKiB) ?? [];

    /// <summary>DEV_ID of a DBGMCU_IDCODE value.</summary>
    public static ushort DevIdOf(uint dbgmcuIdcode) => (ushort)(dbgmcuIdcode & DevIdMask);

    /// <summary>REV_ID of a DBGMCU_IDCODE value.</summary>
    public static ushort RevIdOf(uint dbgmcuIdcode) => (ushort)(dbgmcuIdcode >> RevIdShift);

    private static DeviceCatalog LoadEmbedded()
    {
        using var stream = typeof(DeviceCatalog).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new DeviceCatalogException($"The embedded resource {ResourceName} is missing from ProdFlash.Core; the build did not include Devices/stm32-devices.json.");
        return Load(stream);
    }

    [GeneratedRegex("^stm32[a-z][0-9a-z]{3,}$", RegexOptions.CultureInvariant)]
    private static partial Regex PartNumberPattern();

    private static DeviceCatalog Build(JsonEntry root)
    {
        var schema = root.Int32("schemaVersion");
        if (schema != 1)
        {
            throw root.Error("schemaVersion", $"version {schema} is not supported; this build reads version 1.");
        }

        var families = new List<DeviceFamily>();
        var lineByDevId = new Dictionary<ushort, DeviceLine>();
        foreach (var entry in root.Objects("families", (e, i) => Label(e, "key", i)))
        {
            var family = ReadFamily(entry);
            if (families.Any(f => f.Key == family.Key))
            {
                throw entry.Error("key", $"family '{family.Key}' appears twice.");
            }

            foreach (var lineEntry in entry.Objects("lines", (e, i) => Label(e, "devId", i)))
            {
                var line = ReadLine(lineEntry, family);
                if (lineByDevId.TryGetValue(line.DevId, out var other))
                {
                    throw lineEntry.Error("devId", $"DEV_ID 0x{line.DevId:X3} is already used by {other} in family {other.Family.Key}.");
                }

                lineByDevId[line.DevId] = line;
                family.Add(line);
            }

            if (family.Lines.Count == 0)
            {
                throw entry.Error("lines", "a family needs at least one line.");
            }

            entry.EnsureAllRead();
            families.Add(family);
        }

        if (families.Count == 0)
        {
            throw root.Error("families", "the catalog has no families.");
        }

        foreach (var line in lineByDevId.Values)
        {
            foreach (var alias in line.DevIdAliases)
            {
                if (lineByDevId.TryGetValue(alias.DevId, out var owner) && owner.Family.Genuine.CpuPartNo == alias.CpuPartNo)
                {
                    throw new DeviceCatalogException($"catalog.families[{line.Family.Key}].lines[0x{line.DevId:X3}]", "devIdAliases", $"alias 0x{alias.DevId:X3} with CPUID PARTNO 0x{alias.CpuPartNo:X3} is ambiguous with {owner}.");
                }
            }
        }

        var partNumbers = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in root.Objects("parts", (e, i) => Label(e, "part", i)))
        {
            var part = ReadPart(entry, families);
            if (!partNumbers.Add(part.PartNumber))
            {
                throw entry.Error("part", $"part number '{part.PartNumber}' appears twice.");
            }

            if (part.Line.PartsWithFlash(part.FlashKiB).FirstOrDefault() is { } sibling && !sibling.Layout.Regions.SequenceEqual(part.Layout.Regions))
            {
                throw entry.Error("layout", $"differs from {sibling.PartNumber}, which has the same DEV_ID and flash size; identification by DEV_ID and flash-size register relies on them sharing a layout.");
            }

            part.Line.Add(part);
            part.Family.Add(part);
            entry.EnsureAllRead();
        }

        root.EnsureAllRead();
        return new DeviceCatalog(families);
    }

    private static string Label(JsonElement element, string field, int index) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(field, out var value) && value.ValueKind is JsonValueKind.String or JsonValueKind.Number
            ? (value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText())
            : index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static DeviceFamily ReadFamily(JsonEntry entry)
    {
        var key = entry.String("key");
        var programming = ReadProgramming(entry.Object("programming"));
        var controller = ReadController(entry.Object("flashController"));
        var optionBytes = ReadOptionBytes(entry.Object("optionBytes"), controller);
        var genuine = ReadGenuine(entry.Object("genuine"));
        var timings = ReadTimings(entry.Object("timings"));
        return new DeviceFamily(
            key,
            entry.String("name"),
            entry.String("core"),
            entry.UInt32("dbgmcuIdcode"),
            entry.UInt32("flashSizeRegister"),
            entry.UInt32("uid"),
            entry.UInt32("flashBase"),
            programming,
            controller,
            optionBytes,
            genuine,
            timings,
            entry.String("source"));
    }

    private static ProgrammingUnit ReadProgramming(JsonEntry entry)
    {
        var unit = new ProgrammingUnit(
            entry.Int32("unitBytes"),
            entry.Int32Array("supportedBytes"),
            entry.OptionalString("selectedBy"),
            entry.OptionalString("note"),
            entry.String("source"));
        if (unit.Bytes is not (1 or 2 or 4 or 8 or 16 or 32) || !unit.SupportedBytes.Contains(unit.Bytes))
        {
            throw entry.Error("unitBytes", $"{unit.Bytes} must be a power of two up to 32 and listed in supportedBytes.");
        }

        entry.EnsureAllRead();
        return unit;
    }

    private static FlashControllerMap ReadController(JsonEntry entry)
    {
        var registers = entry.UInt32Map("registers");
        var bits = entry.BitFieldMaps("bits");
        foreach (var register in bits.Keys.Where(r => !registers.ContainsKey(r)))
        {
            throw entry.Error("bits", $"bits are given for register '{register}', which is not in 'registers'.");
        }

        foreach (var required in new[] { FlashRegisterNames.Keyr, FlashRegisterNames.Optkeyr, FlashRegisterNames.Sr, FlashRegisterNames.Cr })
        {
            if (!registers.ContainsKey(required))
            {
                throw entry.Error("registers", $"register '{required}' is required.");
            }
        }

        var map = new FlashControllerMap(
            entry.UInt32("base"),
            entry.OptionalUInt32("bank2RegisterOffset"),
            registers,
            bits,
            entry.UInt32("key1"),
            entry.UInt32("key2"),
            entry.UInt32("optKey1"),
            entry.UInt32("optKey2"),
            entry.String("source"));
        entry.EnsureAllRead();
        return map;
    }

    private static OptionByteLayout ReadOptionBytes(JsonEntry entry, FlashControllerMap controller)
    {
        var statusRegister = entry.String("statusRegister");
        if (!controller.HasRegister(statusRegister))
        {
            throw entry.Error("statusRegister", $"'{statusRegister}' is not a register of the flash controller.");
        }

        var fields = entry.BitFieldMap("fields");
        var rdp = ReadRdp(entry.Object("rdp"), fields);
        var reloadText = entry.String("reload");
        if (!Enum.TryParse<OptionByteReload>(reloadText, ignoreCase: false, out var reload) || !Enum.IsDefined(reload))
        {
            throw entry.Error("reload", $"'{reloadText}' is not one of {string.Join(", ", Enum.GetNames<OptionByteReload>())}.");
        }

        var wrp = entry.OptionalString("writeProtectionRegister");
        if (wrp is not null && !controller.HasRegister(wrp))
        {
            throw entry.Error("writeProtectionRegister", $"'{wrp}' is not a register of the flash controller.");
        }

        var layout = new OptionByteLayout(
            entry.OptionalUInt32("address"),
            entry.OptionalInt32("size"),
            entry.Boolean("complementedHalfWords"),
            entry.Has("byteOffsets") ? entry.UInt32Map("byteOffsets") : new Dictionary<string, uint>(),
            statusRegister,
            fields,
            wrp,
            rdp,
            reload,
            entry.String("source"));
        entry.EnsureAllRead();
        return layout;
    }

    private static RdpEncoding ReadRdp(JsonEntry entry, IReadOnlyDictionary<string, BitField> fields)
    {
        var level0 = entry.UInt32("level0");
        var level2 = entry.OptionalUInt32("level2");
        if (level0 > 0xFF || level2 > 0xFF)
        {
            throw entry.Error(level0 > 0xFF ? "level0" : "level2", "an RDP value is one byte.");
        }

        var byteField = entry.OptionalString("byteField");
        var statusField = entry.OptionalString("statusField");
        if (byteField is null && statusField is null)
        {
            throw entry.Error(null, "give 'byteField' or 'statusField' so the level can be read back.");
        }

        foreach (var (name, value) in new[] { ("byteField", byteField), ("statusField", statusField) })
        {
            if (value is not null && !fields.ContainsKey(value))
            {
                throw entry.Error(name, $"'{value}' is not one of the option-byte fields.");
            }
        }

        var levels = new Dictionary<uint, RdpLevel>();
        if (entry.Has("statusLevels"))
        {
            foreach (var (key, level) in entry.UInt32Map("statusLevels"))
            {
                if (!JsonEntry.TryParseUInt32(key, out var status) || level > 2)
                {
                    throw entry.Error("statusLevels", $"'{key}': {level} must map a field value to level 0, 1 or 2.");
                }

                levels[status] = (RdpLevel)level;
            }
        }
        else if (statusField is not null)
        {
            throw entry.Error("statusLevels", "required when 'statusField' is given.");
        }

        var rdp = new RdpEncoding((byte)level0, (byte?)level2, byteField, statusField, levels, entry.Boolean("regressionMassErases"), entry.String("source"));
        entry.EnsureAllRead();
        return rdp;
    }

    private static GenuineIdentity ReadGenuine(JsonEntry entry)
    {
        var partNo = entry.UInt32("cpuPartNo");
        var designer = entry.UInt32("romTableDesigner");
        if (partNo > 0xFFF || designer > 0xFFF)
        {
            throw entry.Error(partNo > 0xFFF ? "cpuPartNo" : "romTableDesigner", "must fit in 12 bits.");
        }

        var identity = new GenuineIdentity(
            entry.UInt32("swdDpIdr"),
            entry.OptionalUInt32("jtagIdcode"),
            entry.OptionalUInt32("cpuId"),
            (ushort)partNo,
            entry.OptionalUInt32("ahbApIdr"),
            (ushort)designer,
            entry.OptionalUInt32("romTableBase"),
            entry.String("source"));
        if (identity.CpuId is { } cpuId && ((cpuId >> 4) & 0xFFF) != partNo)
        {
            throw entry.Error("cpuId", $"0x{cpuId:X8} has PARTNO 0x{(cpuId >> 4) & 0xFFF:X3}, not cpuPartNo 0x{partNo:X3}.");
        }

        entry.EnsureAllRead();
        return identity;
    }

    private static readonly Dictionary<string, int> ParallelismKeys = new(StringComparer.Ordinal) { ["x8"] = 1, ["x16"] = 2, ["x32"] = 4, ["x64"] = 8 };

    private static FlashTimings ReadTimings(JsonEntry entry, bool allowParallelism = true)
    {
        var columns = new Dictionary<int, FlashTimings>();
        if (allowParallelism && entry.OptionalObject("parallelism") is { } parallelism)
        {
            foreach (var (key, bytes) in ParallelismKeys)
            {
                if (parallelism.OptionalObject(key) is { } column)
                {
                    columns[bytes] = ReadTimings(column, allowParallelism: false);
                }
            }

            parallelism.EnsureAllRead();
        }

        var erase = entry.Objects("unitErase", (e, i) => Label(e, "unitSize", i))
            .Select(e =>
            {
                var timing = new EraseTiming(e.UInt32("unitSize"), ReadRange(e));
                e.EnsureAllRead();
                return timing;
            })
            .ToList();
        var timings = new FlashTimings(
            ReadRange(entry.Object("program"), finish: true),
            erase,
            ReadRange(entry.Object("massErase"), finish: true),
            ReadRange(entry.Object("optionBytes"), finish: true))
        { ByParallelism = columns };
        entry.EnsureAllRead();
        return timings;
    }

    private static TimingRange ReadRange(JsonEntry entry, bool finish = false)
    {
        var range = new TimingRange(entry.OptionalDuration("typical"), entry.OptionalDuration("maximum"), entry.String("source"))
        {
            Minimum = entry.OptionalDuration("minimum"),
        };
        if (range.Typical > range.Maximum)
        {
            throw entry.Error("typical", $"typical {range.Typical} is above maximum {range.Maximum}.");
        }

        if (range.Minimum > (range.Typical ?? range.Maximum))
        {
            throw entry.Error("minimum", $"minimum {range.Minimum} is above typical/maximum {range.Typical ?? range.Maximum}.");
        }

        if (finish)
        {
            entry.EnsureAllRead();
        }

        return range;
    }

    private static DeviceLine ReadLine(JsonEntry entry, DeviceFamily family)
    {
        var devId = entry.UInt32("devId");
        if (devId is 0 or > DevIdMask)
        {
            throw entry.Error("devId", $"0x{devId:X} is not a 12-bit DEV_ID.");
        }

        var romPart = entry.OptionalUInt32("romTablePart");
        if (romPart > 0xFFF)
        {
            throw entry.Error("romTablePart", "must fit in 12 bits.");
        }

        var aliases = new List<DevIdAlias>();
        if (entry.Has("devIdAliases"))
        {
            foreach (var a in entry.Objects("devIdAliases", (e, i) => Label(e, "devId", i)))
            {
                var aliasId = a.UInt32("devId");
                var partNo = a.UInt32("cpuPartNo");
                if (aliasId is 0 or > DevIdMask || aliasId == devId)
                {
                    throw a.Error("devId", $"0x{aliasId:X} must be a 12-bit DEV_ID other than the line's own.");
                }

                if (partNo != family.Genuine.CpuPartNo)
                {
                    throw a.Error("cpuPartNo", $"0x{partNo:X3} is not the family's core (CPUID PARTNO 0x{family.Genuine.CpuPartNo:X3}).");
                }

                aliases.Add(new DevIdAlias((ushort)aliasId, (ushort)partNo, a.String("source")));
                a.EnsureAllRead();
            }
        }

        var timingsEntry = entry.OptionalObject("timings");
        var line = new DeviceLine(
            family,
            (ushort)devId,
            entry.String("name"),
            entry.Int32("maxFlashKiB"),
            entry.UInt32("eraseUnitSize"),
            entry.OptionalInt32("wrpPagesPerBit"),
            entry.RevisionMap("revisions"),
            (ushort?)romPart,
            aliases,
            timingsEntry is null ? family.Timings : ReadTimings(timingsEntry),
            entry.String("source"));
        entry.EnsureAllRead();
        return line;
    }

    private static DevicePart ReadPart(JsonEntry entry, IReadOnlyList<DeviceFamily> families)
    {
        var number = entry.String("part");
        if (!PartNumberPattern().IsMatch(number))
        {
            throw entry.Error("part", $"'{number}' is not a lower-case STM32 part number such as \"stm32f103c8\".");
        }

        var familyKey = entry.String("family");
        var family = families.FirstOrDefault(f => f.Key == familyKey)
            ?? throw entry.Error("family", $"no family '{familyKey}' (known: {string.Join(", ", families.Select(f => f.Key))}).");
        var devId = entry.UInt32("devId");
        var line = family.Lines.FirstOrDefault(l => l.DevId == devId)
            ?? throw entry.Error("devId", $"family {familyKey} has no line with DEV_ID 0x{devId:X3}.");
        var flashKiB = entry.Int32("flashKiB");
        if (flashKiB <= 0 || flashKiB > line.MaxFlashKiB)
        {
            throw entry.Error("flashKiB", $"{flashKiB} KiB is outside 1..{line.MaxFlashKiB} KiB, the range of {line}.");
        }

        var ram = new List<RamRegion>();
        foreach (var r in entry.Objects("ram", (e, i) => Label(e, "name", i)))
        {
            var region = new RamRegion(r.String("name"), r.UInt32("base"), r.Int32("kiB"));
            if (region.SizeKiB <= 0 || region.End > 1UL << 32)
            {
                throw r.Error("kiB", $"{region.SizeKiB} KiB at 0x{region.Base:X8} is empty or runs past 4 GiB.");
            }

            if (ram.Find(o => region.Base < o.End && o.Base < region.End) is { } overlap)
            {
                throw r.Error("base", $"overlaps {overlap.Name} at 0x{overlap.Base:X8}.");
            }

            ram.Add(region);
            r.EnsureAllRead();
        }

        if (ram.Count == 0)
        {
            throw entry.Error("ram", "a part needs at least one SRAM region.");
        }

        var layout = ReadLayout(entry, "layout", family, line, flashKiB);
        var alternates = new List<FlashLayoutVariant>();
        if (entry.Has("alternateLayouts"))
        {
            foreach (var variant in entry.Objects("alternateLayouts", (e, i) => Label(e, "name", i)))
            {
                alternates.Add(new FlashLayoutVariant(variant.String("name"), variant.String("condition"), ReadLayout(variant, "layout", family, line, flashKiB)));
                variant.EnsureAllRead();
            }
        }

        return new DevicePart(line, number, flashKiB, ram, layout, alternates, entry.String("source"));
    }

    private static FlashLayout ReadLayout(JsonEntry entry, string field, DeviceFamily family, DeviceLine line, int flashKiB)
    {
        var regions = new List<FlashRegion>();
        var nextNumberInBank = new Dictionary<int, int>();
        foreach (var r in entry.Objects(field, (_, i) => i.ToString(System.Globalization.CultureInfo.InvariantCulture)))
        {
            var bank = r.OptionalInt32("bank") ?? 1;
            if (bank is < 1 or > 2)
            {
                throw r.Error("bank", $"bank {bank} must be 1 or 2.");
            }

            var first = r.OptionalInt32("firstNumber") ?? nextNumberInBank.GetValueOrDefault(bank);
            var region = new FlashRegion(r.UInt32("base"), r.UInt32("unitSize"), r.Int32("count"), bank, first);
            nextNumberInBank[bank] = first + region.Count;
            regions.Add(region);
            r.EnsureAllRead();
        }

        FlashLayout layout;
        try
        {
            layout = new FlashLayout(regions);
        }
        catch (ArgumentException ex)
        {
            throw entry.Error(field, ex.Message);
        }

        if (layout.TotalSize != flashKiB * 1024L)
        {
            throw entry.Error(field, $"the regions cover {layout.TotalSize / 1024} KiB but the part has {flashKiB} KiB; they must cover the flash exactly.");
        }

        if (layout.Start != family.FlashBase)
        {
            throw entry.Error(field, $"the first region starts at 0x{layout.Start:X8}, not at the family's flash base 0x{family.FlashBase:X8}.");
        }

        if (layout.Regions[0].UnitSize != line.EraseUnitSize)
        {
            throw entry.Error(field, $"the first unit is {layout.Regions[0].UnitSize} bytes but {line} erases in {line.EraseUnitSize}-byte units.");
        }

        return layout;
    }
}
