using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

using ProdFlash.Testing;

namespace ProdFlash.Probes.Tests.Gdb;

/// <summary>
/// Debian's <c>qemu-system-arm -M stm32vldiscovery</c> (STM32F100RB, Cortex-M3) stopped at start (<c>-S</c>) with its
/// GDB stub on a free loopback port and USART1 captured to a file. Disposing kills the process this harness started.
/// </summary>
internal sealed class QemuGdbServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TempDirectory _temp;

    private QemuGdbServer(Process process, TempDirectory temp, int port)
    {
        _process = process;
        _temp = temp;
        Port = port;
    }

    public int Port { get; }

    public string Selector => string.Create(CultureInfo.InvariantCulture, $"gdb://127.0.0.1:{Port}");

    public string UartPath => _temp.File("uart.txt");

    public static async Task<QemuGdbServer> StartAsync(CancellationToken cancellationToken)
    {
        var qemu = ExternalTool.Require("qemu-system-arm", "qemu-system-arm");
        var temp = new TempDirectory();
        var port = FreePort();
        var start = new ProcessStartInfo(qemu)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var argument in new[]
                 {
                     "-M", "stm32vldiscovery", "-S", "-gdb", string.Create(CultureInfo.InvariantCulture, $"tcp:127.0.0.1:{port}"),
                     "-nographic", "-monitor", "none", "-serial", "file:" + temp.File("uart.txt"),
                 })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("qemu-system-arm did not start.");
        var server = new QemuGdbServer(process, temp, port);
        try
        {
            await server.WaitForListenerAsync(cancellationToken);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
        _temp.Dispose();
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    // QEMU's stub accepts one client; probe the port by polling the process's readiness instead of connecting, which
    // would take the stub's only connection. Debian's QEMU listens before it reads its first instruction, so a
    // listening socket in /proc/net/tcp is the sign.
    private async Task WaitForListenerAsync(CancellationToken cancellationToken)
    {
        var hexPort = Port.ToString("X4", CultureInfo.InvariantCulture);
        for (var i = 0; i < 200; i++)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"qemu-system-arm exited with {_process.ExitCode}: {await _process.StandardError.ReadToEndAsync(cancellationToken)}");
            }

            var table = await File.ReadAllTextAsync("/proc/net/tcp", cancellationToken);
            if (table.Contains(":" + hexPort + " 00000000:0000 0A", StringComparison.Ordinal))
            {
                return;
            }

            await Task.Delay(50, cancellationToken);
        }

        throw new TimeoutException($"qemu-system-arm did not listen on 127.0.0.1:{Port} within 10 s.");
    }
}
