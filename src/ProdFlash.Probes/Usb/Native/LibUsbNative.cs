using System.Runtime.InteropServices;

namespace ProdFlash.Probes.Usb.Native;

/// <summary>libusb-1.0's standard device descriptor (<c>struct libusb_device_descriptor</c>, USB 2.0 §9.6.1), host-endian.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LibUsbDeviceDescriptor
{
    public byte Length;
    public byte DescriptorType;
    public ushort BcdUsb;
    public byte DeviceClass;
    public byte DeviceSubClass;
    public byte DeviceProtocol;
    public byte MaxPacketSize0;
    public ushort VendorId;
    public ushort ProductId;
    public ushort BcdDevice;
    public byte ManufacturerIndex;
    public byte ProductIndex;
    public byte SerialNumberIndex;
    public byte NumConfigurations;
}

/// <summary>The libusb-1.0 calls ProdFlash needs (Debian <c>libusb-1.0-0</c>), bound by hand. Callers check every status.</summary>
internal static partial class LibUsbNative
{
    /// <summary>The shared object name on Debian.</summary>
    public const string Library = "libusb-1.0.so.0";

    /// <summary>bmRequestType: device-to-host, standard, device (USB 2.0 §9.3).</summary>
    public const byte EndpointIn = 0x80;

    /// <summary>GET_DESCRIPTOR (USB 2.0 Table 9-4).</summary>
    public const byte RequestGetDescriptor = 0x06;

    /// <summary>STRING descriptor type (USB 2.0 Table 9-5).</summary>
    public const byte DescriptorTypeString = 0x03;

    /// <summary>US English, the language id ST-LINK serials are read with.</summary>
    public const ushort LangIdEnglishUs = 0x0409;

    [LibraryImport(Library, EntryPoint = "libusb_init")]
    public static partial int Init(out nint context);

    [LibraryImport(Library, EntryPoint = "libusb_exit")]
    public static partial void Exit(nint context);

    [LibraryImport(Library, EntryPoint = "libusb_get_device_list")]
    public static partial nint GetDeviceList(SafeLibUsbContextHandle context, out nint list);

    [LibraryImport(Library, EntryPoint = "libusb_free_device_list")]
    public static partial void FreeDeviceList(nint list, int unreferenceDevices);

    [LibraryImport(Library, EntryPoint = "libusb_get_device_descriptor")]
    public static partial int GetDeviceDescriptor(nint device, out LibUsbDeviceDescriptor descriptor);

    [LibraryImport(Library, EntryPoint = "libusb_get_bus_number")]
    public static partial byte GetBusNumber(nint device);

    [LibraryImport(Library, EntryPoint = "libusb_get_port_numbers")]
    public static unsafe partial int GetPortNumbers(nint device, byte* ports, int length);

    [LibraryImport(Library, EntryPoint = "libusb_get_max_packet_size")]
    public static partial int GetMaxPacketSize(nint device, byte endpoint);

    [LibraryImport(Library, EntryPoint = "libusb_open")]
    public static partial int Open(nint device, out nint handle);

    [LibraryImport(Library, EntryPoint = "libusb_close")]
    public static partial void Close(nint handle);

    [LibraryImport(Library, EntryPoint = "libusb_control_transfer")]
    public static unsafe partial int ControlTransfer(SafeLibUsbDeviceHandle handle, byte requestType, byte request, ushort value, ushort index, byte* data, ushort length, uint timeoutMs);

    [LibraryImport(Library, EntryPoint = "libusb_kernel_driver_active")]
    public static partial int KernelDriverActive(SafeLibUsbDeviceHandle handle, int interfaceNumber);

    [LibraryImport(Library, EntryPoint = "libusb_detach_kernel_driver")]
    public static partial int DetachKernelDriver(SafeLibUsbDeviceHandle handle, int interfaceNumber);

    [LibraryImport(Library, EntryPoint = "libusb_get_configuration")]
    public static partial int GetConfiguration(SafeLibUsbDeviceHandle handle, out int configuration);

    [LibraryImport(Library, EntryPoint = "libusb_set_configuration")]
    public static partial int SetConfiguration(SafeLibUsbDeviceHandle handle, int configuration);

    [LibraryImport(Library, EntryPoint = "libusb_claim_interface")]
    public static partial int ClaimInterface(SafeLibUsbDeviceHandle handle, int interfaceNumber);

    [LibraryImport(Library, EntryPoint = "libusb_release_interface")]
    public static partial int ReleaseInterface(SafeLibUsbDeviceHandle handle, int interfaceNumber);

    [LibraryImport(Library, EntryPoint = "libusb_bulk_transfer")]
    public static unsafe partial int BulkTransfer(SafeLibUsbDeviceHandle handle, byte endpoint, byte* data, int length, out int transferred, uint timeoutMs);
}

/// <summary>A libusb context; <c>libusb_exit</c> on release.</summary>
internal sealed class SafeLibUsbContextHandle : SafeHandle
{
    public SafeLibUsbContextHandle()
        : base(nint.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == nint.Zero;

    public void Adopt(nint context) => SetHandle(context);

    protected override bool ReleaseHandle()
    {
        LibUsbNative.Exit(handle);
        return true;
    }
}

/// <summary>A device list from <c>libusb_get_device_list</c>; freed with its device references on release.</summary>
internal sealed class SafeLibUsbDeviceListHandle : SafeHandle
{
    public SafeLibUsbDeviceListHandle(nint list, int count)
        : base(nint.Zero, ownsHandle: true)
    {
        SetHandle(list);
        Count = count;
    }

    public int Count { get; }

    public override bool IsInvalid => handle == nint.Zero;

    /// <summary>The device pointer at <paramref name="index"/>; valid while this list is alive.</summary>
    public nint this[int index] => index >= 0 && index < Count
        ? Marshal.ReadIntPtr(handle, index * nint.Size)
        : throw new ArgumentOutOfRangeException(nameof(index));

    protected override bool ReleaseHandle()
    {
        LibUsbNative.FreeDeviceList(handle, 1);
        return true;
    }
}

/// <summary>An open device; <c>libusb_close</c> on release.</summary>
internal sealed class SafeLibUsbDeviceHandle : SafeHandle
{
    public SafeLibUsbDeviceHandle(nint deviceHandle)
        : base(nint.Zero, ownsHandle: true)
    {
        SetHandle(deviceHandle);
    }

    public override bool IsInvalid => handle == nint.Zero;

    protected override bool ReleaseHandle()
    {
        LibUsbNative.Close(handle);
        return true;
    }
}
