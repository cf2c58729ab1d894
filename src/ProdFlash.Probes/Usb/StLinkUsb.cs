using ProdFlash.Probes.StLink;
using ProdFlash.Probes.Usb.Native;

namespace ProdFlash.Probes.Usb;

/// <summary>An ST-LINK found on USB.</summary>
/// <param name="Product">The PID's entry in the ST-LINK table (variant, endpoints).</param>
/// <param name="Bus">USB bus number.</param>
/// <param name="Ports">Port chain from the root hub.</param>
/// <param name="Serial">The serial, or null when it could not be read (see <paramref name="OpenError"/>) or the device has none.</param>
/// <param name="OpenError">Why the device could not be opened (e.g. LIBUSB_ERROR_ACCESS: the udev rule is missing), or null.</param>
public sealed record StLinkUsbDevice(StLinkProductInfo Product, byte Bus, byte[] Ports, UsbSerialNumber? Serial, LibUsbException? OpenError)
{
    /// <summary>The port path in sysfs form, e.g. <c>1-4.2</c>.</summary>
    public string PortPath => UsbPortPath.Format(Bus, Ports);

    /// <summary>VID:PID as <c>0483:3748</c>.</summary>
    public string VidPid => $"{StLinkUsbProductIds.VendorId:X4}:{Product.ProductId:X4}";
}

/// <summary>ST-LINK discovery and opening over libusb-1.0 (Debian <c>libusb-1.0-0</c>, loaded on first use).</summary>
public static class StLinkUsb
{
    /// <summary>
    /// Lists every attached ST-LINK (VID 0x0483 and a PID of reference §1.1), reading each serial descriptor raw.
    /// A device that cannot be opened is still listed, with <see cref="StLinkUsbDevice.OpenError"/>.
    /// </summary>
    /// <returns>The devices; empty when none is attached.</returns>
    /// <exception cref="LibUsbException">libusb-1.0 is missing ("apt-get install libusb-1.0-0") or the bus cannot be listed.</exception>
    public static IReadOnlyList<StLinkUsbDevice> Enumerate()
    {
        var found = LibUsbDevices.Enumerate((vid, pid) => vid == StLinkUsbProductIds.VendorId && StLinkUsbProductIds.Find(pid) is not null);
        return found.Select(d => new StLinkUsbDevice(
            StLinkUsbProductIds.Find(d.ProductId)!,
            d.Bus,
            d.Ports,
            d.RawSerialDescriptor is { Length: >= 2 } raw ? UsbSerialNumber.Decode(raw) : null,
            d.OpenError)).ToList();
    }

    /// <summary>Opens <paramref name="device"/> and claims its debug interface, as a wire for <see cref="StLinkProbe"/>.</summary>
    /// <exception cref="LibUsbException">Open, kernel-driver detach, configuration or claim failed (ACCESS points to the udev rule).</exception>
    /// <exception cref="ArgumentException">The PID is a loader or V1 that does not speak the debug protocol over bulk endpoints.</exception>
    public static UsbStLinkWire Open(StLinkUsbDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (!device.Product.IsDebugCapable)
        {
            throw new ArgumentException($"{device.Product.Model} ({device.VidPid}) at {device.PortPath} does not speak the debug protocol: update or replug it into debug mode.", nameof(device));
        }

        var name = $"{device.Product.Model} at USB {device.PortPath} serial {device.Serial?.Text ?? "(unread)"}";
        var (handle, maxPacket) = LibUsbDevices.OpenAndClaim(device.Bus, device.Ports, device.Product.InEndpoint, name);
        return new UsbStLinkWire(handle, device.Product.OutEndpoint, device.Product.InEndpoint, maxPacket, name);
    }
}
