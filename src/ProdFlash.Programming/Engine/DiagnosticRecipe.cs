using ProdFlash.Core.Devices;
using ProdFlash.Core.Recipes;

namespace ProdFlash.Programming.Engine;

/// <summary>
/// The recipe <c>prodflash diagnose</c> and a recipe-less <c>prodflash flash</c> identify with: every catalog part is
/// accepted, genuine parts only, no risky permission, so the first phases run as in production and report what they
/// measure without changing the chip.
/// </summary>
public static class DiagnosticRecipe
{
    /// <summary>A recipe accepting every part of <paramref name="catalog"/>.</summary>
    public static Recipe AnyCatalogPart(DeviceCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new Recipe("diagnose", "1", new RecipeImage(null, null), [.. catalog.Parts.Select(ExpectedDevice.Of)]);
    }
}
