namespace ProdFlash.Core.Diagnostics;

/// <summary>Host-visible signals that an ST-LINK may be a clone (stlink-protocol.md §6). None is proof on its own.</summary>
[Flags]
public enum CloneProbeSignals
{
    /// <summary>No signal.</summary>
    None = 0,

    /// <summary>The serial string descriptor is 26 bytes (12 raw bytes) instead of 50 (24 hex characters); stlink-protocol.md §6.1.</summary>
    BinarySerial = 1,

    /// <summary>The serial is the placeholder 303030303030303030303031 ("000000000001"); stlink-protocol.md §6.2.</summary>
    PlaceholderSerial = 2,

    /// <summary>Another attached probe reports the same serial; stlink-protocol.md §6.2.</summary>
    DuplicateSerial = 4,

    /// <summary>The serial descriptor has an odd length (for example 28 bytes with a trailing NUL); stlink-protocol.md §6.2.</summary>
    MalformedSerial = 8,
}
