using ProdFlash.Core.Targets;
using ProdFlash.Probes.Gdb;

using static ProdFlash.Probes.Tests.Gdb.GdbStep;

namespace ProdFlash.Probes.Tests.Gdb;

/// <summary>
/// The client against recorded exchanges, replayed byte for byte by a loopback server: acks, no-ack mode,
/// retransmission after '-', a reply with a bad checksum asked again, run-length and escaped payloads, Exx and O packets.
/// </summary>
public sealed class GdbClientTranscriptTests
{
    private static readonly GdbChannelOptions Fast = new() { Timeout = TimeSpan.FromSeconds(5) };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Request_AckMode_AcksTheReply()
    {
        await using var server = ScriptedGdbServer.Start(
            Client(Frame("m20000000,4")), Server("+" + Frame("deadbeef")), Client("+"));
        await using var client = await ConnectAsync(server);
        var buffer = new byte[4];

        await client.ReadMemoryAsync(0x2000_0000, buffer, Ct);

        Assert.Equal(new byte[] { 0xDE, 0xAD, 0xBE, 0xEF }, buffer);
        await client.DisposeAsync();
        Assert.Null(await server.Finished);
    }

    [Fact]
    public async Task Request_ServerNaksTwice_RetransmitsSameFrame()
    {
        var frame = Frame("m20000000,4");
        await using var server = ScriptedGdbServer.Start(
            Client(frame), Server("-"), Client(frame), Server("-"), Client(frame), Server("+" + Frame("01020304")), Client("+"));
        await using var client = await ConnectAsync(server);
        var buffer = new byte[4];

        await client.ReadMemoryAsync(0x2000_0000, buffer, Ct);

        Assert.Equal(new byte[] { 1, 2, 3, 4 }, buffer);
        Assert.Equal(1, client.Channel.PacketsOut);
        await client.DisposeAsync();
        Assert.Null(await server.Finished);
    }

    [Fact]
    public async Task Request_ServerNaksBeyondBound_ProtocolException()
    {
        var frame = Frame("m20000000,4");
        await using var server = ScriptedGdbServer.Start(
            Client(frame), Server("-"), Client(frame), Server("-"), Client(frame), Server("-"), Client(frame), Server("-"));
        await using var client = await ConnectAsync(server);

        var error = await Assert.ThrowsAsync<GdbProtocolException>(async () => await client.ReadMemoryAsync(0x2000_0000, new byte[4], Ct));

        Assert.Contains("refused 'm20000000,4' with '-' 4 times", error.Message, StringComparison.Ordinal);
        await client.DisposeAsync();
        Assert.Null(await server.Finished);
    }

    [Fact]
    public async Task Reply_BadChecksum_NakThenAcceptsResend()
    {
        await using var server = ScriptedGdbServer.Start(
            Client(Frame("m20000000,4")), Server("+$11223344#00"), Client("-"), Server(Frame("11223344")), Client("+"));
        await using var client = await ConnectAsync(server);
        var buffer = new byte[4];

        await client.ReadMemoryAsync(0x2000_0000, buffer, Ct);

        Assert.Equal(new byte[] { 0x11, 0x22, 0x33, 0x44 }, buffer);
        await client.DisposeAsync();
        Assert.Null(await server.Finished);
    }

    [Fact]
    public async Task Reply_RunLengthEncoded_Expanded()
    {
        // "0*\"" is '0' and five more: 00000012.
        await using var server = ScriptedGdbServer.Start(
            Client(Frame("m20000000,4")), Server("+" + Frame("0*\"12")), Client("+"));
        await using var client = await ConnectAsync(server);
        var buffer = new byte[4];

        await client.ReadMemoryAsync(0x2000_0000, buffer, Ct);

        Assert.Equal(new byte[] { 0x00, 0x00, 0x00, 0x12 }, buffer);
        await client.DisposeAsync();
        Assert.Null(await server.Finished);
    }

    [Fact]
    public async Task ReadMemory_ErrorReply_ExceptionNamesCommandAndAddress()
    {
        // QEMU 7.2 stm32vldiscovery answers E14 at an unmapped address (here the F1 flash-size register it does not model).
        await using var server = ScriptedGdbServer.Start(
            Client(Frame("m1ffff7e0,4")), Server("+$E14#aa"), Client("+"));
        await using var client = await ConnectAsync(server);

        var error = await Assert.ThrowsAsync<GdbErrorReplyException>(async () => await client.ReadMemoryAsync(0x1FFF_F7E0, new byte[4], Ct));

        Assert.Equal(0x14, error.ErrorCode);
        Assert.Equal(0x1FFF_F7E0u, error.Address);
        Assert.Equal("m1ffff7e0,4", error.Command);
        Assert.Contains("E14 to 'm1ffff7e0,4' at 0x1FFFF7E0", error.Message, StringComparison.Ordinal);
        await client.DisposeAsync();
        Assert.Null(await server.Finished);
    }

