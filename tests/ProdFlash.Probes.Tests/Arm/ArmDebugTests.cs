using ProdFlash.Core.Targets;
using ProdFlash.Probes.Arm;
using ProdFlash.Probes.StLink;
using ProdFlash.Probes.Tests.StLink;

namespace ProdFlash.Probes.Tests.Arm;

public sealed class ArmDebugTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<(StLinkTarget Target, ScriptedSwdTarget Chip, FakeStLinkWire Wire)> ConnectedAsync(string version = TestProbes.V2J37S7)
    {
        var wire = new FakeStLinkWire();
        var probe = await TestProbes.OpenAsync(wire, version);
        var chip = new ScriptedSwdTarget();
        chip.Words[CortexM.Cpuid] = 0x411FC231; // genuine STM32F103, Cortex-M3 r1p1
        wire.Responder = chip.Respond;
        return (new StLinkTarget(probe), chip, wire);
    }

    private static void PutIdentity(ScriptedSwdTarget chip, uint componentBase, byte pidr0, byte pidr1, byte pidr2, byte pidr4, uint cidr)
    {
        chip.Words[componentBase + 0xFD0] = pidr4;
        chip.Words[componentBase + 0xFE0] = pidr0;
        chip.Words[componentBase + 0xFE4] = pidr1;
        chip.Words[componentBase + 0xFE8] = pidr2;
        chip.Words[componentBase + 0xFF0] = cidr & 0xFF;
        chip.Words[componentBase + 0xFF4] = (cidr >> 8) & 0xFF;
        chip.Words[componentBase + 0xFF8] = (cidr >> 16) & 0xFF;
        chip.Words[componentBase + 0xFFC] = cidr >> 24;
    }

    [Fact]
    public async Task ConnectAsync_GenuineF103_EntersSwdReadsIdcodePowersUpAndSets4KiBBoundary()
    {
        var (target, chip, wire) = await ConnectedAsync();
        await using var _ = target;
        chip.PowerUpDelayPolls = 2;

        var connection = await target.ConnectAsync(Ct);

        Assert.Equal(0x1BA01477u, connection.DpIdr);
        Assert.Equal(0x411FC231u, target.Cpuid);
        Assert.Equal(4096, target.Probe.AutoIncrementBoundary);
        Assert.Contains(((ushort)0xFFFF, (ushort)4, 0x50000020u), chip.DapWrites);
        Assert.Equal(["F230A3", "F50000", "F24B00", "F23100", "F246FF", "F245FF", "F245FF", "F245FF", "F20700", "F23E00"], wire.CommandsHex(3));
    }

    [Fact]
    public async Task PowerUpAsync_AcksNeverCome_StateTimeoutWithLastCtrlStat()
    {
        var (target, chip, _) = await ConnectedAsync();
        await using var __ = target;
        chip.NeverAckPowerUp = true;
        var dp = new DebugPort(target.Dap!) { PowerUpTimeout = TimeSpan.FromMilliseconds(20) };

        var error = await Assert.ThrowsAsync<TargetException>(async () => await dp.PowerUpAsync(Ct));

        Assert.Equal(TargetErrorKind.StateTimeout, error.Kind);
        Assert.Contains("0x50000020", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PowerUpAsync_FrozenVirtualClock_EndsAfterPollBound()
    {
        var (target, chip, wire) = await ConnectedAsync();
        await using var __ = target;
        chip.NeverAckPowerUp = true;
        var dp = new DebugPort(target.Dap!, new Microsoft.Extensions.Time.Testing.FakeTimeProvider()) { MaxPowerUpPolls = 5 };

        var error = await Assert.ThrowsAsync<TargetException>(async () => await dp.PowerUpAsync(Ct));

        Assert.Equal(TargetErrorKind.StateTimeout, error.Kind);
        Assert.Equal(5, wire.Transactions.Count(t => t.Command[1] == 0x45));
    }

    [Fact]
    public async Task ReadAsync_RomTableOfGenuineF103_DesignerStPart0x410AndComponents()
    {
        var (target, chip, _) = await ConnectedAsync();
        await using var __ = target;
        const uint rom = 0xE00FF000;
        chip.Words[rom + 0x00] = 0xFFF0F003; // SCS at 0xE000E000
        chip.Words[rom + 0x04] = 0xFFF02003; // DWT at 0xE0001000
        chip.Words[rom + 0x08] = 0xFFF03003; // FPB at 0xE0002000
        chip.Words[rom + 0x0C] = 0xFFF01003; // ITM at 0xE0000000
        chip.Words[rom + 0x10] = 0xFFF41003; // TPIU at 0xE0040000
        chip.Words[rom + 0x14] = 0xFFF42002; // ETM, not present
        PutIdentity(chip, rom, 0x10, 0x04, 0x0A, 0x00, 0xB105100D);
        PutIdentity(chip, 0xE000E000, 0x00, 0xB0, 0x1B, 0x04, 0xB105E00D); // SCS PID 0x001BB000 (genuine F103)

        var table = await RomTable.ReadAsync(target, 0xE00FF003, Ct);

        Assert.Equal(0xE00FF000u, table.BaseAddress);
        Assert.Equal(0x410, table.Identity.Part);
        Assert.Equal(Jep106Code.StMicroelectronics, table.Identity.Designer);
        Assert.Equal([0xE000E000u, 0xE0001000u, 0xE0002000u, 0xE0000000u, 0xE0040000u, 0xE0041000u], table.Entries.Select(e => e.ComponentBase));
        Assert.False(table.Entries[5].Present);
        Assert.Null(table.Entries[5].Identity);
        Assert.Equal(0x000, table.Entries[0].Identity!.Part);
        Assert.Equal(Jep106Code.Arm, table.Entries[0].Identity!.Designer);
        Assert.Equal(1, table.Entries[0].Identity!.Revision);
    }

    [Fact]
    public async Task ReadAsync_RomTableOfClone_DesignerArmPart0x4C3()
    {
        var (target, chip, _) = await ConnectedAsync();
        await using var __ = target;
        PutIdentity(chip, 0xE00FF000, 0xC3, 0xB4, 0x0B, 0x04, 0xB105100D);

        var table = await RomTable.ReadAsync(target, 0xE00FF003, Ct);

        Assert.Equal(0x4C3, table.Identity.Part);
        Assert.Equal(0x43B, table.Identity.Designer.Code12);
        Assert.Empty(table.Entries);
    }

    [Fact]
    public async Task HaltAsync_CoreHalts_WritesDebugKeyHaltAndPollsSHalt()
    {
        var (target, chip, _) = await ConnectedAsync();
        await using var __ = target;
        chip.OnWrite = (c, a, v) =>
        {
            if (a == CortexM.Dhcsr && (v & CortexM.DhcsrCHalt) != 0)
            {
                c.Words[CortexM.Dhcsr] = 0x00030003; // S_REGRDY | S_HALT | C_HALT | C_DEBUGEN
            }
        };

        await target.Core.HaltAsync(Ct);

        Assert.Equal((CortexM.Dhcsr, 0xA05F0003u), chip.Writes.Single());
        Assert.True((await target.Core.GetStateAsync(Ct)).Halted);
    }

    [Fact]
    public async Task RunMaskedAsync_SetsMaskIntsWhileHaltedThenClearsHaltKeepingTheMask()
    {
        var (target, chip, _) = await ConnectedAsync();
        await using var __ = target;

        await target.Core.RunMaskedAsync(Ct);

        // ARMv7-M C1.6.2: C_MASKINTS changes only while halted: KEY | C_MASKINTS | C_HALT | C_DEBUGEN, then KEY | C_MASKINTS | C_DEBUGEN.
        Assert.Equal([(CortexM.Dhcsr, 0xA05F000Bu), (CortexM.Dhcsr, 0xA05F0009u)], chip.Writes);
    }

    [Fact]
    public async Task HaltAsync_CoreNeverHalts_StateTimeout()
    {
        var (target, chip, _) = await ConnectedAsync();
        await using var __ = target;
        chip.Words[CortexM.Dhcsr] = CortexM.DhcsrSSleep;
        var core = new CortexMCore(target) { StateTimeout = TimeSpan.FromMilliseconds(20) };

        var error = await Assert.ThrowsAsync<TargetException>(async () => await core.HaltAsync(Ct));

        Assert.Equal(TargetErrorKind.StateTimeout, error.Kind);
        Assert.Contains("sleeping", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResetAndHaltAsync_SetsVectorCatchRequestsSysResetThenClearsCatch()
    {
        var (target, chip, _) = await ConnectedAsync();
        await using var __ = target;
        chip.Words[CortexM.Demcr] = CortexM.DemcrTrcEna;
        chip.OnWrite = (c, a, v) =>
        {
            if (a == CortexM.Aircr && v == 0x05FA0004 && (c.Read(CortexM.Demcr) & CortexM.DemcrVcCoreReset) != 0)
            {
                c.Words[CortexM.Dhcsr] = 0x02030003; // S_RESET_ST | S_HALT | S_REGRDY
            }
        };

        await target.Core.ResetAndHaltAsync(Ct);

        Assert.Equal(
            [(CortexM.Dhcsr, 0xA05F0003u), (CortexM.Demcr, 0x01000001u), (CortexM.Aircr, 0x05FA0004u), (CortexM.Demcr, 0x01000000u)],
            chip.Writes);
    }

    [Fact]
    public async Task ReadRegisterAsync_Pc_SelectsRegSel15PollsRegRdyReadsDcrdr()
    {
        var (target, chip, _) = await ConnectedAsync();
        await using var __ = target;
        chip.Words[CortexM.Dhcsr] = CortexM.DhcsrSHalt | CortexM.DhcsrSRegRdy;
        chip.Words[CortexM.Dcrdr] = 0x08000145;

        var pc = await target.Core.ReadRegisterAsync(CoreRegister.Pc, Ct);

        Assert.Equal(0x08000145u, pc);
        Assert.Equal((CortexM.Dcrsr, 15u), chip.Writes.Single());
    }

    [Fact]
    public async Task WriteRegisterAsync_Sp_WritesDcrdrThenDcrsrWithRegWnR()
    {
        var (target, chip, _) = await ConnectedAsync();
        await using var __ = target;
        chip.Words[CortexM.Dhcsr] = CortexM.DhcsrSHalt | CortexM.DhcsrSRegRdy;

        await target.Core.WriteRegisterAsync(CoreRegister.Sp, 0x20005000, Ct);

        Assert.Equal([(CortexM.Dcrdr, 0x20005000u), (CortexM.Dcrsr, 0x0001000Du)], chip.Writes);
    }

    [Fact]
    public async Task ReadRegisterAsync_CoreRunning_InvalidRequest()
    {
        var (target, _, _) = await ConnectedAsync();
        await using var __ = target;

        var error = await Assert.ThrowsAsync<TargetException>(async () => await target.Core.ReadRegisterAsync(CoreRegister.R0, Ct));

        Assert.Equal(TargetErrorKind.InvalidRequest, error.Kind);
    }

    [Fact]
    public async Task MemAp_UnalignedWordRead_CswSizesTarAndByteLanes()
    {
        var (target, chip, _) = await ConnectedAsync();
        await using var __ = target;
        var memAp = new MemAp(target.Dap!);
        var buffer = new byte[6];

        await memAp.ReadAsync(0x20000002, buffer, AccessWidth.Word, Ct);

        // Head: 2 bytes at 0x20000002 with CSW size 8; middle: one word at 0x20000004 with CSW size 32.
        Assert.Equal(
            [((ushort)0, (ushort)0x00, 0xA2000010u), ((ushort)0, (ushort)0x04, 0x20000002u), ((ushort)0, (ushort)0x00, 0xA2000012u), ((ushort)0, (ushort)0x04, 0x20000004u)],
            chip.DapWrites.Where(w => w.Port == 0));
    }

    [Fact]
    public async Task SelectAsync_ApAndBank_WritesSelectOnceForSameValue()
    {
        var (target, chip, _) = await ConnectedAsync();
        await using var __ = target;
        var dp = new DebugPort(target.Dap!);

        await dp.SelectAsync(0, 0xFC, Ct);
        await dp.SelectAsync(0, 0xF8, Ct);
        await dp.SelectAsync(1, 0x04, Ct);

        // APSEL in [31:24], APBANKSEL = address[7:4] in [7:4] (ADIv5 B2.2.9); 0xFC and 0xF8 share bank 0xF.
        Assert.Equal([((ushort)0xFFFF, (ushort)0x8, 0x000000F0u), ((ushort)0xFFFF, (ushort)0x8, 0x01000000u)], chip.DapWrites);
    }

    [Fact]
    public async Task MemAp_WordReadAcross1KiBBoundary_RewritesTarAtBoundary()
    {
        var (target, chip, _) = await ConnectedAsync();
        await using var __ = target;
        var memAp = new MemAp(target.Dap!);

        await memAp.ReadAsync(0x200003F8, new byte[16], AccessWidth.Word, Ct);

        Assert.Equal([0x200003F8u, 0x20000400u], chip.DapWrites.Where(w => w.Port == 0 && w.Address == 0x04).Select(w => w.Value));
        Assert.Single(chip.DapWrites, w => w.Port == 0 && w.Address == 0x00);
    }

    [Fact]
    public async Task MemAp_ByteWrite_PlacesByteOnItsLane()
    {
        var (target, chip, _) = await ConnectedAsync();
        await using var __ = target;
        var memAp = new MemAp(target.Dap!);

        await memAp.WriteAsync(0x20000003, new byte[] { 0xAB }, AccessWidth.Byte, Ct);

        Assert.Equal(((ushort)0, (ushort)0x0C, 0xAB000000u), chip.DapWrites[^1]);
    }

    [Fact]
    public async Task ReadAsync_FaultingAddress_TargetMemoryFaultWithAddress()
    {
        var (target, chip, _) = await ConnectedAsync();
        await using var __ = target;
        chip.FaultRanges.Add((0x08010000, 0x08020000));

        var error = await Assert.ThrowsAsync<TargetMemoryFaultException>(async () => await target.ReadAsync(0x0800FFF8, new byte[16], AccessWidth.Word, Ct));

        Assert.Equal(0x08010000u, error.Address);
        Assert.Equal(TargetErrorKind.MemoryFault, error.Kind);
        Assert.IsType<StLinkMemoryFaultException>(error.InnerException);
    }

    [Fact]
    public async Task ReadTargetVoltageAsync_AllZeroAdc_CannotMeasureWithEvidence()
    {
        var wire = new FakeStLinkWire();
        await using var target = new StLinkTarget(await TestProbes.OpenAsync(wire, TestProbes.V2J37S7));
        wire.Reply(new byte[8]);

        var voltage = await target.ReadTargetVoltageAsync(Ct);

        Assert.False(voltage.CanMeasure);
        Assert.Contains("adc0=0 adc1=0", voltage.Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ToTargetException_DriverErrors_ClassifiedByKind()
    {
        var wire = new FakeStLinkWire();
        await using var target = new StLinkTarget(await TestProbes.OpenAsync(wire, TestProbes.V2J37S7));

        Assert.Equal(TargetErrorKind.WaitTimeout, StLinkTarget.ToTargetException(new StLinkWaitTimeoutException("m", "c", StLinkStatus.SwdDpWait, 9)).Kind);
        Assert.Equal(TargetErrorKind.NoResponse, StLinkTarget.ToTargetException(new StLinkException("m", "c", StLinkStatus.GetIdCodeError)).Kind);
        Assert.Equal(TargetErrorKind.LinkError, StLinkTarget.ToTargetException(new StLinkException("m", "c", StLinkStatus.SwdDpParityError)).Kind);
        Assert.Equal(TargetErrorKind.ProbeTransport, StLinkTarget.ToTargetException(new StLinkTransportException("gone") { IsDisconnected = true }).Kind);
        Assert.Equal(TargetErrorKind.ProbeFirmwareTooOld, StLinkTarget.ToTargetException(new StLinkFirmwareTooOldException("m", "c", "V2J17S4", "V2J24")).Kind);
        Assert.Equal(TargetErrorKind.ProbeError, StLinkTarget.ToTargetException(new StLinkException("m", "c", StLinkStatus.Fault)).Kind);
    }

    [Fact]
    public async Task ReadIdCode_NoTarget_ConnectFailsWithNoResponse()
    {
        var wire = new FakeStLinkWire();
        await using var target = new StLinkTarget(await TestProbes.OpenAsync(wire, TestProbes.V2J37S7));
        wire.Reply(0x09, 0x00);

        var error = await Assert.ThrowsAsync<TargetException>(async () => await target.ConnectAsync(Ct));

        Assert.Equal(TargetErrorKind.NoResponse, error.Kind);
    }
}
