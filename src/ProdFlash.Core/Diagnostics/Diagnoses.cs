using System.Globalization;

using ProdFlash.Core.Recipes;

namespace ProdFlash.Core.Diagnostics;

/// <summary>
/// Factories that turn measurements into a <see cref="Diagnosis"/> whose summary names the measured values, what was
/// expected and what to do first. All numbers are formatted culture-invariantly.
/// </summary>
public static class Diagnoses
{
    /// <summary>Pin numbers on the 20-pin ST-LINK/V2 JTAG/SWD connector (stm32-targets.md §6).</summary>
    private const int StLinkV2VccPin = 1;
    private const int StLinkV2SwdioPin = 7;
    private const int StLinkV2SwclkPin = 9;
    private const int StLinkV2NrstPin = 15;

    /// <summary>The placeholder serial of old ST-LINK firmware, hex of ASCII "000000000001" (stlink-protocol.md §6.2).</summary>
    public const string PlaceholderSerial = "303030303030303030303031";

    /// <summary>Length of a well-formed ST-LINK serial string descriptor: 2 header bytes + 24 UTF-16 code units (stlink-protocol.md §6.1).</summary>
    public const int SerialDescriptorLength = 50;

    /// <summary>Length of the binary serial descriptor of old ST-LINK/V2 firmware: 12 raw bytes (stlink-protocol.md §6.1).</summary>
    public const int BinarySerialDescriptorLength = 26;

    private static readonly CultureInfo s_inv = CultureInfo.InvariantCulture;

