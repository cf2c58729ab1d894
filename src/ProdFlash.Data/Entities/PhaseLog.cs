using System.Text.Json;
using System.Text.Json.Serialization;

using ProdFlash.Core.Diagnostics;

namespace ProdFlash.Data.Entities;

/// <summary>What one phase took and measured.</summary>
/// <param name="Phase">The phase.</param>
/// <param name="Seconds">Its duration in seconds.</param>
/// <param name="Measurements">What it measured, by short name ("vtarget" → "3.29"), or null.</param>
public sealed record PhaseRecord(
    [property: JsonPropertyName("p")] AttemptPhase Phase,
    [property: JsonPropertyName("s")] double Seconds,
    [property: JsonPropertyName("m")] IReadOnlyDictionary<string, string>? Measurements = null);

/// <summary>
/// The compact JSON of <see cref="Attempt.Phases"/>: an array of <c>{"p":"Probe","s":0.012,"m":{...}}</c>, phase by
/// name, no indentation, null measurements left out. About 25 bytes a phase plus its measurements, which keeps an
/// attempt row well inside the 1 KiB budget.
/// </summary>
public static class PhaseLog
{
    private static readonly JsonSerializerOptions s_options = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter<AttemptPhase>() },
    };

    /// <summary>The JSON for <paramref name="phases"/>.</summary>
    public static string Serialize(IEnumerable<PhaseRecord> phases) => JsonSerializer.Serialize(phases, s_options);

    /// <summary>Reads <see cref="Attempt.Phases"/> back.</summary>
    /// <exception cref="JsonException">The text is not a phase log.</exception>
    public static IReadOnlyList<PhaseRecord> Deserialize(string json) =>
        JsonSerializer.Deserialize<List<PhaseRecord>>(json, s_options) ?? [];
}
