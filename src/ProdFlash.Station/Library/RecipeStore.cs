using System.Text;

using Microsoft.EntityFrameworkCore;

using ProdFlash.Core.Images;
using ProdFlash.Core.Recipes;
using ProdFlash.Data;
using ProdFlash.Data.Entities;

namespace ProdFlash.Station.Library;

/// <summary>A recipe ready for a run: the parsed recipe, its record and its image re-checked against its SHA-256.</summary>
/// <param name="Record">The Released record.</param>
/// <param name="Recipe">The recipe as loaded by <see cref="Recipe.Load(Stream, string)"/>.</param>
/// <param name="Image">The image, read from the library and re-hashed.</param>
public sealed record RunnableRecipe(RecipeRecord Record, Recipe Recipe, MemoryImage Image);

/// <summary>
/// The station's recipes: JSON validated by Core's recipe loader, the image named by its library SHA-256 and checked to
/// fit every expected device, states Draft → Released (immutable) → Obsolete.
/// </summary>
/// <remarks>
/// Thread-safe: one DbContext per call. Name and version are unique. A Draft may be replaced (same name and version);
/// a Released recipe never changes. Release needs the image Released and, with the two-person rule on, a different user
/// than the creator. Every change writes an <see cref="AuditEvent"/> in the same transaction.
/// </remarks>
public sealed class RecipeStore
{
    /// <summary>The audit entity type of recipes.</summary>
    public const string AuditEntityType = "Recipe";

    private readonly StationDatabase _database;
    private readonly ImageLibrary _images;
    private readonly LibraryOptions _options;
    private readonly TimeProvider _time;

    /// <summary>Creates the store.</summary>
    public RecipeStore(StationDatabase database, ImageLibrary images, LibraryOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(options);
        _database = database;
        _images = images;
        _options = options;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Validates <paramref name="json"/> and stores it as a Draft by <paramref name="user"/>.</summary>
    /// <exception cref="LibraryValidationException">The JSON is not a valid recipe, names no library image, or the image does not fit a device.</exception>
    /// <exception cref="LibraryItemNotFoundException">The image is not in the library.</exception>
    /// <exception cref="LibraryStateException">The name and version exist already, or the image is Obsolete.</exception>
    public async Task<RecipeRecord> CreateAsync(string json, string user, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        var (recipe, sha) = await ValidateAsync(json, cancellationToken).ConfigureAwait(false);
        await using var context = _database.CreateContext();
        if (await context.Recipes.AnyAsync(r => r.Name == recipe.Name && r.Version == recipe.Version, cancellationToken).ConfigureAwait(false))
        {
            throw new LibraryStateException($"Recipe '{recipe.Name}' version {recipe.Version} exists already; give the new recipe another version, or update the draft.");
        }

        var now = _time.GetUtcNow();
        var record = new RecipeRecord
        {
            Name = recipe.Name,
            Version = recipe.Version,
            State = ReleaseState.Draft,
            Json = json,
            ImageSha256 = sha,
            CreatedBy = user,
            CreatedAt = now,
        };
        await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        context.Recipes.Add(record);
        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        context.AuditEvents.Add(Audit(user, "recipe.create", record, $"{recipe.Name} {recipe.Version}, image {sha}", now));
        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return record;
    }

    /// <summary>Replaces a Draft's JSON (same name and version); Released and Obsolete recipes are immutable.</summary>
    /// <exception cref="LibraryStateException">The recipe is not a Draft.</exception>
    /// <exception cref="LibraryValidationException">The JSON is invalid or changes the name or version.</exception>
    public async Task<RecipeRecord> UpdateDraftAsync(int id, string json, string user, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        await using var context = _database.CreateContext();
        var record = await context.Recipes.AsTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken).ConfigureAwait(false) ?? throw NotFound(id);
        if (record.State != ReleaseState.Draft)
        {
            throw new LibraryStateException($"Recipe {id} ('{record.Name}' {record.Version}) is {record.State} and immutable; create a new version instead.");
        }

        var (recipe, sha) = await ValidateAsync(json, cancellationToken).ConfigureAwait(false);
        if (!string.Equals(recipe.Name, record.Name, StringComparison.Ordinal) || !string.Equals(recipe.Version, record.Version, StringComparison.Ordinal))
        {
            throw new LibraryValidationException($"The JSON names '{recipe.Name}' {recipe.Version} but recipe {id} is '{record.Name}' {record.Version}; keep $.name and $.version, or create a new recipe.");
        }

        var now = _time.GetUtcNow();
        record.Json = json;
        record.ImageSha256 = sha;
        context.AuditEvents.Add(Audit(user, "recipe.update", record, $"image {sha}", now));
        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return record;
    }

    /// <summary>Releases a Draft; its image must be Released; two-person rule as for images.</summary>
    /// <exception cref="LibraryStateException">The recipe is not a Draft, or its image is not Released.</exception>
    /// <exception cref="TwoPersonRuleException">The creator tried to release it.</exception>
    public async Task<RecipeRecord> ReleaseAsync(int id, string user, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        await using var context = _database.CreateContext();
        var record = await context.Recipes.AsTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken).ConfigureAwait(false) ?? throw NotFound(id);
        if (record.State != ReleaseState.Draft)
        {
            throw new LibraryStateException($"Recipe {id} is {record.State}; only a Draft can be released.");
        }

        if (_options.RequireTwoPersonRelease && string.Equals(record.CreatedBy, user, StringComparison.OrdinalIgnoreCase))
        {
            throw new TwoPersonRuleException($"Recipe {id} was created by '{record.CreatedBy}'; the two-person rule needs a different user to release it.");
        }

