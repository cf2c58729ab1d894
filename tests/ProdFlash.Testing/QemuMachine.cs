using System.Diagnostics;
using System.Text;

namespace ProdFlash.Testing;

/// <summary>
/// One <c>qemu-system-arm -M stm32vldiscovery</c> (an STM32F100RB) started by a test: USART1 captured to a file, and
/// optionally halted at reset with its GDB stub on a loopback port (<c>-S -gdb</c>) for a <c>gdb://</c> probe.
/// </summary>
/// <remarks>Dispose kills QEMU and deletes the capture folder. A missing QEMU fails the test under CI=true.</remarks>
public sealed class QemuMachine : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TempDirectory _folder;
    private readonly StringBuilder _stderr = new();

    private QemuMachine(Process process, TempDirectory folder, string uartPath, int? gdbPort)
    {
        _process = process;
        _folder = folder;
        UartPath = uartPath;
        GdbPort = gdbPort;
    }

    /// <summary>The file QEMU writes USART1's output to.</summary>
    public string UartPath { get; }

    /// <summary>The loopback port of QEMU's GDB stub; null when started without one.</summary>
    public int? GdbPort { get; }

    /// <summary>The selector a probe uses to reach the GDB stub, e.g. <c>gdb://127.0.0.1:41234</c>.</summary>
    public string GdbSelector => GdbPort is { } port ? $"gdb://127.0.0.1:{port}" : throw new InvalidOperationException("This QEMU has no GDB stub.");

    /// <summary>Starts QEMU.</summary>
    /// <param name="kernel">An ELF to load and run at reset; null for an empty flash.</param>
    /// <param name="gdbHalted">Whether to start halted (<c>-S</c>) with the GDB stub on a free loopback port.</param>
    /// <param name="loads">Extra blobs put in memory before reset (<c>-device loader,file=...,addr=...</c>).</param>
    /// <param name="board">The QEMU board (<c>-M</c>): the STM32F100 <c>stm32vldiscovery</c> by default; <c>netduinoplus2</c> is an STM32F405 (Cortex-M4, 128 KiB SRAM).</param>
    public static async Task<QemuMachine> StartAsync(string? kernel = null, bool gdbHalted = false, IReadOnlyList<(byte[] Bytes, uint Address)>? loads = null, string board = "stm32vldiscovery")
    {
        var qemu = ExternalTool.Require("qemu-system-arm", "qemu-system-arm");
        var folder = new TempDirectory();
        var uart = Path.Combine(folder.Path, "usart1.txt");
        var start = new ProcessStartInfo(qemu)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-M", board, "-nographic", "-monitor", "none", "-serial", $"file:{uart}" })
        {
            start.ArgumentList.Add(argument);
        }

        if (kernel is not null)
        {
            start.ArgumentList.Add("-kernel");
            start.ArgumentList.Add(kernel);
        }

        var index = 0;
        foreach (var (bytes, address) in loads ?? [])
        {
            var blob = Path.Combine(folder.Path, $"load{index++}.bin");
            await File.WriteAllBytesAsync(blob, bytes);
            start.ArgumentList.Add("-device");
            start.ArgumentList.Add($"loader,file={blob},addr=0x{address:X8}");
        }

        int? port = null;
        if (gdbHalted)
        {
            port = LoopbackPort.Free();
            start.ArgumentList.Add("-S");
            start.ArgumentList.Add("-gdb");
            start.ArgumentList.Add($"tcp:127.0.0.1:{port}");
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("qemu-system-arm did not start.");
        var machine = new QemuMachine(process, folder, uart, port);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (machine._stderr)
                {
                    machine._stderr.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        if (port is { } p)
        {
            await machine.WaitForPortAsync(p);
        }

        return machine;
    }

    /// <summary>Waits until USART1 has printed a whole line starting with <paramref name="prefix"/> and returns it (without the line end).</summary>
    /// <exception cref="TimeoutException">No such line within <paramref name="timeout"/>; the message holds what USART1 and QEMU printed.</exception>
    public async Task<string> WaitForLineAsync(string prefix, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var text = File.Exists(UartPath) ? await ReadSharedAsync(UartPath) : string.Empty;
            var line = text.Split('\n').Where(l => l.EndsWith('\r') || text.EndsWith('\n')).Select(l => l.TrimEnd('\r')).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
            if (line is not null)
            {
                return line;
            }

            if (_process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"USART1 printed no line starting with '{prefix}' within {timeout.TotalSeconds:0} s (QEMU {(_process.HasExited ? $"exited with {_process.ExitCode}" : "still running")}). USART1: '{text}'. QEMU stderr: '{StandardError}'.");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>What QEMU wrote to its standard error so far.</summary>
    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        finally
        {
            _process.Dispose();
            _folder.Dispose();
        }
    }

    private static async Task<string> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadToEndAsync();
    }

    private async Task WaitForPortAsync(int port)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"qemu-system-arm exited with {_process.ExitCode} before its GDB stub listened on {port}: {StandardError}");
            }

            if (LoopbackPort.IsListening(port))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"qemu-system-arm did not listen on 127.0.0.1:{port} within 30 s: {StandardError}");
            }

            await Task.Delay(50);
        }
    }
}
