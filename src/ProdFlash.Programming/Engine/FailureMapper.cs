using System.Globalization;

using ProdFlash.Core.Devices;
using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Serialization;
using ProdFlash.Core.Targets;
using ProdFlash.Programming.Flash;

namespace ProdFlash.Programming.Engine;

/// <summary>A phase decided the attempt fails with this diagnosis.</summary>
internal sealed class AttemptFailedException(Diagnosis diagnosis) : Exception(diagnosis.Summary)
{
    public Diagnosis Diagnosis { get; } = diagnosis;
}

/// <summary>
/// The one place where an exception from a phase becomes a failure code and a <see cref="Diagnosis"/> with evidence
/// (issue 4 §7). Cancellation is handled by the engine before it gets here.
/// </summary>
internal static class FailureMapper
{
    private static readonly CultureInfo s_inv = CultureInfo.InvariantCulture;

    /// <summary>Maps <paramref name="error"/>, raised in <paramref name="phase"/>, to a diagnosis.</summary>
    /// <param name="error">The exception.</param>
    /// <param name="phase">The phase it came from.</param>
    /// <param name="probe">The probe, for transport failures.</param>
    /// <param name="controller">The identified family's flash controller, to name the status flags; null before identify.</param>
    public static Diagnosis Map(Exception error, AttemptPhase phase, ProbeDescription probe, FlashControllerMap? controller = null) => error switch
    {
        AttemptFailedException failed => failed.Diagnosis,
        FlashOperationException flash => MapFlash(flash, phase, controller),
        TargetException target => MapTarget(target, phase, probe),
        SerialValueException serial => new Diagnosis(FailureCode.SerialWriteFailed, phase,
            $"Serial record could not be rendered: {serial.Message} Ask an engineer to check the recipe's serial scheme.",
            [new Evidence("Failure", serial.Message)]),
        _ => new Diagnosis(PhaseCode(phase), phase,
            $"Internal error in the {EvidenceFormat.PhaseName(phase)} phase: {error.GetType().Name}: {error.Message} Press Start again and report this to an engineer if it repeats.",
            [new Evidence("Exception", error.GetType().FullName ?? error.GetType().Name), new Evidence("Message", error.Message)]),
    };

    /// <summary>The failure code a phase's own operation failing stands for.</summary>
    public static FailureCode PhaseCode(AttemptPhase phase) => phase switch
    {
        AttemptPhase.Probe => FailureCode.ProbeDisconnected,
        AttemptPhase.Power => FailureCode.TargetNotPowered,
        AttemptPhase.Connect => FailureCode.NoSwdResponse,
        AttemptPhase.Identify => FailureCode.WrongDevice,
        AttemptPhase.OptionBytes => FailureCode.OptionBytesMismatch,
        AttemptPhase.Erase => FailureCode.EraseFailed,
        AttemptPhase.Program => FailureCode.ProgramFailed,
        AttemptPhase.Verify => FailureCode.VerifyMismatch,
        AttemptPhase.Serialize => FailureCode.SerialWriteFailed,
        _ => FailureCode.OptionBytesWriteFailed,
    };

    /// <summary>Re-labels a factory diagnosis with the phase it really happened in.</summary>
    public static Diagnosis InPhase(Diagnosis diagnosis, AttemptPhase phase) =>
        diagnosis.Phase == phase ? diagnosis : new Diagnosis(diagnosis.Code, phase, diagnosis.Summary, diagnosis.Evidence);

    /// <summary>Adds the driver's own words to a factory diagnosis as evidence.</summary>
    private static Diagnosis WithDriverMessage(Diagnosis diagnosis, AttemptPhase phase, string message) =>
        new(diagnosis.Code, phase, diagnosis.Summary, [.. diagnosis.Evidence, new Evidence("Flash driver", message)]);

    /// <summary>The error flags (and BSY as "busy") set in a status register value, by the catalog's bit names.</summary>
    private static string Flags(uint status, FlashControllerMap? controller)
    {
        if (controller is null || !controller.Bits.TryGetValue(FlashRegisterNames.Sr, out var bits))
        {
            return "an error";
        }

        var set = bits.Where(b => b.Key.EndsWith("ERR", StringComparison.Ordinal) && b.Value.IsSet(status)).Select(b => b.Key).ToList();
        if (bits.TryGetValue("BSY", out var busy) && busy.IsSet(status))
        {
            set.Add("busy");
        }

        return set.Count == 0 ? "no error flag" : string.Join(" and ", set);
    }

