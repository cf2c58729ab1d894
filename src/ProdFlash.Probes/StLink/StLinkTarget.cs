using System.Globalization;

using ProdFlash.Core.Targets;
using ProdFlash.Probes.Arm;

namespace ProdFlash.Probes.StLink;

/// <summary>
/// The Core target abstractions (<see cref="IDebugProbe"/>, <see cref="ITargetMemory"/>, <see cref="IDapAccess"/>,
/// and <see cref="ICoreControl"/> through <see cref="CortexMCore"/>) on top of an <see cref="StLinkProbe"/>. Driver
/// errors are translated to <see cref="TargetException"/> here, in one place.
/// </summary>
/// <remarks>
/// Owns the probe: disposing the target disposes the probe (best effort, never throws). Not thread-safe: one runner
/// owns it. The probe must be opened (<see cref="StLinkProbe.OpenAsync"/>) before the target is used.
/// </remarks>
public sealed class StLinkTarget : IDebugProbe, ITargetMemory, IDapAccess, IProbeStatistics
{
    /// <summary>The SWD clock a V2 runs at before SWD_SET_FREQ (divisor 1, OpenOCD's default, reference §2.3).</summary>
    public const int DefaultSwdKiloHertz = 1800;

    private readonly StLinkProbe _probe;
    private readonly CortexMCore _core;
    private int _frequencyKiloHertz = DefaultSwdKiloHertz;

    /// <summary>Wraps an opened probe.</summary>
    /// <param name="probe">The opened driver; owned by the target from now on.</param>
    /// <param name="timeProvider">Clock for the DP power-up and core-state bounds.</param>
    /// <param name="serial">The probe's serial (24 hex characters), when discovery knows it.</param>
    /// <param name="cloneSignals">Signs of a clone probe that discovery saw (binary, placeholder or duplicate serial).</param>
    public StLinkTarget(StLinkProbe probe, TimeProvider? timeProvider = null, string? serial = null, ProdFlash.Core.Diagnostics.CloneProbeSignals cloneSignals = ProdFlash.Core.Diagnostics.CloneProbeSignals.None)
    {
        ArgumentNullException.ThrowIfNull(probe);
        _probe = probe;
        TimeProvider = timeProvider ?? TimeProvider.System;
        _core = new CortexMCore(this, TimeProvider);
        var info = probe.Info;
        Description = new ProbeDescription(VariantName(info.Variant), info.FirmwareName, probe.Description, serial, cloneSignals);
    }

    /// <inheritdoc />
    public ProbeDescription Description { get; }

    /// <summary>The driver underneath, for its <see cref="StLinkProbe.Counters"/> and <see cref="StLinkProbe.Info"/>.</summary>
    public StLinkProbe Probe => _probe;

    /// <inheritdoc />
    public ITargetMemory Memory => this;

    /// <inheritdoc />
    public ProbeCounters Counters
    {
        get
        {
            var counters = _probe.Counters;
            return new ProbeCounters(counters.Transactions, counters.BytesOut, counters.BytesIn);
        }
    }

    /// <inheritdoc />
    public ICoreControl Core => _core;

    /// <inheritdoc />
    public IDapAccess? Dap => (_probe.Info.Capabilities & StLinkCapabilities.DapRegisters) != 0 ? this : null;

    /// <summary>CPUID read by <see cref="ConnectAsync"/>; null before.</summary>
    public uint? Cpuid { get; private set; }

    /// <inheritdoc />
    public TimeProvider Clock => TimeProvider;

    private TimeProvider TimeProvider { get; }

    /// <inheritdoc />
    public async ValueTask<TargetVoltage> ReadTargetVoltageAsync(CancellationToken cancellationToken)
    {
        var reading = await Translate(() => _probe.ReadTargetVoltageAsync(cancellationToken)).ConfigureAwait(false);
        var evidence = string.Create(CultureInfo.InvariantCulture, $"adc0={reading.ReferenceSample} adc1={reading.SenseSample}");
        return reading.CanMeasure
            ? new TargetVoltage(true, reading.Volts, string.Create(CultureInfo.InvariantCulture, $"{evidence} → {reading.Volts:0.00} V"))
            : new TargetVoltage(false, 0, $"{evidence}: the probe's ADC returned no reference sample, it cannot measure");
    }

    /// <inheritdoc />
    public ValueTask DriveResetLineAsync(ResetLineAction action, CancellationToken cancellationToken) =>
        TranslateVoid(() => _probe.DriveNrstAsync(action, cancellationToken));

    /// <inheritdoc />
    public async ValueTask<int> SetFrequencyAsync(int kiloHertz, CancellationToken cancellationToken)
    {
        _frequencyKiloHertz = await Translate(() => _probe.SetSwdFrequencyAsync(kiloHertz, cancellationToken)).ConfigureAwait(false);
        return _frequencyKiloHertz;
    }

