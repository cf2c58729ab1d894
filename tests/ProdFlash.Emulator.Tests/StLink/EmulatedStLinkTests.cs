using System.Buffers.Binary;
using ProdFlash.Emulator.Dap;
using ProdFlash.Emulator.StLink;
using ProdFlash.Probes.StLink;

namespace ProdFlash.Emulator.Tests.StLink;

public sealed class EmulatedStLinkTests
{
    [Theory]
    [InlineData("v2j37", new byte[] { 0x29, 0x47, 0x83, 0x04, 0x48, 0x37 }, "V2J37S7")]
    [InlineData("v2j17", new byte[] { 0x24, 0x44, 0x83, 0x04, 0x48, 0x37 }, "V2J17S4")]
    [InlineData("v21j40", new byte[] { 0x2A, 0x1B, 0x83, 0x04, 0x4B, 0x37 }, "V2J40M27")]
    [InlineData("v3j9", new byte[] { 0x30, 0x00, 0x83, 0x04, 0x4F, 0x37 }, "V3J9M3B5S1")]
    [InlineData("clone", new byte[] { 0x29, 0x47, 0x83, 0x04, 0x48, 0x37 }, "V2J37S7")]
    public void GetVersion_EachPersonality_ReturnsVersionVidPidBytes(string personality, byte[] expected, string firmwareName)
    {
        var harness = new ProbeHarness(personality);

        var reply = harness.In(6, 0xF1, 0x00);

        Assert.Equal(expected, reply);
        Assert.Equal(firmwareName, harness.Probe.Personality.FirmwareName);
    }

    [Fact]
    public void GetVersionEx_V3j9_ReturnsTwelveByteLayout()
    {
        var harness = new ProbeHarness("v3j9");

        var reply = harness.In(12, 0xFB, 0x80);

        Assert.Equal(new byte[] { 0x03, 0x01, 0x09, 0x03, 0x05, 0x00, 0x00, 0x00, 0x83, 0x04, 0x4F, 0x37 }, reply);
    }

    [Fact]
    public void GetVersionEx_V2_IsNotAnswered()
    {
        var harness = new ProbeHarness("v2j37");

        var count = harness.Probe.Execute(ProbeHarness.Cdb(0xFB, 0x80), [], new byte[12]);

        Assert.Equal(EmulatedStLink.NoAnswer, count);
    }

    [Fact]
    public void Serial_Genuine_Is24UpperCaseHex_Clone_IsTwelveRawBytes()
    {
        var genuine = StLinkPersonality.Create("v2j37");
        var clone = StLinkPersonality.Create("clone");
        var secondClone = StLinkPersonality.Create("clone", 1);

        Assert.Matches("^[0-9A-F]{24}$", genuine.Serial);
        Assert.Equal(24, genuine.SerialDescriptor.Length);
        Assert.Equal(12, clone.SerialDescriptor.Length);
        Assert.Equal(Convert.ToHexString(clone.SerialDescriptor), clone.Serial);
        Assert.Equal(clone.Serial, secondClone.Serial);
        Assert.NotEqual(genuine.Serial, StLinkPersonality.Create("v2j37", 1).Serial);
    }

    [Fact]
    public void GetTargetVoltage_3V3_ReturnsAdc0VrefintAndAdc1ForHalfVcc()
    {
        var harness = new ProbeHarness();

        var reply = harness.In(8, 0xF7);

        // adc0 = 1521, adc1 = round(3.3 * 1521 / 2.4) = 2091; V = 2 * 2091 * 1.2 / 1521 = 3.299 V.
        Assert.Equal(new byte[] { 0xF1, 0x05, 0x00, 0x00, 0x2B, 0x08, 0x00, 0x00 }, reply);
    }

    [Theory]
    [InlineData("no-vcc", 0u, 0x09)]
    [InlineData("low-vcc", 1014u, 0x80)]
    [InlineData("no-ack", 2091u, 0x09)]
    public void BoardFault_VoltageAndEnterSwd_ReportTheFault(string fault, uint adc1, byte enterStatus)
    {
        var harness = new ProbeHarness(faults: fault);

        var voltage = harness.In(8, 0xF7);
        var enter = harness.In(2, 0xF2, 0x30, 0xA3);

        Assert.Equal(1521u, BinaryPrimitives.ReadUInt32LittleEndian(voltage));
        Assert.Equal(adc1, BinaryPrimitives.ReadUInt32LittleEndian(voltage.AsSpan(4)));
        Assert.Equal(new byte[] { enterStatus, 0x00 }, enter);
    }

