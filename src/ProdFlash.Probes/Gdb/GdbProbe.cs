using System.Globalization;

using ProdFlash.Core.Targets;

namespace ProdFlash.Probes.Gdb;

/// <summary>
/// A target behind a GDB remote-protocol server (OpenOCD, QEMU, pyOCD, J-Link GDB Server, Black Magic Probe) as Core's
/// <see cref="IDebugProbe"/>: memory through <c>m</c>/<c>X</c>/<c>M</c>, core control through the protocol's own run,
/// interrupt and register packets and a monitor reset, flash through <c>vFlash*</c> when the server's memory map has
/// flash (<see cref="IServerFlashProgramming"/>). Target voltage, NRST, the SWD clock, the DPIDR and DAP registers are
/// the server's business: <see cref="IProbeAvailability"/> says they are not available. Client errors become
/// <see cref="TargetException"/> here, in one place.
/// </summary>
/// <remarks>
/// Owns the client: disposing detaches (the target runs on) and closes the connection, best effort, never throwing.
/// Not thread-safe: one runner owns it.
/// </remarks>
public sealed class GdbProbe : IDebugProbe, ITargetMemory, ICoreControl, IProbeStatistics, IServerFlashProgramming, IProbeAvailability
{
    /// <summary>CPUID (ARMv7-M ARM B3.2.3), read on connect as proof that memory reads reach the core.</summary>
    public const uint CpuidAddress = 0xE000ED00;

    private const ProbeFeatures Missing = ProbeFeatures.TargetVoltage | ProbeFeatures.ResetLine | ProbeFeatures.SwdClock | ProbeFeatures.DebugPortIdentity | ProbeFeatures.DapRegisters;

    private readonly GdbClient _client;
    private readonly GdbProbeOptions _options;
    private readonly string _endpoint;
    private string? _resetCommand;
    private bool _disposed;

    /// <summary>Wraps a client whose handshake is done.</summary>
    /// <param name="client">The connected client; owned by the probe from now on.</param>
    /// <param name="endpoint">Where the server is, e.g. <c>gdb://127.0.0.1:3333</c>.</param>
    /// <param name="options">Timeouts and reset commands.</param>
    /// <param name="clock">The clock phase times are measured on; the system clock by default.</param>
    public GdbProbe(GdbClient client, string endpoint, GdbProbeOptions? options = null, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(endpoint);
        _client = client;
        _endpoint = endpoint;
        _options = options ?? new GdbProbeOptions();
        Clock = clock ?? TimeProvider.System;
        MemoryMap = client.MemoryMap;
        FlashRegions = [.. client.MemoryMap.Where(r => r.Kind == ServerMemoryKind.Flash)];
        var features = string.Create(CultureInfo.InvariantCulture, $"PacketSize={client.PacketSize}; no-ack {(client.Channel.NoAck ? "yes" : "no")}; memory map {(MemoryMap.Count > 0 ? $"{MemoryMap.Count} regions, {FlashRegions.Count} flash" : "none")}");
        Description = new ProbeDescription("GDB server", features, endpoint);
    }

    /// <inheritdoc />
    public ProbeDescription Description { get; }

    /// <summary>The protocol client underneath.</summary>
    public GdbClient Client => _client;

    /// <inheritdoc />
    public ITargetMemory Memory => this;

    /// <inheritdoc />
    public ICoreControl Core => this;

    /// <summary>Always null: a GDB server gives no raw DP/AP access.</summary>
    public IDapAccess? Dap => null;

    /// <summary>CPUID read by <see cref="ConnectAsync"/>; null before.</summary>
    public uint? Cpuid { get; private set; }

    /// <inheritdoc />
    public ProbeCounters Counters => new(_client.Channel.PacketsOut, _client.Channel.BytesOut, _client.Channel.BytesIn);

    /// <inheritdoc />
    public TimeProvider Clock { get; }

    /// <inheritdoc />
    public IReadOnlyList<ServerMemoryRegion> MemoryMap { get; }

