namespace ProdFlash.Core.Targets;

/// <summary>What kind of failure a <see cref="TargetException"/> reports; the diagnosis layer maps it to a failure code.</summary>
public enum TargetErrorKind
{
    /// <summary>The probe answered with an error the layers below could not classify more precisely.</summary>
    ProbeError,

    /// <summary>The transport to the probe failed (USB error, TCP error, timeout, unplug).</summary>
    ProbeTransport,

    /// <summary>The probe firmware lacks a command this operation needs; a firmware upgrade is the remedy.</summary>
    ProbeFirmwareTooOld,

    /// <summary>The target's debug port does not answer (no ACK, no device connected, no IDCODE).</summary>
    NoResponse,

    /// <summary>The target answered WAIT beyond the retry bound: target in low-power mode or SWD pins remapped.</summary>
    WaitTimeout,

    /// <summary>A bus access faulted (unmapped address, flash hidden by read-out protection, bus error).</summary>
    MemoryFault,

    /// <summary>The debug link is unreliable (parity errors, protocol errors).</summary>
    LinkError,

    /// <summary>The core or the debug port did not reach the requested state within its bound.</summary>
    StateTimeout,

    /// <summary>The request itself was invalid (unaligned access, bad argument).</summary>
    InvalidRequest,
}

/// <summary>A target operation failed; <see cref="Kind"/> says how, the message says what and what to do.</summary>
public class TargetException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="kind">The classified failure.</param>
    /// <param name="message">What failed and what to do.</param>
    /// <param name="innerException">The driver-level cause, if any.</param>
    public TargetException(TargetErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    /// <summary>The classified failure.</summary>
    public TargetErrorKind Kind { get; }
}

/// <summary>A memory access faulted on the target bus at <see cref="Address"/>.</summary>
public sealed class TargetMemoryFaultException : TargetException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="address">The address the probe reported as faulting (or the start of the failed transfer).</param>
    /// <param name="message">What failed and what to do.</param>
    /// <param name="innerException">The driver-level cause, if any.</param>
    public TargetMemoryFaultException(uint address, string message, Exception? innerException = null)
        : base(TargetErrorKind.MemoryFault, message, innerException)
    {
        Address = address;
    }

    /// <summary>The faulting address.</summary>
    public uint Address { get; }
}
