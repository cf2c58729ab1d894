using System.Globalization;
using ProdFlash.Emulator.Chips;

namespace ProdFlash.Emulator.Faults;

/// <summary>The phase of a programming run at which an <c>unplug</c> or <c>usb-timeout</c> fault fires.</summary>
public enum FaultPhase
{
    /// <summary>When the host enters SWD (DEBUG_ENTER <c>F2 30</c>): the command is not answered.</summary>
    Connect,

    /// <summary>When the chip has erased PERCENT of its main flash (0 = at the first erase).</summary>
    Erase,

    /// <summary>When the chip has programmed PERCENT of its main flash.</summary>
    Program,
}

/// <summary>The low-power mode a <c>low-power</c> fault's firmware enters, and so the DBGMCU_CR bit that keeps debug alive in it.</summary>
public enum LowPowerMode
{
    /// <summary>Stop mode: debug survives only with DBGMCU_CR.DBG_STOP (bit 1).</summary>
    Stop,

    /// <summary>Standby mode: debug survives only with DBGMCU_CR.DBG_STANDBY (bit 2).</summary>
    Standby,
}

/// <summary>When a phase fault (<c>unplug:PHASE:PERCENT</c>, <c>usb-timeout:PHASE:PERCENT</c>) fires.</summary>
/// <param name="Phase">The phase whose counter triggers it.</param>
/// <param name="Percent">The share of the flash (0–100) that must have been erased or programmed; ignored for <see cref="FaultPhase.Connect"/>.</param>
public sealed record PhaseTrigger(FaultPhase Phase, double Percent);

/// <summary>
/// The faults of one emulated slot, parsed from names: board and wire faults the emulator applies itself
/// (<c>no-vcc</c>, <c>low-vcc</c>, <c>no-ack</c>, <c>flaky-wait:RATE</c>, <c>unplug:PHASE:PERCENT</c>) and chip faults
/// passed to the chip model (<c>rdp1</c>, <c>rdp2</c>, <c>wrp:PAGES</c>, <c>stuck-bit:ADDRESS</c>).
/// </summary>
public sealed record FaultSet
{
    /// <summary>The voltage a <c>low-vcc</c> board presents: below the F103's 2.0 V minimum, yet the chip still answers.</summary>
    public const double LowVccVolts = 1.6;

    /// <summary>The seed of the <c>flaky-wait</c> generator, so a run is repeatable.</summary>
    public const int DefaultFlakySeed = 3748;

    /// <summary>The fault names the parser knows, with their argument syntax.</summary>
    public static IReadOnlyList<string> Syntax { get; } =
    [
        "no-vcc", "low-vcc", "no-ack", "swd-remapped (alias swd-remap)", "low-power[:stop|standby]", "flaky-wait:RATE", "flaky-parity:RATE", "unplug:connect|erase|program[:PERCENT]", "usb-timeout:connect|erase|program[:PERCENT]", "brownout:connect|erase|program[:PERCENT] (alias brown-out; brown-out:PERCENT = during program)",
        "rdp1", "rdp2", "wrp:PAGES (e.g. 0-3+8)", "stuck-bit:ADDRESS[:BIT[:0|1]] (e.g. 0x08000100:3:0)", "verify-mismatch", "ob-write-fail",
    ];

    /// <summary>No fault at all.</summary>
    public static FaultSet None { get; } = new();

    /// <summary>Target VCC not powered or not wired to the sense pin: 0 V, no SWD answer.</summary>
    public bool NoVcc { get; init; }

    /// <summary>Target VCC low (<see cref="LowVccVolts"/>); the chip still answers.</summary>
    public bool LowVcc { get; init; }

    /// <summary>Good voltage, but no ACK at all on SWD.</summary>
    public bool NoAck { get; init; }

    /// <summary>
    /// The firmware remaps the SWD pins (F1: AFIO_MAPR SWJ_CFG = 100): the DP answers only while NRST is held low,
    /// or after a debugger attached under reset (it then holds the core, so the firmware never runs).
    /// </summary>
    public bool SwdRemapped { get; init; }

    /// <summary>
    /// The firmware puts the core in a low-power mode soon after reset (reference §6 "Low-power modes cut debug"): the
    /// DP answers, but every memory access through the AHB-AP is answered WAIT (a WAIT storm) unless DBGMCU_CR keeps
    /// the debug clocks on in that mode (<see cref="LowPowerMode.Stop"/>: DBG_STOP, <see cref="LowPowerMode.Standby"/>:
    /// DBG_STANDBY) or a debugger attached under reset. Null for none.
    /// </summary>
    public LowPowerMode? LowPower { get; init; }

