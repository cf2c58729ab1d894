using System.Globalization;

using Microsoft.EntityFrameworkCore;

using ProdFlash.Data.Entities;

namespace ProdFlash.Data.Inventory;

/// <summary>What the station learned about one probe when it bound its slots at start.</summary>
/// <param name="Serial">The serial the probe reports (or a GDB server's address); the inventory's key.</param>
/// <param name="Kind">Probe family and variant ("ST-LINK/V2", "GDB server").</param>
/// <param name="Firmware">Firmware version ("V2J37S7"), or null when not read.</param>
/// <param name="PortPath">USB port path (<c>1-4.2</c>), or null when the probe is not on USB here.</param>
/// <param name="SuspectClone">Whether discovery saw signs of a clone.</param>
/// <param name="Anomalies">What an engineer should know, one short sentence each (clone signs, duplicate serial, old firmware).</param>
/// <param name="SlotId">The slot it drives now, or null when it drives none (its slot was disabled, e.g. for a duplicate serial).</param>
public sealed record ProbeSighting(string Serial, string Kind, string? Firmware, string? PortPath, bool SuspectClone, IReadOnlyList<string> Anomalies, int? SlotId);

/// <summary>One probe as the inventory page shows it.</summary>
/// <param name="Id">Key.</param>
/// <param name="Serial">Serial.</param>
/// <param name="Kind">Kind.</param>
/// <param name="PortPath">USB port path, or null.</param>
/// <param name="Firmware">Firmware last seen, or null.</param>
/// <param name="SuspectClone">Whether discovery flagged it as a suspected clone.</param>
/// <param name="Anomalies">The anomalies of its last binding.</param>
/// <param name="LastVoltage">Target voltage its last measuring attempt read, or null.</param>
/// <param name="LastVoltageAt">When, or null.</param>
/// <param name="AttemptCount">Finished attempts made with it.</param>
/// <param name="FailedCount">Of those, the ones that did not pass.</param>
/// <param name="FirstSeenAt">First seen.</param>
/// <param name="LastSeenAt">Last bound or used.</param>
/// <param name="BoundSlotId">The slot it drives now, or null.</param>
/// <param name="BoundSlot">That slot as "station/fixture/position" ("ST01/F2/3"), or null.</param>
public sealed record ProbeRow(
    int Id,
    string Serial,
    string Kind,
    string? PortPath,
    string? Firmware,
    bool SuspectClone,
    IReadOnlyList<string> Anomalies,
    double? LastVoltage,
    DateTimeOffset? LastVoltageAt,
    long AttemptCount,
    long FailedCount,
    DateTimeOffset FirstSeenAt,
    DateTimeOffset LastSeenAt,
    int? BoundSlotId,
    string? BoundSlot);

/// <summary>
/// The probe inventory (DESIGN §8): every probe the station has seen, with what its binding found (kind, firmware, USB
/// port, anomalies, slot) and what its attempts counted and measured (<see cref="AttemptRecorder"/> writes those).
/// </summary>
/// <remarks>Thread-safe: each call uses its own context.</remarks>
public sealed class ProbeInventory
{
    private const char Separator = '\n';
    private readonly StationDatabase _database;
    private readonly TimeProvider _time;

