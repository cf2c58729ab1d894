using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

using ProdFlash.Core.Recipes;
using ProdFlash.Data.Entities;
using ProdFlash.Station.Components.Engineer;
using ProdFlash.Station.Library;

namespace ProdFlash.Station.Components.Pages;

/// <summary>
/// <c>/engineering/recipes/{id}</c>: one recipe version — its settings in plain words, its image, its JSON — with an
/// editor for a Draft (<see cref="RecipeStore.UpdateDraftAsync"/>), Release (Draft; the two-person rule applies) and
/// Make obsolete (Released). Released and Obsolete recipes are shown read-only.
/// </summary>
public sealed partial class RecipeDetail
{
    private RecipeRecord? _record;
    private Recipe? _recipe;
    private FirmwareImage? _image;
    private string? _parseError;
    private string? _loadError;
    private string? _editorJson;
    private string? _editError;
    private string? _actionError;
    private bool _saved;
    private bool _busy;

    /// <summary>The recipe's id, from the address.</summary>
    [Parameter]
    public int Id { get; set; }

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject]
    private RecipeStore Recipes { get; set; } = default!;

    [Inject]
    private ImageLibrary Library { get; set; } = default!;

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync()
    {
        _record = null;
        _loadError = null;
        _editError = null;
        _actionError = null;
        _saved = false;
        try
        {
            await ShowAsync(await Recipes.GetAsync(Id));
        }
        catch (LibraryException e)
        {
            _loadError = e.Message;
        }
    }

    private async Task ShowAsync(RecipeRecord record)
    {
        _record = record;
        _editorJson = record.Json;
        _recipe = RecipeText.TryParse(record, out _parseError);
        try
        {
            _image = await Library.GetAsync(record.ImageSha256);
        }
        catch (LibraryItemNotFoundException)
        {
            _image = null;
        }
    }

    private async Task SaveAsync()
    {
        _saved = false;
        _editError = null;
        _actionError = null;
        if (await UserAsync() is not { } user)
        {
            _editError = "Sign in again: the store records who changes a recipe.";
            return;
        }

        var text = _editorJson ?? string.Empty;
        _busy = true;
        try
        {
            await ShowAsync(await Recipes.UpdateDraftAsync(Id, text, user));
            _saved = true;
        }
        catch (LibraryException e)
        {
            // The store refused the text and kept the draft as it was; the editor keeps the text so it can be fixed.
            _editError = e.Message;
            _editorJson = text;
        }
        finally
        {
            _busy = false;
        }
    }

    private Task ReleaseAsync() => ActAsync(user => Recipes.ReleaseAsync(Id, user));

    private Task ObsoleteAsync() => ActAsync(user => Recipes.ObsoleteAsync(Id, user));

    private async Task ActAsync(Func<string, Task<RecipeRecord>> action)
    {
        _actionError = null;
        _editError = null;
        _saved = false;
        if (await UserAsync() is not { } user)
        {
            _actionError = "Sign in again: the store records who changes a recipe.";
            return;
        }

        _busy = true;
        try
        {
            await ShowAsync(await action(user));
        }
        catch (LibraryException e)
        {
            _actionError = e.Message;
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task<string?> UserAsync()
    {
        var name = (await AuthenticationState).User.Identity?.Name;
        return string.IsNullOrWhiteSpace(name) ? null : name;
    }
}
