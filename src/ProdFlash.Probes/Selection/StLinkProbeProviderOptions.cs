using ProdFlash.Probes.StLink;

namespace ProdFlash.Probes.Selection;

/// <summary>How <see cref="StLinkProbeProvider"/> opens its probes.</summary>
public sealed record StLinkProbeProviderOptions
{
    /// <summary>Driver tuning (timeouts, WAIT retries, transfer sizes); defaults follow OpenOCD 0.12.</summary>
    public StLinkProbeOptions ProbeOptions { get; init; } = new();

    /// <summary>Clock for the target's DP power-up and core-state bounds.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The USB bus; <see cref="LibUsbBus.Instance"/> unless a test substitutes one.</summary>
    public IStLinkUsbBus UsbBus { get; init; } = LibUsbBus.Instance;

    /// <summary>
    /// Largest memory command behind an stlink-server whose API is below 2: OpenOCD limits blocks to 1 KiB there
    /// (OCD:3549-3553, reference §5.2 rule 1).
    /// </summary>
    public const int OldServerMaxWordTransfer = 1024;
}
