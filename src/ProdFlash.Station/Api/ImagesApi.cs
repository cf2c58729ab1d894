using System.Globalization;
using System.Security.Claims;

using Microsoft.AspNetCore.Http.HttpResults;

using ProdFlash.Core.Images;
using ProdFlash.Data.Entities;
using ProdFlash.Station.Library;
using ProdFlash.Station.Security;

namespace ProdFlash.Station.Api;

/// <summary>The image library over HTTP: upload (multipart), list, get, release, obsolete, download.</summary>
public static class ImagesApi
{
    /// <summary>The multipart part carrying the file.</summary>
    public const string FilePart = "file";

    /// <summary>Maps <c>/api/images</c>.</summary>
    public static IEndpointRouteBuilder MapImagesApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var api = app.MapGroup("/api/images").WithTags("Images").AddEndpointFilter<ProblemsFilter>();
        api.MapPost("/", UploadAsync).RequireAuthorization(StationPolicies.Engineer).DisableAntiforgery()
            .WithSummary("Upload an image (Engineer, Admin): multipart part 'file'; fields 'format' (hex|srec|elf|bin), 'baseAddress' (BIN), 'targetPart'.");
        api.MapGet("/", ListAsync).RequireAuthorization(StationPolicies.Reports).WithSummary("List images (Engineer, Manager, Admin).");
        api.MapGet("/{sha256}", GetAsync).RequireAuthorization(StationPolicies.Reports).WithSummary("One image (Engineer, Manager, Admin).");
        api.MapGet("/{sha256}/content", DownloadAsync).RequireAuthorization(StationPolicies.Reports).WithSummary("Download the stored file after re-checking its SHA-256 (Engineer, Manager, Admin).");
        api.MapPost("/{sha256}/release", ReleaseAsync).RequireAuthorization(StationPolicies.Engineer).WithSummary("Release a Draft (Engineer, Admin; not the uploader).");
        api.MapPost("/{sha256}/obsolete", ObsoleteAsync).RequireAuthorization(StationPolicies.Engineer).WithSummary("Make a Released image Obsolete (Engineer, Admin).");
        return app;
    }

    private static async Task<Results<Created<ImageDto>, Ok<ImageDto>, ProblemHttpResult>> UploadAsync(HttpRequest request, ImageLibrary library, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType)
        {
            return ApiProblems.BadRequest($"Send the image as multipart/form-data with the file in a part named '{FilePart}' (Content-Type was '{request.ContentType}').");
        }

        var form = await request.ReadFormAsync(cancellationToken).ConfigureAwait(false);
        var file = form.Files.GetFile(FilePart);
        if (file is null)
        {
            return ApiProblems.BadRequest($"The upload has no part named '{FilePart}'; put the image file there.");
        }

        ImageFormat? format = null;
        if (form.TryGetValue("format", out var formatText) && !string.IsNullOrWhiteSpace(formatText))
        {
            if (!ImageFormats.TryParse(formatText, out var parsed))
            {
                return ApiProblems.BadRequest($"format '{formatText}' is not an image format; use hex, srec, elf or bin.");
            }

            format = parsed;
        }

        uint? baseAddress = null;
        if (form.TryGetValue("baseAddress", out var baseText) && !string.IsNullOrWhiteSpace(baseText))
        {
            if (!TryParseAddress(baseText.ToString(), out var address))
            {
                return ApiProblems.BadRequest($"baseAddress '{baseText}' is not an address; write it as 0x08000000 or in decimal.");
            }

            baseAddress = address;
        }

        await using var content = file.OpenReadStream();
        var result = await library.ImportAsync(new ImageUpload(content, file.FileName, format, baseAddress, form["targetPart"].ToString()), user.Identity!.Name!, cancellationToken).ConfigureAwait(false);
        var dto = ImageDto.From(result.Image);
        return result.Created ? TypedResults.Created($"/api/images/{dto.Sha256}", dto) : TypedResults.Ok(dto);
    }

    private static async Task<Ok<ImageDto[]>> ListAsync(ImageLibrary library, ReleaseState? state, CancellationToken cancellationToken) =>
        TypedResults.Ok((await library.ListAsync(state, cancellationToken).ConfigureAwait(false)).Select(ImageDto.From).ToArray());

    private static async Task<Ok<ImageDto>> GetAsync(string sha256, ImageLibrary library, CancellationToken cancellationToken) =>
        TypedResults.Ok(ImageDto.From(await library.GetAsync(sha256, cancellationToken).ConfigureAwait(false)));

    private static async Task<PhysicalFileHttpResult> DownloadAsync(string sha256, ImageLibrary library, CancellationToken cancellationToken)
    {
        var (record, path) = await library.GetVerifiedFileAsync(sha256, cancellationToken).ConfigureAwait(false);
        return TypedResults.PhysicalFile(path, "application/octet-stream", record.FileName);
    }

    private static async Task<Ok<ImageDto>> ReleaseAsync(string sha256, ImageLibrary library, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        TypedResults.Ok(ImageDto.From(await library.ReleaseAsync(sha256, user.Identity!.Name!, cancellationToken).ConfigureAwait(false)));

    private static async Task<Ok<ImageDto>> ObsoleteAsync(string sha256, ImageLibrary library, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        TypedResults.Ok(ImageDto.From(await library.ObsoleteAsync(sha256, user.Identity!.Name!, cancellationToken).ConfigureAwait(false)));

    private static bool TryParseAddress(string text, out uint address)
    {
        var t = text.Trim();
        return t.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? uint.TryParse(t.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out address)
            : uint.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out address);
    }
}
