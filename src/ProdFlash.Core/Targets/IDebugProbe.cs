namespace ProdFlash.Core.Targets;

/// <summary>What the probe measured on its target-voltage sense pin.</summary>
/// <param name="CanMeasure">False when the probe cannot measure (e.g. its ADC returned all zeros); distinct from 0 V.</param>
/// <param name="Volts">The measured voltage; 0 when <paramref name="CanMeasure"/> is false.</param>
/// <param name="Evidence">The raw reading in words, for the attempt record (e.g. "adc0=1521 adc1=2059").</param>
public readonly record struct TargetVoltage(bool CanMeasure, double Volts, string Evidence);

/// <summary>How to drive the target's NRST line.</summary>
public enum ResetLineAction
{
    /// <summary>Drive NRST low and keep it there (target held in reset).</summary>
    Assert,

    /// <summary>Release NRST (high).</summary>
    Release,

    /// <summary>A short low pulse, then release.</summary>
    Pulse,
}

/// <summary>What connecting to the target's debug port found.</summary>
/// <param name="DpIdr">The SW-DP DPIDR (IDCODE) the probe read.</param>
/// <param name="FrequencyKHz">The SWD clock actually applied, in kHz.</param>
public readonly record struct TargetConnection(uint DpIdr, int FrequencyKHz);

/// <summary>Identity of a debug probe, as the attempt record shows it.</summary>
/// <param name="Kind">Probe family and variant, e.g. "ST-LINK/V2".</param>
/// <param name="Firmware">Firmware version string, e.g. "V2J37S7".</param>
/// <param name="Location">Where the probe is: USB port path and serial, TCP endpoint, emulator.</param>
/// <param name="Serial">The probe's serial as tools report it (24 hex characters), when the transport knows it.</param>
/// <param name="CloneSignals">Host-visible signs that the probe is a clone (stlink-protocol.md §6), as its discovery saw them.</param>
public sealed record ProbeDescription(string Kind, string Firmware, string Location, string? Serial = null, Diagnostics.CloneProbeSignals CloneSignals = Diagnostics.CloneProbeSignals.None);

/// <summary>A debug probe connected to one target: power sense, NRST, SWD clock and connection.</summary>
/// <remarks>
/// One runner owns one probe; nothing else touches it while owned (not thread-safe). The owner disposes it;
/// disposing returns the probe to idle on a best-effort basis and never throws.
/// </remarks>
public interface IDebugProbe : IAsyncDisposable
{
    /// <summary>The probe's identity.</summary>
    ProbeDescription Description { get; }

    /// <summary>The target's memory map; valid after <see cref="ConnectAsync"/>.</summary>
    ITargetMemory Memory { get; }

    /// <summary>The target's core; valid after <see cref="ConnectAsync"/>.</summary>
    ICoreControl Core { get; }

    /// <summary>Raw DP/AP access, or null when the probe (or its firmware) does not offer it.</summary>
    IDapAccess? Dap { get; }

    /// <summary>Measures the target voltage on the probe's sense pin.</summary>
    ValueTask<TargetVoltage> ReadTargetVoltageAsync(CancellationToken cancellationToken);

    /// <summary>Drives NRST.</summary>
    ValueTask DriveResetLineAsync(ResetLineAction action, CancellationToken cancellationToken);

    /// <summary>Sets the SWD clock: the highest supported value not above <paramref name="kiloHertz"/>.</summary>
    /// <returns>The frequency actually applied, in kHz.</returns>
    ValueTask<int> SetFrequencyAsync(int kiloHertz, CancellationToken cancellationToken);

    /// <summary>Enters SWD mode, reads the DPIDR and powers up the debug port.</summary>
    ValueTask<TargetConnection> ConnectAsync(CancellationToken cancellationToken);
}
