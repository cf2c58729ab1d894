using ProdFlash.Core.Devices;
using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Recipes;
using ProdFlash.Core.Serialization;
using ProdFlash.Core.Targets;
using ProdFlash.Programming.Engine;

namespace ProdFlash.Programming.Tests.Engine;

/// <summary>Option-byte permissions, the connect strategy and the serialize phase, against the emulated F103C8.</summary>
public sealed class PolicyTests
{
    private const string Chip = "stm32f103c8";

    [Fact]
    public async Task RunAsync_Rdp1WithoutPermission_ReadoutProtectedWithRdpByteEvidence()
    {
        // Arrange
        await using var slot = await EngineSlot.OpenAsync(Chip, "rdp1");

        // Act
        var result = await slot.RunAsync(EngineSlot.DefaultRecipe(Chip), EngineSlot.Image(2048));

        // Assert: F1 level 0 is RDP 0xA5 (PM0075 §2.4.1); anything else is level 1.
        Assert.Equal(FailureCode.ReadoutProtected, result.FailureCode);
        Assert.Equal(RdpLevel.Level1, result.OptionBytesBefore!.Rdp);
        var rdp = Assert.Single(result.Diagnosis!.Evidence, e => e.Name == "RDP option byte");
        Assert.Equal("0xA5", rdp.Expected);
        Assert.Contains(result.Diagnosis.Evidence, e => e.Name == "RDP regression allowed" && e.Measured == "no");
    }

    [Fact]
    public async Task RunAsync_Rdp1WithPermission_RegressesThenProgramsAndVerifies()
    {
        // Arrange
        await using var slot = await EngineSlot.OpenAsync(Chip, "rdp1");
        var recipe = EngineSlot.DefaultRecipe(Chip) with
        {
            OptionBytes = OptionBytePolicy.Default with { AllowRdpRegression = true },
        };
        var image = EngineSlot.Image(4096);

        // Act
        var result = await slot.RunAsync(recipe, image);

        // Assert
        Assert.True(result.Outcome == AttemptOutcome.Passed, result.Diagnosis?.Summary);
        Assert.Equal(RdpLevel.Level1, result.OptionBytesBefore!.Rdp);
        Assert.Equal(RdpLevel.Level0, result.OptionBytesAfter!.Rdp);
        var back = new byte[4096];
        await slot.Target.Memory.ReadAsync(0x0800_0000, back, AccessWidth.Word, TestContext.Current.CancellationToken);
        Assert.Equal(image.Segments[0].Data.ToArray(), back);
    }

    [Theory]
    [InlineData("stm32f103cb")]
    [InlineData("stm32f103zg")]
    [InlineData("stm32f030f4")]
    [InlineData("stm32f407vg")]
    [InlineData("stm32g071rb")]
    [InlineData("stm32l476rg")]
    public async Task RunAsync_Rdp1PerFamily_RefusedWithoutPermissionRegressedAndProgrammedWithIt(string chip)
    {
        // Arrange: level 0 is 0xAA on F0/F4/G0/L4 and 0xA5 on F1 (stm32-targets.md §4.1).
        var image = EngineSlot.Image(4096, seed: 71);
        // The regression mass-erases inside the option-bytes phase; the phase's default limit is derived from the
        // chip's maximum mass-erase time (PhaseTimeouts.For), so the recipe sets no timeout.
        var allowed = EngineSlot.DefaultRecipe(chip) with
        {
            OptionBytes = OptionBytePolicy.Default with { AllowRdpRegression = true },
        };
        await using var refusedSlot = await EngineSlot.OpenAsync(chip, "rdp1", 21);
        await using var allowedSlot = await EngineSlot.OpenAsync(chip, "rdp1", 22);

        // Act
        var refused = await refusedSlot.RunAsync(EngineSlot.DefaultRecipe(chip), image);
        var regressed = await allowedSlot.RunAsync(allowed, image);

        // Assert
        Assert.Equal(FailureCode.ReadoutProtected, refused.FailureCode);
        Assert.Equal(AttemptPhase.OptionBytes, refused.Diagnosis!.Phase);
        Assert.Equal(chip.StartsWith("stm32f1", StringComparison.Ordinal) ? "0xA5" : "0xAA", Assert.Single(refused.Diagnosis.Evidence, e => e.Name == "RDP option byte").Expected);
        Assert.True(regressed.Outcome == AttemptOutcome.Passed, regressed.Diagnosis?.Summary);
        Assert.Equal(RdpLevel.Level1, regressed.OptionBytesBefore!.Rdp);
        Assert.Equal(RdpLevel.Level0, regressed.OptionBytesAfter!.Rdp);
        var back = new byte[4096];
        await allowedSlot.Target.Memory.ReadAsync(0x0800_0000, back, AccessWidth.Word, TestContext.Current.CancellationToken);
        Assert.Equal(image.Segments[0].Data.ToArray(), back);
    }

