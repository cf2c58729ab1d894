using ProdFlash.Core.Diagnostics;

namespace ProdFlash.Programming.Engine;

/// <summary>
/// A typed progress event of one attempt (DESIGN §5). Per phase the order is always <see cref="PhaseStarted"/>, zero or
/// more <see cref="PhaseProgress"/>, then exactly one of <see cref="PhaseFinished"/> or <see cref="PhaseFailed"/>;
/// phases run in <see cref="AttemptPhase"/> order and nothing follows a <see cref="PhaseFailed"/>.
/// </summary>
/// <param name="Phase">The phase the event belongs to.</param>
public abstract record AttemptEvent(AttemptPhase Phase);

/// <summary>A phase began.</summary>
/// <param name="Phase">The phase.</param>
public sealed record PhaseStarted(AttemptPhase Phase) : AttemptEvent(Phase);

/// <summary>Part of a phase is done: bytes programmed or verified, units erased.</summary>
/// <param name="Phase">The phase.</param>
/// <param name="Done">Bytes or units done so far.</param>
/// <param name="Total">Bytes or units in the whole phase.</param>
public sealed record PhaseProgress(AttemptPhase Phase, long Done, long Total) : AttemptEvent(Phase)
{
    /// <summary>Done as a share of the total, 0–1 (1 when the total is 0).</summary>
    public double Fraction => Total <= 0 ? 1 : (double)Done / Total;
}

/// <summary>A phase ended well.</summary>
/// <param name="Phase">The phase.</param>
/// <param name="Ledger">Where its time went.</param>
/// <param name="Note">What it decided or measured, in words ("mass erase: 20 ms vs 64 pages 1.28 s"), or null.</param>
public sealed record PhaseFinished(AttemptPhase Phase, PhaseLedgerEntry Ledger, string? Note = null) : AttemptEvent(Phase);

/// <summary>A phase failed; the attempt ends here and no event follows.</summary>
/// <param name="Phase">The phase.</param>
/// <param name="Diagnosis">The failure code, evidence, causes and remedies.</param>
/// <param name="Ledger">Where its time went until the failure.</param>
public sealed record PhaseFailed(AttemptPhase Phase, Diagnosis Diagnosis, PhaseLedgerEntry Ledger) : AttemptEvent(Phase);
