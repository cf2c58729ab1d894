using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;

using ProdFlash.Core.Devices;
using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Images;
using ProdFlash.Core.Probes;
using ProdFlash.Core.Recipes;
using ProdFlash.Core.Serialization;
using ProdFlash.Emulator.Selection;
using ProdFlash.Probes.Gdb;
using ProdFlash.Probes.Selection;
using ProdFlash.Programming.Engine;

namespace ProdFlash.Cli.Commands;

/// <summary>
/// <c>prodflash flash SELECTOR --image FILE [--recipe FILE] [--serial VALUE] [--report json]</c>: one attempt on one
/// board through the engine, with a progress bar on an interactive stderr and a text or JSON report on stdout.
/// Without --recipe the chip is identified first and the catalog default recipe for it applies.
/// </summary>
internal static class FlashCommand
{
    /// <summary>Builds <c>flash</c>.</summary>
    /// <param name="providers">Opens probes by selector; the emulator and ST-LINK providers when null.</param>
    /// <param name="interactive">Whether stderr is a terminal (draws the progress bar); detected when null.</param>
    public static Command Create(Func<ProbeProviders>? providers = null, bool? interactive = null)
    {
        providers ??= AttemptCli.DefaultProviders;
        var selector = AttemptCli.SelectorArgument();
        var image = new Option<FileInfo>("--image") { Description = "The firmware image (Intel HEX, S-record, ELF or binary with --base elsewhere).", Required = true };
        var recipe = new Option<FileInfo?>("--recipe") { Description = "The recipe JSON (docs/recipe.md); without it the default recipe for the detected device applies." };
        var serial = new Option<string?>("--serial") { Description = "The reserved serial value (a sequence number in the recipe's series) to write as the unit's record." };
        var report = new Option<string?>("--report") { Description = "Print the attempt report as 'json' instead of text." };
        var command = new Command("flash", "Program one board: probe, power, connect, identify, option bytes, erase, program, verify, serialize, finalize.")
        {
            selector, image, recipe, serial, report,
        };
        command.SetAction(parse => CliErrors.Guard(parse, () =>
        {
            var format = parse.GetValue(report);
            if (format is not null && !format.Equals("json", StringComparison.OrdinalIgnoreCase))
            {
                throw new CliUsageException($"--report {format}: the only report format is 'json'.");
            }

            var serialText = parse.GetValue(serial);
            ulong? sequence = null;
            if (serialText is not null)
            {
                sequence = ulong.TryParse(serialText, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
                    ? value
                    : throw new CliUsageException($"--serial {serialText}: give the reserved sequence number as a decimal integer, e.g. --serial 42.");
            }

            var recipeFile = parse.GetValue(recipe);
            var loaded = recipeFile is null ? null : Recipe.Load(recipeFile.FullName);
            if (sequence is not null && loaded?.Serial is null)
            {
                throw new CliUsageException("--serial needs a recipe with a serial scheme; pass --recipe FILE whose 'serial' section defines the record.");
            }

            var memoryImage = ImageReader.ReadFile(parse.GetValue(image)!.FullName);
            var output = parse.InvocationConfiguration.Output;
            var errorOut = parse.InvocationConfiguration.Error;
            var bar = interactive ?? !Console.IsErrorRedirected ? new ProgressBar(errorOut) : null;
            var result = AttemptCli.Run(parse.GetValue(selector)!, providers, async (probe, ct) =>
            {
                var effective = loaded;
                if (effective is null)
                {
                    var identify = await new AttemptEngine(new AttemptOptions { LastPhase = AttemptPhase.Identify })
                        .RunAsync(probe, DiagnosticRecipe.AnyCatalogPart(DeviceCatalog.Default), new MemoryImage([]), null, null, ct).ConfigureAwait(false);
                    if (identify.Outcome != AttemptOutcome.Passed || identify.Identity?.Part is not { } part)
                    {
                        return identify;
                    }

                    effective = Recipe.CreateDefault(part, "default-" + part.PartNumber, "1", new RecipeImage(null, null));
                }

                var record = sequence is { } s ? effective.Serial!.Render(s, DateTimeOffset.UtcNow, Environment.MachineName) : null;
                return await new AttemptEngine(new AttemptOptions()).RunAsync(probe, effective, memoryImage, record, bar, ct).ConfigureAwait(false);
            });
            bar?.Finish();
            if (format is null)
            {
                output.Write(AttemptCli.Text(result));
            }
            else
            {
                output.WriteLine(AttemptCli.Json(result));
            }

            return result.Outcome == AttemptOutcome.Passed ? CliApp.ExitOk : CliApp.ExitAttemptFailed;
        }));
        return command;
    }

    /// <summary>A one-line progress bar on stderr, redrawn with a carriage return; throttled to whole percents.</summary>
    private sealed class ProgressBar(TextWriter error) : IProgress<AttemptEvent>
    {
        private const int Width = 30;
        private int _lastPercent = -1;
        private AttemptPhase _phase;

        public void Report(AttemptEvent value)
        {
            var percent = value switch
            {
                PhaseStarted => 0,
                PhaseProgress p => (int)(p.Fraction * 100),
                _ => 100,
            };
            if (value.Phase == _phase && percent == _lastPercent)
            {
                return;
            }

            _phase = value.Phase;
            _lastPercent = percent;
            var filled = percent * Width / 100;
            error.Write(string.Create(CultureInfo.InvariantCulture, $"\r{PhaseName(value.Phase),-12} [{new string('#', filled)}{new string('.', Width - filled)}] {percent,3}%"));
        }

        public void Finish() => error.WriteLine();
    }

    internal static string PhaseName(AttemptPhase phase) => phase == AttemptPhase.OptionBytes ? "option bytes" : phase.ToString().ToLowerInvariant();
}

/// <summary>What <c>flash</c> and <c>diagnose</c> share: opening the probe, error translation and the reports.</summary>
internal static class AttemptCli
{
    public static ProbeProviders DefaultProviders() => new([new EmulatorProbeProvider(), new StLinkProbeProvider(), new GdbProbeProvider()]);

