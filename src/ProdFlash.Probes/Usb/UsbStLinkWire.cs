using ProdFlash.Probes.StLink;
using ProdFlash.Probes.Usb.Native;

namespace ProdFlash.Probes.Usb;

/// <summary>An ST-LINK on USB: the 16-byte command block on the bulk OUT endpoint, then one data phase (reference §1.3).</summary>
/// <remarks>
/// Owns the device handle: disposing releases interface 0 and closes the device; it never throws. Each transfer
/// is a synchronous libusb bulk transfer bounded by the transaction timeout, run on the calling thread;
/// cancellation is observed between transfers. Not thread-safe (one runner owns one probe).
/// </remarks>
public sealed class UsbStLinkWire : IStLinkWire
{
    private readonly SafeLibUsbDeviceHandle _handle;
    private readonly byte _outEndpoint;
    private readonly byte _inEndpoint;

    internal UsbStLinkWire(SafeLibUsbDeviceHandle handle, byte outEndpoint, byte inEndpoint, int maxPacketSize, string description)
    {
        _handle = handle;
        _outEndpoint = outEndpoint;
        _inEndpoint = inEndpoint;
        MaxPacketSize = maxPacketSize;
        Description = description;
    }

    /// <inheritdoc />
    public string Description { get; }

    /// <summary>wMaxPacketSize of the IN endpoint: 64 on full-speed V2/V2-1, 512 on high-speed V3 (reference §1.2).</summary>
    public int MaxPacketSize { get; }

    /// <inheritdoc />
    public ValueTask<int> TransferAsync(ReadOnlyMemory<byte> command, ReadOnlyMemory<byte> dataOut, Memory<byte> dataIn, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_handle.IsClosed, this);
        if (command.Length != StLinkWire.CommandBlockLength)
        {
            throw new ArgumentException($"The command block is {StLinkWire.CommandBlockLength} bytes, not {command.Length}.", nameof(command));
        }

        if (!dataOut.IsEmpty && !dataIn.IsEmpty)
        {
            throw new ArgumentException("A transaction has at most one data phase.", nameof(dataIn));
        }

        cancellationToken.ThrowIfCancellationRequested();
        var timeoutMs = (uint)Math.Clamp(timeout.TotalMilliseconds, 1, uint.MaxValue);
        var cdb = command.ToArray();
        Expect(LibUsbDevices.Bulk(_handle, _outEndpoint, cdb, timeoutMs, Description), cdb.Length, "command block");
        if (!dataOut.IsEmpty)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var data = dataOut.ToArray();
            Expect(LibUsbDevices.Bulk(_handle, _outEndpoint, data, timeoutMs, Description), data.Length, "write data");
            return ValueTask.FromResult(0);
        }

        if (dataIn.IsEmpty)
        {
            return ValueTask.FromResult(0);
        }

        cancellationToken.ThrowIfCancellationRequested();

        // Read at least one full packet so a device that pads its reply cannot overflow the transfer (pyOCD usb.py _read).
        var buffer = new byte[Math.Max(dataIn.Length, MaxPacketSize)];
        var received = LibUsbDevices.Bulk(_handle, _inEndpoint, buffer, timeoutMs, Description);
        var n = Math.Min(received, dataIn.Length);
        buffer.AsSpan(0, n).CopyTo(dataIn.Span);
        return ValueTask.FromResult(n);
    }

    /// <summary>Releases interface 0 and closes the device. Never throws.</summary>
    public ValueTask DisposeAsync()
    {
        if (!_handle.IsClosed)
        {
            LibUsbDevices.Release(_handle);
            _handle.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    private void Expect(int transferred, int expected, string what)
    {
        if (transferred != expected)
        {
            throw new StLinkTransportException($"{Description}: the {what} transfer moved {transferred} of {expected} bytes; replug the probe.");
        }
    }
}