    [Fact]
    public void Modes_EnterSwdAndExit_ChangeCurrentMode()
    {
        var harness = new ProbeHarness();

        var before = harness.In(2, 0xF5);
        harness.EnterSwd();
        var during = harness.In(2, 0xF5);
        var exitCount = harness.Probe.Execute(ProbeHarness.Cdb(0xF2, 0x21), [], []);
        var after = harness.In(2, 0xF5);

        Assert.Equal(new byte[] { 0x01, 0x00 }, before);
        Assert.Equal(new byte[] { 0x02, 0x00 }, during);
        Assert.Equal(0, exitCount);
        Assert.Equal(new byte[] { 0x01, 0x00 }, after);
    }

    [Fact]
    public void ReadIdCodes_AfterEnterSwd_PutsDpidrAtBytes4To7()
    {
        var harness = new ProbeHarness();
        harness.EnterSwd();

        var reply = harness.In(12, 0xF2, 0x31);

        Assert.Equal(new byte[] { 0x80, 0, 0, 0, 0x77, 0x14, 0xA0, 0x1B, 0, 0, 0, 0 }, reply);
    }

    [Fact]
    public void DapRegisters_PowerUpHandshake_MirrorsRequestsIntoAcks()
    {
        var harness = new ProbeHarness();
        harness.EnterSwd();

        var clear = harness.In(2, ProbeHarness.DapWrite(0xFFFF, 0x4, 0x0000_0000));
        var off = harness.In(8, ProbeHarness.DapRead(0xFFFF, 0x4));
        var request = harness.In(2, ProbeHarness.DapWrite(0xFFFF, 0x4, 0x5000_0020));
        var on = harness.In(8, ProbeHarness.DapRead(0xFFFF, 0x4));

        Assert.Equal(new byte[] { 0x80, 0x00 }, clear);
        Assert.Equal(new byte[] { 0x80, 0, 0, 0, 0, 0, 0, 0 }, off);
        Assert.Equal(new byte[] { 0x80, 0x00 }, request);
        Assert.Equal(new byte[] { 0x80, 0, 0, 0, 0x00, 0x00, 0x00, 0xF0 }, on);
    }

    [Fact]
    public void DapRegisters_ApIdrCfgBase_ReturnF1Values()
    {
        var harness = new ProbeHarness();
        harness.EnterSwd();

        var idr = harness.In(8, ProbeHarness.DapRead(0, 0xFC));
        var cfg = harness.In(8, ProbeHarness.DapRead(0, 0xF4));
        var baseRegister = harness.In(8, ProbeHarness.DapRead(0, 0xF8));
        var dpidr = harness.In(8, ProbeHarness.DapRead(0xFFFF, 0x0));

        Assert.Equal(new byte[] { 0x80, 0, 0, 0, 0x11, 0x00, 0x77, 0x14 }, idr);
        Assert.Equal(new byte[] { 0x80, 0, 0, 0, 0, 0, 0, 0 }, cfg);
        Assert.Equal(new byte[] { 0x80, 0, 0, 0, 0x03, 0xF0, 0x0F, 0xE0 }, baseRegister);
        Assert.Equal(new byte[] { 0x80, 0, 0, 0, 0x77, 0x14, 0xA0, 0x1B }, dpidr);
    }

