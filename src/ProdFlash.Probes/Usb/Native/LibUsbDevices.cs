using System.Runtime.InteropServices;

namespace ProdFlash.Probes.Usb.Native;

/// <summary>One USB device as the enumeration saw it (managed copy; no native pointer escapes).</summary>
/// <param name="Bus">libusb_get_bus_number.</param>
/// <param name="Ports">libusb_get_port_numbers.</param>
/// <param name="VendorId">idVendor.</param>
/// <param name="ProductId">idProduct.</param>
/// <param name="RawSerialDescriptor">The raw serial string descriptor (langid 0x0409) or null.</param>
/// <param name="OpenError">Why the device could not be opened to read its serial, or null.</param>
internal sealed record LibUsbDeviceInfo(byte Bus, byte[] Ports, ushort VendorId, ushort ProductId, byte[]? RawSerialDescriptor, LibUsbException? OpenError);

/// <summary>Enumeration and opening through libusb; every status checked where it returns.</summary>
internal static class LibUsbDevices
{
    /// <summary>USB 2.0 allows 7 tiers, so at most 7 port numbers.</summary>
    private const int MaxPortDepth = 7;

    private const uint ControlTimeoutMs = 1000;

    /// <summary>Lists devices whose VID/PID pass <paramref name="filter"/>, reading each one's raw serial descriptor.</summary>
    public static List<LibUsbDeviceInfo> Enumerate(Func<ushort, ushort, bool> filter)
    {
        var context = LibUsbContext.Shared;
        var count = (int)LibUsbError.Check((int)LibUsbNative.GetDeviceList(context, out var listPointer), "libusb_get_device_list", "the USB bus");
        using var list = new SafeLibUsbDeviceListHandle(listPointer, count);
        var result = new List<LibUsbDeviceInfo>();
        for (var i = 0; i < list.Count; i++)
        {
            var device = list[i];
            LibUsbError.Check(LibUsbNative.GetDeviceDescriptor(device, out var descriptor), "libusb_get_device_descriptor", "a USB device");
            if (!filter(descriptor.VendorId, descriptor.ProductId))
            {
                continue;
            }

            var bus = LibUsbNative.GetBusNumber(device);
            var ports = PortNumbers(device);
            var name = $"USB {UsbPortPath.Format(bus, ports)}";
            byte[]? serial = null;
            LibUsbException? openError = null;
            if (descriptor.SerialNumberIndex != 0)
            {
                try
                {
                    using var handle = Open(device, name);
                    serial = ReadStringDescriptor(handle, descriptor.SerialNumberIndex, name);
                }
                catch (LibUsbException ex)
                {
                    openError = ex;
                }
            }

            result.Add(new LibUsbDeviceInfo(bus, ports, descriptor.VendorId, descriptor.ProductId, serial, openError));
        }

        return result;
    }

    /// <summary>
    /// Opens the device on <paramref name="bus"/>/<paramref name="ports"/>, detaches a kernel driver from interface
    /// 0 where one is attached, selects configuration 1 only if it is not already active (like OpenOCD's
    /// <c>jtag_libusb_set_configuration</c>), and claims interface 0.
    /// </summary>
    /// <returns>The open handle and the IN endpoint's max packet size.</returns>
    public static (SafeLibUsbDeviceHandle Handle, int MaxPacketSize) OpenAndClaim(byte bus, byte[] ports, byte inEndpoint, string name)
    {
        var context = LibUsbContext.Shared;
        var count = (int)LibUsbError.Check((int)LibUsbNative.GetDeviceList(context, out var listPointer), "libusb_get_device_list", "the USB bus");
        using var list = new SafeLibUsbDeviceListHandle(listPointer, count);
        for (var i = 0; i < list.Count; i++)
        {
            var device = list[i];
            if (LibUsbNative.GetBusNumber(device) != bus || !PortNumbers(device).AsSpan().SequenceEqual(ports))
            {
                continue;
            }

            var maxPacket = LibUsbError.Check(LibUsbNative.GetMaxPacketSize(device, inEndpoint), "libusb_get_max_packet_size", name);
            var handle = Open(device, name);
            try
            {
                var active = LibUsbNative.KernelDriverActive(handle, 0);
                if (active == 1)
                {
                    LibUsbError.Check(LibUsbNative.DetachKernelDriver(handle, 0), "libusb_detach_kernel_driver", name);
                }
                else if (active != LibUsbError.NotSupported)
                {
                    LibUsbError.Check(active, "libusb_kernel_driver_active", name);
                }

                LibUsbError.Check(LibUsbNative.GetConfiguration(handle, out var configuration), "libusb_get_configuration", name);
                if (configuration != 1)
                {
                    LibUsbError.Check(LibUsbNative.SetConfiguration(handle, 1), "libusb_set_configuration", name);
                }

                LibUsbError.Check(LibUsbNative.ClaimInterface(handle, 0), "libusb_claim_interface", name);
                return (handle, maxPacket);
            }
            catch (LibUsbException)
            {
                handle.Dispose();
                throw;
            }
        }

        throw LibUsbError.ToException(LibUsbError.NoDevice, "open", name);
    }

    /// <summary>One bulk transfer; returns the bytes moved.</summary>
    public static unsafe int Bulk(SafeLibUsbDeviceHandle handle, byte endpoint, Span<byte> data, uint timeoutMs, string name)
    {
        fixed (byte* pointer = data)
        {
            var rc = LibUsbNative.BulkTransfer(handle, endpoint, pointer, data.Length, out var transferred, timeoutMs);
            LibUsbError.Check(rc, (endpoint & 0x80) != 0 ? $"bulk IN 0x{endpoint:X2}" : $"bulk OUT 0x{endpoint:X2}", name);
            return transferred;
        }
    }

    /// <summary>Releases interface 0; errors are returned, not thrown (called from Dispose).</summary>
    public static int Release(SafeLibUsbDeviceHandle handle) => LibUsbNative.ReleaseInterface(handle, 0);

    private static SafeLibUsbDeviceHandle Open(nint device, string name)
    {
        LibUsbError.Check(LibUsbNative.Open(device, out var raw), "libusb_open", name);
        return new SafeLibUsbDeviceHandle(raw);
    }

    private static unsafe byte[] PortNumbers(nint device)
    {
        var ports = stackalloc byte[MaxPortDepth];
        var n = LibUsbError.Check(LibUsbNative.GetPortNumbers(device, ports, MaxPortDepth), "libusb_get_port_numbers", "a USB device");
        return new ReadOnlySpan<byte>(ports, n).ToArray();
    }

    /// <summary>GET_DESCRIPTOR(STRING, index, langid 0x0409), raw: what <c>libusb_get_string_descriptor</c> (an inline in libusb.h) does.</summary>
    private static unsafe byte[] ReadStringDescriptor(SafeLibUsbDeviceHandle handle, byte index, string name)
    {
        var buffer = stackalloc byte[255];
        var n = LibUsbError.Check(
            LibUsbNative.ControlTransfer(handle, LibUsbNative.EndpointIn, LibUsbNative.RequestGetDescriptor, (ushort)((LibUsbNative.DescriptorTypeString << 8) | index), LibUsbNative.LangIdEnglishUs, buffer, 255, ControlTimeoutMs),
            "GET_DESCRIPTOR(serial string)",
            name);
        return new ReadOnlySpan<byte>(buffer, n).ToArray();
    }
}
