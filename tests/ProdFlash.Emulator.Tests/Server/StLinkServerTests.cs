using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using ProdFlash.Emulator.Server;
using ProdFlash.Emulator.StLink;
using ProdFlash.Emulator.Timing;

namespace ProdFlash.Emulator.Tests.Server;

public sealed class StLinkServerTests
{
    private static EmulatedStLink NewProbe(string personality = "v2j37", int index = 0) =>
        new(StLinkPersonality.Create(personality, index), new RamTarget(), new ModeledClock(new FakeTimeProvider()));

    private static async Task<byte[]> RoundTripAsync(NetworkStream stream, byte[] request, int replyLength)
    {
        var ct = TestContext.Current.CancellationToken;
        await stream.WriteAsync(request, ct);
        var reply = new byte[replyLength];
        await stream.ReadExactlyAsync(reply, ct);
        return reply;
    }

    private static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", string.Empty, StringComparison.Ordinal));

    [Fact]
    public async Task OpenOcdSequence_RawClient_GetsTheRepliesOfSection52ByteForByte()
    {
        // Arrange
        var probe = NewProbe();
        await using var server = new StLinkServer([probe]);
        server.Start(0);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, server.Port, TestContext.Current.CancellationToken);
        var stream = client.GetStream();
        var serial = Convert.ToHexString(Encoding.ASCII.GetBytes(probe.Personality.Serial));

        // Act
        var version = await RoundTripAsync(stream, Hex("06 01 00 00"), 16);
        var refresh = await RoundTripAsync(stream, Hex("00 00"), 4);
        var count = await RoundTripAsync(stream, Hex("01"), 4);
        var info = await RoundTripAsync(stream, Hex("02 00 00 00 29 00 00 00"), 45);
        var open = await RoundTripAsync(stream, Hex("03 00 00 00 34 12 00 00"), 8);
        var usb = await RoundTripAsync(stream, Hex("05 000000 FECA0000 F1000000000000000000000000000000 01 000000 06000000"), 10);
        var close = await RoundTripAsync(stream, Hex("04 00 00 00 FE CA 00 00"), 4);

