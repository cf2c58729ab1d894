using System.Text.Json;

using ProdFlash.Core.Probes;
using ProdFlash.Probes.Gdb;

namespace ProdFlash.Probes.Tests.Gdb;

/// <summary>
/// Whole sessions recorded from real GDB servers, replayed byte for byte: the probe must send exactly what it sent
/// when the recording was made, and understand what the server answered.
/// </summary>
public sealed class GdbRecordedSessionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task OpenConnectDispose_Qemu72Recording_SameBytesAndDecodedFeatures()
    {
        // Arrange
        await using var server = ScriptedGdbServer.Start(Load("qemu-7.2-stm32vldiscovery-open.json"));

        // Act
        GdbProbe probe;
        uint? cpuid;
        await using (probe = (GdbProbe)await new GdbProbeProvider().OpenAsync(ProbeSelector.Parse($"gdb://127.0.0.1:{server.Port}"), Ct))
        {
            await probe.ConnectAsync(Ct);
            cpuid = probe.Cpuid;
        }

        // Assert
        Assert.Null(await server.Finished);
        Assert.True(server.ClientClosed);
        Assert.Equal(0x1000, probe.Client.PacketSize);
        Assert.Equal("T05thread:01;", probe.Client.LastStopReply);
        Assert.Equal(25, probe.Client.RegisterNumbers["xpsr"]);
        Assert.Equal(0, probe.Client.RegisterNumbers["r0"]);
        Assert.Empty(probe.MemoryMap);
        Assert.Equal(0x410F_C231u, cpuid); // Cortex-M3 r1p1
    }

    private static GdbStep[] Load(string name)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Gdb", "Transcripts", name)));
        return [.. document.RootElement.GetProperty("steps").EnumerateArray().Select(step =>
            step.GetProperty("from").GetString() == "client" ? GdbStep.Client(step.GetProperty("bytes").GetString()!) : GdbStep.Server(step.GetProperty("bytes").GetString()!))];
    }
}