        var image = await _images.GetAsync(record.ImageSha256, cancellationToken).ConfigureAwait(false);
        if (image.State != ReleaseState.Released)
        {
            throw new LibraryStateException($"Recipe {id}'s image {image.Sha256} is {image.State}; release the image before the recipe.");
        }

        var now = _time.GetUtcNow();
        record.State = ReleaseState.Released;
        record.ReleasedBy = user;
        record.ReleasedAt = now;
        context.AuditEvents.Add(Audit(user, "recipe.release", record, null, now));
        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return record;
    }

    /// <summary>
    /// Makes a Released recipe Obsolete: it can no longer be assigned, and a fixture it is assigned to refuses to start
    /// (who: the audit event).
    /// </summary>
    /// <exception cref="LibraryStateException">The recipe is not Released.</exception>
    public async Task<RecipeRecord> ObsoleteAsync(int id, string user, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        await using var context = _database.CreateContext();
        var record = await context.Recipes.AsTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken).ConfigureAwait(false) ?? throw NotFound(id);
        if (record.State != ReleaseState.Released)
        {
            throw new LibraryStateException($"Recipe {id} is {record.State}; only a Released recipe can be made Obsolete.");
        }

        var now = _time.GetUtcNow();
        record.State = ReleaseState.Obsolete;
        record.ObsoletedAt = now;
        context.AuditEvents.Add(Audit(user, "recipe.obsolete", record, null, now));
        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return record;
    }

    /// <summary>The recipes, newest first, optionally in one state.</summary>
    public async Task<IReadOnlyList<RecipeRecord>> ListAsync(ReleaseState? state = null, CancellationToken cancellationToken = default)
    {
        await using var context = _database.CreateContext();
        var query = context.Recipes.AsNoTracking();
        if (state is { } s)
        {
            query = query.Where(r => r.State == s);
        }

        return await query.OrderByDescending(r => r.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One recipe record.</summary>
    /// <exception cref="LibraryItemNotFoundException">No recipe has that id.</exception>
    public async Task<RecipeRecord> GetAsync(int id, CancellationToken cancellationToken = default)
    {
        await using var context = _database.CreateContext();
        return await context.Recipes.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken).ConfigureAwait(false) ?? throw NotFound(id);
    }

    /// <summary>
    /// A Released recipe with its image loaded and re-hashed: call before every run (the attempt engine checks the
    /// image's SHA-256 against the recipe's again).
    /// </summary>
    /// <exception cref="LibraryItemNotFoundException">No recipe has that id.</exception>
    /// <exception cref="LibraryStateException">The recipe is not Released.</exception>
    /// <exception cref="ImageIntegrityException">The stored image no longer matches its SHA-256.</exception>
    public async Task<RunnableRecipe> LoadForRunAsync(int id, CancellationToken cancellationToken = default)
    {
        var record = await GetAsync(id, cancellationToken).ConfigureAwait(false);
        if (record.State != ReleaseState.Released)
        {
            throw new LibraryStateException($"Recipe {id} ('{record.Name}' {record.Version}) is {record.State}; only a Released recipe can run.");
        }

        var recipe = Parse(record.Json);
        var image = await _images.LoadAsync(record.ImageSha256, cancellationToken).ConfigureAwait(false);
        return new RunnableRecipe(record, recipe, image);
    }

    /// <summary>Parses recipe JSON with Core's loader.</summary>
    /// <exception cref="LibraryValidationException">The loader refused it; the message is the loader's (file, key path, problem).</exception>
    public static Recipe Parse(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            throw new LibraryValidationException("The recipe is empty; send the recipe JSON as the request body.");
        }

        try
        {
            using var stream = new MemoryStream(Encoding.UTF8.GetBytes(json), writable: false);
            return Recipe.Load(stream, "recipe.json");
        }
        catch (RecipeException e)
        {
            throw new LibraryValidationException(e.Message, e);
        }
    }

    private async Task<(Recipe Recipe, string Sha)> ValidateAsync(string json, CancellationToken cancellationToken)
    {
        var recipe = Parse(json);
        var sha = recipe.Image.Sha256
            ?? throw new LibraryValidationException("$.image.sha256 is missing: a station recipe names its image by the library's SHA-256 (upload the image, then copy its sha256).");
        var record = await _images.GetAsync(sha, cancellationToken).ConfigureAwait(false);
        if (record.State == ReleaseState.Obsolete)
        {
            throw new LibraryStateException($"Image {sha} is Obsolete; choose a Released or Draft image for a new recipe.");
        }

        var image = await _images.LoadAsync(sha, cancellationToken).ConfigureAwait(false);
        var parts = _images.PartsOf(recipe);
        if (parts.Count == 0)
        {
            throw new LibraryValidationException("$.devices names no part of the device catalog; name a part (e.g. {\"part\": \"STM32F103C8\"}) or a known DEV_ID with its flash size.");
        }

        ImageLibrary.EnsureFits(image, record.FileName, parts);
        return (recipe, sha);
    }

    private static AuditEvent Audit(string user, string action, RecipeRecord record, string? details, DateTimeOffset at) =>
        new() { Actor = user, Action = action, EntityType = AuditEntityType, EntityId = record.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), At = at, Details = details };

    private static LibraryItemNotFoundException NotFound(int id) =>
        new($"No recipe has id {id}; list the recipes (GET /api/recipes).");
}
