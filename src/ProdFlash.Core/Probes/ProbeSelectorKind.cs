namespace ProdFlash.Core.Probes;

/// <summary>Which kind of probe a <see cref="ProbeSelector"/> names (DESIGN.md §4).</summary>
public enum ProbeSelectorKind
{
    /// <summary><c>stlink://usb/SERIAL</c>: an ST-LINK on USB by its 24-hex-character serial.</summary>
    StLinkUsbSerial,

    /// <summary><c>stlink://usb?port=1-4.2</c>: an ST-LINK on a USB port path (for clones that share one serial).</summary>
    StLinkUsbPort,

    /// <summary><c>stlink://tcp/HOST:PORT[/SERIAL]</c>: an ST-LINK through an stlink-server.</summary>
    StLinkTcp,

    /// <summary><c>gdb://HOST:PORT</c>: a GDB remote-protocol server.</summary>
    Gdb,

    /// <summary><c>emulator://CHIP?probe=...&amp;faults=...</c>: the built-in emulator.</summary>
    Emulator,
}
