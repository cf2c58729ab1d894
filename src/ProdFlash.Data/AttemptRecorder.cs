using System.Globalization;

using Microsoft.EntityFrameworkCore;

using ProdFlash.Core.Diagnostics;
using ProdFlash.Data.Entities;
using ProdFlash.Data.Serials;

namespace ProdFlash.Data;

/// <summary>How an attempt ended and what it measured.</summary>
public sealed record AttemptOutcome
{
    /// <summary>Passed, Failed or Aborted (Interrupted is for start-up recovery alone).</summary>
    public required AttemptState State { get; init; }

    /// <summary>Why it did not pass; required for Failed, <see cref="FailureCode.Aborted"/> when left out for Aborted, null for Passed.</summary>
    public FailureCode? FailureCode { get; init; }

    /// <summary>The phase that failed.</summary>
    public AttemptPhase? FailedPhase { get; init; }

    /// <summary>The MCU UID, 24 hex characters, when identified.</summary>
    public string? McuUid { get; init; }

    /// <summary>The identified catalog part.</summary>
    public string? DevicePart { get; init; }

    /// <summary>The genuineness verdict.</summary>
    public string? Genuineness { get; init; }

    /// <summary>The target voltage the power phase measured, volts; null when the attempt did not get that far or the probe cannot measure.</summary>
    public double? TargetVolts { get; init; }

    /// <summary>Per-phase durations and measurements.</summary>
    public IReadOnlyList<PhaseRecord> Phases { get; init; } = [];

    /// <summary>The option-byte registers as read before the attempt changed them, e.g. <c>OBR=0x03FFFFFC WRPR=0xFFFFFFFF</c>.</summary>
    public string? OptionBytesBefore { get; init; }

    /// <summary>The option-byte registers as read back after the attempt set them, in the same form.</summary>
    public string? OptionBytesAfter { get; init; }

    /// <summary>Modeled duration, seconds.</summary>
    public double? ModeledSeconds { get; init; }

    /// <summary>Physical floor, seconds.</summary>
    public double? FloorSeconds { get; init; }
}

/// <summary>
/// Writes runs and attempts: a Running row when an attempt starts, and its result in one transaction when it ends (the
/// attempt's fields, its serial committed or voided, the probe's usage counts). A failure anywhere in that write leaves
/// the attempt Running and its serial Reserved, exactly as before; start-up recovery settles such rows.
/// </summary>
/// <remarks>Thread-safe: each call uses its own context. One runner per slot calls it; many slots call it at once.</remarks>
public sealed class AttemptRecorder
{
    private readonly StationDatabase _database;
    private readonly TimeProvider _time;

