using System.Globalization;

using ProdFlash.Data.Entities;

namespace ProdFlash.Station.Components.Engineer;

/// <summary>One contiguous block of an image as its library record describes it.</summary>
/// <param name="Address">Address of the first byte.</param>
/// <param name="Length">Number of bytes.</param>
public readonly record struct SegmentText(uint Address, long Length)
{
    /// <summary>The range written as <c>0x08000000–0x080003FF</c> (last byte inclusive).</summary>
    public string Range => Length > 0
        ? FormattableString.Invariant($"0x{Address:X8}–0x{Address + (ulong)Length - 1:X8}")
        : FormattableString.Invariant($"0x{Address:X8} (empty)");
}

/// <summary>How the engineer pages write an image's facts.</summary>
public static class ImageText
{
    /// <summary>The first 12 hex characters of a SHA-256, enough to tell images apart on screen.</summary>
    public static string ShortSha(string sha256)
    {
        ArgumentNullException.ThrowIfNull(sha256);
        return sha256.Length > 12 ? sha256[..12] : sha256;
    }

    /// <summary>A size in bytes, with KiB when it is large enough to matter.</summary>
    public static string Size(long bytes) => bytes >= 1024
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes:N0} bytes ({bytes / 1024.0:0.#} KiB)")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes:N0} bytes");

    /// <summary>A moment in UTC, to the second.</summary>
    public static string When(DateTimeOffset? at) =>
        at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) : "—";

    /// <summary>The segments of <paramref name="image"/>, read from its record (<see cref="FirmwareImage.DescribeSegments"/>: <c>0x08000000+1234 …</c>).</summary>
    public static IReadOnlyList<SegmentText> Segments(FirmwareImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var segments = new List<SegmentText>();
        foreach (var token in image.Segments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var plus = token.IndexOf('+', StringComparison.Ordinal);
            if (plus > 2
                && uint.TryParse(token.AsSpan(2, plus - 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var address)
                && long.TryParse(token.AsSpan(plus + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var length))
            {
                segments.Add(new SegmentText(address, length));
            }
        }

        return segments;
    }

    /// <summary>
    /// A load address as an engineer writes it: hex with or without <c>0x</c> (<c>0x08000000</c>, <c>08000000</c>), or
    /// empty for none. Returns false for anything else.
    /// </summary>
    public static bool TryParseAddress(string? text, out uint? address)
    {
        address = null;
        var value = text?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return true;
        }

        if (value.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            value = value[2..];
        }

        if (uint.TryParse(value, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var parsed))
        {
            address = parsed;
            return true;
        }

        return false;
    }
}
