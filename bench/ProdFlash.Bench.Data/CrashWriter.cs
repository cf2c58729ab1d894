using System.Globalization;

using Microsoft.EntityFrameworkCore;

using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Serialization;
using ProdFlash.Data;
using ProdFlash.Data.Entities;
using ProdFlash.Data.Serials;

/// <summary>
/// The crash test's child (tests/ProdFlash.Data.Tests/CrashTests.cs): starts like the station (migrate, recover), then
/// writes attempts in a loop and prints "committed ID STATE" after each result is committed, until it is killed.
/// </summary>
internal static class CrashWriter
{
    public static async Task<int> RunAsync(string dataDirectory)
    {
        var database = new StationDatabase(new StationDatabaseOptions { DataDirectory = dataDirectory });
        await database.MigrateAsync();
        var recovered = await new StationRecovery(database).RecoverAsync();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"recovered {recovered.InterruptedAttempts} {recovered.VoidedSerials}"));
        var (fixtureId, slotId, recipeId) = await SeedAsync(database);
        var recorder = new AttemptRecorder(database);
        var ledger = new SerialLedger(database);
        var scheme = new SerialScheme(SerialTemplate.Parse("CR-{seq:00000000}"), new SerialLayout([new AsciiField(11)]), 0x0800FC00);
        var random = new Random();
        for (var n = 0; ; n++)
        {
            var run = await recorder.StartRunAsync(fixtureId, recipeId, "crash-writer");
            var attempt = await recorder.StartAttemptAsync(run, slotId, "CRASHPROBE0000000000000001");
            await ledger.ReserveAsync("Crash", scheme, attempt);
            var passed = random.Next(3) != 0;
            await recorder.CompleteAttemptAsync(attempt, new AttemptOutcome
            {
                State = passed ? AttemptState.Passed : AttemptState.Failed,
                FailureCode = passed ? null : FailureCode.VerifyMismatch,
                McuUid = string.Create(CultureInfo.InvariantCulture, $"{random.NextInt64():X16}{n:X8}"),
                Phases = [new PhaseRecord(AttemptPhase.Program, 1.72)],
            });
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"committed {attempt} {(passed ? "Passed" : "Failed")}"));
        }
    }

    private static async Task<(int Fixture, int Slot, int Recipe)> SeedAsync(StationDatabase database)
    {
        await using var context = database.CreateContext();
        var slot = await context.Slots.Select(s => new { s.Id, s.FixtureId }).FirstOrDefaultAsync();
        var recipe = await context.Recipes.Select(r => r.Id).FirstOrDefaultAsync();
        if (slot is not null && recipe != 0)
        {
            return (slot.FixtureId, slot.Id, recipe);
        }

        var station = new Station { Name = "CRASH", CreatedAt = DateTimeOffset.UtcNow };
        var fixture = new Fixture { Name = "F1", Station = station };
        var newSlot = new Slot { Fixture = fixture, Position = 1, ProbeSelector = "emulator://stm32f103c8" };
        var newRecipe = new RecipeRecord { Name = "Crash", Version = "1", Json = "{}", ImageSha256 = new string('c', 64), CreatedBy = "test" };
        context.AddRange(station, fixture, newSlot, newRecipe);
        await context.SaveChangesAsync();
        return (fixture.Id, newSlot.Id, newRecipe.Id);
    }
}
