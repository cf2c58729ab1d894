using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

using ProdFlash.Core.Diagnostics;
using ProdFlash.Data.Entities;

namespace ProdFlash.Data.Tests;

public sealed class AttemptRecorderTests
{
    [Fact]
    public async Task CompleteAttemptAsync_Passed_WritesResultCommitsSerialAndCountsProbe()
    {
        // Arrange
        await using var store = await TestStore.CreateAsync();

        // Act
        var id = await store.RecordAsync(0, store.RecipeA, new DateTimeOffset(2026, 3, 2, 7, 0, 0, TimeSpan.Zero), "0123456789ABCDEF01234567", AttemptState.Passed, serialize: true);

        // Assert
        await using var context = store.Database.CreateContext();
        var attempt = await context.Attempts.SingleAsync(a => a.Id == id, TestContext.Current.CancellationToken);
        Assert.Equal(AttemptState.Passed, attempt.State);
        Assert.Equal("SN-000001", attempt.SerialText);
        Assert.True(attempt.IsFirstAttempt);
        Assert.Equal(store.Station1, attempt.StationId);
        Assert.Equal(new DateTimeOffset(2026, 3, 2, 7, 0, 4, TimeSpan.Zero), attempt.EndedAt);
        Assert.Equal(AttemptPhase.Power, PhaseLog.Deserialize(attempt.Phases!)[1].Phase);
        var entry = await context.SerialLedger.SingleAsync(TestContext.Current.CancellationToken);
        Assert.Equal((SerialState.Committed, id), (entry.State, entry.AttemptId));
        var probe = await context.Probes.SingleAsync(TestContext.Current.CancellationToken);
        Assert.Equal((1L, 0L), (probe.AttemptCount, probe.FailedCount));
    }

    [Fact]
    public async Task CompleteAttemptAsync_MeasuredVoltage_IsTheProbesLastVoltageUntilANewOne()
    {
        // Arrange
        await using var store = await TestStore.CreateAsync();
        var ct = TestContext.Current.CancellationToken;
        var measuredAt = new DateTimeOffset(2026, 3, 2, 7, 0, 0, TimeSpan.Zero);
        async Task CompleteAsync(DateTimeOffset at, AttemptOutcome outcome)
        {
            store.Clock.SetUtcNow(at);
            var run = await store.Recorder.StartRunAsync(store.Fixtures[0], store.RecipeA, "alice", cancellationToken: ct);
            var id = await store.Recorder.StartAttemptAsync(run, store.Slots[0], "066DFF000000000000000001", ct);
            await store.Recorder.CompleteAttemptAsync(id, outcome, ct);
        }

        // Act: a measuring pass, then a failure before the power phase (nothing measured).
        await CompleteAsync(measuredAt, new AttemptOutcome { State = AttemptState.Passed, TargetVolts = 3.287 });
        await CompleteAsync(measuredAt.AddMinutes(5), new AttemptOutcome { State = AttemptState.Failed, FailureCode = FailureCode.ProbeSuspectClone });

        // Assert
        await using var context = store.Database.CreateContext();
        var probe = await context.Probes.SingleAsync(ct);
        Assert.Equal((3.287, measuredAt), (probe.LastVoltage, probe.LastVoltageAt));
        Assert.Equal((2L, 1L, measuredAt.AddMinutes(5)), (probe.AttemptCount, probe.FailedCount, probe.LastSeenAt));
    }

