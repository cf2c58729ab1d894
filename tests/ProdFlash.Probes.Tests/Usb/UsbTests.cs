using System.Runtime.InteropServices;
using System.Text;

using ProdFlash.Probes.StLink;
using ProdFlash.Probes.Usb;
using ProdFlash.Probes.Usb.Native;
using ProdFlash.Testing;

namespace ProdFlash.Probes.Tests.Usb;

public sealed class UsbTests
{
    private static byte[] TextDescriptor(string text)
    {
        var payload = Encoding.Unicode.GetBytes(text);
        return [(byte)(2 + payload.Length), 0x03, .. payload];
    }

    private static byte[] BinaryDescriptor(params byte[] raw)
    {
        var descriptor = new byte[2 + (raw.Length * 2)];
        descriptor[0] = (byte)descriptor.Length;
        descriptor[1] = 0x03;
        for (var i = 0; i < raw.Length; i++)
        {
            descriptor[2 + (2 * i)] = raw[i];
        }

        return descriptor;
    }

    [Fact]
    public void Decode_TextSerialOf24Hex_TextUpperCasedNotBinary()
    {
        var descriptor = TextDescriptor("066dff343334434257185129");

        var serial = UsbSerialNumber.Decode(descriptor);

        Assert.Equal(50, descriptor[0]);
        Assert.Equal("066DFF343334434257185129", serial.Text);
        Assert.False(serial.WasBinary);
        Assert.Equal(descriptor, serial.RawDescriptor);
    }

    [Fact]
    public void Decode_BinarySerialOfOldV2_TwelveRawBytesAs24UpperHexWithoutLossyQuestionMarks()
    {
        // bLength 26: 12 code units, each carrying one raw byte; bytes >= 0x80 must not become '?' (0x3F).
        var descriptor = BinaryDescriptor(0x54, 0xFF, 0x72, 0x06, 0x75, 0x77, 0x57, 0x49, 0x34, 0x31, 0x12, 0x87);

        var serial = UsbSerialNumber.Decode(descriptor);

        Assert.Equal(26, descriptor[0]);
        Assert.True(serial.WasBinary);
        Assert.Equal("54FF72067577574934311287", serial.Text);
        Assert.Equal(descriptor, serial.RawDescriptor);
    }

    [Fact]
    public void Decode_PlaceholderSerialOfStLinkV1_HexOfAscii000000000001()
    {
        var serial = UsbSerialNumber.Decode(BinaryDescriptor("000000000001"u8.ToArray()));

        Assert.Equal("303030303030303030303031", serial.Text);
    }

    [Fact]
    public void Decode_ThirteenRawBytesWithTrailingNul_HexConvertedNotGarbledText()
    {
        // stlink-org #318: 483f6e06703f534833240967 + 00 in a 28-byte descriptor.
        var descriptor = BinaryDescriptor(0x48, 0x3F, 0x6E, 0x06, 0x70, 0x3F, 0x53, 0x48, 0x33, 0x24, 0x09, 0x67, 0x00);

        var serial = UsbSerialNumber.Decode(descriptor);

        Assert.Equal(28, descriptor[0]);
        Assert.True(serial.WasBinary);
        Assert.Equal("483F6E06703F53483324096700", serial.Text);
    }

    [Fact]
    public void Decode_NotAStringDescriptor_ArgumentException()
    {
        Assert.Throws<ArgumentException>(() => UsbSerialNumber.Decode([0x12, 0x01, 0x00, 0x02]));
    }

    [Theory]
    [InlineData(1, new byte[] { 4, 2 }, "1-4.2")]
    [InlineData(2, new byte[] { 1 }, "2-1")]
    [InlineData(3, new byte[] { 1, 2, 3, 4 }, "3-1.2.3.4")]
    [InlineData(5, new byte[0], "5")]
    public void Format_BusAndPorts_LinuxSysfsForm(byte bus, byte[] ports, string expected)
    {
        Assert.Equal(expected, UsbPortPath.Format(bus, ports));
    }

