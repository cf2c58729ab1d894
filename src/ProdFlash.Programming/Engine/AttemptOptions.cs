using ProdFlash.Core.Devices;
using ProdFlash.Core.Targets;
using ProdFlash.Programming.Flash;

namespace ProdFlash.Programming.Engine;

/// <summary>Creates the flash driver of <paramref name="part"/>'s family on <paramref name="memory"/>.</summary>
/// <param name="part">The identified catalog part.</param>
/// <param name="memory">The target memory the driver must use (the engine's counting wrapper).</param>
public delegate IFlashDriver FlashDriverFactory(DevicePart part, ITargetMemory memory);

/// <summary>How the engine runs attempts: catalog, flash drivers and clocks.</summary>
/// <remarks>Immutable; one instance may serve every slot of a station.</remarks>
public sealed record AttemptOptions
{
    /// <summary>The device catalog identification looks parts up in.</summary>
    public DeviceCatalog Catalog { get; init; } = DeviceCatalog.Default;

    /// <summary>Creates the per-family flash driver.</summary>
    public required FlashDriverFactory FlashDrivers { get; init; }

    /// <summary>
    /// The modeled clock the ledger and the phase limits are measured on: the emulator's virtual time under the
    /// emulator, the system clock on hardware.
    /// </summary>
    public TimeProvider ModeledTime { get; init; } = TimeProvider.System;

    /// <summary>The clock wall-time phase limits run on (a fake clock in tests).</summary>
    public TimeProvider WallTime { get; init; } = TimeProvider.System;

    /// <summary>Who a cancellation is attributed to in the Aborted diagnosis.</summary>
    public string StoppedBy { get; init; } = "the operator";
}
