namespace ProdFlash.Probes.StLink;

/// <summary>
/// The ST-LINK wire: one transaction is a 16-byte command block, then at most one data phase, out or in.
/// libusb, the stlink-server TCP client and the in-process emulator all sit behind this seam.
/// </summary>
/// <remarks>
/// Shaped like the wire (reference/stlink-protocol.md §1.3 and §5.1): there is no status phase; the ST-LINK status
/// byte, when a command has one, is the first byte of the data-in phase. A transaction never has both a data-out
/// and a data-in phase. Not thread-safe: one runner owns one probe and issues one transaction at a time.
/// The owner of a wire disposes it; disposing releases the USB interface or closes the TCP device and socket.
/// </remarks>
public interface IStLinkWire : IAsyncDisposable
{
    /// <summary>Human-readable identity of the far end (USB port path and serial, TCP endpoint, emulator).</summary>
    string Description { get; }

    /// <summary>Runs one transaction.</summary>
    /// <param name="command">The command block; exactly <see cref="StLinkWire.CommandBlockLength"/> bytes, zero-padded.</param>
    /// <param name="dataOut">Bytes to send after the command block (memory writes); empty for none.</param>
    /// <param name="dataIn">Buffer for the reply or read data; empty for commands without a reply.</param>
    /// <param name="timeout">Limit for the whole transaction.</param>
    /// <param name="cancellationToken">Cancels the transaction; the probe may then need to be reopened.</param>
    /// <returns>The number of bytes received into <paramref name="dataIn"/>.</returns>
    /// <exception cref="StLinkTransportException">The transport failed: timeout, disconnect, or a server error.</exception>
    ValueTask<int> TransferAsync(
        ReadOnlyMemory<byte> command,
        ReadOnlyMemory<byte> dataOut,
        Memory<byte> dataIn,
        TimeSpan timeout,
        CancellationToken cancellationToken);
}

/// <summary>Constants of the wire shared by every transport.</summary>
public static class StLinkWire
{
    /// <summary>Length of a V2/V2-1/V3 command block (OpenOCD 0.12 stlink_usb.c:75, <c>STLINK_CMD_SIZE_V2</c>).</summary>
    public const int CommandBlockLength = 16;
}

/// <summary>The transport under an ST-LINK failed (USB error or timeout, TCP error, stlink-server status).</summary>
public class StLinkTransportException : Exception
{
    /// <summary>Creates the exception with a message saying what failed and what to do.</summary>
    public StLinkTransportException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public StLinkTransportException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Whether the failure was a timeout (the probe may be hung or unplugged).</summary>
    public bool IsTimeout { get; init; }

    /// <summary>Whether the probe is gone (unplugged, socket closed).</summary>
    public bool IsDisconnected { get; init; }
}
