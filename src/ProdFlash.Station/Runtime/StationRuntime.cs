using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Probes;
using ProdFlash.Core.Recipes;
using ProdFlash.Data.Inventory;

namespace ProdFlash.Station.Runtime;

/// <summary>
/// The station's runtime: at start it loads each fixture's recipe, binds every slot to its probe (flagging duplicate
/// serials and disabling the affected slots with the reason), then runs one loop per slot until the host stops.
/// </summary>
/// <remarks>
/// Registered after <see cref="StationStartup"/>, so the store is migrated and recovered before any runner starts.
/// <see cref="Fixtures"/> is filled by <see cref="StartAsync"/> and read-only afterwards; thread-safe to read then.
/// </remarks>
public sealed partial class StationRuntime : BackgroundService
{
    private readonly IServiceProvider _services;
    private readonly ILogger<StationRuntime> _logger;
    private readonly Dictionary<string, FixtureCoordinator> _fixtures = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<SlotRunner> _runners = [];

    /// <summary>Creates the runtime; the work starts with the host.</summary>
    public StationRuntime(IServiceProvider services, ILogger<StationRuntime> logger)
    {
        _services = services;
        _logger = logger;
    }

    /// <summary>The fixtures by name (case-insensitive).</summary>
    public IReadOnlyDictionary<string, FixtureCoordinator> Fixtures => _fixtures;

    /// <inheritdoc />
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var options = _services.GetRequiredService<IOptions<StationOptions>>().Value;
        var environment = _services.GetRequiredService<IHostEnvironment>();
        var registry = _services.GetRequiredService<StationRegistry>();
        var shared = _services.GetRequiredService<StationServices>();
        var stopping = _services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        var recipesFolder = StationPaths.Resolve(environment, options.RecipesFolder);
        var libraryFolder = StationPaths.Resolve(environment, options.ImageLibraryFolder);
        foreach (var fixture in options.Fixtures)
        {
            var recipeFile = Path.Combine(recipesFolder, fixture.Recipe);
            var recipe = Recipe.Load(recipeFile);
            var json = await File.ReadAllTextAsync(recipeFile, cancellationToken).ConfigureAwait(false);
            var recipeId = await registry.EnsureRecipeAsync(recipe, json, cancellationToken).ConfigureAwait(false);
            var imageFile = string.IsNullOrWhiteSpace(fixture.Image)
                ? Path.Combine(libraryFolder, recipe.Image.Path ?? string.Empty)
                : StationPaths.Resolve(environment, fixture.Image);
            var runners = fixture.Slots.Select((slot, i) => new SlotRunner(
                fixture.Name, i + 1, registry.SlotId(fixture.Name, i + 1), slot.Probe, shared, _logger)).ToList();
            _runners.AddRange(runners);
            var configured = new FixtureAssignment(recipeId, $"{recipe.Name} {recipe.Version} (configuration)", FixturePlan.FromFiles(recipe, recipeFile, imageFile), null, FromLibrary: false);
            var coordinator = new FixtureCoordinator(fixture.Name, registry.FixtureId(fixture.Name), configured, runners, shared.Recorder, shared.Status, stopping, shared.DataDirectory);
            coordinator.Assign(await AssignedAsync(coordinator, configured, cancellationToken).ConfigureAwait(false));
            _fixtures[fixture.Name] = coordinator;
        }

        await BindProbesAsync(shared, cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.WhenAll(_runners.Select(r => Task.Run(() => r.RunAsync(stoppingToken), CancellationToken.None))).ConfigureAwait(false);
    }

