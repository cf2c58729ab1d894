using System.Globalization;
using System.Text.Json;

using ProdFlash.Core.Devices;
using ProdFlash.Core.Diagnostics;
using ProdFlash.Core.Serialization;

namespace ProdFlash.Core.Recipes;

/// <summary>
/// What the station does to every unit of one product: the image, the devices it accepts, the checks, the option-byte
/// policy, the erase strategy, the serial scheme and the time limits (DESIGN §8, issue 4 §9). Load one with
/// <see cref="Load(Stream, string)"/>; the JSON schema is documented in <c>docs/recipe.md</c>.
/// </summary>
/// <remarks>Immutable; safe to share between threads.</remarks>
public sealed record Recipe
{
    /// <summary>Creates a recipe. Prefer <see cref="Load(Stream, string)"/> or <see cref="CreateDefault"/>, which validate.</summary>
    public Recipe(string name, string version, RecipeImage image, IReadOnlyList<ExpectedDevice> devices)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(devices);
        Name = name;
        Version = version;
        Image = image;
        Devices = devices;
    }

    /// <summary>The recipe's name.</summary>
    public string Name { get; init; }

    /// <summary>The recipe's version as its author writes it ("1.4.0").</summary>
    public string Version { get; init; }

    /// <summary>The firmware image.</summary>
    public RecipeImage Image { get; init; }

    /// <summary>The devices the recipe accepts; at least one.</summary>
    public IReadOnlyList<ExpectedDevice> Devices { get; init; }

    /// <summary>Which chips pass the genuineness check.</summary>
    public GenuinenessPolicy Genuineness { get; init; } = GenuinenessPolicy.RequireGenuine;

    /// <summary>What is accepted of the probe (clone probes refused by default).</summary>
    public ProbePolicy Probe { get; init; } = ProbePolicy.Default;

    /// <summary>The target-voltage window.</summary>
    public VoltageWindow Voltage { get; init; } = VoltageWindow.Board3V3;

    /// <summary>Connect mode, frequencies and retries.</summary>
    public ConnectSettings Connect { get; init; } = ConnectSettings.Default;

    /// <summary>Verify and preverify.</summary>
    public CheckSettings Checks { get; init; } = CheckSettings.Default;

    /// <summary>The option-byte policy.</summary>
    public OptionBytePolicy OptionBytes { get; init; } = OptionBytePolicy.Default;

    /// <summary>The erase strategy.</summary>
    public EraseStrategy Erase { get; init; } = EraseStrategy.Auto;

    /// <summary>The serial scheme, or null when units get no serial record.</summary>
    public SerialScheme? Serial { get; init; }

    /// <summary>Per-phase time limits.</summary>
    public PhaseTimeouts Timeouts { get; init; } = PhaseTimeouts.Default;

    /// <summary>
    /// A recipe for <paramref name="part"/> with the safe defaults: readback verify, the cheapest erase
    /// (<see cref="EraseStrategy.Auto"/>), genuine parts only, 3.0–3.6 V, no risky option-byte permission; when
    /// <paramref name="serial"/> is given its record is placed at the start of the part's last flash page.
    /// </summary>
    /// <param name="part">The catalog part.</param>
    /// <param name="name">The recipe name.</param>
    /// <param name="version">The recipe version.</param>
    /// <param name="image">The image.</param>
    /// <param name="serial">A serial scheme whose address is replaced by the last page's address, or null.</param>
    /// <exception cref="RecipeException">The serial record does not fit the last page.</exception>
    public static Recipe CreateDefault(DevicePart part, string name, string version, RecipeImage image, SerialScheme? serial = null)
    {
        ArgumentNullException.ThrowIfNull(part);
        var recipe = new Recipe(name, version, image, [ExpectedDevice.Of(part)]);
        if (serial is null)
        {
            return recipe;
        }

        var lastPage = part.Layout.Units.Last();
        if (serial.Layout.Length > lastPage.Size)
        {
            throw new RecipeException(string.Create(CultureInfo.InvariantCulture,
                $"The {serial.Layout.Length}-byte serial record does not fit the last flash page of {part.PartNumber.ToUpperInvariant()} ({lastPage.Size} bytes at 0x{lastPage.Address:X8})."));
        }

        return recipe with { Serial = serial with { Address = lastPage.Address } };
    }

    /// <summary>Loads and validates a recipe file.</summary>
    /// <param name="path">The file path; error messages name its file name.</param>
    /// <exception cref="RecipeException">The file is not valid JSON or fails validation.</exception>
    public static Recipe Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var stream = File.OpenRead(path);
        return Load(stream, Path.GetFileName(path));
    }

    /// <summary>Loads and validates a recipe from UTF-8 JSON.</summary>
    /// <param name="utf8Json">The JSON; read to the end, not disposed.</param>
    /// <param name="sourceName">The name error messages start with ("recipe.json").</param>
    /// <exception cref="RecipeException">The JSON is malformed or fails validation; the message names the key path.</exception>
    public static Recipe Load(Stream utf8Json, string sourceName = "recipe")
    {
        ArgumentNullException.ThrowIfNull(utf8Json);
        ArgumentException.ThrowIfNullOrWhiteSpace(sourceName);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new RecipeException(sourceName, "$",
                string.Create(CultureInfo.InvariantCulture, $"not valid JSON at line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}: {ex.Message}"), ex);
        }

        using (document)
        {
            return RecipeReader.Read(RecipeJson.Open(sourceName, "$", document.RootElement));
        }
    }
}
