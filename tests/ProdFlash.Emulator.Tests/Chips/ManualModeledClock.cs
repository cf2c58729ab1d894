using ProdFlash.Emulator.Target;

namespace ProdFlash.Emulator.Tests.Chips;

/// <summary>Modeled time that moves only when a test advances it.</summary>
internal sealed class ManualModeledClock : IModeledClock
{
    public TimeSpan Now { get; private set; }

    public void Advance(TimeSpan cost) => Now += cost;
}
