using System.Globalization;

using Microsoft.Extensions.Logging;

using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Probes;
using ProdFlash.Core.Targets;
using ProdFlash.Probes.StLink;
using ProdFlash.Probes.StLinkServer;
using ProdFlash.Probes.Usb;
using ProdFlash.Probes.Usb.Native;

namespace ProdFlash.Probes.Selection;

/// <summary>
/// Opens <c>stlink://</c> selectors: on USB by serial or port path (libusb-1.0), or through an stlink-server by
/// serial (or the first probe it lists). Returns the opened <see cref="StLinkTarget"/>.
/// </summary>
/// <remarks>
/// Thread-safe; every open builds its own wire and driver, owned by the caller. Failures are
/// <see cref="ProbeOpenException"/> with the failure code the attempt records: not attached, duplicate serial,
/// cannot open (udev rule, another program), libusb missing, server unreachable, V1 firmware.
/// </remarks>
public sealed class StLinkProbeProvider : IProbeProvider
{
    private readonly StLinkProbeProviderOptions _options;
    private readonly ILoggerFactory? _loggerFactory;

    /// <summary>Creates the provider.</summary>
    /// <param name="options">Driver tuning, clock and USB bus.</param>
    /// <param name="loggerFactory">Logger source for the drivers.</param>
    public StLinkProbeProvider(StLinkProbeProviderOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        _options = options ?? new StLinkProbeProviderOptions();
        _loggerFactory = loggerFactory;
    }

    /// <inheritdoc />
    public string Scheme => ProbeSelector.StLinkScheme;

    /// <inheritdoc />
    public async ValueTask<IDebugProbe> OpenAsync(ProbeSelector selector, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(selector);
        var text = selector.ToString();
        string? serial = null;
        var cloneSignals = CloneProbeSignals.None;
        var (wire, options) = selector.Kind switch
        {
            ProbeSelectorKind.StLinkUsbSerial or ProbeSelectorKind.StLinkUsbPort => (OpenUsb(selector, out serial, out cloneSignals), _options.ProbeOptions),
            ProbeSelectorKind.StLinkTcp => await OpenTcpAsync(selector, cancellationToken).ConfigureAwait(false),
            _ => throw new ProbeSelectorException(text, $"'{text}' is not an ST-LINK selector; write stlink://usb/<serial>, stlink://usb?port=1-4.2 or stlink://tcp/HOST:PORT[/<serial>]."),
        };

        var probe = new StLinkProbe(wire, options, _loggerFactory?.CreateLogger<StLinkProbe>());
        var opened = false;
        try
        {
            await probe.OpenAsync(cancellationToken).ConfigureAwait(false);
            opened = true;
        }
        catch (StLinkTransportException ex)
        {
            throw new ProbeOpenException(text, FailureCode.ProbeDisconnected, $"The ST-LINK of '{text}' was found but did not answer GET_VERSION: {ex.Message}", ex);
        }
        catch (StLinkException ex)
        {
            throw new ProbeOpenException(text, FailureCode.ProbeFirmwareTooOld, $"The ST-LINK of '{text}' cannot be driven: {ex.Message}", ex);
        }
        finally
        {
            if (!opened)
            {
                await probe.DisposeAsync().ConfigureAwait(false);
            }
        }

        return new StLinkTarget(probe, _options.TimeProvider, serial, cloneSignals);
    }

