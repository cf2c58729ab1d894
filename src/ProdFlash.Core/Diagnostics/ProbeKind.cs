namespace ProdFlash.Core.Diagnostics;

/// <summary>The kind of debug probe, as far as a diagnosis needs it (which connector, which pin senses VCC).</summary>
public enum ProbeKind
{
    /// <summary>Not known; diagnoses use generic wording.</summary>
    Unknown = 0,

    /// <summary>Stand-alone ST-LINK/V2 (USB PID 0x3748) with the 20-pin JTAG/SWD connector; VCC sense is pin 1.</summary>
    StLinkV2,

    /// <summary>ST-LINK/V2-1, usually on a Nucleo or Discovery board (USB PID 0x374B).</summary>
    StLinkV21,

    /// <summary>STLINK-V3 (stand-alone V3SET/MINIE or on-board), with the STDC14 connector on stand-alone units.</summary>
    StLinkV3,

    /// <summary>A GDB remote-protocol server (Black Magic Probe, OpenOCD, pyOCD, J-Link GDB Server, QEMU).</summary>
    GdbServer,

    /// <summary>The built-in emulator.</summary>
    Emulator,
}
