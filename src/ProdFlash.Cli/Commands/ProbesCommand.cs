using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

using ProdFlash.Probes.Selection;
using ProdFlash.Probes.StLink;
using ProdFlash.Probes.Usb.Native;

namespace ProdFlash.Cli.Commands;

/// <summary>
/// <c>prodflash probes [--stlink-server HOST:PORT] [--json]</c>: every ST-LINK on USB and, when asked, behind an
/// stlink-server, with serial, port path, VID:PID, variant, firmware, target voltage and anomalies (DESIGN.md §4).
/// </summary>
internal static class ProbesCommand
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>Builds the command on the real USB bus, or on <paramref name="bus"/> (tests).</summary>
    public static Command Create(IStLinkUsbBus? bus = null)
    {
        var server = new Option<string?>("--stlink-server")
        {
            Description = "Also list the probes of the stlink-server at HOST:PORT (ST's or 'prodflash emulate'), e.g. 127.0.0.1:7184.",
        };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text." };
        var command = new Command("probes", "List the ST-LINK probes on USB (and behind an stlink-server) with their anomalies.") { server, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            (string Host, int Port)? endpoint = null;
            if (parse.GetValue(server) is { } text)
            {
                endpoint = ParseEndpoint(text);
                if (endpoint is null)
                {
                    await stderr.WriteLineAsync($"--stlink-server takes HOST:PORT with a port from 1 to 65535, e.g. 127.0.0.1:7184; '{text}' is not.").ConfigureAwait(false);
                    return CliApp.ExitUsage;
                }
            }

            var sources = new List<ProbeSource> { await ListUsbAsync(bus ?? LibUsbBus.Instance, cancellationToken).ConfigureAwait(false) };
            if (endpoint is { } at)
            {
                sources.Add(await ListServerAsync(at.Host, at.Port, cancellationToken).ConfigureAwait(false));
            }

            if (parse.GetValue(json))
            {
                await stdout.WriteLineAsync(JsonSerializer.Serialize(sources, Json)).ConfigureAwait(false);
            }
            else
            {
                foreach (var source in sources)
                {
                    await WriteTextAsync(stdout, source).ConfigureAwait(false);
                }
            }

            foreach (var source in sources.Where(s => s.Error is not null))
            {
                await stderr.WriteLineAsync(source.Error).ConfigureAwait(false);
            }

            return sources.Any(s => s.Error is not null) ? CliApp.ExitBadInput : CliApp.ExitOk;
        });
        return command;
    }

    private static async Task<ProbeSource> ListUsbAsync(IStLinkUsbBus bus, CancellationToken cancellationToken)
    {
        try
        {
            var probes = await ProbeDiscovery.ListUsbAsync(bus, new StLinkProbeOptions(), cancellationToken).ConfigureAwait(false);
            return new ProbeSource("usb", probes, null, probes.Count == 0 ? "no ST-LINK is attached to USB (check the cable; a probe the udev rule keeps closed is still listed)" : null);
        }
        catch (LibUsbException ex) when (ex.ErrorCode == LibUsbError.NotInstalled)
        {
            return new ProbeSource("usb", [], $"USB probes cannot be listed: {LibUsbError.NotInstalledMessage}.", null);
        }
        catch (LibUsbException ex)
        {
            return new ProbeSource("usb", [], $"USB probes cannot be listed: {ex.Message}", null);
        }
    }

    private static async Task<ProbeSource> ListServerAsync(string host, int port, CancellationToken cancellationToken)
    {
        var name = host.Contains(':', StringComparison.Ordinal) ? $"stlink-server [{host}]:{port}" : string.Create(CultureInfo.InvariantCulture, $"stlink-server {host}:{port}");
        try
        {
            var probes = await ProbeDiscovery.ListServerAsync(host, port, new StLinkProbeOptions(), cancellationToken).ConfigureAwait(false);
            return new ProbeSource(name, probes, null, probes.Count == 0 ? "the server lists no ST-LINK" : null);
        }
        catch (StLinkTransportException ex)
        {
            return new ProbeSource(name, [], $"The {name} cannot be listed: {ex.Message}", null);
        }
    }

    private static async Task WriteTextAsync(TextWriter output, ProbeSource source)
    {
        var name = source.Source == "usb" ? "USB" : source.Source;
        var count = source.Probes.Count == 1 ? "1 ST-LINK" : string.Create(CultureInfo.InvariantCulture, $"{source.Probes.Count} ST-LINKs");
        await output.WriteLineAsync(source.Error is not null ? $"{name}: not listed" : source.Note is not null ? $"{name}: {source.Note}" : $"{name}: {count}").ConfigureAwait(false);
        foreach (var probe in source.Probes)
        {
            var volts = probe.TargetVolts is { } v ? string.Create(CultureInfo.InvariantCulture, $"{v:0.00} V") : "not measured";
            var where = probe.PortPath is null ? string.Empty : $"  port {probe.PortPath}";
            await output.WriteLineAsync($"  {probe.Serial ?? "(serial unread)"}  {probe.Variant}  {probe.VidPid}{where}  firmware {probe.Firmware ?? "unknown"}  target {volts}").ConfigureAwait(false);
            if (probe.ReportedSerial is { } reported && reported != probe.Serial)
            {
                await output.WriteLineAsync($"    reported serial: {reported}").ConfigureAwait(false);
            }

            await output.WriteLineAsync($"    selector: {probe.Selector ?? "none (the serial does not name it uniquely)"}").ConfigureAwait(false);
            foreach (var anomaly in probe.Anomalies)
            {
                await output.WriteLineAsync($"    ! {anomaly}").ConfigureAwait(false);
            }
        }
    }

    private static (string Host, int Port)? ParseEndpoint(string text)
    {
        string host;
        string port;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf("]:", StringComparison.Ordinal);
            if (close < 0)
            {
                return null;
            }

            host = text[1..close];
            port = text[(close + 2)..];
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon <= 0 || text.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                return null;
            }

            host = text[..colon];
            port = text[(colon + 1)..];
        }

        return host.Length > 0 && int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is >= 1 and <= 65535
            ? (host, number)
            : null;
    }

    /// <summary>The probes of one source (USB, or one stlink-server), or why they could not be listed.</summary>
    /// <param name="Source"><c>usb</c> or <c>stlink-server HOST:PORT</c>.</param>
    /// <param name="Probes">The probes found.</param>
    /// <param name="Error">One sentence when the source could not be listed at all (libusb missing, server down).</param>
    /// <param name="Note">A remark when the list is empty.</param>
    internal sealed record ProbeSource(string Source, IReadOnlyList<DiscoveredProbe> Probes, string? Error, string? Note);
}
