using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

using ProdFlash.Probes.StLink;

namespace ProdFlash.Probes.StLinkServer;

/// <summary>
/// A client of the stlink-server TCP protocol (ST's server or ours), byte for byte as OpenOCD 0.12 speaks it
/// (reference §5): one request, one reply, each request written in a single send, each reply read to its exact size.
/// </summary>
/// <remarks>
/// Owns its socket: disposing closes it. Not thread-safe: one request at a time (one runner owns one probe).
/// Socket failures and an early close become <see cref="StLinkTransportException"/> (<c>IsDisconnected</c>), a
/// reply that does not come within the timeout <see cref="StLinkTransportException"/> (<c>IsTimeout</c>), a non-OK
/// status <see cref="StLinkServerException"/>. <see cref="OperationCanceledException"/> passes untouched.
/// </remarks>
public sealed class StLinkServerClient : IAsyncDisposable
{
    /// <summary>The stlink-server default port (OCD:4974-4983; STBRG <c>DEFAULT_TCP_PORT</c>).</summary>
    public const int DefaultPort = 7184;

    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly byte[] _receive = new byte[StLinkServerCommand.MaxRequestSize];
    private bool _disposed;

    private StLinkServerClient(TcpClient tcp, string endpoint)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        Endpoint = endpoint;
    }

    /// <summary>host:port of the server.</summary>
    public string Endpoint { get; }

    /// <summary>Limit for one request and its reply.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>How many times a request answered with TCP_BUSY (0x2004) is sent again.</summary>
    public int MaxBusyRetries { get; set; } = 8;

    /// <summary>First backoff after TCP_BUSY; doubled each retry.</summary>
    public TimeSpan BusyBackoff { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>Connects to an stlink-server (TCP_NODELAY, 10240-byte socket buffers like OpenOCD).</summary>
    /// <exception cref="StLinkTransportException">The server is not listening or not reachable.</exception>
    public static async Task<StLinkServerClient> ConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        var tcp = new TcpClient(AddressFamily.InterNetwork) { NoDelay = true, ReceiveBufferSize = StLinkServerCommand.MaxRequestSize, SendBufferSize = StLinkServerCommand.MaxRequestSize };
        try
        {
            await tcp.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            tcp.Dispose();
            throw new StLinkTransportException($"Cannot connect to the stlink-server at {host}:{port} ({ex.SocketErrorCode}): start it, or check the host and port.", ex) { IsDisconnected = true };
        }
        catch (Exception)
        {
            tcp.Dispose();
            throw;
        }

        return new StLinkServerClient(tcp, $"{host}:{port}");
    }

    /// <summary>Connects, finds the probe with <paramref name="serial"/> (or the first one when null) and opens it.</summary>
    /// <returns>A wire that owns this connection: disposing it closes the device and the socket.</returns>
    /// <exception cref="StLinkTransportException">No such probe, or it is in use by another client.</exception>
    public static async Task<StLinkServerWire> OpenWireAsync(string host, int port, string? serial, CancellationToken cancellationToken)
    {
        var client = await ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
        try
        {
            var version = await client.GetServerVersionAsync(cancellationToken).ConfigureAwait(false);
            var devices = await client.ListDevicesAsync(cancellationToken).ConfigureAwait(false);
            var device = devices.FirstOrDefault(d => serial is null || string.Equals(d.Serial, serial, StringComparison.OrdinalIgnoreCase))
                ?? throw new StLinkTransportException(serial is null
                    ? $"The stlink-server at {client.Endpoint} lists no ST-LINK: plug one in."
                    : $"The stlink-server at {client.Endpoint} lists no ST-LINK with serial {serial} (it lists: {string.Join(", ", devices.Select(d => d.Serial))}).");
            if (device.InUse)
            {
                throw new StLinkTransportException($"The ST-LINK {device.Serial} is already used by another stlink-server client: close it first.");
            }

            var wire = await client.OpenDeviceAsync(device, ownsClient: true, cancellationToken).ConfigureAwait(false);
            wire.ServerVersion = version;
            return wire;
        }
        catch (Exception)
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>GET_SERVER_VERSION: <c>06 01 00 00</c> → api, major, minor, build.</summary>
    public async Task<StLinkServerVersion> GetServerVersionAsync(CancellationToken cancellationToken)
    {
        var reply = await ExchangeAsync([StLinkServerCommand.GetServerVersion, StLinkServerCommand.ClientApi, 0, 0], 16, checkStatus: false, cancellationToken).ConfigureAwait(false);
        return new StLinkServerVersion(U32(reply, 0), U32(reply, 4), U32(reply, 8), U32(reply, 12));
    }

    /// <summary>REFRESH_DEVICE_LIST: <c>00 00</c> → SS.</summary>
    public Task RefreshDeviceListAsync(CancellationToken cancellationToken) =>
        ExchangeAsync([StLinkServerCommand.RefreshDeviceList, 0], 4, checkStatus: true, cancellationToken);

    /// <summary>GET_NB_DEV: <c>01</c> → u32 count (clamped to 255 like OpenOCD).</summary>
    public async Task<int> GetDeviceCountAsync(CancellationToken cancellationToken)
    {
        var reply = await ExchangeAsync([StLinkServerCommand.GetDeviceCount], 4, checkStatus: false, cancellationToken).ConfigureAwait(false);
        return (int)Math.Min(U32(reply, 0), 255);
    }

    /// <summary>GET_DEV_INFO: <c>02 index 00 00 29000000</c> → SS + TDeviceInfo2 (45 bytes).</summary>
    public async Task<StLinkServerDevice> GetDeviceInfoAsync(int index, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, 255);
        var request = new byte[8];
        request[0] = StLinkServerCommand.GetDeviceInfo;
        request[1] = (byte)index;
        BinaryPrimitives.WriteUInt32LittleEndian(request.AsSpan(4), StLinkServerCommand.DeviceInfoSize);
        var reply = await ExchangeAsync(request, 4 + StLinkServerCommand.DeviceInfoSize, checkStatus: true, cancellationToken).ConfigureAwait(false);
        var serialField = reply.AsSpan(8, StLinkServerCommand.SerialFieldSize);
        var nul = serialField.IndexOf((byte)0);
        var serial = Encoding.ASCII.GetString(nul < 0 ? serialField : serialField[..nul]);
        return new StLinkServerDevice(index, U32(reply, 4), serial,
            BinaryPrimitives.ReadUInt16LittleEndian(reply.AsSpan(40)), BinaryPrimitives.ReadUInt16LittleEndian(reply.AsSpan(42)), reply[44] != 0);
    }

    /// <summary>REFRESH_DEVICE_LIST, GET_NB_DEV, then GET_DEV_INFO for every index, in OpenOCD's order.</summary>
    public async Task<IReadOnlyList<StLinkServerDevice>> ListDevicesAsync(CancellationToken cancellationToken)
    {
        await RefreshDeviceListAsync(cancellationToken).ConfigureAwait(false);
        var count = await GetDeviceCountAsync(cancellationToken).ConfigureAwait(false);
        var devices = new List<StLinkServerDevice>(count);
        for (var i = 0; i < count; i++)
        {
            devices.Add(await GetDeviceInfoAsync(i, cancellationToken).ConfigureAwait(false));
        }

        return devices;
    }

    /// <summary>OPEN_DEV: <c>03 00 00 00 cookie32</c> → SS + connect_id; returns the device as a wire.</summary>
    /// <param name="device">A device from <see cref="ListDevicesAsync"/>.</param>
    /// <param name="ownsClient">Whether disposing the wire also disposes this client.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <exception cref="StLinkTransportException">The server returned connect_id 0 (OpenOCD treats it as no connection).</exception>
    public async Task<StLinkServerWire> OpenDeviceAsync(StLinkServerDevice device, bool ownsClient, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(device);
        var request = new byte[8];
        request[0] = StLinkServerCommand.OpenDevice;
        BinaryPrimitives.WriteUInt32LittleEndian(request.AsSpan(4), device.Cookie);
        var reply = await ExchangeAsync(request, 8, checkStatus: true, cancellationToken).ConfigureAwait(false);
        var connectId = U32(reply, 4);
        if (connectId == 0)
        {
            throw new StLinkTransportException($"The stlink-server at {Endpoint} opened {device.Serial} with connect_id 0, which is not a connection (reference §5.2 rule 3).");
        }

        return new StLinkServerWire(this, device, connectId, ownsClient);
    }

    /// <summary>Closes the socket. Never throws.</summary>
    public ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            _stream.Dispose();
            _tcp.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>CLOSE_DEV: <c>04 00 00 00 connect_id32</c> → SS.</summary>
    internal Task CloseDeviceAsync(uint connectId, CancellationToken cancellationToken)
    {
        var request = new byte[8];
        request[0] = StLinkServerCommand.CloseDevice;
        BinaryPrimitives.WriteUInt32LittleEndian(request.AsSpan(4), connectId);
        return ExchangeAsync(request, 4, checkStatus: true, cancellationToken);
    }

    /// <summary>
    /// SEND_USB_CMD: the 32-byte header (connect_id, the CDB, direction, N) plus write data; the reply is SS plus,
    /// for a read, exactly N bytes, read in full before the status is looked at (as OpenOCD does). TCP_BUSY is
    /// retried with backoff up to <see cref="MaxBusyRetries"/>.
    /// </summary>
    internal async Task<int> SendUsbCommandAsync(uint connectId, ReadOnlyMemory<byte> command, ReadOnlyMemory<byte> dataOut, Memory<byte> dataIn, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var isWrite = !dataOut.IsEmpty;
        var n = isWrite ? dataOut.Length : dataIn.Length;
        if (StLinkServerCommand.UsbCommandHeaderSize + (isWrite ? n : 0) > StLinkServerCommand.MaxRequestSize || 4 + (isWrite ? 0 : n) > StLinkServerCommand.MaxRequestSize)
        {
            throw new ArgumentException($"A {n}-byte data phase does not fit the stlink-server's 10240-byte buffers.", nameof(dataOut));
        }

        var request = new byte[StLinkServerCommand.UsbCommandHeaderSize + (isWrite ? n : 0)];
        request[0] = StLinkServerCommand.SendUsbCommand;
        BinaryPrimitives.WriteUInt32LittleEndian(request.AsSpan(4), connectId);
        command.Span[..Math.Min(command.Length, StLinkWire.CommandBlockLength)].CopyTo(request.AsSpan(8));
        request[24] = isWrite ? StLinkServerCommand.DirectionWrite : StLinkServerCommand.DirectionRead;
        BinaryPrimitives.WriteUInt32LittleEndian(request.AsSpan(28), (uint)n);
        dataOut.Span.CopyTo(request.AsSpan(StLinkServerCommand.UsbCommandHeaderSize));
        var replyLength = 4 + (isWrite ? 0 : n);
        for (var attempt = 1; ; attempt++)
        {
            var reply = await ExchangeCoreAsync(request, replyLength, timeout, cancellationToken).ConfigureAwait(false);
            var status = U32(reply, 0);
            if (status == StLinkServerStatus.Ok)
            {
                reply.AsSpan(4, replyLength - 4).CopyTo(dataIn.Span);
                return replyLength - 4;
            }

            if (status == StLinkServerStatus.TcpBusy && attempt <= MaxBusyRetries)
            {
                await Task.Delay(BusyBackoff * (1 << (attempt - 1)), cancellationToken).ConfigureAwait(false);
                continue;
            }

            throw new StLinkServerException(
                status == StLinkServerStatus.TcpBusy
                    ? $"The stlink-server at {Endpoint} stayed busy for {attempt} attempts: another client is using the probe heavily."
                    : $"The stlink-server at {Endpoint} answered SEND_USB_CMD with {StLinkServerStatus.Name(status)}.",
                status);
        }
    }

    private static uint U32(byte[] buffer, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(offset));

    private async Task<byte[]> ExchangeAsync(byte[] request, int replyLength, bool checkStatus, CancellationToken cancellationToken)
    {
        var reply = await ExchangeCoreAsync(request, replyLength, RequestTimeout, cancellationToken).ConfigureAwait(false);
        if (checkStatus && U32(reply, 0) != StLinkServerStatus.Ok)
        {
            var status = U32(reply, 0);
            throw new StLinkServerException($"The stlink-server at {Endpoint} answered request 0x{request[0]:X2} with {StLinkServerStatus.Name(status)}.", status);
        }

        return reply;
    }

    /// <summary>One request written in one send, then exactly <paramref name="replyLength"/> bytes read.</summary>
    private async Task<byte[]> ExchangeCoreAsync(byte[] request, int replyLength, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await _stream.WriteAsync(request, deadline.Token).ConfigureAwait(false);
            var reply = replyLength <= _receive.Length ? _receive.AsMemory(0, replyLength) : new byte[replyLength];
            var received = 0;
            while (received < replyLength)
            {
                var n = await _stream.ReadAsync(reply[received..], deadline.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new StLinkTransportException(
                        $"The stlink-server at {Endpoint} closed the connection after {received} of {replyLength} reply bytes to request 0x{request[0]:X2}: it stopped or dropped this client.")
                    { IsDisconnected = true };
                }

                received += n;
            }

            return reply.ToArray();
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new StLinkTransportException($"The stlink-server at {Endpoint} did not answer request 0x{request[0]:X2} within {timeout.TotalMilliseconds:0} ms.") { IsTimeout = true };
        }
        catch (IOException ex)
        {
            throw new StLinkTransportException($"The connection to the stlink-server at {Endpoint} failed: {ex.Message}", ex) { IsDisconnected = true };
        }
        catch (SocketException ex)
        {
            throw new StLinkTransportException($"The connection to the stlink-server at {Endpoint} failed ({ex.SocketErrorCode}).", ex) { IsDisconnected = true };
        }
    }
}

