using Microsoft.EntityFrameworkCore;

using ProdFlash.Data.Entities;

namespace ProdFlash.Data.Reports;

/// <summary>Which audit events to show. Every member left null means "any".</summary>
public sealed record AuditFilter
{
    /// <summary>Who did it: the user or API key name, exactly.</summary>
    public string? Actor { get; init; }

    /// <summary>What was done: the action itself (<c>signin.failure</c>) or its start (<c>signin</c> finds every <c>signin.*</c>).</summary>
    public string? Action { get; init; }

    /// <summary>At or after.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Before.</summary>
    public DateTimeOffset? To { get; init; }
}

/// <summary>One page of audit events, newest first.</summary>
/// <param name="Items">The events.</param>
/// <param name="HasMore">Whether older events follow.</param>
public sealed record AuditPage(IReadOnlyList<AuditEvent> Items, bool HasMore);

/// <summary>Reads the audit trail (DESIGN §9: every change of images, recipes, users and settings, and every sign-in).</summary>
/// <remarks>Thread-safe: each call uses its own context. Reads only; the services that change things write the events.</remarks>
public sealed class AuditTrail
{
    /// <summary>The largest page size served.</summary>
    public const int MaxPageSize = 500;

    private readonly StationDatabase _database;

    /// <summary>Creates the reader.</summary>
    public AuditTrail(StationDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    /// <summary>Page <paramref name="pageNumber"/> (from 1) of the events <paramref name="filter"/> admits, newest first.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Page number below 1 or page size outside 1–<see cref="MaxPageSize"/>.</exception>
    public async Task<AuditPage> PageAsync(AuditFilter filter, int pageNumber, int pageSize = 50, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageNumber, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(pageSize, MaxPageSize);
        await using var context = _database.CreateContext();
        var events = context.AuditEvents.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(filter.Actor))
        {
            var actor = filter.Actor.Trim();
            events = events.Where(e => e.Actor == actor);
        }

        if (!string.IsNullOrWhiteSpace(filter.Action))
        {
            var action = filter.Action.Trim();
            var family = action + ".";
            events = events.Where(e => e.Action == action || e.Action.StartsWith(family));
        }

        if (filter.From is { } from)
        {
            events = events.Where(e => e.At >= from);
        }

        if (filter.To is { } to)
        {
            events = events.Where(e => e.At < to);
        }

        var rows = await events.OrderByDescending(e => e.At).ThenByDescending(e => e.Id)
            .Skip((pageNumber - 1) * pageSize).Take(pageSize + 1)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return new AuditPage([.. rows.Take(pageSize)], rows.Count > pageSize);
    }
}
