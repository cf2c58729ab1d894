using System.Globalization;
using System.Text;

namespace ProdFlash.Core.Probes;

/// <summary>
/// A parsed probe selector URI, the way a slot names its probe (DESIGN.md §4):
/// <c>stlink://usb/SERIAL</c>, <c>stlink://usb?port=1-4.2</c>, <c>stlink://tcp/HOST:PORT[/SERIAL]</c>,
/// <c>gdb://HOST:PORT</c>, <c>emulator://CHIP?probe=...&amp;faults=...</c>.
/// </summary>
/// <remarks>
/// Parsing checks the form only: the scheme, the transport, the serial (24 hex characters, stored upper case), the
/// port path, host and TCP port. What the emulator parameters mean is checked by the emulator's provider. Immutable.
/// </remarks>
public sealed record ProbeSelector
{
    /// <summary>Scheme of ST-LINK probes.</summary>
    public const string StLinkScheme = "stlink";

    /// <summary>Scheme of GDB remote-protocol servers.</summary>
    public const string GdbScheme = "gdb";

    /// <summary>Scheme of the built-in emulator.</summary>
    public const string EmulatorScheme = "emulator";

    /// <summary>Length of an ST-LINK serial in hex characters (12 bytes; binary serials are hex-converted, DESIGN.md §4).</summary>
    public const int SerialLength = 24;

    private const string SchemeSeparator = "://";
    private const string Forms =
        "stlink://usb/<24-hex serial>, stlink://usb?port=1-4.2, stlink://tcp/127.0.0.1:7184[/<serial>], gdb://127.0.0.1:3333 or emulator://stm32f103c8?probe=v2j37";

    private ProbeSelector(ProbeSelectorKind kind, string scheme)
    {
        Kind = kind;
        Scheme = scheme;
    }

    /// <summary>The selector schemes, lower case without <c>://</c>.</summary>
    public static IReadOnlyList<string> Schemes { get; } = [StLinkScheme, GdbScheme, EmulatorScheme];

    /// <summary>What kind of probe the selector names.</summary>
    public ProbeSelectorKind Kind { get; }

    /// <summary>The scheme, lower case without <c>://</c>.</summary>
    public string Scheme { get; }

    /// <summary>The ST-LINK serial, 24 upper-case hex characters; null for a port path, a TCP selector without serial, gdb and emulator.</summary>
    public string? Serial { get; private init; }

    /// <summary>The USB port path (<c>bus-port.port...</c>) of <see cref="ProbeSelectorKind.StLinkUsbPort"/>.</summary>
    public string? PortPath { get; private init; }

    /// <summary>Host of a TCP or GDB selector.</summary>
    public string? Host { get; private init; }

    /// <summary>TCP port of a TCP or GDB selector (1-65535).</summary>
    public int? Port { get; private init; }

    /// <summary>Chip model of an emulator selector, lower case.</summary>
    public string? Chip { get; private init; }

    /// <summary>Query parameters of an emulator selector, keys lower case, values unescaped, in the order given.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Parameters { get; private init; } = [];

    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <exception cref="ProbeSelectorException">The text is not a probe selector; the message says which part is wrong and how to write it.</exception>
    public static ProbeSelector Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        var separator = trimmed.IndexOf(SchemeSeparator, StringComparison.Ordinal);
        if (separator <= 0)
        {
            throw Error(text, $"it has no scheme; write {Forms}");
        }

