using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ProdFlash.Core.Devices;
using ProdFlash.Core.Probes;
using ProdFlash.Core.Targets;
using ProdFlash.Emulator.Selection;
using ProdFlash.Probes.Gdb;
using ProdFlash.Probes.Selection;
using ProdFlash.Programming.Flash;
using ProdFlash.Programming.Identify;

namespace ProdFlash.Cli.Commands;

/// <summary>
/// <c>prodflash ob read SELECTOR [--json]</c> and <c>prodflash ob write SELECTOR --set NAME=VALUE...</c>: the option
/// bytes of the chip behind a probe, decoded by the catalog's layout, and changed with the family's sequence.
/// </summary>
internal static class ObCommands
{
    /// <summary>The --set name for the readout protection level (0, 1 or 2).</summary>
    public const string RdpName = "RDP";

    /// <summary>The --set name for the write-protected pages/sectors (e.g. <c>0-3+8</c>, or <c>none</c>).</summary>
    public const string WrpName = "WRP";

    /// <summary>Builds <c>ob</c> with its two subcommands.</summary>
    /// <param name="providers">Opens probes by selector; the emulator and ST-LINK providers when null.</param>
    public static Command Create(Func<ProbeProviders>? providers = null)
    {
        providers ??= DefaultProviders;
        var command = new Command("ob", "Read or write a chip's option bytes (readout protection, user bits, write protection).");
        command.Subcommands.Add(CreateRead(providers));
        command.Subcommands.Add(CreateWrite(providers));
        return command;
    }

    private static ProbeProviders DefaultProviders() => new([new EmulatorProbeProvider(), new StLinkProbeProvider(), new GdbProbeProvider()]);

    private static Argument<string> SelectorArgument() => new("SELECTOR")
    {
        Description = "The probe, e.g. stlink://usb/SERIAL or emulator://stm32f103c8.",
    };

    private static Command CreateRead(Func<ProbeProviders> providers)
    {
        var selector = SelectorArgument();
        var json = new Option<bool>("--json") { Description = "Print the option bytes as JSON." };
        var command = new Command("read", "Connect, identify the chip and print its decoded option bytes.") { selector, json };
        command.SetAction(parse => CliErrors.Guard(parse, () => Run(parse.GetValue(selector)!, providers, async (session, ct) =>
        {
            var state = await session.Driver.ReadOptionBytesAsync(ct).ConfigureAwait(false);
            Print(parse.InvocationConfiguration.Output, session.Part, state, parse.GetValue(json));
        })));
        return command;
    }

    private static Command CreateWrite(Func<ProbeProviders> providers)
    {
        var selector = SelectorArgument();
        var set = new Option<string[]>("--set")
        {
            Description = "NAME=VALUE to change (repeatable): RDP=0|1|2, WRP=0-3+8 or WRP=none, or a user field by its catalog name (nBOOT1=0, DATA0=0x42).",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var allowMassErase = new Option<bool>("--allow-mass-erase") { Description = "Permit RDP 1 → 0, which mass-erases the flash." };
        var allowWrpRemoval = new Option<bool>("--allow-wrp-removal") { Description = "Permit removing write protection from pages or sectors." };
        var confirmRdp2 = new Option<bool>("--confirm-rdp2") { Description = "Confirm RDP=2: the debug port is disabled for ever; the chip can never be reprogrammed." };
        var json = new Option<bool>("--json") { Description = "Print the option bytes read back as JSON." };
        var command = new Command("write", "Change option bytes, make them take effect, read them back and print them.")
        {
            selector, set, allowMassErase, allowWrpRemoval, confirmRdp2, json,
        };
        command.SetAction(parse => CliErrors.Guard(parse, () =>
        {
            var assignments = ParseAssignments(parse.GetValue(set) ?? []);
            if (assignments.Rdp == RdpLevel.Level2 && !parse.GetValue(confirmRdp2))
            {
                throw new CliUsageException("RDP=2 disables the debug port for ever and can never be undone; add --confirm-rdp2 if that is what you want.");
            }

            return Run(parse.GetValue(selector)!, providers, async (session, ct) =>
            {
                var change = new OptionByteChange(
                    assignments.Rdp,
                    ResolveFieldNames(session.Part, assignments.Fields),
                    assignments.Wrp,
                    parse.GetValue(allowMassErase),
                    parse.GetValue(allowWrpRemoval));
                var state = await session.Driver.WriteOptionBytesAsync(change, ct).ConfigureAwait(false);
                Print(parse.InvocationConfiguration.Output, session.Part, state, parse.GetValue(json));
            });
        }));
        return command;
    }

    /// <summary>The parsed --set values: RDP, WRP and user fields (names as typed).</summary>
    internal sealed record Assignments(RdpLevel? Rdp, IReadOnlyList<int>? Wrp, IReadOnlyDictionary<string, uint> Fields);

    /// <summary>Parses NAME=VALUE items.</summary>
    /// <exception cref="CliUsageException">An item is malformed or names something twice.</exception>
    internal static Assignments ParseAssignments(IEnumerable<string> items)
    {
        RdpLevel? rdp = null;
        IReadOnlyList<int>? wrp = null;
        var fields = new Dictionary<string, uint>(StringComparer.OrdinalIgnoreCase);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in items)
        {
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || equals == item.Length - 1)
            {
                throw new CliUsageException($"--set '{item}' is not NAME=VALUE; write e.g. --set RDP=1, --set WRP=0-3 or --set nBOOT1=0.");
            }

            var name = item[..equals].Trim();
            var value = item[(equals + 1)..].Trim();
            if (!seen.Add(name))
            {
                throw new CliUsageException($"--set gives {name} twice; give it once.");
            }

            if (name.Equals(RdpName, StringComparison.OrdinalIgnoreCase))
            {
                rdp = value switch
                {
                    "0" => RdpLevel.Level0,
                    "1" => RdpLevel.Level1,
                    "2" => RdpLevel.Level2,
                    _ => throw new CliUsageException($"--set RDP={value}: the level is 0, 1 or 2."),
                };
            }
            else if (name.Equals(WrpName, StringComparison.OrdinalIgnoreCase))
            {
                wrp = ParseUnitList(value);
            }
            else if (TryParseNumber(value, out var number))
            {
                fields[name] = number;
            }
            else
            {
                throw new CliUsageException($"--set {name}={value}: the value must be a number (decimal or 0x hex).");
            }
        }

