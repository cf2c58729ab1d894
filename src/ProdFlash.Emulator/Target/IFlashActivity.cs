namespace ProdFlash.Emulator.Target;

/// <summary>
/// Counters a chip model exposes about its flash, so board faults can fire at a phase of a programming run
/// (<c>unplug:erase:P</c>, <c>unplug:program:P</c>).
/// </summary>
/// <remarks>Read between probe transactions, from the thread that runs them.</remarks>
public interface IFlashActivity
{
    /// <summary>Size of the main flash in bytes.</summary>
    long FlashSizeBytes { get; }

    /// <summary>Bytes of main flash programmed since power-up.</summary>
    long BytesProgrammed { get; }

    /// <summary>Bytes of main flash erased since power-up (page erases add a page, mass erases the whole flash).</summary>
    long BytesErased { get; }
}