    /// <summary>No attached probe matches the slot's selector.</summary>
    /// <param name="selector">The slot's probe selector URI.</param>
    /// <param name="attachedCount">How many probes are attached at all.</param>
    public static Diagnosis ProbeNotFound(string selector, int attachedCount)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(selector);
        var attached = attachedCount switch
        {
            0 => "no probe is attached to this PC",
            1 => "1 other probe is attached",
            _ => string.Create(s_inv, $"{attachedCount} other probes are attached"),
        };
        return new(FailureCode.ProbeNotFound, AttemptPhase.Probe,
            $"Probe not found: no probe matches the slot's selector {selector}; {attached}. Check the probe's USB cable, and run 'prodflash probes' to see which probes are attached.",
            [new Evidence("Probe selector", selector), new Evidence("Probes attached", EvidenceFormat.Int(attachedCount))]);
    }

    /// <summary>The probe stopped answering during <paramref name="phase"/>.</summary>
    /// <param name="probe">The probe's serial or selector.</param>
    /// <param name="phase">The phase that was running.</param>
    /// <param name="detail">What the transport reported ("USB device removed", "connection reset by stlink-server").</param>
    public static Diagnosis ProbeDisconnected(string probe, AttemptPhase phase, string detail)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(probe);
        ArgumentException.ThrowIfNullOrWhiteSpace(detail);
        return new(FailureCode.ProbeDisconnected, phase,
            $"Probe disconnected: probe {probe} went away during the {EvidenceFormat.PhaseName(phase)} phase ({detail}). Re-seat its USB cable and press Start again.",
            [new Evidence("Probe", probe), new Evidence("Transport", detail)]);
    }

    /// <summary>Two or more attached probes report the same serial.</summary>
    /// <param name="serial">The shared serial (24 hex characters).</param>
    /// <param name="usbPorts">USB port paths of the probes that report it.</param>
    public static Diagnosis ProbeDuplicateSerial(string serial, IReadOnlyList<string> usbPorts)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serial);
        ArgumentNullException.ThrowIfNull(usbPorts);
        var ports = EvidenceFormat.List(usbPorts, "and");
        return new(FailureCode.ProbeDuplicateSerial, AttemptPhase.Probe,
            $"Two probes share one serial number: {EvidenceFormat.Int(usbPorts.Count)} probes report serial {serial} (USB ports {ports}). Name these probes by USB port (stlink://usb?port=...) instead of by serial, or replace them with genuine ST-LINK probes.",
            [new Evidence("Probe serial", serial), new Evidence("Probes with this serial", EvidenceFormat.Int(usbPorts.Count), "1"), new Evidence("USB ports", ports)]);
    }

    /// <summary>The probe shows one or more clone signals (stlink-protocol.md §6).</summary>
    /// <param name="serial">The serial as the station shows it (hex-converted where binary).</param>
    /// <param name="signals">The signals seen; at least one.</param>
    /// <param name="serialDescriptorLength">The raw serial string descriptor's bLength, when read.</param>
    public static Diagnosis ProbeSuspectClone(string serial, CloneProbeSignals signals, int? serialDescriptorLength = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serial);
        if (signals == CloneProbeSignals.None)
        {
            throw new ArgumentException("A suspect-clone diagnosis needs at least one signal.", nameof(signals));
        }

        var phrases = new List<string>();
        var evidence = new List<Evidence> { new("Probe serial", serial) };
        var length = serialDescriptorLength ?? BinarySerialDescriptorLength;
        if (signals.HasFlag(CloneProbeSignals.BinarySerial))
        {
            phrases.Add(string.Create(s_inv, $"has a {length}-byte binary serial descriptor where a well-formed one is {SerialDescriptorLength} bytes (24 hex characters)"));
            evidence.Add(new Evidence("Serial descriptor length", EvidenceFormat.Int(length), EvidenceFormat.Int(SerialDescriptorLength), "bytes"));
        }

        if (signals.HasFlag(CloneProbeSignals.MalformedSerial))
        {
            phrases.Add(serialDescriptorLength is { } odd
                ? string.Create(s_inv, $"has a {odd}-byte serial descriptor where a well-formed one is {SerialDescriptorLength} bytes")
                : "has a serial descriptor of an odd length");
            evidence.Add(new Evidence("Serial descriptor length", serialDescriptorLength is { } o ? EvidenceFormat.Int(o) : "odd", EvidenceFormat.Int(SerialDescriptorLength), "bytes"));
        }

        if (signals.HasFlag(CloneProbeSignals.PlaceholderSerial))
        {
            phrases.Add($"reports the placeholder serial {PlaceholderSerial} (\"000000000001\")");
            evidence.Add(new Evidence("Placeholder serial", "yes", "no"));
        }

        if (signals.HasFlag(CloneProbeSignals.DuplicateSerial))
        {
            phrases.Add("shares its serial with another attached probe");
            evidence.Add(new Evidence("Serial unique", "no", "yes"));
        }

        var onlyBinary = signals == CloneProbeSignals.BinarySerial
            ? " Genuine ST-LINK/V2 probes with old firmware also send a binary serial, so try ST's firmware upgrade first: it fails on clones."
            : string.Empty;
        return new(FailureCode.ProbeSuspectClone, AttemptPhase.Probe,
            $"Probe looks like a clone: probe {serial} {EvidenceFormat.List(phrases, "and")}.{onlyBinary} Replace the probe with a genuine ST-LINK if it is one.",
            evidence);
    }

    /// <summary>The probe firmware lacks a command the attempt needs (stlink-protocol.md §4.3).</summary>
    /// <param name="version">The probe's firmware version ("V2J22S4").</param>
    /// <param name="minimum">The oldest version that has the feature ("V2J24").</param>
    /// <param name="feature">What needs it ("direct DAP register access").</param>
    public static Diagnosis ProbeFirmwareTooOld(string version, string minimum, string feature)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        ArgumentException.ThrowIfNullOrWhiteSpace(minimum);
        ArgumentException.ThrowIfNullOrWhiteSpace(feature);
        return new(FailureCode.ProbeFirmwareTooOld, AttemptPhase.Probe,
            $"Probe firmware too old: the probe runs {version}, but {feature} needs {minimum} or later. Upgrade the probe firmware with ST's ST-LINK upgrade tool.",
            [new Evidence("Probe firmware", version, minimum + " or later")]);
    }

    /// <summary>The probe measures (about) 0 V on its VCC sense pin (stm32-targets.md §6).</summary>
    /// <param name="volts">The measured target voltage.</param>
    /// <param name="probe">The probe kind, which decides how the sense pin is named.</param>
    public static Diagnosis TargetNotPowered(double volts, ProbeKind probe)
    {
        var (where, wire) = SensePin(probe);
        return new(FailureCode.TargetNotPowered, AttemptPhase.Power,
            $"Target not powered: the probe measures {EvidenceFormat.Volts(volts)} V on its VCC sense pin{where}. Check that the board is powered and that {wire} is wired to the board's 3.3 V.",
            [new Evidence("Target voltage", EvidenceFormat.Volts(volts), "> 0", "V")]);
    }

    /// <summary>The probe's voltage ADC returns 0 for both channels, so it cannot measure (stlink-protocol.md §6.6).</summary>
    /// <param name="probe">The probe kind.</param>
    /// <param name="adcReference">The reference-channel reading (0 on a broken ADC).</param>
    /// <param name="adcTarget">The target-channel reading (0 on a broken ADC).</param>
    public static Diagnosis ProbeCannotMeasureVoltage(ProbeKind probe, uint adcReference, uint adcTarget)
    {
        var (where, _) = SensePin(probe);
        return new(FailureCode.ProbeCannotMeasureVoltage, AttemptPhase.Power,
            string.Create(s_inv, $"Probe cannot measure target voltage: its voltage ADC returns {adcReference} for the reference and {adcTarget} for the VCC sense pin{where}, so it cannot tell whether the board is powered. Replace the probe."),
            [new Evidence("ADC reference reading", EvidenceFormat.Int(adcReference), "> 0"), new Evidence("ADC target reading", EvidenceFormat.Int(adcTarget))]);
    }

    /// <summary>The target voltage lies outside the recipe window.</summary>
    /// <param name="volts">The measured voltage.</param>
    /// <param name="minimum">The recipe's lowest allowed voltage.</param>
    /// <param name="maximum">The recipe's highest allowed voltage.</param>
    /// <param name="probe">The probe kind.</param>
    public static Diagnosis TargetVoltageOutOfRange(double volts, double minimum, double maximum, ProbeKind probe)
    {
        var (where, wire) = SensePin(probe);
        var side = volts < minimum ? "below" : "above";
        var window = EvidenceFormat.Volts(minimum) + ".." + EvidenceFormat.Volts(maximum);
        return new(FailureCode.TargetVoltageOutOfRange, AttemptPhase.Power,
            $"Target voltage out of range: the probe measures {EvidenceFormat.Volts(volts)} V on its VCC sense pin{where}, {side} the recipe's window of {EvidenceFormat.Volts(minimum)} V to {EvidenceFormat.Volts(maximum)} V. Check the board's supply with a meter and check {wire}.",
            [new Evidence("Target voltage", EvidenceFormat.Volts(volts), window, "V")]);
    }

    /// <summary>No SWD acknowledge in any try (stm32-targets.md §6).</summary>
    /// <param name="tries">The mode and frequency of every try, in order; at least one.</param>
    /// <param name="probe">The probe kind, which decides how pins are named.</param>
    public static Diagnosis NoSwdResponse(IReadOnlyList<ConnectTry> tries, ProbeKind probe)
    {
        ArgumentNullException.ThrowIfNull(tries);
        ArgumentOutOfRangeException.ThrowIfZero(tries.Count);
        var list = string.Join(", ", tries.Select(t => t.ToString()));
        var check = probe == ProbeKind.StLinkV2
            ? string.Create(s_inv, $"Check SWDIO (pin {StLinkV2SwdioPin}), SWCLK (pin {StLinkV2SwclkPin}) and GND, and wire NRST to pin {StLinkV2NrstPin} so the station can connect under reset.")
            : "Check the SWDIO, SWCLK and GND wires, and wire NRST so the station can connect under reset.";
        return new(FailureCode.NoSwdResponse, AttemptPhase.Connect,
            string.Create(s_inv, $"No answer on SWD: the chip did not acknowledge in {tries.Count} {(tries.Count == 1 ? "try" : "tries")} ({list}). {check}"),
            [new Evidence("SWD acknowledge", "none", "OK"), new Evidence("Tries", list)]);
    }

    /// <summary>SWD answers with parity errors or FAULT at a rate that makes the link unreliable.</summary>
    /// <param name="transfers">Transfers attempted.</param>
    /// <param name="parityErrors">Transfers with a parity error.</param>
    /// <param name="faults">FAULT answers.</param>
    /// <param name="frequencyKHz">The SWD frequency used.</param>
    public static Diagnosis SwdUnstable(int transfers, int parityErrors, int faults, int frequencyKHz)
    {
        return new(FailureCode.SwdUnstable, AttemptPhase.Connect,
            string.Create(s_inv, $"SWD connection unstable: {parityErrors} parity errors and {faults} FAULT answers in {transfers} transfers at {frequencyKHz} kHz. Lower the SWD frequency in the recipe, and check the SWD wires and GND."),
            [
                new Evidence("Parity errors", EvidenceFormat.Int(parityErrors), "0"),
                new Evidence("FAULT answers", EvidenceFormat.Int(faults), "0"),
                new Evidence("Transfers", EvidenceFormat.Int(transfers)),
                new Evidence("SWD frequency", EvidenceFormat.Int(frequencyKHz), null, "kHz"),
            ]);
    }

    /// <summary>
    /// A WAIT storm: the chip answers WAIT to (nearly) every request, or answers only under reset — it sleeps or its
    /// firmware has turned the SWD pins off (stm32-targets.md §6).
    /// </summary>
    /// <param name="waitAnswers">WAIT answers counted.</param>
    /// <param name="requests">Requests sent.</param>
    /// <param name="mode">The connect mode of those requests.</param>
    /// <param name="underResetTried">Whether a connect under reset was also tried and failed.</param>
    public static Diagnosis TargetLowPowerOrPinsRemapped(int waitAnswers, int requests, ConnectMode mode, bool underResetTried)
    {
        var nrst = string.Create(s_inv, $"NRST wired to probe pin {StLinkV2NrstPin}");
        var next = underResetTried
            ? $"Connecting under reset did not help either, so NRST is probably not wired or is held low: check {nrst} and any pull-down on NRST."
            : $"Connect under reset: set the recipe's connect mode to under-reset, with {nrst}.";
        return new(FailureCode.TargetLowPowerOrPinsRemapped, AttemptPhase.Connect,
            string.Create(s_inv, $"Target asleep or SWD pins taken by firmware: the chip answered WAIT to {waitAnswers} of {requests} requests ({ConnectTry.ModeName(mode)} connect), so its firmware sleeps or has turned the SWD pins off. {next}"),
            [
                new Evidence("WAIT answers", EvidenceFormat.Int(waitAnswers), "0"),
                new Evidence("Requests", EvidenceFormat.Int(requests)),
                new Evidence("Connected under reset", underResetTried ? "failed" : "not tried"),
            ]);
    }

    /// <summary>The chip is not one of the recipe's expected devices.</summary>
    /// <param name="found">The device the catalog names for the chip ("STM32F103xB").</param>
    /// <param name="dbgmcuIdcode">The DBGMCU_IDCODE read.</param>
    /// <param name="flashKiB">The flash size read, in KiB.</param>
    /// <param name="expected">The recipe's expected devices.</param>
    public static Diagnosis WrongDevice(string found, uint dbgmcuIdcode, int flashKiB, IReadOnlyList<string> expected)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(found);
        ArgumentNullException.ThrowIfNull(expected);
        var devId = dbgmcuIdcode & 0xFFF;
        var wanted = EvidenceFormat.List(expected, "or");
        return new(FailureCode.WrongDevice, AttemptPhase.Identify,
            string.Create(s_inv, $"Wrong chip on the board: found {found} (DEV_ID 0x{devId:X3}, {flashKiB} KiB flash), the recipe expects {wanted}. Check the chip marking against the bill of materials and that the right recipe is selected."),
            [
                new Evidence("Device", found, wanted),
                new Evidence("DBGMCU_IDCODE", EvidenceFormat.Hex32(dbgmcuIdcode)),
                new Evidence("Flash size", EvidenceFormat.Int(flashKiB), null, "KiB"),
            ]);
    }

    /// <summary>
    /// The chip identifies as <paramref name="device"/> but its debug identity differs from a genuine part
    /// (stm32-targets.md §5.3). Build <paramref name="mismatches"/> with <see cref="GenuinenessCheck.Mismatches"/>.
    /// </summary>
    /// <param name="device">The device the chip claims to be ("STM32F103").</param>
    /// <param name="dbgmcuIdcode">The DBGMCU_IDCODE read (which clones copy).</param>
    /// <param name="mismatches">The differing values, each with the genuine value as expected; at least one.</param>
    public static Diagnosis CounterfeitDevice(string device, uint dbgmcuIdcode, IReadOnlyList<Evidence> mismatches)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(device);
        ArgumentNullException.ThrowIfNull(mismatches);
        ArgumentOutOfRangeException.ThrowIfZero(mismatches.Count);
        var parts = mismatches.Select((m, i) => $"{m.Name} {m.Measured}, genuine {(i == 0 ? device + " " : string.Empty)}has {m.Expected ?? "another value"}");
        var evidence = new List<Evidence> { new("DBGMCU_IDCODE", EvidenceFormat.Hex32(dbgmcuIdcode)) };
        evidence.AddRange(mismatches);
        return new(FailureCode.CounterfeitDevice, AttemptPhase.Identify,
            string.Create(s_inv, $"Counterfeit or clone chip: it reports itself as {device} (DEV_ID 0x{dbgmcuIdcode & 0xFFF:X3}) but {string.Join("; ", parts)}. Quarantine the board and report the lot to purchasing."),
            evidence);
    }

    /// <summary>The flash-size register disagrees with the expected part.</summary>
    /// <param name="part">The expected part.</param>
    /// <param name="measuredKiB">The flash size read, in KiB.</param>
    /// <param name="expectedKiB">The part's flash size, in KiB.</param>
    public static Diagnosis FlashSizeMismatch(string part, int measuredKiB, int expectedKiB)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(part);
        return new(FailureCode.FlashSizeMismatch, AttemptPhase.Identify,
            string.Create(s_inv, $"Flash size does not match the part: the chip reports {measuredKiB} KiB of flash, {part} has {expectedKiB} KiB. Check the chip marking against the bill of materials."),
            [new Evidence("Flash size", EvidenceFormat.Int(measuredKiB), EvidenceFormat.Int(expectedKiB), "KiB")]);
    }

    /// <summary>RDP level 1 is set (stm32-targets.md §4.1, §6).</summary>
    /// <param name="rdpByte">The RDP option byte read.</param>
    /// <param name="level0Byte">The value that means level 0 on this family (F1 0xA5, others 0xAA).</param>
    /// <param name="regressionAllowed">
    /// Whether the recipe allows regression. When true this diagnosis means the regression was tried and level 1
    /// is still set.
    /// </param>
    public static Diagnosis ReadoutProtected(byte rdpByte, byte level0Byte, bool regressionAllowed)
    {
        var head = string.Create(s_inv, $"Chip is read-protected (RDP level 1): option byte RDP reads 0x{rdpByte:X2}, level 0 is 0x{level0Byte:X2}.");
        var tail = regressionAllowed
            ? " The recipe allows removing it by mass erase, but level 1 was still set after the erase. Power-cycle the board so the option bytes reload, and press Start again."
            : " The recipe does not allow removing it, because removal mass-erases the whole chip. Ask an engineer to allow RDP regression in the recipe if this board may be erased.";
        return new(FailureCode.ReadoutProtected, AttemptPhase.OptionBytes, head + tail,
            [new Evidence("RDP option byte", EvidenceFormat.Hex(rdpByte, 2), EvidenceFormat.Hex(level0Byte, 2)), new Evidence("RDP regression allowed", regressionAllowed ? "yes" : "no")]);
    }

    /// <summary>RDP level 2 is set; the chip cannot be reprogrammed (stm32-targets.md §6).</summary>
    /// <param name="rdpByte">The RDP option byte read (0xCC).</param>
    public static Diagnosis ReadoutProtectedPermanently(byte rdpByte)
    {
        return new(FailureCode.ReadoutProtectedPermanently, AttemptPhase.OptionBytes,
            string.Create(s_inv, $"Chip is locked for good (RDP level 2): option byte RDP reads 0x{rdpByte:X2}. Level 2 disables the debug port permanently, also under reset. The chip cannot be reprogrammed; replace the chip or scrap the board."),
            [new Evidence("RDP option byte", EvidenceFormat.Hex(rdpByte, 2), "not 0xCC")]);
    }

    /// <summary>Pages the image needs are write-protected.</summary>
    /// <param name="protectedUnits">Numbers of the protected pages/sectors that the image touches; at least one.</param>
    /// <param name="removalAllowed">Whether the recipe allows lifting write protection (then removal was tried and failed).</param>
    public static Diagnosis WriteProtected(IReadOnlyList<int> protectedUnits, bool removalAllowed)
    {
        ArgumentNullException.ThrowIfNull(protectedUnits);
        ArgumentOutOfRangeException.ThrowIfZero(protectedUnits.Count);
        var units = EvidenceFormat.List([.. protectedUnits.Select(u => EvidenceFormat.Int(u))], "and");
        var tail = removalAllowed
            ? " The recipe allows removing the protection, but the pages were still protected after the option-byte reload. Power-cycle the board and press Start again."
            : " The recipe does not allow removing write protection. Ask an engineer to allow it in the recipe if this board may be reprogrammed.";
        return new(FailureCode.WriteProtected, AttemptPhase.OptionBytes,
            string.Create(s_inv, $"Flash is write-protected: {(protectedUnits.Count == 1 ? "page" : "pages")} {units} that the image needs {(protectedUnits.Count == 1 ? "is" : "are")} write-protected.{tail}"),
            [new Evidence("Write-protected pages the image needs", units, "none"), new Evidence("Removal allowed", removalAllowed ? "yes" : "no")]);
    }

    /// <summary>The option bytes differ from the recipe; each evidence item names a field, its value and the expected value.</summary>
    /// <param name="differences">The differing fields; at least one.</param>
    public static Diagnosis OptionBytesMismatch(IReadOnlyList<Evidence> differences)
    {
        ArgumentNullException.ThrowIfNull(differences);
        ArgumentOutOfRangeException.ThrowIfZero(differences.Count);
        var parts = string.Join("; ", differences.Select(d => $"{d.Name} is {d.Measured}, the recipe expects {d.Expected ?? "another value"}"));
        return new(FailureCode.OptionBytesMismatch, AttemptPhase.OptionBytes,
            $"Option bytes differ from the recipe: {parts}. Let the recipe program them at the end, or ask an engineer to correct the recipe.",
            differences);
    }

    /// <summary>The flash controller reported an error or did not finish an erase.</summary>
    /// <param name="address">Start address of the page/sector (or the flash base for a mass erase).</param>
    /// <param name="controllerStatus">The error flags set in the flash status register ("WRPRTERR"), or "busy" for a timeout.</param>
    /// <param name="statusRegister">The flash status register value read.</param>
    public static Diagnosis EraseFailed(uint address, string controllerStatus, uint statusRegister)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(controllerStatus);
        return new(FailureCode.EraseFailed, AttemptPhase.Erase,
            $"Erase failed: the flash controller reported {controllerStatus} (status register {EvidenceFormat.Hex32(statusRegister)}) while erasing at {EvidenceFormat.Hex32(address)}. Check the board's supply and press Start again; if it fails again on this board, scrap the chip.",
            [new Evidence("Address", EvidenceFormat.Hex32(address)), new Evidence("Flash status", EvidenceFormat.Hex32(statusRegister), "no error flags")]);
    }

    /// <summary>The flash controller reported an error while programming.</summary>
    /// <param name="address">The address being programmed.</param>
    /// <param name="controllerStatus">The error flags set ("PGERR").</param>
    /// <param name="statusRegister">The flash status register value read.</param>
    public static Diagnosis ProgramFailed(uint address, string controllerStatus, uint statusRegister)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(controllerStatus);
        return new(FailureCode.ProgramFailed, AttemptPhase.Program,
            $"Programming failed: the flash controller reported {controllerStatus} (status register {EvidenceFormat.Hex32(statusRegister)}) at {EvidenceFormat.Hex32(address)}. Press Start again; if it fails again on this board, check its supply and the chip's genuineness.",
            [new Evidence("Address", EvidenceFormat.Hex32(address)), new Evidence("Flash status", EvidenceFormat.Hex32(statusRegister), "no error flags")]);
    }

    /// <summary>The flash read back differs from the image.</summary>
    /// <param name="address">The first differing address.</param>
    /// <param name="expected">The image byte there.</param>
    /// <param name="actual">The byte read back.</param>
    /// <param name="differingBytes">How many bytes differ in total.</param>
    public static Diagnosis VerifyMismatch(uint address, byte expected, byte actual, long differingBytes)
    {
        return new(FailureCode.VerifyMismatch, AttemptPhase.Verify,
            string.Create(s_inv, $"Read-back differs from the image: at {EvidenceFormat.Hex32(address)} the chip holds 0x{actual:X2}, the image has 0x{expected:X2} ({differingBytes} {(differingBytes == 1 ? "byte differs" : "bytes differ")} in total). Press Start again; if the same address fails again, scrap the chip."),
            [
                new Evidence("First differing address", EvidenceFormat.Hex32(address)),
                new Evidence("Byte read back", EvidenceFormat.Hex(actual, 2), EvidenceFormat.Hex(expected, 2)),
                new Evidence("Differing bytes", EvidenceFormat.Int(differingBytes), "0"),
            ]);
    }

    /// <summary>The serial record could not be written or read back differently.</summary>
    /// <param name="serial">The serial's text form.</param>
    /// <param name="address">The record's address.</param>
    /// <param name="reason">What went wrong ("read back 0xFF at 0x0800FC04, expected 0x50").</param>
    public static Diagnosis SerialWriteFailed(string serial, uint address, string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serial);
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        return new(FailureCode.SerialWriteFailed, AttemptPhase.Serialize,
            $"Serial number could not be written: serial {serial} at {EvidenceFormat.Hex32(address)}: {reason}. Press Start again; this serial number is voided and a new one is issued.",
            [new Evidence("Serial", serial), new Evidence("Address", EvidenceFormat.Hex32(address)), new Evidence("Failure", reason)]);
    }

    /// <summary>The final option bytes did not read back as written.</summary>
    /// <param name="register">The register read back ("OBR", "OPTR").</param>
    /// <param name="expected">The value that should have loaded.</param>
    /// <param name="actual">The value read back.</param>
    public static Diagnosis OptionBytesWriteFailed(string register, uint expected, uint actual)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(register);
        return new(FailureCode.OptionBytesWriteFailed, AttemptPhase.Finalize,
            $"Final option bytes could not be written: {register} reads {EvidenceFormat.Hex32(actual)} after the write, expected {EvidenceFormat.Hex32(expected)}. Power-cycle the board and press Start again.",
            [new Evidence(register, EvidenceFormat.Hex32(actual), EvidenceFormat.Hex32(expected))]);
    }

    /// <summary>The image's SHA-256 differs from the recipe's.</summary>
    /// <param name="path">The image path.</param>
    /// <param name="expectedSha256">The recipe's SHA-256 (hex).</param>
    /// <param name="actualSha256">The SHA-256 of the file (hex).</param>
    /// <param name="phase">The phase that checked the image (before the probe is opened, or when the engine loads it).</param>
    public static Diagnosis ImageIntegrityFailed(string path, string expectedSha256, string actualSha256, AttemptPhase phase = AttemptPhase.Probe)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentException.ThrowIfNullOrWhiteSpace(expectedSha256);
        ArgumentException.ThrowIfNullOrWhiteSpace(actualSha256);
        return new(FailureCode.ImageIntegrityFailed, phase,
            $"Firmware image damaged or replaced: {path} has SHA-256 {actualSha256.ToLowerInvariant()}, the recipe expects {expectedSha256.ToLowerInvariant()}. Do not program; ask an engineer to re-release the recipe with the correct image.",
            [new Evidence("Image SHA-256", actualSha256.ToLowerInvariant(), expectedSha256.ToLowerInvariant())]);
    }

    /// <summary>A phase did not finish inside its time limit.</summary>
    /// <param name="phase">The phase.</param>
    /// <param name="limit">The recipe's limit.</param>
    public static Diagnosis Timeout(AttemptPhase phase, TimeSpan limit)
    {
        return new(FailureCode.Timeout, phase,
            $"Step took too long: the {EvidenceFormat.PhaseName(phase)} phase did not finish within its limit of {EvidenceFormat.Duration(limit)}. Re-seat the board and press Start again.",
            [new Evidence("Phase time limit", EvidenceFormat.Duration(limit))]);
    }

    /// <summary>The attempt was stopped.</summary>
    /// <param name="phase">The phase that was running.</param>
    /// <param name="by">Who stopped it ("operator anna", "line controller").</param>
    public static Diagnosis Aborted(AttemptPhase phase, string by)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(by);
        return new(FailureCode.Aborted, phase,
            $"Stopped by the operator: {by} stopped the attempt during the {EvidenceFormat.PhaseName(phase)} phase. Press Start to program the board again.",
            [new Evidence("Stopped by", by)]);
    }

    /// <summary>The attempt was found unfinished at station start.</summary>
    /// <param name="phase">The last phase the attempt started.</param>
    /// <param name="startedAt">When the attempt started.</param>
    public static Diagnosis Interrupted(AttemptPhase phase, DateTimeOffset startedAt)
    {
        var at = startedAt.ToString("yyyy-MM-dd HH:mm:ss zzz", s_inv);
        return new(FailureCode.Interrupted, phase,
            $"Interrupted (station restarted): the attempt started at {at} was still in the {EvidenceFormat.PhaseName(phase)} phase when the station stopped. Program the board again; its serial number from this attempt is void.",
            [new Evidence("Started at", at), new Evidence("Last phase", EvidenceFormat.PhaseName(phase))]);
    }

    private static (string Where, string Wire) SensePin(ProbeKind probe) => probe switch
    {
        ProbeKind.StLinkV2 => (string.Create(s_inv, $" (pin {StLinkV2VccPin} on the 20-pin ST-LINK/V2 connector)"), string.Create(s_inv, $"pin {StLinkV2VccPin}")),
        _ => (string.Empty, "the probe's VCC sense pin"),
    };
}

/// <summary>One connect try: the mode and the SWD frequency.</summary>
/// <param name="Mode">The connect mode.</param>
/// <param name="FrequencyKHz">The SWD clock in kHz.</param>
public readonly record struct ConnectTry(ConnectMode Mode, int FrequencyKHz)
{
    /// <summary>"under reset at 480 kHz".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{ModeName(Mode)} at {FrequencyKHz} kHz");

    /// <summary>The operator wording of a connect mode: "normal", "under reset", "hot-plug".</summary>
    public static string ModeName(ConnectMode mode) => mode switch
    {
        ConnectMode.UnderReset => "under reset",
        ConnectMode.HotPlug => "hot-plug",
        _ => "normal",
    };
}