        // Assert
        Assert.Equal(Hex("02000000 02000000 01000000 01000000"), version);
        Assert.Equal(Hex("01000000"), refresh);
        Assert.Equal(Hex("01000000"), count);
        Assert.Equal(Hex("01000000 34120000" + serial + "0000000000000000 8304 4837 00"), info);
        Assert.Equal(Hex("01000000 FECA0000"), open);
        Assert.Equal(Hex("01000000 2947 8304 4837"), usb);
        Assert.Equal(Hex("01000000"), close);
        Assert.Equal(0, client.Available);
    }

    [Fact]
    public async Task SendUsbCommand_WriteThenReadMemory_CarriesDataBothWays()
    {
        var probe = NewProbe();
        await using var server = new StLinkServer([probe]);
        server.Start(0);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, server.Port, TestContext.Current.CancellationToken);
        var stream = client.GetStream();
        await RoundTripAsync(stream, Hex("03 00 00 00 34 12 00 00"), 8);

        var enter = await RoundTripAsync(stream, Hex("05 000000 FECA0000 F230A300000000000000000000000000 01 000000 02000000"), 6);
        var write = await RoundTripAsync(stream, Hex("05 000000 FECA0000 F2080000002008000000000000000000 00 000000 08000000 0102030405060708"), 4);
        var read = await RoundTripAsync(stream, Hex("05 000000 FECA0000 F2070000002008000000000000000000 01 000000 08000000"), 12);
        var exit = await RoundTripAsync(stream, Hex("05 000000 FECA0000 F2210000000000000000000000000000 01 000000 00000000"), 4);

        Assert.Equal(Hex("01000000 8000"), enter);
        Assert.Equal(Hex("01000000"), write);
        Assert.Equal(Hex("01000000 0102030405060708"), read);
        Assert.Equal(Hex("01000000"), exit);
    }

    [Fact]
    public async Task OpenDevice_SecondClientOnAUsedProbe_SeesDeviceUsedAndGetsBusy()
    {
        await using var server = new StLinkServer([NewProbe()]);
        server.Start(0);
        using var first = new TcpClient();
        using var second = new TcpClient();
        await first.ConnectAsync(IPAddress.Loopback, server.Port, TestContext.Current.CancellationToken);
        await second.ConnectAsync(IPAddress.Loopback, server.Port, TestContext.Current.CancellationToken);

        var firstOpen = await RoundTripAsync(first.GetStream(), Hex("03 00 00 00 34 12 00 00"), 8);
        var info = await RoundTripAsync(second.GetStream(), Hex("02 00 00 00 29 00 00 00"), 45);
        var secondOpen = await RoundTripAsync(second.GetStream(), Hex("03 00 00 00 34 12 00 00"), 8);

        Assert.Equal(Hex("01000000 FECA0000"), firstOpen);
        Assert.Equal(1, info[44]);
        Assert.Equal(Hex("04200000 00000000"), secondOpen);
    }

    [Fact]
    public async Task OpenDevice_AfterFirstClientDisconnects_IsFreeAgain()
    {
        await using var server = new StLinkServer([NewProbe()]);
        server.Start(0);
        using (var first = new TcpClient())
        {
            await first.ConnectAsync(IPAddress.Loopback, server.Port, TestContext.Current.CancellationToken);
            await RoundTripAsync(first.GetStream(), Hex("03 00 00 00 34 12 00 00"), 8);
        }

        using var second = new TcpClient();
        await second.ConnectAsync(IPAddress.Loopback, server.Port, TestContext.Current.CancellationToken);
        byte[] open = [];
        for (var attempt = 0; attempt < 50; attempt++)
        {
            open = await RoundTripAsync(second.GetStream(), Hex("03 00 00 00 34 12 00 00"), 8);
            if (open[0] == 1)
            {
                break;
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        Assert.Equal(1, open[0]);
        Assert.NotEqual(0u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(open.AsSpan(4)));
    }

    [Fact]
    public async Task GetDeviceInfo_TwoClones_ReportTheSameHexSerial()
    {
        await using var server = new StLinkServer([NewProbe("clone", 0), NewProbe("clone", 1)]);
        server.Start(0);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, server.Port, TestContext.Current.CancellationToken);

        var count = await RoundTripAsync(client.GetStream(), Hex("01"), 4);
        var first = await RoundTripAsync(client.GetStream(), Hex("02 00 00 00 29 00 00 00"), 45);
        var second = await RoundTripAsync(client.GetStream(), Hex("02 01 00 00 29 00 00 00"), 45);

        Assert.Equal(Hex("02000000"), count);
        Assert.Equal("55FF6B064986525131390887", Encoding.ASCII.GetString(first, 8, 24));
        Assert.Equal(first[8..40], second[8..40]);
        Assert.Equal(Hex("35120000"), second[4..8]);
    }

    [Fact]
    public async Task SendUsbCommand_UnknownConnectId_ReturnsBadParameterAndTheReadLength()
    {
        await using var server = new StLinkServer([NewProbe()]);
        server.Start(0);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, server.Port, TestContext.Current.CancellationToken);

        var reply = await RoundTripAsync(client.GetStream(), Hex("05 000000 99990000 F1000000000000000000000000000000 01 000000 06000000"), 10);

        Assert.Equal(Hex("02100000 000000000000"), reply);
    }
}

public sealed class StLinkServerUnplugTests
{
    [Fact]
    public async Task UsbTimeout_HungProbe_AnswersTimeoutWithTheRequestedLength()
    {
        var probe = new EmulatedStLink(
            StLinkPersonality.Create("v2j37"), new RamTarget(), new ModeledClock(new FakeTimeProvider()), ProdFlash.Emulator.Faults.FaultSet.ParseList("usb-timeout:connect"));
        await using var server = new StLinkServer([probe]);
        server.Start(0);
        var ct = TestContext.Current.CancellationToken;
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, server.Port, ct);
        var stream = client.GetStream();
        await stream.WriteAsync(Convert.FromHexString("0300000034120000"), ct);
        await stream.ReadExactlyAsync(new byte[8], ct);

