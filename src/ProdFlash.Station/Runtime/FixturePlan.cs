using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Images;
using ProdFlash.Core.Recipes;
using ProdFlash.Station.Library;

namespace ProdFlash.Station.Runtime;

/// <summary>What a fixture programs: its recipe (loaded once) and the image, read and checked again before every attempt.</summary>
/// <remarks>
/// Two sources: a recipe file from the station's configuration with its image file (<see cref="FromFiles"/>), or a
/// Released recipe from the library with the library's stored image (<see cref="FromLibrary"/>).
/// </remarks>
public sealed class FixturePlan
{
    private readonly Func<CancellationToken, Task<(MemoryImage? Image, Diagnosis? Failure)>> _load;

    private FixturePlan(Recipe recipe, string recipeSource, string imageSource, Func<CancellationToken, Task<(MemoryImage? Image, Diagnosis? Failure)>> load)
    {
        Recipe = recipe;
        RecipeSource = recipeSource;
        ImageSource = imageSource;
        _load = load;
    }

    /// <summary>The recipe.</summary>
    public Recipe Recipe { get; }

    /// <summary>Where the recipe came from: the configured file's path, or <c>library recipe 7</c>.</summary>
    public string RecipeSource { get; }

    /// <summary>Where the image comes from: a file path, or <c>library image &lt;sha256&gt;</c>.</summary>
    public string ImageSource { get; }

    /// <summary>A plan of a configured recipe file and image file; the image's content SHA-256 must equal the recipe's.</summary>
    public static FixturePlan FromFiles(Recipe recipe, string recipeFile, string imageFile)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        return new FixturePlan(recipe, recipeFile, imageFile, _ => Task.FromResult(LoadFile(recipe, imageFile)));
    }

    /// <summary>A plan of a Released library recipe: the library re-reads and re-hashes its stored image before every attempt.</summary>
    public static FixturePlan FromLibrary(Recipe recipe, int recipeId, string imageSha256, ImageLibrary images)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        ArgumentNullException.ThrowIfNull(images);
        var source = $"library image {imageSha256}";
        return new FixturePlan(recipe, $"library recipe {recipeId}", source, async cancellationToken =>
        {
            try
            {
                var image = await images.LoadAsync(imageSha256, cancellationToken).ConfigureAwait(false);
                return (image, null);
            }
            catch (ImageIntegrityException ex)
            {
                return (null, Diagnoses.ImageIntegrityFailed(source, ex.ExpectedSha256, ex.ActualSha256 ?? "unreadable: " + ex.Message));
            }
            catch (LibraryItemNotFoundException ex)
            {
                return (null, Diagnoses.ImageIntegrityFailed(source, imageSha256, "not in the library: " + ex.Message));
            }
        });
    }

    /// <summary>
    /// Reads the image again and checks its content SHA-256 (the engine's own check compares the same hash). Returns the
    /// image, or the diagnosis that stops the attempt before a probe is touched.
    /// </summary>
    public Task<(MemoryImage? Image, Diagnosis? Failure)> LoadCheckedImageAsync(CancellationToken cancellationToken) => _load(cancellationToken);

    private static (MemoryImage? Image, Diagnosis? Failure) LoadFile(Recipe recipe, string imageFile)
    {
        MemoryImage image;
        try
        {
            image = ImageReader.ReadFile(imageFile);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ImageParseException)
        {
            return (null, Diagnoses.ImageIntegrityFailed(imageFile, recipe.Image.Sha256 ?? "(no hash in the recipe)", "unreadable: " + ex.Message));
        }

        if (recipe.Image.Sha256 is { } expected && !string.Equals(expected, image.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            return (null, Diagnoses.ImageIntegrityFailed(imageFile, expected, image.Sha256));
        }

        return (image, null);
    }
}
