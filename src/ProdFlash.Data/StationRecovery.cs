using Microsoft.EntityFrameworkCore;

using ProdFlash.Core.Diagnostics;
using ProdFlash.Data.Entities;

namespace ProdFlash.Data;

/// <summary>What start-up recovery found.</summary>
/// <param name="InterruptedAttempts">Attempts that were Running and are now Interrupted.</param>
/// <param name="VoidedSerials">Serials that were Reserved and are now Void.</param>
public sealed record RecoveryResult(int InterruptedAttempts, int VoidedSerials);

/// <summary>
/// Start-up recovery (DESIGN §9): after a crash or power loss, attempts left Running become Interrupted and every
/// Reserved serial becomes Void, in one transaction.
/// </summary>
/// <remarks>The host calls <see cref="RecoverAsync"/> once, after <see cref="StationDatabase.MigrateAsync"/> and before any runner starts: at that moment nothing is running, so every Running row and every Reserved value is orphaned.</remarks>
public sealed class StationRecovery
{
    private readonly StationDatabase _database;
    private readonly TimeProvider _time;

    /// <summary>Creates the recovery step.</summary>
    public StationRecovery(StationDatabase database, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Settles what a crash left unfinished.</summary>
    public async Task<RecoveryResult> RecoverAsync(CancellationToken cancellationToken = default)
    {
        var now = StoreTime.Truncate(_time.GetUtcNow());
        await using var context = _database.CreateContext();
        await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var interrupted = await context.Attempts.Where(a => a.State == AttemptState.Running)
            .ExecuteUpdateAsync(u => u
                .SetProperty(a => a.State, AttemptState.Interrupted)
                .SetProperty(a => a.FailureCode, FailureCode.Interrupted)
                .SetProperty(a => a.EndedAt, now), cancellationToken)
            .ConfigureAwait(false);
        var voided = await context.SerialLedger.Where(s => s.State == SerialState.Reserved)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.State, SerialState.Void).SetProperty(s => s.ClosedAt, now), cancellationToken)
            .ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new RecoveryResult(interrupted, voided);
    }
}
