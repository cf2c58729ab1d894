using System.Text;

using ProdFlash.Probes.StLink;
using ProdFlash.Probes.Usb;
using ProdFlash.Probes.Usb.Native;

namespace ProdFlash.Probes.Tests.Usb;

public sealed class StLinkUsbAnomaliesTests
{
    private static StLinkUsbDevice Device(ushort pid, string port, UsbSerialNumber? serial, LibUsbException? openError = null)
    {
        var parts = port.Split('-');
        var ports = parts[1].Split('.').Select(byte.Parse).ToArray();
        return new StLinkUsbDevice(StLinkUsbProductIds.Find(pid)!, byte.Parse(parts[0]), ports, serial, openError);
    }

    private static UsbSerialNumber Text(string text)
    {
        var payload = Encoding.Unicode.GetBytes(text);
        return UsbSerialNumber.Decode([(byte)(2 + payload.Length), 0x03, .. payload]);
    }

    [Fact]
    public void Of_GenuineV21WithUniqueSerial_None()
    {
        var device = Device(0x374B, "1-2", Text("066DFF343334434257185129"));

        Assert.Equal(StLinkUsbAnomaly.None, StLinkUsbAnomalies.Of(device, [device]));
    }

    [Fact]
    public void Of_TwoClonesSharingPlaceholderBinarySerial_BinaryPlaceholderDuplicate()
    {
        var raw = new byte[26];
        raw[0] = 26;
        raw[1] = 3;
        var ascii = "000000000001"u8.ToArray();
        for (var i = 0; i < 12; i++)
        {
            raw[2 + (2 * i)] = ascii[i];
        }

        var first = Device(0x3748, "1-4.1", UsbSerialNumber.Decode(raw));
        var second = Device(0x3748, "1-4.2", UsbSerialNumber.Decode(raw));

        var anomalies = StLinkUsbAnomalies.Of(first, [first, second]);

        Assert.Equal(StLinkUsbAnomaly.BinarySerial | StLinkUsbAnomaly.PlaceholderSerial | StLinkUsbAnomaly.DuplicateSerial, anomalies);
    }

    [Fact]
    public void Of_DeviceThatCannotBeOpened_CannotOpenAndNoSerial()
    {
        var device = Device(0x3748, "3-1", null, LibUsbError.ToException(LibUsbError.Access, "libusb_open", "USB 3-1"));

        Assert.Equal(StLinkUsbAnomaly.CannotOpen | StLinkUsbAnomaly.NoSerial, StLinkUsbAnomalies.Of(device, [device]));
    }

    [Fact]
    public void Of_V3UsbLoader_NotDebugCapable()
    {
        var device = Device(0x374D, "1-1", Text("004A00283137510737333333"));

        Assert.Equal(StLinkUsbAnomaly.NotDebugCapable, StLinkUsbAnomalies.Of(device, [device]));
    }
}
