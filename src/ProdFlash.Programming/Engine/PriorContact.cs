using ProdFlash.Core.Devices;
using ProdFlash.Core.Diagnostics;

namespace ProdFlash.Programming.Engine;

/// <summary>
/// What this slot's probe saw of a board before the current attempt: the evidence that lets a chip whose debug port
/// answers nothing be told apart from a wiring fault. Only with a contact on the <em>same</em> board that left it at
/// readout protection level 2 does the engine call a silent chip "locked for good" (stm32-targets.md §4.1, §6: level 2
/// closes the debug port, also under reset, so the option bytes can never be read to prove it).
/// </summary>
/// <param name="SameBoard">
/// Whether the caller knows the board has not been exchanged since that contact (the fixture stayed closed, or the
/// board's label scanned the same). False means only "this probe and its wiring reached a chip before".
/// </param>
/// <param name="Uid">The chip UID read at that contact (hex), or null when it was not read.</param>
/// <param name="Device">The catalog device identified then ("STM32F407xG"), or null.</param>
/// <param name="RdpLeft">The readout-protection level the chip was left at (read or written), or null when unknown.</param>
/// <param name="Source">Where the contact comes from, for the operator ("attempt 1841 at 2026-12-03 07:12").</param>
public sealed record PriorContact(bool SameBoard, string? Uid, string? Device, RdpLevel? RdpLeft, string Source)
{
    /// <summary>
    /// The contact an earlier attempt on this slot made, or null when that attempt never reached the chip (it did
    /// not identify it and did not prove it locked for good).
    /// </summary>
    /// <param name="earlier">The earlier attempt's result.</param>
    /// <param name="sameBoard">Whether the board has not been exchanged since (see <see cref="SameBoard"/>).</param>
    /// <param name="source">How the operator names that attempt.</param>
    public static PriorContact? From(AttemptResult earlier, bool sameBoard, string source)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        if (earlier.FailureCode == FailureCode.ReadoutProtectedPermanently)
        {
            // Proven locked then; a silent attempt carries the UID of the contact that proved it.
            return new PriorContact(sameBoard, earlier.Identity?.Uid ?? earlier.Prior?.Uid, earlier.Identity?.DeviceName ?? earlier.Prior?.Device, RdpLevel.Level2, source);
        }

        if (earlier.Identity is not { } identity)
        {
            return null;
        }

        var rdp = earlier.OptionBytesAfter?.Rdp ?? earlier.OptionBytesBefore?.Rdp;
        return new PriorContact(sameBoard, identity.Uid, identity.DeviceName, rdp, source);
    }
}