    /// <inheritdoc />
    public IReadOnlyList<ServerMemoryRegion> FlashRegions { get; }

    /// <inheritdoc />
    public ProbeFeatures Unavailable => Missing;

    /// <summary>The monitor command that worked for reset-and-halt, once one did.</summary>
    public string? ResetCommand => _resetCommand;

    /// <inheritdoc />
    public string? WhyUnavailable(ProbeFeatures feature) => feature switch
    {
        ProbeFeatures.TargetVoltage => "a GDB server does not report the target voltage; check the board's supply another way",
        ProbeFeatures.ResetLine => "the GDB remote protocol has no NRST control; the server's own reset is used",
        ProbeFeatures.SwdClock => "the SWD clock is the GDB server's setting (e.g. OpenOCD 'adapter speed')",
        ProbeFeatures.DebugPortIdentity => "a GDB server does not report the debug port's DPIDR",
        ProbeFeatures.DapRegisters => "a GDB server gives no raw DP/AP register access",
        _ => null,
    };

    /// <summary>Not available: returns <c>CanMeasure = false</c> with the reason as evidence.</summary>
    public ValueTask<TargetVoltage> ReadTargetVoltageAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(new TargetVoltage(false, 0, "not available: " + WhyUnavailable(ProbeFeatures.TargetVoltage)));
    }

    /// <summary>Not available: throws <see cref="TargetException"/> (<see cref="TargetErrorKind.InvalidRequest"/>).</summary>
    public ValueTask DriveResetLineAsync(ResetLineAction action, CancellationToken cancellationToken) =>
        throw new TargetException(TargetErrorKind.InvalidRequest, $"Cannot {action.ToString().ToLowerInvariant()} NRST through {_endpoint}: {WhyUnavailable(ProbeFeatures.ResetLine)}. Use the normal or hot-plug connect mode.");

    /// <summary>Not available: the server keeps its own clock; returns 0 (no clock applied by us).</summary>
    public ValueTask<int> SetFrequencyAsync(int kiloHertz, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(0);
    }

    /// <summary>
    /// Halts the target if it runs and reads CPUID. The DPIDR is not available through a GDB server and is reported
    /// as 0, the frequency as 0 (the server's own).
    /// </summary>
    public async ValueTask<TargetConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        await HaltAsync(cancellationToken).ConfigureAwait(false);
        Cpuid = await this.ReadUInt32Async(CpuidAddress, cancellationToken).ConfigureAwait(false);
        return new TargetConnection(0, 0);
    }

    /// <inheritdoc />
    public ValueTask ReadAsync(uint address, Memory<byte> destination, AccessWidth width, CancellationToken cancellationToken) =>
        Translate(() => _client.ReadMemoryAsync(address, destination, cancellationToken), address);

    /// <inheritdoc />
    public ValueTask WriteAsync(uint address, ReadOnlyMemory<byte> source, AccessWidth width, CancellationToken cancellationToken) =>
        Translate(() => _client.WriteMemoryAsync(address, source, cancellationToken), address);

    /// <summary>The state as the protocol knows it: halted after a stop reply, running after a continue. DHCSR is not read (0).</summary>
    public async ValueTask<CoreState> GetStateAsync(CancellationToken cancellationToken)
    {
        var halted = await Translate(() => _client.PollStopAsync(cancellationToken), null).ConfigureAwait(false);
        return new CoreState(halted, false, false, false, 0);
    }

    /// <summary>Interrupts a running target (0x03) and waits for the stop reply, bounded by <see cref="GdbProbeOptions.HaltTimeout"/>.</summary>
    public async ValueTask HaltAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _client.InterruptAsync(cancellationToken, _options.HaltTimeout).ConfigureAwait(false);
        }
        catch (GdbTimeoutException ex)
        {
            throw new TargetException(TargetErrorKind.StateTimeout, $"The target behind {_endpoint} did not halt within {_options.HaltTimeout.TotalSeconds:0.#} s: {ex.Message}", ex);
        }
        catch (GdbException ex)
        {
            throw ToTargetException(ex, null);
        }
    }

    /// <inheritdoc />
    public ValueTask RunAsync(CancellationToken cancellationToken) =>
        Translate(() => _client.ContinueAsync(cancellationToken), null);

    /// <inheritdoc />
    /// <remarks>
    /// The server owns DHCSR, so the mask is PRIMASK = 1 (ARMv7-M B1.4.3: only NMI and HardFault remain), written
    /// through the register the server's target description names <c>primask</c>.
    /// </remarks>
    /// <exception cref="TargetException">The server names no <c>primask</c> register.</exception>
    public async ValueTask RunMaskedAsync(CancellationToken cancellationToken)
    {
        if (!_client.RegisterNumbers.TryGetValue("primask", out var primask))
        {
            throw new TargetException(TargetErrorKind.ProbeError,
                $"The GDB server at {_endpoint} names no 'primask' register, so loaded code cannot run with interrupts masked; program through the server's flash commands instead (its memory map must list the flash).");
        }

        await Translate(() => _client.WriteRegisterAsync(primask, 1, cancellationToken), null).ConfigureAwait(false);
        await RunAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Resets with the first of <see cref="GdbProbeOptions.ResetHaltCommands"/> the server understands and leaves the
    /// core halted.
    /// </summary>
    public async ValueTask ResetAndHaltAsync(CancellationToken cancellationToken)
    {
        await HaltAsync(cancellationToken).ConfigureAwait(false);
        var tried = new List<string>();
        foreach (var command in _resetCommand is null ? _options.ResetHaltCommands : [_resetCommand])
        {
            string output;
            try
            {
                output = await _client.MonitorAsync(command, cancellationToken, _options.FlashTimeout).ConfigureAwait(false);
            }
            catch (GdbErrorReplyException ex)
            {
                tried.Add($"'{command}': {ex.Message}");
                continue;
            }
            catch (GdbException ex)
            {
                throw ToTargetException(ex, null);
            }

            if (NotUnderstood(output))
            {
                tried.Add($"'{command}': {output.Trim()}");
                continue;
            }

            _resetCommand = command;
            return;
        }

        throw new TargetException(TargetErrorKind.ProbeError, $"The GDB server at {_endpoint} understood none of the reset commands: {string.Join("; ", tried)}. Set GdbProbeOptions.ResetHaltCommands to the server's own.");
    }

    /// <summary>Resets and halts as <see cref="ResetAndHaltAsync"/>, then lets the core run.</summary>
    public async ValueTask ResetAndRunAsync(CancellationToken cancellationToken)
    {
        await ResetAndHaltAsync(cancellationToken).ConfigureAwait(false);
        await RunAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public ValueTask<uint> ReadRegisterAsync(CoreRegister register, CancellationToken cancellationToken) =>
        Translate(() => _client.ReadRegisterAsync(RegisterNumber(register), cancellationToken), null);

    /// <inheritdoc />
    public ValueTask WriteRegisterAsync(CoreRegister register, uint value, CancellationToken cancellationToken) =>
        Translate(() => _client.WriteRegisterAsync(RegisterNumber(register), value, cancellationToken), null);

    /// <summary>Erases the flash blocks covering the range with <c>vFlashErase</c>, widened to the region's block size.</summary>
    public ValueTask EraseFlashAsync(uint address, uint length, CancellationToken cancellationToken)
    {
        var region = FlashRegions.FirstOrDefault(r => r.Start <= address && address < r.End)
            ?? throw new TargetException(TargetErrorKind.InvalidRequest, string.Create(CultureInfo.InvariantCulture, $"0x{address:X8} is not in a flash region of {_endpoint}'s memory map."));
        var block = region.BlockSize ?? 1;
        var start = address - ((address - region.Start) % block);
        var end = (ulong)address + length;
        var endAligned = Math.Min(region.End, region.Start + ((end - region.Start + block - 1) / block * block));
        return Translate(() => _client.FlashEraseAsync(start, (uint)(endAligned - start), cancellationToken, _options.FlashTimeout), start);
    }

    /// <inheritdoc />
    public ValueTask WriteFlashAsync(uint address, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        Translate(() => _client.FlashWriteAsync(address, data, cancellationToken), address);

    /// <inheritdoc />
    public ValueTask CommitFlashAsync(CancellationToken cancellationToken) =>
        Translate(() => _client.FlashDoneAsync(cancellationToken, _options.FlashTimeout), null);

    /// <summary>Sends a monitor command and returns the server's output.</summary>
    public ValueTask<string> MonitorAsync(string command, CancellationToken cancellationToken) =>
        Translate(() => _client.MonitorAsync(command, cancellationToken), null);

    /// <summary>Detaches (the target runs on) and closes the connection. Never throws.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            using var limit = new CancellationTokenSource(_options.Channel.Timeout);
            await _client.DetachAsync(limit.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is GdbException or OperationCanceledException or InvalidOperationException)
        {
            // Best effort: the server or the connection is gone; closing is all that is left.
        }

        await _client.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>The one place GDB client errors become <see cref="TargetException"/>.</summary>
    internal TargetException ToTargetException(GdbException error, uint? address) => error switch
    {
        GdbErrorReplyException reply when reply.Address is { } at => new TargetMemoryFaultException(at, $"{reply.Message} The address is not accessible through {_endpoint} (unmapped, or protected).", reply),
        GdbErrorReplyException reply => new TargetException(TargetErrorKind.ProbeError, $"{reply.Message} ({_endpoint})", reply),
        GdbTimeoutException timeout => new TargetException(TargetErrorKind.NoResponse, $"{timeout.Message} ({_endpoint}) Check that the server is still attached to the target.", timeout),
        GdbTransportException transport => new TargetException(TargetErrorKind.ProbeTransport, $"{transport.Message} ({_endpoint})", transport),
        _ => new TargetException(TargetErrorKind.ProbeError, address is { } a ? string.Create(CultureInfo.InvariantCulture, $"{error.Message} (at 0x{a:X8}, {_endpoint})") : $"{error.Message} ({_endpoint})", error),
    };

    private static bool NotUnderstood(string output) =>
        output.Contains("unknown command", StringComparison.OrdinalIgnoreCase)
        || output.Contains("invalid command", StringComparison.OrdinalIgnoreCase);

    private int RegisterNumber(CoreRegister register)
    {
        var names = register switch
        {
            CoreRegister.Sp => ["sp", "r13"],
            CoreRegister.Lr => ["lr", "r14"],
            CoreRegister.Pc => ["pc", "r15"],
            CoreRegister.Xpsr => ["xpsr", "cpsr"],
            CoreRegister.Msp => ["msp"],
            CoreRegister.Psp => ["psp"],
            _ => new[] { "r" + ((int)register).ToString(CultureInfo.InvariantCulture) },
        };
        foreach (var name in names)
        {
            if (_client.RegisterNumbers.TryGetValue(name, out var number))
            {
                return number;
            }
        }

        // Without a target description r0-r15 are numbers 0-15 in every ARM GDB layout; others are unknown.
        return register <= CoreRegister.Pc
            ? (int)register
            : throw new TargetException(TargetErrorKind.InvalidRequest, $"{_endpoint} has no target description naming register {register}.");
    }

    private async ValueTask Translate(Func<ValueTask> operation, uint? address)
    {
        try
        {
            await operation().ConfigureAwait(false);
        }
        catch (GdbException ex)
        {
            throw ToTargetException(ex, address);
        }
        catch (InvalidOperationException ex) when (_client.Running)
        {
            throw new TargetException(TargetErrorKind.InvalidRequest, ex.Message, ex);
        }
    }

    private async ValueTask<T> Translate<T>(Func<ValueTask<T>> operation, uint? address)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (GdbException ex)
        {
            throw ToTargetException(ex, address);
        }
        catch (InvalidOperationException ex) when (_client.Running)
        {
            throw new TargetException(TargetErrorKind.InvalidRequest, ex.Message, ex);
        }
    }
}
