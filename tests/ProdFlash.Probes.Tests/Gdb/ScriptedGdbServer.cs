using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ProdFlash.Probes.Tests.Gdb;

/// <summary>One step of a recorded GDB exchange: bytes the client must send, or bytes the server sends.</summary>
internal sealed record GdbStep(bool FromClient, byte[] Bytes)
{
    /// <summary>Bytes the client must send, exactly (Latin-1 text, so "\x03" is the interrupt byte).</summary>
    public static GdbStep Client(string raw) => new(true, Encoding.Latin1.GetBytes(raw));

    /// <summary>Bytes the server sends.</summary>
    public static GdbStep Server(string raw) => new(false, Encoding.Latin1.GetBytes(raw));

    /// <summary>A packet <c>$payload#cs</c>, its checksum computed here (independently of the code under test).</summary>
    public static string Frame(string payload)
    {
        var sum = 0;
        foreach (var c in payload)
        {
            sum += (byte)c;
        }

        return string.Create(CultureInfo.InvariantCulture, $"${payload}#{sum & 0xFF:x2}");
    }

    public override string ToString() => (FromClient ? "client: " : "server: ") + Encoding.Latin1.GetString(Bytes).Replace("\x03", "\\x03", StringComparison.Ordinal);
}

/// <summary>
/// A loopback TCP server that replays a recorded GDB exchange byte for byte: it checks that the client sends exactly
/// the recorded bytes and answers with the recorded server bytes. <see cref="Finished"/> says where the client
/// deviated, or null when it followed the whole script.
/// </summary>
internal sealed class ScriptedGdbServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();

    private ScriptedGdbServer(IReadOnlyList<GdbStep> steps)
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        Finished = RunAsync(steps);
    }

    public int Port { get; }

    /// <summary>Completes when the script ran out (null) or the client deviated (the description).</summary>
    public Task<string?> Finished { get; }

    /// <summary>Whether the client closed the connection after the script.</summary>
    public bool ClientClosed { get; private set; }

    public static ScriptedGdbServer Start(params GdbStep[] steps) => new(steps);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await Finished;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
            // The script was cut short by the test's end; Finished already told the test what it needed.
        }

        _stop.Dispose();
    }

    private async Task<string?> RunAsync(IReadOnlyList<GdbStep> steps)
    {
        using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
        var stream = client.GetStream();
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i];
            if (!step.FromClient)
            {
                await stream.WriteAsync(step.Bytes, _stop.Token);
                continue;
            }

            var got = new byte[step.Bytes.Length];
            var read = 0;
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            limit.CancelAfter(TimeSpan.FromSeconds(10));
            try
            {
                while (read < got.Length)
                {
                    var n = await stream.ReadAsync(got.AsMemory(read), limit.Token);
                    if (n == 0)
                    {
                        return $"step {i} ({step}): the client closed the connection after {Encoding.Latin1.GetString(got, 0, read)}";
                    }

                    read += n;
                }
            }
            catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
            {
                return $"step {i} ({step}): the client sent only '{Encoding.Latin1.GetString(got, 0, read)}' within 10 s";
            }

            if (!got.AsSpan().SequenceEqual(step.Bytes))
            {
                return $"step {i}: expected the client to send '{Encoding.Latin1.GetString(step.Bytes)}', it sent '{Encoding.Latin1.GetString(got)}'";
            }
        }

        // Script done: wait for the client to close (or the test to end).
        var rest = new byte[256];
        using var closeLimit = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        closeLimit.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            ClientClosed = await stream.ReadAsync(rest, closeLimit.Token) == 0;
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The test ended first.
        }

        return null;
    }
}
