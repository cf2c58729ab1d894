using ProdFlash.Emulator.Target;

namespace ProdFlash.Emulator.Chips.Execution;

/// <summary>
/// The chip's bus as its own Cortex-M core sees it while it executes code from SRAM: the SRAM blocks (fetch and fast
/// data), everything else through the chip's bus decoder, the stall of a busy flash, and the next time a peripheral
/// changes on its own (for idle-loop fast-forward).
/// </summary>
/// <remarks>Called by <see cref="ThumbCpu"/> only, on the chip's thread, while the chip catches its core up.</remarks>
public interface ICoreBus
{
    /// <summary>The SRAM blocks: base address and backing bytes. Code executes only from these.</summary>
    IReadOnlyList<SramBlock> Sram { get; }

    /// <summary>Whether <paramref name="address"/> holds firmware (main flash, its boot alias, system memory): a branch there leaves the executed code and the core runs on abstractly.</summary>
    bool IsFirmware(uint address);

    /// <summary>A data read outside SRAM (flash, peripherals, private peripheral bus).</summary>
    /// <returns><see cref="BusResult.Wait"/> while the slave stalls the bus (until <see cref="StallUntil"/>).</returns>
    BusResult Read(uint address, int size, out uint value);

    /// <summary>A data write outside SRAM; flash writes go through the flash controller exactly as debug writes do.</summary>
    /// <returns><see cref="BusResult.Wait"/> while the slave stalls the bus (until <see cref="StallUntil"/>).</returns>
    BusResult Write(uint address, int size, uint value);

    /// <summary>When the last <see cref="BusResult.Wait"/> ends: the flash controller's BusyUntil.</summary>
    TimeSpan StallUntil { get; }

    /// <summary>
    /// When a register the core may poll last changed, or will change, by itself: the end of the current or last
    /// flash operation (in the past once it ended). <see cref="TimeSpan.MaxValue"/> forbids fast-forwarding
    /// (a DMA transfer is moving data item by item).
    /// </summary>
    TimeSpan LastEvent { get; }
}

/// <summary>One SRAM block of the chip.</summary>
/// <param name="Base">Bus address of byte 0.</param>
/// <param name="Memory">The bytes (shared with the debugger's view).</param>
public sealed record SramBlock(uint Base, byte[] Memory);
