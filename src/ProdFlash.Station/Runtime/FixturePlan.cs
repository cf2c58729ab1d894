using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Images;
using ProdFlash.Core.Recipes;

namespace ProdFlash.Station.Runtime;

/// <summary>What a fixture programs: its recipe (loaded at start) and the image file checked before every attempt.</summary>
/// <param name="Recipe">The recipe.</param>
/// <param name="RecipeFile">The recipe file's full path.</param>
/// <param name="ImageFile">The image file's full path.</param>
public sealed record FixturePlan(Recipe Recipe, string RecipeFile, string ImageFile)
{
    /// <summary>
    /// Reads the image file again and checks its content SHA-256 against the recipe's (the engine's own check compares
    /// the same hash). Returns the image, or the diagnosis that stops the attempt before a probe is touched.
    /// </summary>
    public (MemoryImage? Image, Diagnosis? Failure) LoadCheckedImage()
    {
        MemoryImage image;
        try
        {
            image = ImageReader.ReadFile(ImageFile);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ImageParseException)
        {
            return (null, Diagnoses.ImageIntegrityFailed(ImageFile, Recipe.Image.Sha256 ?? "(no hash in the recipe)", "unreadable: " + ex.Message));
        }

        if (Recipe.Image.Sha256 is { } expected && !string.Equals(expected, image.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            return (null, Diagnoses.ImageIntegrityFailed(ImageFile, expected, image.Sha256));
        }

        return (image, null);
    }
}
