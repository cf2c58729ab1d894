using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using ProdFlash.Emulator.StLink;
using ProdFlash.Probes.StLink;

namespace ProdFlash.Emulator.Server;

/// <summary>
/// Serves emulated ST-LINKs over the stlink-server TCP protocol on 127.0.0.1 (reference §5), so Debian's OpenOCD 0.12
/// (<c>st-link backend tcp PORT</c>, <c>hla_stlink_backend tcp PORT</c>) and our own TCP client drive them.
/// </summary>
/// <remarks>
/// Each request's length follows from its byte 0; each reply has exactly the size OpenOCD expects. Reports API 2
/// (so OpenOCD uses plain commands, §5.1 rule 1) and version 2.1.1. A probe opened by one client is reported
/// <c>DeviceUsed</c> and a second OPEN_DEV gets TCP_BUSY (0x2004). When a probe is unplugged (fault) the server closes
/// that client's connection and leaves the device list, as the device is gone. Device cookies stay tied to a probe.
/// GET_NB_OF_DEV_CLIENTS (0x07) and any other unknown request close the connection: their length is not known. Lifetime: <see cref="Start"/> once, then
/// <see cref="DisposeAsync"/> stops accepting, closes every client and waits for their tasks. Thread-safe.
/// </remarks>
public sealed class StLinkServer : IAsyncDisposable
{
    /// <summary>API version reported by GET_SERVER_VERSION (2: no RW_MISC, full-size memory blocks; §5.1).</summary>
    public const uint ApiVersion = 2;

    /// <summary>Largest write data accepted in one SEND_USB_CMD: the client's 10240-byte buffer minus the 32-byte header (§5.1 rule 4).</summary>
    public const int MaxWriteData = 10240 - 32;

    /// <summary>Length of TDeviceInfo2 (STDRV, packed), requested as info_size 41.</summary>
    public const int DeviceInfoLength = 41;

    /// <summary>First connect_id handed out by OPEN_DEV (any non-zero value works, §5.1 rule 3; this one matches the LIVE trace of §5.2).</summary>
    public const uint FirstConnectId = 0xCAFE;

    /// <summary>First device cookie (StLinkUsbId); probe i gets this plus i.</summary>
    public const uint FirstCookie = 0x1234;

    private readonly IReadOnlyList<EmulatedStLink> _probes;
    private readonly Lock _gate = new();
    private readonly Dictionary<int, uint> _openBy = [];
    private readonly List<Task> _clients = [];
    private readonly CancellationTokenSource _stop = new();
    private TcpListener? _listener;
    private Task? _acceptLoop;
    private uint _nextConnectId = FirstConnectId;

    /// <summary>Creates a server for <paramref name="probes"/>; index i in the list is device index i.</summary>
    public StLinkServer(IReadOnlyList<EmulatedStLink> probes)
    {
        ArgumentNullException.ThrowIfNull(probes);
        _probes = probes;
    }

    /// <summary>The TCP port the server listens on (valid after <see cref="Start"/>; resolves port 0).</summary>
    public int Port { get; private set; }

    /// <summary>The served probes.</summary>
    public IReadOnlyList<EmulatedStLink> Probes => _probes;

