using System.Globalization;
using System.Text;
using System.Text.Json;

using ProdFlash.Core.Diagnostics;

namespace ProdFlash.Data.Entities;

/// <summary>What one phase took and measured.</summary>
/// <param name="Phase">The phase.</param>
/// <param name="Seconds">Its duration in seconds.</param>
/// <param name="Measurements">What it measured, by short name ("vtarget" → "3.29"), or null.</param>
public sealed record PhaseRecord(AttemptPhase Phase, double Seconds, IReadOnlyDictionary<string, string>? Measurements = null);

/// <summary>
/// The compact JSON of <see cref="Attempt.Phases"/>: one array per phase, <c>[name, seconds]</c> or
/// <c>[name, seconds, {measurements}]</c>, e.g. <c>[["Probe",0.012,{"fw":"V2J45S7"}],["Power",0.004,{"vtarget":"3.29"}]]</c>.
/// Positional arrays instead of objects save about 14 bytes a phase, which keeps an attempt row inside the 1 KiB budget
/// (docs/data.md).
/// </summary>
public static class PhaseLog
{
    /// <summary>The JSON for <paramref name="phases"/>.</summary>
    public static string Serialize(IEnumerable<PhaseRecord> phases)
    {
        ArgumentNullException.ThrowIfNull(phases);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var phase in phases)
            {
                json.WriteStartArray();
                json.WriteStringValue(phase.Phase.ToString());
                json.WriteNumberValue(Math.Round(phase.Seconds, 6));
                if (phase.Measurements is { Count: > 0 } measurements)
                {
                    json.WriteStartObject();
                    foreach (var (name, value) in measurements)
                    {
                        json.WriteString(name, value);
                    }

                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Reads <see cref="Attempt.Phases"/> back.</summary>
    /// <exception cref="StationDataException">The text is not a phase log.</exception>
    public static IReadOnlyList<PhaseRecord> Deserialize(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            var phases = new List<PhaseRecord>();
            foreach (var item in document.RootElement.EnumerateArray())
            {
                var phase = Enum.Parse<AttemptPhase>(item[0].GetString()!);
                var seconds = item[1].GetDouble();
                Dictionary<string, string>? measurements = null;
                if (item.GetArrayLength() > 2)
                {
                    measurements = item[2].EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? string.Empty, StringComparer.Ordinal);
                }

                phases.Add(new PhaseRecord(phase, seconds, measurements));
            }

            return phases;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException or IndexOutOfRangeException)
        {
            throw new StationDataException(string.Create(CultureInfo.InvariantCulture,
                $"The phase log is not [[phase, seconds, {{measurements}}], ...] JSON ({ex.Message})."), ex);
        }
    }
}
