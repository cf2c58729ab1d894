using ProdFlash.Core.Probes;
using ProdFlash.Core.Targets;
using ProdFlash.Probes.Gdb;

using static ProdFlash.Probes.Tests.Gdb.GdbStep;

namespace ProdFlash.Probes.Tests.Gdb;

/// <summary>Client failures become Core's <see cref="TargetException"/> kinds the engine maps to failure codes.</summary>
public sealed class GdbProbeErrorMappingTests
{
    private static readonly GdbProbeOptions Short = new() { Channel = new GdbChannelOptions { Timeout = TimeSpan.FromMilliseconds(300) } };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // A minimal server: no features beyond the packet size, stopped with SIGTRAP, no vCont.
    private static GdbStep[] Handshake() =>
    [
        Client(Frame(GdbClient.SupportedRequest)), Server("+" + Frame("PacketSize=400")), Client("+"),
        Client(Frame("?")), Server("+" + Frame("S05")), Client("+"),
        Client(Frame("vCont?")), Server("+" + Frame(string.Empty)), Client("+"),
    ];

    [Fact]
    public async Task Read_ServerStopsAnswering_NoResponseNamingTheCommand()
    {
        await using var server = ScriptedGdbServer.Start([.. Handshake(), Client(Frame("m20000000,4")), Server("+"), Client("-never-")]);
        await using var probe = await new GdbProbeProvider(Short).OpenAsync(ProbeSelector.Parse($"gdb://127.0.0.1:{server.Port}"), Ct);

        var error = await Assert.ThrowsAsync<TargetException>(async () => await probe.Memory.ReadUInt32Async(0x2000_0000, Ct));

        Assert.Equal(TargetErrorKind.NoResponse, error.Kind);
        Assert.Contains("'m20000000,4'", error.Message, StringComparison.Ordinal);
        Assert.IsType<GdbTimeoutException>(error.InnerException);
    }

    [Fact]
    public async Task Read_ServerClosesConnection_ProbeTransport()
    {
        var server = ScriptedGdbServer.Start([.. Handshake(), Client(Frame("m20000000,4"))]);
        await using var probe = await new GdbProbeProvider(Short).OpenAsync(ProbeSelector.Parse($"gdb://127.0.0.1:{server.Port}"), Ct);
        var reading = probe.Memory.ReadUInt32Async(0x2000_0000, Ct).AsTask();

        await server.DisposeAsync();

        var error = await Assert.ThrowsAsync<TargetException>(() => reading);
        Assert.Equal(TargetErrorKind.ProbeTransport, error.Kind);
    }

    [Fact]
    public async Task Register_NoPAndNoDescription_FallsBackToGPacket()
    {
        // p answered empty (unsupported): r1 comes out of the g packet's second word.
        await using var server = ScriptedGdbServer.Start(
        [
            .. Handshake(),
            Client(Frame("p1")), Server("+" + Frame(string.Empty)), Client("+"),
            Client(Frame("g")), Server("+" + Frame("00000000" + "78563412" + "0*<")), Client("+"),
        ]);
        await using var probe = await new GdbProbeProvider(Short).OpenAsync(ProbeSelector.Parse($"gdb://127.0.0.1:{server.Port}"), Ct);

        var r1 = await probe.Core.ReadRegisterAsync(CoreRegister.R1, Ct);

        Assert.Equal(0x1234_5678u, r1);
        Assert.False(((GdbProbe)probe).Client.SingleRegisters);
        var xpsr = await Assert.ThrowsAsync<TargetException>(async () => await probe.Core.ReadRegisterAsync(CoreRegister.Xpsr, Ct));
        Assert.Equal(TargetErrorKind.InvalidRequest, xpsr.Kind);
    }
}
