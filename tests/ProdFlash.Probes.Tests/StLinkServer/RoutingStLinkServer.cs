using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

using ProdFlash.Probes.Tests.StLink;

namespace ProdFlash.Probes.Tests.StLinkServer;

/// <summary>
/// A loopback stlink-server look-alike that tells each request's length from byte 0 (reference §5.1 table) and
/// routes SEND_USB_CMD to an ST-LINK responder, so the whole driver stack runs over real TCP. One device, cookie
/// 0x1234, connect_id 0xCAFE.
/// </summary>
public sealed class RoutingStLinkServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<WireTransaction, byte[]?> _usb;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _serve;

    public RoutingStLinkServer(Func<WireTransaction, byte[]?> usb)
    {
        _usb = usb;
        _listener.Start();
        _serve = ServeAsync(_stop.Token);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int UsbCommands { get; private set; }

    public bool Closed { get; private set; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _serve;
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or EndOfStreamException)
        {
            // The client went away or the test stopped the server.
        }

        _stop.Dispose();
    }

    private static byte[] U32(params uint[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return bytes;
    }

    private async Task ServeAsync(CancellationToken cancellationToken)
    {
        using var client = await _listener.AcceptTcpClientAsync(cancellationToken);
        var stream = client.GetStream();
        var op = new byte[1];
        while (true)
        {
            await stream.ReadExactlyAsync(op, cancellationToken);
            byte[] reply;
            switch (op[0])
            {
                case 0x06:
                    await stream.ReadExactlyAsync(new byte[3], cancellationToken);
                    reply = U32(2, 2, 1, 1);
                    break;
                case 0x00:
                    await stream.ReadExactlyAsync(new byte[1], cancellationToken);
                    reply = U32(1);
                    break;
                case 0x01:
                    reply = U32(1);
                    break;
                case 0x02:
                    await stream.ReadExactlyAsync(new byte[7], cancellationToken);
                    reply = [.. U32(1, 0x1234), .. "0123456789ABCDEF01234567"u8, .. new byte[8], 0x83, 0x04, 0x48, 0x37, 0x00];
                    break;
                case 0x03:
                    await stream.ReadExactlyAsync(new byte[7], cancellationToken);
                    reply = U32(1, 0xCAFE);
                    break;
                case 0x04:
                    await stream.ReadExactlyAsync(new byte[7], cancellationToken);
                    Closed = true;
                    reply = U32(1);
                    break;
                case 0x05:
                    {
                        var header = new byte[31];
                        await stream.ReadExactlyAsync(header, cancellationToken);
                        var cdb = header[7..23];
                        var direction = header[23];
                        var n = (int)BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(27));
                        var dataOut = new byte[direction == 0 ? n : 0];
                        await stream.ReadExactlyAsync(dataOut, cancellationToken);
                        UsbCommands++;
                        var answer = _usb(new WireTransaction(cdb, dataOut, direction == 1 ? n : 0)) ?? [];
                        var data = new byte[direction == 1 ? n : 0];
                        answer.AsSpan(0, Math.Min(answer.Length, data.Length)).CopyTo(data);
                        reply = [.. U32(1), .. data];
                        break;
                    }

                default:
                    throw new InvalidDataException($"Unknown stlink-server request 0x{op[0]:X2}.");
            }

            await stream.WriteAsync(reply, cancellationToken);
        }
    }
}
