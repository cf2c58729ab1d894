using System.Buffers.Binary;
using System.Globalization;

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

using ProdFlash.Core.Targets;
using ProdFlash.Probes.Arm;

namespace ProdFlash.Probes.StLink;

/// <summary>
/// The ST-LINK V2 / V2-1 / V3 debug protocol (API v2/v3) over one <see cref="IStLinkWire"/>
/// (reference/stlink-protocol.md §2-§4).
/// </summary>
/// <remarks>
/// Owns its wire: <see cref="DisposeAsync"/> leaves debug mode on a best-effort basis and disposes the wire; it never
/// throws. Not thread-safe: one runner owns one probe and awaits each call before the next; only
/// <see cref="Counters"/> may be read from another thread. Every status is checked where it is returned; WAIT
/// (0x10, 0x14) is retried with exponential backoff up to <see cref="StLinkProbeOptions.MaxWaitRetries"/>, nothing
/// else is retried. <see cref="OperationCanceledException"/> passes untouched.
/// </remarks>
public sealed partial class StLinkProbe : IAsyncDisposable
{
    /// <summary>Maximum bytes of one 32-bit or 16-bit memory command (OpenOCD <c>STLINK_DATA_SIZE</c>, OCD:74,102).</summary>
    public const int MaxWordTransfer = 6144;

    /// <summary>Maximum bytes of one 8-bit memory command on V1/V2/V2-1 and V3 &lt; J6 (<c>STLINK_MAX_RW8</c>, OCD:98).</summary>
    public const int MaxByteTransfer = 64;

    /// <summary>Maximum bytes of one 8-bit memory command on V3 ≥ J6 (<c>STLINKV3_MAX_RW8</c>, OCD:101).</summary>
    public const int MaxByteTransferV3 = 512;

    /// <summary>V2 SWD divisor table of OpenOCD 0.12, kHz → divisor (OCD:532-556, reference §2.3).</summary>
    public static IReadOnlyList<(int KiloHertz, ushort Divisor)> V2SwdFrequencies { get; } =
    [
        (4000, 0), (1800, 1), (1200, 2), (950, 3), (480, 7), (240, 15), (125, 31), (100, 40), (50, 79), (25, 158), (15, 265), (5, 798),
    ];

    // Reply sizes of reference §2.1-§2.2 (OpenOCD 0.12 line numbers there).
    private const int StatusReplyLength = 2; // status + 1 pad byte: ENTER, WRITE_DAP_REG, DRIVE_NRST, INIT_AP, SWD_SET_FREQ
    private const int LastRwStatus2ReplyLength = 12; // GETLASTRWSTATUS2, OCD:2429-2449
    private const int DapRegisterReplyLength = 8; // READ_DAP_REG / READ_DEBUG_REG, value at [4..7]
    private const int IdCodesReplyLength = 12; // READ_IDCODES, OCD:1987-2017
    private const int VoltageReplyLength = 8; // GET_TARGET_VOLTAGE, OCD:1443-1474
    private const int ComFrequencyReplyLength = 52; // GET_COM_FREQ, OCD:3099-3132
    private const int SetComFrequencyReplyLength = 8; // SET_COM_FREQ, OCD:3134-3151
    private const int MaxComFrequencies = 10; // GET_COM_FREQ count bound, STLINK_V3_MAX_FREQ_NB

    private readonly IStLinkWire _wire;
    private readonly StLinkProbeOptions _options;
    private readonly ILogger _logger;
    private readonly HashSet<byte> _openAps = [];
    private StLinkInfo? _info;
    private bool _inDebugMode;
    private bool _disposed;
    private long _transactions;
    private long _bytesOut;
    private long _bytesIn;

    /// <summary>Creates the driver over <paramref name="wire"/>, which it owns from now on.</summary>
    /// <param name="wire">The transport (USB, stlink-server TCP, emulator).</param>
    /// <param name="options">Timeouts, WAIT retry bound, transfer boundary; defaults follow OpenOCD 0.12.</param>
    /// <param name="logger">Receives one entry per WAIT retry and per best-effort cleanup failure.</param>
    public StLinkProbe(IStLinkWire wire, StLinkProbeOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(wire);
        _wire = wire;
        _options = options ?? new StLinkProbeOptions();
        if (_options.AutoIncrementBoundary is not (1024 or 4096))
        {
            throw new ArgumentException($"AutoIncrementBoundary must be 1024 or 4096 bytes (reference §4.2), not {_options.AutoIncrementBoundary}.", nameof(options));
        }

        if (_options.MaxWordTransfer < 4 || _options.MaxWordTransfer > MaxWordTransfer || _options.MaxWordTransfer % 4 != 0)
        {
            throw new ArgumentException($"MaxWordTransfer must be a multiple of 4 between 4 and {MaxWordTransfer} bytes, not {_options.MaxWordTransfer}.", nameof(options));
        }

        _logger = logger ?? NullLogger.Instance;
        AutoIncrementBoundary = _options.AutoIncrementBoundary;
    }