    [Fact]
    public void DapRegisters_TarAutoIncrement_WrapsInsideFourKiBOnCortexM3()
    {
        var harness = new ProbeHarness();
        harness.EnterSwd();

        // CSW: 32-bit, single increment. TAR at the last word of a 4 KiB block.
        harness.In(2, ProbeHarness.DapWrite(0, 0x00, 0x0300_0012));
        harness.In(2, ProbeHarness.DapWrite(0, 0x04, 0x2000_0FFC));
        harness.In(2, ProbeHarness.DapWrite(0, 0x0C, 0xCAFE_F00D));
        var tar = harness.In(8, ProbeHarness.DapRead(0, 0x04));
        harness.In(2, ProbeHarness.DapWrite(0, 0x04, 0x2000_0FFC));
        var drw = harness.In(8, ProbeHarness.DapRead(0, 0x0C));
        var csw = harness.In(8, ProbeHarness.DapRead(0, 0x00));

        Assert.Equal(4096u, harness.Probe.Dap.TarWrapBytes);
        Assert.Equal(0x2000_0000u, BinaryPrimitives.ReadUInt32LittleEndian(tar.AsSpan(4)));
        Assert.Equal(0xCAFE_F00Du, BinaryPrimitives.ReadUInt32LittleEndian(drw.AsSpan(4)));
        Assert.Equal(0xCAFE_F00Du, BinaryPrimitives.ReadUInt32LittleEndian(harness.Ram.Sram.AsSpan(0xFFC)));
        Assert.Equal(0x0300_0052u, BinaryPrimitives.ReadUInt32LittleEndian(csw.AsSpan(4)));
    }

    [Fact]
    public void DapRegisters_BusFault_SetsStickyErrUntilAbortClearsIt()
    {
        var harness = new ProbeHarness();
        harness.EnterSwd();
        harness.In(2, ProbeHarness.DapWrite(0, 0x00, 0x0300_0012));
        harness.In(2, ProbeHarness.DapWrite(0, 0x04, 0x1000_0000));

        var faulted = harness.In(8, ProbeHarness.DapRead(0, 0x0C));
        var blocked = harness.In(8, ProbeHarness.DapRead(0, 0xFC));
        var ctrlStat = harness.In(8, ProbeHarness.DapRead(0xFFFF, 0x4));
        harness.In(2, ProbeHarness.DapWrite(0xFFFF, 0x0, SwdDebugPort.AbortStkErrClr));
        var cleared = harness.In(8, ProbeHarness.DapRead(0xFFFF, 0x4));
        var idr = harness.In(8, ProbeHarness.DapRead(0, 0xFC));

        Assert.Equal(0x11, faulted[0]);
        Assert.Equal(0x11, blocked[0]);
        Assert.Equal(0xF000_0020u, BinaryPrimitives.ReadUInt32LittleEndian(ctrlStat.AsSpan(4)));
        Assert.Equal(0xF000_0000u, BinaryPrimitives.ReadUInt32LittleEndian(cleared.AsSpan(4)));
        Assert.Equal(0x80, idr[0]);
    }

