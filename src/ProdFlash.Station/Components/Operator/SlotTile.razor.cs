using Microsoft.AspNetCore.Components;

namespace ProdFlash.Station.Components.Operator;

/// <summary>One large tile per slot, readable from two metres on a 1080p line screen.</summary>
/// <remarks>
/// Slot snapshots are immutable and the store replaces only the slot that changed, so the tile re-renders only when
/// it is handed a different <see cref="SlotStatus"/> instance: a fixture page of 32 tiles redraws the changed ones.
/// </remarks>
public sealed partial class SlotTile : ComponentBase
{
    private SlotStatus? _shown;
    private bool _changed;

    /// <summary>The slot to show.</summary>
    [Parameter, EditorRequired]
    public SlotStatus Slot { get; set; } = default!;

    /// <summary>What the tile shows.</summary>
    public SlotTileModel Model { get; private set; } = default!;

    private string StateClass => Model.State.ToString().ToLowerInvariant();

    /// <inheritdoc/>
    protected override void OnParametersSet()
    {
        _changed = !ReferenceEquals(_shown, Slot);
        _shown = Slot;
        if (_changed)
        {
            Model = SlotTileModel.From(Slot);
        }
    }

    /// <inheritdoc/>
    protected override bool ShouldRender() => _changed;
}
