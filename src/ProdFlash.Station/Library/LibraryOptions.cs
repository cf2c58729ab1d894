namespace ProdFlash.Station.Library;

/// <summary>Settings of the image library and recipe store (configuration section <c>Library</c>).</summary>
public sealed record LibraryOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Library";

    /// <summary>The largest image file accepted: 64 MiB, well above the largest STM32 flash in the catalog (2 MiB).</summary>
    public const long DefaultMaxImageBytes = 64L * 1024 * 1024;

    /// <summary>Folder of the content-addressed image files; the host sets it from <c>Station:ImageLibraryFolder</c> (default <c>firmware-images/library</c>, git-ignored).</summary>
    public string Folder { get; init; } = Path.Combine("firmware-images", "library");

    /// <summary>When true (the default) an image or recipe must be released by a different user than the one who uploaded or created it.</summary>
    public bool RequireTwoPersonRelease { get; init; } = true;

    /// <summary>The largest image file accepted, in bytes.</summary>
    public long MaxImageBytes { get; init; } = DefaultMaxImageBytes;
}