    /// <summary>Share (0–1) of bus accesses answered with WAIT once more; 0 for none.</summary>
    public double FlakyWaitRate { get; init; }

    /// <summary>Share (0–1) of SWD read data phases that arrive with a wrong parity bit; 0 for none. Applied by the probe.</summary>
    public double FlakyParityRate { get; init; }

    /// <summary>The unplug fault, if any: the probe vanishes and every transaction after it fails as disconnected.</summary>
    public PhaseTrigger? Unplug { get; init; }

    /// <summary>
    /// The USB-timeout fault, if any: the probe firmware hangs; from then on no transaction is answered (the host's
    /// read times out) but the probe stays enumerated.
    /// </summary>
    public PhaseTrigger? UsbTimeout { get; init; }

    /// <summary>
    /// The brown-out fault, if any: the board loses power at the phase and stays off (0 V on the sense pin, no SWD
    /// answer); the probe itself stays healthy.
    /// </summary>
    public PhaseTrigger? Brownout { get; init; }

    /// <summary>Faults for the chip model.</summary>
    public ChipFaults Chip { get; init; } = ChipFaults.None;

    /// <summary>Whether any board or wire fault wraps the target.</summary>
    public bool HasBoardFault => NoVcc || LowVcc || NoAck || SwdRemapped || LowPower is not null || FlakyWaitRate > 0 || Brownout is not null;

