using ProdFlash.Core.Devices;
using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Recipes;
using ProdFlash.Programming.Engine;

namespace ProdFlash.Programming.Tests.Engine;

/// <summary>
/// RDP level 2 closes the debug port for good, also under reset (stm32-targets.md §4.1, §6), so a chip at level 2
/// answers nothing, like a board with a broken SWD wire. The engine says "locked for good" only with the evidence:
/// powered inside the window, silent under reset at every recipe frequency, and this slot's earlier contact with the
/// same board left it at level 2. Every family with a level 2 (F0, F4, G0, L4; F1 has none) is covered.
/// </summary>
public sealed class Rdp2EvidenceTests
{
    public static TheoryData<string> Level2Parts => ["stm32f030f4", "stm32f407vg", "stm32g071rb", "stm32l476rg"];

    [Theory]
    [MemberData(nameof(Level2Parts))]
    public async Task RunAsync_SameBoardLockedAtLevel2ByFinalize_ReadoutProtectedPermanentlyWithEvidence(string chip)
    {
        // Arrange: a first attempt on the slot programs the board and finalizes it at level 2 (confirmed in the recipe).
        await using var slot = await EngineSlot.OpenAsync(chip, null, 11);
        var locking = EngineSlot.DefaultRecipe(chip) with
        {
            OptionBytes = OptionBytePolicy.Default with { FinalRdp = RdpLevel.Level2, ConfirmPermanentLock = true },
        };
        var first = await slot.RunAsync(locking, EngineSlot.Image(2048));
        Assert.True(first.Outcome == AttemptOutcome.Passed, first.Diagnosis?.Summary);
        Assert.Equal(RdpLevel.Level2, first.OptionBytesAfter!.Rdp);
        var prior = PriorContact.From(first, sameBoard: true, "attempt 1");

        // Act: the same board again, on the same slot.
        var second = await slot.RunAsync(EngineSlot.DefaultRecipe(chip), EngineSlot.Image(2048), prior);

        // Assert
        Assert.True(second.FailureCode == FailureCode.ReadoutProtectedPermanently, second.Diagnosis?.Summary);
        Assert.Equal(AttemptPhase.Connect, second.Diagnosis!.Phase);
        Assert.All(second.ConnectTries, t => Assert.Equal(Core.Targets.TargetErrorKind.NoResponse, t.Error));
        Assert.Contains(second.ConnectTries, t => t.Try.Mode == ConnectMode.UnderReset && t.Try.FrequencyKHz == 480);
        Assert.Contains(second.Diagnosis.Evidence, e => e.Name == "RDP level left at" && e.Measured == "2");
        Assert.Contains(second.Diagnosis.Evidence, e => e.Name == "Under reset at every recipe frequency" && e.Measured == "yes");
        Assert.Contains(second.Diagnosis.Evidence, e => e.Name == "Earlier contact on this slot" && e.Measured.Contains(first.Identity!.Uid!, StringComparison.Ordinal));
        Assert.Contains("UID " + first.Identity!.Uid, second.Diagnosis.Summary, StringComparison.Ordinal);
        Assert.Same(prior, second.Prior);
    }

