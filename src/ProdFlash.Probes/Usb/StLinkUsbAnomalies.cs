namespace ProdFlash.Probes.Usb;

/// <summary>Something about an attached ST-LINK's USB identity that an operator or engineer should know (reference §6).</summary>
[Flags]
public enum StLinkUsbAnomaly
{
    /// <summary>Nothing unusual.</summary>
    None = 0,

    /// <summary>The serial descriptor held raw bytes (old V2 firmware, some clones) and was hex-converted; not proof of a clone.</summary>
    BinarySerial = 1 << 0,

    /// <summary>A known placeholder serial such as <c>303030303030303030303031</c> ("000000000001"), shared by many probes.</summary>
    PlaceholderSerial = 1 << 1,

    /// <summary>Another attached probe reports the same serial: select it by USB port path instead.</summary>
    DuplicateSerial = 1 << 2,

    /// <summary>The device has no serial string, or it could not be read (see <see cref="StLinkUsbDevice.OpenError"/>).</summary>
    NoSerial = 1 << 3,

    /// <summary>The device could not be opened (e.g. LIBUSB_ERROR_ACCESS: udev rule missing; LIBUSB_ERROR_BUSY: in use).</summary>
    CannotOpen = 1 << 4,

    /// <summary>The PID is a USB loader or an ST-LINK/V1, which this station does not drive.</summary>
    NotDebugCapable = 1 << 5,

    /// <summary>The serial is not 24 hex characters.</summary>
    OddSerialFormat = 1 << 6,
}

/// <summary>Anomaly detection over a discovery result, as pure functions.</summary>
public static class StLinkUsbAnomalies
{
    /// <summary>Serials reported by several probes in the field (reference §6.2: stm8flash #133, #134, #159).</summary>
    public static IReadOnlySet<string> PlaceholderSerials { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "303030303030303030303031",
    };

    /// <summary>The anomalies of <paramref name="device"/> within the set of attached <paramref name="all"/>.</summary>
    public static StLinkUsbAnomaly Of(StLinkUsbDevice device, IReadOnlyList<StLinkUsbDevice> all)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(all);
        var anomalies = StLinkUsbAnomaly.None;
        if (device.OpenError is not null)
        {
            anomalies |= StLinkUsbAnomaly.CannotOpen;
        }

        if (!device.Product.IsDebugCapable)
        {
            anomalies |= StLinkUsbAnomaly.NotDebugCapable;
        }

        if (device.Serial is not { } serial)
        {
            return anomalies | StLinkUsbAnomaly.NoSerial;
        }

        if (serial.WasBinary)
        {
            anomalies |= StLinkUsbAnomaly.BinarySerial;
        }

        if (PlaceholderSerials.Contains(serial.Text))
        {
            anomalies |= StLinkUsbAnomaly.PlaceholderSerial;
        }

        if (serial.Text.Length != 24 || !serial.Text.All(Uri.IsHexDigit))
        {
            anomalies |= StLinkUsbAnomaly.OddSerialFormat;
        }

        if (all.Any(other => !ReferenceEquals(other, device) && other.PortPath != device.PortPath
            && string.Equals(other.Serial?.Text, serial.Text, StringComparison.OrdinalIgnoreCase)))
        {
            anomalies |= StLinkUsbAnomaly.DuplicateSerial;
        }

        return anomalies;
    }
}
