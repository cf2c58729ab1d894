using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Forms;

using ProdFlash.Core.Images;
using ProdFlash.Data.Entities;
using ProdFlash.Station.Components.Engineer;
using ProdFlash.Station.Library;

namespace ProdFlash.Station.Components.Pages;

/// <summary>
/// <c>/engineering/images</c>: the firmware image library (newest first) and an upload form that imports a file through
/// <see cref="ImageLibrary.ImportAsync"/> as the signed-in engineer. Validation errors are shown in plain words.
/// </summary>
public sealed partial class EngineeringImages
{
    private IReadOnlyList<FirmwareImage>? _images;
    private IBrowserFile? _file;
    private string? _baseAddress;
    private string? _targetPart;
    private string? _uploadError;
    private FirmwareImage? _uploaded;
    private bool _uploadedCreated;
    private bool _busy;

    [CascadingParameter]
    private Task<AuthenticationState> AuthenticationState { get; set; } = default!;

    [Inject]
    private ImageLibrary Library { get; set; } = default!;

    [Inject]
    private LibraryOptions Options { get; set; } = default!;

    /// <summary>The address of an image's detail page.</summary>
    public static string DetailHref(string sha256) => $"/engineering/images/{sha256}";

    /// <inheritdoc />
    protected override async Task OnInitializedAsync() => _images = await Library.ListAsync();

    private void Choose(InputFileChangeEventArgs args)
    {
        _file = args.File;
        _uploadError = null;
        _uploaded = null;
    }

    private async Task UploadAsync()
    {
        if (_file is null)
        {
            return;
        }

        _uploadError = null;
        _uploaded = null;
        if (!ImageText.TryParseAddress(_baseAddress, out var baseAddress))
        {
            _uploadError = $"'{_baseAddress}' is not a load address: write it in hex, e.g. 0x08000000.";
            return;
        }

        var user = (await AuthenticationState).User.Identity?.Name;
        if (string.IsNullOrWhiteSpace(user))
        {
            _uploadError = "Sign in again: the upload needs to know who you are.";
            return;
        }

        _busy = true;
        try
        {
            await using var content = _file.OpenReadStream(Options.MaxImageBytes);
            var result = await Library.ImportAsync(new ImageUpload(content, _file.Name, null, baseAddress, _targetPart), user);
            _uploaded = result.Image;
            _uploadedCreated = result.Created;
            _images = await Library.ListAsync();
        }
        catch (LibraryException e)
        {
            _uploadError = e.Message;
        }
        catch (ImageParseException e)
        {
            _uploadError = $"'{_file.Name}' is not a valid image: {e.Message}";
        }
        catch (IOException e)
        {
            _uploadError = $"'{_file.Name}' could not be read ({e.Message}); it may be larger than the library's limit of {Options.MaxImageBytes} bytes.";
        }
        finally
        {
            _busy = false;
        }
    }
}
