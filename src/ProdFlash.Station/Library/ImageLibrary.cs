using System.Globalization;

using Microsoft.EntityFrameworkCore;

using ProdFlash.Core.Devices;
using ProdFlash.Core.Images;
using ProdFlash.Core.Recipes;
using ProdFlash.Data;
using ProdFlash.Data.Entities;

namespace ProdFlash.Station.Library;

/// <summary>What an upload brings: the file's bytes and how to read them.</summary>
/// <param name="Content">The file as uploaded; read to its end, not disposed.</param>
/// <param name="FileName">The uploaded file name (its extension names the format when <paramref name="Format"/> is null).</param>
/// <param name="Format">The format, or null to take it from the extension.</param>
/// <param name="BaseAddress">Load address of a raw binary; required for BIN, refused for the others by the reader.</param>
/// <param name="TargetPart">Catalog part number the image is built for (e.g. <c>STM32F103C8</c>); when given the image must fit its flash.</param>
public sealed record ImageUpload(Stream Content, string FileName, ImageFormat? Format, uint? BaseAddress, string? TargetPart);

/// <summary>The outcome of an import.</summary>
/// <param name="Image">The library record.</param>
/// <param name="Created">False when the same content (same SHA-256) was already in the library; nothing changed then.</param>
public sealed record ImportResult(FirmwareImage Image, bool Created);

/// <summary>
/// The station's firmware image library: images imported from HEX, SREC, ELF or BIN+address, validated against a
/// catalog part, stored content-addressed by their SHA-256 (<see cref="MemoryImage.Sha256"/>, the hash recipes name and
/// the attempt engine checks) under <see cref="LibraryOptions.Folder"/>, with states Draft → Released → Obsolete.
/// </summary>
/// <remarks>
/// Thread-safe: one DbContext per call; files are written to a temporary name and moved into place, so a reader never
/// sees half a file. Released images are immutable (the file is named by its content and the record's content fields
/// are never updated). With <see cref="LibraryOptions.RequireTwoPersonRelease"/> the releasing user must differ from the
/// uploader. Every change writes an <see cref="AuditEvent"/> in the same transaction.
/// </remarks>
public sealed class ImageLibrary
{
    /// <summary>The audit entity type of images.</summary>
    public const string AuditEntityType = "FirmwareImage";

    private const int Sha256HexLength = 64;

    private readonly StationDatabase _database;
    private readonly LibraryOptions _options;
    private readonly DeviceCatalog _catalog;
    private readonly TimeProvider _time;

