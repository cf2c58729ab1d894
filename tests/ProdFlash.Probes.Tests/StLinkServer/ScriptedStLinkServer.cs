using System.Net;
using System.Net.Sockets;

namespace ProdFlash.Probes.Tests.StLinkServer;

/// <summary>One scripted step: read a request of <paramref name="RequestLength"/> bytes, answer <paramref name="Reply"/> (null: close the socket).</summary>
public sealed record ScriptedExchange(int RequestLength, byte[]? Reply);

/// <summary>
/// A hand-written stlink-server peer on 127.0.0.1 port 0: accepts one client, reads each request to its scripted
/// length, records it, writes the scripted reply; a null reply closes the socket.
/// </summary>
public sealed class ScriptedStLinkServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Queue<ScriptedExchange> _script = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _serve;

    public ScriptedStLinkServer()
    {
        _listener.Start();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public List<byte[]> Requests { get; } = [];

    public ScriptedStLinkServer Then(int requestLength, string replyHex)
    {
        _script.Enqueue(new ScriptedExchange(requestLength, Convert.FromHexString(replyHex.Replace(" ", string.Empty, StringComparison.Ordinal))));
        return this;
    }

    public ScriptedStLinkServer Then(int requestLength, byte[] reply)
    {
        _script.Enqueue(new ScriptedExchange(requestLength, reply));
        return this;
    }

    public ScriptedStLinkServer ThenClose(int requestLength)
    {
        _script.Enqueue(new ScriptedExchange(requestLength, null));
        return this;
    }

    public void Start() => _serve = ServeAsync(_stop.Token);

    /// <summary>Waits until the script is played out (the client's last request answered).</summary>
    public async Task CompletedAsync()
    {
        if (_serve is not null)
        {
            await _serve.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    public string RequestHex(int index) => Convert.ToHexString(Requests[index]);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        if (_serve is not null)
        {
            try
            {
                await _serve;
            }
            catch (Exception ex) when (ex is OperationCanceledException or EndOfStreamException or IOException)
            {
                // Stopped while waiting for a request, or the client went away: the test is over.
            }
        }

        _stop.Dispose();
    }

    private async Task ServeAsync(CancellationToken cancellationToken)
    {
        using var client = await _listener.AcceptTcpClientAsync(cancellationToken);
        var stream = client.GetStream();
        while (_script.TryDequeue(out var step))
        {
            var request = new byte[step.RequestLength];
            await stream.ReadExactlyAsync(request, cancellationToken);
            Requests.Add(request);
            if (step.Reply is null)
            {
                client.Client.Shutdown(SocketShutdown.Both);
                return;
            }

            await stream.WriteAsync(step.Reply, cancellationToken);
        }
    }
}