    /// <summary>What <see cref="OpenAsync"/> found; throws before it ran.</summary>
    public StLinkInfo Info => _info ?? throw new InvalidOperationException("The probe is not open: call OpenAsync first.");

    /// <summary>The wire's description of the far end.</summary>
    public string Description => _wire.Description;

    /// <summary>
    /// TAR auto-increment boundary used to split memory transfers (1024, or 4096 once the core is known to be a
    /// Cortex-M3/M4, reference §4.2).
    /// </summary>
    public int AutoIncrementBoundary
    {
        get;
        set => field = value is 1024 or 4096
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, "The TAR auto-increment boundary is 1024 or 4096 bytes (reference §4.2).");
    }

    /// <summary>Transactions and bytes moved so far; safe to read from any thread.</summary>
    public StLinkCounters Counters => new(Interlocked.Read(ref _transactions), Interlocked.Read(ref _bytesOut), Interlocked.Read(ref _bytesIn));

    private StLinkCapabilities Caps => Info.Capabilities;

    /// <summary>
    /// Reads the firmware version (GET_VERSION, then GET_VERSION_EX on V3), reads the current mode and leaves DFU,
    /// SWIM or a stale debug session like OpenOCD's <c>stlink_usb_exit_mode</c>; mass-storage mode needs nothing.
    /// </summary>
    /// <exception cref="StLinkException">The probe is an ST-LINK/V1 or replied out of protocol.</exception>
    /// <exception cref="StLinkTransportException">The transport failed.</exception>
    public async ValueTask<StLinkInfo> OpenAsync(CancellationToken cancellationToken)
    {
        var reply = new byte[StLinkVersion.VersionExReplyLength];
        await ExpectAsync(Cdb(StLinkCommand.GetVersion, 0x00), reply.AsMemory(0, StLinkVersion.VersionReplyLength), cancellationToken).ConfigureAwait(false);
        var version = StLinkVersion.Decode(reply);
        if (StLinkVersion.NeedsVersionEx(reply))
        {
            await ExpectAsync(Cdb(StLinkCommand.GetVersionEx), reply, cancellationToken).ConfigureAwait(false);
            version = StLinkVersion.DecodeEx(reply);
        }

        if (version.Major < 2)
        {
            throw new StLinkException(
                $"ST-LINK/V1 ({version.Name}) speaks SCSI pass-through, which this station does not drive; use an ST-LINK/V2 or newer.",
                "GET_VERSION (F1)");
        }

        var mode = await ReadModeAsync(cancellationToken).ConfigureAwait(false);
        byte[]? leave = mode switch
        {
            StLinkMode.Dfu => Cdb(StLinkCommand.Dfu, StLinkCommand.DfuExit),
            StLinkMode.Debug => Cdb(StLinkCommand.Debug, StLinkCommand.DebugExit),
            StLinkMode.Swim => Cdb(StLinkCommand.Swim, StLinkCommand.SwimExit),
            _ => null,
        };
        if (leave is not null)
        {
            await TransferAsync(leave, ReadOnlyMemory<byte>.Empty, Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
            await ReadModeAsync(cancellationToken).ConfigureAwait(false);
        }

        _info = new StLinkInfo(version, mode, _wire.Description);
        return _info;
    }

    /// <summary>GET_CURRENT_MODE (<c>F5</c>), 2-byte reply, mode in byte 0.</summary>
    public async ValueTask<StLinkMode> ReadModeAsync(CancellationToken cancellationToken)
    {
        var reply = new byte[2];
        await ExpectAsync(Cdb(StLinkCommand.GetCurrentMode), reply, cancellationToken).ConfigureAwait(false);
        return (StLinkMode)reply[0];
    }

    /// <summary>GET_TARGET_VOLTAGE (<c>F7</c>): adc0 and adc1, little-endian u32 at [0] and [4]; no status byte.</summary>
    /// <exception cref="StLinkFirmwareTooOldException">V2 before J13.</exception>
    public async ValueTask<StLinkVoltage> ReadTargetVoltageAsync(CancellationToken cancellationToken)
    {
        Require(StLinkCapabilities.TargetVoltage, "GET_TARGET_VOLTAGE (F7)", "V2J13 or any V3");
        var reply = new byte[VoltageReplyLength];
        await ExpectAsync(Cdb(StLinkCommand.GetTargetVoltage), reply, cancellationToken).ConfigureAwait(false);
        return new StLinkVoltage(BinaryPrimitives.ReadUInt32LittleEndian(reply), BinaryPrimitives.ReadUInt32LittleEndian(reply.AsSpan(4)));
    }

    /// <summary>
    /// Sets the SWD clock to the highest supported value not above <paramref name="kiloHertz"/> (the lowest when
    /// none is, like OpenOCD's <c>stlink_match_speed_map</c>). V2: SWD_SET_FREQ with the divisor table; V3:
    /// GET_COM_FREQ, then SET_COM_FREQ, returning the value the probe says it applied.
    /// </summary>
    /// <returns>The applied frequency in kHz.</returns>
    /// <exception cref="StLinkFirmwareTooOldException">V2 before J22.</exception>
    public async ValueTask<int> SetSwdFrequencyAsync(int kiloHertz, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kiloHertz);
        if ((Caps & StLinkCapabilities.ComFrequency) != 0)
        {
            var table = await ReadComFrequenciesAsync(cancellationToken).ConfigureAwait(false);
            var chosen = table.Count == 0 ? kiloHertz : MatchSpeed(table, kiloHertz);
            var set = Cdb(StLinkCommand.Debug, StLinkCommand.SetComFrequency, StLinkCommand.ComFrequencySwd, 0x00);
            BinaryPrimitives.WriteUInt32LittleEndian(set.AsSpan(4), (uint)chosen);
            var reply = await CommandAsync(set, SetComFrequencyReplyLength, cancellationToken).ConfigureAwait(false);
            return (int)BinaryPrimitives.ReadUInt32LittleEndian(reply.AsSpan(4));
        }

        Require(StLinkCapabilities.SwdSetFrequency, "SWD_SET_FREQ (F2 43)", "V2J22 or any V3");
        var speed = MatchSpeed(V2SwdFrequencies.Select(s => s.KiloHertz).ToList(), kiloHertz);
        var divisor = V2SwdFrequencies.First(s => s.KiloHertz == speed).Divisor;
        var cdb = Cdb(StLinkCommand.Debug, StLinkCommand.SwdSetFrequency);
        BinaryPrimitives.WriteUInt16LittleEndian(cdb.AsSpan(2), divisor);
        await CommandAsync(cdb, StatusReplyLength, cancellationToken).ConfigureAwait(false);
        return speed;
    }

    /// <summary>GET_COM_FREQ (<c>F2 62 00</c>, V3): the supported SWD frequencies in kHz ([8] count ≤ 10, [12+4i] values).</summary>
    public async ValueTask<IReadOnlyList<int>> ReadComFrequenciesAsync(CancellationToken cancellationToken)
    {
        Require(StLinkCapabilities.ComFrequency, "GET_COM_FREQ (F2 62)", "any V3");
        var reply = await CommandAsync(Cdb(StLinkCommand.Debug, StLinkCommand.GetComFrequency, StLinkCommand.ComFrequencySwd), ComFrequencyReplyLength, cancellationToken).ConfigureAwait(false);
        var count = (int)Math.Min(BinaryPrimitives.ReadUInt32LittleEndian(reply.AsSpan(8)), MaxComFrequencies);
        var list = new List<int>(count);
        for (var i = 0; i < count; i++)
        {
            list.Add((int)BinaryPrimitives.ReadUInt32LittleEndian(reply.AsSpan(12 + (4 * i))));
        }

        return list;
    }

    /// <summary>Enters SWD (<c>F2 30 A3</c>), checks the probe now reports debug mode, and runs INIT_AP 0 where the firmware needs it (V2 ≥ J28, V3).</summary>
    public async ValueTask EnterSwdAsync(CancellationToken cancellationToken)
    {
        await CommandAsync(Cdb(StLinkCommand.Debug, StLinkCommand.DebugEnter, StLinkCommand.EnterSwd), StatusReplyLength, cancellationToken).ConfigureAwait(false);
        _inDebugMode = true;
        var mode = await ReadModeAsync(cancellationToken).ConfigureAwait(false);
        if (mode != StLinkMode.Debug)
        {
            throw new StLinkException($"After ENTER SWD the probe reports mode {mode}, not Debug; unplug and replug the probe.", "ENTER_SWD (F2 30 A3)");
        }

        await InitApAsync(0, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>INIT_AP (<c>F2 4B ap</c>) once per AP on firmware with multi-AP support (V2 ≥ J28, V3); nothing on older firmware.</summary>
    public async ValueTask InitApAsync(byte ap, CancellationToken cancellationToken)
    {
        if ((Caps & StLinkCapabilities.ApInit) == 0 || _openAps.Contains(ap))
        {
            return;
        }

        await CommandAsync(Cdb(StLinkCommand.Debug, StLinkCommand.InitAp, ap), StatusReplyLength, cancellationToken).ConfigureAwait(false);
        _openAps.Add(ap);
    }

    /// <summary>CLOSE_AP_DBG (<c>F2 4C ap</c>); the status is ignored before J29 like OpenOCD (OCD:3881-3900).</summary>
    public async ValueTask CloseApAsync(byte ap, CancellationToken cancellationToken)
    {
        if (!_openAps.Remove(ap))
        {
            return;
        }

        var cdb = Cdb(StLinkCommand.Debug, StLinkCommand.CloseAp, ap);
        if ((Caps & StLinkCapabilities.CloseApStatus) != 0)
        {
            await CommandAsync(cdb, StatusReplyLength, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await ExpectAsync(cdb, new byte[StatusReplyLength], cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>READ_IDCODES (<c>F2 31</c>): the DPIDR at reply [4..7].</summary>
    public async ValueTask<uint> ReadIdCodeAsync(CancellationToken cancellationToken)
    {
        var reply = await CommandAsync(Cdb(StLinkCommand.Debug, StLinkCommand.ReadIdCodes), IdCodesReplyLength, cancellationToken).ConfigureAwait(false);
        return BinaryPrimitives.ReadUInt32LittleEndian(reply.AsSpan(4));
    }

    /// <summary>READ_DAP_REG (<c>F2 45 port16 addr16</c>); port <see cref="StLinkCommand.DapPortDebugPort"/> is the DP.</summary>
    /// <exception cref="StLinkFirmwareTooOldException">V2 before J24.</exception>
    public async ValueTask<uint> ReadDapRegisterAsync(ushort port, ushort address, CancellationToken cancellationToken)
    {
        Require(StLinkCapabilities.DapRegisters, "READ_DAP_REG (F2 45)", "V2J24 or any V3");
        if (port != StLinkCommand.DapPortDebugPort)
        {
            await InitApAsync((byte)port, cancellationToken).ConfigureAwait(false);
        }

        var cdb = Cdb(StLinkCommand.Debug, StLinkCommand.ReadDapRegister);
        BinaryPrimitives.WriteUInt16LittleEndian(cdb.AsSpan(2), port);
        BinaryPrimitives.WriteUInt16LittleEndian(cdb.AsSpan(4), address);
        var reply = await CommandAsync(cdb, DapRegisterReplyLength, cancellationToken).ConfigureAwait(false);
        return BinaryPrimitives.ReadUInt32LittleEndian(reply.AsSpan(4));
    }

    /// <summary>WRITE_DAP_REG (<c>F2 46 port16 addr16 value32</c>); port <see cref="StLinkCommand.DapPortDebugPort"/> is the DP.</summary>
    /// <exception cref="StLinkFirmwareTooOldException">V2 before J24.</exception>
    public async ValueTask WriteDapRegisterAsync(ushort port, ushort address, uint value, CancellationToken cancellationToken)
    {
        Require(StLinkCapabilities.DapRegisters, "WRITE_DAP_REG (F2 46)", "V2J24 or any V3");
        if (port != StLinkCommand.DapPortDebugPort)
        {
            await InitApAsync((byte)port, cancellationToken).ConfigureAwait(false);
        }

        var cdb = Cdb(StLinkCommand.Debug, StLinkCommand.WriteDapRegister);
        BinaryPrimitives.WriteUInt16LittleEndian(cdb.AsSpan(2), port);
        BinaryPrimitives.WriteUInt16LittleEndian(cdb.AsSpan(4), address);
        BinaryPrimitives.WriteUInt32LittleEndian(cdb.AsSpan(6), value);
        await CommandAsync(cdb, StatusReplyLength, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>READ_DEBUG_REG (<c>F2 36 addr32</c>): one 32-bit word, value at reply [4..7].</summary>
    public async ValueTask<uint> ReadDebugRegisterAsync(uint address, CancellationToken cancellationToken)
    {
        var cdb = Cdb(StLinkCommand.Debug, StLinkCommand.ReadDebugRegister);
        BinaryPrimitives.WriteUInt32LittleEndian(cdb.AsSpan(2), address);
        var reply = await CommandAsync(cdb, DapRegisterReplyLength, cancellationToken).ConfigureAwait(false);
        return BinaryPrimitives.ReadUInt32LittleEndian(reply.AsSpan(4));
    }

    /// <summary>WRITE_DEBUG_REG (<c>F2 35 addr32 value32</c>): one 32-bit word.</summary>
    public async ValueTask WriteDebugRegisterAsync(uint address, uint value, CancellationToken cancellationToken)
    {
        var cdb = Cdb(StLinkCommand.Debug, StLinkCommand.WriteDebugRegister);
        BinaryPrimitives.WriteUInt32LittleEndian(cdb.AsSpan(2), address);
        BinaryPrimitives.WriteUInt32LittleEndian(cdb.AsSpan(6), value);
        await CommandAsync(cdb, StatusReplyLength, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>DRIVE_NRST (<c>F2 3C n</c>): 0 low (assert), 1 high (release), 2 pulse.</summary>
    public async ValueTask DriveNrstAsync(ResetLineAction action, CancellationToken cancellationToken)
    {
        var argument = action switch
        {
            ResetLineAction.Assert => StLinkCommand.NrstLow,
            ResetLineAction.Release => StLinkCommand.NrstHigh,
            ResetLineAction.Pulse => StLinkCommand.NrstPulse,
            _ => throw new ArgumentOutOfRangeException(nameof(action), action, "Unknown NRST action."),
        };
        await CommandAsync(Cdb(StLinkCommand.Debug, StLinkCommand.DriveNrst, argument), StatusReplyLength, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads target memory, split into commands by <see cref="PlanTransfer"/>, each followed by GETLASTRWSTATUS(2).
    /// </summary>
    /// <exception cref="StLinkMemoryFaultException">A chunk faulted; carries the fault address.</exception>
    public async ValueTask ReadMemoryAsync(uint address, Memory<byte> destination, AccessWidth width, CancellationToken cancellationToken)
    {
        foreach (var chunk in PlanTransfer(address, destination.Length, width))
        {
            var slice = destination.Slice((int)(chunk.Address - address), chunk.Length);
            await MemoryChunkAsync(chunk, slice, ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes target memory, split into commands by <see cref="PlanTransfer"/>, each followed by GETLASTRWSTATUS(2).
    /// </summary>
    /// <exception cref="StLinkMemoryFaultException">A chunk faulted; carries the fault address.</exception>
    public async ValueTask WriteMemoryAsync(uint address, ReadOnlyMemory<byte> source, AccessWidth width, CancellationToken cancellationToken)
    {
        foreach (var chunk in PlanTransfer(address, source.Length, width))
        {
            var slice = source.Slice((int)(chunk.Address - address), chunk.Length);
            await MemoryChunkAsync(chunk, Memory<byte>.Empty, slice, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Splits a transfer into memory commands: unaligned head and tail bytes as 8-bit; the aligned middle in the
    /// requested width (8-bit when 16-bit is asked of firmware without MEM_16BIT, like OpenOCD's HLA path); no
    /// command crosses <see cref="AutoIncrementBoundary"/>; at most 6144 bytes per 16/32-bit command and 64 (512 on
    /// V3 ≥ J6) per 8-bit command (reference §4.1-§4.2).
    /// </summary>
    public IReadOnlyList<MemoryChunk> PlanTransfer(uint address, int length, AccessWidth width)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (length > 0 && (ulong)address + (ulong)length > 0x1_0000_0000UL)
        {
            throw new ArgumentOutOfRangeException(nameof(length), $"Transfer of {length} bytes at 0x{address:X8} runs past the end of the 32-bit address space.");
        }

        var maxByte = (Caps & StLinkCapabilities.Rw8Of512Bytes) != 0 ? MaxByteTransferV3 : MaxByteTransfer;
        if (width == AccessWidth.HalfWord && (Caps & StLinkCapabilities.Memory16Bit) == 0)
        {
            width = AccessWidth.Byte;
        }

        var chunks = new List<MemoryChunk>();
        var size = (int)width;
        var end = address + (ulong)length;
        ulong at = address;
        if (size > 1)
        {
            var head = (int)Math.Min((ulong)((size - (int)(at % (uint)size)) % size), end - at);
            AddChunks(chunks, ref at, at + (ulong)head, AccessWidth.Byte, maxByte);
            var middleEnd = at + ((end - at) / (uint)size * (uint)size);
            AddChunks(chunks, ref at, middleEnd, width, _options.MaxWordTransfer);
        }

        AddChunks(chunks, ref at, end, AccessWidth.Byte, maxByte);
        return chunks;
    }

    /// <summary>Leaves debug mode: CLOSE_AP for every opened AP, then DEBUG_EXIT (<c>F2 21</c>, no reply), like OpenOCD's close (reference §2.4 step 8).</summary>
    public async ValueTask CloseAsync(CancellationToken cancellationToken)
    {
        foreach (var ap in _openAps.ToArray())
        {
            await CloseApAsync(ap, cancellationToken).ConfigureAwait(false);
        }

        if (_inDebugMode)
        {
            await TransferAsync(Cdb(StLinkCommand.Debug, StLinkCommand.DebugExit), ReadOnlyMemory<byte>.Empty, Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
            _inDebugMode = false;
        }
    }

    /// <summary>Leaves debug mode on a best-effort basis, then disposes the wire. Never throws.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            if (_info is not null)
            {
                using var cts = new CancellationTokenSource(_options.TransactionTimeout);
                await CloseAsync(cts.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is StLinkException or StLinkTransportException or OperationCanceledException)
        {
            LogCleanupFailed(_logger, _wire.Description, ex.Message);
        }
        finally
        {
            _disposed = true;
            await _wire.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Picks the highest speed ≤ <paramref name="requested"/>, or the lowest when none is (OpenOCD <c>stlink_match_speed_map</c>).</summary>
    internal static int MatchSpeed(IReadOnlyList<int> speeds, int requested)
    {
        int? best = null;
        var lowest = int.MaxValue;
        foreach (var speed in speeds)
        {
            lowest = Math.Min(lowest, speed);
            if (speed <= requested && (best is null || speed > best))
            {
                best = speed;
            }
        }

        return best ?? lowest;
    }

    /// <summary>A 16-byte command block starting with <paramref name="bytes"/>, zero-padded.</summary>
    internal static byte[] Cdb(params ReadOnlySpan<byte> bytes)
    {
        var cdb = new byte[StLinkWire.CommandBlockLength];
        bytes.CopyTo(cdb);
        return cdb;
    }

    /// <summary>A readable name of a command block, e.g. <c>READMEM_32BIT (F2 07)</c>.</summary>
    internal static string CommandName(ReadOnlySpan<byte> cdb)
    {
        var name = cdb[0] switch
        {
            StLinkCommand.GetVersion => "GET_VERSION",
            StLinkCommand.GetVersionEx => "GET_VERSION_EX",
            StLinkCommand.GetCurrentMode => "GET_CURRENT_MODE",
            StLinkCommand.GetTargetVoltage => "GET_TARGET_VOLTAGE",
            StLinkCommand.Dfu => "DFU_EXIT",
            StLinkCommand.Swim => "SWIM_EXIT",
            StLinkCommand.Debug => cdb[1] switch
            {
                StLinkCommand.DebugEnter => "ENTER_SWD",
                StLinkCommand.DebugExit => "DEBUG_EXIT",
                StLinkCommand.ReadIdCodes => "READ_IDCODES",
                StLinkCommand.ResetSys => "RESETSYS",
                StLinkCommand.ReadDebugRegister => "READ_DEBUG_REG",
                StLinkCommand.WriteDebugRegister => "WRITE_DEBUG_REG",
                StLinkCommand.ReadMemory32 => "READMEM_32BIT",
                StLinkCommand.WriteMemory32 => "WRITEMEM_32BIT",
                StLinkCommand.ReadMemory16 => "READMEM_16BIT",
                StLinkCommand.WriteMemory16 => "WRITEMEM_16BIT",
                StLinkCommand.ReadMemory8 => "READMEM_8BIT",
                StLinkCommand.WriteMemory8 => "WRITEMEM_8BIT",
                StLinkCommand.GetLastRwStatus => "GETLASTRWSTATUS",
                StLinkCommand.GetLastRwStatus2 => "GETLASTRWSTATUS2",
                StLinkCommand.DriveNrst => "DRIVE_NRST",
                StLinkCommand.SwdSetFrequency => "SWD_SET_FREQ",
                StLinkCommand.ReadDapRegister => "READ_DAP_REG",
                StLinkCommand.WriteDapRegister => "WRITE_DAP_REG",
                StLinkCommand.InitAp => "INIT_AP",
                StLinkCommand.CloseAp => "CLOSE_AP_DBG",
                StLinkCommand.SetComFrequency => "SET_COM_FREQ",
                StLinkCommand.GetComFrequency => "GET_COM_FREQ",
                _ => "DEBUG_COMMAND",
            },
            _ => "COMMAND",
        };
        return cdb[0] == StLinkCommand.Debug || cdb[0] == StLinkCommand.Dfu || cdb[0] == StLinkCommand.Swim
            ? string.Create(CultureInfo.InvariantCulture, $"{name} ({cdb[0]:X2} {cdb[1]:X2})")
            : string.Create(CultureInfo.InvariantCulture, $"{name} ({cdb[0]:X2})");
    }

    /// <summary>The typed error for a non-OK, non-WAIT status, with a message naming the cause and the remedy.</summary>
    internal static StLinkException StatusError(byte status, string command, uint? faultAddress = null)
    {
        var name = StLinkStatusClassifier.Name(status);
        var remedy = (StLinkStatus)status switch
        {
            StLinkStatus.NoDeviceConnected or StLinkStatus.GetIdCodeError or StLinkStatus.UnknownJtagChain =>
                "the target's debug port does not answer: check target power, the SWDIO/SWCLK/GND wiring and NRST, or connect under reset",
            StLinkStatus.SwdApParityError or StLinkStatus.SwdDpParityError or StLinkStatus.SwdApError or StLinkStatus.SwdDpError =>
                "the SWD link is unreliable: lower the SWD frequency, shorten the cable, check the ground connection",
            StLinkStatus.AlreadyOpenedInOtherMode or StLinkStatus.ApAlreadyUsed =>
                "another program is using the probe: close it (STM32CubeProgrammer, OpenOCD, an IDE) and retry",
            StLinkStatus.UnknownCommand =>
                "the probe firmware does not know this command: upgrade the ST-LINK firmware",
            StLinkStatus.FrequencyNotSupported => "choose another SWD frequency",
            StLinkStatus.DebugPowerError => "the debug domain did not power up: check target power and that the target is not held in reset",
            StLinkStatus.BadAp => "the access port does not exist on this target",
            StLinkStatus.AlignmentError => "the address or length is not aligned to the access width",
            _ => "if it repeats, unplug and replug the probe and power-cycle the target",
        };
        var at = faultAddress is { } fault ? string.Create(CultureInfo.InvariantCulture, $" at 0x{fault:X8}") : string.Empty;
        var message = $"ST-LINK answered {command} with {name}{at}: {remedy}.";
        return new StLinkException(message, command, (StLinkStatus)status, faultAddress);
    }

    private void AddChunks(List<MemoryChunk> chunks, ref ulong at, ulong end, AccessWidth width, int maxPerCommand)
    {
        var boundary = (ulong)AutoIncrementBoundary;
        while (at < end)
        {
            var toBoundary = boundary - (at % boundary);
            var length = Math.Min(Math.Min(end - at, toBoundary), (ulong)maxPerCommand);
            chunks.Add(new MemoryChunk((uint)at, (int)length, width));
            at += length;
        }
    }

    private void Require(StLinkCapabilities capability, string command, string required)
    {
        if ((Caps & capability) == 0)
        {
            throw new StLinkFirmwareTooOldException(
                $"The probe firmware {Info.FirmwareName} has no {command}; it needs {required}: upgrade the ST-LINK firmware with ST's updater.",
                command, Info.FirmwareName, required);
        }
    }

    private async ValueTask MemoryChunkAsync(MemoryChunk chunk, Memory<byte> readInto, ReadOnlyMemory<byte> writeFrom, CancellationToken cancellationToken)
    {
        var isRead = writeFrom.IsEmpty;
        var op = (chunk.Width, isRead) switch
        {
            (AccessWidth.Word, true) => StLinkCommand.ReadMemory32,
            (AccessWidth.Word, false) => StLinkCommand.WriteMemory32,
            (AccessWidth.HalfWord, true) => StLinkCommand.ReadMemory16,
            (AccessWidth.HalfWord, false) => StLinkCommand.WriteMemory16,
            (_, true) => StLinkCommand.ReadMemory8,
            (_, false) => StLinkCommand.WriteMemory8,
        };
        var cdb = Cdb(StLinkCommand.Debug, op);
        BinaryPrimitives.WriteUInt32LittleEndian(cdb.AsSpan(2), chunk.Address);
        BinaryPrimitives.WriteUInt16LittleEndian(cdb.AsSpan(6), (ushort)chunk.Length);
        if ((Caps & StLinkCapabilities.CswInMemoryCommands) != 0)
        {
            cdb[8] = 0; // AP number: the AHB-AP
            cdb[9] = (byte)(_options.MemoryCsw >> 8);
            cdb[10] = (byte)(_options.MemoryCsw >> 16);
            cdb[11] = (byte)(_options.MemoryCsw >> 24);
        }

        var command = CommandName(cdb);

        // A 1-byte 8-bit read must request 2 bytes on the wire (OCD:2481-2483).
        var inBuffer = isRead && chunk.Length == 1 ? new byte[2] : null;
        for (var attempt = 1; ; attempt++)
        {
            if (isRead)
            {
                var target = inBuffer is null ? readInto : inBuffer.AsMemory();
                var received = await TransferAsync(cdb, ReadOnlyMemory<byte>.Empty, target, cancellationToken).ConfigureAwait(false);
                if (received < chunk.Length)
                {
                    throw new StLinkProtocolException($"{command} of {chunk.Length} bytes at 0x{chunk.Address:X8} returned only {received} bytes.", command);
                }
            }
            else
            {
                await TransferAsync(cdb, writeFrom, Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
            }

            var (status, faultAddress) = await ReadRwStatusAsync(cancellationToken).ConfigureAwait(false);
            if (StLinkStatusClassifier.IsOk(status))
            {
                inBuffer?.AsSpan(0, chunk.Length).CopyTo(readInto.Span);
                return;
            }

            if (StLinkStatusClassifier.IsWait(status))
            {
                await BackOffAsync(status, command, attempt, cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (StLinkStatusClassifier.IsMemoryFault(status))
            {
                var address = faultAddress ?? chunk.Address;
                await ClearStickyErrorsAsync(cancellationToken).ConfigureAwait(false);
                throw new StLinkMemoryFaultException(
                    $"{command} faulted at 0x{address:X8} ({StLinkStatusClassifier.Name(status)}): the address is not mapped on this device, or read-out protection hides it.",
                    command, (StLinkStatus)status, address);
            }

            throw StatusError(status, command, faultAddress);
        }
    }

    /// <summary>GETLASTRWSTATUS2 (12 bytes, u16 status, fault address at [4..7]) or, on V2 &lt; J15, GETLASTRWSTATUS (2 bytes).</summary>
    private async ValueTask<(byte Status, uint? FaultAddress)> ReadRwStatusAsync(CancellationToken cancellationToken)
    {
        if ((Caps & StLinkCapabilities.LastRwStatus2) != 0)
        {
            var reply = new byte[LastRwStatus2ReplyLength];
            await ExpectAsync(Cdb(StLinkCommand.Debug, StLinkCommand.GetLastRwStatus2), reply, cancellationToken).ConfigureAwait(false);
            var status = (byte)(BinaryPrimitives.ReadUInt16LittleEndian(reply) & 0xFF);
            return (status, StLinkStatusClassifier.IsOk(status) ? null : BinaryPrimitives.ReadUInt32LittleEndian(reply.AsSpan(4)));
        }

        var shortReply = new byte[StatusReplyLength];
        await ExpectAsync(Cdb(StLinkCommand.Debug, StLinkCommand.GetLastRwStatus), shortReply, cancellationToken).ConfigureAwait(false);
        return (shortReply[0], null);
    }

    /// <summary>Clears the DP sticky flags (DP ABORT = 0x1E) after a memory fault, where the firmware has DAP register access.</summary>
    private async ValueTask ClearStickyErrorsAsync(CancellationToken cancellationToken)
    {
        if ((Caps & StLinkCapabilities.DapRegisters) == 0)
        {
            return;
        }

        try
        {
            await WriteDapRegisterAsync(StLinkCommand.DapPortDebugPort, DpRegisters.Abort, DpRegisters.AbortClearAllSticky, cancellationToken).ConfigureAwait(false);
        }
        catch (StLinkException ex)
        {
            LogCleanupFailed(_logger, _wire.Description, ex.Message);
        }
    }

    /// <summary>Sends a command whose reply starts with a status byte; retries WAIT with backoff, maps every other error.</summary>
    private async ValueTask<byte[]> CommandAsync(byte[] cdb, int replyLength, CancellationToken cancellationToken)
    {
        var reply = new byte[replyLength];
        for (var attempt = 1; ; attempt++)
        {
            await ExpectAsync(cdb, reply, cancellationToken).ConfigureAwait(false);
            var status = reply[0];
            if (StLinkStatusClassifier.IsOk(status))
            {
                return reply;
            }

            if (StLinkStatusClassifier.IsWait(status))
            {
                await BackOffAsync(status, CommandName(cdb), attempt, cancellationToken).ConfigureAwait(false);
                continue;
            }

            throw StatusError(status, CommandName(cdb));
        }
    }

    private async ValueTask BackOffAsync(byte status, string command, int attempt, CancellationToken cancellationToken)
    {
        if (attempt > _options.MaxWaitRetries)
        {
            throw new StLinkWaitTimeoutException(
                $"The target answered WAIT to {command} {attempt} times: the target is probably in a low-power mode or its firmware remapped the SWD pins; connect under reset.",
                command, (StLinkStatus)status, attempt);
        }

        var delay = _options.WaitBackoff * (1 << (attempt - 1));
        LogWaitRetry(_logger, command, StLinkStatusClassifier.Name(status), attempt, _options.MaxWaitRetries, delay.TotalMilliseconds);
        await Task.Delay(delay, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A transaction whose reply must fill <paramref name="reply"/> exactly.</summary>
    private async ValueTask ExpectAsync(byte[] cdb, Memory<byte> reply, CancellationToken cancellationToken)
    {
        var received = await TransferAsync(cdb, ReadOnlyMemory<byte>.Empty, reply, cancellationToken).ConfigureAwait(false);
        if (received < reply.Length)
        {
            var command = CommandName(cdb);
            throw new StLinkProtocolException($"{command} replied {received} bytes, expected {reply.Length}: the probe firmware does not implement it as documented.", command);
        }
    }

    private async ValueTask<int> TransferAsync(byte[] cdb, ReadOnlyMemory<byte> dataOut, Memory<byte> dataIn, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();
        var received = await _wire.TransferAsync(cdb, dataOut, dataIn, _options.TransactionTimeout, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _transactions);
        Interlocked.Add(ref _bytesOut, cdb.Length + dataOut.Length);
        Interlocked.Add(ref _bytesIn, received);
        return received;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "ST-LINK {Command} answered {Status}; retry {Attempt} of {MaxRetries} after {DelayMs} ms")]
    private static partial void LogWaitRetry(ILogger logger, string command, string status, int attempt, int maxRetries, double delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "ST-LINK {Probe}: best-effort cleanup failed: {Reason}")]
    private static partial void LogCleanupFailed(ILogger logger, string probe, string reason);
}

/// <summary>One memory command of a planned transfer.</summary>
/// <param name="Address">Start address.</param>
/// <param name="Length">Bytes.</param>
/// <param name="Width">Access width of the command.</param>
public readonly record struct MemoryChunk(uint Address, int Length, AccessWidth Width);
