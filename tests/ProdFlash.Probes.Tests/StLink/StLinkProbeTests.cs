using System.Buffers.Binary;

using ProdFlash.Core.Targets;
using ProdFlash.Probes.StLink;

namespace ProdFlash.Probes.Tests.StLink;

public sealed class StLinkProbeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReadTargetVoltageAsync_OpenOcdDocExample_Is3Point25Volts()
    {
        var wire = new FakeStLinkWire();
        await using var probe = await TestProbes.OpenAsync(wire, TestProbes.V2J37S7);
        wire.ReplyHex("f1 05 00 00 0b 08 00 00");

        var voltage = await probe.ReadTargetVoltageAsync(Ct);

        Assert.Equal("F7", wire.Transactions.Single().Hex(1));
        Assert.Equal(8, wire.Transactions.Single().DataInLength);
        Assert.Equal(1521u, voltage.ReferenceSample);
        Assert.Equal(2059u, voltage.SenseSample);
        Assert.True(voltage.CanMeasure);
        Assert.Equal(3.25, voltage.Volts, 0.01);
    }

    [Fact]
    public async Task ReadTargetVoltageAsync_AllZeroAdc_CannotMeasureRatherThanZeroVolts()
    {
        var wire = new FakeStLinkWire();
        await using var probe = await TestProbes.OpenAsync(wire, TestProbes.V2J37S7);
        wire.Reply(new byte[8]);

        var voltage = await probe.ReadTargetVoltageAsync(Ct);

        Assert.False(voltage.CanMeasure);
    }

    [Fact]
    public async Task ReadTargetVoltageAsync_ZeroSenseWithReference_MeasuresZeroVolts()
    {
        var wire = new FakeStLinkWire();
        await using var probe = await TestProbes.OpenAsync(wire, TestProbes.V2J37S7);
        wire.ReplyHex("f1 05 00 00 00 00 00 00");

        var voltage = await probe.ReadTargetVoltageAsync(Ct);

        Assert.True(voltage.CanMeasure);
        Assert.Equal(0.0, voltage.Volts);
    }

    [Fact]
    public async Task OpenAsync_V2J37S7_DecodesNameVariantAndCapabilities()
    {
        var wire = new FakeStLinkWire().ReplyHex(TestProbes.V2J37S7).Reply(0x01, 0x00);
        await using var probe = new StLinkProbe(wire);

        var info = await probe.OpenAsync(Ct);

        Assert.Equal(["F100", "F500"], wire.CommandsHex(2));
        Assert.Equal("V2J37S7", info.FirmwareName);
        Assert.Equal(StLinkVariant.V2, info.Variant);
        Assert.Equal((ushort)0x0483, info.VendorId);
        Assert.Equal((ushort)0x3748, info.ProductId);
        Assert.Equal(StLinkMode.MassStorage, info.ModeAtOpen);
        Assert.True(info.Capabilities.HasFlag(StLinkCapabilities.DapRegisters | StLinkCapabilities.Memory16Bit | StLinkCapabilities.CswInMemoryCommands));
        Assert.False(info.Capabilities.HasFlag(StLinkCapabilities.ComFrequency));
    }

    [Fact]
    public async Task OpenAsync_V2J40M27_DecodesV21JtagAndMassStorage()
    {
        var wire = new FakeStLinkWire().ReplyHex(TestProbes.V2J40M27).Reply(0x01, 0x00);
        await using var probe = new StLinkProbe(wire);

        var info = await probe.OpenAsync(Ct);

        Assert.Equal("V2J40M27", info.FirmwareName);
        Assert.Equal(StLinkVariant.V2_1, info.Variant);
        Assert.Equal(40, info.Version.Jtag);
        Assert.Equal(27, info.Version.MassStorage);
        Assert.Equal(0, info.Version.Swim);
    }

    [Theory]
    [InlineData("2647 8304 4B37", "V2M25S7", 25, 7)] // x=25 >= 25, 7 <= y=7 <= 12: STM8-only MxSy
    [InlineData("21C7 8304 4B37", "V2M7S7", 7, 7)] // x=7 <= 22, y=7: STM8-only MxSy
    public void Decode_V21MxSyStm8Firmware_JtagZeroMassStorageAndSwim(string reply, string name, int msd, int swim)
    {
        var version = StLinkVersion.Decode(Convert.FromHexString(reply.Replace(" ", string.Empty, StringComparison.Ordinal)));

        Assert.Equal(name, version.Name);
        Assert.Equal(0, version.Jtag);
        Assert.Equal(msd, version.MassStorage);
        Assert.Equal(swim, version.Swim);
        Assert.False(version.Capabilities.HasFlag(StLinkCapabilities.DapRegisters));
    }

    [Fact]
    public async Task OpenAsync_V3_ReadsVersionExAndDecodesV3J7M3B5S1()
    {
        var wire = new FakeStLinkWire().ReplyHex(TestProbes.V3Short).ReplyHex(TestProbes.V3J7M3B5S1Ex).Reply(0x01, 0x00);
        await using var probe = new StLinkProbe(wire);

        var info = await probe.OpenAsync(Ct);

        Assert.Equal(["F1", "FB", "F5"], wire.CommandsHex(1));
        Assert.Equal(12, wire.Transactions[1].DataInLength);
        Assert.Equal("V3J7M3B5S1", info.FirmwareName);
        Assert.Equal(StLinkVariant.V3, info.Variant);
        Assert.Equal((ushort)0x374F, info.ProductId);
        Assert.True(info.Capabilities.HasFlag(StLinkCapabilities.ComFrequency | StLinkCapabilities.Rw8Of512Bytes | StLinkCapabilities.CswInMemoryCommands));
    }

    [Theory]
    [InlineData(0x00, "F307")] // DFU -> DFU_EXIT
    [InlineData(0x02, "F221")] // stale debug session -> DEBUG_EXIT
    [InlineData(0x03, "F401")] // SWIM -> SWIM_EXIT
    public async Task OpenAsync_ProbeInOtherMode_LeavesItWithoutReadingAReply(byte mode, string leave)
    {
        var wire = new FakeStLinkWire().ReplyHex(TestProbes.V2J37S7).Reply(mode, 0x00).Reply(0x01, 0x00);
        await using var probe = new StLinkProbe(wire);

        var info = await probe.OpenAsync(Ct);

        Assert.Equal(["F100", "F500", leave, "F500"], wire.CommandsHex(2));
        Assert.Equal(0, wire.Transactions[2].DataInLength);
        Assert.Equal((StLinkMode)mode, info.ModeAtOpen);
    }

    [Fact]
    public async Task EnterSwdAsync_V2J37_SendsOpenOcdBytesThenChecksModeThenInitsAp0()
    {
        var wire = new FakeStLinkWire();
        await using var probe = await TestProbes.OpenAsync(wire, TestProbes.V2J37S7);
        wire.Reply(TestProbes.Ok).Reply(0x02, 0x00).Reply(TestProbes.Ok);

        await probe.EnterSwdAsync(Ct);

        Assert.Equal(["F230A3", "F50000", "F24B00"], wire.CommandsHex(3));
        Assert.Equal(new byte[13], wire.Transactions[0].Command[3..]);
    }

    [Fact]
    public async Task EnterSwdAsync_V2J17_NoInitAp()
    {
        var wire = new FakeStLinkWire();
        await using var probe = await TestProbes.OpenAsync(wire, TestProbes.V2J17S4);
        wire.Reply(TestProbes.Ok).Reply(0x02, 0x00);

        await probe.EnterSwdAsync(Ct);

        Assert.Equal(["F230A3", "F50000"], wire.CommandsHex(3));
    }

    [Theory]
    [InlineData(1800, "F2430100", 1800)]
    [InlineData(2000, "F2430100", 1800)] // highest table speed <= request
    [InlineData(4000, "F2430000", 4000)]
    [InlineData(3, "F2431E03", 5)] // below the table: the lowest, divisor 798 (as in OpenOCD's LIVE trace)
    public async Task SetSwdFrequencyAsync_V2_SendsDivisorOfHighestSpeedNotAboveRequest(int requested, string bytes, int applied)
    {
        var wire = new FakeStLinkWire();
        await using var probe = await TestProbes.OpenAsync(wire, TestProbes.V2J37S7);
        wire.Reply(TestProbes.Ok);

        var result = await probe.SetSwdFrequencyAsync(requested, Ct);

        Assert.Equal(bytes, wire.Transactions.Single().Hex(4));
        Assert.Equal(applied, result);
    }

    [Fact]
    public async Task SetSwdFrequencyAsync_V2J17_FirmwareTooOld()
    {
        var wire = new FakeStLinkWire();
        await using var probe = await TestProbes.OpenAsync(wire, TestProbes.V2J17S4);

        var error = await Assert.ThrowsAsync<StLinkFirmwareTooOldException>(async () => await probe.SetSwdFrequencyAsync(1800, Ct));

        Assert.Equal("V2J17S4", error.Firmware);
        Assert.Empty(wire.Transactions);
    }

    [Fact]
    public async Task SetSwdFrequencyAsync_V3_QueriesTableThenSetsAndReturnsAppliedValue()
    {
        var wire = new FakeStLinkWire();
        await using var probe = await TestProbes.OpenAsync(wire, TestProbes.V3Short, TestProbes.V3J7M3B5S1Ex);
        var table = new byte[52];
        table[0] = 0x80;
        BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan(4), 1000);
        BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan(8), 3);
        BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan(12), 24000);
        BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan(16), 8000);
        BinaryPrimitives.WriteUInt32LittleEndian(table.AsSpan(20), 3300);
        var set = new byte[8];
        set[0] = 0x80;
        BinaryPrimitives.WriteUInt32LittleEndian(set.AsSpan(4), 3300);
        wire.Reply(table).Reply(set);

        var applied = await probe.SetSwdFrequencyAsync(4000, Ct);

        Assert.Equal(["F2620000", "F2610000E40C0000"], [wire.Transactions[0].Hex(4), wire.Transactions[1].Hex(8)]);
        Assert.Equal(52, wire.Transactions[0].DataInLength);
        Assert.Equal(3300, applied);
    }

    [Fact]
    public async Task WriteDapRegisterAsync_DpCtrlStatPowerUp_SendsOpenOcdBytes()
    {
        var wire = new FakeStLinkWire();
        await using var probe = await TestProbes.OpenAsync(wire, TestProbes.V2J37S7);
        wire.Reply(TestProbes.Ok);

        await probe.WriteDapRegisterAsync(0xFFFF, 0x0004, 0x50000020, Ct);

        // F2 46, port 0xFFFF, address 0x0004, value 0x50000020, each little-endian.
        Assert.Equal("F246FFFF040020000050000000000000", Convert.ToHexString(wire.Transactions.Single().Command));
    }

    [Fact]
    public async Task ReadDapRegisterAsync_DpCtrlStat_ParsesValueAtOffset4()
    {
        var wire = new FakeStLinkWire();
        await using var probe = await TestProbes.OpenAsync(wire, TestProbes.V2J37S7);
        wire.ReplyHex("80000000 000000F0");

        var value = await probe.ReadDapRegisterAsync(0xFFFF, 0x0004, Ct);

        Assert.Equal("F245FFFF0400", wire.Transactions.Single().Hex(6));
        Assert.Equal(0xF0000000u, value);
    }

    [Fact]
    public async Task ReadIdCodeAsync_GenuineF103_ReturnsDpidrFromBytes4To7()
    {
        var wire = new FakeStLinkWire();
        await using var probe = await TestProbes.OpenAsync(wire, TestProbes.V2J37S7);
        wire.ReplyHex("80000000 7714A01B 00000000");

        var idcode = await probe.ReadIdCodeAsync(Ct);

        Assert.Equal("F231", wire.Transactions.Single().Hex(2));
        Assert.Equal(0x1BA01477u, idcode);
    }

    [Theory]
    [InlineData(ResetLineAction.Assert, "F23C00")]
    [InlineData(ResetLineAction.Release, "F23C01")]
    [InlineData(ResetLineAction.Pulse, "F23C02")]
    public async Task DriveNrstAsync_Action_SendsDriveNrstArgument(ResetLineAction action, string bytes)
    {
        var wire = new FakeStLinkWire();
        await using var probe = await TestProbes.OpenAsync(wire, TestProbes.V2J37S7);
        wire.Reply(TestProbes.Ok);

        await probe.DriveNrstAsync(action, Ct);

        Assert.Equal(bytes, wire.Transactions.Single().Hex(3));
    }

    [Fact]
    public async Task ReadMemoryAsync_V2J37Word_HeaderWithApAndCswThenRwStatus2()
    {
        var wire = new FakeStLinkWire();
        await using var probe = await TestProbes.OpenAsync(wire, TestProbes.V2J37S7);
        wire.ReplyHex("31C21F41").Reply(TestProbes.RwStatus2(0x80));
        var buffer = new byte[4];

        await probe.ReadMemoryAsync(0xE000ED00, buffer, AccessWidth.Word, Ct);

        // F2 07, address 0xE000ED00, length 4, AP 0, CSW[31:8] of 0xA2000000.
        Assert.Equal("F20700ED00E00400000000A200000000", Convert.ToHexString(wire.Transactions[0].Command));
        Assert.Equal(4, wire.Transactions[0].DataInLength);
        Assert.Equal("F23E", wire.Transactions[1].Hex(2));
        Assert.Equal(12, wire.Transactions[1].DataInLength);
        Assert.Equal(0x411FC231u, BinaryPrimitives.ReadUInt32LittleEndian(buffer));
    }

    [Fact]
    public async Task WriteMemoryAsync_V2J17Word_NoCswBytesAndDataOutPhase()
    {
        var wire = new FakeStLinkWire();
        await using var probe = await TestProbes.OpenAsync(wire, TestProbes.V2J17S4);
        wire.Reply(TestProbes.RwStatus2(0x80));

        await probe.WriteMemoryAsync(0x20000000, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, AccessWidth.Word, Ct);

        Assert.Equal("F2080000002008000000000000000000", Convert.ToHexString(wire.Transactions[0].Command));
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, wire.Transactions[0].DataOut);
        Assert.Equal("F23E", wire.Transactions[1].Hex(2));
    }

    [Fact]
    public async Task ReadMemoryAsync_V2J13_UsesGetLastRwStatus()
    {
        var wire = new FakeStLinkWire();
        await using var probe = await TestProbes.OpenAsync(wire, TestProbes.V2J13S4);
        wire.Reply(new byte[4]).Reply(TestProbes.Ok);

        await probe.ReadMemoryAsync(0x20000000, new byte[4], AccessWidth.Word, Ct);

        Assert.Equal(["F207", "F23B"], wire.CommandsHex(2));
        Assert.Equal(2, wire.Transactions[1].DataInLength);
    }

    [Fact]
    public async Task PlanTransfer_UnalignedWordRead_HeadAndTailAsBytes()
    {
        var wire = new FakeStLinkWire();
        await using var probe = await TestProbes.OpenAsync(wire, TestProbes.V2J37S7);

        var plan = probe.PlanTransfer(0x20000001, 10, AccessWidth.Word);

        Assert.Equal(
            [new(0x20000001, 3, AccessWidth.Byte), new(0x20000004, 4, AccessWidth.Word), new(0x20000008, 3, AccessWidth.Byte)],
            plan);
    }

    [Fact]
    public async Task PlanTransfer_Crossing1KiBBoundary_SplitsAtBoundary()
    {
        var wire = new FakeStLinkWire();
        await using var probe = await TestProbes.OpenAsync(wire, TestProbes.V2J37S7);

        var plan = probe.PlanTransfer(0x080003F0, 0x40, AccessWidth.Word);

        Assert.Equal([new(0x080003F0, 0x10, AccessWidth.Word), new(0x08000400, 0x30, AccessWidth.Word)], plan);
    }

    [Fact]
    public async Task PlanTransfer_4KiBBoundaryLargeWrite_SplitsAt4KiB()
    {
        var wire = new FakeStLinkWire();
        await using var probe = await TestProbes.OpenAsync(wire, TestProbes.V2J37S7);
        probe.AutoIncrementBoundary = 4096;

        var plan = probe.PlanTransfer(0x08000104, 8192, AccessWidth.HalfWord);

        // The OpenOCD HLA split for M3: 3836 + 4096 + 260 (reference §4.2 LIVE shows 3836 + 4096 + 256 for 8188 bytes).
        Assert.Equal(
            [new(0x08000104, 3836, AccessWidth.HalfWord), new(0x08001000, 4096, AccessWidth.HalfWord), new(0x08002000, 260, AccessWidth.HalfWord)],
            plan);
    }

    [Fact]
    public async Task PlanTransfer_MaxWordTransfer1024ForOldStLinkServer_ChunksOf1KiB()
    {
        var wire = new FakeStLinkWire();
        await using var probe = await TestProbes.OpenAsync(wire, TestProbes.V2J37S7, options: new StLinkProbeOptions { MaxWordTransfer = 1024 });
        probe.AutoIncrementBoundary = 4096;

        var plan = probe.PlanTransfer(0x20000000, 4096, AccessWidth.Word);

        Assert.Equal([1024, 1024, 1024, 1024], plan.Select(c => c.Length));
    }

    [Fact]
    public async Task PlanTransfer_LargeWordTransferWith4KiBBoundary_AtMost4096ThenRest()
    {
        var wire = new FakeStLinkWire();
        await using var probe = await TestProbes.OpenAsync(wire, TestProbes.V2J37S7);
        probe.AutoIncrementBoundary = 4096;

        var plan = probe.PlanTransfer(0x20000000, 10000, AccessWidth.Word);

        Assert.Equal([4096, 4096, 1808], plan.Select(c => c.Length));
    }

    [Fact]
    public async Task PlanTransfer_ByteWidthOnV2_At64BytesPerCommand()
    {
        var wire = new FakeStLinkWire();
        await using var probe = await TestProbes.OpenAsync(wire, TestProbes.V2J37S7);

        var plan = probe.PlanTransfer(0x20000000, 100, AccessWidth.Byte);

        Assert.Equal([new(0x20000000, 64, AccessWidth.Byte), new(0x20000040, 36, AccessWidth.Byte)], plan);
    }

    [Fact]
    public async Task PlanTransfer_ByteWidthOnV3J7_At512BytesPerCommandWithinBoundary()
    {
        var wire = new FakeStLinkWire();
        await using var probe = await TestProbes.OpenAsync(wire, TestProbes.V3Short, TestProbes.V3J7M3B5S1Ex);

        var plan = probe.PlanTransfer(0x20000000, 1100, AccessWidth.Byte);

        Assert.Equal([new(0x20000000, 512, AccessWidth.Byte), new(0x20000200, 512, AccessWidth.Byte), new(0x20000400, 76, AccessWidth.Byte)], plan);
    }

    [Fact]
    public async Task ReadMemoryAsync_SplitTransfer_SendsEachChunkWithItsAddressAndLength()
    {
        var wire = new FakeStLinkWire();
        await using var probe = await TestProbes.OpenAsync(wire, TestProbes.V2J37S7);
        wire.Responder = t => t.Command[1] == 0x3E ? TestProbes.RwStatus2(0x80) : Enumerable.Range(0, t.DataInLength).Select(i => (byte)(BinaryPrimitives.ReadUInt32LittleEndian(t.Command.AsSpan(2)) + i)).ToArray();
        var buffer = new byte[10];

        await probe.ReadMemoryAsync(0x20000001, buffer, AccessWidth.Word, Ct);

        var memoryCommands = wire.Transactions.Where(t => t.Command[1] != 0x3E).Select(t => (t.Command[1], BinaryPrimitives.ReadUInt32LittleEndian(t.Command.AsSpan(2)), BinaryPrimitives.ReadUInt16LittleEndian(t.Command.AsSpan(6)))).ToList();
        Assert.Equal([(0x0C, 0x20000001u, (ushort)3), (0x07, 0x20000004u, (ushort)4), (0x0C, 0x20000008u, (ushort)3)], memoryCommands);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (byte)i).ToArray(), buffer);
    }

    [Fact]
    public async Task ReadMemoryAsync_OneByte_RequestsTwoBytesWithLengthFieldOne()
    {
        var wire = new FakeStLinkWire();
        await using var probe = await TestProbes.OpenAsync(wire, TestProbes.V2J37S7);
        wire.Reply(0x5A, 0x00).Reply(TestProbes.RwStatus2(0x80));
        var buffer = new byte[1];

        await probe.ReadMemoryAsync(0x1FFFF7E0, buffer, AccessWidth.Byte, Ct);

        Assert.Equal("F20CE0F7FF1F0100", wire.Transactions[0].Hex(8));
        Assert.Equal(2, wire.Transactions[0].DataInLength);
        Assert.Equal(0x5A, buffer[0]);
    }

    [Fact]
    public async Task WriteMemoryAsync_HalfWordOnV2J17WithoutMem16_FallsBackTo8Bit()
    {
        var wire = new FakeStLinkWire();
        await using var probe = await TestProbes.OpenAsync(wire, TestProbes.V2J17S4);
        wire.Reply(TestProbes.RwStatus2(0x80));

        await probe.WriteMemoryAsync(0x08000000, new byte[] { 0x34, 0x12, 0x78, 0x56 }, AccessWidth.HalfWord, Ct);

        Assert.Equal("F20D0000000804000000000000000000", Convert.ToHexString(wire.Transactions[0].Command));
        Assert.DoesNotContain(wire.Transactions, t => t.Command[1] is 0x47 or 0x48);
    }

    [Fact]
    public async Task WriteMemoryAsync_HalfWordOnV2J37_Uses16BitCommand()
    {
        var wire = new FakeStLinkWire();
        await using var probe = await TestProbes.OpenAsync(wire, TestProbes.V2J37S7);
        wire.Reply(TestProbes.RwStatus2(0x80));

        await probe.WriteMemoryAsync(0x08000000, new byte[] { 0x34, 0x12 }, AccessWidth.HalfWord, Ct);

        Assert.Equal("F2480000000802000000", wire.Transactions[0].Hex(10));
    }

    [Fact]
    public async Task ReadMemoryAsync_ApFaultWithAddress_MemoryFaultWithAddressAfterClearingStickyErrors()
    {
        var wire = new FakeStLinkWire();
        await using var probe = await TestProbes.OpenAsync(wire, TestProbes.V2J37S7);
        wire.Reply(new byte[8]).Reply(TestProbes.RwStatus2(0x11, 0x08020000)).Reply(TestProbes.Ok);

        var error = await Assert.ThrowsAsync<StLinkMemoryFaultException>(async () => await probe.ReadMemoryAsync(0x0801FFFC, new byte[8], AccessWidth.Word, Ct));

        Assert.Equal(0x08020000u, error.Address);
        Assert.Equal(0x08020000u, error.FaultAddress);
        Assert.Equal(StLinkStatus.SwdApFault, error.Status);
        Assert.Contains("READMEM_32BIT", error.Command, StringComparison.Ordinal);
        Assert.Equal("F246FFFF00001E000000", wire.Transactions[2].Hex(10)); // DP ABORT = 0x1E
        Assert.Equal(3, wire.Transactions.Count);
    }

    public static TheoryData<byte> MemoryFaultStatuses => [0x01, 0x11, 0x15, 0x18, 0x19];

    [Theory]
    [MemberData(nameof(MemoryFaultStatuses))]
    public async Task WriteMemoryAsync_MemoryFaultStatus_StLinkMemoryFaultException(byte status)
    {
        var wire = new FakeStLinkWire();
        await using var probe = await TestProbes.OpenAsync(wire, TestProbes.V2J37S7);
        wire.Reply(TestProbes.RwStatus2(status, 0x40022010)).Reply(TestProbes.Ok);

        var error = await Assert.ThrowsAsync<StLinkMemoryFaultException>(async () => await probe.WriteMemoryAsync(0x40022010, new byte[4], AccessWidth.Word, Ct));

        Assert.Equal((StLinkStatus)status, error.Status);
        Assert.Equal(0x40022010u, error.Address);
    }

    public static TheoryData<byte> ErrorStatuses => new(Enum.GetValues<StLinkStatus>()
        .Select(s => (byte)s)
        .Where(s => !StLinkStatusClassifier.IsOk(s) && !StLinkStatusClassifier.IsWait(s))
        .Append((byte)0x99));

    [Theory]
    [MemberData(nameof(ErrorStatuses))]
    public async Task ReadIdCodeAsync_ErrorStatus_StLinkExceptionCarryingStatusAndCommand(byte status)
    {
        var wire = new FakeStLinkWire();
        await using var probe = await TestProbes.OpenAsync(wire, TestProbes.V2J37S7);
        var reply = new byte[12];
        reply[0] = status;
        wire.Reply(reply);

        var error = await Assert.ThrowsAsync<StLinkException>(async () => await probe.ReadIdCodeAsync(Ct));

        Assert.IsType<StLinkException>(error); // not a memory fault, not a WAIT timeout: those are their own types
        Assert.Equal((StLinkStatus)status, error.Status);
        Assert.Equal("READ_IDCODES (F2 31)", error.Command);
        Assert.Contains($"0x{status:X2}", error.Message, StringComparison.Ordinal);
        Assert.Single(wire.Transactions); // never retried
    }

    [Theory]
    [InlineData(0x10)]
    [InlineData(0x14)]
    public async Task ReadDapRegisterAsync_WaitThenOk_RetriedUntilOk(byte wait)
    {
        var wire = new FakeStLinkWire();
        await using var probe = await TestProbes.OpenAsync(wire, TestProbes.V2J37S7);
        wire.Reply(wait, 0, 0, 0, 0, 0, 0, 0).Reply(wait, 0, 0, 0, 0, 0, 0, 0).ReplyHex("80000000 7714A01B");

        var value = await probe.ReadDapRegisterAsync(0xFFFF, 0x0000, Ct);

        Assert.Equal(0x1BA01477u, value);
        Assert.Equal(3, wire.Transactions.Count);
    }

    [Fact]
    public async Task ReadDapRegisterAsync_WaitBeyondBound_WaitTimeoutAfterBoundPlusOneAttempts()
    {
        var wire = new FakeStLinkWire();
        await using var probe = await TestProbes.OpenAsync(wire, TestProbes.V2J37S7, options: new StLinkProbeOptions { MaxWaitRetries = 3, WaitBackoff = TimeSpan.FromTicks(10) });
        wire.Responder = _ => [0x14, 0, 0, 0, 0, 0, 0, 0];

        var error = await Assert.ThrowsAsync<StLinkWaitTimeoutException>(async () => await probe.ReadDapRegisterAsync(0xFFFF, 0x0004, Ct));

        Assert.Equal(4, error.Attempts);
        Assert.Equal(4, wire.Transactions.Count);
        Assert.Equal(StLinkStatus.SwdDpWait, error.Status);
        Assert.Contains("low-power", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadIdCodeAsync_WaitRetries_EachRetryLoggedWithDoublingBackoff()
    {
        var wire = new FakeStLinkWire();
        var logger = new Microsoft.Extensions.Logging.Testing.FakeLogger();
        wire.ReplyHex(TestProbes.V2J37S7).Reply(0x01, 0x00);
        await using var probe = new StLinkProbe(wire, new StLinkProbeOptions { WaitBackoff = TimeSpan.FromMilliseconds(1) }, logger);
        await probe.OpenAsync(Ct);
        var wait = new byte[12];
        wait[0] = 0x10;
        wire.Reply(wait).Reply(wait).Reply(wait).ReplyHex("80000000 7714A01B 00000000");

        await probe.ReadIdCodeAsync(Ct);

        var retries = logger.Collector.GetSnapshot();
        Assert.Equal(3, retries.Count);
        Assert.Equal(["1", "2", "4"], retries.Select(r => r.StructuredState!.Single(p => p.Key == "DelayMs").Value));
        Assert.All(retries, r => Assert.Contains("SwdApWait (0x10)", r.Message, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReadMemoryAsync_ApWaitInRwStatus_ResendsWholeChunk()
    {
        var wire = new FakeStLinkWire();
        await using var probe = await TestProbes.OpenAsync(wire, TestProbes.V2J37S7);
        wire.Reply(new byte[4]).Reply(TestProbes.RwStatus2(0x10)).ReplyHex("78563412").Reply(TestProbes.RwStatus2(0x80));
        var buffer = new byte[4];

        await probe.ReadMemoryAsync(0x20000000, buffer, AccessWidth.Word, Ct);

        Assert.Equal(["F207", "F23E", "F207", "F23E"], wire.CommandsHex(2));
        Assert.Equal(0x12345678u, BinaryPrimitives.ReadUInt32LittleEndian(buffer));
    }

    [Fact]
    public async Task ReadIdCodeAsync_Fault_NeverRetried()
    {
        var wire = new FakeStLinkWire();
        await using var probe = await TestProbes.OpenAsync(wire, TestProbes.V2J37S7);
        wire.Responder = _ => [0x81, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

        var error = await Assert.ThrowsAsync<StLinkException>(async () => await probe.ReadIdCodeAsync(Ct));

        Assert.Equal(StLinkStatus.Fault, error.Status);
        Assert.Single(wire.Transactions);
    }

    [Fact]
    public async Task ReadIdCodeAsync_ShortReply_ProtocolException()
    {
        var wire = new FakeStLinkWire();
        await using var probe = await TestProbes.OpenAsync(wire, TestProbes.V2J37S7);
        wire.Reply(0x80, 0x00);

        await Assert.ThrowsAsync<StLinkProtocolException>(async () => await probe.ReadIdCodeAsync(Ct));
    }

    [Fact]
    public async Task Counters_AfterMemoryWrite_CountTransactionsAndBytes()
    {
        var wire = new FakeStLinkWire();
        await using var probe = await TestProbes.OpenAsync(wire, TestProbes.V2J37S7);
        var before = probe.Counters;
        wire.Reply(TestProbes.RwStatus2(0x80));

        await probe.WriteMemoryAsync(0x20000000, new byte[64], AccessWidth.Word, Ct);

        var after = probe.Counters;
        Assert.Equal(2, after.Transactions - before.Transactions);
        Assert.Equal(16 + 64 + 16, after.BytesOut - before.BytesOut);
        Assert.Equal(12, after.BytesIn - before.BytesIn);
    }

    [Fact]
    public async Task DisposeAsync_AfterEnterSwd_ClosesApExitsDebugAndDisposesWire()
    {
        var wire = new FakeStLinkWire();
        var probe = await TestProbes.OpenAsync(wire, TestProbes.V2J37S7);
        wire.Reply(TestProbes.Ok).Reply(0x02, 0x00).Reply(TestProbes.Ok);
        await probe.EnterSwdAsync(Ct);
        wire.Transactions.Clear();
        wire.Reply(TestProbes.Ok);

        await probe.DisposeAsync();

        Assert.Equal(["F24C00", "F22100"], wire.CommandsHex(3));
        Assert.Equal(0, wire.Transactions[1].DataInLength);
        Assert.True(wire.Disposed);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await probe.ReadIdCodeAsync(Ct));
    }

    [Fact]
    public async Task OpenAsync_StLinkV1_RefusedWithTypedError()
    {
        var wire = new FakeStLinkWire().ReplyHex("12C7 8304 4437");
        await using var probe = new StLinkProbe(wire);

        var error = await Assert.ThrowsAsync<StLinkException>(async () => await probe.OpenAsync(Ct));

        Assert.Contains("V1", error.Message, StringComparison.Ordinal);
    }
}
