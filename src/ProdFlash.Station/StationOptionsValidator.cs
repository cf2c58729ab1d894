using System.Globalization;
using Microsoft.Extensions.Options;
using ProdFlash.Core.Probes;
using ProdFlash.Core.Recipes;
using ProdFlash.Emulator;

namespace ProdFlash.Station;

/// <summary>
/// Checks <see cref="StationOptions"/> at start: every failure names its configuration key
/// (<c>Station:Fixtures:1:Slots:2:Probe</c>) and says what is wrong and what to write instead.
/// </summary>
internal sealed class StationOptionsValidator(IHostEnvironment environment) : IValidateOptions<StationOptions>
{
    private const string Prefix = StationOptions.SectionName;

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, StationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Name))
        {
            failures.Add($"{Prefix}:Name is empty; give the station a name unique on the line, e.g. \"LINE1-ST01\".");
        }

        var recipesFolder = StationPaths.Resolve(environment, options.RecipesFolder);
        if (string.IsNullOrWhiteSpace(options.RecipesFolder) || !Directory.Exists(recipesFolder))
        {
            failures.Add($"{Prefix}:RecipesFolder '{options.RecipesFolder}' is not a folder (resolved to '{recipesFolder}'); point it at the folder holding the recipe files.");
        }

        if (string.IsNullOrWhiteSpace(options.ImageLibraryFolder))
        {
            failures.Add($"{Prefix}:ImageLibraryFolder is empty; name the folder the image library keeps its files in, e.g. \"firmware-images/library\".");
        }

        if (options.AutoStartSeconds < 0 || double.IsNaN(options.AutoStartSeconds))
        {
            failures.Add($"{Prefix}:AutoStartSeconds {options.AutoStartSeconds} is negative; give 0 (off) or the pause between runs in seconds.");
        }

        if (options.Fixtures.Count == 0)
        {
            failures.Add($"{Prefix}:Fixtures is empty; configure at least one fixture with its recipe and slots.");
        }

        var fixtureNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var selectors = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var f = 0; f < options.Fixtures.Count; f++)
        {
            var fixture = options.Fixtures[f];
            var key = string.Create(CultureInfo.InvariantCulture, $"{Prefix}:Fixtures:{f}");
            if (string.IsNullOrWhiteSpace(fixture.Name))
            {
                failures.Add($"{key}:Name is empty; name the fixture, e.g. \"F{f + 1}\".");
            }
            else if (!fixtureNames.Add(fixture.Name))
            {
                failures.Add($"{key}:Name '{fixture.Name}' is used by another fixture; fixture names must be unique.");
            }

            ValidateRecipe(fixture, key, recipesFolder, failures);
            if (!string.IsNullOrWhiteSpace(fixture.Image) && !File.Exists(StationPaths.Resolve(environment, fixture.Image)))
            {
                failures.Add($"{key}:Image '{fixture.Image}' does not exist (resolved to '{StationPaths.Resolve(environment, fixture.Image)}'); name the image file to program, or leave it out to use the recipe's image from the library.");
            }

            if (fixture.Slots.Count == 0)
            {
                failures.Add($"{key}:Slots is empty; a fixture needs at least one slot with a probe selector.");
            }

            for (var s = 0; s < fixture.Slots.Count; s++)
            {
                var slotKey = string.Create(CultureInfo.InvariantCulture, $"{key}:Slots:{s}:Probe");
                var probe = fixture.Slots[s].Probe;
                if (!ProbeSelector.TryParse(probe ?? string.Empty, out var selector, out var error))
                {
                    failures.Add($"{slotKey} '{probe}' is not a probe selector: {error}");
                    continue;
                }

                if (selector!.Kind == ProbeSelectorKind.Emulator && EmulatorProblem(selector.ToString()) is { } problem)
                {
                    failures.Add($"{slotKey} '{probe}' is not a usable emulator selector: {problem}");
                    continue;
                }

                var canonical = selector.ToString();
                if (!selectors.TryAdd(canonical, slotKey))
                {
                    failures.Add($"{slotKey} '{probe}' names the same probe as {selectors[canonical]}; one probe drives one slot.");
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string? EmulatorProblem(string selector)
    {
        try
        {
            var parsed = EmulatorSelector.Parse(selector);
            return EmulatedChips.Names.Contains(parsed.Chip, StringComparer.OrdinalIgnoreCase)
                ? null
                : $"no emulated chip is named '{parsed.Chip}'; available: {string.Join(", ", EmulatedChips.Names)}.";
        }
        catch (EmulatorConfigurationException ex)
        {
            return ex.Message;
        }
    }

    private static void ValidateRecipe(FixtureOptions fixture, string key, string recipesFolder, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(fixture.Recipe))
        {
            failures.Add($"{key}:Recipe is empty; name a recipe file in the recipes folder, e.g. \"blue-pill-f103c8/recipe.json\".");
            return;
        }

        var path = Path.Combine(recipesFolder, fixture.Recipe);
        if (!File.Exists(path))
        {
            failures.Add($"{key}:Recipe '{fixture.Recipe}' is not a file in the recipes folder ('{path}' does not exist).");
            return;
        }

        try
        {
            _ = Recipe.Load(path);
        }
        catch (RecipeException ex)
        {
            failures.Add($"{key}:Recipe '{fixture.Recipe}' is not a valid recipe: {ex.Message}");
        }
        catch (IOException ex)
        {
            failures.Add($"{key}:Recipe '{fixture.Recipe}' cannot be read: {ex.Message}");
        }
    }
}
