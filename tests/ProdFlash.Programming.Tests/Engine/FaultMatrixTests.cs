using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Recipes;
using ProdFlash.Programming.Engine;

namespace ProdFlash.Programming.Tests.Engine;

/// <summary>
/// Every emulator fault at every phase it can hit ends in the expected failure code within the phase's limit, never
/// an escaped exception, and the same slot (same index: same probe serial and chip UID) passes once the fault is cleared.
/// </summary>
public sealed class FaultMatrixTests
{
    /// <summary>The XL-density F1 part the matrix covers (bank 2 at 0x08080000 with its own registers).</summary>
    public const string XlChip = "stm32f103zg";

    public static TheoryData<string, string, FailureCode, AttemptPhase> Faults => new()
    {
        { "stm32f103c8", "no-vcc", FailureCode.TargetNotPowered, AttemptPhase.Power },
        { "stm32f103c8", "low-vcc", FailureCode.TargetVoltageOutOfRange, AttemptPhase.Power },
        { "stm32f103c8", "no-ack", FailureCode.NoSwdResponse, AttemptPhase.Connect },
        { "stm32f103c8", "flaky-wait:1", FailureCode.TargetLowPowerOrPinsRemapped, AttemptPhase.Connect },
        { "stm32f103c8", "unplug:connect", FailureCode.ProbeDisconnected, AttemptPhase.Connect },
        { "stm32f103c8", "unplug:erase:0", FailureCode.ProbeDisconnected, AttemptPhase.Erase },
        { "stm32f103c8", "unplug:program:5", FailureCode.ProbeDisconnected, AttemptPhase.Program },
        { "stm32f103c8", "rdp1", FailureCode.ReadoutProtected, AttemptPhase.OptionBytes },
        { "stm32f103c8", "wrp:0-3", FailureCode.WriteProtected, AttemptPhase.OptionBytes },
        { "stm32f103c8", "stuck-bit:0x08000100:3:0", FailureCode.ProgramFailed, AttemptPhase.Program },
        { "stm32f103c8", "stuck-bit:0x08000102:3:1", FailureCode.VerifyMismatch, AttemptPhase.Verify },
        { "stm32f103c8", "unplug:program:10", FailureCode.ProbeDisconnected, AttemptPhase.Program },
        { "stm32f103c8", "usb-timeout:connect", FailureCode.ProbeDisconnected, AttemptPhase.Connect },
        { "stm32f103c8", "usb-timeout:erase:0", FailureCode.ProbeDisconnected, AttemptPhase.Erase },
        { "stm32f103c8", "usb-timeout:program:10", FailureCode.ProbeDisconnected, AttemptPhase.Program },
        { "stm32f103c8", "brownout:connect", FailureCode.TargetNotPowered, AttemptPhase.Connect },
        { "stm32f103c8", "brownout:erase:0", FailureCode.TargetNotPowered, AttemptPhase.Erase },
        { "stm32f103c8", "brownout:program:10", FailureCode.TargetNotPowered, AttemptPhase.Program },
        { "stm32f103c8", "flaky-parity:0.5", FailureCode.SwdUnstable, AttemptPhase.Connect },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task RunAsync_Fault_ExpectedCodeInPhaseWithinLimitThenClearedSlotPasses(string chip, string fault, FailureCode code, AttemptPhase phase)
    {
        // Arrange: the image has bit 3 set at 0x08000100 (a bit stuck at 0 there leaves the erased half-word not 0xFFFF:
        // PGERR, RM0008 §3.3.3) and clear at 0x08000102 (a bit stuck at 1 there reads back wrong in verify).
        const int slotIndex = 4;
        var recipe = EngineSlot.DefaultRecipe(chip);
        var image = ImageWithStuckBitTargets();
        AttemptResult faulted;
        await using (var slot = await EngineSlot.OpenAsync(chip, fault, slotIndex))
        {
            // Act
            faulted = await slot.RunAsync(recipe, image);
        }

        AttemptResult cleared;
        await using (var slot = await EngineSlot.OpenAsync(chip, null, slotIndex))
        {
            cleared = await slot.RunAsync(recipe, image);
        }

        // Assert
        Assert.Equal(AttemptOutcome.Failed, faulted.Outcome);
        Assert.True(code == faulted.FailureCode, $"{fault}: {faulted.Diagnosis!.Code} in {faulted.Diagnosis.Phase}: {faulted.Diagnosis.Summary}");
        Assert.Equal(phase, faulted.Diagnosis!.Phase);
        Assert.NotEmpty(faulted.Diagnosis.Evidence);
        Assert.NotEmpty(faulted.Diagnosis.Remedies);
        var last = faulted.Phases[^1];
        Assert.Equal(phase, last.Phase);
        var limit = recipe.Timeouts.For(phase, Core.Devices.DeviceCatalog.Default.FindPart(chip));
        Assert.True(last.Modeled <= limit, $"{phase} took {last.Modeled} modeled");
        Assert.True(last.Wall <= limit, $"{phase} took {last.Wall} wall");
        Assert.True(cleared.Outcome == AttemptOutcome.Passed, cleared.Diagnosis?.Summary);
        if (faulted.Identity is { } identity)
        {
            Assert.Equal(identity.Uid, cleared.Identity!.Uid);
        }
    }

    /// <summary>
    /// 16 KiB across the XL bank boundary (0x0807E000–0x08081FFF: four 2 KiB pages in each bank), with bit 3 set at
    /// 0x08080100 for the stuck-at-0 fault in bank 2.
    /// </summary>
    private static Core.Images.MemoryImage BankSpanningImage()
    {
        var image = EngineSlot.Image(16 * 1024, address: 0x0807_E000, seed: 77);
        var bytes = image.Segments[0].Data.ToArray();
        bytes[0x2100] |= 0x08;
        return new Core.Images.MemoryImage([new Core.Images.ImageSegment(0x0807_E000, bytes)]);
    }

    private static Core.Images.MemoryImage ImageWithStuckBitTargets()
    {
        var image = EngineSlot.Image(8 * 1024);
        var bytes = image.Segments[0].Data.ToArray();
        bytes[0x100] |= 0x08;
        bytes[0x102] &= 0xF7;
        return new Core.Images.MemoryImage([new Core.Images.ImageSegment(0x0800_0000, bytes)]);
    }

    /// <summary>Recipe variants the family matrix uses.</summary>
    public enum RecipeKind
    {
        /// <summary>The catalog default recipe.</summary>
        Default,

        /// <summary>RDP 1 → 0 regression allowed.</summary>
        AllowRdpRegression,

        /// <summary>Finalize programs RDP level 1.</summary>
        FinalRdp1,

        /// <summary>No retry under reset and no slower retry.</summary>
        NoRetries,
    }

    public static TheoryData<string, string, RecipeKind, FailureCode, AttemptPhase> FamilyFaults => new()
    {
        { "stm32f407vg", "no-ack", RecipeKind.Default, FailureCode.NoSwdResponse, AttemptPhase.Connect },
        { "stm32f407vg", "rdp1", RecipeKind.Default, FailureCode.ReadoutProtected, AttemptPhase.OptionBytes },
        { "stm32f407vg", "wrp:0", RecipeKind.Default, FailureCode.WriteProtected, AttemptPhase.OptionBytes },
        { "stm32f407vg", "unplug:erase:0", RecipeKind.Default, FailureCode.ProbeDisconnected, AttemptPhase.Erase },
        { "stm32f407vg", "brownout:program:0.5", RecipeKind.Default, FailureCode.TargetNotPowered, AttemptPhase.Program },
        { "stm32f407vg", EngineSlot.VerifyMismatchFault, RecipeKind.Default, FailureCode.VerifyMismatch, AttemptPhase.Verify },
        { "stm32f407vg", EngineSlot.ObWriteFailFault, RecipeKind.FinalRdp1, FailureCode.OptionBytesWriteFailed, AttemptPhase.Finalize },
        { "stm32f030f4", "no-ack", RecipeKind.Default, FailureCode.NoSwdResponse, AttemptPhase.Connect },
        { "stm32f030f4", "rdp1", RecipeKind.Default, FailureCode.ReadoutProtected, AttemptPhase.OptionBytes },
        { "stm32f030f4", "wrp:0", RecipeKind.Default, FailureCode.WriteProtected, AttemptPhase.OptionBytes },
        { "stm32f030f4", "brownout:erase:0", RecipeKind.Default, FailureCode.TargetNotPowered, AttemptPhase.Erase },
        { "stm32f030f4", EngineSlot.VerifyMismatchFault, RecipeKind.Default, FailureCode.VerifyMismatch, AttemptPhase.Verify },
        { "stm32f030f4", EngineSlot.ObWriteFailFault, RecipeKind.FinalRdp1, FailureCode.OptionBytesWriteFailed, AttemptPhase.Finalize },
        { "stm32g071rb", "no-ack", RecipeKind.Default, FailureCode.NoSwdResponse, AttemptPhase.Connect },
        { "stm32g071rb", "rdp1", RecipeKind.Default, FailureCode.ReadoutProtected, AttemptPhase.OptionBytes },
        { "stm32g071rb", "wrp:0", RecipeKind.Default, FailureCode.WriteProtected, AttemptPhase.OptionBytes },
        { "stm32g071rb", "unplug:program:2", RecipeKind.Default, FailureCode.ProbeDisconnected, AttemptPhase.Program },
        { "stm32g071rb", "brownout:erase:0", RecipeKind.Default, FailureCode.TargetNotPowered, AttemptPhase.Erase },
        { "stm32g071rb", "stuck-bit:0x08000102:3:1", RecipeKind.Default, FailureCode.VerifyMismatch, AttemptPhase.Verify },
        { "stm32g071rb", EngineSlot.ObWriteFailFault, RecipeKind.FinalRdp1, FailureCode.OptionBytesWriteFailed, AttemptPhase.Finalize },
        { "stm32l476rg", "no-ack", RecipeKind.Default, FailureCode.NoSwdResponse, AttemptPhase.Connect },
        { "stm32l476rg", "rdp1", RecipeKind.Default, FailureCode.ReadoutProtected, AttemptPhase.OptionBytes },
        { "stm32l476rg", "wrp:0", RecipeKind.Default, FailureCode.WriteProtected, AttemptPhase.OptionBytes },
        { "stm32l476rg", "unplug:erase:0", RecipeKind.Default, FailureCode.ProbeDisconnected, AttemptPhase.Erase },
        { "stm32l476rg", "brownout:program:0.5", RecipeKind.Default, FailureCode.TargetNotPowered, AttemptPhase.Program },
        { "stm32l476rg", EngineSlot.VerifyMismatchFault, RecipeKind.Default, FailureCode.VerifyMismatch, AttemptPhase.Verify },
        { "stm32f407vg", "rdp1," + EngineSlot.ObWriteFailFault, RecipeKind.AllowRdpRegression, FailureCode.OptionBytesWriteFailed, AttemptPhase.OptionBytes },
        { "stm32l476rg", "rdp1," + EngineSlot.ObWriteFailFault, RecipeKind.AllowRdpRegression, FailureCode.OptionBytesWriteFailed, AttemptPhase.OptionBytes },
        { "stm32f103c8", EngineSlot.VerifyMismatchFault, RecipeKind.Default, FailureCode.VerifyMismatch, AttemptPhase.Verify },
        { "stm32f103c8", EngineSlot.ObWriteFailFault, RecipeKind.FinalRdp1, FailureCode.OptionBytesWriteFailed, AttemptPhase.Finalize },
        { "stm32f103c8", "rdp1," + EngineSlot.ObWriteFailFault, RecipeKind.AllowRdpRegression, FailureCode.OptionBytesWriteFailed, AttemptPhase.OptionBytes },
        { "stm32f103cb", "no-ack", RecipeKind.Default, FailureCode.NoSwdResponse, AttemptPhase.Connect },
        { "stm32f103cb", "rdp1", RecipeKind.Default, FailureCode.ReadoutProtected, AttemptPhase.OptionBytes },
        { "stm32f103cb", "brownout:program:0.5", RecipeKind.Default, FailureCode.TargetNotPowered, AttemptPhase.Program },
        { "stm32l476rg", EngineSlot.ObWriteFailFault, RecipeKind.FinalRdp1, FailureCode.OptionBytesWriteFailed, AttemptPhase.Finalize },
        { "stm32g071rb", EngineSlot.VerifyMismatchFault, RecipeKind.Default, FailureCode.VerifyMismatch, AttemptPhase.Verify },
        { "stm32f030f4", "unplug:program:2", RecipeKind.Default, FailureCode.ProbeDisconnected, AttemptPhase.Program },
        { "stm32f030f4", "rdp1," + EngineSlot.ObWriteFailFault, RecipeKind.AllowRdpRegression, FailureCode.OptionBytesWriteFailed, AttemptPhase.OptionBytes },
        { "stm32g071rb", "rdp1," + EngineSlot.ObWriteFailFault, RecipeKind.AllowRdpRegression, FailureCode.OptionBytesWriteFailed, AttemptPhase.OptionBytes },
        // F4 has no "target not erased" error (its SR has OPERR, WRPERR, PGAERR, PGPERR, PGSERR: stm32-targets.md §3): a bit stuck at 0
        // programs silently and the read-back catches it. L4 reports PROGERR for a double word that is not erased.
        { "stm32f407vg", "stuck-bit:0x08000100:3:0", RecipeKind.Default, FailureCode.VerifyMismatch, AttemptPhase.Verify },
        { "stm32l476rg", "stuck-bit:0x08000100:3:0", RecipeKind.Default, FailureCode.ProgramFailed, AttemptPhase.Program },
        { "stm32f407vg", "flaky-parity:0.5", RecipeKind.Default, FailureCode.SwdUnstable, AttemptPhase.Connect },
        { "stm32f407vg", "usb-timeout:program:0.5", RecipeKind.Default, FailureCode.ProbeDisconnected, AttemptPhase.Program },
        { "stm32g071rb", "flaky-wait:1", RecipeKind.Default, FailureCode.TargetLowPowerOrPinsRemapped, AttemptPhase.Connect },
        { "stm32f407vg", "low-power", RecipeKind.NoRetries, FailureCode.TargetLowPowerOrPinsRemapped, AttemptPhase.Connect },
        { "stm32l476rg", "swd-remapped", RecipeKind.NoRetries, FailureCode.NoSwdResponse, AttemptPhase.Connect },
        { "stm32f030f4", "low-vcc", RecipeKind.Default, FailureCode.TargetVoltageOutOfRange, AttemptPhase.Power },
        { "stm32l476rg", "no-vcc", RecipeKind.Default, FailureCode.TargetNotPowered, AttemptPhase.Power },
        { "stm32f103c8", "low-power", RecipeKind.NoRetries, FailureCode.TargetLowPowerOrPinsRemapped, AttemptPhase.Connect },
        { "stm32f103c8", "swd-remapped", RecipeKind.NoRetries, FailureCode.NoSwdResponse, AttemptPhase.Connect },
        { "gd32f103c8", "no-ack", RecipeKind.Default, FailureCode.NoSwdResponse, AttemptPhase.Connect },

        // F1 XL density: the image spans bank 1 and bank 2 (BankSpanningImage), so erase and program go through both
        // register sets (FLASH_CR and FLASH_CR2).
        { XlChip, "no-ack", RecipeKind.Default, FailureCode.NoSwdResponse, AttemptPhase.Connect },
        { XlChip, "rdp1", RecipeKind.Default, FailureCode.ReadoutProtected, AttemptPhase.OptionBytes },
        { XlChip, "wrp:0-3", RecipeKind.Default, FailureCode.WriteProtected, AttemptPhase.OptionBytes },
        { XlChip, "unplug:erase:0", RecipeKind.Default, FailureCode.ProbeDisconnected, AttemptPhase.Erase },
        { XlChip, "brownout:program:0.75", RecipeKind.Default, FailureCode.TargetNotPowered, AttemptPhase.Program },
        { XlChip, EngineSlot.VerifyMismatchFault, RecipeKind.Default, FailureCode.VerifyMismatch, AttemptPhase.Verify },
        { XlChip, "stuck-bit:0x08080100:3:0", RecipeKind.Default, FailureCode.ProgramFailed, AttemptPhase.Program },
        { XlChip, EngineSlot.ObWriteFailFault, RecipeKind.FinalRdp1, FailureCode.OptionBytesWriteFailed, AttemptPhase.Finalize },
        { XlChip, "rdp1," + EngineSlot.ObWriteFailFault, RecipeKind.AllowRdpRegression, FailureCode.OptionBytesWriteFailed, AttemptPhase.OptionBytes },

        // RDP level 2 closes the debug port, also under reset (stm32-targets.md §6): no ACK in any try; the
        // diagnosis lists level 2 among the causes; without an earlier contact with this board it cannot say "permanent"
        // (Rdp2EvidenceTests covers the evidence rules).
        { "stm32f407vg", "rdp2", RecipeKind.Default, FailureCode.NoSwdResponse, AttemptPhase.Connect },
        { "stm32g071rb", "rdp2", RecipeKind.Default, FailureCode.NoSwdResponse, AttemptPhase.Connect },
        { "stm32l476rg", "rdp2", RecipeKind.Default, FailureCode.NoSwdResponse, AttemptPhase.Connect },
        { "stm32f030f4", "rdp2", RecipeKind.Default, FailureCode.NoSwdResponse, AttemptPhase.Connect },
    };

    [Theory]
    [MemberData(nameof(FamilyFaults))]
    public async Task RunAsync_FamilyFault_ExpectedCodeInPhaseThenClearedSlotPasses(string chip, string fault, RecipeKind kind, FailureCode code, AttemptPhase phase)
    {
        // Arrange
        const int slotIndex = 6;
        var part = chip.StartsWith("gd32", StringComparison.Ordinal) ? "stm32f103c8" : chip;
        var recipe = EngineSlot.DefaultRecipe(part);
        recipe = kind switch
        {
            RecipeKind.AllowRdpRegression => recipe with { OptionBytes = OptionBytePolicy.Default with { AllowRdpRegression = true } },
            RecipeKind.FinalRdp1 => recipe with { OptionBytes = OptionBytePolicy.Default with { FinalRdp = Core.Devices.RdpLevel.Level1 } },
            RecipeKind.NoRetries => recipe with { Connect = ConnectSettings.Default with { RetryUnderReset = false, RetrySlower = false } },
            _ => recipe,
        };
        if (chip.StartsWith("gd32", StringComparison.Ordinal))
        {
            recipe = recipe with { Genuineness = new GenuinenessPolicy(["GD32"]) };
        }

        var image = chip == XlChip ? BankSpanningImage() : ImageWithStuckBitTargets();
        AttemptResult faulted;
        await using (var slot = await EngineSlot.OpenAsync(chip, fault, slotIndex))
        {
            // Act
            faulted = await slot.RunAsync(recipe, image);
        }

        AttemptResult cleared;
        await using (var slot = await EngineSlot.OpenAsync(chip, null, slotIndex))
        {
            cleared = await slot.RunAsync(recipe, image);
        }

        // Assert
        Assert.True(code == faulted.FailureCode, $"{chip} {fault}: {faulted.Diagnosis?.Code} in {faulted.Diagnosis?.Phase}: {faulted.Diagnosis?.Summary}");
        Assert.Equal(phase, faulted.Diagnosis!.Phase);
        Assert.NotEmpty(faulted.Diagnosis.Evidence);
        var last = faulted.Phases[^1];
        var limit = recipe.Timeouts.For(phase, Core.Devices.DeviceCatalog.Default.FindPart(part));
        Assert.True(last.Modeled <= limit, $"{phase} took {last.Modeled} modeled");
        Assert.True(cleared.Outcome == AttemptOutcome.Passed, cleared.Diagnosis?.Summary);
        if (fault == "rdp2")
        {
            Assert.Contains(faulted.Diagnosis.Causes, c => c.Text.Contains("level 2", StringComparison.Ordinal));
        }
    }
}
