using Microsoft.EntityFrameworkCore;

using ProdFlash.Core.Diagnostics;
using ProdFlash.Data.Entities;

namespace ProdFlash.Data.Tests;

public sealed class RecoveryTests
{
    [Fact]
    public async Task RecoverAsync_RunningAttempts_BecomeInterruptedAndTheirSerialsVoid()
    {
        // Arrange: one finished attempt, two left Running with reserved serials (as a crash leaves them).
        await using var store = await TestStore.CreateAsync();
        var ct = TestContext.Current.CancellationToken;
        var done = await store.RecordAsync(0, store.RecipeA, new DateTimeOffset(2026, 3, 2, 7, 0, 0, TimeSpan.Zero), "AAAAAAAAAAAAAAAAAAAAAAAA", AttemptState.Passed, serialize: true);
        var run = await store.Recorder.StartRunAsync(store.Fixtures[0], store.RecipeA, "alice", cancellationToken: ct);
        var open1 = await store.Recorder.StartAttemptAsync(run, store.Slots[0], null, ct);
        var open2 = await store.Recorder.StartAttemptAsync(run, store.Slots[1], null, ct);
        await store.Ledger.ReserveAsync("Widget", TestStore.Scheme, open1, cancellationToken: ct);
        await store.Ledger.ReserveAsync("Widget", TestStore.Scheme, open2, cancellationToken: ct);

        // Act
        var result = await new StationRecovery(store.Database, store.Clock).RecoverAsync(ct);

        // Assert
        Assert.Equal(new RecoveryResult(2, 2), result);
        await using var context = store.Database.CreateContext();
        var attempts = await context.Attempts.OrderBy(a => a.Id).ToListAsync(ct);
        Assert.Equal([AttemptState.Passed, AttemptState.Interrupted, AttemptState.Interrupted], attempts.Select(a => a.State));
        Assert.All(attempts.Where(a => a.Id != done), a => Assert.Equal(FailureCode.Interrupted, a.FailureCode));
        var ledger = await context.SerialLedger.OrderBy(s => s.Sequence).Select(s => s.State).ToListAsync(ct);
        Assert.Equal([SerialState.Committed, SerialState.Void, SerialState.Void], ledger);
    }
}
