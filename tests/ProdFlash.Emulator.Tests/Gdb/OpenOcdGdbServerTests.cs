using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

using ProdFlash.Core.Probes;
using ProdFlash.Core.Targets;
using ProdFlash.Emulator.Tests.OpenOcd;
using ProdFlash.Probes.Gdb;
using ProdFlash.Testing;

namespace ProdFlash.Emulator.Tests.Gdb;

/// <summary>
/// Debian's OpenOCD 0.12 drives our emulated STM32F103C8 over the stlink-server endpoint and serves it on its GDB
/// port; our GDB client programs flash through OpenOCD's vFlashErase/vFlashWrite/vFlashDone and reads it back, and
/// the emulated chip holds the bytes.
/// </summary>
public sealed class OpenOcdGdbServerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Open_OpenOcdGdbPort_NoAckModeAndFlashRegionFromMemoryMap()
    {
        await using var bench = OpenOcdBench.Start();
        await using var openocd = await OpenOcdGdbPort.StartAsync(bench);

        await using var probe = (GdbProbe)await new GdbProbeProvider().OpenAsync(ProbeSelector.Parse(openocd.Selector), Ct);

        Assert.True(probe.Client.Channel.NoAck);
        Assert.True(probe.Client.Supports("qXfer:memory-map:read"));
        var flash = Assert.Single(probe.FlashRegions);
        Assert.Equal(new ServerMemoryRegion(ServerMemoryKind.Flash, 0x0800_0000, 0x1_0000, 0x400), flash); // 64 KiB of 1 KiB pages, RM0008 §3.3.3
    }

    [Fact]
    public async Task VFlash_EraseWriteDone_ChipHoldsTheBytesAndRestOfPageErased()
    {
        // Arrange: 3000 bytes (three pages, the last partly) including every byte that needs escaping.
        await using var bench = OpenOcdBench.Start();
        await using var openocd = await OpenOcdGdbPort.StartAsync(bench);
        await using var probe = (GdbProbe)await new GdbProbeProvider().OpenAsync(ProbeSelector.Parse(openocd.Selector), Ct);
        await probe.ConnectAsync(Ct);
        var image = Enumerable.Range(0, 3000).Select(i => (byte)((i * 151) ^ (i >> 4))).ToArray();
        image[10] = (byte)'#';
        image[11] = (byte)'$';
        image[12] = (byte)'}';
        image[13] = (byte)'*';

        // Act
        await probe.EraseFlashAsync(0x0800_0000, (uint)image.Length, Ct);
        await probe.WriteFlashAsync(0x0800_0000, image, Ct);
        await probe.CommitFlashAsync(Ct);
        var back = new byte[3072];
        await probe.Memory.ReadAsync(0x0800_0000, back, AccessWidth.Word, Ct);

        // Assert
        Assert.Equal(image, back[..image.Length]);
        Assert.All(back[image.Length..], b => Assert.Equal(0xFF, b));
        Assert.Equal(Word(image, 0), OpenOcdBench.ReadWord(bench.Chip, 0x0800_0000));
        Assert.Equal(Word(image, 2996), OpenOcdBench.ReadWord(bench.Chip, 0x0800_0000 + 2996));
    }

    [Fact]
    public async Task ResetAndHalt_OpenOcd_ResetHaltUnderstoodAndCoreHalted()
    {
        await using var bench = OpenOcdBench.Start();
        await using var openocd = await OpenOcdGdbPort.StartAsync(bench);
        await using var probe = (GdbProbe)await new GdbProbeProvider().OpenAsync(ProbeSelector.Parse(openocd.Selector), Ct);
        var connection = await probe.ConnectAsync(Ct);

        await probe.Core.ResetAndHaltAsync(Ct);
        var dhcsr = await probe.Memory.ReadUInt32Async(0xE000_EDF0, Ct);

        Assert.Equal("reset halt", probe.ResetCommand);
        Assert.Equal(0u, connection.DpIdr); // not available through a GDB server, reported as 0
        Assert.Equal(0x411F_C231u, probe.Cpuid); // the emulated F103's Cortex-M3 r1p1
        Assert.NotEqual(0u, dhcsr & (1u << 17)); // S_HALT, ARMv7-M ARM C1.6.2
    }

    private static uint Word(byte[] data, int offset) =>
        System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(data.AsSpan(offset, 4));

    /// <summary>OpenOCD as a long-running child with its GDB port on a free loopback port; disposing kills it.</summary>
    internal sealed class OpenOcdGdbPort : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _log = new();

        private OpenOcdGdbPort(Process process, int port)
        {
            _process = process;
            Port = port;
            _process.OutputDataReceived += (_, e) => Append(e.Data);
            _process.ErrorDataReceived += (_, e) => Append(e.Data);
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public int Port { get; }

        public string Selector => string.Create(CultureInfo.InvariantCulture, $"gdb://127.0.0.1:{Port}");

        public static async Task<OpenOcdGdbPort> StartAsync(OpenOcdBench bench)
        {
            var openocd = ExternalTool.Require("openocd", "openocd");
            var port = LoopbackPort.Free();
            var start = new ProcessStartInfo(openocd) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[]
                     {
                         "-f", "interface/stlink-dap.cfg", "-c", string.Create(CultureInfo.InvariantCulture, $"st-link backend tcp {bench.Server.Port}"),
                         "-c", "set WORKAREASIZE 0", "-f", "target/stm32f1x.cfg",
                         "-c", string.Create(CultureInfo.InvariantCulture, $"gdb_port {port}"), "-c", "bindto 127.0.0.1",
                         "-c", "tcl_port disabled", "-c", "telnet_port disabled",
                     })
            {
                start.ArgumentList.Add(argument);
            }

            var server = new OpenOcdGdbPort(Process.Start(start) ?? throw new InvalidOperationException("openocd did not start."), port);
            try
            {
                await server.WaitForListenerAsync();
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
        }

        private void Append(string? line)
        {
            if (line is not null)
            {
                lock (_log)
                {
                    _log.AppendLine(line);
                }
            }
        }

        private async Task WaitForListenerAsync()
        {
            for (var i = 0; i < 600; i++)
            {
                if (_process.HasExited)
                {
                    lock (_log)
                    {
                        throw new InvalidOperationException($"openocd exited with {_process.ExitCode}:\n{_log}");
                    }
                }

                if (LoopbackPort.IsListening(Port))
                {
                    return;
                }

                await Task.Delay(100, Ct);
            }

            lock (_log)
            {
                throw new TimeoutException($"openocd did not listen on its GDB port {Port} within 60 s:\n{_log}");
            }
        }
    }
}
