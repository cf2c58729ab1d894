using ProdFlash.Core.Diagnostics;

namespace ProdFlash.Station.Components.Operator;

/// <summary>What a slot tile shows, as an operator names it.</summary>
public enum TileState
{
    /// <summary>Ready, no result yet since the station started.</summary>
    Idle,

    /// <summary>An attempt is running.</summary>
    Running,

    /// <summary>The last attempt passed.</summary>
    Pass,

    /// <summary>The last attempt failed.</summary>
    Fail,

    /// <summary>The last attempt was aborted.</summary>
    Aborted,

    /// <summary>The slot is not programmed by a Start.</summary>
    Disabled,
}

/// <summary>
/// One slot as its tile shows it: the state by word, icon and colour (never colour alone), and the lines that go with
/// the state (phase and progress, serial and UID, failure title and remedy, or the reason it is disabled).
/// </summary>
/// <param name="Position">The slot's position, from 1.</param>
/// <param name="State">The tile's state.</param>
/// <param name="Word">The state's word: Idle, Running, PASS, FAIL, Aborted, Disabled.</param>
/// <param name="Icon">The state's icon (an SVG path from MudBlazor's Material set).</param>
/// <param name="IconName">The icon's name, for tests and assistive text.</param>
/// <param name="Phase">The running phase.</param>
/// <param name="Percent">Progress of the running phase, 0 to 100.</param>
/// <param name="Serial">The serial of a pass.</param>
/// <param name="McuUid">The MCU UID of a pass.</param>
/// <param name="Title">The failure's operator title.</param>
/// <param name="Remedy">What to do about the failure.</param>
/// <param name="Note">Why the slot is disabled, or a problem the slot reports while idle (a store that refused a write, a probe not bound).</param>
public sealed record SlotTileModel(
    int Position, TileState State, string Word, string Icon, string IconName, string? Phase, int Percent,
    string? Serial, string? McuUid, string? Title, string? Remedy, string? Note)
{
    /// <summary>The tile for <paramref name="slot"/>.</summary>
    public static SlotTileModel From(SlotStatus slot)
    {
        ArgumentNullException.ThrowIfNull(slot);
        var state = StateOf(slot);
        var (word, icon, iconName) = Look(state);
        var result = slot.LastResult;
        return state switch
        {
            TileState.Running => new(slot.Position, state, word, icon, iconName, PhaseName(slot.Phase), (int)Math.Round(Math.Clamp(slot.Progress, 0, 1) * 100), null, null, null, null, null),
            TileState.Pass => new(slot.Position, state, word, icon, iconName, null, 0, result!.Serial, result.McuUid, null, null, slot.Reason),
            TileState.Fail or TileState.Aborted => new(slot.Position, state, word, icon, iconName, null, 0, null, null, result!.Title, result.Remedy, slot.Reason),
            _ => new(slot.Position, state, word, icon, iconName, null, 0, null, null, null, null, slot.Reason),
        };
    }

    /// <summary>The tile state of <paramref name="slot"/>: its own state, else its last result.</summary>
    public static TileState StateOf(SlotStatus slot)
    {
        ArgumentNullException.ThrowIfNull(slot);
        return slot.State switch
        {
            SlotState.Disabled => TileState.Disabled,
            SlotState.Running => TileState.Running,
            _ => slot.LastResult switch
            {
                null => TileState.Idle,
                { Passed: true } => TileState.Pass,
                { Code: FailureCode.Aborted } => TileState.Aborted,
                _ => TileState.Fail,
            },
        };
    }

    private static (string Word, string Icon, string IconName) Look(TileState state) => state switch
    {
        TileState.Running => ("Running", MudBlazor.Icons.Material.Filled.Autorenew, "autorenew"),
        TileState.Pass => ("PASS", MudBlazor.Icons.Material.Filled.CheckCircle, "check-circle"),
        TileState.Fail => ("FAIL", MudBlazor.Icons.Material.Filled.Cancel, "cancel"),
        TileState.Aborted => ("Aborted", MudBlazor.Icons.Material.Filled.StopCircle, "stop-circle"),
        TileState.Disabled => ("Disabled", MudBlazor.Icons.Material.Filled.Block, "block"),
        _ => ("Idle", MudBlazor.Icons.Material.Filled.RadioButtonUnchecked, "radio-button-unchecked"),
    };

    // The engine names phases by AttemptPhase ("OptionBytes"); the runner's first step is "Start". Spaced for reading.
    private static string? PhaseName(string? phase) => phase switch
    {
        null => null,
        "OptionBytes" => "Option bytes",
        "Start" => "Starting",
        _ => phase,
    };
}
