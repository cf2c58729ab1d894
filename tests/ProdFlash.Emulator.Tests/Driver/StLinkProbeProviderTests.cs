using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Probes;
using ProdFlash.Emulator.Faults;
using ProdFlash.Emulator.Server;
using ProdFlash.Emulator.StLink;
using ProdFlash.Probes.Selection;
using ProdFlash.Probes.StLink;
using ProdFlash.Probes.Usb.Native;
using ProdFlash.Testing.StLink;

namespace ProdFlash.Emulator.Tests.Driver;

/// <summary><c>stlink://</c> selectors opened through the provider: USB by serial and port, and TCP through our stlink-server.</summary>
public sealed class StLinkProbeProviderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static EmulatedStLink NewProbe(string personality, int index) =>
        EmulatedProbes.Create("stm32f103c8", personality, FaultSet.None, index, TimeProvider.System, realTime: false);

    private static StLinkProbeProvider Provider(EmulatedUsbBus bus) => new(new StLinkProbeProviderOptions { UsbBus = bus });

    [Fact]
    public async Task OpenAsync_UsbBySerial_OpensThatProbeAndConnects()
    {
        var bus = new EmulatedUsbBus();
        bus.Attach(NewProbe("v2j37", 0), [4, 1]);
        var wanted = NewProbe("v2j37", 1);
        bus.Attach(wanted, [4, 2]);

        await using var probe = await Provider(bus).OpenAsync(ProbeSelector.Parse($"stlink://usb/{wanted.Personality.Serial.ToLowerInvariant()}"), Ct);
        var connection = await probe.ConnectAsync(Ct);

        Assert.Contains(wanted.Personality.Serial, probe.Description.Location, StringComparison.Ordinal);
        Assert.Equal(StLinkDriverContract.F103DpIdr, connection.DpIdr);
    }

    [Fact]
    public async Task OpenAsync_TwoClonesSameSerial_DuplicateSerialNamingThePorts()
    {
        var bus = new EmulatedUsbBus();
        var clone = bus.Attach(NewProbe("clone", 0), [4, 1]);
        bus.Attach(NewProbe("clone", 1), [4, 2]);

        var error = await Assert.ThrowsAsync<ProbeOpenException>(async () => await Provider(bus).OpenAsync(ProbeSelector.Parse($"stlink://usb/{clone.Serial!.Text}"), Ct));

        Assert.Equal(FailureCode.ProbeDuplicateSerial, error.Code);
        Assert.Contains("2 attached ST-LINKs report serial 55FF6B064986525131390887 (at USB ports 1-4.1, 1-4.2)", error.Message, StringComparison.Ordinal);
        Assert.Contains("stlink://usb?port=1-4.1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_CloneByPortPath_OpensTheOneOnThatPort()
    {
        var bus = new EmulatedUsbBus();
        bus.Attach(NewProbe("clone", 0), [4, 1]);
        var second = NewProbe("clone", 1);
        bus.Attach(second, [4, 2]);

        await using var probe = await Provider(bus).OpenAsync(ProbeSelector.Parse("stlink://usb?port=1-4.2"), Ct);
        await probe.ConnectAsync(Ct);

        Assert.True(second.Transactions > 0);
        Assert.Equal("V2J37S7", probe.Description.Firmware);

        // Discovery's clone signals travel with the probe, so the attempt can name them (stlink-protocol.md §6).
        Assert.Equal(CloneProbeSignals.BinarySerial | CloneProbeSignals.DuplicateSerial, probe.Description.CloneSignals);
        Assert.Equal("55FF6B064986525131390887", probe.Description.Serial);
    }

    [Fact]
    public async Task OpenAsync_GenuineBySerial_NoCloneSignals()
    {
        var bus = new EmulatedUsbBus();
        var genuine = bus.Attach(NewProbe("v2j37", 0), [4, 1]);

        await using var probe = await Provider(bus).OpenAsync(ProbeSelector.Parse($"stlink://usb/{genuine.Serial!.Text}"), Ct);

        Assert.Equal(CloneProbeSignals.None, probe.Description.CloneSignals);
        Assert.Equal(genuine.Serial.Text, probe.Description.Serial);
    }

    [Fact]
    public async Task OpenAsync_SerialNotAttached_NotFoundListingWhatIs()
    {
        var bus = new EmulatedUsbBus();
        var present = NewProbe("v3j9", 0);
        bus.Attach(present, [2]);

        var error = await Assert.ThrowsAsync<ProbeOpenException>(async () => await Provider(bus).OpenAsync(ProbeSelector.Parse("stlink://usb/066DFF485153495167170000"), Ct));

        Assert.Equal(FailureCode.ProbeNotFound, error.Code);
        Assert.Contains($"No ST-LINK with serial 066DFF485153495167170000 is attached (attached: {present.Personality.Serial} at 1-2)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_PortNotAttached_NoStLinkAttached()
    {
        var error = await Assert.ThrowsAsync<ProbeOpenException>(async () => await Provider(new EmulatedUsbBus()).OpenAsync(ProbeSelector.Parse("stlink://usb?port=3-1"), Ct));

        Assert.Equal("No ST-LINK on USB port 3-1 is attached (no ST-LINK is attached): check the cable and run 'prodflash probes'.", error.Message);
    }

    [Fact]
    public async Task OpenAsync_ProbeWithoutPermission_CannotOpenPointsToUdevRule()
    {
        var bus = new EmulatedUsbBus();
        bus.Attach(NewProbe("v2j37", 0), [4, 1], LibUsbError.Access);

        var error = await Assert.ThrowsAsync<ProbeOpenException>(async () => await Provider(bus).OpenAsync(ProbeSelector.Parse("stlink://usb?port=1-4.1"), Ct));

        Assert.StartsWith("The ST-LINK at USB port 1-4.1 cannot be opened: libusb_open on ST-LINK at USB 1-4.1 failed with LIBUSB_ERROR_ACCESS", error.Message, StringComparison.Ordinal);
        Assert.Contains("49-stlink.rules", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_SerialUnreadableBecauseNoPermission_NotFoundSaysWhy()
    {
        var bus = new EmulatedUsbBus();
        bus.Attach(NewProbe("v2j37", 0), [4, 1], LibUsbError.Access);

        var error = await Assert.ThrowsAsync<ProbeOpenException>(async () => await Provider(bus).OpenAsync(ProbeSelector.Parse("stlink://usb/066DFF485153495167170000"), Ct));

        Assert.Contains("1 ST-LINK(s) could not be opened to read their serial", error.Message, StringComparison.Ordinal);
        Assert.Contains("LIBUSB_ERROR_ACCESS", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_TcpWithSerial_OpensThatProbeThroughTheServer()
    {
        var first = NewProbe("v2j37", 0);
        var second = NewProbe("v3j9", 1);
        await using var server = new StLinkServer([first, second]);
        server.Start(0);

        await using var probe = await Provider(new EmulatedUsbBus()).OpenAsync(ProbeSelector.Parse($"stlink://tcp/127.0.0.1:{server.Port}/{second.Personality.Serial}"), Ct);
        var connection = await probe.ConnectAsync(Ct);

        Assert.Equal("V3J9M3B5S1", probe.Description.Firmware);
        Assert.Equal(StLinkDriverContract.F103DpIdr, connection.DpIdr);
        Assert.Equal(0, first.Transactions);
    }

    [Fact]
    public async Task OpenAsync_TcpWithoutSerial_FirstProbe()
    {
        var first = NewProbe("v21j40", 0);
        await using var server = new StLinkServer([first, NewProbe("v2j37", 1)]);
        server.Start(0);

        await using var probe = await Provider(new EmulatedUsbBus()).OpenAsync(ProbeSelector.Parse($"stlink://tcp/127.0.0.1:{server.Port}"), Ct);

        Assert.Equal("V2J40M27", probe.Description.Firmware);
    }

    [Fact]
    public async Task OpenAsync_TcpUnknownSerial_NotFoundListingTheServersProbes()
    {
        var only = NewProbe("v2j37", 0);
        await using var server = new StLinkServer([only]);
        server.Start(0);

        var error = await Assert.ThrowsAsync<ProbeOpenException>(async () =>
            await Provider(new EmulatedUsbBus()).OpenAsync(ProbeSelector.Parse($"stlink://tcp/127.0.0.1:{server.Port}/066DFF485153495167170000"), Ct));

        Assert.Equal(FailureCode.ProbeNotFound, error.Code);
        Assert.Contains($"lists no ST-LINK with serial 066DFF485153495167170000 (it lists: {only.Personality.Serial})", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_TcpNothingListening_NotFoundSaysStartTheServer()
    {
        int port;
        await using (var server = new StLinkServer([]))
        {
            server.Start(0);
            port = server.Port;
        }

        var error = await Assert.ThrowsAsync<ProbeOpenException>(async () => await Provider(new EmulatedUsbBus()).OpenAsync(ProbeSelector.Parse($"stlink://tcp/127.0.0.1:{port}"), Ct));

        Assert.Contains($"Cannot connect to the stlink-server at 127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_GdbSelector_NotAnStLinkSelector()
    {
        var error = await Assert.ThrowsAsync<ProbeSelectorException>(async () => await Provider(new EmulatedUsbBus()).OpenAsync(ProbeSelector.Parse("gdb://127.0.0.1:3333"), Ct));

        Assert.Contains("is not an ST-LINK selector", error.Message, StringComparison.Ordinal);
    }
}
