namespace ProdFlash.Core.Devices;

/// <summary>
/// The device catalog data is broken: a required field is missing, a value has the wrong form, a reference points
/// nowhere, or a layout does not cover the flash it describes.
/// </summary>
public sealed class DeviceCatalogException : Exception
{
    /// <summary>Creates the exception for the entry at <paramref name="entry"/> and its field <paramref name="field"/>.</summary>
    /// <param name="entry">Where in the data the problem is, e.g. <c>families[f1].lines[0x410]</c> or <c>parts[stm32f103c8]</c>.</param>
    /// <param name="field">The field that is wrong (e.g. <c>devId</c>), or null when the entry as a whole is wrong.</param>
    /// <param name="problem">What is wrong and, where it helps, what to do.</param>
    public DeviceCatalogException(string entry, string? field, string problem)
        : base(field is null ? $"Device catalog entry {entry}: {problem}" : $"Device catalog entry {entry}, field '{field}': {problem}")
    {
        Entry = entry;
        Field = field;
    }

    /// <summary>Creates the exception with a message only (no entry/field context).</summary>
    public DeviceCatalogException(string message)
        : base(message)
    {
        Entry = string.Empty;
    }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public DeviceCatalogException(string message, Exception innerException)
        : base(message, innerException)
    {
        Entry = string.Empty;
    }

    /// <summary>Creates the exception with no message (for serializers and frameworks).</summary>
    public DeviceCatalogException()
    {
        Entry = string.Empty;
    }

    /// <summary>The entry the problem is in (empty when the document as a whole is unreadable).</summary>
    public string Entry { get; }

    /// <summary>The field inside <see cref="Entry"/> that is wrong, if one is.</summary>
    public string? Field { get; }
}
