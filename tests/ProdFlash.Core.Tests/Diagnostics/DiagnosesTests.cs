using ProdFlash.Core.Devices;
using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Recipes;

namespace ProdFlash.Core.Tests.Diagnostics;

public sealed class DiagnosesTests
{
    [Fact]
    public void TargetNotPowered_StLinkV2AtZeroVolts_NamesPinOneOfTheTwentyPinConnector()
    {
        // Arrange / Act
        var diagnosis = Diagnoses.TargetNotPowered(volts: 0.0, probe: ProbeKind.StLinkV2);

        // Assert: stm32-targets.md §6, VCC sense is pin 1 on the 20-pin ST-LINK/V2 connector.
        Assert.Equal(
            "Target not powered: the probe measures 0.00 V on its VCC sense pin (pin 1 on the 20-pin ST-LINK/V2 connector). Check that the board is powered and that pin 1 is wired to the board's 3.3 V.",
            diagnosis.Summary);
        Assert.Equal(FailureCode.TargetNotPowered, diagnosis.Code);
        Assert.Equal(AttemptPhase.Power, diagnosis.Phase);
        Assert.Equal("Target not powered", diagnosis.Title);
        Assert.Equal(new Evidence("Target voltage", "0.00", "> 0", "V"), Assert.Single(diagnosis.Evidence));
    }

    [Theory]
    [InlineData(ProbeKind.StLinkV21)]
    [InlineData(ProbeKind.StLinkV3)]
    [InlineData(ProbeKind.GdbServer)]
    public void TargetNotPowered_OtherProbes_SaysVccSensePinWithoutPinNumber(ProbeKind probe)
    {
        var diagnosis = Diagnoses.TargetNotPowered(0.004, probe);

        Assert.Equal(
            "Target not powered: the probe measures 0.00 V on its VCC sense pin. Check that the board is powered and that the probe's VCC sense pin is wired to the board's 3.3 V.",
            diagnosis.Summary);
    }

    [Fact]
    public void ProbeCannotMeasureVoltage_AdcZeroZero_IsADifferentCodeAndText()
    {
        var diagnosis = Diagnoses.ProbeCannotMeasureVoltage(ProbeKind.StLinkV2, 0, 0);

        Assert.Equal(FailureCode.ProbeCannotMeasureVoltage, diagnosis.Code);
        Assert.Equal(
            "Probe cannot measure target voltage: its voltage ADC returns 0 for the reference and 0 for the VCC sense pin (pin 1 on the 20-pin ST-LINK/V2 connector), so it cannot tell whether the board is powered. Replace the probe.",
            diagnosis.Summary);
    }

    [Fact]
    public void TargetVoltageOutOfRange_Low_NamesWindowAndSide()
    {
        // A G03x at 1.50 V failed with DEV_TARGET_CMD_ERR (stm32-targets.md §6).
        var diagnosis = Diagnoses.TargetVoltageOutOfRange(1.5, 3.0, 3.6, ProbeKind.StLinkV2);

        Assert.Equal(
            "Target voltage out of range: the probe measures 1.50 V on its VCC sense pin (pin 1 on the 20-pin ST-LINK/V2 connector), below the recipe's window of 3.00 V to 3.60 V. Check the board's supply with a meter and check pin 1.",
            diagnosis.Summary);
        Assert.Equal(new Evidence("Target voltage", "1.50", "3.00..3.60", "V"), diagnosis.Evidence[0]);
    }

