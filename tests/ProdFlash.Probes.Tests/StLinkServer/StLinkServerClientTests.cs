using ProdFlash.Probes.StLink;
using ProdFlash.Probes.StLinkServer;

namespace ProdFlash.Probes.Tests.StLinkServer;

public sealed class StLinkServerClientTests
{
    private const string SerialHex = "303132333435363738394142434445463031323334353637"; // "0123456789ABCDEF01234567"

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ScriptedStLinkServer OpenSequence(ScriptedStLinkServer server) => server
        .Then(4, "02000000 02000000 01000000 01000000")
        .Then(2, "01000000")
        .Then(1, "01000000")
        .Then(8, "01000000 34120000" + SerialHex + "0000000000000000 8304 4837 00")
        .Then(8, "01000000 FECA0000");

    [Fact]
    public async Task OpenWireAsync_OpenOcdSequence_ByteExactRequestsAndDecodedDevice()
    {
        await using var server = OpenSequence(new ScriptedStLinkServer())
            .Then(32, "01000000 2947 8304 4837") // GET_VERSION through SEND_USB_CMD: V2J37S7
            .Then(32, "01000000 0100") // GET_CURRENT_MODE: mass storage
            .Then(8, "01000000"); // CLOSE_DEV
        server.Start();

        var wire = await StLinkServerClient.OpenWireAsync("127.0.0.1", server.Port, "0123456789ABCDEF01234567", Ct);
        StLinkInfo info;
        await using (var probe = new StLinkProbe(wire))
        {
            info = await probe.OpenAsync(Ct);
        }

        await server.CompletedAsync();
        Assert.Equal(
            [
                "06010000",
                "0000",
                "01",
                "0200000029000000",
                "0300000034120000",
                "05000000FECA0000F1000000000000000000000000000000" + "01000000" + "06000000",
                "05000000FECA0000F5000000000000000000000000000000" + "01000000" + "02000000",
                "04000000FECA0000",
            ],
            server.Requests.Select(Convert.ToHexString));
        Assert.Equal("V2J37S7", info.FirmwareName);
        Assert.Equal(0xCAFEu, wire.ConnectId);
        Assert.Equal(2u, wire.ServerVersion!.Api);
        Assert.Equal(0x1234u, wire.Device.Cookie);
        Assert.Equal("0123456789ABCDEF01234567", wire.Device.Serial);
        Assert.Equal((ushort)0x3748, wire.Device.ProductId);
    }

    [Fact]
    public async Task GetServerVersionAsync_Reply_ApiMajorMinorBuild()
    {
        await using var server = new ScriptedStLinkServer().Then(4, "02000000 02000000 01000000 01000000");
        server.Start();
        await using var client = await StLinkServerClient.ConnectAsync("127.0.0.1", server.Port, Ct);

        var version = await client.GetServerVersionAsync(Ct);

        Assert.Equal(new StLinkServerVersion(2, 2, 1, 1), version);
    }

    [Fact]
    public async Task TransferAsync_WriteDataPhase_Direction0WithDataAfterHeaderAndStatusOnlyReply()
    {
        await using var server = OpenSequence(new ScriptedStLinkServer()).Then(36, "01000000").Then(8, "01000000");
        server.Start();
        await using var client = await StLinkServerClient.ConnectAsync("127.0.0.1", server.Port, Ct);
        await client.GetServerVersionAsync(Ct);
        var devices = await client.ListDevicesAsync(Ct);
        var cdb = new byte[16];
        cdb[0] = 0xF2;
        cdb[1] = 0x08;

        await using (var wire = await client.OpenDeviceAsync(devices[0], ownsClient: false, Ct))
        {
            var received = await wire.TransferAsync(cdb, new byte[] { 0xDE, 0xAD, 0xBE, 0xEF }, Memory<byte>.Empty, TimeSpan.FromSeconds(1), Ct);
            Assert.Equal(0, received);
        }

        await server.CompletedAsync();
        Assert.Equal("05000000FECA0000F2080000000000000000000000000000" + "00000000" + "04000000" + "DEADBEEF", server.RequestHex(5));
    }

    [Fact]
    public async Task TransferAsync_BusyThenOk_RetriedAndDataDelivered()
    {
        await using var server = OpenSequence(new ScriptedStLinkServer())
            .Then(32, "04200000 0000")
            .Then(32, "04200000 0000")
            .Then(32, "01000000 0200")
            .Then(8, "01000000");
        server.Start();
        await using var client = await StLinkServerClient.ConnectAsync("127.0.0.1", server.Port, Ct);
        await client.GetServerVersionAsync(Ct);
        var devices = await client.ListDevicesAsync(Ct);
        var reply = new byte[2];

        await using (var wire = await client.OpenDeviceAsync(devices[0], ownsClient: false, Ct))
        {
            await wire.TransferAsync(StLinkProbeCdb(0xF5), ReadOnlyMemory<byte>.Empty, reply, TimeSpan.FromSeconds(1), Ct);
        }

        await server.CompletedAsync();
        Assert.Equal(0x02, reply[0]);
        Assert.Equal(3, server.Requests.Count(r => r[0] == 0x05));
    }

