using System.Text;

namespace ProdFlash.Probes.Usb;

/// <summary>An ST-LINK serial as the station names it, with the raw descriptor kept as evidence.</summary>
/// <param name="Text">24 upper-case hex characters for ST serials (binary serials hex-converted); the decoded text otherwise.</param>
/// <param name="RawDescriptor">The whole string descriptor as read (bLength, bDescriptorType, UTF-16LE payload).</param>
/// <param name="WasBinary">True when the descriptor held 12 raw bytes (bLength 26, old V2 firmware) and was hex-converted.</param>
public sealed record UsbSerialNumber(string Text, byte[] RawDescriptor, bool WasBinary)
{
    /// <summary>bLength of a binary serial: 2 + 12 UTF-16 code units of one raw byte each (reference §6.1).</summary>
    public const int BinaryDescriptorLength = 26;

    /// <summary>
    /// Decodes a raw serial string descriptor. bLength 26 (12 code units) is a binary serial: the low byte of each
    /// code unit is a raw byte, hex-converted with <c>%02X</c> like OpenOCD and stlink-org (reference §6.1). A
    /// descriptor of another length whose code units are not all printable ASCII (e.g. the 13-byte serial with a
    /// trailing NUL of stlink-org #318) is hex-converted the same way rather than turned into unreadable text.
    /// Otherwise it is UTF-16LE text; a 24-character hex text is upper-cased.
    /// </summary>
    /// <exception cref="ArgumentException">The bytes are not a string descriptor.</exception>
    public static UsbSerialNumber Decode(ReadOnlySpan<byte> descriptor)
    {
        if (descriptor.Length < 2 || descriptor[1] != 0x03 || descriptor[0] < 2)
        {
            throw new ArgumentException("Not a USB string descriptor (bLength ≥ 2, bDescriptorType 0x03 expected).", nameof(descriptor));
        }

        var length = Math.Min(descriptor[0], descriptor.Length);
        var payload = descriptor[2..length];
        payload = payload[..(payload.Length & ~1)];
        var raw = descriptor[..length].ToArray();
        if (descriptor[0] == BinaryDescriptorLength || !IsPrintableAscii(payload))
        {
            var hex = new StringBuilder(24);
            for (var i = 0; i < payload.Length; i += 2)
            {
                hex.Append(payload[i].ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }

            return new UsbSerialNumber(hex.ToString(), raw, true);
        }

        var text = Encoding.Unicode.GetString(payload);
        if (text.Length == 24 && text.All(Uri.IsHexDigit))
        {
            text = text.ToUpperInvariant();
        }

        return new UsbSerialNumber(text, raw, false);
    }

    private static bool IsPrintableAscii(ReadOnlySpan<byte> utf16)
    {
        for (var i = 0; i < utf16.Length; i += 2)
        {
            if (utf16[i + 1] != 0 || utf16[i] < 0x20 || utf16[i] > 0x7E)
            {
                return false;
            }
        }

        return true;
    }
}