    [Fact]
    public void TargetVoltageOutOfRange_High_SaysAbove()
    {
        var diagnosis = Diagnoses.TargetVoltageOutOfRange(5.02, 3.0, 3.6, ProbeKind.StLinkV3);

        Assert.Contains("5.02 V on its VCC sense pin, above the recipe's window of 3.00 V to 3.60 V.", diagnosis.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void ProbeSuspectClone_BinaryAndDuplicateSerial_ListsEverySignal()
    {
        var diagnosis = Diagnoses.ProbeSuspectClone("543F7206757757493431123F", CloneProbeSignals.BinarySerial | CloneProbeSignals.DuplicateSerial, 26);

        Assert.Equal(FailureCode.ProbeSuspectClone, diagnosis.Code);
        Assert.Equal(
            "Probe looks like a clone: probe 543F7206757757493431123F has a 26-byte binary serial descriptor where a well-formed one is 50 bytes (24 hex characters) and shares its serial with another attached probe. Replace the probe with a genuine ST-LINK if it is one.",
            diagnosis.Summary);
        Assert.Contains(new Evidence("Serial descriptor length", "26", "50", "bytes"), diagnosis.Evidence);
    }

    [Fact]
    public void ProbeSuspectClone_PlaceholderSerial_NamesThePlaceholder()
    {
        var diagnosis = Diagnoses.ProbeSuspectClone(Diagnoses.PlaceholderSerial, CloneProbeSignals.PlaceholderSerial);

        Assert.Equal(
            "Probe looks like a clone: probe 303030303030303030303031 reports the placeholder serial 303030303030303030303031 (\"000000000001\"). Replace the probe with a genuine ST-LINK if it is one.",
            diagnosis.Summary);
    }

    [Fact]
    public void ProbeSuspectClone_OnlyBinarySerial_SaysGenuineOldFirmwareDoesItToo()
    {
        // stlink-protocol.md §6.1: a genuine V2 on V2J42S7/V2J44S7 still showed a 12-byte serial.
        var diagnosis = Diagnoses.ProbeSuspectClone("066DFF485457725187092524", CloneProbeSignals.BinarySerial);

        Assert.Contains("has a 26-byte binary serial descriptor", diagnosis.Summary, StringComparison.Ordinal);
        Assert.Contains("Genuine ST-LINK/V2 probes with old firmware also send a binary serial, so try ST's firmware upgrade first: it fails on clones.", diagnosis.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void ProbeSuspectClone_NoSignal_Throws()
    {
        Assert.Throws<ArgumentException>(() => Diagnoses.ProbeSuspectClone("X", CloneProbeSignals.None));
    }

    [Fact]
    public void CounterfeitDevice_Cks32AgainstCatalogF1_CitesIdcodeAndCpuidDifferences()
    {
        // Arrange: CKS32F103 values from stm32-targets.md §5.3 (SW-DP 0x2BA01477, CPUID 0x412FC231, DBGMCU 0x20036410).
        var f1 = DeviceCatalog.Default.FindPart("STM32F103C8")!.Family;
        var measured = new DebugIdentity(0x2BA01477, 0x412FC231, null, 0x43B, 0x20036410);

        // Act
        var mismatches = GenuinenessCheck.Mismatches(f1.Genuine, measured);
        var diagnosis = Diagnoses.CounterfeitDevice("STM32F103", 0x20036410, mismatches);

        // Assert
        Assert.Equal(
            "Counterfeit or clone chip: it reports itself as STM32F103 (DEV_ID 0x410) but SW-DP IDCODE 0x2BA01477, genuine STM32F103 has 0x1BA01477; CPUID 0x412FC231 (Cortex-M3 r2p1), genuine has 0x411FC231 (Cortex-M3 r1p1); ROM-table designer 0x43B (ARM), genuine has 0x020 (STMicroelectronics). Quarantine the board and report the lot to purchasing.",
            diagnosis.Summary);
        Assert.Equal(FailureCode.CounterfeitDevice, diagnosis.Code);
        Assert.Equal(AttemptPhase.Identify, diagnosis.Phase);
        Assert.Equal(4, diagnosis.Evidence.Count);
    }

    [Fact]
    public void GenuinenessCheck_GenuineF103_HasNoMismatch()
    {
        // Genuine STM32F103: SW-DP 0x1BA01477, CPUID 0x411FC231, AHB-AP 0x14770011, ROM designer ST 0x020 (§5.3).
        var f1 = DeviceCatalog.Default.FindPart("STM32F103C8")!.Family;

        var mismatches = GenuinenessCheck.Mismatches(f1.Genuine, new DebugIdentity(0x1BA01477, 0x411FC231, 0x14770011, 0x020, 0x20036410));

        Assert.Empty(mismatches);
    }

    [Fact]
    public void ReadoutProtected_WithoutPermission_AsksForRecipeChange()
    {
        var diagnosis = Diagnoses.ReadoutProtected(0x00, 0xA5, regressionAllowed: false);

        Assert.Equal(
            "Chip is read-protected (RDP level 1): option byte RDP reads 0x00, level 0 is 0xA5. The recipe does not allow removing it, because removal mass-erases the whole chip. Ask an engineer to allow RDP regression in the recipe if this board may be erased.",
            diagnosis.Summary);
    }

    [Fact]
    public void ReadoutProtected_WithPermission_SaysRegressionDidNotTakeEffect()
    {
        var diagnosis = Diagnoses.ReadoutProtected(0x00, 0xAA, regressionAllowed: true);

        Assert.EndsWith(
            "level 0 is 0xAA. The recipe allows removing it by mass erase, but level 1 was still set after the erase. Power-cycle the board so the option bytes reload, and press Start again.",
            diagnosis.Summary, StringComparison.Ordinal);
        Assert.Contains(new Evidence("RDP regression allowed", "yes"), diagnosis.Evidence);
    }

    [Fact]
    public void ReadoutProtectedPermanently_Level2_SaysReplaceTheChip()
    {
        var diagnosis = Diagnoses.ReadoutProtectedPermanently(0xCC);

        Assert.Equal(
            "Chip is locked for good (RDP level 2): option byte RDP reads 0xCC. Level 2 disables the debug port permanently, also under reset. The chip cannot be reprogrammed; replace the chip or scrap the board.",
            diagnosis.Summary);
        Assert.Equal(FailureCode.ReadoutProtectedPermanently, diagnosis.Code);
    }

    [Fact]
    public void TargetLowPowerOrPinsRemapped_WaitStorm_RemedyIsConnectUnderResetWithNrstOnPin15()
    {
        var diagnosis = Diagnoses.TargetLowPowerOrPinsRemapped(200, 200, ConnectMode.Normal, underResetTried: false);

        Assert.Equal(
            "Target asleep or SWD pins taken by firmware: the chip answered WAIT to 200 of 200 requests (normal connect), so its firmware sleeps or has turned the SWD pins off. Connect under reset: set the recipe's connect mode to under-reset, with NRST wired to probe pin 15.",
            diagnosis.Summary);
    }

    [Fact]
    public void TargetLowPowerOrPinsRemapped_UnderResetAlsoFailed_PointsAtNrstWiring()
    {
        var diagnosis = Diagnoses.TargetLowPowerOrPinsRemapped(64, 64, ConnectMode.UnderReset, underResetTried: true);

        Assert.Contains("(under reset connect)", diagnosis.Summary, StringComparison.Ordinal);
        Assert.EndsWith("check NRST wired to probe pin 15 and any pull-down on NRST.", diagnosis.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void NoSwdResponse_ThreeTries_ListsTriesAndPins()
    {
        var tries = new[] { new ConnectTry(ConnectMode.Normal, 4000), new ConnectTry(ConnectMode.UnderReset, 4000), new ConnectTry(ConnectMode.UnderReset, 480) };

        var diagnosis = Diagnoses.NoSwdResponse(tries, ProbeKind.StLinkV2);

        Assert.Equal(
            "No answer on SWD: the chip did not acknowledge in 3 tries (normal at 4000 kHz, under reset at 4000 kHz, under reset at 480 kHz). Check SWDIO (pin 7), SWCLK (pin 9) and GND, and wire NRST to pin 15 so the station can connect under reset.",
            diagnosis.Summary);
    }

    [Fact]
    public void VerifyMismatch_OneByte_NamesAddressExpectedAndActual()
    {
        var diagnosis = Diagnoses.VerifyMismatch(0x08000400, expected: 0x12, actual: 0xFF, differingBytes: 1);

        Assert.Equal(
            "Read-back differs from the image: at 0x08000400 the chip holds 0xFF, the image has 0x12 (1 byte differs in total). Press Start again; if the same address fails again, scrap the chip.",
            diagnosis.Summary);
        Assert.Contains(new Evidence("Byte read back", "0xFF", "0x12"), diagnosis.Evidence);
    }

    [Fact]
    public void WrongDevice_F103CBForF030_NamesBoth()
    {
        var diagnosis = Diagnoses.WrongDevice("STM32F103xB", 0x20036410, 128, ["STM32F030C8", "STM32F030CC"]);

        Assert.Equal(
            "Wrong chip on the board: found STM32F103xB (DEV_ID 0x410, 128 KiB flash), the recipe expects STM32F030C8 or STM32F030CC. Check the chip marking against the bill of materials and that the right recipe is selected.",
            diagnosis.Summary);
    }

    [Fact]
    public void OptionBytesMismatch_TwoFields_ListsBoth()
    {
        var diagnosis = Diagnoses.OptionBytesMismatch([new Evidence("nRST_STOP", "0", "1"), new Evidence("WDG_SW", "0", "1")]);

        Assert.Equal(
            "Option bytes differ from the recipe: nRST_STOP is 0, the recipe expects 1; WDG_SW is 0, the recipe expects 1. Let the recipe program them at the end, or ask an engineer to correct the recipe.",
            diagnosis.Summary);
    }

    [Fact]
    public void Interrupted_StartTime_IsFormattedInvariantly()
    {
        var diagnosis = Diagnoses.Interrupted(AttemptPhase.OptionBytes, new DateTimeOffset(2026, 11, 25, 9, 5, 7, TimeSpan.FromHours(1)));

        Assert.Equal(
            "Interrupted (station restarted): the attempt started at 2026-11-25 09:05:07 +01:00 was still in the option bytes phase when the station stopped. Program the board again; its serial number from this attempt is void.",
            diagnosis.Summary);
    }

    [Fact]
    public void Timeout_SubSecondAndSeconds_AreFormatted()
    {
        Assert.Contains("limit of 250 ms", Diagnoses.Timeout(AttemptPhase.Connect, TimeSpan.FromMilliseconds(250)).Summary, StringComparison.Ordinal);
        Assert.Contains("the erase phase did not finish within its limit of 2.5 s", Diagnoses.Timeout(AttemptPhase.Erase, TimeSpan.FromSeconds(2.5)).Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryFactory_ProducesSummaryStartingWithItsTitle()
    {
        var all = new[]
        {
            Diagnoses.ProbeNotFound("stlink://usb/066DFF", 0),
            Diagnoses.ProbeDisconnected("066DFF", AttemptPhase.Program, "USB device removed"),
            Diagnoses.ProbeDuplicateSerial("303030303030303030303031", ["1-4.1", "1-4.2"]),
            Diagnoses.ProbeSuspectClone("X", CloneProbeSignals.MalformedSerial, 28),
            Diagnoses.ProbeFirmwareTooOld("V2J22S4", "V2J24", "direct DAP register access"),
            Diagnoses.TargetNotPowered(0, ProbeKind.StLinkV2),
            Diagnoses.ProbeCannotMeasureVoltage(ProbeKind.StLinkV3, 0, 0),
            Diagnoses.TargetVoltageOutOfRange(2, 3, 3.6, ProbeKind.Unknown),
            Diagnoses.NoSwdResponse([new ConnectTry(ConnectMode.HotPlug, 100)], ProbeKind.Emulator),
            Diagnoses.SwdUnstable(1000, 12, 3, 4000),
            Diagnoses.TargetLowPowerOrPinsRemapped(1, 1, ConnectMode.Normal, false),
            Diagnoses.WrongDevice("STM32F030x8", 0x440, 64, ["STM32F103C8"]),
            Diagnoses.CounterfeitDevice("STM32F103", 0x20036410, [new Evidence("CPUID", "a", "b")]),
            Diagnoses.FlashSizeMismatch("STM32F103C8", 128, 64),
            Diagnoses.ReadoutProtected(0, 0xA5, false),
            Diagnoses.ReadoutProtectedPermanently(0xCC),
            Diagnoses.WriteProtected([0, 1], false),
            Diagnoses.OptionBytesMismatch([new Evidence("WDG_SW", "0", "1")]),
            Diagnoses.EraseFailed(0x08000000, "WRPRTERR", 0x10),
            Diagnoses.ProgramFailed(0x08000000, "PGERR", 0x04),
            Diagnoses.VerifyMismatch(0x08000000, 1, 2, 3),
            Diagnoses.SerialWriteFailed("PF2611-000001", 0x0800FC00, "read back 0xFF"),
            Diagnoses.OptionBytesWriteFailed("OBR", 0x03FFFC1C, 0x03FFFC1E),
            Diagnoses.ImageIntegrityFailed("a.hex", "AB", "CD"),
            Diagnoses.Timeout(AttemptPhase.Program, TimeSpan.FromSeconds(10)),
            Diagnoses.Aborted(AttemptPhase.Verify, "operator anna"),
            Diagnoses.Interrupted(AttemptPhase.Erase, DateTimeOffset.UnixEpoch),
        };

        Assert.Equal(Enum.GetValues<FailureCode>().Order(), all.Select(d => d.Code).Order());
        Assert.All(all, d => Assert.StartsWith(d.Title + ": ", d.Summary, StringComparison.Ordinal));
        Assert.All(all, d => Assert.NotEmpty(d.Evidence));
    }

    [Fact]
    public void SwdUnstable_CountsAndFrequency_AreInSummaryAndEvidence()
    {
        var diagnosis = Diagnoses.SwdUnstable(1000, 12, 3, 4000);

        Assert.Equal(
            "SWD connection unstable: 12 parity errors and 3 FAULT answers in 1000 transfers at 4000 kHz. Lower the SWD frequency in the recipe, and check the SWD wires and GND.",
            diagnosis.Summary);
        Assert.Contains(new Evidence("SWD frequency", "4000", null, "kHz"), diagnosis.Evidence);
    }

    [Fact]
    public void WriteProtected_OnePage_UsesSingular()
    {
        var diagnosis = Diagnoses.WriteProtected([3], removalAllowed: false);

        Assert.StartsWith("Flash is write-protected: page 3 that the image needs is write-protected. The recipe does not allow", diagnosis.Summary, StringComparison.Ordinal);
    }
}
