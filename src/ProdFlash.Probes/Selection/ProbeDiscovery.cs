using System.Globalization;

using ProdFlash.Core.Probes;
using ProdFlash.Probes.StLink;
using ProdFlash.Probes.StLinkServer;
using ProdFlash.Probes.Usb;

namespace ProdFlash.Probes.Selection;

/// <summary>
/// Lists the ST-LINKs on USB or behind an stlink-server, opening each free one briefly for its firmware version and
/// target voltage, and flags anomalies (DESIGN.md §4): duplicate, binary or placeholder serials, probes that cannot be
/// opened, firmware too old for what the station needs.
/// </summary>
/// <remarks>Stateless and thread-safe; every probe opened is closed again before the method returns.</remarks>
public static class ProbeDiscovery
{
    /// <summary>Lists the ST-LINKs on <paramref name="bus"/>.</summary>
    /// <exception cref="ProdFlash.Probes.Usb.Native.LibUsbException">libusb-1.0 is missing or the bus cannot be listed.</exception>
    public static async Task<IReadOnlyList<DiscoveredProbe>> ListUsbAsync(IStLinkUsbBus bus, StLinkProbeOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(bus);
        var devices = bus.Enumerate();
        var found = new List<DiscoveredProbe>(devices.Count);
        foreach (var device in devices)
        {
            var flags = StLinkUsbAnomalies.Of(device, devices);
            var anomalies = new List<string>(Describe(device, flags));
            string? firmware = null;
            double? volts = null;
            if (device.OpenError is null && device.Product.IsDebugCapable)
            {
                (firmware, volts) = await ProbeAsync(() => new ValueTask<IStLinkWire>(bus.Open(device)), options, anomalies, cancellationToken).ConfigureAwait(false);
            }

            var serial = device.Serial?.Text;
            string? selector = (flags & StLinkUsbAnomaly.DuplicateSerial) != 0 || serial is null || !ProbeSelector.IsSerial(serial)
                ? $"stlink://usb?port={device.PortPath}"
                : $"stlink://usb/{serial.ToUpperInvariant()}";
            found.Add(new DiscoveredProbe(
                "usb", selector, serial, device.Serial is { } s ? Reported(s) : null, device.PortPath, device.VidPid, device.Product.Model, firmware, volts, anomalies));
        }

        return found;
    }

    /// <summary>Lists the ST-LINKs the stlink-server at <paramref name="host"/>:<paramref name="port"/> serves.</summary>
    /// <exception cref="StLinkTransportException">The server cannot be reached or broke off.</exception>
    public static async Task<IReadOnlyList<DiscoveredProbe>> ListServerAsync(string host, int port, StLinkProbeOptions? options, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        await using var client = await StLinkServerClient.ConnectAsync(host, port, cancellationToken).ConfigureAwait(false);
        var version = await client.GetServerVersionAsync(cancellationToken).ConfigureAwait(false);
        var devices = await client.ListDevicesAsync(cancellationToken).ConfigureAwait(false);
        var endpoint = client.Endpoint;
        var hostPort = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{port}" : string.Create(CultureInfo.InvariantCulture, $"{host}:{port}");
        var found = new List<DiscoveredProbe>(devices.Count);
        foreach (var device in devices)
        {
            var anomalies = new List<string>();
            var shared = devices.Count(d => string.Equals(d.Serial, device.Serial, StringComparison.OrdinalIgnoreCase));
            if (shared > 1)
            {
                anomalies.Add($"duplicate serial: {shared} probes on this server report {device.Serial}, so a selector cannot tell them apart; replace the clones or serve them from separate servers.");
            }

            if (StLinkUsbAnomalies.PlaceholderSerials.Contains(device.Serial))
            {
                anomalies.Add($"placeholder serial {device.Serial}, shared by many probes (old firmware or a clone).");
            }

            string? firmware = null;
            double? volts = null;
            if (device.InUse)
            {
                anomalies.Add("in use by another stlink-server client: firmware and voltage not read.");
            }
            else
            {
                var probeOptions = version.Api < 2 ? (options ?? new()) with { MaxWordTransfer = StLinkProbeProviderOptions.OldServerMaxWordTransfer } : options;
                (firmware, volts) = await ProbeAsync(
                    async () => await client.OpenDeviceAsync(device, ownsClient: false, cancellationToken).ConfigureAwait(false),
                    probeOptions,
                    anomalies,
                    cancellationToken).ConfigureAwait(false);
            }

            var product = StLinkUsbProductIds.Find(device.ProductId);
            var selector = shared > 1 || !ProbeSelector.IsSerial(device.Serial) ? null : $"stlink://tcp/{hostPort}/{device.Serial.ToUpperInvariant()}";
            found.Add(new DiscoveredProbe(
                $"stlink-server {endpoint}",
                selector,
                device.Serial,
                device.Serial,
                null,
                string.Create(CultureInfo.InvariantCulture, $"{device.VendorId:X4}:{device.ProductId:X4}"),
                product?.Model ?? "unknown ST-LINK PID",
                firmware,
                volts,
                anomalies));
        }

        return found;
    }