    /// <summary>Parses a comma-separated list (the <c>?faults=</c> part of an emulator selector).</summary>
    /// <exception cref="EmulatorConfigurationException">A name or argument is wrong.</exception>
    public static FaultSet ParseList(string? list) =>
        Parse(string.IsNullOrWhiteSpace(list) ? [] : list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));

    /// <summary>Parses fault names, one per item (the <c>--fault</c> options).</summary>
    /// <exception cref="EmulatorConfigurationException">A name or argument is wrong.</exception>
    public static FaultSet Parse(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var set = new FaultSet();
        var rdp1 = false;
        var rdp2 = false;
        var pages = new SortedSet<int>();
        var stuckBits = new List<StuckBit>();
        var verifyMismatch = false;
        var obWriteFail = false;
        foreach (var raw in names)
        {
            var name = raw.Trim();
            var parts = name.Split(':');
            var key = parts[0].ToLowerInvariant();
            switch (key)
            {
                case "no-vcc":
                    NoArguments(name, parts);
                    set = set with { NoVcc = true };
                    break;
                case "low-vcc":
                    NoArguments(name, parts);
                    set = set with { LowVcc = true };
                    break;
                case "no-ack":
                    NoArguments(name, parts);
                    set = set with { NoAck = true };
                    break;
                case "swd-remapped":
                case "swd-remap": // the first name of the fault, kept as an alias
                    NoArguments(name, parts);
                    set = set with { SwdRemapped = true };
                    break;
                case "low-power":
                    set = set with { LowPower = ParseLowPower(name, parts) };
                    break;
                case "flaky-wait":
                    set = set with { FlakyWaitRate = ParseRate(name, parts) };
                    break;
                case "flaky-parity":
                    set = set with { FlakyParityRate = ParseRate(name, parts) };
                    break;
                case "unplug":
                    set = set with { Unplug = ParsePhase(name, parts) };
                    break;
                case "usb-timeout":
                    set = set with { UsbTimeout = ParsePhase(name, parts) };
                    break;
                case "brownout":
                case "brown-out": // issue 4's spelling; 'brown-out:PERCENT' alone means mid-program
                    set = set with { Brownout = ParseBrownout(name, parts) };
                    break;
                case "verify-mismatch":
                    NoArguments(name, parts);
                    verifyMismatch = true;
                    break;
                case "ob-write-fail":
                    NoArguments(name, parts);
                    obWriteFail = true;
                    break;
                case "rdp1":
                    NoArguments(name, parts);
                    rdp1 = true;
                    break;
                case "rdp2":
                    NoArguments(name, parts);
                    rdp2 = true;
                    break;
                case "wrp":
                    pages.UnionWith(ParsePages(name, parts));
                    break;
                case "stuck-bit":
                    stuckBits.Add(ParseStuckBit(name, parts));
                    break;
                default:
                    throw new EmulatorConfigurationException(
                        $"Unknown fault '{name}'. Known faults: {string.Join(", ", Syntax)}.");
            }
        }

        if (set.NoVcc && set.LowVcc)
        {
            throw new EmulatorConfigurationException("Faults 'no-vcc' and 'low-vcc' contradict each other; give one of them.");
        }

        return set with { Chip = new ChipFaults(rdp1, rdp2, pages, stuckBits, verifyMismatch, obWriteFail) };
    }

    private static PhaseTrigger ParseBrownout(string name, string[] parts)
    {
        if (parts.Length == 2 && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var percent))
        {
            if (percent is < 0 or > 100)
            {
                throw new EmulatorConfigurationException($"Fault '{name}' has a bad percentage '{parts[1]}'; write e.g. 'brown-out:50' (0 to 100).");
            }

            return new PhaseTrigger(FaultPhase.Program, percent);
        }

        return ParsePhase(name, parts);
    }

    private static void NoArguments(string name, string[] parts)
    {
        if (parts.Length != 1)
        {
            throw new EmulatorConfigurationException($"Fault '{name}' takes no argument; write just '{parts[0]}'.");
        }
    }

    private static LowPowerMode ParseLowPower(string name, string[] parts)
    {
        if (parts.Length == 1)
        {
            return LowPowerMode.Stop;
        }

        return parts.Length == 2
            ? parts[1].ToLowerInvariant() switch
            {
                "stop" => LowPowerMode.Stop,
                "standby" => LowPowerMode.Standby,
                _ => throw new EmulatorConfigurationException($"Fault '{name}' names an unknown mode '{parts[1]}'; write 'low-power', 'low-power:stop' or 'low-power:standby'."),
            }
            : throw new EmulatorConfigurationException($"Fault '{name}' takes at most one argument; write 'low-power', 'low-power:stop' or 'low-power:standby'.");
    }

    private static double ParseRate(string name, string[] parts)
    {
        if (parts.Length != 2
            || !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var rate)
            || !(rate > 0 && rate <= 1))
        {
            throw new EmulatorConfigurationException(
                $"Fault '{name}' needs a rate above 0 and at most 1, e.g. '{parts[0]}:0.05'.");
        }

        return rate;
    }

    private static PhaseTrigger ParsePhase(string name, string[] parts)
    {
        var usage = $"write '{parts[0]}:connect', '{parts[0]}:erase:PERCENT' or '{parts[0]}:program:PERCENT' with PERCENT from 0 to 100";
        if (parts.Length is < 2 or > 3)
        {
            throw new EmulatorConfigurationException($"Fault '{name}' is incomplete; {usage}.");
        }

        FaultPhase phase = parts[1].ToLowerInvariant() switch
        {
            "connect" => FaultPhase.Connect,
            "erase" => FaultPhase.Erase,
            "program" => FaultPhase.Program,
            _ => throw new EmulatorConfigurationException($"Fault '{name}' names an unknown phase '{parts[1]}'; {usage}."),
        };
        var percent = 0.0;
        if (parts.Length == 3
            && (!double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out percent) || percent is < 0 or > 100))
        {
            throw new EmulatorConfigurationException($"Fault '{name}' has a bad percentage '{parts[2]}'; {usage}.");
        }

        return new PhaseTrigger(phase, percent);
    }

    private static List<int> ParsePages(string name, string[] parts)
    {
        const string usage = "write pages as numbers and ranges joined by '+', e.g. 'wrp:0-3+8'";
        if (parts.Length != 2 || parts[1].Length == 0)
        {
            throw new EmulatorConfigurationException($"Fault '{name}' needs the pages; {usage}.");
        }

        var pages = new List<int>();
        foreach (var item in parts[1].Split('+'))
        {
            var range = item.Split('-');
            if (range.Length is < 1 or > 2
                || !int.TryParse(range[0], NumberStyles.None, CultureInfo.InvariantCulture, out var first)
                || !int.TryParse(range[^1], NumberStyles.None, CultureInfo.InvariantCulture, out var last)
                || last < first)
            {
                throw new EmulatorConfigurationException($"Fault '{name}' has a bad page list '{item}'; {usage}.");
            }

            for (var page = first; page <= last; page++)
            {
                pages.Add(page);
            }
        }

        return pages;
    }

    private static StuckBit ParseStuckBit(string name, string[] parts)
    {
        // stuck-bit:ADDRESS[:BIT[:VALUE]]; by default bit 0 is stuck at 0 (a cell that no longer erases).
        const string usage = "write 'stuck-bit:ADDRESS[:BIT[:0|1]]' with a hex flash address, e.g. 'stuck-bit:0x08000100:3:0'";
        var text = parts.Length >= 2 ? parts[1] : string.Empty;
        var hex = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        var bit = 0;
        var value = 0;
        if (parts.Length is < 2 or > 4
            || !uint.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var address)
            || (parts.Length >= 3 && (!int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out bit) || bit > 7))
            || (parts.Length == 4 && (!int.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out value) || value > 1)))
        {
            throw new EmulatorConfigurationException($"Fault '{name}' is malformed; {usage}.");
        }

        return new StuckBit(address, bit, value == 1);
    }
}
