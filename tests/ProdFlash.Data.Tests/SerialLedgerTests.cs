using System.Collections.Concurrent;

using ProdFlash.Core.Serialization;
using ProdFlash.Data.Entities;
using ProdFlash.Data.Serials;

namespace ProdFlash.Data.Tests;

public sealed class SerialLedgerTests
{
    [Fact]
    public async Task ReserveAsync_16TasksOf200WithRandomCommitOrVoid_ValuesUniqueAndGapFree()
    {
        // Arrange
        await using var store = await TestStore.CreateAsync();
        var ct = TestContext.Current.CancellationToken;
        var committed = new ConcurrentBag<long>();
        var voided = new ConcurrentBag<long>();

        // Act: 16 slots at once, each with its own ledger calls (its own contexts and connections).
        await Task.WhenAll(Enumerable.Range(0, 16).Select(task => Task.Run(async () =>
        {
            var random = new Random(task);
            var ledger = new SerialLedger(store.Database);
            for (var i = 0; i < 200; i++)
            {
                var reservation = await ledger.ReserveAsync("Widget", TestStore.Scheme, cancellationToken: ct);
                if (random.Next(4) == 0)
                {
                    await ledger.VoidAsync(reservation.EntryId, ct);
                    voided.Add(reservation.Sequence);
                }
                else
                {
                    await ledger.CommitAsync(reservation.EntryId, ct);
                    committed.Add(reservation.Sequence);
                }
            }
        }, ct)));

        // Assert: every value once; committed ∪ voided is exactly 1..3200; the store agrees.
        var all = committed.Concat(voided).Order().ToList();
        Assert.Equal(3200, all.Count);
        Assert.Equal(Enumerable.Range(1, 3200).Select(i => (long)i), all);
        Assert.Empty(committed.Intersect(voided));
        var entries = await store.Ledger.ListAsync("Widget", ct);
        Assert.Equal(committed.Order(), entries.Where(e => e.State == SerialState.Committed).Select(e => e.Sequence));
        Assert.Equal(voided.Order(), entries.Where(e => e.State == SerialState.Void).Select(e => e.Sequence));
        Assert.Equal(entries.Count, entries.Select(e => e.Text).Distinct().Count());
    }

    [Fact]
    public async Task ReserveAsync_AfterVoidAndRestart_ContinuesPastHighestEverReserved()
    {
        // Arrange: 1 committed, 2 and 3 voided (the highest value ever reserved is voided).
        await using var store = await TestStore.CreateAsync();
        var ct = TestContext.Current.CancellationToken;
        await store.Ledger.CommitAsync((await store.Ledger.ReserveAsync("Widget", TestStore.Scheme, cancellationToken: ct)).EntryId, ct);
        await store.Ledger.VoidAsync((await store.Ledger.ReserveAsync("Widget", TestStore.Scheme, cancellationToken: ct)).EntryId, ct);
        await store.Ledger.VoidAsync((await store.Ledger.ReserveAsync("Widget", TestStore.Scheme, cancellationToken: ct)).EntryId, ct);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        // Act: a new process would build new objects over the same file.
        var restarted = new SerialLedger(new StationDatabase(new StationDatabaseOptions { DataDirectory = Path.GetDirectoryName(store.Database.FilePath)! }));
        var next = await restarted.ReserveAsync("Widget", TestStore.Scheme, cancellationToken: ct);

        // Assert
        Assert.Equal(4, next.Sequence);
        Assert.Equal("SN-000004", next.Text);
    }

    [Fact]
    public async Task ReserveAsync_SchemeWithStartAndStep_FollowsSeriesPerSchemeKey()
    {
        // Arrange
        await using var store = await TestStore.CreateAsync();
        var ct = TestContext.Current.CancellationToken;
        var hex = new SerialScheme(SerialTemplate.Parse("G{seq:X6}"), new SerialLayout([new AsciiField(8)]), 0x0800FC00, start: 0x1000, step: 16);

        // Act
        var a1 = await store.Ledger.ReserveAsync("Gadget", hex, cancellationToken: ct);
        var a2 = await store.Ledger.ReserveAsync("Gadget", hex, cancellationToken: ct);
        var w1 = await store.Ledger.ReserveAsync("Widget", TestStore.Scheme, cancellationToken: ct);

        // Assert
        Assert.Equal(("G001000", "G001010"), (a1.Text, a2.Text));
        Assert.Equal(1, w1.Sequence);
    }

    [Fact]
    public async Task CommitAsync_VoidedEntry_ThrowsInvalidRecordState()
    {
        // Arrange
        await using var store = await TestStore.CreateAsync();
        var ct = TestContext.Current.CancellationToken;
        var reservation = await store.Ledger.ReserveAsync("Widget", TestStore.Scheme, cancellationToken: ct);
        await store.Ledger.VoidAsync(reservation.EntryId, ct);

        // Act
        var error = await Assert.ThrowsAsync<InvalidRecordStateException>(() => store.Ledger.CommitAsync(reservation.EntryId, ct));

        // Assert
        Assert.Contains("SN-000001", error.Message, StringComparison.Ordinal);
        Assert.Contains("Void", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NextInSeries_StartRaisedAboveHighest_StartsAtNewStart()
    {
        // Arrange
        var scheme = TestStore.Scheme with { Start = 500, Step = 10 };

        // Act / Assert
        Assert.Equal(500, SerialLedger.NextInSeries(scheme, 42));
        Assert.Equal(520, SerialLedger.NextInSeries(scheme, 511));
        Assert.Equal(510, SerialLedger.NextInSeries(scheme, 500));
    }
}