        return new Assignments(rdp, wrp, fields);
    }

    /// <summary>Parses <c>none</c> or numbers and ranges joined by '+' or ',' (e.g. <c>0-3+8</c>).</summary>
    internal static IReadOnlyList<int> ParseUnitList(string text)
    {
        if (text.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            return [];
        }

        var units = new SortedSet<int>();
        foreach (var item in text.Split(['+', ','], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var dash = item.IndexOf('-', StringComparison.Ordinal);
            var firstText = dash < 0 ? item : item[..dash];
            var lastText = dash < 0 ? item : item[(dash + 1)..];
            if (!int.TryParse(firstText, NumberStyles.None, CultureInfo.InvariantCulture, out var first)
                || !int.TryParse(lastText, NumberStyles.None, CultureInfo.InvariantCulture, out var end)
                || end < first)
            {
                throw new CliUsageException($"--set WRP={text}: '{item}' is not a page/sector number or range; write e.g. WRP=0-3+8 or WRP=none.");
            }

            for (var unit = first; unit <= end; unit++)
            {
                units.Add(unit);
            }
        }

        return [.. units];
    }

    private static bool TryParseNumber(string text, out uint value) =>
        text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? uint.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value)
            : uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    /// <summary>Maps field names as typed to the catalog's spelling (case-insensitive); unknown names are left for the driver to reject.</summary>
    private static Dictionary<string, uint> ResolveFieldNames(DevicePart part, IReadOnlyDictionary<string, uint> fields)
    {
        var resolved = new Dictionary<string, uint>(StringComparer.Ordinal);
        foreach (var (name, value) in fields)
        {
            var catalogName = part.Family.OptionBytes.Fields.Keys.FirstOrDefault(k => k.Equals(name, StringComparison.OrdinalIgnoreCase)) ?? name;
            resolved[catalogName] = value;
        }

        return resolved;
    }

    /// <summary>An open, connected, identified target with its flash driver.</summary>
    private sealed record Session(IDebugProbe Probe, DevicePart Part, IFlashDriver Driver);

    /// <summary>Opens the probe, connects, halts, identifies, builds the driver, runs <paramref name="body"/>; failures become CLI exceptions.</summary>
    private static int Run(string selectorText, Func<ProbeProviders> providers, Func<Session, CancellationToken, Task> body)
    {
        try
        {
            RunAsync(selectorText, providers, body).GetAwaiter().GetResult();
            return CliApp.ExitOk;
        }
        catch (ProbeSelectorException error)
        {
            throw new CliUsageException(error.Message);
        }
        catch (ArgumentException error)
        {
            var suffix = error.ParamName is null ? string.Empty : $" (Parameter '{error.ParamName}')";
            throw new CliUsageException(error.Message.EndsWith(suffix, StringComparison.Ordinal) ? error.Message[..^suffix.Length] : error.Message);
        }
        catch (TargetException error) when (error.Kind == TargetErrorKind.NoResponse)
        {
            // Readout protection level 2 disables the debug port for good (reference §4.1): it looks exactly like this.
            throw new CliInputException(error.Message + " A chip at readout protection level 2 never answers either; that is permanent.");
        }
        catch (Exception error) when (error is ProbeOpenException or TargetException or FlashOperationException)
        {
            throw new CliInputException(error.Message);
        }
    }

    private static async Task RunAsync(string selector, Func<ProbeProviders> providers, Func<Session, CancellationToken, Task> body)
    {
        var ct = CancellationToken.None;
        var probe = await providers().OpenAsync(selector, ct).ConfigureAwait(false);
        await using (probe.ConfigureAwait(false))
        {
            var connection = await probe.ConnectAsync(ct).ConfigureAwait(false);
            await probe.Core.HaltAsync(ct).ConfigureAwait(false);
            var identity = await TargetIdentifier.IdentifyAsync(probe, connection.DpIdr, DeviceCatalog.Default, ct).ConfigureAwait(false);
            var part = identity.Part ?? throw new CliInputException(
                $"The chip behind {selector} is not a catalog part ({identity.DeviceName}, flash {identity.FlashKiB?.ToString(CultureInfo.InvariantCulture) ?? "unknown"} KiB); its option-byte layout is unknown.");
            var driver = FlashDrivers.Create(part, probe.Memory, TimeProvider.System, new FlashDriverOptions { Core = probe.Core });
            await body(new Session(probe, part, driver), ct).ConfigureAwait(false);
        }
    }

    private static void Print(TextWriter output, DevicePart part, OptionByteState state, bool json)
    {
        if (json)
        {
            output.WriteLine(ToJson(part, state));
            return;
        }

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Device  {part.PartNumber.ToUpperInvariant()} ({part.Line.Name})");
        var raw = state.RdpRaw is { } r ? $" (RDP byte 0x{r:X2})" : string.Empty;
        text.AppendLine(CultureInfo.InvariantCulture, $"RDP     level {(int)state.Rdp}{raw}{(state.Rdp == RdpLevel.Level2 ? " — permanent" : string.Empty)}");
        foreach (var (name, value) in state.Fields.OrderBy(f => part.Family.OptionBytes.Fields[f.Key].Shift))
        {
            var width = part.Family.OptionBytes.Fields[name].Width;
            var shown = width > 1 ? $"0x{value:X2}" : value.ToString(CultureInfo.InvariantCulture);
            text.AppendLine(CultureInfo.InvariantCulture, $"{name,-16}{shown}");
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"WRP     {(state.WriteProtectedUnits.Count == 0 ? "none" : FormatUnits(state.WriteProtectedUnits))}");
        foreach (var (name, value) in state.RawRegisters)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{name,-8}0x{value:X8}");
        }

        output.Write(text.ToString());
    }

    /// <summary>Unit numbers as ranges, e.g. <c>0-3+8</c> (the form --set WRP= takes).</summary>
    internal static string FormatUnits(IReadOnlyList<int> units)
    {
        var parts = new List<string>();
        var sorted = units.Order().ToList();
        for (var i = 0; i < sorted.Count;)
        {
            var j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1)
            {
                j++;
            }

            parts.Add(i == j ? sorted[i].ToString(CultureInfo.InvariantCulture) : $"{sorted[i]}-{sorted[j]}");
            i = j + 1;
        }

        return string.Join('+', parts);
    }

    private static string ToJson(DevicePart part, OptionByteState state)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("device", part.PartNumber);
            writer.WriteNumber("rdpLevel", (int)state.Rdp);
            if (state.RdpRaw is { } raw)
            {
                writer.WriteNumber("rdpByte", raw);
            }
            else
            {
                writer.WriteNull("rdpByte");
            }

            writer.WriteStartObject("fields");
            foreach (var (name, value) in state.Fields)
            {
                writer.WriteNumber(name, value);
            }

            writer.WriteEndObject();
            writer.WriteStartArray("writeProtected");
            foreach (var unit in state.WriteProtectedUnits)
            {
                writer.WriteNumberValue(unit);
            }

            writer.WriteEndArray();
            writer.WriteStartObject("registers");
            foreach (var (name, value) in state.RawRegisters)
            {
                writer.WriteString(name, "0x" + value.ToString("X8", CultureInfo.InvariantCulture));
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
