namespace ProdFlash.Probes.Gdb;

/// <summary>A GDB remote-protocol exchange failed; <see cref="Command"/> names the packet that was being sent.</summary>
public class GdbException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed and what to do.</param>
    /// <param name="command">The packet (or its start) that was in flight; empty when none was.</param>
    /// <param name="innerException">The cause, if any.</param>
    public GdbException(string message, string command, Exception? innerException = null)
        : base(message, innerException)
    {
        Command = command;
    }

    /// <summary>The packet (or its start) that was in flight, e.g. <c>m08000000,400</c>.</summary>
    public string Command { get; }
}

/// <summary>The TCP connection to the GDB server failed or was closed by the server.</summary>
public sealed class GdbTransportException : GdbException
{
    /// <summary>Creates the exception.</summary>
    public GdbTransportException(string message, string command, Exception? innerException = null)
        : base(message, command, innerException)
    {
    }
}

/// <summary>The GDB server did not answer (ack or reply) within the timeout.</summary>
public sealed class GdbTimeoutException : GdbException
{
    /// <summary>Creates the exception.</summary>
    public GdbTimeoutException(string message, string command, TimeSpan timeout)
        : base(message, command)
    {
        Timeout = timeout;
    }

    /// <summary>The bound that passed.</summary>
    public TimeSpan Timeout { get; }
}

/// <summary>
/// The server broke the protocol: a reply that does not parse, checksum errors beyond the retransmit bound, or an
/// empty reply (command not supported) where the command is required.
/// </summary>
public sealed class GdbProtocolException : GdbException
{
    /// <summary>Creates the exception.</summary>
    public GdbProtocolException(string message, string command, Exception? innerException = null)
        : base(message, command, innerException)
    {
    }
}

/// <summary>The server answered a command with an error reply <c>Exx</c> (or <c>E.text</c>).</summary>
public sealed class GdbErrorReplyException : GdbException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed, naming the command and address.</param>
    /// <param name="command">The packet that was answered with the error.</param>
    /// <param name="errorCode">The two hex digits after <c>E</c>; -1 for a textual <c>E.</c> reply.</param>
    /// <param name="address">The target address the command addressed, when it addressed one.</param>
    public GdbErrorReplyException(string message, string command, int errorCode, uint? address)
        : base(message, command)
    {
        ErrorCode = errorCode;
        Address = address;
    }

    /// <summary>The error number of the <c>Exx</c> reply (errno-like, server specific); -1 for <c>E.text</c>.</summary>
    public int ErrorCode { get; }

    /// <summary>The target address of the failed command, when it had one.</summary>
    public uint? Address { get; }
}
