using ProdFlash.Probes.StLink;

namespace ProdFlash.Probes.Usb.Native;

/// <summary>A libusb-1.0 call failed; carries the libusb error code and name.</summary>
public sealed class LibUsbException : StLinkTransportException
{
    /// <summary>Creates the exception for a libusb status.</summary>
    public LibUsbException(string message, int errorCode)
        : base(message)
    {
        ErrorCode = errorCode;
    }

    /// <summary>Creates the exception with its cause (e.g. the <see cref="DllNotFoundException"/> of a missing libusb).</summary>
    public LibUsbException(string message, int errorCode, Exception innerException)
        : base(message, innerException)
    {
        ErrorCode = errorCode;
    }

    /// <summary>The <c>enum libusb_error</c> value (negative), or <see cref="LibUsbError.NotInstalled"/> when libusb itself is missing.</summary>
    public int ErrorCode { get; }

    /// <summary>The libusb error name, e.g. <c>LIBUSB_ERROR_ACCESS</c>.</summary>
    public string ErrorName => LibUsbError.Name(ErrorCode);
}

/// <summary>libusb status checking and messages; the one place libusb codes become exceptions.</summary>
public static class LibUsbError
{
    /// <summary>LIBUSB_ERROR_ACCESS: insufficient permissions.</summary>
    public const int Access = -3;

    /// <summary>LIBUSB_ERROR_NO_DEVICE: the device was disconnected.</summary>
    public const int NoDevice = -4;

    /// <summary>LIBUSB_ERROR_NOT_FOUND: entity not found (e.g. no kernel driver attached).</summary>
    public const int NotFound = -5;

    /// <summary>LIBUSB_ERROR_BUSY: resource busy (another program claimed the interface).</summary>
    public const int Busy = -6;

    /// <summary>LIBUSB_ERROR_TIMEOUT.</summary>
    public const int Timeout = -7;

    /// <summary>LIBUSB_ERROR_NOT_SUPPORTED.</summary>
    public const int NotSupported = -12;

    /// <summary>Our code (not libusb's) for "libusb-1.0.so.0 could not be loaded".</summary>
    public const int NotInstalled = -1000;

    /// <summary>The message when libusb-1.0 cannot be loaded.</summary>
    public const string NotInstalledMessage = "libusb-1.0 is not installed: apt-get install libusb-1.0-0";

    /// <summary>The name of a <c>enum libusb_error</c> value (libusb.h).</summary>
    public static string Name(int code) => code switch
    {
        0 => "LIBUSB_SUCCESS",
        -1 => "LIBUSB_ERROR_IO",
        -2 => "LIBUSB_ERROR_INVALID_PARAM",
        -3 => "LIBUSB_ERROR_ACCESS",
        -4 => "LIBUSB_ERROR_NO_DEVICE",
        -5 => "LIBUSB_ERROR_NOT_FOUND",
        -6 => "LIBUSB_ERROR_BUSY",
        -7 => "LIBUSB_ERROR_TIMEOUT",
        -8 => "LIBUSB_ERROR_OVERFLOW",
        -9 => "LIBUSB_ERROR_PIPE",
        -10 => "LIBUSB_ERROR_INTERRUPTED",
        -11 => "LIBUSB_ERROR_NO_MEM",
        -12 => "LIBUSB_ERROR_NOT_SUPPORTED",
        -99 => "LIBUSB_ERROR_OTHER",
        NotInstalled => "libusb-1.0.so.0 not found",
        _ => $"libusb error {code}",
    };

    /// <summary>The exception for a failed call: names the call, the device, the libusb error and what to do.</summary>
    public static LibUsbException ToException(int code, string operation, string device)
    {
        var remedy = code switch
        {
            Access => "no permission to open the USB device: install docs/udev/49-stlink.rules into /etc/udev/rules.d/, run 'udevadm control --reload && udevadm trigger', and replug the probe (or add the station user to plugdev)",
            NoDevice => "the probe was unplugged",
            Busy => "another program holds the probe (STM32CubeProgrammer, OpenOCD, stlink-server): close it",
            Timeout => "the probe did not answer in time: replug it; if it repeats the probe may be damaged",
            -9 => "the probe stalled the endpoint: replug it",
            _ => "replug the probe and retry",
        };
        return new LibUsbException($"{operation} on {device} failed with {Name(code)}: {remedy}.", code)
        {
            IsTimeout = code == Timeout,
            IsDisconnected = code == NoDevice,
        };
    }

    /// <summary>Throws <see cref="LibUsbException"/> when <paramref name="code"/> is negative.</summary>
    internal static int Check(int code, string operation, string device) => code < 0 ? throw ToException(code, operation, device) : code;
}
