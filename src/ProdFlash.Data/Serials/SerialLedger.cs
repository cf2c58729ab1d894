using System.Globalization;

using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

using ProdFlash.Core.Serialization;
using ProdFlash.Data.Entities;

namespace ProdFlash.Data.Serials;

/// <summary>A serial value handed to an attempt.</summary>
/// <param name="EntryId">The ledger entry; pass it to <see cref="SerialLedger.CommitAsync"/> or <see cref="SerialLedger.VoidAsync"/>.</param>
/// <param name="Scheme">The scheme key.</param>
/// <param name="Sequence">The sequence value.</param>
/// <param name="Text">The rendered text.</param>
public sealed record SerialReservation(long EntryId, string Scheme, long Sequence, string Text);

/// <summary>
/// The serial ledger (DESIGN §5 step 9): reserve → commit on pass, or void on fail, abort or interruption. Values are
/// unique per scheme, and a value once reserved is never issued again: the next reservation continues after the highest
/// value ever reserved in the scheme, voided ones included.
/// </summary>
/// <remarks>
/// Thread-safe: every call uses its own context and transaction. Reservations from all slots at once are serialized
/// by the store's write lock (SQLite <c>BEGIN IMMEDIATE</c>: the read of the highest value and the insert happen under
/// one lock), and the unique index on (scheme, sequence) refuses a duplicate should another provider interleave them;
/// such a conflict is retried a bounded number of times.
/// </remarks>
public sealed class SerialLedger
{
    private const int MaxConflictRetries = 5;

    // SQLITE_CONSTRAINT (https://sqlite.org/rescode.html#constraint): the unique index refused the value.
    private const int SqliteConstraint = 19;

    private readonly StationDatabase _database;
    private readonly TimeProvider _time;

