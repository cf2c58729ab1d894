using System.Globalization;

using ProdFlash.Core.Devices;
using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Recipes;
using ProdFlash.Core.Targets;

namespace ProdFlash.Programming.Engine;

/// <summary>
/// Diagnoses a chip whose debug port acknowledged nothing in any connect try. Readout protection level 2 looks exactly
/// like a wiring fault from the probe (it closes the debug port, also under reset: stm32-targets.md §4.1, §6), so the
/// diagnosis weighs the evidence: the probe's voltage reading, which modes and frequencies were tried, and what this
/// slot saw of the board before (<see cref="PriorContact"/>).
/// </summary>
/// <remarks>
/// "Locked for good" (<see cref="FailureCode.ReadoutProtectedPermanently"/>) is said only when all of these hold: the
/// board is powered inside the recipe's window; the chip answered nothing under reset at every frequency of the recipe
/// (so firmware that takes the SWD pins or sleeps is ruled out); and this slot's earlier contact with the same board
/// left it at level 2. Otherwise the result is <see cref="FailureCode.NoSwdResponse"/> with level 2 ranked among the
/// causes by that evidence.
/// </remarks>
internal static class SilentTarget
{
    private const string Targets6 = "stm32-targets.md §6";
    private const string Targets41 = "stm32-targets.md §4.1";
    private const string Design5 = "DESIGN §5";

    private static readonly CultureInfo s_inv = CultureInfo.InvariantCulture;

    /// <summary>The diagnosis for a connect phase in which every try ended without an acknowledge.</summary>
    /// <param name="tries">Every try, in order (all ended in <see cref="TargetErrorKind.NoResponse"/>).</param>
    /// <param name="connect">The recipe's connect settings (which frequencies it allows).</param>
    /// <param name="voltage">The power phase's reading, or null when it was not taken.</param>
    /// <param name="window">The recipe's voltage window.</param>
    /// <param name="prior">What this slot saw of a board before, or null.</param>
    /// <param name="probe">The probe kind, which decides how pins are named.</param>
    public static Diagnosis Diagnose(IReadOnlyList<ConnectRecord> tries, ConnectSettings connect, TargetVoltage? voltage, VoltageWindow window, PriorContact? prior, ProbeKind probe)
    {
        var list = tries.Select(t => t.Try).ToList();
        var powered = voltage is { CanMeasure: true } v && window.Contains(v.Volts);
        var volts = voltage is { CanMeasure: true } r ? EvidenceFormat.Volts(r.Volts) : "not measured";
        var recipeKHz = new[] { connect.FrequencyKHz }.Concat(connect.FallbackKHz).Distinct().ToList();
        var underResetKHz = list.Where(t => t.Mode == ConnectMode.UnderReset).Select(t => t.FrequencyKHz).Distinct().ToList();
        var missingKHz = recipeKHz.Except(underResetKHz).ToList();
        var underResetEverywhere = underResetKHz.Count > 0 && missingKHz.Count == 0;
        var triesText = string.Join(", ", list.Select(t => t.ToString()));
        var sameBoard = prior is { SameBoard: true };
        var leftAtLevel2 = sameBoard && prior!.RdpLeft == RdpLevel.Level2;

        var evidence = new List<Evidence>
        {
            new("SWD acknowledge", "none", "OK"),
            new("Tries", triesText),
            new("Under reset at every recipe frequency", underResetEverywhere ? "yes" : MissingText(underResetKHz, missingKHz), "yes"),
            new("Target voltage", volts, EvidenceFormat.Volts(window.Min) + ".." + EvidenceFormat.Volts(window.Max), voltage is { CanMeasure: true } ? "V" : null),
            new("Earlier contact on this slot", PriorText(prior)),
        };

        if (leftAtLevel2 && powered && underResetEverywhere)
        {
            var who = prior!.Uid is { } uid ? $"{prior.Device ?? "the chip"} with UID {uid}" : prior.Device ?? "the chip";
            evidence.Add(new Evidence("RDP level left at", "2", "0 or 1"));
            return new Diagnosis(FailureCode.ReadoutProtectedPermanently, AttemptPhase.Connect,
                $"Chip is locked for good (RDP level 2): this board's chip ({who}) was left at readout protection level 2 by {prior.Source}, and now its debug port answers nothing — not in {list.Count} tries ({triesText}) — while the probe measures {volts} V on its VCC sense pin, inside the recipe's window. Level 2 disables the debug port permanently, also under reset, so the chip cannot be read or reprogrammed. Replace the chip or scrap the board.",
                evidence);
        }

        var causes = RankCauses(prior, powered, underResetEverywhere, volts, triesText);
        var check = probe == ProbeKind.StLinkV2
            ? "Check SWDIO (pin 7), SWCLK (pin 9) and GND, and wire NRST to pin 15 so the station can connect under reset."
            : "Check the SWDIO, SWCLK and GND wires, and wire NRST so the station can connect under reset.";
        var head = string.Create(s_inv, $"No answer on SWD: the chip did not acknowledge in {list.Count} {(list.Count == 1 ? "try" : "tries")} ({triesText}).");
        var level2 = sameBoard
            ? $" The same board answered on this slot before ({prior!.Source}){(prior.RdpLeft == RdpLevel.Level2 ? ", and was left at readout protection level 2" : string.Empty)}, so its wiring worked: readout protection level 2 set since then is the likely cause{(powered && underResetEverywhere ? string.Empty : ", but " + NotProven(powered, underResetKHz, missingKHz, volts))}."
            : " Readout protection level 2 would look the same, but nothing shows this board was locked: check the wiring first.";
        return new Diagnosis(FailureCode.NoSwdResponse, AttemptPhase.Connect, head + level2 + " " + check, evidence, causes);
    }