    /// <summary>Creates the recorder.</summary>
    public AttemptRecorder(StationDatabase database, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Records a Start press.</summary>
    /// <returns>The run's key.</returns>
    public async Task<long> StartRunAsync(int fixtureId, int recipeId, string operatorName, string? lotCode = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(operatorName);
        await using var context = _database.CreateContext();
        var run = new Run { FixtureId = fixtureId, RecipeId = recipeId, Operator = operatorName, LotCode = lotCode, StartedAt = Now() };
        context.Runs.Add(run);
        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return run.Id;
    }

    /// <summary>Marks the run ended.</summary>
    public async Task EndRunAsync(long runId, CancellationToken cancellationToken = default)
    {
        await using var context = _database.CreateContext();
        var now = Now();
        await context.Runs.Where(r => r.Id == runId).ExecuteUpdateAsync(u => u.SetProperty(r => r.EndedAt, now), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes a Running attempt for <paramref name="slotId"/> in <paramref name="runId"/>.</summary>
    /// <returns>The attempt's key.</returns>
    /// <exception cref="RecordNotFoundException">No such run, or the slot is not in the run's fixture.</exception>
    public async Task<long> StartAttemptAsync(long runId, int slotId, string? probeSerial, CancellationToken cancellationToken = default)
    {
        await using var context = _database.CreateContext();
        var run = await context.Runs.Where(r => r.Id == runId)
            .Select(r => new { r.FixtureId, r.RecipeId, r.Fixture!.StationId })
            .SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new RecordNotFoundException(string.Create(CultureInfo.InvariantCulture, $"Run {runId} does not exist; start a run before its attempts."));
        var inFixture = await context.Slots.AnyAsync(s => s.Id == slotId && s.FixtureId == run.FixtureId, cancellationToken).ConfigureAwait(false);
        if (!inFixture)
        {
            throw new RecordNotFoundException(string.Create(CultureInfo.InvariantCulture, $"Slot {slotId} is not a slot of fixture {run.FixtureId} (run {runId})."));
        }

        var attempt = new Attempt
        {
            RunId = runId,
            StationId = run.StationId,
            FixtureId = run.FixtureId,
            SlotId = slotId,
            RecipeId = run.RecipeId,
            ProbeSerial = probeSerial,
            State = AttemptState.Running,
            StartedAt = Now(),
        };
        context.Attempts.Add(attempt);
        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return attempt.Id;
    }

    /// <summary>
    /// Writes the attempt's result, commits (on pass) or voids its reserved serial, and counts the attempt on its probe,
    /// all in one transaction.
    /// </summary>
    /// <exception cref="ArgumentException">The outcome is inconsistent (a Failed attempt without a code, a Passed one with one, or Running/Interrupted).</exception>
    /// <exception cref="RecordNotFoundException">No such attempt.</exception>
    /// <exception cref="InvalidRecordStateException">The attempt already ended.</exception>
    public async Task CompleteAttemptAsync(long attemptId, AttemptOutcome outcome, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var code = Validate(outcome);
        await using var context = _database.CreateContext();
        await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var attempt = await context.Attempts.AsTracking().SingleOrDefaultAsync(a => a.Id == attemptId, cancellationToken).ConfigureAwait(false)
            ?? throw new RecordNotFoundException(string.Create(CultureInfo.InvariantCulture, $"Attempt {attemptId} does not exist."));
        if (attempt.State != AttemptState.Running)
        {
            throw new InvalidRecordStateException(string.Create(CultureInfo.InvariantCulture, $"Attempt {attemptId} already ended as {attempt.State}; it cannot be completed again."));
        }

        var now = Now();
        attempt.State = outcome.State;
        attempt.FailureCode = code;
        attempt.FailedPhase = outcome.FailedPhase;
        attempt.McuUid = outcome.McuUid;
        attempt.DevicePart = outcome.DevicePart;
        attempt.Genuineness = outcome.Genuineness;
        attempt.Phases = outcome.Phases.Count == 0 ? null : PhaseLog.Serialize(outcome.Phases);
        attempt.OptionBytesBefore = outcome.OptionBytesBefore;
        attempt.OptionBytesAfter = outcome.OptionBytesAfter;
        attempt.ModeledSeconds = outcome.ModeledSeconds;
        attempt.FloorSeconds = outcome.FloorSeconds;
        attempt.EndedAt = now;
        attempt.IsFirstAttempt = outcome.McuUid is not { } uid
            || !await context.Attempts.AnyAsync(a => a.McuUid == uid && a.Id < attemptId, cancellationToken).ConfigureAwait(false);

        if (attempt.SerialEntryId is { } entryId)
        {
            var serialState = outcome.State == AttemptState.Passed ? SerialState.Committed : SerialState.Void;
            await SerialLedger.CloseInAsync(context, entryId, serialState, now, cancellationToken).ConfigureAwait(false);
        }

        if (attempt.ProbeSerial is { } probeSerial)
        {
            await CountOnProbeAsync(context, probeSerial, outcome, now, cancellationToken).ConfigureAwait(false);
        }

        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static FailureCode? Validate(AttemptOutcome outcome)
    {
        switch (outcome.State)
        {
            case AttemptState.Passed when outcome.FailureCode is not null:
                throw new ArgumentException($"A Passed attempt carries no failure code (got {outcome.FailureCode}).", nameof(outcome));
            case AttemptState.Passed:
                return null;
            case AttemptState.Failed when outcome.FailureCode is null:
                throw new ArgumentException("A Failed attempt needs its failure code (DESIGN §5: every failure names its cause).", nameof(outcome));
            case AttemptState.Failed:
                return outcome.FailureCode;
            case AttemptState.Aborted:
                return outcome.FailureCode ?? FailureCode.Aborted;
            default:
                throw new ArgumentException($"An attempt ends Passed, Failed or Aborted; {outcome.State} is set by the station itself.", nameof(outcome));
        }
    }

    private static async Task CountOnProbeAsync(StationDbContext context, string serial, AttemptOutcome outcome, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var probe = await context.Probes.AsTracking().SingleOrDefaultAsync(p => p.Serial == serial, cancellationToken).ConfigureAwait(false);
        if (probe is null)
        {
            probe = new Probe { Serial = serial, Kind = "Unknown", FirstSeenAt = now };
            context.Probes.Add(probe);
        }

        probe.AttemptCount++;
        probe.FailedCount += outcome.State != AttemptState.Passed ? 1 : 0;
        probe.LastSeenAt = now;
        if (outcome.TargetVolts is { } volts)
        {
            probe.LastVoltage = volts;
            probe.LastVoltageAt = now;
        }
    }

    private DateTimeOffset Now() => StoreTime.Truncate(_time.GetUtcNow());
}
