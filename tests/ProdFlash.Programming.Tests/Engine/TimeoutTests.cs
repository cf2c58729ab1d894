using Microsoft.Extensions.Time.Testing;

using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Recipes;
using ProdFlash.Programming.Engine;

namespace ProdFlash.Programming.Tests.Engine;

/// <summary>Phase limits on the modeled clock and on the wall clock end in Timeout naming the phase.</summary>
public sealed class TimeoutTests
{
    private const string Chip = "stm32f103c8";

    [Fact]
    public async Task RunAsync_ProgramSlowerThanItsModeledLimit_TimeoutInProgramSoonAfterTheLimit()
    {
        // Arrange: 64 KiB takes 32768 × 52.5 µs = 1.72 s of modeled flash time (DS5319); the limit is 0.5 s.
        await using var slot = await EngineSlot.OpenAsync(Chip);
        var limit = TimeSpan.FromMilliseconds(500);
        var recipe = EngineSlot.DefaultRecipe(Chip) with
        {
            Timeouts = new PhaseTimeouts(new Dictionary<AttemptPhase, TimeSpan> { [AttemptPhase.Program] = limit }),
        };

        // Act
        var result = await slot.RunAsync(recipe, EngineSlot.Image(64 * 1024));

        // Assert: the phase stops at the first progress report after the limit (the driver reports per 16 KiB block).
        Assert.Equal(FailureCode.Timeout, result.FailureCode);
        Assert.Equal(AttemptPhase.Program, result.Diagnosis!.Phase);
        Assert.Contains(result.Diagnosis.Evidence, e => e.Name == "Phase time limit");
        var program = result.Phases[^1];
        Assert.Equal(AttemptPhase.Program, program.Phase);
        Assert.InRange(program.Modeled, limit, limit + TimeSpan.FromSeconds(0.5));
    }

    [Fact]
    public async Task RunAsync_WallClockPassesIdentifyLimit_TimeoutInIdentify()
    {
        // Arrange: the wall clock is a fake one that jumps 11 s when identify starts (its default limit is 10 s).
        await using var slot = await EngineSlot.OpenAsync(Chip);
        var wall = new FakeTimeProvider();
        var jump = new JumpOnPhase(AttemptPhase.Identify, wall, TimeSpan.FromSeconds(11));
        var options = new AttemptOptions { WallTime = wall };

        // Act
        var result = await slot.RunAsync(EngineSlot.DefaultRecipe(Chip), EngineSlot.Image(1024), progress: jump, options: options);

        // Assert
        Assert.Equal(FailureCode.Timeout, result.FailureCode);
        Assert.Equal(AttemptPhase.Identify, result.Diagnosis!.Phase);
        Assert.Contains("10.0 s", result.Diagnosis.Summary, StringComparison.Ordinal);
    }

    private sealed class JumpOnPhase(AttemptPhase phase, FakeTimeProvider time, TimeSpan by) : IProgress<AttemptEvent>
    {
        public void Report(AttemptEvent value)
        {
            if (value is PhaseStarted started && started.Phase == phase)
            {
                time.Advance(by);
            }
        }
    }
}
