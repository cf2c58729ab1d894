using Microsoft.EntityFrameworkCore;

using ProdFlash.Core.Diagnostics;
using ProdFlash.Data;
using ProdFlash.Data.Entities;

namespace ProdFlash.Station.Components.Manager;

/// <summary>What an attempt measured beyond its summary line: phases with their times and measurements, option bytes, the floor.</summary>
/// <param name="Id">The attempt's key.</param>
/// <param name="Phases">Per-phase times and measurements, in the order they ran (empty when none were recorded).</param>
/// <param name="FailedPhase">The phase that failed.</param>
/// <param name="OptionBytesBefore">The option-byte registers read before the attempt changed them ("OBR=0x03FFFFFC WRPR=0xFFFFFFFF"), or null.</param>
/// <param name="OptionBytesAfter">The option-byte registers read back after the attempt set them, in the same form, or null.</param>
/// <param name="FloorSeconds">The physical floor for the image on this chip, seconds.</param>
/// <param name="LotCode">The board or lot code the run was tagged with.</param>
public sealed record AttemptDetails(long Id, IReadOnlyList<PhaseRecord> Phases, AttemptPhase? FailedPhase, string? OptionBytesBefore, string? OptionBytesAfter,
    double? FloorSeconds, string? LotCode)
{
    /// <summary>The measurement key under which the failed phase keeps the diagnosis summary.</summary>
    public const string SummaryKey = "summary";

    /// <summary>The diagnosis summary the failed phase recorded (measured evidence and first remedy), or null.</summary>
    public string? FailureSummary =>
        FailedPhase is { } failed && Phases.LastOrDefault(p => p.Phase == failed)?.Measurements is { } measured && measured.TryGetValue(SummaryKey, out var summary)
            ? summary
            : null;

    /// <summary>The details of the attempts <paramref name="ids"/> (the unit page's attempts: a handful), by key.</summary>
    public static async Task<IReadOnlyDictionary<long, AttemptDetails>> LoadAsync(StationDatabase database, IReadOnlyCollection<long> ids, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(ids);
        await using var context = database.CreateContext();
        var rows = await context.Attempts.AsNoTracking().Where(a => ids.Contains(a.Id))
            .Select(a => new { a.Id, a.Phases, a.FailedPhase, a.OptionBytesBefore, a.OptionBytesAfter, a.FloorSeconds, a.Run!.LotCode })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.ToDictionary(
            r => r.Id,
            r => new AttemptDetails(r.Id, r.Phases is null ? [] : PhaseLog.Deserialize(r.Phases), r.FailedPhase, r.OptionBytesBefore, r.OptionBytesAfter, r.FloorSeconds, r.LotCode));
    }
}
