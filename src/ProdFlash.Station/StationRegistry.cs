using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ProdFlash.Data;
using ProdFlash.Data.Entities;
using StationRecord = ProdFlash.Data.Entities.Station;

namespace ProdFlash.Station;

/// <summary>
/// The configured station, fixtures and slots as store records: created at start when missing (a slot's selector is
/// updated when the configuration changed it), and their keys for the runners to record attempts against.
/// </summary>
/// <remarks>Thread-safe after <see cref="EnsureRecordsAsync"/> has completed (called once, by start-up).</remarks>
public sealed class StationRegistry(StationDatabase database, IOptions<StationOptions> options, TimeProvider time)
{
    private readonly Dictionary<(string Fixture, int Position), int> _slotIds = [];
    private readonly Dictionary<string, int> _fixtureIds = new(StringComparer.Ordinal);

    /// <summary>The station record's key.</summary>
    public int StationId { get; private set; }

    /// <summary>The record key of fixture <paramref name="fixture"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such fixture is configured.</exception>
    public int FixtureId(string fixture) => _fixtureIds[fixture];

    /// <summary>The record key of the slot at <paramref name="position"/> (from 1) in <paramref name="fixture"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such slot is configured.</exception>
    public int SlotId(string fixture, int position) => _slotIds[(fixture, position)];

    /// <summary>Creates or updates the records of the configured station, fixtures and slots.</summary>
    public async Task EnsureRecordsAsync(CancellationToken cancellationToken)
    {
        var config = options.Value;
        var context = database.CreateContext();
        await using (context.ConfigureAwait(false))
        {
            var station = await context.Stations.Include(s => s.Fixtures).ThenInclude(f => f.Slots)
                .SingleOrDefaultAsync(s => s.Name == config.Name, cancellationToken).ConfigureAwait(false);
            if (station is null)
            {
                station = new StationRecord { Name = config.Name, CreatedAt = time.GetUtcNow() };
                context.Stations.Add(station);
            }

            foreach (var fixtureOptions in config.Fixtures)
            {
                var fixture = station.Fixtures.SingleOrDefault(f => f.Name == fixtureOptions.Name);
                if (fixture is null)
                {
                    fixture = new Fixture { Name = fixtureOptions.Name };
                    station.Fixtures.Add(fixture);
                }

                for (var i = 0; i < fixtureOptions.Slots.Count; i++)
                {
                    var position = i + 1;
                    var selector = fixtureOptions.Slots[i].Probe;
                    var slot = fixture.Slots.SingleOrDefault(s => s.Position == position);
                    if (slot is null)
                    {
                        fixture.Slots.Add(new Slot { Position = position, ProbeSelector = selector });
                    }
                    else
                    {
                        slot.ProbeSelector = selector;
                    }
                }
            }

            await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            StationId = station.Id;
            foreach (var fixture in station.Fixtures)
            {
                _fixtureIds[fixture.Name] = fixture.Id;
                foreach (var slot in fixture.Slots)
                {
                    _slotIds[(fixture.Name, slot.Position)] = slot.Id;
                }
            }
        }
    }

    /// <summary>
    /// The key of the recipe record for <paramref name="recipe"/> (name and version), created from the configured file
    /// when the store has none: a recipe a fixture is configured with counts as released by the station's configuration.
    /// </summary>
    public async Task<int> EnsureRecipeAsync(Core.Recipes.Recipe recipe, string json, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        var context = database.CreateContext();
        await using (context.ConfigureAwait(false))
        {
            var existing = await context.Recipes.Where(r => r.Name == recipe.Name && r.Version == recipe.Version)
                .Select(r => (int?)r.Id).SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            if (existing is { } id)
            {
                return id;
            }

            var now = time.GetUtcNow();
            var record = new RecipeRecord
            {
                Name = recipe.Name,
                Version = recipe.Version,
                State = ReleaseState.Released,
                Json = json,
                ImageSha256 = recipe.Image.Sha256 ?? string.Empty,
                CreatedBy = ConfigurationUser,
                CreatedAt = now,
                ReleasedBy = ConfigurationUser,
                ReleasedAt = now,
            };
            context.Recipes.Add(record);
            await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return record.Id;
        }
    }

    /// <summary>The user name recorded for recipes the station takes from its configuration.</summary>
    public const string ConfigurationUser = "station-configuration";
}
