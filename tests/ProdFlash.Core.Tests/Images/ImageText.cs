using System.Text;

using ProdFlash.Core.Images;

namespace ProdFlash.Core.Tests.Images;

/// <summary>Helpers shared by the image tests: read text and bytes in memory, find the committed sample firmware.</summary>
internal static class ImageText
{
    public static MemoryImage ReadHex(string text, string fileName = "firmware.hex") =>
        ImageReader.Read(new MemoryStream(Encoding.ASCII.GetBytes(text)), fileName, ImageFormat.IntelHex);

    public static MemoryImage ReadSRecord(string text, string fileName = "firmware.srec") =>
        ImageReader.Read(new MemoryStream(Encoding.ASCII.GetBytes(text)), fileName, ImageFormat.SRecord);

    public static ImageParseException HexError(string text) =>
        Assert.Throws<ImageParseException>(() => ReadHex(text));

    public static ImageParseException SRecordError(string text) =>
        Assert.Throws<ImageParseException>(() => ReadSRecord(text));

    public static byte[] Write(MemoryImage image, ImageFormat format)
    {
        using var stream = new MemoryStream();
        ImageWriter.Write(image, stream, format);
        return stream.ToArray();
    }

    public static byte[] Flatten(MemoryImage image, byte fill)
    {
        var bytes = new byte[checked((int)(image.EndAddress!.Value - image.StartAddress!.Value))];
        image.CopyTo(image.StartAddress.Value, bytes, fill);
        return bytes;
    }

    /// <summary>The folder of the committed sample firmware, found by walking up from the test binaries.</summary>
    public static string SampleFolder
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                var candidate = Path.Combine(directory.FullName, "firmware-images", "samples", "blue-pill-f103c8");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new DirectoryNotFoundException("firmware-images/samples/blue-pill-f103c8 not found above " + AppContext.BaseDirectory);
        }
    }
}
