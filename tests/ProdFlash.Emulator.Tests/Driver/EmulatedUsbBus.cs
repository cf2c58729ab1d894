using ProdFlash.Emulator.StLink;
using ProdFlash.Probes.Selection;
using ProdFlash.Probes.StLink;
using ProdFlash.Probes.Usb;
using ProdFlash.Probes.Usb.Native;

namespace ProdFlash.Emulator.Tests.Driver;

/// <summary>
/// A USB bus whose devices are emulated probes: each is listed with the serial descriptor its personality carries
/// (12 raw bytes on a clone, ASCII hex otherwise) and opens as the in-process wire.
/// </summary>
internal sealed class EmulatedUsbBus : IStLinkUsbBus
{
    private readonly List<(StLinkUsbDevice Device, EmulatedStLink Probe)> _devices = [];

    /// <summary>Attaches <paramref name="probe"/> on bus 1 at <paramref name="ports"/>; <paramref name="openError"/> makes it unopenable.</summary>
    public StLinkUsbDevice Attach(EmulatedStLink probe, byte[] ports, int? openError = null)
    {
        var error = openError is { } code ? LibUsbError.ToException(code, "libusb_open", $"ST-LINK at USB 1-{string.Join('.', ports)}") : null;
        var serial = error is null ? UsbSerialNumber.Decode(StringDescriptor(probe.Personality.SerialDescriptor)) : null;
        var device = new StLinkUsbDevice(StLinkUsbProductIds.Find(probe.Personality.ProductId)!, 1, ports, serial, error);
        _devices.Add((device, probe));
        return device;
    }

    public IReadOnlyList<StLinkUsbDevice> Enumerate() => [.. _devices.Select(d => d.Device)];

    public IStLinkWire Open(StLinkUsbDevice device) =>
        device.OpenError is { } error ? throw error : new EmulatedStLinkWire(_devices.Single(d => ReferenceEquals(d.Device, device)).Probe);

    /// <summary>A USB string descriptor (USB 2.0 §9.6.7): bLength, 0x03, then one UTF-16LE code unit per byte.</summary>
    private static byte[] StringDescriptor(byte[] payload)
    {
        var descriptor = new byte[2 + (2 * payload.Length)];
        descriptor[0] = (byte)descriptor.Length;
        descriptor[1] = 0x03;
        for (var i = 0; i < payload.Length; i++)
        {
            descriptor[2 + (2 * i)] = payload[i];
        }

        return descriptor;
    }
}
