using System.Globalization;
using System.Text.Json;

namespace ProdFlash.Core.Devices;

/// <summary>
/// One JSON object of the catalog with its path, read field by field. Every error names the entry and the field;
/// <see cref="EnsureAllRead"/> rejects fields nobody asked for, so a misspelt field is an error, not a silent default.
/// </summary>
internal sealed class JsonEntry
{
    private readonly JsonElement _element;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public JsonEntry(JsonElement element, string path)
    {
        Path = path;
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new DeviceCatalogException(path, null, $"expected a JSON object, found {element.ValueKind}.");
        }

        _element = element;
    }

    public string Path { get; }

    public bool Has(string field) => _element.TryGetProperty(field, out var value) && value.ValueKind != JsonValueKind.Null;

    public string String(string field) => OptionalString(field) ?? throw Missing(field, "a string");

    public string? OptionalString(string field)
    {
        if (!TryGet(field, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
        {
            throw Error(field, $"expected a non-empty string, found {Describe(value)}.");
        }

        return value.GetString()!;
    }

    public uint UInt32(string field) => OptionalUInt32(field) ?? throw Missing(field, "a number or a \"0x...\" hex string");

    public uint? OptionalUInt32(string field) => TryGet(field, out var value) ? ParseUInt32(value, field) : null;

    public int Int32(string field)
    {
        var value = UInt32(field);
        return value <= int.MaxValue ? (int)value : throw Error(field, $"value {value} is too large.");
    }

    public int? OptionalInt32(string field)
    {
        var value = OptionalUInt32(field);
        return value is null ? null : value <= int.MaxValue ? (int)value : throw Error(field, $"value {value} is too large.");
    }

    public bool Boolean(string field)
    {
        if (!TryGet(field, out var value))
        {
            throw Missing(field, "true or false");
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error(field, $"expected true or false, found {Describe(value)}."),
        };
    }

    public JsonEntry Object(string field) => OptionalObject(field) ?? throw Missing(field, "an object");

    public JsonEntry? OptionalObject(string field) => TryGet(field, out var value) ? new JsonEntry(value, $"{Path}.{field}") : null;

    /// <summary>The items of an array of objects; <paramref name="label"/> names each item for error messages.</summary>
    public IReadOnlyList<JsonEntry> Objects(string field, Func<JsonElement, int, string> label)
    {
        var items = OptionalArray(field) ?? throw Missing(field, "an array");
        return items.Select((item, i) => new JsonEntry(item, $"{Path}.{field}[{label(item, i)}]")).ToList();
    }

    public IReadOnlyList<JsonElement>? OptionalArray(string field)
    {
        if (!TryGet(field, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw Error(field, $"expected an array, found {Describe(value)}.");
        }

        return value.EnumerateArray().ToList();
    }

    public IReadOnlyList<int> Int32Array(string field)
    {
        var items = OptionalArray(field) ?? throw Missing(field, "an array of numbers");
        return items.Select(item => (int)ParseUInt32(item, field)).ToList();
    }

    /// <summary>An object whose values are numbers or hex strings, e.g. register offsets.</summary>
    public IReadOnlyDictionary<string, uint> UInt32Map(string field)
    {
        var map = new Dictionary<string, uint>(StringComparer.Ordinal);
        foreach (var property in Properties(field))
        {
            map[property.Name] = ParseUInt32(property.Value, $"{field}.{property.Name}");
        }

        return map;
    }

    /// <summary>An object whose values are bit fields: a bit number for a flag, or "shift:width".</summary>
    public IReadOnlyDictionary<string, BitField> BitFieldMap(string field)
    {
        var map = new Dictionary<string, BitField>(StringComparer.Ordinal);
        foreach (var property in Properties(field))
        {
            map[property.Name] = ParseBitField(property.Value, $"{field}.{property.Name}");
        }

        return map;
    }

    /// <summary>An object of objects of bit fields: register → field → bits.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, BitField>> BitFieldMaps(string field)
    {
        var entry = Object(field);
        var map = new Dictionary<string, IReadOnlyDictionary<string, BitField>>(StringComparer.Ordinal);
        foreach (var register in entry._element.EnumerateObject())
        {
            map[register.Name] = entry.BitFieldMap(register.Name);
        }

        entry.EnsureAllRead();
        return map;
    }

    /// <summary>An object whose keys are numbers or hex strings and whose values are strings (revision tables).</summary>
    public IReadOnlyDictionary<ushort, string> RevisionMap(string field)
    {
        var map = new Dictionary<ushort, string>();
        foreach (var property in Properties(field))
        {
            if (!TryParseUInt32(property.Name, out var key) || key > ushort.MaxValue)
            {
                throw Error(field, $"key '{property.Name}' is not a 16-bit number such as \"0x1000\".");
            }

            if (property.Value.ValueKind != JsonValueKind.String)
            {
                throw Error($"{field}.{property.Name}", $"expected a string, found {Describe(property.Value)}.");
            }

            map[(ushort)key] = property.Value.GetString()!;
        }

        return map;
    }

    /// <summary>A time written as "52.5us", "40ms" or "2s"; null when absent or null.</summary>
    public TimeSpan? OptionalDuration(string field)
    {
        var text = OptionalString(field);
        if (text is null)
        {
            return null;
        }

        var (number, scale) = text.EndsWith("us", StringComparison.Ordinal) ? (text[..^2], 1e-6)
            : text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 1e-3)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : (text, double.NaN);
        if (double.IsNaN(scale) || !double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < 0)
        {
            throw Error(field, $"'{text}' is not a time such as \"52.5us\", \"40ms\" or \"2s\".");
        }

        return TimeSpan.FromTicks((long)Math.Round(value * scale * TimeSpan.TicksPerSecond));
    }

    public void EnsureAllRead()
    {
        foreach (var property in _element.EnumerateObject())
        {
            if (!_read.Contains(property.Name))
            {
                throw Error(property.Name, "unknown field (misspelt?); remove it or use a field the catalog reads.");
            }
        }
    }

    public DeviceCatalogException Error(string? field, string problem) => new(Path, field, problem);

    public static bool TryParseUInt32(string text, out uint value)
    {
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return uint.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        }

        return uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    private IEnumerable<JsonProperty> Properties(string field)
    {
        if (!TryGet(field, out var value))
        {
            throw Missing(field, "an object");
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Error(field, $"expected an object, found {Describe(value)}.");
        }

        return value.EnumerateObject();
    }

    private bool TryGet(string field, out JsonElement value)
    {
        _read.Add(field);
        return _element.TryGetProperty(field, out value) && value.ValueKind != JsonValueKind.Null;
    }

    private uint ParseUInt32(JsonElement value, string field)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetUInt32(out var number))
        {
            return number;
        }

        if (value.ValueKind == JsonValueKind.String && TryParseUInt32(value.GetString()!, out number))
        {
            return number;
        }

        throw Error(field, $"expected an unsigned 32-bit number or a \"0x...\" hex string, found {Describe(value)}.");
    }

    private BitField ParseBitField(JsonElement value, string field)
    {
        if (!TryParseBitField(value, out var shift, out var width))
        {
            throw Error(field, $"expected a bit number or \"shift:width\", found {Describe(value)}.");
        }

        if (shift < 0 || width < 1 || shift + width > 32)
        {
            throw Error(field, $"bits {shift}..{shift + width - 1} do not fit in a 32-bit register.");
        }

        return new BitField(shift, width);
    }

    private static bool TryParseBitField(JsonElement value, out int shift, out int width)
    {
        width = 1;
        if (value.ValueKind == JsonValueKind.Number)
        {
            return value.TryGetInt32(out shift);
        }

        shift = 0;
        return value.ValueKind == JsonValueKind.String
            && value.GetString()!.Split(':') is [var s, var w]
            && int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out shift)
            && int.TryParse(w, NumberStyles.None, CultureInfo.InvariantCulture, out width);
    }

    private DeviceCatalogException Missing(string field, string what) => Error(field, $"required field is missing; expected {what}.");

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"\"{value.GetString()}\"",
        JsonValueKind.Number => value.GetRawText(),
        _ => value.ValueKind.ToString(),
    };
}
