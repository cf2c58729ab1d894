using System.Globalization;
using System.Text.Json;

namespace ProdFlash.Core.Recipes;

/// <summary>
/// A JSON object being read: every key read is ticked off, so <see cref="EnsureAllRead"/> can reject unknown keys
/// (typos), and every error names the key path.
/// </summary>
internal sealed class RecipeJson
{
    private readonly JsonElement _element;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public RecipeJson(string source, string path, JsonElement element)
    {
        Source = source;
        Path = path;
        _element = element;
    }

    public string Source { get; }

    public string Path { get; }

    public static RecipeJson Open(string source, string path, JsonElement element) =>
        element.ValueKind == JsonValueKind.Object
            ? new RecipeJson(source, path, element)
            : throw new RecipeException(source, path, $"{path} must be an object, not {Kind(element)}.");

    public string KeyPath(string key) => Path + "." + key;

    public RecipeException Error(string key, string problem) => new(Source, KeyPath(key), $"{KeyPath(key)} {problem}");

    public bool Has(string key) => _element.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null;

    public JsonElement? Optional(string key)
    {
        _read.Add(key);
        return _element.TryGetProperty(key, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;
    }

    public JsonElement Required(string key)
    {
        if (Optional(key) is { } value)
        {
            return value;
        }

        var typo = _element.EnumerateObject().Select(p => p.Name).FirstOrDefault(n => n != key && Distance(n, key) <= 2);
        throw new RecipeException(Source, KeyPath(key),
            $"{KeyPath(key)} is missing; it is required{(typo is null ? "." : $" (is \"{typo}\" a misspelling of \"{key}\"?).")}");
    }

    public RecipeJson Object(string key) => Open(Source, KeyPath(key), Required(key));

    public RecipeJson? OptionalObject(string key) => Optional(key) is { } v ? Open(Source, KeyPath(key), v) : null;

    public string String(string key) => AsString(KeyPath(key), Required(key));

    public string? OptionalString(string key) => Optional(key) is { } v ? AsString(KeyPath(key), v) : null;

    public bool Bool(string key, bool fallback)
    {
        if (Optional(key) is not { } v)
        {
            return fallback;
        }

        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error(key, $"must be true or false, not {Kind(v)}."),
        };
    }

    public double Double(string key) => AsDouble(KeyPath(key), Required(key));

    public double? OptionalDouble(string key) => Optional(key) is { } v ? AsDouble(KeyPath(key), v) : null;

    /// <summary>An unsigned integer written as a JSON number or a "0x..." hex string.</summary>
    public ulong UInt(string key, ulong max) => AsUInt(KeyPath(key), Required(key), max);

    public ulong? OptionalUInt(string key, ulong max) => Optional(key) is { } v ? AsUInt(KeyPath(key), v, max) : null;

    public T Enum<T>(string key, IReadOnlyDictionary<string, T> names, T fallback)
    {
        if (Optional(key) is not { } v)
        {
            return fallback;
        }

        var text = AsString(KeyPath(key), v);
        return names.TryGetValue(text, out var value)
            ? value
            : throw Error(key, $"\"{text}\" is not one of {string.Join(", ", names.Keys.Select(n => "\"" + n + "\""))}.");
    }

    public IReadOnlyList<JsonElement> Array(string key, bool required)
    {
        var value = required ? Required(key) : Optional(key);
        if (value is not { } v)
        {
            return [];
        }

        return v.ValueKind == JsonValueKind.Array
            ? [.. v.EnumerateArray()]
            : throw Error(key, $"must be an array, not {Kind(v)}.");
    }

    /// <summary>The properties of this object (for maps such as user option bits), all counted as read.</summary>
    public IEnumerable<(string Key, JsonElement Value)> Properties()
    {
        foreach (var property in _element.EnumerateObject())
        {
            _read.Add(property.Name);
            yield return (property.Name, property.Value);
        }
    }

    public void EnsureAllRead(IReadOnlyCollection<string>? known = null)
    {
        foreach (var property in _element.EnumerateObject())
        {
            if (!_read.Contains(property.Name))
            {
                var candidates = known ?? _read;
                var hint = candidates.OrderBy(k => Distance(k, property.Name)).FirstOrDefault(k => Distance(k, property.Name) <= 3);
                throw new RecipeException(Source, KeyPath(property.Name),
                    $"{KeyPath(property.Name)} is not a recipe key{(hint is null ? string.Empty : $"; did you mean \"{hint}\"")}. Keys here: {string.Join(", ", candidates.Order(StringComparer.Ordinal))}.");
            }
        }
    }

    public string AsString(string path, JsonElement value) =>
        value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : throw new RecipeException(Source, path, $"{path} must be a string, not {Kind(value)}.");

    public double AsDouble(string path, JsonElement value) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var d) && double.IsFinite(d)
            ? d
            : throw new RecipeException(Source, path, $"{path} must be a number, not {Kind(value)}.");

    public ulong AsUInt(string path, JsonElement value, ulong max)
    {
        ulong result;
        if (value.ValueKind == JsonValueKind.Number)
        {
            if (!value.TryGetUInt64(out result))
            {
                throw new RecipeException(Source, path, $"{path} {value.GetRawText()} must be a whole number from 0 to {max.ToString(CultureInfo.InvariantCulture)}.");
            }
        }
        else if (value.ValueKind == JsonValueKind.String
            && value.GetString() is { } text
            && text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            && ulong.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out result))
        {
        }
        else
        {
            throw new RecipeException(Source, path, $"{path} must be a number or a \"0x...\" hex string, not {Kind(value)}.");
        }

        return result <= max
            ? result
            : throw new RecipeException(Source, path, $"{path} {result.ToString(CultureInfo.InvariantCulture)} is above the maximum {max.ToString(CultureInfo.InvariantCulture)}.");
    }

    public static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{value.GetString()}\"",
        JsonValueKind.Number => "the number " + value.GetRawText(),
        JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "null",
    };

    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