        await stream.WriteAsync(Convert.FromHexString("05000000FECA0000F230A30000000000000000000000000001000000" + "02000000"), ct);
        var enter = new byte[6];
        await stream.ReadExactlyAsync(enter, ct);
        await stream.WriteAsync(Convert.FromHexString("05000000FECA0000F1000000000000000000000000000000010000000" + "6000000"), ct);
        var version = new byte[10];
        await stream.ReadExactlyAsync(version, ct);

        Assert.Equal(Convert.FromHexString("011000000000"), enter);
        Assert.Equal(Convert.FromHexString("01100000000000000000"), version);
    }

    [Fact]
    public async Task DisposeAsync_WithAnIdleClientConnected_StopsAndClosesIt()
    {
        var probe = new EmulatedStLink(StLinkPersonality.Create("v2j37"), new RamTarget(), new ModeledClock(new FakeTimeProvider()));
        var server = new StLinkServer([probe]);
        server.Start(0);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, server.Port, TestContext.Current.CancellationToken);

        var dispose = server.DisposeAsync().AsTask();
        var finished = await Task.WhenAny(dispose, Task.Delay(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
        var read = await client.GetStream().ReadAsync(new byte[1], TestContext.Current.CancellationToken);

        Assert.Same(dispose, finished);
        Assert.Equal(0, read);
    }

    [Fact]
    public async Task Unplug_AtConnect_ClosesTheClientAndTheProbeLeavesTheList()
    {
        // Arrange: probe 0 vanishes when SWD is entered, probe 1 stays.
        var clock = new ModeledClock(new FakeTimeProvider());
        var vanishing = new EmulatedStLink(StLinkPersonality.Create("v2j37", 0), new RamTarget(), clock, ProdFlash.Emulator.Faults.FaultSet.ParseList("unplug:connect"));
        var staying = new EmulatedStLink(StLinkPersonality.Create("v2j37", 1), new RamTarget(), new ModeledClock(new FakeTimeProvider()));
        await using var server = new StLinkServer([vanishing, staying]);
        server.Start(0);
        var ct = TestContext.Current.CancellationToken;
        using var first = new TcpClient();
        await first.ConnectAsync(IPAddress.Loopback, server.Port, ct);
        var stream = first.GetStream();
        await stream.WriteAsync(Convert.FromHexString("0300000034120000"), ct);
        await stream.ReadExactlyAsync(new byte[8], ct);

        // Act
        await stream.WriteAsync(Convert.FromHexString("05000000FECA0000F230A30000000000000000000000000001000000" + "02000000"), ct);
        var read = await stream.ReadAtLeastAsync(new byte[6], 6, throwOnEndOfStream: false, ct);
        using var second = new TcpClient();
        await second.ConnectAsync(IPAddress.Loopback, server.Port, ct);
        var secondStream = second.GetStream();
        await secondStream.WriteAsync(new byte[] { 0x01 }, ct);
        var count = new byte[4];
        await secondStream.ReadExactlyAsync(count, ct);
        await secondStream.WriteAsync(Convert.FromHexString("0200000029000000"), ct);
        var info = new byte[45];
        await secondStream.ReadExactlyAsync(info, ct);

        // Assert
        Assert.Equal(0, read);
        Assert.True(vanishing.IsUnplugged);
        Assert.Equal(new byte[] { 1, 0, 0, 0 }, count);
        Assert.Equal(new byte[] { 0x35, 0x12, 0, 0 }, info[4..8]);
        Assert.Equal(staying.Personality.Serial, System.Text.Encoding.ASCII.GetString(info, 8, 24));
    }
}
