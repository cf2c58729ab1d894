using ProdFlash.Emulator.Chips;
using ProdFlash.Emulator.Faults;

namespace ProdFlash.Emulator.Tests.Faults;

public sealed class FaultSetTests
{
    [Fact]
    public void ParseList_EveryKind_FillsBoardAndChipFaults()
    {
        var set = FaultSet.ParseList("low-vcc, flaky-wait:0.05,unplug:program:50,usb-timeout:erase:25,rdp1,wrp:0-3+8,stuck-bit:0x08000100,stuck-bit:0x08000200:7:1");

        Assert.True(set.LowVcc);
        Assert.Equal(0.05, set.FlakyWaitRate);
        Assert.Equal(new PhaseTrigger(FaultPhase.Program, 50), set.Unplug);
        Assert.Equal(new PhaseTrigger(FaultPhase.Erase, 25), set.UsbTimeout);
        Assert.True(set.Chip.Rdp1);
        Assert.Equal([0, 1, 2, 3, 8], set.Chip.WriteProtectedPages!);
        Assert.Equal([new StuckBit(0x0800_0100, 0, false), new StuckBit(0x0800_0200, 7, true)], set.Chip.StuckBits!);
        Assert.True(set.HasBoardFault);
    }

    [Fact]
    public void Parse_UnplugConnect_NeedsNoPercent()
    {
        var set = FaultSet.Parse(["unplug:connect"]);

        Assert.Equal(new PhaseTrigger(FaultPhase.Connect, 0), set.Unplug);
        Assert.Null(set.UsbTimeout);
        Assert.False(set.HasBoardFault);
    }

    [Theory]
    [InlineData("no-power", "Unknown fault 'no-power'")]
    [InlineData("flaky-wait", "needs a rate")]
    [InlineData("flaky-wait:2", "needs a rate")]
    [InlineData("flaky-parity:0", "needs a rate above 0")]
    [InlineData("unplug:flash:10", "unknown phase 'flash'")]
    [InlineData("unplug:erase:150", "bad percentage '150'")]
    [InlineData("usb-timeout", "write 'usb-timeout:connect'")]
    [InlineData("wrp:3-1", "bad page list '3-1'")]
    [InlineData("stuck-bit:zz", "is malformed")]
    [InlineData("stuck-bit:0x08000000:8", "is malformed")]
    [InlineData("no-vcc:1", "takes no argument")]
    [InlineData("no-vcc,low-vcc", "contradict")]
    public void ParseList_BadFault_ThrowsNamingTheProblem(string list, string expected)
    {
        var error = Assert.Throws<EmulatorConfigurationException>(() => FaultSet.ParseList(list));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}

public sealed class BoardFaultTargetTests
{
    [Fact]
    public void SwdRemap_AnswersOnlyUnderResetAndStaysAttachedAfterRelease()
    {
        var harness = new ProbeHarness(faults: "swd-remap");

        var running = harness.In(2, 0xF2, 0x30, 0xA3);
        harness.In(2, 0xF2, 0x3C, 0x00);
        var underReset = harness.In(2, 0xF2, 0x30, 0xA3);
        harness.In(2, 0xF2, 0x3C, 0x01);
        var afterRelease = harness.In(12, 0xF2, 0x31);

        Assert.Equal(new byte[] { 0x09, 0x00 }, running);
        Assert.Equal(new byte[] { 0x80, 0x00 }, underReset);
        Assert.Equal(0x80, afterRelease[0]);
    }

    [Fact]
    public void SwdRemap_ResetWithoutTalking_LosesTheDebugPortAgain()
    {
        var harness = new ProbeHarness(faults: "swd-remap");

        harness.In(2, 0xF2, 0x3C, 0x02); // pulse: nobody talks while NRST is low
        var enter = harness.In(2, 0xF2, 0x30, 0xA3);

        Assert.Equal(new byte[] { 0x09, 0x00 }, enter);
    }

    [Fact]
    public void Brownout_AtConnect_VoltageDropsToZeroAndSwdGoesSilent()
    {
        var harness = new ProbeHarness(faults: "brownout:connect");
        var before = harness.In(8, 0xF7);

        var enter = harness.In(2, 0xF2, 0x30, 0xA3);
        var after = harness.In(8, 0xF7);
        var idcodes = harness.In(12, 0xF2, 0x31);

        Assert.Equal(2091u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(before.AsSpan(4)));
        Assert.Equal(new byte[] { 0x80, 0x00 }, enter);
        Assert.Equal(0u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(after.AsSpan(4)));
        Assert.Equal(0x09, idcodes[0]);
        Assert.False(harness.Probe.IsUnplugged);
    }
}
