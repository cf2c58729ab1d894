namespace ProdFlash.Core.Diagnostics;

/// <summary>The phases of one attempt on one slot, in the order they run (DESIGN §5).</summary>
public enum AttemptPhase
{
    /// <summary>Open the probe; firmware version; serial sanity; capabilities.</summary>
    Probe = 1,

    /// <summary>Target voltage inside the recipe window.</summary>
    Power,

    /// <summary>SWD connect in the recipe's mode and frequency, with retries.</summary>
    Connect,

    /// <summary>Debug identity, device, flash size, UID and genuineness.</summary>
    Identify,

    /// <summary>Read, decode and compare the option bytes; regress RDP or lift write protection where allowed.</summary>
    OptionBytes,

    /// <summary>Erase what the image needs.</summary>
    Erase,

    /// <summary>Program the image.</summary>
    Program,

    /// <summary>Read back or checksum every programmed byte.</summary>
    Verify,

    /// <summary>Render, write and read back the per-unit serial record.</summary>
    Serialize,

    /// <summary>Final option bytes, reload, reset and run.</summary>
    Finalize,

    /// <summary>Write the attempt row.</summary>
    Record,
}
