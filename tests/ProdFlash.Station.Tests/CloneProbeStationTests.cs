using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ProdFlash.Core.Diagnostics;
using ProdFlash.Data;
using ProdFlash.Data.Entities;
using ProdFlash.Station.Runtime;
using ProdFlash.Testing;

namespace ProdFlash.Station.Tests;

public sealed class CloneProbeStationTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task StartAsync_CloneProbeSlot_ProgramsWithWarningOnlyWhenRecipeAllowsClone(bool allowClone)
    {
        // Arrange: the Blue Pill sample recipe, with probe.allowClone written as given; slot 1 has the emulated clone
        // ST-LINK (binary serial descriptor), slot 2 a genuine one.
        using var temp = new TempDirectory();
        var ct = TestContext.Current.CancellationToken;
        var sample = Path.Combine(RepositoryPaths.FirmwareImages, "samples", "blue-pill-f103c8", "recipe.json");
        var json = (await File.ReadAllTextAsync(sample, ct)).Replace(
            "\"voltage\":", $"\"probe\": {{ \"allowClone\": {(allowClone ? "true" : "false")} }},\n  \"voltage\":", StringComparison.Ordinal);
        Directory.CreateDirectory(temp.File("recipes"));
        await File.WriteAllTextAsync(Path.Combine(temp.File("recipes"), "clone-ok.json"), json, ct);
        var settings = StationAppFactory.DefaultSettings(temp.File("data"));
        settings["Station:RecipesFolder"] = temp.File("recipes");
        settings["Station:Fixtures:0:Recipe"] = "clone-ok.json";
        settings["Station:Fixtures:0:Slots:0:Probe"] = "emulator://stm32f103c8?probe=clone";
        using var factory = new StationAppFactory(settings);
        _ = factory.Server;
        var fixture = factory.Services.GetRequiredService<StationRuntime>().Fixtures["F1"];

        // Act
        var results = await (await fixture.StartAsync("operator", null, ct)).Completion.WaitAsync(ct);

        // Assert
        var clone = results.Single(r => r.Position == 1);
        Assert.Equal(AttemptState.Passed, results.Single(r => r.Position == 2).State);
        await using var context = factory.Services.GetRequiredService<StationDatabase>().CreateContext();
        var attempt = await context.Attempts.SingleAsync(a => a.Id == clone.AttemptId, ct);
        if (allowClone)
        {
            Assert.Equal(AttemptState.Passed, clone.State);
            var probe = Assert.Single(PhaseLog.Deserialize(attempt.Phases!), p => p.Phase == AttemptPhase.Probe);
            Assert.Equal(nameof(FailureCode.ProbeSuspectClone), probe.Measurements![SlotRunner.WarningMeasurement]);
            Assert.Equal("STM32F103C8", attempt.DevicePart);
        }
        else
        {
            Assert.Equal(AttemptState.Failed, clone.State);
            Assert.Equal(FailureCode.ProbeSuspectClone, attempt.FailureCode);
            Assert.Equal(AttemptPhase.Probe, attempt.FailedPhase);
        }
    }
}
