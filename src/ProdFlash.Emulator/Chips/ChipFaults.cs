namespace ProdFlash.Emulator.Chips;

/// <summary>A flash bit that no longer follows erase and program: it always reads <paramref name="Value"/>.</summary>
/// <remarks>
/// Stuck at 1: programming reports success and verification reads the 1. Stuck at 0: the erased half-word no longer
/// reads 0xFFFF, so programming any value but 0x0000 there fails with PGERR (the FPEC's erased check), which a
/// programmer reports as a programming error rather than a verify mismatch.
/// </remarks>
/// <param name="Address">Byte address in the main flash (0x08000000-based).</param>
/// <param name="Bit">Bit number inside the byte, 0..7.</param>
/// <param name="Value">The value the bit is stuck at.</param>
public sealed record StuckBit(uint Address, int Bit, bool Value);

/// <summary>
/// Chip-level faults a test or the demo station injects by name (DESIGN.md §6): readout protection, write-protected
/// pages, stuck flash bits. Probe-level faults (no VCC, no ACK, unplug...) belong to the emulated probe.
/// </summary>
/// <param name="Rdp1">Start with readout protection level 1 (RDP option byte 0x00).</param>
/// <param name="Rdp2">Start with readout protection level 2; refused on families that have none (STM32F1).</param>
/// <param name="WriteProtectedPages">Page indices to write-protect through the WRP option bytes (the whole WRP group of each page is protected).</param>
/// <param name="StuckBits">Flash bits that stay at a fixed value, so verification fails.</param>
/// <param name="VerifyMismatch">
/// The first main-flash byte programmed after power-up reads back with bit 0 inverted (a weak cell): programming
/// reports success, verification finds one wrong word. Cleared by building the chip without the fault.
/// </param>
/// <param name="OptionByteWriteFails">
/// Option-byte programming ends with the family's error flag (F0/F1 PGERR, F4 OPERR, G0/L4 OPTVERR) and the
/// stored option bytes keep their old values.
/// </param>
public sealed record ChipFaults(
    bool Rdp1 = false,
    bool Rdp2 = false,
    IReadOnlySet<int>? WriteProtectedPages = null,
    IReadOnlyList<StuckBit>? StuckBits = null,
    bool VerifyMismatch = false,
    bool OptionByteWriteFails = false)
{
    /// <summary>No fault: a fresh chip as it leaves the factory (RDP level 0, no write protection, flash erased).</summary>
    public static ChipFaults None { get; } = new();
}

/// <summary>A chip model cannot be built as asked: an impossible fault or a value outside the part's range.</summary>
public sealed class ChipConfigurationException : Exception
{
    /// <summary>Creates the exception with a message naming what was wrong and what to do.</summary>
    public ChipConfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying cause.</summary>
    public ChipConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public ChipConfigurationException()
        : base("The chip model configuration is invalid.")
    {
    }
}

/// <summary>What the flash has done since the chip was created, for the probe's <c>unplug:PHASE:PERCENT</c> fault.</summary>
/// <param name="BytesProgrammed">Bytes of main flash programmed (2 per half-word).</param>
/// <param name="PagesErased">Pages erased one by one.</param>
/// <param name="MassErases">Mass erases, including the one forced by RDP regression.</param>
public readonly record struct FlashCounters(long BytesProgrammed, long PagesErased, long MassErases);
