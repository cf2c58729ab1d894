using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

using ProdFlash.Core.Devices;
using ProdFlash.Data.Entities;
using ProdFlash.Station.Components.Engineer;
using ProdFlash.Station.Library;

namespace ProdFlash.Station.Components.Pages;

/// <summary>
/// <c>/engineering/images/{sha}</c>: one library image — its segments, SHA-256, state with who and when, the flash
/// pages/sectors it touches on its target part — with Release (Draft; the two-person rule applies) and Obsolete (Released).
/// </summary>
public sealed partial class ImageDetail
{
    private FirmwareImage? _image;
    private IReadOnlyList<EraseUnit>? _units;
    private string? _unitsNote;
    private string? _loadError;
    private string? _actionError;
    private bool _busy;

    /// <summary>The image's SHA-256 (64 hex characters), from the address.</summary>
    [Parameter]
    public string Sha256 { get; set; } = "";

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject]
    private ImageLibrary Library { get; set; } = default!;

    /// <inheritdoc />
    protected override async Task OnParametersSetAsync()
    {
        _image = null;
        _loadError = null;
        _actionError = null;
        try
        {
            _image = await Library.GetAsync(Sha256);
        }
        catch (LibraryException e)
        {
            _loadError = e.Message;
            return;
        }

        await LoadUnitsAsync();
    }

    private async Task LoadUnitsAsync()
    {
        _units = null;
        _unitsNote = null;
        if (_image?.TargetPart is not { } partNumber)
        {
            _unitsNote = "The image names no target part; upload it with one to see the pages/sectors it touches.";
            return;
        }

        if (DeviceCatalog.Default.FindPart(partNumber) is not { } part)
        {
            _unitsNote = $"Target part {partNumber} is no longer in the device catalog.";
            return;
        }

        try
        {
            var fit = part.Check(await Library.LoadAsync(_image.Sha256));
            _units = fit.Units;
            _unitsNote = $"On {part.PartNumber}: {fit.Units.Count} unit(s), {ImageText.Size(fit.EraseBytes)} to erase.";
        }
        catch (LibraryException e)
        {
            _unitsNote = e.Message;
        }
    }

    private Task ReleaseAsync() => ActAsync((sha, user) => Library.ReleaseAsync(sha, user));

    private Task ObsoleteAsync() => ActAsync((sha, user) => Library.ObsoleteAsync(sha, user));

    private async Task ActAsync(Func<string, string, Task<FirmwareImage>> action)
    {
        if (_image is null)
        {
            return;
        }

        _actionError = null;
        var user = (await AuthenticationState).User.Identity?.Name;
        if (string.IsNullOrWhiteSpace(user))
        {
            _actionError = "Sign in again: the library records who changes an image.";
            return;
        }

        _busy = true;
        try
        {
            _image = await action(_image.Sha256, user);
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
}