    /// <summary>Starts listening on 127.0.0.1:<paramref name="port"/> (0 picks a free port) and accepting clients.</summary>
    /// <exception cref="SocketException">The port is in use.</exception>
    public void Start(int port)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        if (_listener is not null)
        {
            throw new InvalidOperationException("The stlink-server endpoint is already started.");
        }

        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptAsync(_listener, _stop.Token);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener?.Stop();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }

        Task[] clients;
        lock (_gate)
        {
            clients = [.. _clients];
        }

        await Task.WhenAll(clients).ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }

            lock (_gate)
            {
                _clients.RemoveAll(t => t.IsCompleted);
                _clients.Add(ServeClientAsync(client, cancellationToken));
            }
        }
    }

    private async Task ServeClientAsync(TcpClient client, CancellationToken cancellationToken)
    {
        var opened = new HashSet<uint>();
        using (client)
        {
            client.NoDelay = true;
            var stream = client.GetStream();
            try
            {
                while (await ServeRequestAsync(stream, opened, cancellationToken).ConfigureAwait(false))
                {
                }
            }
            catch (OperationCanceledException)
            {
                // Server stopping.
            }
            catch (IOException)
            {
                // The client went away mid-request; its probes are released below.
            }
            catch (SocketException)
            {
                // Same: a reset connection.
            }
            finally
            {
                lock (_gate)
                {
                    foreach (var connectId in opened)
                    {
                        foreach (var (index, owner) in _openBy.ToArray())
                        {
                            if (owner == connectId)
                            {
                                _openBy.Remove(index);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <returns>False when the connection should close.</returns>
    private async Task<bool> ServeRequestAsync(NetworkStream stream, HashSet<uint> opened, CancellationToken cancellationToken)
    {
        var head = new byte[32];
        if (!await ReadExactlyOrEndAsync(stream, head.AsMemory(0, 1), cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        var op = (StLinkServerOp)head[0];
        var requestLength = op switch
        {
            StLinkServerOp.GetDeviceCount => 1,
            StLinkServerOp.RefreshDeviceList => 2,
            StLinkServerOp.GetServerVersion => 4,
            StLinkServerOp.GetDeviceInfo or StLinkServerOp.OpenDevice or StLinkServerOp.CloseDevice => 8,
            StLinkServerOp.SendUsbCommand => 32,
            _ => 0,
        };
        if (requestLength == 0)
        {
            // Unknown request: its length cannot be known, so the stream cannot be resynchronised.
            return false;
        }

        await stream.ReadExactlyAsync(head.AsMemory(1, requestLength - 1), cancellationToken).ConfigureAwait(false);
        byte[] reply;
        switch (op)
        {
            case StLinkServerOp.GetServerVersion:
                reply = new byte[16];
                BinaryPrimitives.WriteUInt32LittleEndian(reply.AsSpan(0), ApiVersion);
                BinaryPrimitives.WriteUInt32LittleEndian(reply.AsSpan(4), 2);
                BinaryPrimitives.WriteUInt32LittleEndian(reply.AsSpan(8), 1);
                BinaryPrimitives.WriteUInt32LittleEndian(reply.AsSpan(12), 1);
                break;
            case StLinkServerOp.RefreshDeviceList:
                reply = StatusOnly(StLinkServerStatus.Ok);
                break;
            case StLinkServerOp.GetDeviceCount:
                reply = new byte[4];
                BinaryPrimitives.WriteUInt32LittleEndian(reply, (uint)AttachedProbes().Count);
                break;
            case StLinkServerOp.GetDeviceInfo:
                reply = DeviceInfo(head[1]);
                break;
            case StLinkServerOp.OpenDevice:
                reply = Open(BinaryPrimitives.ReadUInt32LittleEndian(head.AsSpan(4)), opened);
                break;
            case StLinkServerOp.CloseDevice:
                reply = Close(BinaryPrimitives.ReadUInt32LittleEndian(head.AsSpan(4)), opened);
                break;
            default:
                var result = await UsbCommandAsync(stream, head, opened, cancellationToken).ConfigureAwait(false);
                if (result is null)
                {
                    return false;
                }

                reply = result;
                break;
        }

        await stream.WriteAsync(reply, cancellationToken).ConfigureAwait(false);
        return true;
    }

    // Probes still plugged in, by their position in the device list; an unplugged probe leaves the list.
    private List<int> AttachedProbes()
    {
        var attached = new List<int>();
        for (var i = 0; i < _probes.Count; i++)
        {
            if (!_probes[i].IsUnplugged)
            {
                attached.Add(i);
            }
        }

        return attached;
    }

    private byte[] DeviceInfo(int listIndex)
    {
        // SS, then TDeviceInfo2: [4..7] cookie, [8..39] serial NUL-padded, [40..41] VID, [42..43] PID, [44] DeviceUsed.
        var reply = new byte[4 + DeviceInfoLength];
        var attached = AttachedProbes();
        if (listIndex >= attached.Count)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(reply, (uint)StLinkServerStatus.BadParameter);
            return reply;
        }

        var index = attached[listIndex];

        var personality = _probes[index].Personality;
        BinaryPrimitives.WriteUInt32LittleEndian(reply.AsSpan(0), (uint)StLinkServerStatus.Ok);
        BinaryPrimitives.WriteUInt32LittleEndian(reply.AsSpan(4), FirstCookie + (uint)index);
        System.Text.Encoding.ASCII.GetBytes(personality.Serial, reply.AsSpan(8, 32));
        BinaryPrimitives.WriteUInt16LittleEndian(reply.AsSpan(40), StLinkPersonality.VendorId);
        BinaryPrimitives.WriteUInt16LittleEndian(reply.AsSpan(42), personality.ProductId);
        lock (_gate)
        {
            reply[44] = _openBy.ContainsKey(index) ? (byte)1 : (byte)0;
        }

        return reply;
    }

    private byte[] Open(uint cookie, HashSet<uint> opened)
    {
        var reply = new byte[8];
        var index = (long)cookie - FirstCookie;
        if (index < 0 || index >= _probes.Count || _probes[(int)index].IsUnplugged)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(reply, (uint)StLinkServerStatus.BadParameter);
            return reply;
        }

        lock (_gate)
        {
            if (_openBy.ContainsKey((int)index))
            {
                BinaryPrimitives.WriteUInt32LittleEndian(reply, (uint)StLinkServerStatus.Busy);
                return reply;
            }

            var connectId = _nextConnectId++;
            _openBy[(int)index] = connectId;
            opened.Add(connectId);
            BinaryPrimitives.WriteUInt32LittleEndian(reply.AsSpan(0), (uint)StLinkServerStatus.Ok);
            BinaryPrimitives.WriteUInt32LittleEndian(reply.AsSpan(4), connectId);
            return reply;
        }
    }

    private byte[] Close(uint connectId, HashSet<uint> opened)
    {
        lock (_gate)
        {
            if (!opened.Remove(connectId))
            {
                return StatusOnly(StLinkServerStatus.BadParameter);
            }

            foreach (var (index, owner) in _openBy.ToArray())
            {
                if (owner == connectId)
                {
                    _openBy.Remove(index);
                }
            }

            return StatusOnly(StLinkServerStatus.Ok);
        }
    }

    /// <returns>The reply, or null when the probe is gone and the connection must close.</returns>
    private async Task<byte[]?> UsbCommandAsync(NetworkStream stream, byte[] head, HashSet<uint> opened, CancellationToken cancellationToken)
    {
        // [4..7] connect_id, [8..23] CDB, [24] direction (0 write, 1 read, 3 read SWO), [28..31] N (§5.1).
        var connectId = BinaryPrimitives.ReadUInt32LittleEndian(head.AsSpan(4));
        var direction = head[24];
        var length = BinaryPrimitives.ReadUInt32LittleEndian(head.AsSpan(28));
        if (length > MaxWriteData + 0x10000u)
        {
            return null;
        }

        var dataOut = direction == 0 ? new byte[length] : [];
        if (dataOut.Length > 0)
        {
            await stream.ReadExactlyAsync(dataOut, cancellationToken).ConfigureAwait(false);
        }

        var reply = new byte[4 + (direction == 0 ? 0 : (int)length)];
        var probe = ProbeOf(connectId, opened);
        if (probe is null || (direction == 0 && length > MaxWriteData))
        {
            BinaryPrimitives.WriteUInt32LittleEndian(reply, (uint)StLinkServerStatus.BadParameter);
            return reply;
        }

        if (direction == 3)
        {
            // No SWO trace is modeled: the trace endpoint has nothing.
            BinaryPrimitives.WriteUInt32LittleEndian(reply, (uint)StLinkServerStatus.Ok);
            return reply;
        }

        int received;
        try
        {
            received = probe.Execute(head.AsSpan(8, StLinkWire.CommandBlockLength), dataOut, reply.AsSpan(4));
        }
        catch (StLinkTransportException error) when (error.IsDisconnected)
        {
            return null;
        }

        await probe.Clock.SettleAsync(cancellationToken).ConfigureAwait(false);
        var status = received == EmulatedStLink.NoAnswer ? StLinkServerStatus.Timeout : StLinkServerStatus.Ok;
        BinaryPrimitives.WriteUInt32LittleEndian(reply, (uint)status);
        return reply;
    }

    private EmulatedStLink? ProbeOf(uint connectId, HashSet<uint> opened)
    {
        lock (_gate)
        {
            if (!opened.Contains(connectId))
            {
                return null;
            }

            foreach (var (index, owner) in _openBy)
            {
                if (owner == connectId)
                {
                    return _probes[index];
                }
            }

            return null;
        }
    }

    private static byte[] StatusOnly(StLinkServerStatus status)
    {
        var reply = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(reply, (uint)status);
        return reply;
    }

    private static async Task<bool> ReadExactlyOrEndAsync(NetworkStream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        return read == buffer.Length;
    }
}
