namespace ProdFlash.Probes.Usb.Native;

/// <summary>The process-wide libusb context, created on first USB use and kept for the life of the process.</summary>
/// <remarks>libusb contexts are thread-safe; device handles opened from it are not shared between runners.</remarks>
internal static class LibUsbContext
{
    private static readonly Lock Gate = new();
    private static SafeLibUsbContextHandle? _shared;

    /// <summary>The shared context.</summary>
    /// <exception cref="LibUsbException">libusb-1.0 is not installed, or <c>libusb_init</c> failed.</exception>
    public static SafeLibUsbContextHandle Shared
    {
        get
        {
            lock (Gate)
            {
                if (_shared is not null)
                {
                    return _shared;
                }

                int rc;
                nint context;
                try
                {
                    rc = LibUsbNative.Init(out context);
                }
                catch (DllNotFoundException ex)
                {
                    throw new LibUsbException(LibUsbError.NotInstalledMessage, LibUsbError.NotInstalled, ex);
                }

                LibUsbError.Check(rc, "libusb_init", "the USB subsystem");
                var handle = new SafeLibUsbContextHandle();
                handle.Adopt(context);
                _shared = handle;
                return handle;
            }
        }
    }
}