    public static Argument<string> SelectorArgument() => new("SELECTOR")
    {
        Description = "The probe, e.g. stlink://usb/SERIAL or emulator://stm32f103c8?faults=no-vcc.",
    };

    /// <summary>Opens the probe and runs <paramref name="body"/>; a probe that cannot be opened is bad input.</summary>
    public static AttemptResult Run(string selector, Func<ProbeProviders> providers, Func<Core.Targets.IDebugProbe, CancellationToken, Task<AttemptResult>> body)
    {
        try
        {
            return RunAsync(selector, providers, body).GetAwaiter().GetResult();
        }
        catch (ProbeSelectorException error)
        {
            throw new CliUsageException(error.Message);
        }
        catch (ProbeOpenException error)
        {
            throw new CliInputException(error.Message);
        }
        catch (SerialValueException error)
        {
            throw new CliUsageException(error.Message);
        }
    }

    private static async Task<AttemptResult> RunAsync(string selector, Func<ProbeProviders> providers, Func<Core.Targets.IDebugProbe, CancellationToken, Task<AttemptResult>> body)
    {
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            var probe = await providers().OpenAsync(selector, cancel.Token).ConfigureAwait(false);
            await using (probe.ConfigureAwait(false))
            {
                return await body(probe, cancel.Token).ConfigureAwait(false);
            }
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    /// <summary>The text report: result, device, phases with their ledger, floor and ratio, then the diagnosis.</summary>
    public static string Text(AttemptResult result)
    {
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(inv, $"Result   {result.Outcome}{(result.FailureCode is { } code ? " (" + code + ")" : string.Empty)}");
        if (result.Identity is { } id)
        {
            text.AppendLine(inv, $"Device   {result.Part?.PartNumber.ToUpperInvariant() ?? id.DeviceName}, {id.VerdictText}, UID {id.Uid ?? "unread"}");
        }

        text.AppendLine("Phase        modeled s    wall s  USB trans      bytes  busy-wait s");
        foreach (var p in result.Phases)
        {
            text.AppendLine(inv, $"{FlashCommand.PhaseName(p.Phase),-12} {p.Modeled.TotalSeconds,9:F3} {p.Wall.TotalSeconds,9:F3} {p.Transactions,10} {p.Bytes,10} {p.BusyWait.TotalSeconds,12:F3}{(p.NotAvailable is { } why ? "  not available: " + why : string.Empty)}");
        }

        text.AppendLine(inv, $"Total    {result.Modeled.TotalSeconds:F3} s modeled");
        if (result.Floor is { } floor)
        {
            text.AppendLine(inv, $"Floor    {(floor.Total is { } f ? f.TotalSeconds.ToString("F3", inv) + " s: " : string.Empty)}{floor.Note}");
            if (result.Ratio is { } ratio)
            {
                text.AppendLine(inv, $"Ratio    attempt {ratio:F2}x floor, erase+program {result.ProgramRatio:F2}x floor");
            }
        }

        if (result.Diagnosis is { } d)
        {
            AppendDiagnosis(text, d);
        }

        return text.ToString();
    }

    public static void AppendDiagnosis(StringBuilder text, Diagnosis d)
    {
        var inv = CultureInfo.InvariantCulture;
        text.AppendLine();
        text.AppendLine(inv, $"{d.Title} ({d.Code}, {FlashCommand.PhaseName(d.Phase)} phase)");
        text.AppendLine(d.Summary);
        text.AppendLine("Evidence:");
        foreach (var e in d.Evidence)
        {
            text.AppendLine(inv, $"  {e.Name}: {e.Measured}{(e.Unit is null ? string.Empty : " " + e.Unit)}{(e.Expected is null ? string.Empty : " (expected " + e.Expected + ")")}");
        }

        text.AppendLine("Likely causes:");
        for (var i = 0; i < d.Causes.Count; i++)
        {
            text.AppendLine(inv, $"  {i + 1}. {d.Causes[i].Text}");
        }

        text.AppendLine("Remedies:");
        for (var i = 0; i < d.Remedies.Count; i++)
        {
            text.AppendLine(inv, $"  {i + 1}. {d.Remedies[i].Text}");
        }
    }

    /// <summary>The JSON report (keys documented in docs/programming-engine.md).</summary>
    public static string Json(AttemptResult result)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("result", result.Outcome.ToString());
            WriteNullable(w, "failureCode", result.FailureCode?.ToString());
            WriteNullable(w, "device", result.Part?.PartNumber ?? result.Identity?.DeviceName);
            if (result.Identity is { } id)
            {
                w.WriteBoolean("genuine", id.Verdict == Programming.Identify.OriginVerdict.GenuineSt);
                w.WriteString("verdict", id.VerdictText);
            }
            else
            {
                w.WriteNull("genuine");
                w.WriteNull("verdict");
            }

            WriteNullable(w, "uid", result.Identity?.Uid);
            w.WriteStartArray("phases");
            foreach (var p in result.Phases)
            {
                w.WriteStartObject();
                w.WriteString("name", FlashCommand.PhaseName(p.Phase));
                w.WriteNumber("seconds", Math.Round(p.Modeled.TotalSeconds, 6));
                w.WriteNumber("wallSeconds", Math.Round(p.Wall.TotalSeconds, 6));
                w.WriteNumber("transactions", p.Transactions);
                w.WriteNumber("bytes", p.Bytes);
                w.WriteNumber("busyWaitSeconds", Math.Round(p.BusyWait.TotalSeconds, 6));
                if (p.NotAvailable is { } why)
                {
                    // The probe could not make this phase's check at all (e.g. no voltage sense behind a GDB server).
                    w.WriteString("notAvailable", why);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteNumber("modeledSeconds", Math.Round(result.Modeled.TotalSeconds, 6));
            WriteNullable(w, "floorSeconds", result.Floor?.Total?.TotalSeconds);
            WriteNullable(w, "ratio", result.Ratio);
            WriteNullable(w, "programRatio", result.ProgramRatio);
            w.WriteStartArray("connectTries");
            foreach (var t in result.ConnectTries)
            {
                w.WriteStartObject();
                w.WriteString("mode", ConnectTry.ModeName(t.Try.Mode));
                w.WriteNumber("kHz", t.AppliedKHz ?? t.Try.FrequencyKHz);
                w.WriteString("outcome", t.Error?.ToString() ?? "connected");
                w.WriteEndObject();
            }

            w.WriteEndArray();
            if (result.Diagnosis is { } d)
            {
                w.WriteStartObject("diagnosis");
                w.WriteString("title", d.Title);
                w.WriteString("phase", FlashCommand.PhaseName(d.Phase));
                w.WriteString("summary", d.Summary);
                w.WriteStartArray("evidence");
                foreach (var e in d.Evidence)
                {
                    w.WriteStartObject();
                    w.WriteString("name", e.Name);
                    w.WriteString("measured", e.Measured);
                    WriteNullable(w, "expected", e.Expected);
                    WriteNullable(w, "unit", e.Unit);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                WriteStrings(w, "causes", d.Causes.Select(c => c.Text));
                WriteStrings(w, "remedies", d.Remedies.Select(r => r.Text));
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("diagnosis");
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var value in values)
        {
            w.WriteStringValue(value);
        }

        w.WriteEndArray();
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, Math.Round(v, 6));
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