    /// <summary>Creates the ledger over <paramref name="database"/>.</summary>
    public SerialLedger(StationDatabase database, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Reserves the next value of <paramref name="scheme"/> and, when <paramref name="attemptId"/> is given, stamps it on that attempt in the same transaction.</summary>
    /// <param name="schemeKey">The series the value comes from: the recipe name, so that every version of a product continues one series.</param>
    /// <param name="scheme">Start, step and template.</param>
    /// <param name="attemptId">The attempt the value is for, or null.</param>
    /// <param name="station">The station name for <c>{station}</c> in the template.</param>
    /// <param name="cancellationToken">Cancels the wait for the write lock.</param>
    /// <exception cref="SerialValueException">The series is exhausted or the value does not fit the template.</exception>
    /// <exception cref="StationDataException">The series passed 2^63 − 1, the store's integer range.</exception>
    /// <exception cref="RecordNotFoundException">No attempt <paramref name="attemptId"/>.</exception>
    public async Task<SerialReservation> ReserveAsync(string schemeKey, SerialScheme scheme, long? attemptId = null, string? station = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(schemeKey);
        ArgumentNullException.ThrowIfNull(scheme);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await TryReserveAsync(schemeKey, scheme, attemptId, station, cancellationToken).ConfigureAwait(false);
            }
            catch (DbUpdateException ex) when (attempt < MaxConflictRetries && ex.InnerException is SqliteException { SqliteErrorCode: SqliteConstraint })
            {
                // Another writer took the value between our read and insert; read again.
            }
        }
    }

    /// <summary>Marks a reservation Committed (the attempt passed).</summary>
    /// <exception cref="RecordNotFoundException">No such entry.</exception>
    /// <exception cref="InvalidRecordStateException">The entry is not Reserved.</exception>
    public Task CommitAsync(long entryId, CancellationToken cancellationToken = default) => CloseAsync(entryId, SerialState.Committed, cancellationToken);

    /// <summary>Marks a reservation Void (the attempt failed, was aborted or interrupted); the value is never issued again.</summary>
    /// <exception cref="RecordNotFoundException">No such entry.</exception>
    /// <exception cref="InvalidRecordStateException">The entry is not Reserved.</exception>
    public Task VoidAsync(long entryId, CancellationToken cancellationToken = default) => CloseAsync(entryId, SerialState.Void, cancellationToken);

    /// <summary>Every entry of a scheme, in sequence order.</summary>
    public async Task<IReadOnlyList<SerialEntry>> ListAsync(string schemeKey, CancellationToken cancellationToken = default)
    {
        await using var context = _database.CreateContext();
        return await context.SerialLedger.Where(s => s.Scheme == schemeKey).OrderBy(s => s.Sequence).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes a reserved entry inside the caller's transaction (the attempt writer uses this).</summary>
    internal static async Task CloseInAsync(StationDbContext context, long entryId, SerialState state, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var entry = await context.SerialLedger.AsTracking().SingleOrDefaultAsync(s => s.Id == entryId, cancellationToken).ConfigureAwait(false)
            ?? throw new RecordNotFoundException(string.Create(CultureInfo.InvariantCulture, $"Serial ledger entry {entryId} does not exist."));
        if (entry.State != SerialState.Reserved)
        {
            throw new InvalidRecordStateException(string.Create(CultureInfo.InvariantCulture,
                $"Serial {entry.Text} (entry {entryId}) is {entry.State}; only a Reserved value can become {state}."));
        }

        entry.State = state;
        entry.ClosedAt = now;
    }

    private async Task<SerialReservation> TryReserveAsync(string schemeKey, SerialScheme scheme, long? attemptId, string? station, CancellationToken cancellationToken)
    {
        await using var context = _database.CreateContext();
        await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var highest = await context.SerialLedger.Where(s => s.Scheme == schemeKey)
            .MaxAsync(s => (long?)s.Sequence, cancellationToken).ConfigureAwait(false);
        var sequence = NextInSeries(scheme, highest);
        var now = StoreTime.Truncate(_time.GetUtcNow());
        var text = scheme.Render((ulong)sequence, now, station).Text;
        var entry = new SerialEntry { Scheme = schemeKey, Sequence = sequence, Text = text, State = SerialState.Reserved, AttemptId = attemptId, ReservedAt = now };
        context.SerialLedger.Add(entry);
        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        if (attemptId is { } id)
        {
            var updated = await context.Attempts.Where(a => a.Id == id)
                .ExecuteUpdateAsync(u => u.SetProperty(a => a.SerialText, text).SetProperty(a => a.SerialEntryId, entry.Id), cancellationToken)
                .ConfigureAwait(false);
            if (updated == 0)
            {
                throw new RecordNotFoundException(string.Create(CultureInfo.InvariantCulture, $"Attempt {id} does not exist; no serial was reserved for it."));
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new SerialReservation(entry.Id, schemeKey, sequence, text);
    }

    /// <summary>The value after <paramref name="highest"/> (the highest ever reserved), on the scheme's series.</summary>
    internal static long NextInSeries(SerialScheme scheme, long? highest)
    {
        ulong next;
        if (highest is not { } last || (ulong)last < scheme.Start)
        {
            next = scheme.Start;
        }
        else if (scheme.Contains((ulong)last))
        {
            next = scheme.Next((ulong)last);
        }
        else
        {
            // The scheme's start or step changed since: continue at the first series value above the highest reserved.
            var steps = (((ulong)last - scheme.Start) / scheme.Step) + 1;
            next = scheme.Start + (steps * scheme.Step);
        }

        return next > long.MaxValue
            ? throw new StationDataException(string.Create(CultureInfo.InvariantCulture,
                $"Serial value {next} exceeds 2^63 - 1, the largest the ledger stores; start a new scheme with a lower start."))
            : (long)next;
    }

    private async Task CloseAsync(long entryId, SerialState state, CancellationToken cancellationToken)
    {
        await using var context = _database.CreateContext();
        await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await CloseInAsync(context, entryId, state, StoreTime.Truncate(_time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
