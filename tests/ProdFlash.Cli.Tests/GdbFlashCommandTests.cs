using System.Net;
using System.Net.Sockets;

using ProdFlash.Testing;

namespace ProdFlash.Cli.Tests;

/// <summary><c>prodflash flash gdb://...</c>: the CLI opens GDB servers through the GDB probe provider.</summary>
public sealed class GdbFlashCommandTests
{
    private static readonly string s_sampleHex = Path.Combine(RepositoryPaths.FirmwareImages, "samples", "blue-pill-f103c8", "blue-pill-f103c8.hex");

    [Fact]
    public void Flash_GdbSelectorNothingListening_BadInputNamingTheAddress()
    {
        // Arrange: a loopback port nobody listens on.
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        // Act
        var exit = CliApp.Run(["flash", $"gdb://127.0.0.1:{port}", "--image", s_sampleHex], stdout, stderr);

        // Assert
        Assert.Equal(CliApp.ExitBadInput, exit);
        Assert.Contains($"No GDB server is listening at 127.0.0.1:{port}", stderr.ToString() + stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("not supported", stderr.ToString() + stdout, StringComparison.Ordinal);
    }
}
