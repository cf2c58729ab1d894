namespace ProdFlash.Core.Diagnostics;

/// <summary>
/// The closed set of reasons an attempt on one slot can end other than Passed (DESIGN §5). Every failure the engine
/// reports carries exactly one of these; <see cref="FailureCatalog"/> holds its title, ranked causes and remedies.
/// </summary>
/// <remarks>Values are stored in the attempt ledger by name; never renumber or rename a member.</remarks>
public enum FailureCode
{
    /// <summary>The probe named by the slot's selector is not attached.</summary>
    ProbeNotFound = 1,

    /// <summary>The probe went away (USB unplug, reset, stlink-server closed) during the attempt.</summary>
    ProbeDisconnected,

    /// <summary>Two or more attached probes report the same serial number.</summary>
    ProbeDuplicateSerial,

    /// <summary>The probe shows the signals of a cloned ST-LINK (binary, placeholder or duplicated serial).</summary>
    ProbeSuspectClone,

    /// <summary>The probe firmware lacks a command the attempt needs.</summary>
    ProbeFirmwareTooOld,

    /// <summary>The probe measures (about) 0 V on its target-voltage sense pin.</summary>
    TargetNotPowered,

    /// <summary>The probe cannot measure the target voltage at all (its ADC returns 0 for both channels).</summary>
    ProbeCannotMeasureVoltage,

    /// <summary>The target voltage is measured but lies outside the recipe's window.</summary>
    TargetVoltageOutOfRange,

    /// <summary>No SWD acknowledge at all, in every mode and at every frequency tried.</summary>
    NoSwdResponse,

    /// <summary>SWD answers, but with parity errors or FAULT responses at a rate that makes the link unreliable.</summary>
    SwdUnstable,

    /// <summary>SWD answers only WAIT, or only under reset: the firmware sleeps or has remapped the SWD pins.</summary>
    TargetLowPowerOrPinsRemapped,

    /// <summary>The chip is not one of the recipe's expected devices.</summary>
    WrongDevice,

    /// <summary>The chip identifies as an STM32 but its debug identity matches a clone or counterfeit part.</summary>
    CounterfeitDevice,

    /// <summary>The flash-size register disagrees with the expected part.</summary>
    FlashSizeMismatch,

    /// <summary>Readout protection level 1 is set and the recipe does not allow regressing it.</summary>
    ReadoutProtected,

    /// <summary>Readout protection level 2 is set: the debug port is closed for good.</summary>
    ReadoutProtectedPermanently,

    /// <summary>Pages the image needs are write-protected and the recipe does not allow removing it.</summary>
    WriteProtected,

    /// <summary>The option bytes read back differ from what the recipe expects.</summary>
    OptionBytesMismatch,

    /// <summary>The flash controller reported an error or did not finish an erase.</summary>
    EraseFailed,

    /// <summary>The flash controller reported an error while programming.</summary>
    ProgramFailed,

    /// <summary>The flash content read back differs from the image.</summary>
    VerifyMismatch,

    /// <summary>The per-unit serial record could not be written or did not read back.</summary>
    SerialWriteFailed,

    /// <summary>Programming the final option bytes failed or they did not read back.</summary>
    OptionBytesWriteFailed,

    /// <summary>The firmware image does not match the recipe's expected SHA-256.</summary>
    ImageIntegrityFailed,

    /// <summary>A phase did not finish inside the recipe's time limit.</summary>
    Timeout,

    /// <summary>The operator or the line controller stopped the attempt.</summary>
    Aborted,

    /// <summary>The attempt was found unfinished after the station restarted (crash or power loss).</summary>
    Interrupted,
}