    /// <summary>Creates the inventory.</summary>
    public ProbeInventory(StationDatabase database, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// Records one binding pass of the station, in one transaction: every probe of <paramref name="sightings"/> is added
    /// or updated (kind, firmware, port, anomalies, slot, last seen), and every probe that was bound to one of
    /// <paramref name="slotIds"/> but is not bound now loses its slot. Counts and voltages are left alone.
    /// </summary>
    /// <param name="slotIds">Every slot of this station (the slots this pass decides about; other stations' bindings stay).</param>
    /// <param name="sightings">The probes found, at most one per serial.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <exception cref="ArgumentException">Two sightings share a serial.</exception>
    public async Task RecordBindingAsync(IReadOnlyCollection<int> slotIds, IReadOnlyList<ProbeSighting> sightings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(slotIds);
        ArgumentNullException.ThrowIfNull(sightings);
        var duplicate = sightings.GroupBy(s => s.Serial, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Serial {duplicate.Key} is sighted twice; merge the sightings of one probe into one (with both slots in its anomalies).", nameof(sightings));
        }

        var now = StoreTime.Truncate(_time.GetUtcNow());
        await using var context = _database.CreateContext();
        await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var ids = slotIds.Select(i => (int?)i).ToList();
        var wasBound = await context.Probes.AsTracking().Where(p => ids.Contains(p.BoundSlotId)).ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var probe in wasBound)
        {
            probe.BoundSlotId = null;
        }

        var serials = sightings.Select(s => s.Serial).ToList();
        var known = await context.Probes.AsTracking().Where(p => serials.Contains(p.Serial)).ToDictionaryAsync(p => p.Serial, StringComparer.Ordinal, cancellationToken).ConfigureAwait(false);
        foreach (var sighting in sightings)
        {
            if (!known.TryGetValue(sighting.Serial, out var probe))
            {
                probe = new Probe { Serial = sighting.Serial, Kind = sighting.Kind, FirstSeenAt = now };
                context.Probes.Add(probe);
            }

            probe.Kind = Clip(sighting.Kind, 32)!;
            probe.FirmwareVersion = Clip(sighting.Firmware, 32) ?? probe.FirmwareVersion;
            probe.PortPath = Clip(sighting.PortPath, 64);
            probe.SuspectClone = sighting.SuspectClone;
            probe.Anomalies = JoinAnomalies(sighting.Anomalies);
            probe.BoundSlotId = sighting.SlotId;
            probe.LastSeenAt = now;
        }

        await context.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Every probe, bound ones first (by slot), then the others by serial.</summary>
    public async Task<IReadOnlyList<ProbeRow>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var context = _database.CreateContext();
        var rows = await context.Probes.AsNoTracking().Select(p => new
        {
            p.Id,
            p.Serial,
            p.Kind,
            p.PortPath,
            p.FirmwareVersion,
            p.SuspectClone,
            p.Anomalies,
            p.LastVoltage,
            p.LastVoltageAt,
            p.AttemptCount,
            p.FailedCount,
            p.FirstSeenAt,
            p.LastSeenAt,
            p.BoundSlotId,
            Station = p.BoundSlot == null ? null : p.BoundSlot.Fixture!.Station!.Name,
            Fixture = p.BoundSlot == null ? null : p.BoundSlot.Fixture!.Name,
            Position = p.BoundSlot == null ? (int?)null : p.BoundSlot.Position,
        }).ToListAsync(cancellationToken).ConfigureAwait(false);
        return [.. rows
            .OrderBy(r => r.BoundSlotId is null)
            .ThenBy(r => r.Station, StringComparer.Ordinal)
            .ThenBy(r => r.Fixture, StringComparer.Ordinal)
            .ThenBy(r => r.Position)
            .ThenBy(r => r.Serial, StringComparer.Ordinal)
            .Select(r => new ProbeRow(
                r.Id,
                r.Serial,
                r.Kind,
                r.PortPath,
                r.FirmwareVersion,
                r.SuspectClone,
                SplitAnomalies(r.Anomalies),
                r.LastVoltage,
                r.LastVoltageAt,
                r.AttemptCount,
                r.FailedCount,
                r.FirstSeenAt,
                r.LastSeenAt,
                r.BoundSlotId,
                r.Position is { } position ? string.Create(CultureInfo.InvariantCulture, $"{r.Station}/{r.Fixture}/{position}") : null))];
    }

    /// <summary>The stored form of an anomaly list: one per line, null when empty; clipped to the column's 2000 characters.</summary>
    public static string? JoinAnomalies(IEnumerable<string> anomalies)
    {
        ArgumentNullException.ThrowIfNull(anomalies);
        var lines = anomalies.Select(a => a.ReplaceLineEndings(" ").Trim()).Where(a => a.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        return lines.Count == 0 ? null : Clip(string.Join(Separator, lines), 2000);
    }

    /// <summary>The anomaly list of a stored <see cref="Probe.Anomalies"/> text.</summary>
    public static IReadOnlyList<string> SplitAnomalies(string? stored) =>
        string.IsNullOrEmpty(stored) ? [] : stored.Split(Separator, StringSplitOptions.RemoveEmptyEntries);

    private static string? Clip(string? text, int length) => text is null || text.Length <= length ? text : text[..length];
}
