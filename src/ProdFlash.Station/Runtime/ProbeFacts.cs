using System.Text.RegularExpressions;

using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Probes;
using ProdFlash.Core.Targets;
using ProdFlash.Probes.Selection;
using ProdFlash.Probes.StLink;

namespace ProdFlash.Station.Runtime;

/// <summary>What binding learned about one opened probe, for the probe inventory.</summary>
/// <param name="Kind">Probe family and variant ("ST-LINK/V2").</param>
/// <param name="Firmware">Firmware version, or null when not known.</param>
/// <param name="PortPath">USB port path, or null when the probe is not on USB here.</param>
/// <param name="SuspectClone">Whether discovery saw any sign of a clone (the attempt's Probe phase refuses such a probe).</param>
/// <param name="Anomalies">One short sentence per thing an engineer should know.</param>
internal sealed partial record ProbeFacts(string Kind, string? Firmware, string? PortPath, bool SuspectClone, IReadOnlyList<string> Anomalies)
{
    /// <summary>The facts of <paramref name="probe"/>, opened through <paramref name="selector"/>.</summary>
    public static ProbeFacts Of(IDebugProbe probe, string selector)
    {
        ArgumentNullException.ThrowIfNull(probe);
        var description = probe.Description;
        var anomalies = new List<string>();
        var signals = description.CloneSignals;
        if (signals.HasFlag(CloneProbeSignals.BinarySerial))
        {
            anomalies.Add("binary serial: the USB descriptor holds 12 raw bytes, as on clones (stlink-protocol.md §6.1)");
        }

        if (signals.HasFlag(CloneProbeSignals.MalformedSerial))
        {
            anomalies.Add("malformed serial descriptor (odd length), as on clones");
        }

        if (signals.HasFlag(CloneProbeSignals.PlaceholderSerial))
        {
            anomalies.Add("placeholder serial shared by many probes (old firmware or a clone)");
        }

        if (signals.HasFlag(CloneProbeSignals.DuplicateSerial))
        {
            anomalies.Add("another attached probe reports the same serial");
        }

        if (probe is StLinkTarget stLink)
        {
            var missing = StLinkFirmwareRequirements.Missing(stLink.Probe.Info.Capabilities);
            if (missing.Count > 0)
            {
                anomalies.Add($"firmware {description.Firmware} is too old: {string.Join("; ", missing.Select(m => $"{m.UsedFor} needs {m.Minimum}"))}");
            }
        }

        return new ProbeFacts(description.Kind, description.Firmware, PortPathOf(selector, description.Location), signals != CloneProbeSignals.None, anomalies);
    }

    /// <summary>The USB port path: the selector's <c>?port=</c>, else the "at USB 1-4.2" of the probe's location, else null.</summary>
    internal static string? PortPathOf(string selector, string location)
    {
        if (ProbeSelector.TryParse(selector, out var parsed, out _) && parsed!.PortPath is { } port)
        {
            return port;
        }

        var match = UsbPortPattern().Match(location);
        return match.Success ? match.Groups[1].Value : null;
    }

    [GeneratedRegex(@"\bat USB ([0-9]+-[0-9.]+)", RegexOptions.CultureInvariant)]
    private static partial Regex UsbPortPattern();
}
