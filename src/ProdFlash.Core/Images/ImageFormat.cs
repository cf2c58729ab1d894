namespace ProdFlash.Core.Images;

/// <summary>The firmware image file formats ProdFlash reads (and, except ELF, writes).</summary>
public enum ImageFormat
{
    /// <summary>Intel HEX (record types 00–05): <c>.hex</c>, <c>.ihex</c>.</summary>
    IntelHex,

    /// <summary>Motorola S-record (S0–S3, S5/S6, S7–S9): <c>.srec</c>, <c>.s19</c>, <c>.s28</c>, <c>.s37</c>, <c>.mot</c>.</summary>
    SRecord,

    /// <summary>32-bit little-endian ARM ELF executable; the PT_LOAD segments at their physical addresses: <c>.elf</c>, <c>.axf</c>.</summary>
    Elf,

    /// <summary>Raw bytes with no addresses; a base address must be given: <c>.bin</c>.</summary>
    Binary,
}

/// <summary>Names and file extensions of the <see cref="ImageFormat"/> values.</summary>
public static class ImageFormats
{
    /// <summary>The format a file extension conventionally means, or null when the extension is unknown.</summary>
    /// <param name="path">A file name or path; only its extension is looked at (case-insensitive).</param>
    public static ImageFormat? FromExtension(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Path.GetExtension(path).ToUpperInvariant() switch
        {
            ".HEX" or ".IHEX" => ImageFormat.IntelHex,
            ".SREC" or ".S19" or ".S28" or ".S37" or ".MOT" => ImageFormat.SRecord,
            ".ELF" or ".AXF" => ImageFormat.Elf,
            ".BIN" => ImageFormat.Binary,
            _ => null,
        };
    }

    /// <summary>Parses a format name as a user types it: <c>hex</c>, <c>srec</c>, <c>elf</c> or <c>bin</c> (case-insensitive).</summary>
    /// <param name="name">The name; the aliases <c>ihex</c>, <c>s19</c>, <c>mot</c>, <c>axf</c> and <c>binary</c> are accepted too.</param>
    /// <exception cref="ArgumentException">The name is not one of the formats.</exception>
    public static ImageFormat Parse(string name)
    {
        return TryParse(name, out var format)
            ? format
            : throw new ArgumentException($"'{name}' is not an image format; use hex, srec, elf or bin.", nameof(name));
    }

    /// <summary>Parses a format name like <see cref="Parse"/>; returns false instead of throwing.</summary>
    public static bool TryParse(string? name, out ImageFormat format)
    {
        ImageFormat? parsed = name?.Trim().ToUpperInvariant() switch
        {
            "HEX" or "IHEX" or "INTELHEX" => ImageFormat.IntelHex,
            "SREC" or "S19" or "S28" or "S37" or "MOT" or "SRECORD" => ImageFormat.SRecord,
            "ELF" or "AXF" => ImageFormat.Elf,
            "BIN" or "BINARY" => ImageFormat.Binary,
            _ => null,
        };
        format = parsed.GetValueOrDefault();
        return parsed.HasValue;
    }
}