        var scheme = trimmed[..separator].ToLowerInvariant();
        var rest = trimmed[(separator + SchemeSeparator.Length)..];
        return scheme switch
        {
            StLinkScheme => ParseStLink(text, rest),
            GdbScheme => ParseGdb(text, rest),
            EmulatorScheme => ParseEmulator(text, rest),
            _ => throw Error(text, $"the scheme '{scheme}://' is unknown; the schemes are {string.Join(", ", Schemes.Select(s => s + SchemeSeparator))}, e.g. {Forms}"),
        };
    }

    /// <summary>Parses <paramref name="text"/> without throwing.</summary>
    /// <param name="text">The selector text.</param>
    /// <param name="selector">The selector, or null.</param>
    /// <param name="error">Why the text is not a selector, or null.</param>
    public static bool TryParse(string text, out ProbeSelector? selector, out string? error)
    {
        try
        {
            selector = Parse(text);
            error = null;
            return true;
        }
        catch (ProbeSelectorException ex)
        {
            selector = null;
            error = ex.Message;
            return false;
        }
    }

    /// <summary>Whether <paramref name="text"/> is 24 hex characters, the form of an ST-LINK serial in a selector.</summary>
    public static bool IsSerial(string text) => text is { Length: SerialLength } && text.All(char.IsAsciiHexDigit);

    /// <summary>The selector in canonical form (scheme lower case, serial upper case); parses back to an equal selector.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(Scheme).Append(SchemeSeparator);
        switch (Kind)
        {
            case ProbeSelectorKind.StLinkUsbSerial:
                text.Append("usb/").Append(Serial);
                break;
            case ProbeSelectorKind.StLinkUsbPort:
                text.Append("usb?port=").Append(PortPath);
                break;
            case ProbeSelectorKind.StLinkTcp:
                text.Append("tcp/").Append(HostPort());
                if (Serial is not null)
                {
                    text.Append('/').Append(Serial);
                }

                break;
            case ProbeSelectorKind.Gdb:
                text.Append(HostPort());
                break;
            case ProbeSelectorKind.Emulator:
                text.Append(Chip);
                for (var i = 0; i < Parameters.Count; i++)
                {
                    text.Append(i == 0 ? '?' : '&').Append(Parameters[i].Key).Append('=').Append(Uri.EscapeDataString(Parameters[i].Value).Replace("%2C", ",", StringComparison.Ordinal).Replace("%3A", ":", StringComparison.Ordinal));
                }

                break;
        }

        return text.ToString();
    }

    /// <inheritdoc />
    public bool Equals(ProbeSelector? other) => other is not null && string.Equals(ToString(), other.ToString(), StringComparison.Ordinal);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToString());

    private string HostPort() =>
        Host!.Contains(':', StringComparison.Ordinal)
            ? string.Create(CultureInfo.InvariantCulture, $"[{Host}]:{Port}")
            : string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}");

    private static ProbeSelector ParseStLink(string text, string rest)
    {
        var question = rest.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? rest : rest[..question];
        var query = question < 0 ? null : rest[(question + 1)..];
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        var transport = (slash < 0 ? path : path[..slash]).ToLowerInvariant();
        var tail = slash < 0 ? string.Empty : path[(slash + 1)..];
        switch (transport)
        {
            case "usb":
                return ParseUsb(text, tail.TrimEnd('/'), query);
            case "tcp":
                if (query is not null)
                {
                    throw Error(text, "an stlink://tcp selector takes no '?' parameters; write stlink://tcp/127.0.0.1:7184 or stlink://tcp/127.0.0.1:7184/<24-hex serial>");
                }

                return ParseTcp(text, tail);
            default:
                throw Error(text, $"an ST-LINK is reached over 'usb' or 'tcp', not '{transport}'; write stlink://usb/<24-hex serial>, stlink://usb?port=1-4.2 or stlink://tcp/127.0.0.1:7184[/<serial>]");
        }
    }

    private static ProbeSelector ParseUsb(string text, string serial, string? query)
    {
        if (query is null)
        {
            if (serial.Length == 0)
            {
                throw Error(text, "it names no probe; give the serial (stlink://usb/<24-hex serial>) or the USB port path (stlink://usb?port=1-4.2); 'prodflash probes' lists both");
            }

            return new ProbeSelector(ProbeSelectorKind.StLinkUsbSerial, StLinkScheme) { Serial = CheckSerial(text, serial) };
        }

        if (serial.Length != 0)
        {
            throw Error(text, "give either the serial (stlink://usb/<serial>) or the port path (stlink://usb?port=1-4.2), not both");
        }

        var parameters = ParseQuery(text, query);
        if (parameters.Count != 1 || parameters[0].Key != "port")
        {
            var keys = string.Join(", ", parameters.Select(p => $"'{p.Key}'"));
            throw Error(text, $"stlink://usb takes one parameter, 'port' (e.g. stlink://usb?port=1-4.2), not {keys}");
        }

        var port = parameters[0].Value;
        if (!IsPortPath(port))
        {
            throw Error(text, $"'{port}' is not a USB port path; it is the bus number, '-', then the port numbers from the root hub joined by '.', e.g. 1-4.2 ('prodflash probes' shows it)");
        }

        return new ProbeSelector(ProbeSelectorKind.StLinkUsbPort, StLinkScheme) { PortPath = port };
    }

    private static ProbeSelector ParseTcp(string text, string tail)
    {
        const string example = "e.g. stlink://tcp/127.0.0.1:7184 or stlink://tcp/127.0.0.1:7184/066DFF535155878281123456";
        string endpoint;
        string? serial = null;
        if (tail.StartsWith('['))
        {
            var close = tail.IndexOf(']', StringComparison.Ordinal);
            var slash = close < 0 ? -1 : tail.IndexOf('/', close);
            endpoint = slash < 0 ? tail : tail[..slash];
            serial = slash < 0 ? null : tail[(slash + 1)..];
        }
        else
        {
            var slash = tail.IndexOf('/', StringComparison.Ordinal);
            endpoint = slash < 0 ? tail : tail[..slash];
            serial = slash < 0 ? null : tail[(slash + 1)..];
        }

        var (host, port) = ParseEndpoint(text, endpoint, "the stlink-server", example);
        serial = serial?.TrimEnd('/');
        return new ProbeSelector(ProbeSelectorKind.StLinkTcp, StLinkScheme)
        {
            Host = host,
            Port = port,
            Serial = string.IsNullOrEmpty(serial) ? null : CheckSerial(text, serial),
        };
    }

    private static ProbeSelector ParseGdb(string text, string rest)
    {
        const string example = "e.g. gdb://127.0.0.1:3333";
        if (rest.Contains('?', StringComparison.Ordinal))
        {
            throw Error(text, $"a gdb:// selector takes no '?' parameters, {example}");
        }

        var (host, port) = ParseEndpoint(text, rest.TrimEnd('/'), "the GDB server", example);
        return new ProbeSelector(ProbeSelectorKind.Gdb, GdbScheme) { Host = host, Port = port };
    }

    private static ProbeSelector ParseEmulator(string text, string rest)
    {
        const string example = "e.g. emulator://stm32f103c8?probe=v2j37&faults=no-vcc";
        var question = rest.IndexOf('?', StringComparison.Ordinal);
        var chip = (question < 0 ? rest : rest[..question]).TrimEnd('/').ToLowerInvariant();
        if (chip.Length == 0 || chip.Contains('/', StringComparison.Ordinal) || !chip.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw Error(text, $"an emulator selector names one chip model (letters and digits) after 'emulator://', {example}");
        }

        var parameters = question < 0 ? [] : ParseQuery(text, rest[(question + 1)..]);
        return new ProbeSelector(ProbeSelectorKind.Emulator, EmulatorScheme) { Chip = chip, Parameters = parameters };
    }

    private static List<KeyValuePair<string, string>> ParseQuery(string text, string query)
    {
        var parameters = new List<KeyValuePair<string, string>>();
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw Error(text, $"the parameter '{pair}' has no value; write key=value pairs joined by '&'");
            }

            var key = pair[..equals].ToLowerInvariant();
            if (parameters.Any(p => p.Key == key))
            {
                throw Error(text, $"it gives '{key}' twice; give it once");
            }

            string value;
            try
            {
                value = Uri.UnescapeDataString(pair[(equals + 1)..]);
            }
            catch (UriFormatException ex)
            {
                throw Error(text, $"the value of '{key}' is not valid URI text ({ex.Message})");
            }

            parameters.Add(new(key, value));
        }

        return parameters;
    }

    private static (string Host, int Port) ParseEndpoint(string text, string endpoint, string what, string example)
    {
        string host;
        string portText;
        if (endpoint.StartsWith('['))
        {
            var close = endpoint.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= endpoint.Length || endpoint[close + 1] != ':')
            {
                throw Error(text, $"give {what} as HOST:PORT ([IPv6]:PORT), {example}");
            }

            host = endpoint[1..close];
            portText = endpoint[(close + 2)..];
        }
        else
        {
            var colon = endpoint.LastIndexOf(':');
            if (colon < 0 || endpoint.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                throw Error(text, $"give {what} as HOST:PORT with the port, {example}");
            }

            host = endpoint[..colon];
            portText = endpoint[(colon + 1)..];
        }

        if (host.Length == 0 || Uri.CheckHostName(host) == UriHostNameType.Unknown)
        {
            throw Error(text, $"'{host}' is not a host name or address for {what}, {example}");
        }

        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw Error(text, $"'{portText}' is not a TCP port (1-65535) for {what}, {example}");
        }

        return (host, port);
    }

    private static string CheckSerial(string text, string serial)
    {
        if (!IsSerial(serial))
        {
            var found = serial.All(char.IsAsciiHexDigit)
                ? string.Create(CultureInfo.InvariantCulture, $"'{serial}' has {serial.Length}")
                : $"'{serial}' is not hex";
            throw Error(text, $"an ST-LINK serial is {SerialLength} hex characters ({found}); copy it from 'prodflash probes', which shows binary serials hex-converted, or name a clone by its port: stlink://usb?port=1-4.2");
        }

        return serial.ToUpperInvariant();
    }

    private static bool IsPortPath(string text)
    {
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        return dash > 0
            && text[..dash].All(char.IsAsciiDigit)
            && text[(dash + 1)..].Split('.').All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit));
    }

    private static ProbeSelectorException Error(string text, string reason) =>
        new(text, $"'{text}' is not a probe selector: {reason}.");
}
