using ProdFlash.Emulator.Target;

namespace ProdFlash.Emulator.Chips;

/// <summary>
/// A family's flash interface as <see cref="Stm32Chip"/> drives it: the register window, writes into main flash,
/// the option-byte area, readout protection as loaded, and the counters the board faults read.
/// </summary>
/// <remarks>Not thread-safe; owned by one chip model. All time comes from the chip's modeled clock.</remarks>
public interface IStm32FlashController
{
    /// <summary>Size of the register window at the catalog's controller base.</summary>
    uint RegisterWindowSize { get; }

    /// <summary>Whether a program or erase operation is running at the current modeled time.</summary>
    bool IsBusy { get; }

    /// <summary>Modeled time at which the current (or last) operation ends (what a bus access to busy flash waits for).</summary>
    TimeSpan BusyUntil { get; }

    /// <summary>Whether the debugger may read main flash (false at RDP level 1 or 2).</summary>
    bool MainFlashReadable { get; }

    /// <summary>Whether the loaded option bytes close the debug port (RDP level 2).</summary>
    bool DebugPortClosed { get; }

    /// <summary>Bytes of main flash programmed since power-up.</summary>
    long BytesProgrammed { get; }

    /// <summary>Bytes of main flash erased since power-up.</summary>
    long BytesErased { get; }

    /// <summary>Offset of the first main-flash byte programmed since power-up, or -1.</summary>
    int FirstProgrammedOffset { get; }

    /// <summary>Size of the option-byte area in memory (0 where the family shows none on the bus).</summary>
    int OptionAreaSize { get; }

    /// <summary>Reads the word-aligned register at <paramref name="offset"/>.</summary>
    uint ReadRegister(uint offset);

    /// <summary>Writes the word-aligned register at <paramref name="offset"/>.</summary>
    BusResult WriteRegister(uint offset, uint value);

    /// <summary>A bus write into main flash at <paramref name="offset"/>.</summary>
    BusResult WriteMain(int offset, AccessWidth width, uint value);

    /// <summary>Reads the option-byte area (little-endian item of <paramref name="size"/> bytes).</summary>
    uint ReadOptionArea(int offset, int size);

    /// <summary>A bus write into the option-byte area (F0: OPTPG programming; elsewhere ignored).</summary>
    BusResult WriteOptionArea(int offset, AccessWidth width, uint value);

    /// <summary>System reset: registers to reset values, option bytes reloaded.</summary>
    void Reset();

    /// <summary>
    /// The board lost power: an operation in progress stops where it is (a unit under program is left partly
    /// programmed, a unit under erase partly erased).
    /// </summary>
    void PowerLost();
}

/// <summary>A chip model that knows what losing power does to a flash operation in progress (the <c>brown-out</c> fault).</summary>
public interface IPowerLossAware
{
    /// <summary>The supply collapsed now: an operation in progress stops where it is (a unit under program is left partly programmed).</summary>
    void PowerLost();
}
