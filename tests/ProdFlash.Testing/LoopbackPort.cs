using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ProdFlash.Testing;

/// <summary>Loopback ports for servers the tests start (QEMU's GDB stub, OpenOCD's GDB port).</summary>
public static class LoopbackPort
{
    /// <summary>A port the OS reports free on 127.0.0.1 right now.</summary>
    public static int Free()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>
    /// Whether some process listens on <paramref name="port"/>, read from <c>/proc/net/tcp</c> (state 0A). Used instead of
    /// connecting: a GDB server counts a connection as a session (QEMU serves only one; OpenOCD halts and resumes on it).
    /// </summary>
    public static bool IsListening(int port)
    {
        var suffix = ":" + port.ToString("X4", CultureInfo.InvariantCulture);
        return File.ReadLines("/proc/net/tcp").Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Any(fields => fields.Length > 3 && fields[1].EndsWith(suffix, StringComparison.Ordinal) && fields[3] == "0A");
    }
}