    private static async Task<(string? Firmware, double? Volts)> ProbeAsync(
        Func<ValueTask<IStLinkWire>> open, StLinkProbeOptions? options, List<string> anomalies, CancellationToken cancellationToken)
    {
        try
        {
            await using var probe = new StLinkProbe(await open().ConfigureAwait(false), options);
            var info = await probe.OpenAsync(cancellationToken).ConfigureAwait(false);
            var missing = StLinkFirmwareRequirements.Missing(info.Capabilities);
            if (missing.Count > 0)
            {
                var needs = string.Join("; ", missing.Select(m => $"{m.UsedFor} needs {m.Minimum}"));
                anomalies.Add($"firmware {info.FirmwareName} is too old: {needs}. Upgrade it with ST's ST-LINK upgrade tool.");
            }

            double? volts = null;
            if ((info.Capabilities & StLinkCapabilities.TargetVoltage) != 0)
            {
                var reading = await probe.ReadTargetVoltageAsync(cancellationToken).ConfigureAwait(false);
                if (reading.CanMeasure)
                {
                    volts = Math.Round(reading.Volts, 3);
                }
                else
                {
                    anomalies.Add($"the target-voltage ADC returned no reference sample (adc0={reading.ReferenceSample}): this probe cannot measure the target voltage.");
                }
            }

            return (info.FirmwareName, volts);
        }
        catch (StLinkTransportException ex)
        {
            anomalies.Add($"cannot be opened: {ex.Message}");
        }
        catch (StLinkException ex)
        {
            anomalies.Add($"does not answer as an ST-LINK/V2 or later: {ex.Message}");
        }
        catch (ArgumentException ex)
        {
            anomalies.Add($"cannot be opened: {ex.Message}");
        }

        return (null, null);
    }

    private static IEnumerable<string> Describe(StLinkUsbDevice device, StLinkUsbAnomaly flags)
    {
        var serial = device.Serial?.Text;
        if ((flags & StLinkUsbAnomaly.DuplicateSerial) != 0)
        {
            yield return $"duplicate serial: another attached probe also reports {serial}; name this one by its port, stlink://usb?port={device.PortPath}.";
        }

        if ((flags & StLinkUsbAnomaly.BinarySerial) != 0)
        {
            yield return "binary serial: the descriptor holds 12 raw bytes, shown hex-converted; old genuine V2 firmware does this too, clones usually do.";
        }

        if ((flags & StLinkUsbAnomaly.PlaceholderSerial) != 0)
        {
            yield return $"placeholder serial {serial}, shared by many probes (old firmware or a clone).";
        }

        if ((flags & StLinkUsbAnomaly.OddSerialFormat) != 0)
        {
            yield return $"the serial '{serial}' is not 24 hex characters; name this probe by its port, stlink://usb?port={device.PortPath}.";
        }

        if ((flags & StLinkUsbAnomaly.NoSerial) != 0 && device.OpenError is null)
        {
            yield return "no serial number: name this probe by its port.";
        }

        if (device.OpenError is { } error)
        {
            yield return $"cannot be opened: {error.Message}";
        }

        if ((flags & StLinkUsbAnomaly.NotDebugCapable) != 0)
        {
            yield return $"{device.Product.Model} does not speak the debug protocol (USB loader or ST-LINK/V1): update the firmware or replug it into debug mode.";
        }
    }

    // The serial as reported: its text, or for a binary serial the whole raw descriptor (bLength, type, code units).
    private static string Reported(UsbSerialNumber serial) =>
        serial.WasBinary ? "descriptor " + string.Join(' ', serial.RawDescriptor.Select(b => b.ToString("X2", CultureInfo.InvariantCulture))) : serial.Text;
}