    private static Diagnosis MapFlash(FlashOperationException flash, AttemptPhase phase, FlashControllerMap? controller)
    {
        var status = flash.Registers.TryGetValue(FlashRegisterNames.Sr, out var sr) ? sr : flash.Registers.Values.FirstOrDefault();
        var address = flash.Address ?? 0;
        var flags = Flags(status, controller);
        return flash.Kind switch
        {
            FlashFailureKind.EraseFailed => WithDriverMessage(Diagnoses.EraseFailed(address, flags, status), phase, flash.Message),
            FlashFailureKind.ProgramFailed => WithDriverMessage(Diagnoses.ProgramFailed(address, flags, status), phase, flash.Message),
            FlashFailureKind.WriteProtected => new Diagnosis(FailureCode.WriteProtected, phase,
                $"Flash is write-protected: {flash.Message} Ask an engineer to allow removing write protection in the recipe if this board may be reprogrammed.",
                [new Evidence("Address", EvidenceFormat.Hex32(address)), new Evidence("Flash status", EvidenceFormat.Hex32(status), "no error flags")]),
            FlashFailureKind.ReadoutProtected => InPhase(Diagnoses.ReadoutProtected((byte)(flash.Registers.TryGetValue("RDP", out var rdp) ? rdp : 0xFF), 0xA5, false), phase),
            FlashFailureKind.ReadoutProtectedPermanently => InPhase(Diagnoses.ReadoutProtectedPermanently(0xCC), phase),
            FlashFailureKind.LoaderFailed => new Diagnosis(FailureCode.ProgramFailed, phase,
                flash.Message,
                [.. flash.Registers.Select(r => new Evidence(r.Key, EvidenceFormat.Hex32(r.Value)))]),
            FlashFailureKind.OptionBytesWriteFailed => new Diagnosis(FailureCode.OptionBytesWriteFailed, phase,
                $"Option bytes could not be written: {flash.Message} Power-cycle the board and press Start again.",
                [.. flash.Registers.Select(r => new Evidence(r.Key, EvidenceFormat.Hex32(r.Value)))]),
            _ => new Diagnosis(PhaseCode(phase), phase,
                $"The flash controller stayed locked: {flash.Message} Power-cycle the board and press Start again.",
                [.. flash.Registers.Select(r => new Evidence(r.Key, EvidenceFormat.Hex32(r.Value)))]),
        };
    }

    private static Diagnosis MapTarget(TargetException target, AttemptPhase phase, ProbeDescription probe)
    {
        var evidence = new List<Evidence> { new("Error", target.Kind.ToString()), new("Message", target.Message) };
        if (target is TargetMemoryFaultException fault)
        {
            evidence.Add(new Evidence("Faulting address", EvidenceFormat.Hex32(fault.Address)));
        }

        return target.Kind switch
        {
            TargetErrorKind.ProbeTransport => Diagnoses.ProbeDisconnected(probe.Location, phase, target.Message),
            TargetErrorKind.ProbeFirmwareTooOld => InPhase(Diagnoses.ProbeFirmwareTooOld(probe.Firmware, "a newer firmware", target.Message), phase),
            TargetErrorKind.WaitTimeout => new Diagnosis(FailureCode.TargetLowPowerOrPinsRemapped, phase,
                $"Target asleep or SWD pins taken by firmware: the chip answered WAIT beyond the retry bound during the {EvidenceFormat.PhaseName(phase)} phase ({target.Message}). Connect under reset, with NRST wired to probe pin 15.",
                evidence),
            TargetErrorKind.LinkError => new Diagnosis(FailureCode.SwdUnstable, phase,
                $"SWD connection unstable during the {EvidenceFormat.PhaseName(phase)} phase: {target.Message} Lower the SWD frequency in the recipe, and check the SWD wires and GND.",
                evidence),
            TargetErrorKind.NoResponse => new Diagnosis(FailureCode.NoSwdResponse, phase,
                $"The chip stopped answering on SWD during the {EvidenceFormat.PhaseName(phase)} phase: {target.Message} Check the board's supply (a brown-out resets the chip) and the SWD wires, and press Start again.",
                evidence),
            TargetErrorKind.StateTimeout => new Diagnosis(FailureCode.Timeout, phase,
                $"The core did not reach the requested state during the {EvidenceFormat.PhaseName(phase)} phase: {target.Message} Connect under reset, and press Start again.",
                evidence),
            TargetErrorKind.MemoryFault when phase == AttemptPhase.Verify => new Diagnosis(FailureCode.VerifyMismatch, phase,
                $"Read-back failed with a bus fault: {target.Message} The flash may be read-protected; press Start again.",
                evidence),
            _ => new Diagnosis(PhaseCode(phase), phase,
                string.Create(s_inv, $"The {EvidenceFormat.PhaseName(phase)} phase failed: {target.Message} Press Start again; if it fails again on this board, check its supply and wiring."),
                evidence),
        };
    }
}
