using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Images;
using ProdFlash.Core.Recipes;
using ProdFlash.Core.Serialization;
using ProdFlash.Core.Targets;

namespace ProdFlash.Programming.Engine;

/// <summary>
/// Runs one attempt on one board (DESIGN §5): probe, power, connect, identify, option bytes, erase, program, verify,
/// serialize, finalize. Each phase has the recipe's time limit, emits typed events in the documented order
/// (<see cref="AttemptEvent"/>) and records a ledger entry. Every failure ends in a failure code with a diagnosis;
/// cancellation ends in <see cref="AttemptOutcome.Aborted"/>. Nothing escapes as an exception.
/// </summary>
/// <remarks>
/// Stateless between attempts; one engine may serve many slots, but each attempt owns its probe for its duration
/// (one runner per probe). Events are reported synchronously on the attempt's thread, in order.
/// </remarks>
public sealed class AttemptEngine
{
    private readonly AttemptOptions _options;

    /// <summary>Creates the engine.</summary>
    /// <param name="options">Catalog, flash drivers and clocks.</param>
    public AttemptEngine(AttemptOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
    }

    /// <summary>Runs one attempt.</summary>
    /// <param name="probe">The opened probe of the slot; not disposed here.</param>
    /// <param name="recipe">The recipe.</param>
    /// <param name="image">The firmware image.</param>
    /// <param name="serial">The record rendered from the reserved serial value, or null for none.</param>
    /// <param name="progress">Receives the events synchronously, in order, or null.</param>
    /// <param name="cancellationToken">Aborts the attempt.</param>
    /// <returns>The result: Passed, Failed with a diagnosis, or Aborted.</returns>
    /// <exception cref="ArgumentException">A serial record is given but the recipe has no serial scheme.</exception>
    public Task<AttemptResult> RunAsync(IDebugProbe probe, Recipe recipe, MemoryImage image, SerialRecord? serial, IProgress<AttemptEvent>? progress, CancellationToken cancellationToken) =>
        RunAsync(probe, recipe, image, serial, null, progress, cancellationToken);

    /// <summary>Runs one attempt, with what this slot saw of the board before.</summary>
    /// <param name="probe">The opened probe of the slot; not disposed here.</param>
    /// <param name="recipe">The recipe.</param>
    /// <param name="image">The firmware image.</param>
    /// <param name="serial">The record rendered from the reserved serial value, or null for none.</param>
    /// <param name="prior">
    /// This slot's earlier contact with a board (<see cref="PriorContact.From"/> of the slot's previous attempt), or
    /// null. It is evidence only: a chip that answers nothing is reported as locked for good (RDP level 2) when the
    /// same board was left at level 2 before, it is powered and it stays silent under reset at every frequency.
    /// </param>
    /// <param name="progress">Receives the events synchronously, in order, or null.</param>
    /// <param name="cancellationToken">Aborts the attempt.</param>
    /// <returns>The result: Passed, Failed with a diagnosis, or Aborted.</returns>
    /// <exception cref="ArgumentException">A serial record is given but the recipe has no serial scheme.</exception>
    public Task<AttemptResult> RunAsync(IDebugProbe probe, Recipe recipe, MemoryImage image, SerialRecord? serial, PriorContact? prior, IProgress<AttemptEvent>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(image);
        if (serial is not null && recipe.Serial is null)
        {
            throw new ArgumentException($"A serial record ({serial.Text}) was given, but recipe '{recipe.Name}' has no serial scheme; pass null or use a recipe with one.", nameof(serial));
        }

        return new AttemptRun(_options, probe, recipe, image, serial, progress, prior).ExecuteAsync(cancellationToken);
    }
}