    [Fact]
    public async Task Monitor_OutputPackets_CollectedAndAcked()
    {
        // QEMU 7.2: "monitor reset halt" prints "unknown command: 'reset'\r\n" through an O packet, then OK.
        var output = "O" + Convert.ToHexStringLower("unknown command: 'reset'\r\n"u8);
        await using var server = ScriptedGdbServer.Start(
            Client(Frame("qRcmd,72657365742068616c74")), Server("+" + Frame(output)), Client("+"), Server(Frame("OK")), Client("+"));
        await using var client = await ConnectAsync(server);

        var text = await client.MonitorAsync("reset halt", Ct);

        Assert.Equal("unknown command: 'reset'\r\n", text);
        await client.DisposeAsync();
        Assert.Null(await server.Finished);
    }

    [Fact]
    public async Task WriteMemory_BinarySupported_EscapesPayload()
    {
        await using var server = ScriptedGdbServer.Start(
            Client(Frame("X20000000,0:")), Server("+" + Frame("OK")), Client("+"),
            Client(Frame("X20000000,5:}\x04}\x03}]}\nA")), Server("+" + Frame("OK")), Client("+"));
        await using var client = await ConnectAsync(server);

        await client.WriteMemoryAsync(0x2000_0000, new byte[] { 0x24, 0x23, 0x7D, 0x2A, 0x41 }, Ct);

        Assert.True(client.BinaryWrites);
        await client.DisposeAsync();
        Assert.Null(await server.Finished);
    }

    [Fact]
    public async Task WriteMemory_BinaryUnsupported_FallsBackToHex()
    {
        // QEMU 7.2 answers X with an empty packet.
        await using var server = ScriptedGdbServer.Start(
            Client(Frame("X8000000,0:")), Server("+$#00"), Client("+"),
            Client(Frame("M8000000,8:0102030405060708")), Server("+$OK#9a"), Client("+"));
        await using var client = await ConnectAsync(server);

        await client.WriteMemoryAsync(0x0800_0000, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, Ct);

        Assert.False(client.BinaryWrites);
        await client.DisposeAsync();
        Assert.Null(await server.Finished);
    }

    [Fact]
    public async Task Handshake_NoAckOfferedWithMemoryMap_NoAckAfterOkAndMapParsed()
    {
        var map = GdbMemoryMapTests.OpenOcdF103Map;
        await using var server = ScriptedGdbServer.Start(
            Client(Frame(GdbClient.SupportedRequest)),
            Server("+" + Frame("PacketSize=4000;qXfer:memory-map:read+;qXfer:features:read-;QStartNoAckMode+;vContSupported+")), Client("+"),
            Client(Frame("QStartNoAckMode")), Server("+" + Frame("OK")), Client("+"),

            // From here on neither side acks.
            Client(Frame("?")), Server(Frame("T05")),
            Client(Frame("qXfer:memory-map:read::0,3fe0")), Server(Frame("l" + map)),
            Client(Frame("vCont?")), Server(Frame("vCont;c;C;s;S;t")),
            Client(Frame("vFlashErase:8000000,800")), Server(Frame("OK")),
            Client(Frame("vFlashWrite:8000000:\x01}\x03\x02")), Server(Frame("OK")),
            Client(Frame("vFlashDone")), Server(Frame("OK")),
            Client(Frame("vCont;c")),
            Client("\x03"), Server(Frame("T02")),
            Client(Frame("D")), Server(Frame("OK")));
        await using var client = await ConnectAsync(server);

        await client.HandshakeAsync(Ct);
        await client.FlashEraseAsync(0x0800_0000, 0x800, Ct);
        await client.FlashWriteAsync(0x0800_0000, new byte[] { 0x01, 0x23, 0x02 }, Ct);
        await client.FlashDoneAsync(Ct);
        await client.ContinueAsync(Ct);
        var running = client.Running;
        var stop = await client.InterruptAsync(Ct);
        await client.DetachAsync(Ct);

        Assert.True(client.Channel.NoAck);
        Assert.Equal(0x4000, client.PacketSize);
        Assert.Equal(0x400u, client.MemoryMap.Single(r => r.Kind == ServerMemoryKind.Flash).BlockSize);
        Assert.True(running);
        Assert.Equal("T02", stop);
        Assert.False(client.Running);
        await client.DisposeAsync();
        Assert.Null(await server.Finished);
    }

    [Fact]
    public async Task Request_ServerSilent_TimeoutNamesCommand()
    {
        await using var server = ScriptedGdbServer.Start(Client(Frame("m20000000,4")), Server("+"), Client("-never-"));
        await using var client = await ConnectAsync(server, new GdbChannelOptions { Timeout = TimeSpan.FromMilliseconds(300) });

        var error = await Assert.ThrowsAsync<GdbTimeoutException>(async () => await client.ReadMemoryAsync(0x2000_0000, new byte[4], Ct));

        Assert.Equal("m20000000,4", error.Command);
        Assert.Contains("did not answer 'm20000000,4'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_ServerCloses_TransportException()
    {
        var server = ScriptedGdbServer.Start(Client(Frame("m20000000,4")));
        await using var client = await ConnectAsync(server);
        var reading = client.ReadMemoryAsync(0x2000_0000, new byte[4], Ct).AsTask();

        await server.DisposeAsync();

        await Assert.ThrowsAsync<GdbTransportException>(() => reading);
    }

    private static async Task<GdbClient> ConnectAsync(ScriptedGdbServer server, GdbChannelOptions? options = null) =>
        await GdbClient.ConnectAsync("127.0.0.1", server.Port, options ?? Fast, null, Ct);
}
