using ProdFlash.Core.Probes;
using ProdFlash.Core.Targets;
using ProdFlash.Probes.StLink;
using ProdFlash.Testing.StLink;

namespace ProdFlash.Emulator.Tests.Driver;

/// <summary>Every status path the emulator's faults produce, as the driver and the Core abstractions report it.</summary>
public sealed class DriverFaultTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task NoVcc_VoltageZeroAndConnectNoResponse()
    {
        await using var slot = await EmulatedSlot.OpenAsync(faults: "no-vcc");

        var voltage = await slot.Target.ReadTargetVoltageAsync(Ct);
        var error = await Assert.ThrowsAsync<TargetException>(async () => await slot.Target.ConnectAsync(Ct));

        Assert.True(voltage.CanMeasure);
        Assert.InRange(voltage.Volts, 0.0, 0.05);
        Assert.Equal(TargetErrorKind.NoResponse, error.Kind);
    }

    [Fact]
    public async Task LowVcc_VoltageReads1V6AndTheChipStillAnswers()
    {
        await using var slot = await EmulatedSlot.OpenAsync(faults: "low-vcc");

        var voltage = await slot.Target.ReadTargetVoltageAsync(Ct);
        var connection = await slot.Target.ConnectAsync(Ct);

        Assert.InRange(voltage.Volts, 1.58, 1.62);
        Assert.Equal(StLinkDriverContract.F103DpIdr, connection.DpIdr);
    }

    [Fact]
    public async Task NoAck_GoodVoltageButConnectNoResponseWithTheStatus()
    {
        await using var slot = await EmulatedSlot.OpenAsync(faults: "no-ack");

        var voltage = await slot.Target.ReadTargetVoltageAsync(Ct);
        var error = await Assert.ThrowsAsync<TargetException>(async () => await slot.Target.ConnectAsync(Ct));

        Assert.InRange(voltage.Volts, 3.2, 3.4);
        Assert.Equal(TargetErrorKind.NoResponse, error.Kind);
        var status = Assert.IsAssignableFrom<StLinkException>(error.InnerException);
        Assert.NotNull(status.Status);
    }

    [Fact]
    public async Task SwdRemap_NormalConnectFailsUnderResetSucceeds()
    {
        await using var slot = await EmulatedSlot.OpenAsync(faults: "swd-remap");
        var normal = await Assert.ThrowsAsync<TargetException>(async () => await slot.Target.ConnectAsync(Ct));
        await slot.Probe.CloseAsync(Ct);

        await slot.Target.DriveResetLineAsync(ResetLineAction.Assert, Ct);
        var underReset = await slot.Target.ConnectAsync(Ct);

        Assert.Equal(TargetErrorKind.NoResponse, normal.Kind);
        Assert.Equal(StLinkDriverContract.F103DpIdr, underReset.DpIdr);
    }

    [Fact]
    public async Task FlakyWaitLowRate_16KiBRoundTripsAndTheFirmwareAbsorbedTheWaits()
    {
        await using var slot = await EmulatedSlot.ConnectedAsync(faults: "flaky-wait:0.05");
        var data = Enumerable.Range(0, 16 * 1024).Select(i => (byte)(i ^ (i >> 7))).ToArray();

        await slot.Target.Memory.WriteAsync(EmulatedSlot.SramBase, data, AccessWidth.Word, Ct);
        var back = new byte[data.Length];
        await slot.Target.Memory.ReadAsync(EmulatedSlot.SramBase, back, AccessWidth.Word, Ct);

        Assert.Equal(data, back);
        Assert.InRange(slot.Hardware.Dap.WaitRetries, 16 * 1024 / 4 * 2 / 40, long.MaxValue); // ≈5 % of 8192 accesses
    }

    [Fact]
    public async Task FlakyWaitStorm_SomeCommandsEndInSwdApWaitAndTheDriverRetriesThemWithinItsBound()
    {
        // At 99 % WAIT per access the firmware's own retries (1000) run out now and then, so the command reports
        // SWD_AP_WAIT (0x10) to the host, which sends it again (OpenOCD's 8 retries with 1 << n ms backoff).
        await using var slot = await EmulatedSlot.ConnectedAsync(faults: "flaky-wait:0.99");
        var data = Enumerable.Range(0, 16 * 1024).Select(i => (byte)(i * 7)).ToArray();
        slot.Hardware.StartRecording();

        await slot.Target.Memory.WriteAsync(EmulatedSlot.SramBase, data, AccessWidth.Word, Ct);
        var back = new byte[data.Length];
        await slot.Target.Memory.ReadAsync(EmulatedSlot.SramBase, back, AccessWidth.Word, Ct);

        Assert.Equal(data, back);
        var waits = slot.Hardware.Recorded().Count(t => t.Command[1] == StLinkCommand.GetLastRwStatus2 && t.Reply is [0x10, ..]);
        Assert.InRange(waits, 1, new StLinkProbeOptions().MaxWaitRetries);
    }

    [Fact]
    public async Task FlakyWaitEveryAccess_WaitTimeoutAfterTheRetryBoundOnVirtualTime()
    {
        // A backoff of minutes per retry: were it slept on the wall clock the test would run for hours.
        var options = new StLinkProbeOptions { WaitBackoff = TimeSpan.FromMinutes(1) };
        await using var slot = await EmulatedSlot.OpenAsync(faults: "flaky-wait:1", options: options);
        var started = slot.Hardware.Clock.Now;
        var wall = System.Diagnostics.Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<TargetException>(async () => await slot.Target.ConnectAsync(Ct));

        Assert.Equal(TargetErrorKind.WaitTimeout, error.Kind);
        var wait = Assert.IsType<StLinkWaitTimeoutException>(error.InnerException);
        Assert.Equal(options.MaxWaitRetries + 1, wait.Attempts);
        Assert.Contains("low-power mode", error.Message, StringComparison.Ordinal);
        // The backoffs 1+2+...+128 times WaitBackoff (OpenOCD's 1 << n) pass on the slot's modeled clock only.
        Assert.True(slot.Hardware.Clock.Now - started >= TimeSpan.FromMinutes(255), $"modeled time moved {slot.Hardware.Clock.Now - started}");
        Assert.True(wall.Elapsed < TimeSpan.FromMinutes(1), $"the test slept {wall.Elapsed}");
    }

    [Fact]
    public async Task Rdp1_FlashReadFaultsAtTheRequestedAddressAndSramStillReads()
    {
        await using var slot = await EmulatedSlot.ConnectedAsync(faults: "rdp1");
        await slot.Target.Memory.WriteUInt32Async(EmulatedSlot.SramBase, 0x600D_F00D, Ct);

        var atStart = await Assert.ThrowsAsync<TargetMemoryFaultException>(async () => await slot.Target.Memory.ReadAsync(EmulatedSlot.FlashBase, new byte[256], AccessWidth.Word, Ct));
        var inside = await Assert.ThrowsAsync<TargetMemoryFaultException>(async () => await slot.Target.Memory.ReadAsync(EmulatedSlot.FlashBase + 0x1234, new byte[16], AccessWidth.Word, Ct));
        var sram = await slot.Target.Memory.ReadUInt32Async(EmulatedSlot.SramBase, Ct);

        Assert.Equal(EmulatedSlot.FlashBase, atStart.Address);
        Assert.Equal(EmulatedSlot.FlashBase + 0x1234, inside.Address);
        Assert.Equal(0x600D_F00Du, sram);
    }

    [Fact]
    public async Task Rdp1_ReadOfOptionBytesRunningPastTheirEnd_FaultAddressIsTheFirstUnmappedWord()
    {
        await using var slot = await EmulatedSlot.ConnectedAsync(faults: "rdp1");

        // The option bytes stay readable under RDP1 (RM0008 §4.1); their block ends at 0x1FFFF810, nothing is mapped after.
        var error = await Assert.ThrowsAsync<TargetMemoryFaultException>(async () => await slot.Target.Memory.ReadAsync(0x1FFF_F800, new byte[32], AccessWidth.Word, Ct));

        Assert.Equal(0x1FFF_F810u, error.Address);
    }

    [Fact]
    public async Task WriteProtectedPage_ProgrammingSetsWrprtErrAndLeavesTheFlashErased()
    {
        await using var slot = await EmulatedSlot.ConnectedAsync(faults: "wrp:0-3");
        await slot.Target.Core.ResetAndHaltAsync(Ct);
        await slot.UnlockFlashAsync();

        var protectedSr = await slot.ProgramHalfWordAsync(EmulatedSlot.FlashBase, 0x1234);
        var protectedValue = await slot.Target.Memory.ReadUInt16Async(EmulatedSlot.FlashBase, Ct);
        await slot.Target.Memory.WriteUInt32Async(EmulatedSlot.FlashSr, EmulatedSlot.SrWrprtErr | EmulatedSlot.SrEop, Ct);
        var freeSr = await slot.ProgramHalfWordAsync(EmulatedSlot.FlashBase + 0x1000, 0x1234); // page 4
        var freeValue = await slot.Target.Memory.ReadUInt16Async(EmulatedSlot.FlashBase + 0x1000, Ct);

        Assert.NotEqual(0u, protectedSr & EmulatedSlot.SrWrprtErr);
        Assert.Equal(0xFFFF, protectedValue);
        Assert.Equal(0u, freeSr & (EmulatedSlot.SrWrprtErr | EmulatedSlot.SrPgErr));
        Assert.Equal(0x1234, freeValue);
    }

    [Fact]
    public async Task StuckBit_ErasedWordReadsTheStuckZeroSoProgrammingItIsRefusedWithPgErr()
    {
        await using var slot = await EmulatedSlot.ConnectedAsync(faults: "stuck-bit:0x08000100:3:0");
        await slot.Target.Core.ResetAndHaltAsync(Ct);
        await slot.UnlockFlashAsync();

        var eraseSr = await slot.ErasePageAsync(EmulatedSlot.FlashBase);
        var erased = await slot.Target.Memory.ReadUInt16Async(EmulatedSlot.FlashBase + 0x100, Ct);
        var programSr = await slot.ProgramHalfWordAsync(EmulatedSlot.FlashBase + 0x100, 0x00FF);
        var programmed = await slot.Target.Memory.ReadUInt16Async(EmulatedSlot.FlashBase + 0x100, Ct);

        Assert.NotEqual(0u, eraseSr & EmulatedSlot.SrEop);
        Assert.Equal(0xFFF7, erased);
        Assert.NotEqual(0u, programSr & EmulatedSlot.SrPgErr); // the half-word does not read 0xFFFF before programming (RM0008 §3.4 PGERR)
        Assert.Equal(0xFFF7, programmed);
    }

    [Fact]
    public async Task UnplugAtConnect_ProbeTransportDisconnected()
    {
        await using var slot = await EmulatedSlot.OpenAsync(faults: "unplug:connect");

        var error = await Assert.ThrowsAsync<TargetException>(async () => await slot.Target.ConnectAsync(Ct));

        Assert.Equal(TargetErrorKind.ProbeTransport, error.Kind);
        Assert.True(Assert.IsAssignableFrom<StLinkTransportException>(error.InnerException).IsDisconnected);
        Assert.True(slot.Hardware.IsUnplugged);
    }

    [Fact]
    public async Task UnplugAtFirstErase_TheEraseCommandFailsAsDisconnected()
    {
        await using var slot = await EmulatedSlot.ConnectedAsync(faults: "unplug:erase:0");
        await slot.Target.Core.ResetAndHaltAsync(Ct);
        await slot.UnlockFlashAsync();

        var error = await Assert.ThrowsAsync<TargetException>(async () => await slot.ErasePageAsync(EmulatedSlot.FlashBase));

        Assert.Equal(TargetErrorKind.ProbeTransport, error.Kind);
        Assert.True(slot.Hardware.IsUnplugged);
    }

    [Fact]
    public async Task UnplugThenReopen_ProviderSaysProbeNotFound()
    {
        var provider = new ProdFlash.Emulator.Selection.EmulatorProbeProvider();
        var selector = ProbeSelector.Parse("emulator://stm32f103c8?faults=unplug:connect");
        await using (var probe = await provider.OpenAsync(selector, Ct))
        {
            await Assert.ThrowsAsync<TargetException>(async () => await probe.ConnectAsync(Ct));
        }

        var error = await Assert.ThrowsAsync<ProbeOpenException>(async () => await provider.OpenAsync(selector, Ct));

        Assert.Equal(ProdFlash.Core.Diagnostics.FailureCode.ProbeNotFound, error.Code);
    }

    [Fact]
    public async Task FlakyParityOnEveryRead_IdcodeUnreadableSoConnectReportsNoResponse()
    {
        await using var slot = await EmulatedSlot.OpenAsync(faults: "flaky-parity:1");

        var error = await Assert.ThrowsAsync<TargetException>(async () => await slot.Target.ConnectAsync(Ct));

        // DEBUG_ENTER reads the IDCODE itself; a garbled IDCODE is JTAG_GET_IDCODE_ERROR (0x09) like a silent target.
        Assert.Equal(TargetErrorKind.NoResponse, error.Kind);
        Assert.Equal(StLinkStatus.GetIdCodeError, Assert.IsAssignableFrom<StLinkException>(error.InnerException).Status);
    }

    [Fact]
    public async Task FlakyParityOnSomeReads_MemoryReadReportsLinkErrorWithTheParityStatus()
    {
        await using var slot = await EmulatedSlot.OpenAsync(faults: "flaky-parity:0.001");
        await slot.Target.ConnectAsync(Ct);

        var error = await Assert.ThrowsAsync<TargetException>(async () => await slot.Target.Memory.ReadAsync(EmulatedSlot.SramBase, new byte[16 * 1024], AccessWidth.Word, Ct));

        Assert.Equal(TargetErrorKind.LinkError, error.Kind);
        Assert.Equal(StLinkStatus.SwdApParityError, Assert.IsAssignableFrom<StLinkException>(error.InnerException).Status);
    }

    [Fact]
    public async Task UsbTimeoutAtConnect_TransportTimeoutChargedOnTheModeledClockNotTheWallClock()
    {
        var options = new StLinkProbeOptions { TransactionTimeout = TimeSpan.FromMinutes(10) };
        await using var slot = await EmulatedSlot.OpenAsync(faults: "usb-timeout:connect", options: options);
        var started = slot.Hardware.Clock.Now;
        var wall = System.Diagnostics.Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<TargetException>(async () => await slot.Target.ConnectAsync(Ct));

        Assert.Equal(TargetErrorKind.ProbeTransport, error.Kind);
        Assert.True(Assert.IsAssignableFrom<StLinkTransportException>(error.InnerException).IsTimeout);
        Assert.True(slot.Hardware.Clock.Now - started >= options.TransactionTimeout, $"modeled time moved {slot.Hardware.Clock.Now - started}");
        Assert.True(wall.Elapsed < TimeSpan.FromMinutes(1), $"the test waited {wall.Elapsed}");
    }

    [Fact]
    public async Task BrownoutAtFirstErase_VoltageDropsToZeroAndTheNextAccessFailsWithSwdApError()
    {
        await using var slot = await EmulatedSlot.ConnectedAsync(faults: "brownout:erase:0");
        await slot.Target.Core.ResetAndHaltAsync(Ct);
        await slot.UnlockFlashAsync();
        var before = await slot.Target.ReadTargetVoltageAsync(Ct);

        var erase = await Record.ExceptionAsync(async () => await slot.ErasePageAsync(EmulatedSlot.FlashBase));
        var after = await slot.Target.ReadTargetVoltageAsync(Ct);
        var read = await Assert.ThrowsAsync<TargetException>(async () => await slot.Target.Memory.ReadUInt32Async(EmulatedSlot.SramBase, Ct));

        Assert.InRange(before.Volts, 3.2, 3.4);
        Assert.IsType<TargetException>(erase, exactMatch: false);
        Assert.InRange(after.Volts, 0.0, 0.05);
        // No ACK on a memory access comes back as SWD_AP_ERROR (0x12), which the driver classes as a link error; the
        // 0 V reading is what tells the diagnosis the board lost power.
        Assert.Equal(StLinkStatus.SwdApError, Assert.IsAssignableFrom<StLinkException>(read.InnerException).Status);
        Assert.Equal(TargetErrorKind.LinkError, read.Kind);
    }
}
