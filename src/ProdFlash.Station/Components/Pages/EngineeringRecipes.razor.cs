using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

using ProdFlash.Data.Entities;
using ProdFlash.Station.Components.Engineer;
using ProdFlash.Station.Library;

namespace ProdFlash.Station.Components.Pages;

/// <summary>
/// <c>/engineering/recipes</c>: every recipe version (newest first) with its state, parts, image and who did what when,
/// and a form that stores new recipe JSON as a Draft through <see cref="RecipeStore.CreateAsync"/> as the signed-in
/// engineer. "New draft from this" (or <c>?from={id}</c>) copies an existing version's JSON into the form.
/// </summary>
public sealed partial class EngineeringRecipes
{
    private IReadOnlyList<RecipeRow>? _rows;
    private string? _json;
    private RecipeRecord? _copiedFrom;
    private RecipeRecord? _created;
    private string? _error;
    private bool _busy;

    /// <summary>The id of a recipe whose JSON the form starts with (<c>?from=3</c>), or null for an empty form.</summary>
    [SupplyParameterFromQuery(Name = "from")]
    public int? From { get; set; }

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject]
    private RecipeStore Recipes { get; set; } = default!;

    [Inject]
    private ImageLibrary Library { get; set; } = default!;

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync()
    {
        await LoadAsync();
        if (From is { } id && _rows?.FirstOrDefault(r => r.Record.Id == id) is { } row)
        {
            CopyFrom(row.Record);
        }
    }

    private async Task LoadAsync()
    {
        var records = await Recipes.ListAsync();
        var files = (await Library.ListAsync()).ToDictionary(i => i.Sha256, i => i.FileName, StringComparer.OrdinalIgnoreCase);
        _rows = [.. records.Select(r => RecipeRow.From(r, files))];
    }

    private void CopyFrom(RecipeRecord record)
    {
        _json = record.Json;
        _copiedFrom = record;
        _created = null;
        _error = null;
    }

    private async Task CreateAsync()
    {
        _error = null;
        _created = null;
        var user = (await AuthenticationState).User.Identity?.Name;
        if (string.IsNullOrWhiteSpace(user))
        {
            _error = "Sign in again: the store records who creates a recipe.";
            return;
        }

        _busy = true;
        try
        {
            _created = await Recipes.CreateAsync(_json ?? string.Empty, user);
            _copiedFrom = null;
            await LoadAsync();
        }
        catch (LibraryException e)
        {
            _error = e.Message;
        }
        finally
        {
            _busy = false;
        }
    }

    /// <summary>One line of the list: the record with its parts and image file name worked out.</summary>
    private sealed record RecipeRow(RecipeRecord Record, string Parts, string? ImageFile)
    {
        public static RecipeRow From(RecipeRecord record, IReadOnlyDictionary<string, string> files)
        {
            var recipe = RecipeText.TryParse(record, out _);
            return new RecipeRow(record, recipe is null ? "— (the JSON does not load)" : RecipeText.Parts(recipe), files.GetValueOrDefault(record.ImageSha256));
        }
    }
}