    [Fact]
    public async Task RunAsync_F407Rdp1WithPermissionDefaultTimeouts_RegressionLongerThanTenSecondsPasses()
    {
        // Arrange: the F4 regression mass-erases for up to 32 s (x8, OpenOCD stm32f2x.c), which the emulated F407 charges
        // (its typical mass-erase time is unknown, so the model charges the catalog maximum). The recipe's timeouts are
        // the defaults, as a station with a default recipe would run them.
        const string chip = "stm32f407vg";
        var part = DeviceCatalog.Default.FindPart(chip)!;
        var recipe = EngineSlot.DefaultRecipe(chip) with
        {
            OptionBytes = OptionBytePolicy.Default with { AllowRdpRegression = true },
        };
        await using var slot = await EngineSlot.OpenAsync(chip, "rdp1", 23);

        // Act
        var result = await slot.RunAsync(recipe, EngineSlot.Image(4096, seed: 72));

        // Assert: the phase took longer than the 10 s fixed default and stayed inside the limit derived from the maximum.
        Assert.False(recipe.Timeouts.IsSet(AttemptPhase.OptionBytes));
        var limit = recipe.Timeouts.For(AttemptPhase.OptionBytes, part);
        Assert.Equal(PhaseTimeouts.DefaultFor(AttemptPhase.OptionBytes) + (part.Timings.MassErase.Maximum!.Value * PhaseTimeouts.MaximumTimeMargin), limit);
        Assert.True(result.Outcome == AttemptOutcome.Passed, result.Diagnosis?.Summary);
        var ob = Assert.Single(result.Phases, p => p.Phase == AttemptPhase.OptionBytes);
        Assert.InRange(ob.Modeled, PhaseTimeouts.DefaultFor(AttemptPhase.OptionBytes), limit);
        Assert.Equal(RdpLevel.Level0, result.OptionBytesAfter!.Rdp);
    }

    [Fact]
    public async Task RunAsync_WrpOverImageWithPermission_LiftsProtectionAndPasses()
    {
        // Arrange: pages 0-3 share one WRP bit on medium density (wrpPagesPerBit 4, RM0008 §2.5).
        await using var slot = await EngineSlot.OpenAsync(Chip, "wrp:0-3");
        var recipe = EngineSlot.DefaultRecipe(Chip) with { OptionBytes = OptionBytePolicy.Default with { AllowWriteProtectionRemoval = true } };

        // Act
        var result = await slot.RunAsync(recipe, EngineSlot.Image(2048));

        // Assert
        Assert.True(result.Outcome == AttemptOutcome.Passed, result.Diagnosis?.Summary);
        Assert.Equal([0, 1, 2, 3], result.OptionBytesBefore!.WriteProtectedUnits);
        Assert.DoesNotContain(0, result.OptionBytesAfter!.WriteProtectedUnits);
    }

    [Fact]
    public async Task RunAsync_WrpOutsideImage_PassesWithTouchedErase()
    {
        // Arrange: page 60 is protected, the image needs pages 0-1 only; a mass erase would fail, so pages are erased.
        await using var slot = await EngineSlot.OpenAsync(Chip, "wrp:60-63");

        // Act
        var result = await slot.RunAsync(EngineSlot.DefaultRecipe(Chip), EngineSlot.Image(2048));

        // Assert
        Assert.True(result.Outcome == AttemptOutcome.Passed, result.Diagnosis?.Summary);
        Assert.False(result.Erase!.Mass);
        Assert.Equal([0, 1], result.Erase.Units.Select(u => u.Number));
    }

