using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Serialization;
using ProdFlash.Data;
using ProdFlash.Data.Entities;
using ProdFlash.Data.Serials;
using ProdFlash.Testing;

namespace ProdFlash.Station.Tests.Dashboard.Manager;

/// <summary>
/// A migrated SQLite store in a temp folder, written through the data layer's own writers (AttemptRecorder, SerialLedger)
/// on a fake clock that starts at <see cref="Day"/> 00:00 UTC and only moves forward. The hand-built day (UTC; shifts
/// Early 06–14, Late 14–22, Night 22–06):
/// <list type="table">
/// <item>u1: ST01/F1/1, Widget 1.0, 03-02 07:00, Passed, serial SN-000001</item>
/// <item>u2: ST01/F1/2, Widget 1.0, 03-02 07:10 Failed VerifyMismatch; 07:20 Passed, serial SN-000002</item>
/// <item>u3: ST02/F1/1, Gadget 2.1, 03-02 15:00, Failed TargetNotPowered (Late)</item>
/// <item>u4: ST02/F1/1, Gadget 2.1, 03-02 23:30, Failed TargetNotPowered (Night)</item>
/// <item>u5: ST01/F1/1, Widget 1.0, 03-03 05:00, Failed NoSwdResponse (Night of 03-02)</item>
/// <item>no UID: ST01/F1/1, Widget 1.0, 03-03 10:00, Failed ProbeNotFound (Early of 03-03)</item>
/// </list>
/// </summary>
internal sealed class ManagerSeed : IAsyncDisposable
{
    public const string U1 = "11111111111111111111AAAA";
    public const string U2 = "22222222222222222222AAAA";
    public static readonly DateTimeOffset Day = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);
    public static readonly SerialScheme Scheme = new(SerialTemplate.Parse("SN-{seq:000000}"), new SerialLayout([new AsciiField(12)]), 0x0800FC00);

    private readonly TempDirectory _directory = new();

    private ManagerSeed()
    {
        Database = new StationDatabase(new StationDatabaseOptions { DataDirectory = Path.Combine(_directory.Path, "data") });
        Recorder = new AttemptRecorder(Database, Clock);
        Ledger = new SerialLedger(Database, Clock);
    }

    public FakeTimeProvider Clock { get; } = new(Day);

    public StationDatabase Database { get; }

    public AttemptRecorder Recorder { get; }

    public SerialLedger Ledger { get; }

    public int Station1 { get; private set; }

    public int Station2 { get; private set; }

    /// <summary>ST01/F1/1, ST01/F1/2, ST02/F1/1.</summary>
    public int[] Slots { get; private set; } = [];

    public int[] Fixtures { get; private set; } = [];

    public int Widget { get; private set; }

    public int Gadget { get; private set; }

    /// <summary>The attempt keys in the order recorded.</summary>
    public List<long> Attempts { get; } = [];

    /// <summary>Creates the store, seeds the plant and records the day above; the clock ends at 03-03 12:00.</summary>
    public static async Task<ManagerSeed> CreateAsync()
    {
        var seed = new ManagerSeed();
        await seed.Database.MigrateAsync(TestContext.Current.CancellationToken);
        await seed.SeedPlantAsync();
        await seed.RecordAsync(0, seed.Widget, Day.AddHours(7), U1, AttemptState.Passed, serialize: true);
        await seed.RecordAsync(1, seed.Widget, Day.AddHours(7).AddMinutes(10), U2, AttemptState.Failed, FailureCode.VerifyMismatch);
        await seed.RecordAsync(1, seed.Widget, Day.AddHours(7).AddMinutes(20), U2, AttemptState.Passed, serialize: true);
        await seed.RecordAsync(2, seed.Gadget, Day.AddHours(15), "33333333333333333333AAAA", AttemptState.Failed, FailureCode.TargetNotPowered);
        await seed.RecordAsync(2, seed.Gadget, Day.AddHours(23).AddMinutes(30), "44444444444444444444AAAA", AttemptState.Failed, FailureCode.TargetNotPowered);
        await seed.RecordAsync(0, seed.Widget, Day.AddHours(29), "55555555555555555555AAAA", AttemptState.Failed, FailureCode.NoSwdResponse);
        await seed.RecordAsync(0, seed.Widget, Day.AddHours(34), null, AttemptState.Failed, FailureCode.ProbeNotFound);
        seed.Clock.SetUtcNow(Day.AddHours(36));
        return seed;
    }

    /// <summary>One whole attempt at <paramref name="at"/>: a run, the attempt, a serial when asked, the result with phases and option bytes.</summary>
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
            FailedPhase = code is null ? null : AttemptPhase.Power,
            McuUid = uid,
            DevicePart = uid is null ? null : "STM32F103C8",
            Genuineness = uid is null ? null : "Genuine",
            Phases =
            [
                new PhaseRecord(AttemptPhase.Probe, 0.012, new Dictionary<string, string> { ["fw"] = "V2J37S7" }),
                new PhaseRecord(AttemptPhase.Power, 0.004, code is null
                    ? new Dictionary<string, string> { ["vtarget"] = "3.29" }
                    : new Dictionary<string, string> { ["vtarget"] = "3.29", ["summary"] = $"{code}: what the engine measured and what to do first." }),
            ],
            OptionBytesBefore = uid is null ? null : "OBR=0x03FFFFFC WRPR=0xFFFFFFFF",
            OptionBytesAfter = uid is null ? null : "OBR=0x03FFFFFC WRPR=0xFFFFFFFE",
            ModeledSeconds = 2.1,
            FloorSeconds = 1.9,
        }, ct);
        await Recorder.EndRunAsync(run, ct);
        Attempts.Add(attempt);
        return attempt;
    }

    public async ValueTask DisposeAsync()
    {
        // Pooled connections keep the file open; release them before the folder goes.
        SqliteConnection.ClearAllPools();
        await Task.Yield();
        _directory.Dispose();
    }

    private async Task SeedPlantAsync()
    {
        await using var context = Database.CreateContext();
        var s1 = new Data.Entities.Station { Name = "ST01", CreatedAt = Clock.GetUtcNow() };
        var s2 = new Data.Entities.Station { Name = "ST02", CreatedAt = Clock.GetUtcNow() };
        var f1 = new Fixture { Name = "F1", Station = s1 };
        var f2 = new Fixture { Name = "F1", Station = s2 };
        var slots = new[]
        {
            new Slot { Fixture = f1, Position = 1, ProbeSelector = "emulator://stm32f103c8?probe=v2j37" },
            new Slot { Fixture = f1, Position = 2, ProbeSelector = "emulator://stm32f103c8?probe=v2j37" },
            new Slot { Fixture = f2, Position = 1, ProbeSelector = "emulator://stm32f103c8?probe=v3" },
        };
        var widget = new RecipeRecord { Name = "Widget", Version = "1.0", Json = "{}", ImageSha256 = new string('a', 64), CreatedBy = "eve", State = ReleaseState.Released };
        var gadget = new RecipeRecord { Name = "Gadget", Version = "2.1", Json = "{}", ImageSha256 = new string('b', 64), CreatedBy = "eve", State = ReleaseState.Released };
        context.AddRange(s1, s2, f1, f2, widget, gadget);
        context.AddRange(slots);
        await context.SaveChangesAsync(TestContext.Current.CancellationToken);
        Station1 = s1.Id;
        Station2 = s2.Id;
        Slots = [.. slots.Select(s => s.Id)];
        Fixtures = [f1.Id, f1.Id, f2.Id];
        Widget = widget.Id;
        Gadget = gadget.Id;
    }
}
