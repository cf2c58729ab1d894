using System.Globalization;

using Microsoft.EntityFrameworkCore;

using ProdFlash.Data;

namespace ProdFlash.Station.Components.Manager;

/// <summary>One entry of a filter's drop-down: a key and what it is called.</summary>
/// <param name="Id">The key.</param>
/// <param name="Name">Its name ("ST01/F1/3").</param>
public sealed record FilterChoice(int Id, string Name);

/// <summary>The stations, fixtures, slots and recipes a manager page can filter by, with their names.</summary>
/// <param name="Stations">Stations.</param>
/// <param name="Fixtures">Fixtures, named station/fixture.</param>
/// <param name="Slots">Slots, named station/fixture/position.</param>
/// <param name="Recipes">Recipes, named "name version".</param>
public sealed record FilterChoices(IReadOnlyList<FilterChoice> Stations, IReadOnlyList<FilterChoice> Fixtures, IReadOnlyList<FilterChoice> Slots, IReadOnlyList<FilterChoice> Recipes)
{
    /// <summary>No choices (before the first load).</summary>
    public static FilterChoices Empty { get; } = new([], [], [], []);

    /// <summary>Reads the choices from the store (the plant tables and recipes: a few rows each).</summary>
    public static async Task<FilterChoices> LoadAsync(StationDatabase database, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        await using var context = database.CreateContext();
        var stations = await context.Stations.AsNoTracking().OrderBy(s => s.Name).Select(s => new FilterChoice(s.Id, s.Name))
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var fixtures = await context.Fixtures.AsNoTracking().Select(f => new { f.Id, Station = f.Station!.Name, f.Name })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var slots = await context.Slots.AsNoTracking().Select(s => new { s.Id, Station = s.Fixture!.Station!.Name, Fixture = s.Fixture.Name, s.Position })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var recipes = await context.Recipes.AsNoTracking().Select(r => new { r.Id, r.Name, r.Version })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return new FilterChoices(
            stations,
            [.. fixtures.OrderBy(f => f.Station, StringComparer.Ordinal).ThenBy(f => f.Name, StringComparer.Ordinal).Select(f => new FilterChoice(f.Id, $"{f.Station}/{f.Name}"))],
            [.. slots.OrderBy(s => s.Station, StringComparer.Ordinal).ThenBy(s => s.Fixture, StringComparer.Ordinal).ThenBy(s => s.Position)
                .Select(s => new FilterChoice(s.Id, string.Create(CultureInfo.InvariantCulture, $"{s.Station}/{s.Fixture}/{s.Position}")))],
            [.. recipes.OrderBy(r => r.Name, StringComparer.Ordinal).ThenBy(r => r.Version, StringComparer.Ordinal).Select(r => new FilterChoice(r.Id, $"{r.Name} {r.Version}"))]);
    }
}
