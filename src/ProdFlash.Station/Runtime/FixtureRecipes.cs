using Microsoft.EntityFrameworkCore;

using ProdFlash.Data;
using ProdFlash.Data.Entities;
using ProdFlash.Station.Library;

namespace ProdFlash.Station.Runtime;

/// <summary>
/// Which recipe each fixture runs: the recipe file named in the configuration, or a Released library recipe an engineer
/// assigned (kept in the database, so it survives a restart). Every change is audited.
/// </summary>
/// <remarks>
/// A library recipe runs its library image, re-hashed before every attempt; it is checked to be still Released at every
/// Start, so making it Obsolete stops the line from running it without touching a running fixture.
/// </remarks>
public sealed class FixtureRecipes(StationDatabase database, RecipeStore recipes, ImageLibrary images, TimeProvider time)
{
    /// <summary>The audit entity type of assignments.</summary>
    public const string AuditEntityType = "Fixture";

    /// <summary>
    /// Builds what a fixture runs for the Released library recipe <paramref name="recipeId"/>, checking that it is
    /// Released, parses, and that its stored image is intact and fits every part it accepts.
    /// </summary>
    /// <exception cref="LibraryItemNotFoundException">No recipe has that id.</exception>
    /// <exception cref="LibraryStateException">The recipe is not Released.</exception>
    /// <exception cref="ImageIntegrityException">Its stored image no longer matches its SHA-256.</exception>
    public async Task<FixtureAssignment> LibraryAssignmentAsync(int recipeId, CancellationToken cancellationToken)
    {
        var runnable = await recipes.LoadForRunAsync(recipeId, cancellationToken).ConfigureAwait(false);
        ImageLibrary.EnsureFits(runnable.Image, runnable.Record.ImageSha256, images.PartsOf(runnable.Recipe));
        var plan = FixturePlan.FromLibrary(runnable.Recipe, recipeId, runnable.Record.ImageSha256, images);
        return new FixtureAssignment(recipeId, Describe(runnable.Record), plan, null, FromLibrary: true)
        {
            StartCheck = ct => StillReleasedAsync(recipeId, ct),
        };
    }

    /// <summary>A library assignment that cannot run: every Start is refused with <paramref name="problem"/>.</summary>
    public static FixtureAssignment Unrunnable(int recipeId, string description, string problem) =>
        new(recipeId, description, null, problem, FromLibrary: true);

    /// <summary>The description shown for a recipe record, e.g. <c>Blue Pill sample 1.1.0 (library #7)</c>.</summary>
    public static string Describe(RecipeRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.CreatedBy == StationRegistry.ConfigurationUser
            ? $"{record.Name} {record.Version} (configuration)"
            : $"{record.Name} {record.Version} (library #{record.Id})";
    }

    /// <summary>
    /// Makes <paramref name="coordinator"/> run the Released library recipe <paramref name="recipeId"/> from its next Start,
    /// and records the assignment and who made it.
    /// </summary>
    /// <exception cref="FixtureBusyException">The fixture is running.</exception>
    /// <exception cref="LibraryItemNotFoundException">No recipe has that id.</exception>
    /// <exception cref="LibraryStateException">The recipe is not Released.</exception>
    /// <exception cref="LibraryValidationException">Its image does not fit a part it accepts.</exception>
    /// <exception cref="ImageIntegrityException">Its stored image no longer matches its SHA-256.</exception>
    public async Task<FixtureAssignment> AssignAsync(FixtureCoordinator coordinator, int recipeId, string user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(coordinator);
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        var assignment = await LibraryAssignmentAsync(recipeId, cancellationToken).ConfigureAwait(false);
        var before = coordinator.Assignment;
        coordinator.Assign(assignment);
        try
        {
            await SaveAsync(coordinator, recipeId, user, "fixture.assign-recipe", $"{before.Description} -> {assignment.Description}", cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            coordinator.Assign(before);
            throw;
        }

        return assignment;
    }

    /// <summary>Makes <paramref name="coordinator"/> run its configured recipe file again, and records who did it.</summary>
    /// <exception cref="FixtureBusyException">The fixture is running.</exception>
    public async Task<FixtureAssignment> UnassignAsync(FixtureCoordinator coordinator, string user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(coordinator);
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        var before = coordinator.Assignment;
        coordinator.Assign(coordinator.Configured);
        try
        {
            await SaveAsync(coordinator, null, user, "fixture.unassign-recipe", $"{before.Description} -> {coordinator.Configured.Description}", cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            coordinator.Assign(before);
            throw;
        }

        return coordinator.Configured;
    }

    private async Task<string?> StillReleasedAsync(int recipeId, CancellationToken cancellationToken)
    {
        var record = await recipes.GetAsync(recipeId, cancellationToken).ConfigureAwait(false);
        return record.State == ReleaseState.Released
            ? null
            : $"recipe #{recipeId} is {record.State} now; an engineer assigns a Released recipe to the fixture (or returns it to its configured recipe).";
    }

    private async Task SaveAsync(FixtureCoordinator coordinator, int? recipeId, string user, string action, string details, CancellationToken cancellationToken)
    {
        var context = database.CreateContext();
        await using (context.ConfigureAwait(false))
        {
            var fixture = await context.Fixtures.AsTracking().SingleAsync(f => f.Id == coordinator.FixtureId, cancellationToken).ConfigureAwait(false);
            fixture.AssignedRecipeId = recipeId;
            context.AuditEvents.Add(new AuditEvent
            {
                Actor = user,
                Action = action,
                EntityType = AuditEntityType,
                EntityId = coordinator.Name,
                At = time.GetUtcNow(),
                Details = details,
            });
            await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