    /// <summary>
    /// What a fixture runs after a restart: the library recipe an engineer assigned (kept in the database), or its
    /// configured recipe. An assigned recipe that can no longer run is not swapped for another silently: the fixture
    /// refuses every Start with the reason until an engineer assigns a Released recipe or returns it to its configuration.
    /// </summary>
    private async Task<FixtureAssignment> AssignedAsync(FixtureCoordinator coordinator, FixtureAssignment configured, CancellationToken cancellationToken)
    {
        var database = _services.GetRequiredService<ProdFlash.Data.StationDatabase>();
        int? assigned;
        var context = database.CreateContext();
        await using (context.ConfigureAwait(false))
        {
            assigned = await context.Fixtures.Where(f => f.Id == coordinator.FixtureId).Select(f => f.AssignedRecipeId).SingleAsync(cancellationToken).ConfigureAwait(false);
        }

        if (assigned is not { } recipeId)
        {
            return configured;
        }

        try
        {
            return await _services.GetRequiredService<FixtureRecipes>().LibraryAssignmentAsync(recipeId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is Library.LibraryException)
        {
            LogAssignedNotRunnable(_logger, coordinator.Name, recipeId, ex.Message);
            return FixtureRecipes.Unrunnable(recipeId, $"library recipe #{recipeId}", ex.Message);
        }
    }

    /// <summary>
    /// Opens each enabled slot's probe once and reads its serial. Two slots whose probes report the same serial cannot
    /// be told apart (DESIGN §4): both are disabled with the reason. A probe that does not open is shown with its error
    /// and stays enabled, so the next attempt records the diagnosis.
    /// </summary>
    private async Task BindProbesAsync(StationServices shared, CancellationToken cancellationToken)
    {
        var status = shared.Status;
        var serials = new Dictionary<string, List<(SlotRunner Runner, ProbeFacts Facts)>>(StringComparer.OrdinalIgnoreCase);
        foreach (var runner in _runners)
        {
            var slot = status.Current.Fixtures.Single(f => f.Name == runner.Fixture).Slots.Single(s => s.Position == runner.Position);
            if (slot.State == SlotState.Disabled)
            {
                continue;
            }

            if (await BindAsync(runner, shared, cancellationToken).ConfigureAwait(false) is not { } bound)
            {
                continue;
            }

            runner.ProbeSerial = bound.Serial;
            if (!serials.TryGetValue(bound.Serial, out var same))
            {
                serials[bound.Serial] = same = [];
            }

            same.Add((runner, bound.Facts));
        }

        var sightings = new List<ProbeSighting>(serials.Count);
        foreach (var (serial, bound) in serials)
        {
            var facts = bound[0].Facts;
            if (bound.Count == 1)
            {
                sightings.Add(new ProbeSighting(serial, facts.Kind, facts.Firmware, facts.PortPath, facts.SuspectClone, facts.Anomalies, bound[0].Runner.SlotId));
                continue;
            }

            var names = string.Join(", ", bound.Select(b => $"{b.Runner.Fixture} slot {b.Runner.Position}"));
            var reason = $"{FailureCatalog.Get(FailureCode.ProbeDuplicateSerial).Title}: serial {serial} is reported by the probes of {names}; give each probe a unique serial or select it by USB port (stlink://usb?port=...).";
            foreach (var (runner, _) in bound)
            {
                LogDuplicate(_logger, runner.Fixture, runner.Position, serial);
                status.UpdateSlot(runner.Fixture, runner.Position, s => s with { State = SlotState.Disabled, Reason = reason });
            }

            // One serial, several probes: the inventory keeps one row for the serial, bound to no slot (all are disabled).
            sightings.Add(new ProbeSighting(serial, facts.Kind, facts.Firmware, facts.PortPath, facts.SuspectClone,
                [$"duplicate serial: the probes of {names} all report it, so those slots are disabled", .. bound.SelectMany(b => b.Facts.Anomalies)], null));
        }

        await RecordInventoryAsync(sightings, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes what binding found to the probe inventory. A store that refuses the write costs the inventory its update,
    /// not the station its start: the slots run, and their attempts still count on their probes.
    /// </summary>
    private async Task RecordInventoryAsync(IReadOnlyList<ProbeSighting> sightings, CancellationToken cancellationToken)
    {
        var inventory = _services.GetRequiredService<ProbeInventory>();
        try
        {
            await inventory.RecordBindingAsync([.. _runners.Select(r => r.SlotId)], sightings, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DbUpdateException or System.Data.Common.DbException)
        {
            LogInventoryNotRecorded(_logger, ex, ex.GetBaseException().Message);
        }
    }

    /// <summary>
    /// What tells <paramref name="runner"/>'s probe apart: the serial it reports when opened, or for a GDB server its
    /// address (not opened: detaching from a server lets its target run, and QEMU resumes the board, which is not the
    /// station's to decide). Null when the probe does not open; the slot shows why.
    /// </summary>
    private async Task<(string Serial, ProbeFacts Facts)?> BindAsync(SlotRunner runner, StationServices shared, CancellationToken cancellationToken)
    {
        if (ProbeSelector.TryParse(runner.Selector, out var parsed, out _) && parsed!.Kind == ProbeSelectorKind.Gdb)
        {
            return ($"gdb://{parsed.Host}:{parsed.Port}", new ProbeFacts("GDB server", null, null, false, []));
        }

        try
        {
            var probe = await shared.Providers.OpenAsync(runner.Selector, cancellationToken).ConfigureAwait(false);
            await using (probe.ConfigureAwait(false))
            {
                return (probe.Description.Serial ?? SerialOf(probe.Description.Location), ProbeFacts.Of(probe, runner.Selector));
            }
        }
        catch (Exception ex) when (ex is ProbeOpenException or ProbeSelectorException)
        {
            LogBindFailed(_logger, runner.Fixture, runner.Position, ex.Message);
            shared.Status.UpdateSlot(runner.Fixture, runner.Position, s => s with { Reason = "Probe not bound at start: " + ex.Message });
            return null;
        }
    }

    /// <summary>The serial in a probe's location text ("... serial 066DFF48...") or the whole text when it names none.</summary>
    internal static string SerialOf(string location)
    {
        var match = SerialPattern().Match(location);
        return match.Success ? match.Groups[1].Value : location;
    }

    [GeneratedRegex(@"\bserial ([0-9A-Fa-f]+)\b", RegexOptions.CultureInvariant)]
    private static partial Regex SerialPattern();

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Fixture} slot {Slot}: probe not bound at start: {Reason}")]
    private static partial void LogBindFailed(ILogger logger, string fixture, int slot, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Fixture {Fixture}: its assigned library recipe #{RecipeId} cannot run ({Reason}); every Start is refused until an engineer assigns a Released recipe")]
    private static partial void LogAssignedNotRunnable(ILogger logger, string fixture, int recipeId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The probe inventory was not updated at start: {Reason}")]
    private static partial void LogInventoryNotRecorded(ILogger logger, Exception exception, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Fixture} slot {Slot} disabled: probe serial {Serial} is shared with another slot")]
    private static partial void LogDuplicate(ILogger logger, string fixture, int slot, string serial);
}
