namespace ProdFlash.Probes.StLink;

/// <summary>The ST-LINK answered a command with an error status, or could not do what was asked.</summary>
public class StLinkException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed and what to do.</param>
    /// <param name="command">The command that failed, by name and bytes (e.g. <c>READMEM_32BIT (F2 07)</c>).</param>
    /// <param name="status">The status byte the probe returned; null when the failure had no status.</param>
    /// <param name="faultAddress">The fault address GETLASTRWSTATUS2 reported, when there is one.</param>
    /// <param name="innerException">The cause, if any.</param>
    public StLinkException(string message, string command, StLinkStatus? status = null, uint? faultAddress = null, Exception? innerException = null)
        : base(message, innerException)
    {
        Command = command;
        Status = status;
        FaultAddress = faultAddress;
    }

    /// <summary>The status byte the probe returned; null when the failure had no status.</summary>
    public StLinkStatus? Status { get; }

    /// <summary>The command that failed, by name and leading bytes.</summary>
    public string Command { get; }

    /// <summary>The fault address GETLASTRWSTATUS2 reported, when there is one.</summary>
    public uint? FaultAddress { get; }
}

/// <summary>
/// A memory command faulted on the target bus (status 0x01, 0x11, 0x15, 0x18 or 0x19 after a memory command).
/// The driver has already cleared the sticky error flags through DP ABORT where the firmware allows it.
/// </summary>
public sealed class StLinkMemoryFaultException : StLinkException
{
    /// <summary>Creates the exception.</summary>
    public StLinkMemoryFaultException(string message, string command, StLinkStatus status, uint faultAddress)
        : base(message, command, status, faultAddress)
    {
        Address = faultAddress;
    }

    /// <summary>The faulting address (from GETLASTRWSTATUS2 [4..7], or the start of the chunk on firmware without it).</summary>
    public uint Address { get; }
}

/// <summary>
/// The target answered WAIT (0x10 SWD_AP_WAIT, 0x14 SWD_DP_WAIT) beyond the retry bound: typically the target is in
/// a low-power mode or its firmware remapped the SWD pins.
/// </summary>
public sealed class StLinkWaitTimeoutException : StLinkException
{
    /// <summary>Creates the exception.</summary>
    public StLinkWaitTimeoutException(string message, string command, StLinkStatus status, int attempts)
        : base(message, command, status)
    {
        Attempts = attempts;
    }

    /// <summary>How many times the command was sent.</summary>
    public int Attempts { get; }
}

/// <summary>The probe's firmware lacks a command this operation needs (reference §4.3 thresholds).</summary>
public sealed class StLinkFirmwareTooOldException : StLinkException
{
    /// <summary>Creates the exception.</summary>
    public StLinkFirmwareTooOldException(string message, string command, string firmware, string required)
        : base(message, command)
    {
        Firmware = firmware;
        Required = required;
    }

    /// <summary>The probe's firmware name.</summary>
    public string Firmware { get; }

    /// <summary>The minimum firmware that has the command, e.g. "V2J24 or any V3".</summary>
    public string Required { get; }
}

/// <summary>The probe's reply did not have the shape the protocol defines (too short, wrong length).</summary>
public sealed class StLinkProtocolException : StLinkException
{
    /// <summary>Creates the exception.</summary>
    public StLinkProtocolException(string message, string command = "")
        : base(message, command)
    {
    }
}
