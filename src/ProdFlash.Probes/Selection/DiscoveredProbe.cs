namespace ProdFlash.Probes.Selection;

/// <summary>One ST-LINK found by <see cref="ProbeDiscovery"/>, with what could be read from it.</summary>
/// <param name="Transport"><c>usb</c>, or <c>stlink-server HOST:PORT</c>.</param>
/// <param name="Selector">The selector that names this probe uniquely (by port path when its serial is shared), or null when none can.</param>
/// <param name="Serial">The serial in selector form (24 hex characters; binary serials hex-converted), or null when unread.</param>
/// <param name="ReportedSerial">The serial as the probe reported it: its text, or the descriptor bytes in hex when binary.</param>
/// <param name="PortPath">USB port path (<c>1-4.2</c>); null through a server.</param>
/// <param name="VidPid">VID:PID as <c>0483:3748</c>.</param>
/// <param name="Variant">Model from the PID (e.g. <c>ST-LINK/V2</c>).</param>
/// <param name="Firmware">Firmware as OpenOCD prints it (<c>V2J37S7</c>), or null when the probe could not be opened.</param>
/// <param name="TargetVolts">Target voltage, or null when not measured (old firmware, ADC without reference, not opened).</param>
/// <param name="Anomalies">What an engineer should know, one sentence each (duplicate or binary serial, old firmware, cannot open).</param>
public sealed record DiscoveredProbe(
    string Transport,
    string? Selector,
    string? Serial,
    string? ReportedSerial,
    string? PortPath,
    string VidPid,
    string Variant,
    string? Firmware,
    double? TargetVolts,
    IReadOnlyList<string> Anomalies);
