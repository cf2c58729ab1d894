namespace ProdFlash.Station.Components.Operator;

/// <summary>How many of a fixture's slots show each tile state (the overview's line per fixture).</summary>
/// <param name="Running">Slots running an attempt.</param>
/// <param name="Pass">Slots whose last attempt passed.</param>
/// <param name="Fail">Slots whose last attempt failed or was aborted.</param>
/// <param name="Idle">Slots with no result yet.</param>
/// <param name="Disabled">Slots a Start does not program.</param>
public sealed record FixtureCounts(int Running, int Pass, int Fail, int Idle, int Disabled)
{
    /// <summary>Counts the slots of <paramref name="fixture"/>.</summary>
    public static FixtureCounts Of(FixtureStatus fixture)
    {
        ArgumentNullException.ThrowIfNull(fixture);
        var states = fixture.Slots.Select(SlotTileModel.StateOf).ToList();
        return new(
            states.Count(s => s == TileState.Running),
            states.Count(s => s == TileState.Pass),
            states.Count(s => s is TileState.Fail or TileState.Aborted),
            states.Count(s => s == TileState.Idle),
            states.Count(s => s == TileState.Disabled));
    }
}
