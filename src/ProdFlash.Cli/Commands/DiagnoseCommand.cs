using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;

using ProdFlash.Core.Devices;
using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Images;
using ProdFlash.Core.Probes;
using ProdFlash.Programming.Engine;

namespace ProdFlash.Cli.Commands;

/// <summary>
/// <c>prodflash diagnose SELECTOR [--json]</c>: the first phases of an attempt (probe, power, connect, identify, option
/// bytes), read-only, accepting any catalog part; each check with pass/fail and what it measured, then the ranked causes
/// and remedies of the first failure.
/// </summary>
internal static class DiagnoseCommand
{
    /// <summary>The phases diagnose runs, in order.</summary>
    private static readonly AttemptPhase[] s_checks = [AttemptPhase.Probe, AttemptPhase.Power, AttemptPhase.Connect, AttemptPhase.Identify, AttemptPhase.OptionBytes];

    /// <summary>Builds <c>diagnose</c>.</summary>
    /// <param name="providers">Opens probes by selector; the emulator and ST-LINK providers when null.</param>
    public static Command Create(Func<ProbeProviders>? providers = null)
    {
        providers ??= AttemptCli.DefaultProviders;
        var selector = AttemptCli.SelectorArgument();
        var json = new Option<bool>("--json") { Description = "Print the checks and the diagnosis as JSON." };
        var command = new Command("diagnose", "Check probe, power, SWD connection, chip identity and option bytes without changing the chip.") { selector, json };
        command.SetAction(parse => CliErrors.Guard(parse, () =>
        {
            var checks = new CheckLog();
            var result = AttemptCli.Run(parse.GetValue(selector)!, providers, (probe, ct) =>
                new AttemptEngine(new AttemptOptions { LastPhase = AttemptPhase.OptionBytes })
                    .RunAsync(probe, DiagnosticRecipe.AnyCatalogPart(DeviceCatalog.Default), new MemoryImage([]), null, checks, ct));
            var output = parse.InvocationConfiguration.Output;
            output.Write(parse.GetValue(json) ? Json(result, checks) + Environment.NewLine : Text(result, checks));
            return result.Outcome == AttemptOutcome.Passed ? CliApp.ExitOk : CliApp.ExitAttemptFailed;
        }));
        return command;
    }

    /// <summary>One check: a phase, whether it passed (null: not run), whether the probe could make it at all, and what it measured.</summary>
    private sealed record Check(AttemptPhase Phase, bool? Passed, string Measured, bool Available = true);

    private static List<Check> Checks(AttemptResult result, CheckLog log) =>
        [.. s_checks.Select(phase => log.Finished.TryGetValue(phase, out var note)
            ? new Check(phase, true, note ?? "ok", result.Phases.FirstOrDefault(p => p.Phase == phase)?.NotAvailable is null)
            : result.Diagnosis is { } d && d.Phase == phase
                ? new Check(phase, false, string.Join("; ", d.Evidence.Select(e => $"{e.Name} {e.Measured}{(e.Expected is null ? string.Empty : " (expected " + e.Expected + ")")}")))
                : new Check(phase, null, "not run"))];

    private static string Text(AttemptResult result, CheckLog log)
    {
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        foreach (var check in Checks(result, log))
        {
            var mark = check.Passed switch { true when !check.Available => "N/A ", true => "PASS", false => "FAIL", _ => "----" };
            text.AppendLine(inv, $"{mark}  {FlashCommand.PhaseName(check.Phase),-13} {check.Measured}");
        }

        if (result.Identity is { } id)
        {
            text.AppendLine();
            text.AppendLine(inv, $"Identity: {id.DeviceName}, {id.VerdictText}");
            foreach (var e in id.Evidence)
            {
                text.AppendLine(inv, $"  {e.Name}: {e.Measured}{(e.Expected is null ? string.Empty : " (genuine: " + e.Expected + ")")}");
            }
        }

        if (result.ConnectTries.Count > 0)
        {
            text.AppendLine(inv, $"Connect tries: {string.Join(", ", result.ConnectTries.Select(t => $"{t.Try} → {t.Error?.ToString() ?? "connected"}"))}");
        }

        if (result.Diagnosis is { } d)
        {
            AttemptCli.AppendDiagnosis(text, d);
        }
        else
        {
            text.AppendLine();
            text.AppendLine("No fault found: the chip can be programmed.");
        }

        return text.ToString();
    }

    private static string Json(AttemptResult result, CheckLog log)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("result", result.Outcome.ToString());
            if (result.FailureCode is { } code)
            {
                w.WriteString("failureCode", code.ToString());
            }
            else
            {
                w.WriteNull("failureCode");
            }

            w.WriteStartArray("checks");
            foreach (var check in Checks(result, log))
            {
                w.WriteStartObject();
                w.WriteString("name", FlashCommand.PhaseName(check.Phase));
                w.WriteString("status", check.Passed switch { true when !check.Available => "not available", true => "pass", false => "fail", _ => "not run" });
                w.WriteString("measured", check.Measured);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        // The attempt report carries the identity, connect tries and the diagnosis with ranked causes and remedies.
        using var checks = JsonDocument.Parse(stream.ToArray());
        using var report = JsonDocument.Parse(AttemptCli.Json(result));
        using var merged = new MemoryStream();
        using (var w = new Utf8JsonWriter(merged, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            foreach (var property in checks.RootElement.EnumerateObject())
            {
                property.WriteTo(w);
            }

            foreach (var property in report.RootElement.EnumerateObject().Where(p => p.Name is not ("result" or "failureCode")))
            {
                property.WriteTo(w);
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(merged.ToArray());
    }

    /// <summary>Keeps each finished phase's note, synchronously, in order.</summary>
    private sealed class CheckLog : IProgress<AttemptEvent>
    {
        public Dictionary<AttemptPhase, string?> Finished { get; } = [];

        public void Report(AttemptEvent value)
        {
            if (value is PhaseFinished finished)
            {
                Finished[finished.Phase] = finished.Note;
            }
        }
    }
}