    [Fact]
    public async Task RunAsync_SwdRemappedWithRetryUnderReset_ConnectsOnSecondTryUnderReset()
    {
        // Arrange
        await using var slot = await EngineSlot.OpenAsync(Chip, "swd-remap");

        // Act
        var result = await slot.RunAsync(EngineSlot.DefaultRecipe(Chip), EngineSlot.Image(1024));

        // Assert
        Assert.True(result.Outcome == AttemptOutcome.Passed, result.Diagnosis?.Summary);
        Assert.Equal(2, result.ConnectTries.Count);
        Assert.Equal(new ConnectTry(ConnectMode.Normal, 4000), result.ConnectTries[0].Try);
        Assert.Equal(TargetErrorKind.NoResponse, result.ConnectTries[0].Error);
        Assert.Equal(new ConnectTry(ConnectMode.UnderReset, 4000), result.ConnectTries[1].Try);
        Assert.True(result.ConnectTries[1].Connected);
    }

    [Fact]
    public async Task RunAsync_SwdRemappedWithoutRetries_NoSwdResponseListingTheOneTry()
    {
        // Arrange
        await using var slot = await EngineSlot.OpenAsync(Chip, "swd-remap");
        var recipe = EngineSlot.DefaultRecipe(Chip) with { Connect = ConnectSettings.Default with { RetryUnderReset = false, RetrySlower = false } };

        // Act
        var result = await slot.RunAsync(recipe, EngineSlot.Image(1024));

        // Assert
        Assert.Equal(FailureCode.NoSwdResponse, result.FailureCode);
        Assert.Single(result.ConnectTries);
        Assert.Contains(result.Diagnosis!.Evidence, e => e.Name == "Tries" && e.Measured == "normal at 4000 kHz");
    }

    [Fact]
    public async Task RunAsync_NoAck_TriesEveryModeAndFrequencyInRecipeOrder()
    {
        // Arrange
        await using var slot = await EngineSlot.OpenAsync(Chip, "no-ack");

        // Act
        var result = await slot.RunAsync(EngineSlot.DefaultRecipe(Chip), EngineSlot.Image(1024));

        // Assert: normal 4000, under reset 4000, under reset 1800, under reset 480 (ConnectSettings.Default).
        Assert.Equal(FailureCode.NoSwdResponse, result.FailureCode);
        Assert.Equal(ConnectSettings.Default.Tries(), result.ConnectTries.Select(t => t.Try));
        Assert.Equal([4000, 4000, 1800, 480], result.ConnectTries.Select(t => t.AppliedKHz ?? 0));
    }

    [Fact]
    public async Task RunAsync_LightFlakyWait_RetriesTransientWaitAndPasses()
    {
        // Arrange: 2 % of accesses answer WAIT once; the driver retries WAIT with a bound.
        await using var slot = await EngineSlot.OpenAsync(Chip, "flaky-wait:0.02");

        // Act
        var result = await slot.RunAsync(EngineSlot.DefaultRecipe(Chip), EngineSlot.Image(4096));

        // Assert
        Assert.True(result.Outcome == AttemptOutcome.Passed, result.Diagnosis?.Summary);
    }

    [Fact]
    public async Task RunAsync_SerialRecord_WrittenAtLastPageAndReadBack()
    {
        // Arrange: "PF" + 6-digit sequence, 32-bit little-endian sequence, CRC-32; default recipe puts it at the last page.
        await using var slot = await EngineSlot.OpenAsync(Chip);
        var layout = new SerialLayout([new AsciiField(8, template: SerialTemplate.Parse("PF{seq:000000}")), new IntegerField(4), new Crc32Field()]);
        var scheme = new SerialScheme(SerialTemplate.Parse("PF{seq:000000}"), layout, 0);
        var part = DeviceCatalog.Default.FindPart(Chip)!;
        var recipe = Recipe.CreateDefault(part, "serial-test", "1.0.0", new RecipeImage(null, null), scheme);
        var record = recipe.Serial!.Render(42, new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));

        // Act
        var result = await slot.RunAsync(recipe, EngineSlot.Image(2048), record);