    [Fact]
    public async Task CompleteAttemptAsync_FailureMidWrite_LeavesNothingHalfWritten()
    {
        // Arrange: a real SQLite trigger makes the last statement of the write (the probe's usage count) fail.
        await using var store = await TestStore.CreateAsync();
        var ct = TestContext.Current.CancellationToken;
        var run = await store.Recorder.StartRunAsync(store.Fixtures[0], store.RecipeA, "alice", cancellationToken: ct);
        var id = await store.Recorder.StartAttemptAsync(run, store.Slots[0], "066DFF000000000000000001", ct);
        var reservation = await store.Ledger.ReserveAsync("Widget", TestStore.Scheme, id, cancellationToken: ct);
        await using (var context = store.Database.CreateContext())
        {
            await context.Database.ExecuteSqlRawAsync("CREATE TRIGGER fail_probe BEFORE INSERT ON Probes BEGIN SELECT RAISE(ABORT, 'injected fault'); END;", ct);
        }

        // Act
        var error = await Assert.ThrowsAsync<DbUpdateException>(() => store.Recorder.CompleteAttemptAsync(id, new AttemptOutcome { State = AttemptState.Passed, McuUid = "0123456789ABCDEF01234567" }, ct));

        // Assert
        Assert.Contains("injected fault", error.InnerException!.Message, StringComparison.Ordinal);
        await using var check = store.Database.CreateContext();
        var attempt = await check.Attempts.SingleAsync(a => a.Id == id, ct);
        Assert.Equal(AttemptState.Running, attempt.State);
        Assert.Null(attempt.McuUid);
        Assert.Null(attempt.EndedAt);
        Assert.Equal(SerialState.Reserved, (await check.SerialLedger.SingleAsync(s => s.Id == reservation.EntryId, ct)).State);
        Assert.Empty(await check.Probes.ToListAsync(ct));
    }

    [Fact]
    public async Task CompleteAttemptAsync_SecondAttemptOnSameUid_IsNotFirstAttempt()
    {
        // Arrange
        await using var store = await TestStore.CreateAsync();
        var at = new DateTimeOffset(2026, 3, 2, 7, 0, 0, TimeSpan.Zero);

        // Act
        var first = await store.RecordAsync(1, store.RecipeA, at, "AAAAAAAAAAAAAAAAAAAAAAAA", AttemptState.Failed, FailureCode.VerifyMismatch);
        var second = await store.RecordAsync(1, store.RecipeA, at.AddMinutes(5), "AAAAAAAAAAAAAAAAAAAAAAAA", AttemptState.Passed);

        // Assert
        await using var context = store.Database.CreateContext();
        var flags = await context.Attempts.OrderBy(a => a.Id).Select(a => a.IsFirstAttempt).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal([true, false], flags);
        Assert.True(first < second);
        var probe = await context.Probes.SingleAsync(TestContext.Current.CancellationToken);
        Assert.Equal((2L, 1L), (probe.AttemptCount, probe.FailedCount));
    }

    [Fact]
    public async Task CompleteAttemptAsync_FailedWithoutCode_ThrowsAndKeepsRunning()
    {
        // Arrange
        await using var store = await TestStore.CreateAsync();
        var ct = TestContext.Current.CancellationToken;
        var run = await store.Recorder.StartRunAsync(store.Fixtures[0], store.RecipeA, "alice", cancellationToken: ct);
        var id = await store.Recorder.StartAttemptAsync(run, store.Slots[0], null, ct);

        // Act
        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.Recorder.CompleteAttemptAsync(id, new AttemptOutcome { State = AttemptState.Failed }, ct));

        // Assert
        Assert.Contains("failure code", error.Message, StringComparison.Ordinal);
        await using var context = store.Database.CreateContext();
        Assert.Equal(AttemptState.Running, (await context.Attempts.SingleAsync(a => a.Id == id, ct)).State);
    }

    [Fact]
    public async Task StartAttemptAsync_SlotOfAnotherFixture_ThrowsRecordNotFound()
    {
        // Arrange
        await using var store = await TestStore.CreateAsync();
        var ct = TestContext.Current.CancellationToken;
        var run = await store.Recorder.StartRunAsync(store.Fixtures[0], store.RecipeA, "alice", cancellationToken: ct);

        // Act / Assert
        var error = await Assert.ThrowsAsync<RecordNotFoundException>(() => store.Recorder.StartAttemptAsync(run, store.Slots[2], null, ct));
        Assert.Contains("is not a slot of fixture", error.Message, StringComparison.Ordinal);
        SqliteConnection.ClearAllPools();
    }
}
