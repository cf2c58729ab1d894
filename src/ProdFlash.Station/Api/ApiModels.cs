using ProdFlash.Core.Images;
using ProdFlash.Data.Entities;

namespace ProdFlash.Station.Api;

/// <summary>An image as the API shows it.</summary>
public sealed record ImageDto(string Sha256, string FileName, ImageFormat Format, int SegmentCount, long TotalBytes, string Segments, string? TargetPart,
    ReleaseState State, string UploadedBy, DateTimeOffset UploadedAt, string? ReleasedBy, DateTimeOffset? ReleasedAt, DateTimeOffset? ObsoletedAt)
{
    /// <summary>Maps a record.</summary>
    public static ImageDto From(FirmwareImage i)
    {
        ArgumentNullException.ThrowIfNull(i);
        return new(i.Sha256, i.FileName, i.Format, i.SegmentCount, i.TotalBytes, i.Segments, i.TargetPart, i.State, i.UploadedBy, i.UploadedAt, i.ReleasedBy, i.ReleasedAt, i.ObsoletedAt);
    }
}

/// <summary>A recipe as the API shows it; <see cref="Json"/> is the text as uploaded.</summary>
public sealed record RecipeDto(int Id, string Name, string Version, ReleaseState State, string ImageSha256, string CreatedBy, DateTimeOffset CreatedAt,
    string? ReleasedBy, DateTimeOffset? ReleasedAt, string Json, DateTimeOffset? ObsoletedAt = null)
{
    /// <summary>Maps a record.</summary>
    public static RecipeDto From(RecipeRecord r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new(r.Id, r.Name, r.Version, r.State, r.ImageSha256, r.CreatedBy, r.CreatedAt, r.ReleasedBy, r.ReleasedAt, r.Json, r.ObsoletedAt);
    }
}

/// <summary>A run (one Start press) as the API shows it.</summary>
public sealed record RunDto(long Id, int FixtureId, int RecipeId, string Operator, string? LotCode, DateTimeOffset StartedAt, DateTimeOffset? EndedAt);

/// <summary>A page of items; <see cref="Next"/> is the cursor for the following page (null at the end).</summary>
public sealed record PageDto<T>(IReadOnlyList<T> Items, int Page, int PageSize, string? Next);

/// <summary>Body of <c>POST /api/keys</c>.</summary>
/// <param name="UserName">The user the key acts as (created when new).</param>
/// <param name="Role">The user's role.</param>
/// <param name="Name">What the key is for.</param>
/// <param name="ExpiresAt">When it stops working, or null.</param>
public sealed record IssueKeyRequest(string UserName, UserRole Role, string Name, DateTimeOffset? ExpiresAt);
