using ProdFlash.Probes.StLink;

namespace ProdFlash.Emulator.Selection;

/// <summary>How <see cref="EmulatorProbeProvider"/> runs its slots.</summary>
public sealed record EmulatorProbeProviderOptions
{
    /// <summary>
    /// The time source. In the default (virtual) mode it only starts each slot's modeled clock; in
    /// <see cref="RealTime"/> mode the slots wait their modeled time on it and the driver's bounds and backoffs run on it.
    /// </summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// False (default, tests): each slot runs on its own modeled clock, nothing sleeps, a programming run finishes as
    /// fast as the host computes it. True (the demo station): every transaction and flash operation takes its modeled
    /// time on <see cref="TimeProvider"/>, as on hardware.
    /// </summary>
    public bool RealTime { get; init; }

    /// <summary>Driver tuning; the provider replaces its <see cref="StLinkProbeOptions.TimeProvider"/> with the slot's time.</summary>
    public StLinkProbeOptions ProbeOptions { get; init; } = new();
}
