namespace ProdFlash.Probes.StLink;

/// <summary>Tuning of <see cref="StLinkProbe"/>; the defaults follow OpenOCD 0.12.</summary>
public sealed record StLinkProbeOptions
{
    /// <summary>Limit for one wire transaction (OpenOCD <c>LIBUSB_TIMEOUT_MS</c> = 6000 ms, OCD-LH:26).</summary>
    public TimeSpan TransactionTimeout { get; init; } = TimeSpan.FromMilliseconds(6000);

    /// <summary>How many times a command answered with WAIT is sent again (OpenOCD <c>MAX_WAIT_RETRIES 8</c>, OCD:106).</summary>
    public int MaxWaitRetries { get; init; } = 8;

    /// <summary>First backoff after a WAIT; doubled each retry (OpenOCD sleeps 1 &lt;&lt; n ms, OCD:1159-1190).</summary>
    public TimeSpan WaitBackoff { get; init; } = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// TAR auto-increment boundary in bytes: 1024 guaranteed by ADIv5; 4096 on Cortex-M3/M4 (reference §4.2).
    /// A transfer never crosses it.
    /// </summary>
    public int AutoIncrementBoundary { get; init; } = 1024;

    /// <summary>
    /// Largest 16/32-bit memory command in bytes: 6144 (<c>STLINK_DATA_SIZE</c>, OCD:74). Set 1024 behind an
    /// stlink-server reporting API &lt; 2, where OpenOCD limits blocks to 1 KiB (OCD:3549-3553, reference §5.2 rule 1;
    /// <see cref="ProdFlash.Probes.StLinkServer.StLinkServerWire.ServerVersion"/>). A multiple of 4.
    /// </summary>
    public int MaxWordTransfer { get; init; } = StLinkProbe.MaxWordTransfer;

    /// <summary>
    /// CSW sent in bytes 9..11 of memory commands on firmware that honours them (V2 ≥ J32, V3 ≥ J2); OpenOCD's AHB-AP
    /// default seen on the wire is 0xA2000000 (reference §2.4 step 6). Zero on older firmware.
    /// </summary>
    public uint MemoryCsw { get; init; } = 0xA2000000;

    /// <summary>Clock the WAIT backoff delays run on. A virtual clock must be advanced by its owner, or a backoff never ends.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>Transaction counters of one probe, for the time ledger.</summary>
/// <param name="Transactions">Wire transactions issued (one command block each).</param>
/// <param name="BytesOut">Bytes sent: command blocks plus data-out phases.</param>
/// <param name="BytesIn">Bytes received in data-in phases.</param>
public readonly record struct StLinkCounters(long Transactions, long BytesOut, long BytesIn);

/// <summary>A target-voltage reading (GET_TARGET_VOLTAGE, reference §2.1).</summary>
/// <param name="ReferenceSample">adc0, the VREFINT (1.2 V) sample.</param>
/// <param name="SenseSample">adc1, the sample of Vtarget/2.</param>
public readonly record struct StLinkVoltage(uint ReferenceSample, uint SenseSample)
{
    /// <summary>Internal reference voltage the formula assumes (reference §2.1: "the datasheet gives as 1.2 V").</summary>
    public const double ReferenceVolts = 1.2;

    /// <summary>False when the ADC returned a zero reference (an all-zero reply: broken probe ADC, stlink-org PR #1343).</summary>
    public bool CanMeasure => ReferenceSample != 0;

    /// <summary>V = 2 · adc1 · 1.2 / adc0 (OCD:1443-1474); 0 when <see cref="CanMeasure"/> is false.</summary>
    public double Volts => CanMeasure ? 2.0 * SenseSample * ReferenceVolts / ReferenceSample : 0.0;
}