    [Theory]
    [MemberData(nameof(Level2Parts))]
    public async Task RunAsync_Level2ChipWithoutHistory_NoSwdResponseRankingWiringFirstAndLevel2WithEvidence(string chip)
    {
        // Arrange
        await using var slot = await EngineSlot.OpenAsync(chip, "rdp2", 12);

        // Act
        var result = await slot.RunAsync(EngineSlot.DefaultRecipe(chip), EngineSlot.Image(1024), prior: null);

        // Assert: nothing proves the board was locked, so wiring comes first and level 2 says why it is not proven.
        Assert.True(result.FailureCode == FailureCode.NoSwdResponse, result.Diagnosis?.Summary);
        Assert.Contains("SWDIO", result.Diagnosis!.Causes[0].Text, StringComparison.Ordinal);
        var level2 = Assert.Single(result.Diagnosis.Causes, c => c.Text.Contains("level 2", StringComparison.Ordinal));
        Assert.Contains("no earlier contact", level2.Text, StringComparison.Ordinal);
        Assert.Contains(result.Diagnosis.Evidence, e => e.Name == "Earlier contact on this slot" && e.Measured == "none known");
        Assert.DoesNotContain("locked for good", result.Diagnosis.Summary, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Level2Parts))]
    public async Task RunAsync_SameBoardAnsweredBeforeAtLevel0_NoSwdResponseRankingLevel2First(string chip)
    {
        // Arrange: the same board identified on this slot before at level 0; now the chip is at level 2 (set by its
        // firmware, say): the wiring is proven, so level 2 is the likeliest cause, but nothing shows it was set.
        var prior = new PriorContact(true, "0123456789ABCDEF01234567", chip.ToUpperInvariant(), RdpLevel.Level0, "attempt 7");
        await using var slot = await EngineSlot.OpenAsync(chip, "rdp2", 13);

        // Act
        var result = await slot.RunAsync(EngineSlot.DefaultRecipe(chip), EngineSlot.Image(1024), prior);

        // Assert
        Assert.True(result.FailureCode == FailureCode.NoSwdResponse, result.Diagnosis?.Summary);
        Assert.Contains("level 2 set since attempt 7", result.Diagnosis!.Causes[0].Text, StringComparison.Ordinal);
        Assert.Contains("The same board answered on this slot before (attempt 7)", result.Diagnosis.Summary, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Level2Parts))]
    public async Task RunAsync_LockedBoardButUnderResetNotTried_NoSwdResponseSayingNotProven(string chip)
    {
        // Arrange: the recipe forbids the under-reset retry, so firmware that takes the SWD pins is not ruled out.
        var prior = new PriorContact(true, null, null, RdpLevel.Level2, "attempt 3");
        await using var slot = await EngineSlot.OpenAsync(chip, "rdp2", 14);
        var recipe = EngineSlot.DefaultRecipe(chip) with { Connect = ConnectSettings.Default with { RetryUnderReset = false } };

        // Act
        var result = await slot.RunAsync(recipe, EngineSlot.Image(1024), prior);

        // Assert
        Assert.True(result.FailureCode == FailureCode.NoSwdResponse, result.Diagnosis?.Summary);
        Assert.Contains("not proven: no connect under reset was tried", result.Diagnosis!.Summary, StringComparison.Ordinal);
        Assert.Contains(result.Diagnosis.Evidence, e => e.Name == "Under reset at every recipe frequency" && e.Measured == "not tried");
        Assert.Contains("level 2", result.Diagnosis.Causes[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_LockedBoardHistoryButNoVcc_TargetNotPoweredNotPermanent()
    {
        // Arrange: history says level 2, but the probe reads 0 V: the power phase decides before any silence is weighed.
        var prior = new PriorContact(true, null, "STM32F407VG", RdpLevel.Level2, "attempt 2");
        await using var slot = await EngineSlot.OpenAsync("stm32f407vg", "rdp2,no-vcc", 15);

        // Act
        var result = await slot.RunAsync(EngineSlot.DefaultRecipe("stm32f407vg"), EngineSlot.Image(1024), prior);

        // Assert
        Assert.Equal(FailureCode.TargetNotPowered, result.FailureCode);
    }

    [Fact]
    public async Task RunAsync_OtherBoardLockedBefore_NoSwdResponseBoardSideFirst()
    {
        // Arrange: the slot reached a level-2 chip before, but this is another board: proven wiring, nothing about this chip.
        var prior = new PriorContact(false, "AA", "STM32G071RB", RdpLevel.Level2, "attempt 5");
        await using var slot = await EngineSlot.OpenAsync("stm32g071rb", "rdp2", 16);

        // Act
        var result = await slot.RunAsync(EngineSlot.DefaultRecipe("stm32g071rb"), EngineSlot.Image(1024), prior);

        // Assert
        Assert.True(result.FailureCode == FailureCode.NoSwdResponse, result.Diagnosis?.Summary);
        Assert.Contains("probe and fixture reached a chip before (attempt 5)", result.Diagnosis!.Causes[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void From_AttemptThatNeverIdentified_IsNull()
    {
        // Arrange
        var result = new AttemptResult { Outcome = AttemptOutcome.Failed, Probe = new Core.Targets.ProbeDescription("ST-LINK/V2", "V2J37S7", "SERIAL", "emulator") };

        // Act
        var prior = PriorContact.From(result, sameBoard: true, "attempt 9");

        // Assert
        Assert.Null(prior);
    }
}
