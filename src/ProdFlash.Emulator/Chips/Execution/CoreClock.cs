using ProdFlash.Emulator.Target;

namespace ProdFlash.Emulator.Chips.Execution;

/// <summary>
/// The chip's view of modeled time: the probe's clock, except while the core executes, when it is the core's own
/// time, so that a flash operation the core starts begins at the cycle of its store, and a DMA transfer or BSY the
/// core polls is settled at the cycle of its load.
/// </summary>
/// <param name="inner">The emulator's modeled clock (the probe charges it).</param>
/// <remarks>Not thread-safe beyond what <paramref name="inner"/> offers; owned by one chip.</remarks>
public sealed class CoreClock(IModeledClock inner) : IModeledClock
{
    /// <summary>The interpreter whose time applies while it executes.</summary>
    public ThumbCpu? Cpu { get; set; }

    /// <summary>The probe's clock.</summary>
    public IModeledClock Inner => inner;

    /// <inheritdoc />
    public TimeSpan Now => Cpu is { IsExecuting: true } cpu ? cpu.Now : inner.Now;

    /// <inheritdoc />
    public void Advance(TimeSpan cost) => inner.Advance(cost);
}