    /// <summary>Creates the library over the station's store.</summary>
    public ImageLibrary(StationDatabase database, LibraryOptions options, DeviceCatalog? catalog = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(options);
        _database = database;
        _options = options;
        _catalog = catalog ?? DeviceCatalog.Default;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The folder holding the image files.</summary>
    public string Folder => Path.GetFullPath(_options.Folder);

    /// <summary>
    /// Reads, validates and stores an image as a Draft by <paramref name="user"/>. Importing content that is already in the
    /// library returns the existing record with <see cref="ImportResult.Created"/> false.
    /// </summary>
    /// <exception cref="LibraryValidationException">The file is empty, too large, does not parse, names an unknown part or does not fit it.</exception>
    public async Task<ImportResult> ImportAsync(ImageUpload upload, string user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(upload);
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        var fileName = Path.GetFileName(upload.FileName);
        if (string.IsNullOrWhiteSpace(fileName))
        {
            throw new LibraryValidationException("The upload has no file name; send the image as a multipart file with its name (e.g. app.hex).");
        }

        var format = upload.Format ?? ImageFormats.FromExtension(fileName)
            ?? throw new LibraryValidationException($"Cannot tell the format of '{fileName}' from its extension; name it .hex, .srec, .elf or .bin, or give the format.");
        if (format == ImageFormat.Binary && upload.BaseAddress is null)
        {
            throw new LibraryValidationException($"'{fileName}' is a raw binary: give its load address (baseAddress, e.g. 0x08000000).");
        }

        var bytes = await ReadLimitedAsync(upload.Content, fileName, cancellationToken).ConfigureAwait(false);
        var image = Parse(bytes, fileName, format, upload.BaseAddress);
        DevicePart? part = null;
        if (!string.IsNullOrWhiteSpace(upload.TargetPart))
        {
            part = _catalog.FindPart(upload.TargetPart.Trim())
                ?? throw new LibraryValidationException($"Target part '{upload.TargetPart}' is not in the device catalog; name a catalog part such as STM32F103C8.");
            EnsureFits(image, fileName, [part]);
        }

        var sha = image.Sha256;
        await using (var existingContext = _database.CreateContext())
        {
            var existing = await existingContext.FirmwareImages.AsNoTracking().SingleOrDefaultAsync(i => i.Sha256 == sha, cancellationToken).ConfigureAwait(false);
            if (existing is not null)
            {
                return new ImportResult(existing, Created: false);
            }
        }

        await StoreFileAsync(sha, format, bytes, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var record = new FirmwareImage
        {
            Sha256 = sha,
            FileName = fileName,
            Format = format,
            SegmentCount = image.Segments.Count,
            TotalBytes = image.TotalBytes,
            Segments = FirmwareImage.DescribeSegments(image),
            TargetPart = part?.PartNumber,
            State = ReleaseState.Draft,
            UploadedBy = user,
            UploadedAt = now,
        };
        await using var context = _database.CreateContext();
        context.FirmwareImages.Add(record);
        context.AuditEvents.Add(Audit(user, "image.import", sha, $"{fileName} ({format}, {image.TotalBytes} bytes in {image.Segments.Count} segment(s))", now));
        try
        {
            await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            // Another import of the same content may have won the race on the unique SHA-256 index: then it is the record.
            if (!await ExistsAsync(sha, cancellationToken).ConfigureAwait(false))
            {
                throw;
            }

            return new ImportResult(await GetAsync(sha, cancellationToken).ConfigureAwait(false), Created: false);
        }

        return new ImportResult(record, Created: true);
    }

    /// <summary>The images, newest first, optionally in one state.</summary>
    public async Task<IReadOnlyList<FirmwareImage>> ListAsync(ReleaseState? state = null, CancellationToken cancellationToken = default)
    {
        await using var context = _database.CreateContext();
        var query = context.FirmwareImages.AsNoTracking();
        if (state is { } s)
        {
            query = query.Where(i => i.State == s);
        }

        return await query.OrderByDescending(i => i.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The record of one image.</summary>
    /// <exception cref="LibraryItemNotFoundException">No image has that SHA-256.</exception>
    public async Task<FirmwareImage> GetAsync(string sha256, CancellationToken cancellationToken = default)
    {
        var sha = NormalizeSha(sha256);
        await using var context = _database.CreateContext();
        return await context.FirmwareImages.AsNoTracking().SingleOrDefaultAsync(i => i.Sha256 == sha, cancellationToken).ConfigureAwait(false)
            ?? throw NotFound(sha);
    }

    /// <summary>Releases a Draft image (two-person rule: <paramref name="user"/> must not be the uploader when it is on).</summary>
    /// <exception cref="LibraryStateException">The image is not a Draft.</exception>
    /// <exception cref="TwoPersonRuleException">The uploader tried to release it.</exception>
    public async Task<FirmwareImage> ReleaseAsync(string sha256, string user, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        var sha = NormalizeSha(sha256);
        await using var context = _database.CreateContext();
        var record = await context.FirmwareImages.AsTracking().SingleOrDefaultAsync(i => i.Sha256 == sha, cancellationToken).ConfigureAwait(false) ?? throw NotFound(sha);
        if (record.State != ReleaseState.Draft)
        {
            throw new LibraryStateException($"Image {sha} is {record.State}; only a Draft can be released.");
        }

        if (_options.RequireTwoPersonRelease && string.Equals(record.UploadedBy, user, StringComparison.OrdinalIgnoreCase))
        {
            throw new TwoPersonRuleException($"Image {sha} was uploaded by '{record.UploadedBy}'; the two-person rule needs a different user to release it.");
        }

        await VerifyFileAsync(record, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        record.State = ReleaseState.Released;
        record.ReleasedBy = user;
        record.ReleasedAt = now;
        context.AuditEvents.Add(Audit(user, "image.release", sha, null, now));
        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return record;
    }

    /// <summary>Marks a Released image Obsolete: recipes can no longer be created or released with it (who: the audit event).</summary>
    /// <exception cref="LibraryStateException">The image is not Released.</exception>
    public async Task<FirmwareImage> ObsoleteAsync(string sha256, string user, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(user);
        var sha = NormalizeSha(sha256);
        await using var context = _database.CreateContext();
        var record = await context.FirmwareImages.AsTracking().SingleOrDefaultAsync(i => i.Sha256 == sha, cancellationToken).ConfigureAwait(false) ?? throw NotFound(sha);
        if (record.State != ReleaseState.Released)
        {
            throw new LibraryStateException($"Image {sha} is {record.State}; only a Released image can be made Obsolete.");
        }

        var now = _time.GetUtcNow();
        record.State = ReleaseState.Obsolete;
        record.ObsoletedAt = now;
        context.AuditEvents.Add(Audit(user, "image.obsolete", sha, null, now));
        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return record;
    }

    /// <summary>
    /// Reads the stored file again and checks its SHA-256 against the record: call before every attempt. A mismatch is
    /// <see cref="ImageIntegrityException"/> (report it as <c>Diagnoses.ImageIntegrityFailed</c>; program nothing).
    /// </summary>
    /// <exception cref="LibraryItemNotFoundException">No image has that SHA-256.</exception>
    /// <exception cref="ImageIntegrityException">The file is missing, no longer parses, or hashes differently.</exception>
    public async Task<MemoryImage> LoadAsync(string sha256, CancellationToken cancellationToken = default)
    {
        var record = await GetAsync(sha256, cancellationToken).ConfigureAwait(false);
        return await VerifyFileAsync(record, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The path of the stored file after its SHA-256 was re-checked (for download).</summary>
    /// <exception cref="ImageIntegrityException">The file is missing, no longer parses, or hashes differently.</exception>
    public async Task<(FirmwareImage Record, string Path)> GetVerifiedFileAsync(string sha256, CancellationToken cancellationToken = default)
    {
        var record = await GetAsync(sha256, cancellationToken).ConfigureAwait(false);
        await VerifyFileAsync(record, cancellationToken).ConfigureAwait(false);
        return (record, FilePath(record.Sha256, record.Format));
    }

    /// <summary>Checks that <paramref name="image"/> lies inside the main flash of every part in <paramref name="parts"/>.</summary>
    /// <exception cref="LibraryValidationException">It does not fit one of them; the message names the part and the first range outside.</exception>
    public static void EnsureFits(MemoryImage image, string imageName, IEnumerable<DevicePart> parts)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(parts);
        foreach (var part in parts)
        {
            var fit = part.Check(image);
            if (!fit.Fits)
            {
                throw new LibraryValidationException(
                    $"Image '{imageName}' does not fit {part.PartNumber}: {fit.BytesOutside} bytes lie outside its {part.FlashKiB} KiB flash, first {fit.Outside[0]}. Build the image for this part or choose another.");
            }
        }
    }

    /// <summary>The catalog parts a recipe's expected devices stand for (a named part, or every part of the DEV_ID's line with that flash size).</summary>
    public IReadOnlyList<DevicePart> PartsOf(Recipe recipe)
    {
        ArgumentNullException.ThrowIfNull(recipe);
        var parts = new List<DevicePart>();
        foreach (var device in recipe.Devices)
        {
            if (device.Part is { } part)
            {
                parts.Add(part);
            }
            else if (_catalog.FindLine(device.DevId) is { } line)
            {
                parts.AddRange(line.PartsWithFlash(device.FlashKiB));
            }
        }

        return parts;
    }

    private static AuditEvent Audit(string user, string action, string sha, string? details, DateTimeOffset at) =>
        new() { Actor = user, Action = action, EntityType = AuditEntityType, EntityId = sha, At = at, Details = details };

    private static LibraryItemNotFoundException NotFound(string sha) =>
        new($"No image with SHA-256 {sha} is in the library; list the images (GET /api/images) or upload it first.");

    /// <summary>Lower-case 64-hex SHA-256, or a validation error naming the value.</summary>
    internal static string NormalizeSha(string? sha256)
    {
        var sha = sha256?.Trim();
        return sha is { Length: Sha256HexLength } && sha.All(char.IsAsciiHexDigit)
            ? sha.ToLowerInvariant()
            : throw new LibraryValidationException($"'{sha256}' is not a SHA-256: write 64 hex characters.");
    }

    private async Task<bool> ExistsAsync(string sha, CancellationToken cancellationToken)
    {
        await using var context = _database.CreateContext();
        return await context.FirmwareImages.AnyAsync(i => i.Sha256 == sha, cancellationToken).ConfigureAwait(false);
    }

    private async Task<byte[]> ReadLimitedAsync(Stream content, string fileName, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await content.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > _options.MaxImageBytes)
            {
                throw new LibraryValidationException($"'{fileName}' is larger than the library's limit of {_options.MaxImageBytes} bytes (Library:MaxImageBytes).");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.Length == 0
            ? throw new LibraryValidationException($"'{fileName}' is empty; upload the image file's content.")
            : buffer.ToArray();
    }

    private static MemoryImage Parse(byte[] bytes, string fileName, ImageFormat format, uint? baseAddress)
    {
        MemoryImage image;
        try
        {
            using var stream = new MemoryStream(bytes, writable: false);
            image = ImageReader.Read(stream, fileName, format, baseAddress);
        }
        catch (ImageParseException e)
        {
            throw new LibraryValidationException($"'{fileName}' is not a valid {format} image: {e.Message}", e);
        }
        catch (ArgumentException e)
        {
            throw new LibraryValidationException($"'{fileName}' cannot be read as {format}: {e.Message}", e);
        }

        return image.Segments.Count == 0
            ? throw new LibraryValidationException($"'{fileName}' holds no data to program; check that it is the built firmware.")
            : image;
    }

    private string FilePath(string sha, ImageFormat format) =>
        Path.Combine(Folder, sha[..2], sha + Extension(format));

    private static string Extension(ImageFormat format) => format switch
    {
        ImageFormat.IntelHex => ".hex",
        ImageFormat.SRecord => ".srec",
        ImageFormat.Elf => ".elf",
        _ => ".bin",
    };

    private async Task StoreFileAsync(string sha, ImageFormat format, byte[] bytes, CancellationToken cancellationToken)
    {
        var path = FilePath(sha, format);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            await File.WriteAllBytesAsync(temporary, bytes, cancellationToken).ConfigureAwait(false);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private async Task<MemoryImage> VerifyFileAsync(FirmwareImage record, CancellationToken cancellationToken)
    {
        var path = FilePath(record.Sha256, record.Format);
        if (!File.Exists(path))
        {
            throw new ImageIntegrityException(record.Sha256, null, $"The stored file of image {record.Sha256} ({record.FileName}) is missing at {path}; upload the image again.");
        }

        MemoryImage image;
        try
        {
            var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
            using var stream = new MemoryStream(bytes, writable: false);
            image = ImageReader.Read(stream, record.FileName, record.Format, record.Format == ImageFormat.Binary ? BaseAddressOf(record) : null);
        }
        catch (ImageParseException e)
        {
            throw new ImageIntegrityException(record.Sha256, null, $"The stored file of image {record.Sha256} ({record.FileName}) no longer parses ({e.Reason}); it was damaged on disk. Upload the image again.", e);
        }

        return string.Equals(image.Sha256, record.Sha256, StringComparison.Ordinal)
            ? image
            : throw new ImageIntegrityException(record.Sha256, image.Sha256,
                $"The stored file of image {record.Sha256} ({record.FileName}) now has SHA-256 {image.Sha256}: it was damaged or replaced. Do not program; upload the image again.");
    }

    private static uint BaseAddressOf(FirmwareImage record)
    {
        // A BIN is one segment: "0x08000000+1234" (FirmwareImage.DescribeSegments).
        var first = record.Segments.Split(' ', 2)[0];
        var plus = first.IndexOf('+', StringComparison.Ordinal);
        return plus > 2 && uint.TryParse(first.AsSpan(2, plus - 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var address)
            ? address
            : throw new ImageIntegrityException(record.Sha256, null, $"Image {record.Sha256} has no load address in its record ('{record.Segments}'); upload it again.");
    }
}