    [Fact]
    public void Memory32_WriteThenRead_RoundTripsAndReportsOk()
    {
        var harness = new ProbeHarness();
        harness.EnterSwd();
        var data = Enumerable.Range(0, 64).Select(i => (byte)(i * 3)).ToArray();

        harness.Out(data, ProbeHarness.MemoryHeader(0x08, 0x2000_0100, 64, 0, 0xA200_0000));
        var written = harness.In(12, 0xF2, 0x3E);
        var readBack = harness.In(64, ProbeHarness.MemoryHeader(0x07, 0x2000_0100, 64));

        Assert.Equal(new byte[] { 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, written);
        Assert.Equal(data, readBack);
        Assert.Equal(data, harness.Ram.Sram[0x100..0x140]);
    }

    [Fact]
    public void Memory8_OneByteRead_SendsTwoBytes()
    {
        var harness = new ProbeHarness();
        harness.EnterSwd();
        harness.Ram.Sram[5] = 0xA5;

        var reply = harness.In(2, ProbeHarness.MemoryHeader(0x0C, 0x2000_0005, 1));

        Assert.Equal(2, reply.Length);
        Assert.Equal(0xA5, reply[0]);
    }

    [Fact]
    public void Memory8_OverSixtyFourBytesOnV2_IsRefusedWithCommandError()
    {
        var harness = new ProbeHarness();
        harness.EnterSwd();

        harness.In(65, ProbeHarness.MemoryHeader(0x0C, 0x2000_0000, 65));
        var status = harness.In(12, 0xF2, 0x3E);

        Assert.Equal(0x08, status[0]);
        Assert.Equal(0, harness.Probe.Dap.Transfers - 2); // only the enter-SWD transfers
    }

    [Fact]
    public void Memory16_OnV2j37_WritesHalfWords()
    {
        var harness = new ProbeHarness();
        harness.EnterSwd();

        harness.Out([0x34, 0x12, 0x78, 0x56], ProbeHarness.MemoryHeader(0x48, 0x2000_0002, 4));
        var status = harness.In(12, 0xF2, 0x3E);

        Assert.Equal(0x80, status[0]);
        Assert.Equal(new byte[] { 0x34, 0x12, 0x78, 0x56 }, harness.Ram.Sram[2..6]);
    }

    [Fact]
    public void MemoryFault_ReadPastSram_GetLastRwStatus2GivesApFaultAndAddress()
    {
        var harness = new ProbeHarness();
        harness.EnterSwd();
        harness.Ram.Sram.AsSpan(RamTarget.SramSize - 4).Fill(0xEE);

        var data = harness.In(8, ProbeHarness.MemoryHeader(0x07, 0x2000_4FFC, 8));
        var status = harness.In(12, 0xF2, 0x3E);

        Assert.Equal(new byte[] { 0xEE, 0xEE, 0xEE, 0xEE, 0, 0, 0, 0 }, data);
        Assert.Equal(new byte[] { 0x11, 0x00, 0, 0, 0x00, 0x50, 0x00, 0x20, 0, 0, 0, 0 }, status);
    }

    [Fact]
    public void MemoryFault_NextMemoryCommand_StartsWithStickyFlagsCleared()
    {
        var harness = new ProbeHarness();
        harness.EnterSwd();
        harness.In(4, ProbeHarness.MemoryHeader(0x07, 0x1000_0000, 4));

        harness.In(4, ProbeHarness.MemoryHeader(0x07, 0x2000_0000, 4));
        var status = harness.In(12, 0xF2, 0x3E);

        Assert.Equal(0x80, status[0]);
    }

    [Fact]
    public void FlakyWait_RateOne_WaitStormEndsInSwdApWait()
    {
        var harness = new ProbeHarness(faults: "flaky-wait:1");
        harness.EnterSwd();

        harness.In(4, ProbeHarness.MemoryHeader(0x07, 0x2000_0000, 4));
        var status = harness.In(12, 0xF2, 0x3E);

        Assert.Equal(new byte[] { 0x10, 0x00, 0, 0, 0x00, 0x00, 0x00, 0x20, 0, 0, 0, 0 }, status);
        Assert.Equal(SwdDebugPort.DefaultMaxWaitRetries, harness.Probe.Dap.WaitRetries);
    }

    [Fact]
    public void FlakyWait_FivePercent_RetriesAndSucceedsRepeatably()
    {
        var first = new ProbeHarness(faults: "flaky-wait:0.05");
        var second = new ProbeHarness(faults: "flaky-wait:0.05");
        first.EnterSwd();
        second.EnterSwd();
        first.Ram.Sram.AsSpan(0, 1024).Fill(0x5A);

        var data = first.In(1024, ProbeHarness.MemoryHeader(0x07, 0x2000_0000, 1024));
        var status = first.In(12, 0xF2, 0x3E);
        second.In(1024, ProbeHarness.MemoryHeader(0x07, 0x2000_0000, 1024));

        Assert.Equal(0x80, status[0]);
        Assert.All(data, b => Assert.Equal(0x5A, b));
        Assert.InRange(first.Probe.Dap.WaitRetries, 1, 64);
        Assert.Equal(first.Probe.Dap.WaitRetries, second.Probe.Dap.WaitRetries);
    }

    [Fact]
    public void V2j17_SixteenBitAndDapCommands_AnswerUnknownCommand()
    {
        var harness = new ProbeHarness("v2j17");
        harness.EnterSwd();

        var read16 = harness.In(4, ProbeHarness.MemoryHeader(0x47, 0x2000_0000, 4));
        var write16 = harness.In(2, ProbeHarness.MemoryHeader(0x48, 0x2000_0000, 4));
        var dapRead = harness.In(8, ProbeHarness.DapRead(0xFFFF, 0x4));
        var dapWrite = harness.In(2, ProbeHarness.DapWrite(0xFFFF, 0x4, 0x5000_0000));
        var swdFreq = harness.In(2, 0xF2, 0x43, 0x01, 0x00);

        Assert.Equal(new byte[] { 0x42, 0x00 }, read16);
        Assert.Equal(new byte[] { 0x42, 0x00 }, write16);
        Assert.Equal(new byte[] { 0x42, 0x00 }, dapRead);
        Assert.Equal(new byte[] { 0x42, 0x00 }, dapWrite);
        Assert.Equal(new byte[] { 0x42, 0x00 }, swdFreq);
    }

    [Fact]
    public void SwdSetFreq_Divisor1_Sets1800KhzAndTransferTime()
    {
        var harness = new ProbeHarness();

        var reply = harness.In(2, 0xF2, 0x43, 0x01, 0x00);

        Assert.Equal(new byte[] { 0x80, 0x00 }, reply);
        Assert.Equal(1800, harness.Probe.Dap.SwdFrequencyKhz);
        Assert.Equal(TimeSpan.FromTicks(256), harness.Probe.Dap.TransferTime); // 46 bits / 1.8 MHz = 25.6 µs
    }

    [Fact]
    public void ComFreq_V3_ListsSwdClocksAndAppliesTheNextLower()
    {
        var harness = new ProbeHarness("v3j9");

        var list = harness.In(52, 0xF2, 0x62, 0x00);
        var set = harness.In(8, 0xF2, 0x61, 0x00, 0x00, 0xA0, 0x0F, 0x00, 0x00); // 4000 kHz

        Assert.Equal(0x80, list[0]);
        Assert.Equal(7u, BinaryPrimitives.ReadUInt32LittleEndian(list.AsSpan(8)));
        Assert.Equal(24000u, BinaryPrimitives.ReadUInt32LittleEndian(list.AsSpan(12)));
        Assert.Equal(5u, BinaryPrimitives.ReadUInt32LittleEndian(list.AsSpan(12 + (6 * 4))));
        Assert.Equal(new byte[] { 0x80, 0, 0, 0, 0xE4, 0x0C, 0, 0 }, set); // 3300 kHz
    }

    [Fact]
    public void DriveNrst_LowHighPulse_DrivesTheTargetResetLine()
    {
        var harness = new ProbeHarness();

        var low = harness.In(2, 0xF2, 0x3C, 0x00);
        var heldLow = harness.Ram.ResetAsserted;
        harness.In(2, 0xF2, 0x3C, 0x01);
        var pulse = harness.In(2, 0xF2, 0x3C, 0x02);

        Assert.Equal(new byte[] { 0x80, 0x00 }, low);
        Assert.True(heldLow);
        Assert.Equal(new byte[] { 0x80, 0x00 }, pulse);
        Assert.False(harness.Ram.ResetAsserted);
        Assert.Equal(2, harness.Ram.ResetReleases);
    }

    [Fact]
    public void Unplug_AtConnect_EveryTransactionFailsDisconnected()
    {
        var harness = new ProbeHarness(faults: "unplug:connect");
        harness.In(6, 0xF1);

        var atEnter = Assert.Throws<StLinkTransportException>(() => harness.In(2, 0xF2, 0x30, 0xA3));
        var after = Assert.Throws<StLinkTransportException>(() => harness.In(6, 0xF1));

        Assert.True(atEnter.IsDisconnected);
        Assert.True(after.IsDisconnected);
        Assert.True(harness.Probe.IsUnplugged);
    }

    [Fact]
    public void ModeledTime_FullSpeedProbe_ChargesAUsbFramePerTransaction()
    {
        var v2 = new ProbeHarness("v2j37");
        var v3 = new ProbeHarness("v3j9");

        v2.In(6, 0xF1);
        v3.In(6, 0xF1);

        // 1 ms frame + 22 bytes at 1 MB/s; 125 µs microframe + 22 bytes at 40 MB/s.
        Assert.Equal(TimeSpan.FromMicroseconds(1022), v2.Clock.Now);
        Assert.InRange(v3.Clock.Now, TimeSpan.FromMicroseconds(125), TimeSpan.FromMicroseconds(126));
    }

    [Fact]
    public async Task Wire_TransferAsync_RunsTheCommandOnTheProbe()
    {
        var harness = new ProbeHarness();
        await using var wire = new EmulatedStLinkWire(harness.Probe);
        var reply = new byte[6];

        var count = await wire.TransferAsync(ProbeHarness.Cdb(0xF1), ReadOnlyMemory<byte>.Empty, reply, TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);

        Assert.Equal(6, count);
        Assert.Equal(new byte[] { 0x29, 0x47, 0x83, 0x04, 0x48, 0x37 }, reply);
        Assert.Contains(harness.Probe.Personality.Serial, wire.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wire_UnknownTopLevelCommand_TimesOut()
    {
        var harness = new ProbeHarness();
        await using var wire = new EmulatedStLinkWire(harness.Probe);

        var error = await Assert.ThrowsAsync<StLinkTransportException>(
            async () => await wire.TransferAsync(ProbeHarness.Cdb(0xE0), ReadOnlyMemory<byte>.Empty, new byte[2], TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken));

        Assert.True(error.IsTimeout);
    }

    [Fact]
    public void Memory32_OverStLinkDataSize_IsRefusedWithCommandError()
    {
        var harness = new ProbeHarness();
        harness.EnterSwd();

        harness.Out(new byte[6148], ProbeHarness.MemoryHeader(0x08, 0x2000_0000, 6148));
        var status = harness.In(12, 0xF2, 0x3E);

        Assert.Equal(0x08, status[0]);
        Assert.All(harness.Ram.Sram, b => Assert.Equal(0, b));
    }

    [Fact]
    public void Memory32_MisalignedAddress_ReportsAlignmentError()
    {
        var harness = new ProbeHarness();
        harness.EnterSwd();

        harness.In(4, ProbeHarness.MemoryHeader(0x07, 0x2000_0002, 4));
        var status = harness.In(12, 0xF2, 0x3E);

        Assert.Equal(0x0A, status[0]);
    }

    [Fact]
    public void MemoryHeader_ApByte_HonouredOnJ37IgnoredOnJ17()
    {
        var j37 = new ProbeHarness("v2j37");
        var j17 = new ProbeHarness("v2j17");
        j37.EnterSwd();
        j17.EnterSwd();
        j17.Ram.Sram[0] = 0x77;

        j37.In(4, ProbeHarness.MemoryHeader(0x07, 0x2000_0000, 4, ap: 1));
        var j37Status = j37.In(12, 0xF2, 0x3E);
        var j17Data = j17.In(4, ProbeHarness.MemoryHeader(0x07, 0x2000_0000, 4, ap: 1));
        var j17Status = j17.In(12, 0xF2, 0x3E);

        Assert.Equal(0x1D, j37Status[0]);
        Assert.Equal(0x80, j17Status[0]);
        Assert.Equal(0x77, j17Data[0]);
    }

    [Fact]
    public void InitAndCloseAp_OnJ37_AnswerOk_OnJ17_AreUnknown()
    {
        var j37 = new ProbeHarness("v2j37");
        var j17 = new ProbeHarness("v2j17");

        Assert.Equal(new byte[] { 0x80, 0x00 }, j37.In(2, 0xF2, 0x4B, 0x00));
        Assert.Equal(new byte[] { 0x80, 0x00 }, j37.In(2, 0xF2, 0x4C, 0x00));
        Assert.Equal(new byte[] { 0x1D, 0x00 }, j37.In(2, 0xF2, 0x4B, 0x01));
        Assert.Equal(new byte[] { 0x42, 0x00 }, j17.In(2, 0xF2, 0x4B, 0x00));
    }

    [Fact]
    public void GetLastRwStatus_TwoByteForm_CarriesTheSameStatusAsStatus2()
    {
        var harness = new ProbeHarness("v2j17");
        harness.EnterSwd();
        harness.In(4, ProbeHarness.MemoryHeader(0x07, 0x1000_0000, 4));

        var status = harness.In(2, 0xF2, 0x3B);
        var status2 = harness.In(12, 0xF2, 0x3E);

        Assert.Equal(new byte[] { 0x11, 0x00 }, status);
        Assert.Equal(new byte[] { 0x11, 0x00, 0, 0, 0x00, 0x00, 0x00, 0x10, 0, 0, 0, 0 }, status2);
    }

    [Fact]
    public void DfuExit_HasNoReplyAndLeavesTheProbeIdle()
    {
        var harness = new ProbeHarness();

        var count = harness.Probe.Execute(ProbeHarness.Cdb(0xF3, 0x07), [], new byte[2]);
        var mode = harness.In(2, 0xF5);

        Assert.Equal(0, count);
        Assert.Equal(new byte[] { 0x01, 0x00 }, mode);
    }

    [Fact]
    public void DapRegisters_RdBuffAfterApRead_ReturnsTheLastApValue()
    {
        var harness = new ProbeHarness();
        harness.EnterSwd();

        harness.In(8, ProbeHarness.DapRead(0, 0xFC));
        var rdbuff = harness.In(8, ProbeHarness.DapRead(0xFFFF, 0xC));

        Assert.Equal(new byte[] { 0x80, 0, 0, 0, 0x11, 0x00, 0x77, 0x14 }, rdbuff);
    }

    [Fact]
    public void DapRegisters_BankedData_ReadsTheWordsAroundTarWithoutIncrement()
    {
        var harness = new ProbeHarness();
        harness.EnterSwd();
        BinaryPrimitives.WriteUInt32LittleEndian(harness.Ram.Sram.AsSpan(0x48), 0x1122_3344);

        harness.In(2, ProbeHarness.DapWrite(0, 0x04, 0x2000_0040));
        var bd2 = harness.In(8, ProbeHarness.DapRead(0, 0x18));
        var tar = harness.In(8, ProbeHarness.DapRead(0, 0x04));

        Assert.Equal(0x1122_3344u, BinaryPrimitives.ReadUInt32LittleEndian(bd2.AsSpan(4)));
        Assert.Equal(0x2000_0040u, BinaryPrimitives.ReadUInt32LittleEndian(tar.AsSpan(4)));
    }

    [Fact]
    public void DapRegisters_ByteDrwRead_ComesBackInItsByteLane()
    {
        var harness = new ProbeHarness();
        harness.EnterSwd();
        harness.Ram.Sram[0x13] = 0xAB;

        harness.In(2, ProbeHarness.DapWrite(0, 0x00, 0x0300_0000)); // 8-bit, no increment
        harness.In(2, ProbeHarness.DapWrite(0, 0x04, 0x2000_0013));
        var drw = harness.In(8, ProbeHarness.DapRead(0, 0x0C));

        Assert.Equal(0xAB00_0000u, BinaryPrimitives.ReadUInt32LittleEndian(drw.AsSpan(4)));
    }

    [Fact]
    public void NoAck_DapAccess_ReportsSwdDpError()
    {
        var harness = new ProbeHarness(faults: "no-ack");

        var dp = harness.In(8, ProbeHarness.DapRead(0xFFFF, 0x0));
        var ap = harness.In(8, ProbeHarness.DapRead(0, 0xFC));
        var idcodes = harness.In(12, 0xF2, 0x31);

        Assert.Equal(0x16, dp[0]);
        Assert.Equal(0x12, ap[0]);
        Assert.Equal(0x09, idcodes[0]);
    }

    [Fact]
    public void RwMisc_WriteAndReadItems_ReturnsValuesThenStatuses()
    {
        var harness = new ProbeHarness();
        harness.EnterSwd();
        var items = new byte[4 + (4 * 4)];
        items[0] = 1; // ADDRESS
        items[1] = 2; // WRITE
        items[2] = 1; // ADDRESS
        items[3] = 3; // READ
        BinaryPrimitives.WriteUInt32LittleEndian(items.AsSpan(4), 0x2000_0010);
        BinaryPrimitives.WriteUInt32LittleEndian(items.AsSpan(8), 0xDEAD_BEEF);
        BinaryPrimitives.WriteUInt32LittleEndian(items.AsSpan(12), 0x2000_0010);

        harness.Out(items, 0xF2, 0x51, 0x04, 0x00, 0x00, 0x00);
        var results = harness.In(32, 0xF2, 0x52);

        Assert.Equal(0xDEAD_BEEFu, BinaryPrimitives.ReadUInt32LittleEndian(results.AsSpan(12)));
        Assert.All(Enumerable.Range(0, 4), i => Assert.Equal(0x80u, BinaryPrimitives.ReadUInt32LittleEndian(results.AsSpan(16 + (4 * i)))));
    }

    [Fact]
    public void GetBoardId_V21j40_ReturnsMbedBoardId()
    {
        var harness = new ProbeHarness("v21j40");

        var reply = harness.In(128, 0xF2, 0x56);

        Assert.Equal(0x80, reply[0]);
        Assert.Equal("0700"u8.ToArray(), reply[2..6]);
    }

    [Fact]
    public void Memory32_BlockCrossingTheFourKiBBoundary_CostsOneExtraTarWrite()
    {
        var inside = new ProbeHarness();
        var crossing = new ProbeHarness();
        inside.EnterSwd();
        crossing.EnterSwd();
        var before = inside.Probe.Dap.Transfers;

        inside.Out(new byte[8], ProbeHarness.MemoryHeader(0x08, 0x2000_0FF0, 8));
        crossing.Out([1, 2, 3, 4, 5, 6, 7, 8], ProbeHarness.MemoryHeader(0x08, 0x2000_0FFC, 8));

        // CSW and TAR writes, then one DRW write per word; crossing adds a TAR rewrite.
        Assert.Equal(4, inside.Probe.Dap.Transfers - before);
        Assert.Equal(5, crossing.Probe.Dap.Transfers - before);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, crossing.Ram.Sram[0xFFC..0x1004]);
    }

    [Fact]
    public void WriteMem32NoIncrement_WritesEveryWordToTheSameAddress()
    {
        var harness = new ProbeHarness();
        harness.EnterSwd();
        var before = harness.Probe.Dap.Transfers;

        harness.Out([1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0], ProbeHarness.MemoryHeader(0x50, 0x2000_0020, 12));

        Assert.Equal(5, harness.Probe.Dap.Transfers - before);
        Assert.Equal(new byte[] { 3, 0, 0, 0, 0, 0, 0, 0 }, harness.Ram.Sram[0x20..0x28]);
    }

    [Fact]
    public async Task UsbTimeout_AtConnect_NothingIsAnsweredAnyMore()
    {
        var harness = new ProbeHarness(faults: "usb-timeout:connect");
        await using var wire = new EmulatedStLinkWire(harness.Probe);
        var version = harness.In(6, 0xF1);

        var atEnter = harness.Probe.Execute(ProbeHarness.Cdb(0xF2, 0x30, 0xA3), [], new byte[2]);
        var error = await Assert.ThrowsAsync<StLinkTransportException>(
            async () => await wire.TransferAsync(ProbeHarness.Cdb(0xF1), ReadOnlyMemory<byte>.Empty, new byte[6], TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken));

        Assert.Equal(6, version.Length);
        Assert.Equal(EmulatedStLink.NoAnswer, atEnter);
        Assert.True(error.IsTimeout);
        Assert.False(error.IsDisconnected);
        Assert.True(harness.Probe.IsHung);
        Assert.Equal(ProdFlash.Emulator.StLink.StLinkMode.Debug, harness.Probe.Mode);
    }

    [Fact]
    public void FlakyParity_RateOne_EveryReadReportsItsParityError()
    {
        // Every read data phase has a wrong parity bit: the IDCODE read of enter-SWD too.
        var noisy = new ProbeHarness(faults: "flaky-parity:1");

        var enter = noisy.In(2, 0xF2, 0x30, 0xA3);
        var dp = noisy.In(8, ProbeHarness.DapRead(0xFFFF, 0x4));
        var ap = noisy.In(8, ProbeHarness.DapRead(0, 0xFC));
        noisy.In(4, ProbeHarness.MemoryHeader(0x07, 0x2000_0000, 4));
        var memory = noisy.In(12, 0xF2, 0x3E);

        Assert.Equal(new byte[] { 0x09, 0x00 }, enter);
        Assert.Equal(new byte[] { 0x17, 0, 0, 0, 0, 0, 0, 0 }, dp);
        Assert.Equal(new byte[] { 0x13, 0, 0, 0, 0, 0, 0, 0 }, ap);
        Assert.Equal(new byte[] { 0x13, 0x00, 0, 0, 0x00, 0x00, 0x00, 0x20, 0, 0, 0, 0 }, memory);
    }

    [Fact]
    public void FlakyParity_LowRate_SomeReadsFailRepeatably()
    {
        var first = new ProbeHarness(faults: "flaky-parity:0.2");
        var second = new ProbeHarness(faults: "flaky-parity:0.2");

        var firstStatuses = Enumerable.Range(0, 50).Select(_ => first.In(8, ProbeHarness.DapRead(0xFFFF, 0x0))[0]).ToArray();
        var secondStatuses = Enumerable.Range(0, 50).Select(_ => second.In(8, ProbeHarness.DapRead(0xFFFF, 0x0))[0]).ToArray();

        Assert.Contains((byte)0x17, firstStatuses);
        Assert.Contains((byte)0x80, firstStatuses);
        Assert.Equal(firstStatuses, secondStatuses);
    }
}
