using System.Globalization;
using System.Text.Json;

namespace ProdFlash.Emulator.Chips.Clones;

/// <summary>
/// The look-alike identities embedded in the emulator (<c>Chips/Clones/clone-identities.json</c>), each fact citing its
/// cell of reference stm32-targets.md §5.3 or marked as an assumption.
/// </summary>
public static class CloneCatalog
{
    /// <summary>Manifest name of the embedded JSON.</summary>
    public const string ResourceName = "ProdFlash.Emulator.Chips.Clones.clone-identities.json";

    private static readonly Lazy<IReadOnlyDictionary<string, CloneIdentity>> Entries = new(Load);

    /// <summary>All look-alike identities, by part name (case-insensitive).</summary>
    public static IReadOnlyDictionary<string, CloneIdentity> ByPart => Entries.Value;

    /// <summary>The identity of <paramref name="part"/>.</summary>
    /// <exception cref="ChipConfigurationException">No look-alike of that name is in the catalog.</exception>
    public static CloneIdentity Get(string part)
    {
        ArgumentNullException.ThrowIfNull(part);
        return ByPart.TryGetValue(part, out var identity)
            ? identity
            : throw new ChipConfigurationException(
                $"No emulated look-alike named '{part}'; available: {string.Join(", ", ByPart.Keys.Order(StringComparer.Ordinal))}.");
    }

