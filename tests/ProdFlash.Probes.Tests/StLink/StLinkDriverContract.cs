using ProdFlash.Core.Targets;
using ProdFlash.Probes.Arm;
using ProdFlash.Probes.StLink;

namespace ProdFlash.Probes.Tests.StLink;

/// <summary>
/// Driver behaviour that must hold on any wire that behaves like an ST-LINK V2J37 with a genuine STM32F103 behind
/// it: the scripted wire here, and the emulator once it is merged (derive a class that returns its in-process wire).
/// </summary>
public abstract class StLinkDriverContract
{
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A fresh wire to a powered STM32F103 with 20 KiB of SRAM at 0x20000000.</summary>
    protected abstract IStLinkWire CreateWire();

    /// <summary>An address whose access faults on the bus (nothing mapped there).</summary>
    protected abstract uint UnmappedAddress { get; }

    private TargetConnection _connection;

    private async Task<StLinkTarget> ConnectedAsync()
    {
        var probe = new StLinkProbe(CreateWire());
        await probe.OpenAsync(Ct);
        var target = new StLinkTarget(probe);
        await target.SetFrequencyAsync(1800, Ct);
        _connection = await target.ConnectAsync(Ct);
        return target;
    }

    [Fact]
    public async Task OpenAsync_V2J37_FirmwareNameAndVidPid()
    {
        await using var probe = new StLinkProbe(CreateWire());

        var info = await probe.OpenAsync(Ct);

        Assert.Equal("V2J37S7", info.FirmwareName);
        Assert.Equal((ushort)0x0483, info.VendorId);
        Assert.Equal((ushort)0x3748, info.ProductId);
    }

    [Fact]
    public async Task ReadTargetVoltageAsync_PoweredTarget_Measurable()
    {
        await using var probe = new StLinkProbe(CreateWire());
        await probe.OpenAsync(Ct);

        var voltage = await probe.ReadTargetVoltageAsync(Ct);

        Assert.True(voltage.CanMeasure);
        Assert.InRange(voltage.Volts, 1.65, 3.6); // STM32F103 VDD operating range (DS5319 §5.3.1)
    }

    [Fact]
    public async Task ConnectAsync_GenuineF103_DpidrAndCpuid()
    {
        await using var target = await ConnectedAsync();

        Assert.Equal(0x1BA01477u, _connection.DpIdr);
        Assert.Equal(1800, _connection.FrequencyKHz);
        Assert.Equal(0x411FC231u, target.Cpuid);
        Assert.Equal(4096, target.Probe.AutoIncrementBoundary);
    }

    [Fact]
    public async Task WriteThenReadAsync_SramAcrossWidthsAndAlignment_RoundTrips()
    {
        await using var target = await ConnectedAsync();
        var data = Enumerable.Range(0, 1500).Select(i => (byte)(i * 13 + 1)).ToArray();

        await target.Memory.WriteAsync(0x20000001, data, AccessWidth.Word, Ct);
        var asWords = new byte[data.Length];
        await target.Memory.ReadAsync(0x20000001, asWords, AccessWidth.Word, Ct);
        var asBytes = new byte[7];
        await target.Memory.ReadAsync(0x20000003, asBytes, AccessWidth.Byte, Ct);

        Assert.Equal(data, asWords);
        Assert.Equal(data[2..9], asBytes);
    }

    [Fact]
    public async Task ReadAsync_UnmappedAddress_MemoryFaultAtThatAddress()
    {
        await using var target = await ConnectedAsync();

        var error = await Assert.ThrowsAsync<TargetMemoryFaultException>(async () => await target.Memory.ReadAsync(UnmappedAddress, new byte[4], AccessWidth.Word, Ct));

        Assert.Equal(UnmappedAddress, error.Address);
    }

    [Fact]
    public async Task DapAccess_DpIdrAndAhbApIdr_MatchReadIdCodes()
    {
        await using var target = await ConnectedAsync();

        var dpidr = await target.Dap!.ReadDpAsync(DpRegisters.DpIdr, Ct);

        Assert.Equal(0x1BA01477u, dpidr);
        Assert.Equal(0x1BA01477u, await target.Probe.ReadIdCodeAsync(Ct));
    }
}

/// <summary>The contract against the scripted wire of this test project.</summary>
public sealed class ScriptedWireContractTests : StLinkDriverContract
{
    protected override uint UnmappedAddress => 0x60000000;

    protected override IStLinkWire CreateWire()
    {
        var chip = new ScriptedSwdTarget();
        chip.Words[CortexM.Cpuid] = 0x411FC231;
        chip.FaultRanges.Add((0x60000000, 0xA0000000));
        return new FakeStLinkWire { Responder = chip.Respond };
    }
}
