using ProdFlash.Core.Targets;
using ProdFlash.Probes.Arm;
using ProdFlash.Probes.StLink;
using Xunit;

namespace ProdFlash.Testing.StLink;

/// <summary>
/// Driver behaviour that must hold on any wire that behaves like an ST-LINK with a genuine STM32F103 behind it: the
/// scripted wire of ProdFlash.Probes.Tests (a V2J37) and the emulator's in-process wire for every personality.
/// A derived class returns its wire and states what its firmware offers; the defaults describe a V2J37.
/// </summary>
public abstract class StLinkDriverContract
{
    /// <summary>DPIDR of the STM32F103's SW-DP (RM0008 §31.6.3: 0x1BA01477).</summary>
    public const uint F103DpIdr = 0x1BA01477;

    /// <summary>CPUID of the STM32F103's Cortex-M3 r1p1 (PM0056 §4.3.1: 0x411FC231).</summary>
    public const uint F103Cpuid = 0x411FC231;

    private TargetConnection _connection;

    /// <summary>The test's cancellation token.</summary>
    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>An address whose access faults on the bus (nothing mapped there).</summary>
    protected abstract uint UnmappedAddress { get; }

    /// <summary>Firmware name the probe reports (OpenOCD's <c>V2J37S7</c> form).</summary>
    protected virtual string ExpectedFirmware => "V2J37S7";

    /// <summary>USB PID the probe reports (VID is always 0x0483).</summary>
    protected virtual ushort ExpectedProductId => 0x3748;

    /// <summary>The SWD clock applied when 1800 kHz is asked for; null when the firmware cannot set it (V2 before J22).</summary>
    protected virtual int? AppliedFrequencyFor1800KHz => 1800;

    /// <summary>Whether the firmware gives raw DP/AP register access (V2 ≥ J24, V3).</summary>
    protected virtual bool HasDapRegisters => true;

    /// <summary>Clock for the target's DP power-up and core-state bounds.</summary>
    protected virtual TimeProvider TargetTime => TimeProvider.System;

    /// <summary>A fresh wire to a powered STM32F103 with 20 KiB of SRAM at 0x20000000.</summary>
    protected abstract IStLinkWire CreateWire();

    /// <summary>Driver options for the probe under test.</summary>
    protected virtual StLinkProbeOptions ProbeOptions => new();

    [Fact]
    public async Task OpenAsync_Probe_FirmwareNameAndVidPid()
    {
        await using var probe = new StLinkProbe(CreateWire(), ProbeOptions);

        var info = await probe.OpenAsync(Ct);

        Assert.Equal(ExpectedFirmware, info.FirmwareName);
        Assert.Equal((ushort)0x0483, info.VendorId);
        Assert.Equal(ExpectedProductId, info.ProductId);
    }

    [Fact]
    public async Task ReadTargetVoltageAsync_PoweredTarget_Measurable()
    {
        await using var probe = new StLinkProbe(CreateWire(), ProbeOptions);
        await probe.OpenAsync(Ct);

        var voltage = await probe.ReadTargetVoltageAsync(Ct);

        Assert.True(voltage.CanMeasure);
        Assert.InRange(voltage.Volts, 1.65, 3.6); // STM32F103 VDD operating range (DS5319 §5.3.1)
    }

    [Fact]
    public async Task SetFrequencyAsync_1800KHz_AppliedOrFirmwareTooOld()
    {
        await using var target = await OpenedAsync();

        if (AppliedFrequencyFor1800KHz is { } applied)
        {
            Assert.Equal(applied, await target.SetFrequencyAsync(1800, Ct));
        }
        else
        {
            var error = await Assert.ThrowsAsync<TargetException>(async () => await target.SetFrequencyAsync(1800, Ct));
            Assert.Equal(TargetErrorKind.ProbeFirmwareTooOld, error.Kind);
        }
    }

    [Fact]
    public async Task ConnectAsync_GenuineF103_DpidrAndCpuid()
    {
        await using var target = await ConnectedAsync();

        Assert.Equal(F103DpIdr, _connection.DpIdr);
        Assert.Equal(AppliedFrequencyFor1800KHz ?? StLinkTarget.DefaultSwdKiloHertz, _connection.FrequencyKHz);
        Assert.Equal(F103Cpuid, target.Cpuid);
        Assert.Equal(4096, target.Probe.AutoIncrementBoundary);
    }

    [Fact]
    public async Task WriteThenReadAsync_SramAcrossWidthsAndAlignment_RoundTrips()
    {
        await using var target = await ConnectedAsync();
        var data = Enumerable.Range(0, 1500).Select(i => (byte)((i * 13) + 1)).ToArray();

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
    public async Task DapAccess_DpIdr_MatchesReadIdCodesOrAbsentOnOldFirmware()
    {
        await using var target = await ConnectedAsync();

        if (HasDapRegisters)
        {
            Assert.Equal(F103DpIdr, await target.Dap!.ReadDpAsync(DpRegisters.DpIdr, Ct));
        }
        else
        {
            Assert.Null(target.Dap);
        }

        Assert.Equal(F103DpIdr, await target.Probe.ReadIdCodeAsync(Ct));
    }

    private async Task<StLinkTarget> OpenedAsync()
    {
        var probe = new StLinkProbe(CreateWire(), ProbeOptions);
        await probe.OpenAsync(Ct);
        return new StLinkTarget(probe, TargetTime);
    }

    private async Task<StLinkTarget> ConnectedAsync()
    {
        var target = await OpenedAsync();
        if (AppliedFrequencyFor1800KHz is not null)
        {
            await target.SetFrequencyAsync(1800, Ct);
        }

        _connection = await target.ConnectAsync(Ct);
        return target;
    }
}
