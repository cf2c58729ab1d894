using System.CommandLine;
using System.Text.Json;

using ProdFlash.Cli.Commands;
using ProdFlash.Emulator;
using ProdFlash.Emulator.Faults;
using ProdFlash.Emulator.StLink;
using ProdFlash.Probes.Selection;
using ProdFlash.Probes.StLink;
using ProdFlash.Probes.Usb;
using ProdFlash.Probes.Usb.Native;

namespace ProdFlash.Cli.Tests;

/// <summary><c>prodflash probes</c> against <c>prodflash emulate</c>'s server started in-process, and against a USB bus of emulated probes.</summary>
public sealed class ProbesCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Probes_EmulateServerWithTwoClones_BothFlaggedDuplicateWithoutSelector()
    {
        await using var emulate = await EmulateAsync("--count", "2", "--personality", "clone");

        var (exit, stdout, stderr) = await RunProbesAsync(new UsbBusDouble(), "--stlink-server", $"127.0.0.1:{emulate.Port}");

        Assert.Equal(CliApp.ExitOk, exit);
        Assert.Equal(string.Empty, stderr);
        Assert.Contains($"stlink-server 127.0.0.1:{emulate.Port}: 2 ST-LINKs", stdout, StringComparison.Ordinal);
        Assert.Equal(2, Count(stdout, "  55FF6B064986525131390887  ST-LINK/V2  0483:3748  firmware V2J37S7  target 3.30 V"));
        Assert.Equal(2, Count(stdout, "! duplicate serial: 2 probes on this server report 55FF6B064986525131390887"));
        Assert.Equal(2, Count(stdout, "selector: none (the serial does not name it uniquely)"));
    }

    [Fact]
    public async Task Probes_JsonAgainstEmulateServer_FieldsOfEachProbe()
    {
        await using var emulate = await EmulateAsync("--count", "2", "--personality", "v3j9");

        var (exit, stdout, _) = await RunProbesAsync(new UsbBusDouble(), "--stlink-server", $"127.0.0.1:{emulate.Port}", "--json");

        Assert.Equal(CliApp.ExitOk, exit);
        using var document = JsonDocument.Parse(stdout);
        var sources = document.RootElement;
        Assert.Equal("usb", sources[0].GetProperty("source").GetString());
        Assert.Equal(0, sources[0].GetProperty("probes").GetArrayLength());
        var probes = sources[1].GetProperty("probes");
        Assert.Equal(2, probes.GetArrayLength());
        var first = probes[0];
        var serial = first.GetProperty("serial").GetString();
        Assert.Equal(StLinkPersonality.Create("v3j9", 0).Serial, serial);
        Assert.Equal($"stlink://tcp/127.0.0.1:{emulate.Port}/{serial}", first.GetProperty("selector").GetString());
        Assert.Equal("0483:374F", first.GetProperty("vidPid").GetString());
        Assert.Equal("V3J9M3B5S1", first.GetProperty("firmware").GetString());
        Assert.Equal(3.299, first.GetProperty("targetVolts").GetDouble(), 3);
        Assert.Equal(0, first.GetProperty("anomalies").GetArrayLength());
        Assert.NotEqual(serial, probes[1].GetProperty("serial").GetString());
    }

    [Fact]
    public async Task Probes_OldFirmwareOnServer_FlaggedTooOldWithWhatNeedsWhat()
    {
        await using var emulate = await EmulateAsync("--personality", "v2j17");

        var (_, stdout, _) = await RunProbesAsync(new UsbBusDouble(), "--stlink-server", $"127.0.0.1:{emulate.Port}");

        Assert.Contains(
            "! firmware V2J17S4 is too old: choosing the SWD clock needs V2J22; DP/AP register access (power-up handshake and connect diagnosis) needs V2J24.",
            stdout,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probes_TwoClonesOnUsb_BinaryAndDuplicateSerialAndPortSelectors()
    {
        var bus = new UsbBusDouble();
        bus.Attach(EmulatedProbes.Create("stm32f103c8", "clone", FaultSet.None, 0, TimeProvider.System, false), [4, 1]);
        bus.Attach(EmulatedProbes.Create("stm32f103c8", "clone", FaultSet.None, 1, TimeProvider.System, false), [4, 2]);

        var (exit, stdout, _) = await RunProbesAsync(bus);

        Assert.Equal(CliApp.ExitOk, exit);
        Assert.Contains("USB: 2 ST-LINKs", stdout, StringComparison.Ordinal);
        Assert.Contains("  55FF6B064986525131390887  ST-LINK/V2  0483:3748  port 1-4.1  firmware V2J37S7  target 3.30 V", stdout, StringComparison.Ordinal);
        Assert.Contains("    reported serial: descriptor 1A 03 55 00 FF 00 6B 00 06 00", stdout, StringComparison.Ordinal);
        Assert.Contains("    selector: stlink://usb?port=1-4.1", stdout, StringComparison.Ordinal);
        Assert.Contains("    selector: stlink://usb?port=1-4.2", stdout, StringComparison.Ordinal);
        Assert.Equal(2, Count(stdout, "! binary serial: the descriptor holds 12 raw bytes"));
        Assert.Contains("! duplicate serial: another attached probe also reports 55FF6B064986525131390887; name this one by its port, stlink://usb?port=1-4.2.", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probes_GenuineOnUsb_SerialSelector()
    {
        var bus = new UsbBusDouble();
        var probe = EmulatedProbes.Create("stm32f103c8", "v21j40", FaultSet.None, 0, TimeProvider.System, false);
        bus.Attach(probe, [2]);

        var (_, stdout, _) = await RunProbesAsync(bus);

        Assert.Contains($"  {probe.Personality.Serial}  ST-LINK/V2-1  0483:374B  port 1-2  firmware V2J40M27  target 3.30 V", stdout, StringComparison.Ordinal);
        Assert.Contains($"    selector: stlink://usb/{probe.Personality.Serial}", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("!", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probes_UsbProbeWithoutPermission_ListedWithTheUdevRemedy()
    {
        var bus = new UsbBusDouble();
        bus.Attach(EmulatedProbes.Create("stm32f103c8", "v2j37", FaultSet.None, 0, TimeProvider.System, false), [3], LibUsbError.Access);

        var (exit, stdout, _) = await RunProbesAsync(bus);

        Assert.Equal(CliApp.ExitOk, exit);
        Assert.Contains("  (serial unread)  ST-LINK/V2  0483:3748  port 1-3  firmware unknown  target not measured", stdout, StringComparison.Ordinal);
        Assert.Contains("! cannot be opened: libusb_open on ST-LINK at USB 1-3 failed with LIBUSB_ERROR_ACCESS", stdout, StringComparison.Ordinal);
        Assert.Contains("49-stlink.rules", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probes_NoUsbProbe_EmptyListWithNote()
    {
        var (exit, stdout, stderr) = await RunProbesAsync(new UsbBusDouble());

        Assert.Equal(CliApp.ExitOk, exit);
        Assert.Equal("USB: no ST-LINK is attached to USB (check the cable; a probe the udev rule keeps closed is still listed)" + Environment.NewLine, stdout);
        Assert.Equal(string.Empty, stderr);
    }

    [Fact]
    public async Task Probes_LibUsbMissing_OneSentenceNamingThePackage()
    {
        var bus = new UsbBusDouble { EnumerateError = new LibUsbException(LibUsbError.NotInstalledMessage, LibUsbError.NotInstalled) };

        var (exit, _, stderr) = await RunProbesAsync(bus);

        Assert.Equal(CliApp.ExitBadInput, exit);
        Assert.Equal("USB probes cannot be listed: libusb-1.0 is not installed: apt-get install libusb-1.0-0." + Environment.NewLine, stderr);
    }

    [Fact]
    public async Task Probes_ServerNotListening_SaysSoAndExits1()
    {
        int port;
        await using (var emulate = await EmulateAsync())
        {
            port = emulate.Port;
        }

        var (exit, _, stderr) = await RunProbesAsync(new UsbBusDouble(), "--stlink-server", $"127.0.0.1:{port}");

        Assert.Equal(CliApp.ExitBadInput, exit);
        Assert.StartsWith($"The stlink-server 127.0.0.1:{port} cannot be listed: Cannot connect to the stlink-server at 127.0.0.1:{port}", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.0.0.1:0")]
    [InlineData("localhost:http")]
    public async Task Probes_MalformedServerEndpoint_UsageError(string endpoint)
    {
        var (exit, _, stderr) = await RunProbesAsync(new UsbBusDouble(), "--stlink-server", endpoint);

        Assert.Equal(CliApp.ExitUsage, exit);
        Assert.Contains($"--stlink-server takes HOST:PORT with a port from 1 to 65535, e.g. 127.0.0.1:7184; '{endpoint}' is not.", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_ProbesHelp_ListedInTheCommandTree()
    {
        var stdout = new StringWriter();

        var exit = CliApp.Run(["probes", "--help"], stdout, new StringWriter());

        Assert.Equal(CliApp.ExitOk, exit);
        Assert.Contains("--stlink-server", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("--json", stdout.ToString(), StringComparison.Ordinal);
    }

    private static int Count(string text, string part)
    {
        var count = 0;
        for (var at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static async Task<(int Exit, string Stdout, string Stderr)> RunProbesAsync(IStLinkUsbBus bus, params string[] args)
    {
        var root = new RootCommand { ProbesCommand.Create(bus) };
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var exit = await root.Parse(["probes", .. args]).InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr }, Ct);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs <c>prodflash emulate --stlink-server 0 ...</c> in-process until disposed.</summary>
    private static async Task<RunningEmulate> EmulateAsync(params string[] args)
    {
        var root = new RootCommand { EmulateCommand.Create() };
        var text = new StringWriter();
        var output = TextWriter.Synchronized(text); // its methods lock the writer itself, so reads lock it too
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var run = root.Parse(["emulate", "--stlink-server", "0", .. args]).InvokeAsync(new InvocationConfiguration { Output = output, Error = output }, cancel.Token);
        const string listening = "stlink-server listening on 127.0.0.1:";
        for (var i = 0; i < 3000 && !run.IsCompleted; i++)
        {
            string printed;
            lock (output)
            {
                printed = text.ToString();
            }

            var at = printed.IndexOf(listening, StringComparison.Ordinal);
            if (at >= 0 && printed.IndexOf('\n', at) is var end and > 0)
            {
                return new RunningEmulate(int.Parse(printed[(at + listening.Length)..end].Trim(), System.Globalization.CultureInfo.InvariantCulture), cancel, run);
            }

            await Task.Delay(10, Ct);
        }

        throw new InvalidOperationException($"prodflash emulate did not start: {text}");
    }

    private sealed record RunningEmulate(int Port, CancellationTokenSource Cancel, Task<int> Run) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Cancel.CancelAsync();
            Assert.Equal(CliApp.ExitOk, await Run);
            Cancel.Dispose();
        }
    }

    /// <summary>A USB bus of emulated probes (the transport double): each listed with its personality's serial descriptor.</summary>
    private sealed class UsbBusDouble : IStLinkUsbBus
    {
        private readonly List<(StLinkUsbDevice Device, EmulatedStLink Probe)> _devices = [];

        public LibUsbException? EnumerateError { get; init; }

        public void Attach(EmulatedStLink probe, byte[] ports, int? openError = null)
        {
            var error = openError is { } code ? LibUsbError.ToException(code, "libusb_open", $"ST-LINK at USB 1-{string.Join('.', ports)}") : null;
            var payload = probe.Personality.SerialDescriptor;
            var descriptor = new byte[2 + (2 * payload.Length)];
            descriptor[0] = (byte)descriptor.Length;
            descriptor[1] = 0x03; // STRING descriptor (USB 2.0 §9.6.7), UTF-16LE code units
            for (var i = 0; i < payload.Length; i++)
            {
                descriptor[2 + (2 * i)] = payload[i];
            }

            var serial = error is null ? UsbSerialNumber.Decode(descriptor) : null;
            _devices.Add((new StLinkUsbDevice(StLinkUsbProductIds.Find(probe.Personality.ProductId)!, 1, ports, serial, error), probe));
        }

        public IReadOnlyList<StLinkUsbDevice> Enumerate() => EnumerateError is { } error ? throw error : [.. _devices.Select(d => d.Device)];

        public IStLinkWire Open(StLinkUsbDevice device) =>
            device.OpenError is { } error ? throw error : new EmulatedStLinkWire(_devices.Single(d => ReferenceEquals(d.Device, device)).Probe);
    }
}