    /// <summary>
    /// Picks the device <paramref name="selector"/> names out of <paramref name="devices"/>: by serial (exactly one
    /// must match) or by port path.
    /// </summary>
    /// <exception cref="ProbeOpenException">None matches, the serial is not unique, or the device cannot be opened.</exception>
    public static StLinkUsbDevice Choose(ProbeSelector selector, IReadOnlyList<StLinkUsbDevice> devices)
    {
        ArgumentNullException.ThrowIfNull(selector);
        ArgumentNullException.ThrowIfNull(devices);
        var text = selector.ToString();
        var attached = devices.Count == 0
            ? "no ST-LINK is attached"
            : "attached: " + string.Join(", ", devices.Select(d => string.Create(CultureInfo.InvariantCulture, $"{d.Serial?.Text ?? "(serial unread)"} at {d.PortPath}")));
        List<StLinkUsbDevice> matches = selector.Kind switch
        {
            ProbeSelectorKind.StLinkUsbSerial => [.. devices.Where(d => string.Equals(d.Serial?.Text, selector.Serial, StringComparison.OrdinalIgnoreCase))],
            ProbeSelectorKind.StLinkUsbPort => [.. devices.Where(d => d.PortPath == selector.PortPath)],
            _ => throw new ProbeSelectorException(text, $"'{text}' is not a USB ST-LINK selector."),
        };

        if (matches.Count == 0)
        {
            var unreadable = devices.Where(d => d.OpenError is not null).ToList();
            var hint = unreadable.Count == 0
                ? "check the cable and run 'prodflash probes'"
                : $"{unreadable.Count} ST-LINK(s) could not be opened to read their serial, so it may be one of them: {unreadable[0].OpenError!.Message}";
            var what = selector.Kind == ProbeSelectorKind.StLinkUsbSerial ? $"with serial {selector.Serial}" : $"on USB port {selector.PortPath}";
            throw new ProbeOpenException(text, FailureCode.ProbeNotFound, $"No ST-LINK {what} is attached ({attached}): {hint}.");
        }

        if (matches.Count > 1)
        {
            var ports = string.Join(", ", matches.Select(d => d.PortPath));
            throw new ProbeOpenException(
                text,
                FailureCode.ProbeDuplicateSerial,
                $"{matches.Count} attached ST-LINKs report serial {selector.Serial} (at USB ports {ports}), so the serial does not say which one: name the probe by its port, e.g. stlink://usb?port={matches[0].PortPath}.");
        }

        var device = matches[0];
        if (device.OpenError is { } error)
        {
            throw new ProbeOpenException(text, FailureCode.ProbeNotFound, $"The ST-LINK at USB port {device.PortPath} cannot be opened: {error.Message}", error);
        }

        return device;
    }

    private IStLinkWire OpenUsb(ProbeSelector selector, out string? serial, out CloneProbeSignals cloneSignals)
    {
        var text = selector.ToString();
        try
        {
            var all = _options.UsbBus.Enumerate();
            var device = Choose(selector, all);
            serial = device.Serial?.Text;
            cloneSignals = CloneSignalsOf(StLinkUsbAnomalies.Of(device, all));
            return _options.UsbBus.Open(device);
        }
        catch (LibUsbException ex) when (ex.ErrorCode == LibUsbError.NotInstalled)
        {
            throw new ProbeOpenException(text, FailureCode.ProbeNotFound, $"'{text}' cannot be opened: {LibUsbError.NotInstalledMessage}.", ex);
        }
        catch (LibUsbException ex)
        {
            throw new ProbeOpenException(text, FailureCode.ProbeNotFound, $"'{text}' cannot be opened: {ex.Message}", ex);
        }
        catch (ArgumentException ex)
        {
            throw new ProbeOpenException(text, FailureCode.ProbeFirmwareTooOld, $"'{text}' cannot be opened: {ex.Message}", ex);
        }
    }

    /// <summary>The discovery anomalies that hint at a clone probe (stlink-protocol.md §6), as Core's signals.</summary>
    private static CloneProbeSignals CloneSignalsOf(StLinkUsbAnomaly anomalies)
    {
        var signals = CloneProbeSignals.None;
        if ((anomalies & StLinkUsbAnomaly.BinarySerial) != 0)
        {
            signals |= CloneProbeSignals.BinarySerial;
        }

        if ((anomalies & StLinkUsbAnomaly.PlaceholderSerial) != 0)
        {
            signals |= CloneProbeSignals.PlaceholderSerial;
        }

        if ((anomalies & StLinkUsbAnomaly.DuplicateSerial) != 0)
        {
            signals |= CloneProbeSignals.DuplicateSerial;
        }

        return signals;
    }

    private async Task<(IStLinkWire Wire, StLinkProbeOptions Options)> OpenTcpAsync(ProbeSelector selector, CancellationToken cancellationToken)
    {
        var text = selector.ToString();
        StLinkServerWire wire;
        try
        {
            wire = await StLinkServerClient.OpenWireAsync(selector.Host!, selector.Port!.Value, selector.Serial, cancellationToken).ConfigureAwait(false);
        }
        catch (StLinkServerException ex)
        {
            throw new ProbeOpenException(text, FailureCode.ProbeNotFound, $"'{text}' cannot be opened: the stlink-server refused: {ex.Message}", ex);
        }
        catch (StLinkTransportException ex)
        {
            throw new ProbeOpenException(text, FailureCode.ProbeNotFound, $"'{text}' cannot be opened: {ex.Message}", ex);
        }

        var options = wire.ServerVersion is { Api: < 2 }
            ? _options.ProbeOptions with { MaxWordTransfer = Math.Min(_options.ProbeOptions.MaxWordTransfer, StLinkProbeProviderOptions.OldServerMaxWordTransfer) }
            : _options.ProbeOptions;
        return (wire, options);
    }
}
