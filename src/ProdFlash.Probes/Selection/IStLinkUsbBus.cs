using ProdFlash.Probes.StLink;
using ProdFlash.Probes.Usb;
using ProdFlash.Probes.Usb.Native;

namespace ProdFlash.Probes.Selection;

/// <summary>The USB side of <see cref="StLinkProbeProvider"/>: list the attached ST-LINKs, open one as a wire.</summary>
/// <remarks>Implementations are thread-safe. <see cref="LibUsbBus"/> is the real one; tests substitute a bus of emulated probes.</remarks>
public interface IStLinkUsbBus
{
    /// <summary>Lists every attached ST-LINK, with its serial or the reason it could not be opened.</summary>
    /// <exception cref="LibUsbException">libusb-1.0 is missing or the bus cannot be listed.</exception>
    IReadOnlyList<StLinkUsbDevice> Enumerate();

    /// <summary>Opens <paramref name="device"/> as a wire, owned by the caller.</summary>
    /// <exception cref="LibUsbException">Open or claim failed.</exception>
    /// <exception cref="ArgumentException">The device does not speak the debug protocol (loader, V1).</exception>
    IStLinkWire Open(StLinkUsbDevice device);
}

/// <summary>The real USB bus, through libusb-1.0 (<see cref="StLinkUsb"/>).</summary>
public sealed class LibUsbBus : IStLinkUsbBus
{
    /// <summary>The one instance.</summary>
    public static LibUsbBus Instance { get; } = new();

    private LibUsbBus()
    {
    }

    /// <inheritdoc />
    public IReadOnlyList<StLinkUsbDevice> Enumerate() => StLinkUsb.Enumerate();

    /// <inheritdoc />
    public IStLinkWire Open(StLinkUsbDevice device) => StLinkUsb.Open(device);
}