    /// <summary>Parses a clone-identity document (the embedded one, or another for tests).</summary>
    /// <exception cref="ChipConfigurationException">The document is malformed; the message names the entry and field.</exception>
    public static IReadOnlyDictionary<string, CloneIdentity> Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException error)
        {
            throw new ChipConfigurationException($"clone-identities.json is not valid JSON: {error.Message}", error);
        }

        using var owned = document;
        var root = document.RootElement;
        var sets = new Dictionary<string, IReadOnlyDictionary<string, ulong>>(StringComparer.Ordinal);
        foreach (var set in Property("(root)", root, "componentSets").EnumerateObject())
        {
            sets[set.Name] = Property(set.Name, set.Value, "components").EnumerateObject()
                .ToDictionary(c => c.Name, c => ParseNumber(set.Name, c.Name, c.Value.GetString()), StringComparer.Ordinal);
        }

        var result = new Dictionary<string, CloneIdentity>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in Property("(root)", root, "clones").EnumerateArray())
        {
            var part = Property("?", entry, "part").GetString() ?? throw Malformed("?", "part");
            var componentSet = Text(part, entry, "componentSet");
            if (!sets.TryGetValue(componentSet.Value, out var components))
            {
                throw Malformed(part, $"componentSet '{componentSet.Value}' (not among componentSets)");
            }

            result[part] = new CloneIdentity
            {
                Part = part,
                Maker = Property(part, entry, "maker").GetString() ?? throw Malformed(part, "maker"),
                FamilyLabel = Property(part, entry, "familyLabel").GetString() ?? throw Malformed(part, "familyLabel"),
                Copies = Property(part, entry, "copies").GetString() ?? throw Malformed(part, "copies"),
                DpIdr = Word(part, entry, "dpIdr"),
                ApIdr = Word(part, entry, "apIdr"),
                CpuId = Word(part, entry, "cpuId"),
                ComponentSet = componentSet,
                RomTablePeripheralId = RomTable(part, Property(part, entry, "romTable")),
                EtmInRomTable = Flag(part, entry, "etmInRomTable"),
                DbgMcuIdCode = Word(part, entry, "dbgMcuIdCode"),
                FlashSizeRegisterKiB = Word(part, entry, "flashSizeRegisterKiB"),
                FlashSizeRegisterSramKiB = OptionalWord(part, entry, "flashSizeRegisterSramKiB"),
                FlashArrayKiB = Word(part, entry, "flashArrayKiB"),
                PageSize = OptionalWord(part, entry, "pageSize"),
                SramKiB = OptionalWord(part, entry, "sramKiB"),
                UidProjectId = OptionalWord(part, entry, "uidProjectId"),
                OptionBlockBytes = OptionalWord(part, entry, "optionBlockBytes"),
                AhbEnrStickyBits = Word(part, entry, "ahbEnrStickyBits"),
                ModeKeyRegister = entry.TryGetProperty("modeKeyRegister", out _) ? Flag(part, entry, "modeKeyRegister") : null,
                WordWrite = Choice(part, entry, "wordWrite", value => value switch
                {
                    "both-half-words" => CloneWordWrite.BothHalfWords,
                    "low-half-only" => CloneWordWrite.LowHalfOnly,
                    "word" => CloneWordWrite.Word,
                    _ => (CloneWordWrite?)null,
                }),
                WriteWhileBusy = Choice(part, entry, "writeWhileBusy", value => value switch
                {
                    "stall" => CloneBusyWrite.Stall,
                    "dropped" => CloneBusyWrite.Dropped,
                    _ => (CloneBusyWrite?)null,
                }),
                ComponentPeripheralIds = components,
            };
        }

        return result;
    }

    private static IReadOnlyDictionary<string, CloneIdentity> Load()
    {
        using var stream = typeof(CloneCatalog).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new ChipConfigurationException($"The emulator assembly lacks its embedded resource '{ResourceName}'; rebuild ProdFlash.Emulator.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }

    private static (string? Source, string? Assumption) Provenance(string part, string field, JsonElement fact)
    {
        var source = fact.TryGetProperty("source", out var s) ? s.GetString() : null;
        var assumption = fact.TryGetProperty("assumption", out var a) ? a.GetString() : null;
        if (string.IsNullOrWhiteSpace(source) == string.IsNullOrWhiteSpace(assumption))
        {
            throw Malformed(part, $"{field} (give exactly one of 'source' and 'assumption')");
        }

        return (source, assumption);
    }

    private static CloneFact<uint> Word(string part, JsonElement entry, string field)
    {
        var fact = Property(part, entry, field);
        var (source, assumption) = Provenance(part, field, fact);
        var value = ParseNumber(part, field, Property(part, fact, "value").GetString());
        return value <= uint.MaxValue ? new((uint)value, source, assumption) : throw Malformed(part, field);
    }

    private static CloneFact<uint>? OptionalWord(string part, JsonElement entry, string field) =>
        entry.TryGetProperty(field, out _) ? Word(part, entry, field) : null;

    private static CloneFact<bool> Flag(string part, JsonElement entry, string field)
    {
        var fact = Property(part, entry, field);
        var (source, assumption) = Provenance(part, field, fact);
        return new(Property(part, fact, "value").GetBoolean(), source, assumption);
    }

    private static CloneFact<string> Text(string part, JsonElement entry, string field)
    {
        var fact = Property(part, entry, field);
        var (source, assumption) = Provenance(part, field, fact);
        return new(Property(part, fact, "value").GetString() ?? throw Malformed(part, field), source, assumption);
    }

    private static CloneFact<T> Choice<T>(string part, JsonElement entry, string field, Func<string?, T?> map)
        where T : struct
    {
        var fact = Property(part, entry, field);
        var (source, assumption) = Provenance(part, field, fact);
        var value = map(Property(part, fact, "value").GetString()) ?? throw Malformed(part, field);
        return new(value, source, assumption);
    }

    private static CloneFact<ulong> RomTable(string part, JsonElement fact)
    {
        var (source, assumption) = Provenance(part, "romTable", fact);
        if (fact.TryGetProperty("peripheralId", out var raw))
        {
            return new(ParseNumber(part, "romTable.peripheralId", raw.GetString()), source, assumption);
        }

        var designer = ParseNumber(part, "romTable.designer", Property(part, fact, "designer").GetString());
        var romPart = ParseNumber(part, "romTable.part", Property(part, fact, "part").GetString());
        return new(Stm32F1Specs.RomTablePeripheralId((ushort)designer, (ushort)romPart), source, assumption);
    }

    private static ulong ParseNumber(string part, string field, string? text)
    {
        ulong value = 0;
        var ok = text is not null && (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value)
            : ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value));
        return ok ? value : throw Malformed(part, $"{field} ('{text}' is not a number; write hex as 0x... or decimal)");
    }

    private static JsonElement Property(string part, JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : throw Malformed(part, name);

    private static ChipConfigurationException Malformed(string part, string field) =>
        new($"clone-identities.json: entry '{part}' has a missing or malformed '{field}'; fix the embedded file.");
}
