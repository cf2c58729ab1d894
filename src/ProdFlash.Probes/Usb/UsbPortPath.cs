using System.Globalization;
using System.Text;

namespace ProdFlash.Probes.Usb;

/// <summary>USB port paths in Linux sysfs form: <c>bus-p1.p2.p3</c>, e.g. <c>1-4.2</c>.</summary>
public static class UsbPortPath
{
    /// <summary>Formats the bus number and the port chain from the root hub (libusb_get_port_numbers).</summary>
    public static string Format(byte bus, ReadOnlySpan<byte> ports)
    {
        var text = new StringBuilder().Append(bus.ToString(CultureInfo.InvariantCulture));
        for (var i = 0; i < ports.Length; i++)
        {
            text.Append(i == 0 ? '-' : '.').Append(ports[i].ToString(CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }
}
