using Microsoft.Extensions.Time.Testing;

using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Serialization;
using ProdFlash.Data.Entities;
using ProdFlash.Data.Serials;
using ProdFlash.Testing;

namespace ProdFlash.Data.Tests;

/// <summary>A migrated store in a temp folder with two stations, three slots and two recipes, on a fake clock.</summary>
internal sealed class TestStore : IAsyncDisposable
{
    public static readonly SerialScheme Scheme = new(SerialTemplate.Parse("SN-{seq:000000}"), new SerialLayout([new AsciiField(12)]), 0x0800FC00);

    private readonly TempDirectory _directory = new();

    private TestStore()
    {
        Database = new StationDatabase(new StationDatabaseOptions { DataDirectory = System.IO.Path.Combine(_directory.Path, "data") });
        Recorder = new AttemptRecorder(Database, Clock);
        Ledger = new SerialLedger(Database, Clock);
    }

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 3, 2, 6, 0, 0, TimeSpan.Zero));

    public StationDatabase Database { get; }

    public AttemptRecorder Recorder { get; }

    public SerialLedger Ledger { get; }

    public int Station1 { get; private set; }

    public int Station2 { get; private set; }

    /// <summary>Station 1, fixture F1: slots 1 and 2; station 2, fixture F1: slot 1.</summary>
    public int[] Slots { get; private set; } = [];

    public int[] Fixtures { get; private set; } = [];

    public int RecipeA { get; private set; }

    public int RecipeB { get; private set; }

    public static async Task<TestStore> CreateAsync()
    {
        var store = new TestStore();
        await store.Database.MigrateAsync(TestContext.Current.CancellationToken);
        await store.SeedAsync();
        return store;
    }

    /// <summary>One whole attempt at <paramref name="at"/>: a run, the attempt, a serial when it reaches Serialize, the result.</summary>
    public async Task<long> RecordAsync(int slotIndex, int recipeId, DateTimeOffset at, string? uid, AttemptState state, FailureCode? code = null, bool serialize = false)
    {
        var ct = TestContext.Current.CancellationToken;
        Clock.SetUtcNow(at);
        var run = await Recorder.StartRunAsync(Fixtures[slotIndex], recipeId, "alice", "LOT-7", ct);
        var attempt = await Recorder.StartAttemptAsync(run, Slots[slotIndex], "066DFF000000000000000001", ct);
        if (serialize)
        {
            await Ledger.ReserveAsync("Widget", Scheme, attempt, cancellationToken: ct);
        }

        Clock.Advance(TimeSpan.FromSeconds(4));
        await Recorder.CompleteAttemptAsync(attempt, new AttemptOutcome
        {
            State = state,
            FailureCode = code,
            McuUid = uid,
            DevicePart = uid is null ? null : "STM32F103C8",
            Genuineness = uid is null ? null : "Genuine",
            Phases = [new PhaseRecord(AttemptPhase.Probe, 0.012), new PhaseRecord(AttemptPhase.Power, 0.004, new Dictionary<string, string> { ["vtarget"] = "3.29" })],
            ModeledSeconds = 2.1,
            FloorSeconds = 1.9,
        }, ct);
        await Recorder.EndRunAsync(run, ct);
        return attempt;
    }

    public async ValueTask DisposeAsync()
    {
        // Pooled connections keep the file open; release them before the folder goes.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        await Task.Yield();
        _directory.Dispose();
    }

    private async Task SeedAsync()
    {
        await using var context = Database.CreateContext();
        var s1 = new Station { Name = "ST01", CreatedAt = Clock.GetUtcNow() };
        var s2 = new Station { Name = "ST02", CreatedAt = Clock.GetUtcNow() };
        var f1 = new Fixture { Name = "F1", Station = s1 };
        var f2 = new Fixture { Name = "F1", Station = s2 };
        var slots = new[]
        {
            new Slot { Fixture = f1, Position = 1, ProbeSelector = "emulator://stm32f103c8?probe=v2j37" },
            new Slot { Fixture = f1, Position = 2, ProbeSelector = "emulator://stm32f103c8?probe=v2j37" },
            new Slot { Fixture = f2, Position = 1, ProbeSelector = "emulator://stm32f103c8?probe=v3" },
        };
        var a = new RecipeRecord { Name = "Widget", Version = "1.0", Json = "{}", ImageSha256 = new string('a', 64), CreatedBy = "eve", State = ReleaseState.Released };
        var b = new RecipeRecord { Name = "Gadget", Version = "2.1", Json = "{}", ImageSha256 = new string('b', 64), CreatedBy = "eve", State = ReleaseState.Released };
        context.AddRange(s1, s2, f1, f2, a, b);
        context.AddRange(slots);
        await context.SaveChangesAsync(TestContext.Current.CancellationToken);
        Station1 = s1.Id;
        Station2 = s2.Id;
        Slots = [.. slots.Select(s => s.Id)];
        Fixtures = [f1.Id, f1.Id, f2.Id];
        RecipeA = a.Id;
        RecipeB = b.Id;
    }
}
