namespace ProdFlash.Core.Recipes;

/// <summary>How the station attaches to the target's debug port (DESIGN §5 phase 3).</summary>
public enum ConnectMode
{
    /// <summary>Attach while the firmware runs, without touching NRST.</summary>
    Normal,

    /// <summary>Hold NRST low, attach, then release (needs NRST wired: probe pin 15 on the 20-pin ST-LINK/V2 connector; stm32-targets.md §6).</summary>
    UnderReset,

    /// <summary>Attach without reset and without halting the core.</summary>
    HotPlug,
}
