using ProdFlash.Core.Images;

namespace ProdFlash.Data.Entities;

/// <summary>A firmware image in the library (DESIGN §8).</summary>
public sealed class FirmwareImage
{
    /// <summary>Key.</summary>
    public int Id { get; set; }

    /// <summary>SHA-256 of the image content (<see cref="MemoryImage.Sha256"/>), 64 lower-case hex characters; unique.</summary>
    public required string Sha256 { get; set; }

    /// <summary>The file name it was uploaded as.</summary>
    public required string FileName { get; set; }

    /// <summary>The uploaded file's format.</summary>
    public ImageFormat Format { get; set; }

    /// <summary>Number of contiguous segments.</summary>
    public int SegmentCount { get; set; }

    /// <summary>Data bytes over all segments.</summary>
    public long TotalBytes { get; set; }

    /// <summary>Segments as text, one "0xADDRESS+LENGTH" per segment separated by spaces.</summary>
    public required string Segments { get; set; }

    /// <summary>The catalog part it is built for ("STM32F103C8"), when known.</summary>
    public string? TargetPart { get; set; }

    /// <summary>Draft → Released → Obsolete.</summary>
    public ReleaseState State { get; set; }

    /// <summary>Who uploaded it.</summary>
    public required string UploadedBy { get; set; }

    /// <summary>When it was uploaded.</summary>
    public DateTimeOffset UploadedAt { get; set; }

    /// <summary>Who released it.</summary>
    public string? ReleasedBy { get; set; }

    /// <summary>When it was released.</summary>
    public DateTimeOffset? ReleasedAt { get; set; }

    /// <summary>When it was made obsolete.</summary>
    public DateTimeOffset? ObsoletedAt { get; set; }

    /// <summary>Builds the summary fields from a parsed image.</summary>
    public static string DescribeSegments(MemoryImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        return string.Join(' ', image.Segments.Select(s => FormattableString.Invariant($"0x{s.Address:X8}+{s.Length}")));
    }
}

/// <summary>A recipe version (DESIGN §8): the JSON as written, plus the fields reports and look-ups need.</summary>
public sealed class RecipeRecord
{
    /// <summary>Key.</summary>
    public int Id { get; set; }

    /// <summary>The recipe's name.</summary>
    public required string Name { get; set; }

    /// <summary>The recipe's version; (name, version) is unique.</summary>
    public required string Version { get; set; }

    /// <summary>Draft → Released → Obsolete.</summary>
    public ReleaseState State { get; set; }

    /// <summary>The recipe JSON (schema in docs/recipe.md), exactly as uploaded.</summary>
    public required string Json { get; set; }

    /// <summary>SHA-256 of the image the recipe programs.</summary>
    public required string ImageSha256 { get; set; }

    /// <summary>Who created it.</summary>
    public required string CreatedBy { get; set; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Who released it.</summary>
    public string? ReleasedBy { get; set; }

    /// <summary>When it was released.</summary>
    public DateTimeOffset? ReleasedAt { get; set; }

    /// <summary>When it was made Obsolete (who: the audit event); an Obsolete recipe never runs again.</summary>
    public DateTimeOffset? ObsoletedAt { get; set; }
}
