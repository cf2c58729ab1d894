namespace ProdFlash.Core.Targets;

/// <summary>Running totals of what a probe moved, read before and after a phase for the attempt's time ledger.</summary>
/// <param name="Transactions">Probe transactions (USB command round trips) so far.</param>
/// <param name="BytesOut">Bytes sent to the probe so far (command blocks and data-out phases).</param>
/// <param name="BytesIn">Bytes received from the probe so far (data-in phases).</param>
public readonly record struct ProbeCounters(long Transactions, long BytesOut, long BytesIn)
{
    /// <summary>The counts between <paramref name="earlier"/> and this snapshot.</summary>
    public ProbeCounters Since(ProbeCounters earlier) =>
        new(Transactions - earlier.Transactions, BytesOut - earlier.BytesOut, BytesIn - earlier.BytesIn);
}

/// <summary>
/// Implemented by an <see cref="IDebugProbe"/> that counts its transactions, so the programming engine can show where
/// an attempt's time went (DESIGN §7) without naming the concrete driver.
/// </summary>
/// <remarks>Reading the counters is safe from any thread; they only grow.</remarks>
public interface IProbeStatistics
{
    /// <summary>The totals since the probe was opened.</summary>
    ProbeCounters Counters { get; }

    /// <summary>
    /// The clock the probe's own bounds run on: the emulator's modeled (virtual) time for an emulated probe, the system
    /// clock on hardware. The engine measures modeled phase times on it.
    /// </summary>
    TimeProvider Clock { get; }
}