/// <summary>One probe opened through an stlink-server, as an <see cref="IStLinkWire"/>.</summary>
/// <remarks>
/// Disposing sends CLOSE_DEV (best effort, never throws) and, when it owns the client, closes the socket.
/// Not thread-safe (one runner owns one probe).
/// </remarks>
public sealed class StLinkServerWire : IStLinkWire
{
    private readonly StLinkServerClient _client;
    private readonly bool _ownsClient;
    private bool _disposed;

    internal StLinkServerWire(StLinkServerClient client, StLinkServerDevice device, uint connectId, bool ownsClient)
    {
        _client = client;
        _ownsClient = ownsClient;
        Device = device;
        ConnectId = connectId;
    }

    /// <summary>The device as the server listed it.</summary>
    public StLinkServerDevice Device { get; }

    /// <summary>The server's version when <see cref="StLinkServerClient.OpenWireAsync"/> read it; null otherwise.</summary>
    public StLinkServerVersion? ServerVersion { get; internal set; }

    /// <summary>The connect_id OPEN_DEV returned; stamped into every SEND_USB_CMD and CLOSE_DEV.</summary>
    public uint ConnectId { get; }

    /// <inheritdoc />
    public string Description => $"stlink-server {_client.Endpoint} {Device.Serial} ({Device.VendorId:X4}:{Device.ProductId:X4})";

    /// <inheritdoc />
    public async ValueTask<int> TransferAsync(ReadOnlyMemory<byte> command, ReadOnlyMemory<byte> dataOut, Memory<byte> dataIn, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (command.Length != StLinkWire.CommandBlockLength)
        {
            throw new ArgumentException($"The command block is {StLinkWire.CommandBlockLength} bytes, not {command.Length}.", nameof(command));
        }

        if (!dataOut.IsEmpty && !dataIn.IsEmpty)
        {
            throw new ArgumentException("A transaction has at most one data phase.", nameof(dataIn));
        }

        return await _client.SendUsbCommandAsync(ConnectId, command, dataOut, dataIn, timeout, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            using var cts = new CancellationTokenSource(_client.RequestTimeout);
            await _client.CloseDeviceAsync(ConnectId, cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is StLinkTransportException or OperationCanceledException or ObjectDisposedException)
        {
            // Best effort: the server may be gone already; closing the socket releases the device on its side.
        }
        finally
        {
            if (_ownsClient)
            {
                await _client.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
