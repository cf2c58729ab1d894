using System.Text.Json;

using ProdFlash.EndToEnd.Tests.Harness;
using ProdFlash.Testing;

namespace ProdFlash.EndToEnd.Tests.Qemu;

/// <summary>
/// <c>prodflash flash gdb://...</c> on QEMU's stm32vldiscovery board, halted at reset with an empty flash: the CLI
/// programs the banner firmware with a serial record, verifies it, resets and runs the board, and the firmware prints
/// the serial on USART1. Nothing here is ours but the CLI: QEMU's GDB stub and its Cortex-M3 run the firmware.
/// </summary>
public sealed class QemuCliTests
{
    private static readonly string s_folder = Path.Combine(RepositoryPaths.FirmwareImages, "samples", "qemu-stm32vldiscovery");

    [Fact]
    public async Task Flash_BannerFirmwareWithSerial_BoardPrintsTheSerial()
    {
        // Arrange
        await using var qemu = await QemuMachine.StartAsync(gdbHalted: true);

        // Act
        var result = await CliProcess.RunAsync(
            ["flash", qemu.GdbSelector, "--image", Path.Combine(s_folder, "qemu-stm32vldiscovery.hex"), "--recipe", Path.Combine(s_folder, "recipe.json"), "--serial", "1234", "--report", "json"],
            TimeSpan.FromMinutes(3));

        // Assert
        Assert.True(result.ExitCode == 0, $"prodflash exited {result.ExitCode}: {result.StandardError}{result.StandardOutput}\nQEMU: {qemu.StandardError}");
        using var report = JsonDocument.Parse(result.StandardOutput);
        Assert.Equal("Passed", report.RootElement.GetProperty("result").GetString());
        var line = await qemu.WaitForLineAsync("SN=", TimeSpan.FromSeconds(30));
        Assert.Equal("SN=1234", line);
    }

    [Fact]
    public async Task Flash_NothingListening_FailsNamingTheAddress()
    {
        // Arrange: a loopback port nobody listens on.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        // Act
        var result = await CliProcess.RunAsync(
            ["flash", $"gdb://127.0.0.1:{port}", "--image", Path.Combine(s_folder, "qemu-stm32vldiscovery.hex"), "--recipe", Path.Combine(s_folder, "recipe.json")],
            TimeSpan.FromMinutes(2));

        // Assert
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains($"127.0.0.1:{port}", result.StandardOutput + result.StandardError, StringComparison.Ordinal);
    }
}