        // Assert: the F103C8's last 1 KiB page starts at 0x0800FC00.
        Assert.True(result.Outcome == AttemptOutcome.Passed, result.Diagnosis?.Summary);
        Assert.Same(record, result.Serial);
        Assert.Equal(0x0800FC00u, record.Address);
        var back = new byte[record.Bytes.Length];
        await slot.Target.Memory.ReadAsync(0x0800FC00, back, AccessWidth.Word, TestContext.Current.CancellationToken);
        Assert.Equal("PF000042"u8.ToArray(), back[..8]);
        Assert.Equal(new byte[] { 42, 0, 0, 0 }, back[8..12]);
        Assert.Equal(record.Bytes.ToArray(), back);
        Assert.True(result.Erase!.Mass || result.Erase.Units.Any(u => u.Address == 0x0800FC00), result.Erase.Reason);
    }

    [Fact]
    public async Task RunAsync_SerialOverProgrammedImage_SerialWriteFailed()
    {
        // Arrange: the record lands on bytes the image already programmed (not erased), so the write must fail.
        await using var slot = await EngineSlot.OpenAsync(Chip);
        var layout = new SerialLayout([new IntegerField(4)]);
        var scheme = new SerialScheme(SerialTemplate.Parse("{seq}"), layout, 0x0800_0010, start: 1);
        var recipe = EngineSlot.DefaultRecipe(Chip) with { Serial = scheme };
        var image = new Core.Images.MemoryImage([new Core.Images.ImageSegment(0x0800_0000, new byte[64])]);
        var record = scheme.Render(7, DateTimeOffset.UnixEpoch);

        // Act
        var result = await slot.RunAsync(recipe, image, record);

        // Assert
        Assert.Equal(FailureCode.SerialWriteFailed, result.FailureCode);
        Assert.Equal(AttemptPhase.Serialize, result.Diagnosis!.Phase);
        Assert.Contains(result.Diagnosis.Evidence, e => e.Name == "Address" && e.Measured == "0x08000010");
    }

    [Fact]
    public async Task RunAsync_PreverifyOnSecondRun_SkipsEveryMatchingPage()
    {
        // Arrange
        await using var slot = await EngineSlot.OpenAsync(Chip);
        var image = EngineSlot.Image(5 * 1024);
        var recipe = EngineSlot.DefaultRecipe(Chip) with { Checks = CheckSettings.Default with { Preverify = true } };
        var first = await slot.RunAsync(recipe, image);

        // Act
        var second = await slot.RunAsync(recipe, image);

        // Assert
        Assert.Equal(AttemptOutcome.Passed, first.Outcome);
        Assert.True(second.Outcome == AttemptOutcome.Passed, second.Diagnosis?.Summary);
        Assert.Equal(5, second.Erase!.SkippedUnits.Count);
        Assert.Empty(second.Erase.Units);
        Assert.Equal(0, second.BytesProgrammed);
    }

    [Theory]
    [InlineData("stm32f103c8")]
    [InlineData("stm32f407vg")]
    [InlineData("stm32l476rg")]
    public async Task RunAsync_FinalRdp1_FinalizeLeavesLevel1AndAttemptPasses(string chip)
    {
        // Arrange
        await using var slot = await EngineSlot.OpenAsync(chip);
        var recipe = EngineSlot.DefaultRecipe(chip) with { OptionBytes = OptionBytePolicy.Default with { FinalRdp = RdpLevel.Level1 } };

        // Act
        var result = await slot.RunAsync(recipe, EngineSlot.Image(2048));

        // Assert
        Assert.True(result.Outcome == AttemptOutcome.Passed, result.Diagnosis?.Summary);
        Assert.Equal(RdpLevel.Level0, result.OptionBytesBefore!.Rdp);
        Assert.Equal(RdpLevel.Level1, result.OptionBytesAfter!.Rdp);
    }

    [Fact]
    public async Task RunAsync_HotPlugMode_ConnectsWithoutResetAndPasses()
    {
        // Arrange
        await using var slot = await EngineSlot.OpenAsync(Chip);
        var recipe = EngineSlot.DefaultRecipe(Chip) with { Connect = ConnectSettings.Default with { Mode = ConnectMode.HotPlug } };

        // Act
        var result = await slot.RunAsync(recipe, EngineSlot.Image(1024));

        // Assert
        Assert.True(result.Outcome == AttemptOutcome.Passed, result.Diagnosis?.Summary);
        Assert.Equal(ConnectMode.HotPlug, Assert.Single(result.ConnectTries).Try.Mode);
    }
}