    private static List<CitedText> RankCauses(PriorContact? prior, bool powered, bool underResetEverywhere, string volts, string triesText)
    {
        var silent = $"no answer in any try ({triesText}) with {volts} V on the sense pin";
        var wiring = new CitedText("SWDIO, SWCLK or GND is not connected (pogo pin, cable, wrong connector orientation).", Targets6);
        var notFitted = new CitedText("The chip is not powered or not fitted, or it is damaged.", Targets6);
        var remap = new CitedText(underResetEverywhere
            ? "The firmware has turned the SWD pins off or sleeps — unlikely: connecting under reset, before any firmware runs, did not answer either."
            : "The firmware has turned the SWD pins off and NRST is not wired, so connecting under reset is impossible.", Targets6);
        if (prior is { SameBoard: true })
        {
            var level2 = new CitedText(prior.RdpLeft == RdpLevel.Level2
                ? $"Readout protection level 2, which closes the debug port for good: {prior.Source} left this board's chip at level 2; now {silent}{(powered && underResetEverywhere ? string.Empty : " (not proven: see the evidence)")}."
                : $"Readout protection level 2 set since {prior.Source} (by the firmware or another station), which closes the debug port for good: this board answered then, and now {silent}.", Targets41);
            var contact = new CitedText($"The board moved in the fixture since {prior.Source}, so a pogo pin lost contact.", Design5);
            return [level2, contact, notFitted, remap];
        }

        var level2Unproven = new CitedText($"Readout protection level 2 (an already-locked part: a returned or reworked board) closes the debug port for good; consistent with {silent}, but no earlier contact shows this board was locked.", Targets41);
        if (prior is not null)
        {
            // The probe and the fixture's wiring reached a chip before: the board is the likelier suspect.
            var boardSide = new CitedText($"This board's chip is not fitted, not soldered or damaged, or its SWD traces are open: the probe and fixture reached a chip before ({prior.Source}).", Design5);
            return [boardSide, wiring, level2Unproven, remap];
        }

        return [wiring, notFitted, remap, level2Unproven];
    }

    private static string PriorText(PriorContact? prior) => prior switch
    {
        null => "none known",
        _ => string.Create(s_inv, $"{prior.Source}: {(prior.SameBoard ? "same board" : "another or unknown board")}, {prior.Device ?? "device unknown"}, UID {prior.Uid ?? "unread"}, RDP level {(prior.RdpLeft is { } l ? ((int)l).ToString(s_inv) : "unknown")}"),
    };

    private static string MissingText(List<int> underResetKHz, List<int> missingKHz) =>
        underResetKHz.Count == 0
            ? "not tried"
            : string.Create(s_inv, $"not at {string.Join(", ", missingKHz)} kHz");

    private static string NotProven(bool powered, List<int> underResetKHz, List<int> missingKHz, string volts)
    {
        var gaps = new List<string>();
        if (!powered)
        {
            gaps.Add($"the target voltage ({volts}) is not inside the recipe's window");
        }

        if (underResetKHz.Count == 0)
        {
            gaps.Add("no connect under reset was tried");
        }
        else if (missingKHz.Count > 0)
        {
            gaps.Add(string.Create(s_inv, $"no connect under reset was tried at {string.Join(", ", missingKHz)} kHz"));
        }

        return "this is not proven: " + string.Join(" and ", gaps);
    }
}