    [Theory]
    [InlineData(0x3744, StLinkVariant.V1, 0x02, false)]
    [InlineData(0x3748, StLinkVariant.V2, 0x02, true)]
    [InlineData(0x374B, StLinkVariant.V2_1, 0x01, true)]
    [InlineData(0x3752, StLinkVariant.V2_1, 0x01, true)]
    [InlineData(0x374A, StLinkVariant.V2_1, 0x01, true)]
    [InlineData(0x374D, StLinkVariant.V3, 0x01, false)]
    [InlineData(0x374E, StLinkVariant.V3, 0x01, true)]
    [InlineData(0x374F, StLinkVariant.V3, 0x01, true)]
    [InlineData(0x3753, StLinkVariant.V3, 0x01, true)]
    [InlineData(0x3754, StLinkVariant.V3, 0x01, true)]
    [InlineData(0x3755, StLinkVariant.V3, 0x01, false)]
    [InlineData(0x3757, StLinkVariant.V3, 0x01, true)]
    public void Find_ReferencePid_VariantAndEndpoints(int pid, StLinkVariant variant, byte outEndpoint, bool debugCapable)
    {
        var info = StLinkUsbProductIds.Find((ushort)pid);

        Assert.NotNull(info);
        Assert.Equal(variant, info.Variant);
        Assert.Equal(outEndpoint, info.OutEndpoint);
        Assert.Equal(0x81, info.InEndpoint);
        Assert.Equal(debugCapable, info.IsDebugCapable);
    }

    [Fact]
    public void Find_ProbeRsOnlyPid0x3742_NotAnStLink()
    {
        Assert.Null(StLinkUsbProductIds.Find(0x3742));
    }

    [Fact]
    public void ToException_Access_NamesErrorAndPointsToUdevRule()
    {
        var error = LibUsbError.ToException(-3, "libusb_open", "ST-LINK/V2 at USB 1-4.2");

        Assert.Equal("LIBUSB_ERROR_ACCESS", error.ErrorName);
        Assert.Contains("LIBUSB_ERROR_ACCESS", error.Message, StringComparison.Ordinal);
        Assert.Contains("docs/udev/49-stlink.rules", error.Message, StringComparison.Ordinal);
        Assert.Contains("1-4.2", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<StLinkTransportException>(error);
    }

    [Theory]
    [InlineData(-7, "LIBUSB_ERROR_TIMEOUT", true, false)]
    [InlineData(-4, "LIBUSB_ERROR_NO_DEVICE", false, true)]
    [InlineData(-6, "LIBUSB_ERROR_BUSY", false, false)]
    [InlineData(-9, "LIBUSB_ERROR_PIPE", false, false)]
    [InlineData(-99, "LIBUSB_ERROR_OTHER", false, false)]
    public void ToException_Code_NameTimeoutAndDisconnectFlags(int code, string name, bool timeout, bool disconnected)
    {
        var error = LibUsbError.ToException(code, "bulk IN 0x81", "probe");

        Assert.Equal(name, error.ErrorName);
        Assert.Equal(code, error.ErrorCode);
        Assert.Equal(timeout, error.IsTimeout);
        Assert.Equal(disconnected, error.IsDisconnected);
    }

    [Fact]
    public void Enumerate_MachineWithoutStLinks_EmptyListNotException()
    {
        if (!NativeLibrary.TryLoad("libusb-1.0.so.0", out var library))
        {
            var message = "libusb-1.0 is not installed: install the Debian package 'libusb-1.0-0' (./test.sh does this when run as root).";
            if (ExternalTool.IsCi)
            {
                Assert.Fail(message);
            }

            Assert.Skip(message);
        }

        NativeLibrary.Free(library);

        var devices = StLinkUsb.Enumerate();

        Assert.Empty(devices);
    }
}
