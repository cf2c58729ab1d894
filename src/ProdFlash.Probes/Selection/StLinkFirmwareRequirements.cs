using ProdFlash.Probes.StLink;

namespace ProdFlash.Probes.Selection;

/// <summary>One firmware feature the station relies on, and the oldest firmware that has it (reference §4.3).</summary>
/// <param name="Capability">The capability flag.</param>
/// <param name="Minimum">The oldest firmware with it, as OpenOCD names versions (e.g. <c>V2J24</c>).</param>
/// <param name="UsedFor">What the station uses it for.</param>
public sealed record StLinkRequirement(StLinkCapabilities Capability, string Minimum, string UsedFor);

/// <summary>The ST-LINK firmware features a programming attempt needs (DESIGN.md §5 phases 1-3).</summary>
public static class StLinkFirmwareRequirements
{
    /// <summary>
    /// The features: target voltage (Power phase, V2 ≥ J13), SWD clock choice (Connect phase, V2 ≥ J22) and DP/AP
    /// register access (DP power-up handshake, sticky-error recovery, connect diagnosis, V2 ≥ J24). Every V3 has all.
    /// </summary>
    public static IReadOnlyList<StLinkRequirement> All { get; } =
    [
        new(StLinkCapabilities.TargetVoltage, "V2J13", "the target-voltage check"),
        new(StLinkCapabilities.SwdSetFrequency | StLinkCapabilities.ComFrequency, "V2J22", "choosing the SWD clock"),
        new(StLinkCapabilities.DapRegisters, "V2J24", "DP/AP register access (power-up handshake and connect diagnosis)"),
    ];

    /// <summary>The requirements <paramref name="capabilities"/> do not meet (a requirement with two flags is met by either).</summary>
    public static IReadOnlyList<StLinkRequirement> Missing(StLinkCapabilities capabilities) =>
        [.. All.Where(r => (capabilities & r.Capability) == 0)];
}
