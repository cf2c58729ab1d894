using Microsoft.Extensions.Time.Testing;
using ProdFlash.Core.Targets;
using ProdFlash.Emulator.Chips;
using ProdFlash.Emulator.Faults;
using ProdFlash.Emulator.Timing;

namespace ProdFlash.Emulator.Tests.Clones;

/// <summary>
/// The <c>swd-remapped</c> and <c>low-power</c> board faults (reference §6): parsed by name, applied to every chip
/// model, seen through our driver as a station sees them, and cleared by connecting under reset.
/// </summary>
public sealed class RemapAndLowPowerFaultTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> EveryChip => [.. EmulatedChips.Names];

    /// <summary>The DPIDR the chip model answers without faults.</summary>
    private static uint ExpectedDpIdr(string chip) =>
        EmulatedChips.Create(chip, ChipFaults.None, new ModeledClock(new FakeTimeProvider()), 0).DpIdr;

    [Theory]
    [InlineData("swd-remapped")]
    [InlineData("swd-remap")] // the first name, kept as an alias
    public void Parse_SwdRemappedOrAlias_SetsTheBoardFault(string name)
    {
        // Act
        var set = FaultSet.Parse([name]);

        // Assert
        Assert.True(set.SwdRemapped);
        Assert.True(set.HasBoardFault);
    }

    [Theory]
    [InlineData("low-power", LowPowerMode.Stop)]
    [InlineData("low-power:stop", LowPowerMode.Stop)]
    [InlineData("low-power:standby", LowPowerMode.Standby)]
    public void Parse_LowPower_SetsTheMode(string name, LowPowerMode mode)
    {
        // Act
        var set = FaultSet.Parse([name]);

        // Assert
        Assert.Equal(mode, set.LowPower);
        Assert.True(set.HasBoardFault);
    }

    [Theory]
    [InlineData("low-power:sleep", "unknown mode 'sleep'")]
    [InlineData("low-power:stop:1", "at most one argument")]
    [InlineData("swd-remapped:1", "takes no argument")]
    public void Parse_BadLowPowerOrRemap_ThrowsNamingTheProblem(string name, string expected)
    {
        // Act
        var error = Assert.Throws<EmulatorConfigurationException>(() => FaultSet.Parse([name]));

        // Assert
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(EveryChip))]
    public async Task SwdRemapped_NormalConnectGetsNoAck_ConnectUnderResetSucceedsAndStays(string chip)
    {
        // Arrange
        await using var slot = await EmulatedSlot.OpenAsync($"emulator://{chip}?faults=swd-remapped");

        // Act
        var normal = await Assert.ThrowsAsync<TargetException>(async () => await slot.ConnectAsync());
        var connection = await slot.ConnectUnderResetAsync();
        var cpuIdAfterRelease = await slot.ReadWordAsync(CloneBus.CpuId);

        // Assert: §6 "firmware reconfigures SWD pins ... connect under reset"
        Assert.Equal(TargetErrorKind.NoResponse, normal.Kind);
        Assert.Equal(ExpectedDpIdr(chip), connection.DpIdr);
        Assert.Equal(0x41u, cpuIdAfterRelease >> 24);
    }

    [Theory]
    [MemberData(nameof(EveryChip))]
    public async Task LowPower_DpAnswersButMemoryWaitStorms_ConnectUnderResetClearsIt(string chip)
    {
        // Arrange
        await using var slot = await EmulatedSlot.OpenAsync($"emulator://{chip}?faults=low-power");

        // Act: the normal connect reads the DPIDR, then CPUID through the AHB-AP
        var normal = await Assert.ThrowsAsync<TargetException>(async () => await slot.ConnectAsync());
        var dpIdr = await slot.Target.ReadDpAsync(0x0, Ct);
        await slot.ConnectUnderResetAsync();
        var cpuId = await slot.ReadWordAsync(CloneBus.CpuId);

        // Assert: §6 "Low-power modes cut debug": the DP answers, memory accesses WAIT until the retries run out
        Assert.Equal(TargetErrorKind.WaitTimeout, normal.Kind);
        Assert.Equal(ExpectedDpIdr(chip), dpIdr);
        Assert.Equal(0x41u, cpuId >> 24);
    }

    [Theory]
    [InlineData("stm32f103c8")]
    [InlineData("gd32f103c8")]
    public async Task SwdRemapped_ReleasedWithoutHalt_FirmwareRemapsAgain(string chip)
    {
        // Arrange
        await using var slot = await EmulatedSlot.OpenAsync($"emulator://{chip}?faults=swd-remapped");

        // Act: connected under reset, but NRST released without asking for a halt: the firmware runs
        await slot.ConnectUnderResetAsync(haltOnReset: false);
        var read = await Record.ExceptionAsync(async () => await slot.ReadWordAsync(CloneBus.CpuId));

        // Assert: the DP stops answering mid-session; the probe reports an SWD DP/AP error, our driver a link error
        Assert.Equal(TargetErrorKind.LinkError, Assert.IsType<TargetException>(read).Kind);
    }

    [Theory]
    [InlineData("swd-remapped", TargetErrorKind.LinkError)]
    [InlineData("low-power", TargetErrorKind.WaitTimeout)]
    public async Task Fault_ResetAndHaltKeepsTheCore_ResetAndRunStartsTheFirmware(string fault, TargetErrorKind afterRun)
    {
        // Arrange
        await using var slot = await EmulatedSlot.OpenAsync($"emulator://cks32f103c8?faults={fault}");
        await slot.ConnectUnderResetAsync();

        // Act: a reset through AIRCR with the halt on the reset vector keeps the attachment; one that runs ends it
        await slot.Target.Core.ResetAndHaltAsync(Ct);
        var afterHalt = await slot.ReadWordAsync(CloneBus.CpuId);
        await slot.Target.Core.ResetAndRunAsync(Ct);
        var read = await Record.ExceptionAsync(async () => await slot.ReadWordAsync(CloneBus.CpuId));

        // Assert
        Assert.Equal(0x412FC231u, afterHalt);
        Assert.Equal(afterRun, Assert.IsType<TargetException>(read).Kind);
    }

    [Theory]
    [InlineData("stm32f103c8", "low-power", 0x2u, true)] // DBG_STOP keeps debug alive in Stop
    [InlineData("cks32f103c8", "low-power:standby", 0x4u, true)] // DBG_STANDBY in Standby
    [InlineData("stm32f103c8", "low-power:standby", 0x2u, false)] // DBG_STOP does not help in Standby
    public async Task LowPower_DbgMcuCrBitSetThenFirmwareSleepsAgain_AccessDependsOnTheModeBit(string chip, string fault, uint dbgMcuCr, bool reachable)
    {
        // Arrange: attach under reset, set DBGMCU_CR (kept over resets, RM0008 §31.16.3), then let the firmware run again
        await using var slot = await EmulatedSlot.OpenAsync($"emulator://{chip}?faults={fault}");
        await slot.ConnectUnderResetAsync();
        await slot.Target.WriteUInt32Async(BoardFaultTarget.DbgMcuCrCortexM3M4, dbgMcuCr, Ct);
        await slot.Target.DriveResetLineAsync(ResetLineAction.Pulse, Ct);

        // Act
        var read = await Record.ExceptionAsync(async () => await slot.ReadWordAsync(CloneBus.CpuId));

        // Assert
        if (reachable)
        {
            Assert.Null(read);
        }
        else
        {
            Assert.Equal(TargetErrorKind.WaitTimeout, Assert.IsType<TargetException>(read).Kind);
        }
    }
}
