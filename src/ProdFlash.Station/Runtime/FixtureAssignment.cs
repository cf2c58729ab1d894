namespace ProdFlash.Station.Runtime;

/// <summary>
/// What a fixture runs: the recipe record its runs are recorded under and the plan its attempts program, or, when the
/// assigned recipe cannot run, the reason every Start is refused.
/// </summary>
/// <param name="RecipeId">The recipe record (Recipes table) runs are recorded under.</param>
/// <param name="Description">What the operator sees, e.g. <c>Blue Pill sample 1.0.0 (configuration)</c>.</param>
/// <param name="Plan">The recipe and image; null when <paramref name="Problem"/> says why nothing can run.</param>
/// <param name="Problem">Why Start is refused (e.g. the assigned recipe's image is missing), or null.</param>
/// <param name="FromLibrary">Whether an engineer assigned this Released library recipe (false: the configured file).</param>
public sealed record FixtureAssignment(int RecipeId, string Description, FixturePlan? Plan, string? Problem, bool FromLibrary)
{
    /// <summary>
    /// Checked at every Start, before a run is recorded: null when the recipe may still run, else why not (e.g. it was
    /// made Obsolete after it was assigned). Null for the configured recipe file, which has no release state.
    /// </summary>
    public Func<CancellationToken, Task<string?>>? StartCheck { get; init; }
}