    [Fact]
    public async Task TransferAsync_BusyBeyondBound_StLinkServerExceptionWithBusyStatus()
    {
        var server = OpenSequence(new ScriptedStLinkServer());
        for (var i = 0; i < 3; i++)
        {
            server.Then(32, "04200000 0000");
        }

        await using var _ = server;
        server.Start();
        await using var client = await StLinkServerClient.ConnectAsync("127.0.0.1", server.Port, Ct);
        client.MaxBusyRetries = 2;
        await client.GetServerVersionAsync(Ct);
        var devices = await client.ListDevicesAsync(Ct);
        var wire = await client.OpenDeviceAsync(devices[0], ownsClient: false, Ct);

        var error = await Assert.ThrowsAsync<StLinkServerException>(async () => await wire.TransferAsync(StLinkProbeCdb(0xF5), ReadOnlyMemory<byte>.Empty, new byte[2], TimeSpan.FromSeconds(1), Ct));

        Assert.Equal(StLinkServerStatus.TcpBusy, error.Status);
        Assert.Equal(3, server.Requests.Count(r => r[0] == 0x05));
    }

    [Fact]
    public async Task TransferAsync_ServerClosesSocket_TransportExceptionIsDisconnected()
    {
        await using var server = OpenSequence(new ScriptedStLinkServer()).ThenClose(32);
        server.Start();
        await using var client = await StLinkServerClient.ConnectAsync("127.0.0.1", server.Port, Ct);
        await client.GetServerVersionAsync(Ct);
        var devices = await client.ListDevicesAsync(Ct);
        var wire = await client.OpenDeviceAsync(devices[0], ownsClient: false, Ct);

        var error = await Assert.ThrowsAsync<StLinkTransportException>(async () => await wire.TransferAsync(StLinkProbeCdb(0xF1), ReadOnlyMemory<byte>.Empty, new byte[6], TimeSpan.FromSeconds(1), Ct));

        Assert.True(error.IsDisconnected);
        Assert.False(error.IsTimeout);
    }

    [Fact]
    public async Task TransferAsync_ServerNeverAnswers_TransportExceptionIsTimeout()
    {
        await using var server = OpenSequence(new ScriptedStLinkServer()).Then(32, Array.Empty<byte>()).Then(1, Array.Empty<byte>());
        server.Start();
        await using var client = await StLinkServerClient.ConnectAsync("127.0.0.1", server.Port, Ct);
        await client.GetServerVersionAsync(Ct);
        var devices = await client.ListDevicesAsync(Ct);
        var wire = await client.OpenDeviceAsync(devices[0], ownsClient: false, Ct);

        var error = await Assert.ThrowsAsync<StLinkTransportException>(async () => await wire.TransferAsync(StLinkProbeCdb(0xF1), ReadOnlyMemory<byte>.Empty, new byte[6], TimeSpan.FromMilliseconds(100), Ct));

        Assert.True(error.IsTimeout);
    }

    [Fact]
    public async Task RefreshDeviceListAsync_ErrorStatus_StLinkServerExceptionNamingStatus()
    {
        await using var server = new ScriptedStLinkServer().Then(2, "03100000");
        server.Start();
        await using var client = await StLinkServerClient.ConnectAsync("127.0.0.1", server.Port, Ct);

        var error = await Assert.ThrowsAsync<StLinkServerException>(async () => await client.RefreshDeviceListAsync(Ct));

        Assert.Equal(0x1003u, error.Status);
        Assert.Contains("OPEN_ERR", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenWireAsync_SerialNotListed_TransportExceptionListingSerials()
    {
        await using var server = new ScriptedStLinkServer()
            .Then(4, "02000000 02000000 01000000 01000000")
            .Then(2, "01000000")
            .Then(1, "01000000")
            .Then(8, "01000000 34120000" + SerialHex + "0000000000000000 8304 4837 00");
        server.Start();

        var error = await Assert.ThrowsAsync<StLinkTransportException>(async () => await StLinkServerClient.OpenWireAsync("127.0.0.1", server.Port, "066DFF000000000000000000", Ct));

        Assert.Contains("0123456789ABCDEF01234567", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConnectAsync_NothingListening_TransportExceptionIsDisconnected()
    {
        int port;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }

        var error = await Assert.ThrowsAsync<StLinkTransportException>(async () => await StLinkServerClient.ConnectAsync("127.0.0.1", port, Ct));

        Assert.True(error.IsDisconnected);
    }

    private static byte[] StLinkProbeCdb(byte first)
    {
        var cdb = new byte[16];
        cdb[0] = first;
        return cdb;
    }
}
