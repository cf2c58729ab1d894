using System.Globalization;
using Microsoft.EntityFrameworkCore;
using ProdFlash.Core.Devices;
using ProdFlash.Core.Diagnostics;
using ProdFlash.Data;
using ProdFlash.Data.Entities;
using ProdFlash.Programming.Engine;

namespace ProdFlash.Station.Runtime;

/// <summary>
/// Finds, in the station's records, what a slot's probe saw of a board before the current attempt: the
/// <see cref="PriorContact"/> the engine weighs when a chip answers nothing (a chip at RDP level 2 looks exactly like a
/// broken SWD wire; stm32-targets.md §4.1, §6).
/// </summary>
/// <remarks>
/// Two sources, the stronger first:
/// <list type="number">
/// <item>The <b>board</b>, when the station knows which one it is: a run that programs a single slot and was started
/// with a scanned code. A code that is a serial in the ledger names the unit that got it (its attempt and MCU UID);
/// a code equal to the one scanned at the run of the slot's earlier contact names that board again. Either way the
/// contact is on the same board (<see cref="PriorContact.SameBoard"/>).</item>
/// <item>The <b>slot</b>: the latest attempt on this slot, with this probe, that reached a chip (read its UID or proved
/// it locked for good). The wiring worked then; whether it is the same board is not known, so it is never claimed.</item>
/// </list>
/// A code scanned for a run of several slots names a lot, not a board, so it is not used. Thread-safe: each call uses
/// its own context.
/// </remarks>
internal sealed class SlotHistory(StationDatabase database)
{
    /// <summary>The measurement key under which an attempt's phases record the RDP level read or left (see <see cref="PhaseRecord"/>).</summary>
    public const string RdpMeasurement = "rdp";

    /// <summary>The earlier contact for attempt <paramref name="attemptId"/> on <paramref name="slotId"/>, or null when there is none.</summary>
    /// <param name="slotId">The slot's key.</param>
    /// <param name="probeSerial">The slot's probe serial as bound at start (null when it was not read).</param>
    /// <param name="attemptId">The current attempt (only earlier attempts count).</param>
    /// <param name="boardCode">The code scanned at Start when the run programs this slot alone, else null.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    public async Task<PriorContact?> FindAsync(int slotId, string? probeSerial, long attemptId, string? boardCode, CancellationToken cancellationToken)
    {
        var context = database.CreateContext();
        await using (context.ConfigureAwait(false))
        {
            var slotContact = await context.Attempts
                .Where(a => a.SlotId == slotId && a.Id < attemptId && a.ProbeSerial == probeSerial
                    && (a.McuUid != null || a.FailureCode == FailureCode.ReadoutProtectedPermanently))
                .OrderByDescending(a => a.Id)
                .Select(a => new Contact(a.Id, a.McuUid, a.DevicePart, a.FailureCode, a.Phases, a.StartedAt, a.Run!.LotCode))
                .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            if (!string.IsNullOrWhiteSpace(boardCode))
            {
                var unit = await UnitContactAsync(context, boardCode, attemptId, cancellationToken).ConfigureAwait(false);
                if (unit is not null)
                {
                    return ToPrior(unit, sameBoard: true, $"serial {boardCode} scanned at Start");
                }

                if (slotContact is not null && string.Equals(slotContact.LotCode, boardCode, StringComparison.Ordinal))
                {
                    return ToPrior(slotContact, sameBoard: true, $"code {boardCode} scanned at Start");
                }
            }

            return slotContact is null ? null : ToPrior(slotContact, sameBoard: false, "this slot and probe");
        }
    }

    /// <summary>The latest contact with the unit whose serial is <paramref name="serialText"/>, found through the ledger.</summary>
    private static async Task<Contact?> UnitContactAsync(StationDbContext context, string serialText, long attemptId, CancellationToken cancellationToken)
    {
        var serialAttempts = context.SerialLedger.Where(e => e.Text == serialText && e.AttemptId != null).Select(e => e.AttemptId);
        var uid = await context.Attempts
            .Where(a => serialAttempts.Contains(a.Id) && a.McuUid != null)
            .OrderByDescending(a => a.Id)
            .Select(a => a.McuUid)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (uid is null)
        {
            return null;
        }

        return await context.Attempts
            .Where(a => a.McuUid == uid && a.Id < attemptId)
            .OrderByDescending(a => a.Id)
            .Select(a => new Contact(a.Id, a.McuUid, a.DevicePart, a.FailureCode, a.Phases, a.StartedAt, a.Run!.LotCode))
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
    }

    private static PriorContact ToPrior(Contact contact, bool sameBoard, string how)
    {
        var rdp = contact.Code == FailureCode.ReadoutProtectedPermanently ? RdpLevel.Level2 : RdpOf(contact.Phases);
        var source = string.Create(CultureInfo.InvariantCulture, $"attempt {contact.Id} at {contact.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC ({how})");
        return new PriorContact(sameBoard, contact.Uid, contact.Device, rdp, source);
    }

    /// <summary>The RDP level the attempt left the chip at: the last phase that recorded one.</summary>
    private static RdpLevel? RdpOf(string? phases)
    {
        if (phases is null)
        {
            return null;
        }

        IReadOnlyList<PhaseRecord> records;
        try
        {
            records = PhaseLog.Deserialize(phases);
        }
        catch (StationDataException)
        {
            return null;
        }

        var text = records.Select(p => p.Measurements is { } m && m.TryGetValue(RdpMeasurement, out var v) ? v : null).LastOrDefault(v => v is not null);
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var level) && Enum.IsDefined((RdpLevel)level) ? (RdpLevel)level : null;
    }

    private sealed record Contact(long Id, string? Uid, string? Device, FailureCode? Code, string? Phases, DateTimeOffset StartedAt, string? LotCode);
}