    /// <summary>
    /// Enters SWD, reads the DPIDR (READ_IDCODES), powers the debug port up where the firmware gives DAP register
    /// access (V2 ≥ J24, V3), reads CPUID and sets the TAR boundary to 4 KiB on a Cortex-M3/M4.
    /// </summary>
    public async ValueTask<TargetConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        await TranslateVoid(() => _probe.EnterSwdAsync(cancellationToken)).ConfigureAwait(false);
        var dpidr = await Translate(() => _probe.ReadIdCodeAsync(cancellationToken)).ConfigureAwait(false);
        if (Dap is { } dap)
        {
            await new DebugPort(dap, TimeProvider).PowerUpAsync(cancellationToken).ConfigureAwait(false);
        }

        var cpuid = await this.ReadUInt32Async(CortexM.Cpuid, cancellationToken).ConfigureAwait(false);
        Cpuid = cpuid;
        _probe.AutoIncrementBoundary = CortexM.AutoIncrementBoundary(cpuid);
        return new TargetConnection(dpidr, _frequencyKiloHertz);
    }

    /// <inheritdoc />
    public ValueTask ReadAsync(uint address, Memory<byte> destination, AccessWidth width, CancellationToken cancellationToken) =>
        TranslateVoid(() => _probe.ReadMemoryAsync(address, destination, width, cancellationToken));

    /// <inheritdoc />
    public ValueTask WriteAsync(uint address, ReadOnlyMemory<byte> source, AccessWidth width, CancellationToken cancellationToken) =>
        TranslateVoid(() => _probe.WriteMemoryAsync(address, source, width, cancellationToken));

    /// <inheritdoc />
    public ValueTask<uint> ReadDpAsync(byte address, CancellationToken cancellationToken) =>
        Translate(() => _probe.ReadDapRegisterAsync(StLinkCommand.DapPortDebugPort, address, cancellationToken));

    /// <inheritdoc />
    public ValueTask WriteDpAsync(byte address, uint value, CancellationToken cancellationToken) =>
        TranslateVoid(() => _probe.WriteDapRegisterAsync(StLinkCommand.DapPortDebugPort, address, value, cancellationToken));

    /// <inheritdoc />
    public ValueTask<uint> ReadApAsync(byte ap, byte address, CancellationToken cancellationToken) =>
        Translate(() => _probe.ReadDapRegisterAsync(ap, address, cancellationToken));

    /// <inheritdoc />
    public ValueTask WriteApAsync(byte ap, byte address, uint value, CancellationToken cancellationToken) =>
        TranslateVoid(() => _probe.WriteDapRegisterAsync(ap, address, value, cancellationToken));

    /// <summary>Disposes the probe (leaves debug mode best-effort, releases the wire). Never throws.</summary>
    public ValueTask DisposeAsync() => _probe.DisposeAsync();

    /// <summary>The one place ST-LINK driver errors become <see cref="TargetException"/>.</summary>
    internal static TargetException ToTargetException(Exception error) => error switch
    {
        StLinkMemoryFaultException fault => new TargetMemoryFaultException(fault.Address, fault.Message, fault),
        StLinkWaitTimeoutException wait => new TargetException(TargetErrorKind.WaitTimeout, wait.Message, wait),
        StLinkFirmwareTooOldException old => new TargetException(TargetErrorKind.ProbeFirmwareTooOld, old.Message, old),
        StLinkException { Status: StLinkStatus.NoDeviceConnected or StLinkStatus.GetIdCodeError or StLinkStatus.UnknownJtagChain } none =>
            new TargetException(TargetErrorKind.NoResponse, none.Message, none),
        StLinkException { Status: StLinkStatus.SwdApParityError or StLinkStatus.SwdDpParityError or StLinkStatus.SwdApError or StLinkStatus.SwdDpError } link =>
            new TargetException(TargetErrorKind.LinkError, link.Message, link),
        StLinkException { Status: StLinkStatus.AlignmentError } align => new TargetException(TargetErrorKind.InvalidRequest, align.Message, align),
        StLinkTransportException transport => new TargetException(TargetErrorKind.ProbeTransport, transport.Message, transport),
        _ => new TargetException(TargetErrorKind.ProbeError, error.Message, error),
    };

    private static string VariantName(StLinkVariant variant) => variant switch
    {
        StLinkVariant.V1 => "ST-LINK/V1",
        StLinkVariant.V2 => "ST-LINK/V2",
        StLinkVariant.V2_1 => "ST-LINK/V2-1",
        _ => "STLINK-V3",
    };

    private static async ValueTask<T> Translate<T>(Func<ValueTask<T>> operation)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is StLinkException or StLinkTransportException)
        {
            throw ToTargetException(ex);
        }
    }

    private static async ValueTask TranslateVoid(Func<ValueTask> operation)
    {
        try
        {
            await operation().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is StLinkException or StLinkTransportException)
        {
            throw ToTargetException(ex);
        }
    }
}
