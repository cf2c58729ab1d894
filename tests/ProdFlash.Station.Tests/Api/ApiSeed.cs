using System.Net.Http.Json;

using Microsoft.Extensions.DependencyInjection;

using ProdFlash.Core.Recipes;
using ProdFlash.Data;
using ProdFlash.Data.Entities;
using ProdFlash.Data.Serials;
using ProdFlash.Station.Api;
using ProdFlash.Testing;

namespace ProdFlash.Station.Tests.Api;

/// <summary>A unit recorded through Data's own writers: one run, one Passed attempt with a committed serial and a UID.</summary>
internal sealed record SeededUnit(long RunId, int RecipeId, string Serial, string McuUid);

/// <summary>Seeds records the way the station writes them (AttemptRecorder, SerialLedger), for tests that read them back.</summary>
internal static class ApiSeed
{
    private static int s_counter;

    /// <summary>Uploads a fresh image by <paramref name="author"/>, releases it by <paramref name="reviewer"/> when asked, and creates a Draft recipe on it.</summary>
    public static async Task<(ImageDto Image, RecipeDto Recipe)> DraftRecipeAsync(HttpClient author, HttpClient? reviewer, string tag)
    {
        var image = await ApiTestData.UploadBinAsync(author, ApiTestData.DistinctBin(tag));
        if (reviewer is not null)
        {
            using var release = await reviewer.PostAsync($"/api/images/{image.Sha256}/release", null, TestContext.Current.CancellationToken);
            release.EnsureSuccessStatusCode();
        }

        using var created = await author.PostAsync("/api/recipes", ApiTestData.JsonBody(ApiTestData.RecipeJson("Seed " + tag, "1.0.0", image.Sha256)), TestContext.Current.CancellationToken);
        created.EnsureSuccessStatusCode();
        return (image, (await created.Content.ReadFromJsonAsync<RecipeDto>(ApiTestData.Json, TestContext.Current.CancellationToken))!);
    }

    /// <summary>Records one Passed unit on the host's first fixture and slot, on recipe <paramref name="recipeId"/>.</summary>
    public static async Task<SeededUnit> PassedUnitAsync(ApiTestHost host, int recipeId)
    {
        var ct = TestContext.Current.CancellationToken;
        var database = host.Factory.Services.GetRequiredService<StationDatabase>();
        int fixtureId, slotId;
        await using (var context = database.CreateContext())
        {
            fixtureId = context.Fixtures.OrderBy(f => f.Id).Select(f => f.Id).First();
            slotId = context.Slots.Where(s => s.FixtureId == fixtureId).OrderBy(s => s.Id).Select(s => s.Id).First();
        }

        var recorder = new AttemptRecorder(database);
        var runId = await recorder.StartRunAsync(fixtureId, recipeId, "seed-operator", "LOT-1", ct);
        var attemptId = await recorder.StartAttemptAsync(runId, slotId, "SEEDPROBE", ct);
        var scheme = Recipe.Load(Path.Combine(RepositoryPaths.FirmwareImages, "samples", "blue-pill-f103c8", "recipe.json")).Serial!;
        var serial = await new SerialLedger(database).ReserveAsync("api-seed", scheme, attemptId, cancellationToken: ct);
        var uid = $"0000000000000000{Interlocked.Increment(ref s_counter):X8}";
        await recorder.CompleteAttemptAsync(attemptId, new AttemptOutcome { State = AttemptState.Passed, McuUid = uid, DevicePart = "STM32F103C8", ModeledSeconds = 1.5 }, ct);
        await recorder.EndRunAsync(runId, ct);
        return new SeededUnit(runId, recipeId, serial.Text, uid);
    }
}
