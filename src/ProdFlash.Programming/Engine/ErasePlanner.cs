using System.Globalization;

using ProdFlash.Core.Devices;
using ProdFlash.Core.Recipes;

namespace ProdFlash.Programming.Engine;

/// <summary>
/// Chooses what to erase (issue 4 §5): the pages or sectors the image touches, or a mass erase when the catalog's
/// typical times (else its minimum times, DS5319's F1 erase) make it cheaper (without either on both sides: the best
/// figures known, typical else maximum),
/// honouring the recipe's strategy; units that already hold the image are skipped when the recipe asks for preverify.
/// </summary>
public static class ErasePlanner
{
    /// <summary>Makes the plan.</summary>
    /// <param name="part">The part.</param>
    /// <param name="strategy">The recipe's erase strategy.</param>
    /// <param name="needed">Units the image (and the serial record) touch, in address order.</param>
    /// <param name="matching">Units whose flash already holds exactly what they should hold after programming.</param>
    /// <param name="writeProtectedUnits">Units write protected outside the image: a mass erase would fail on them.</param>
    /// <param name="parallelismBytes">
    /// The program/erase parallelism the driver uses (F4 PSIZE from the supply voltage: 1, 2 or 4 bytes), whose times
    /// the comparison uses (<see cref="FlashTimings.At"/>); null for the catalog's listed column.
    /// </param>
    public static ErasePlan Plan(DevicePart part, EraseStrategy strategy, IReadOnlyList<EraseUnit> needed, IReadOnlySet<int> matching, IReadOnlyCollection<int> writeProtectedUnits, int? parallelismBytes = null)
    {
        ArgumentNullException.ThrowIfNull(part);
        ArgumentNullException.ThrowIfNull(needed);
        ArgumentNullException.ThrowIfNull(matching);
        ArgumentNullException.ThrowIfNull(writeProtectedUnits);
        var skipped = needed.Where(u => matching.Contains(u.Index)).ToList();
        var touched = needed.Where(u => !matching.Contains(u.Index)).ToList();
        var timings = part.Timings.At(parallelismBytes);
        var touchedCost = UnitsCost(timings, touched);
        var massCost = timings.MassErase.Floor;
        var inv = CultureInfo.InvariantCulture;
        string Costs() => string.Create(inv, $"{touched.Count} units {Show(touchedCost)} vs mass erase {Show(massCost)}");

        switch (strategy)
        {
            case EraseStrategy.Mass:
                return new ErasePlan(true, [], [], touchedCost, massCost, "mass erase (recipe)");
            case EraseStrategy.Touched:
                return new ErasePlan(false, needed, [], UnitsCost(timings, needed), massCost, string.Create(inv, $"{needed.Count} touched units (recipe)"));
        }

        if (touched.Count == 0)
        {
            return new ErasePlan(false, [], skipped, TimeSpan.Zero, massCost, string.Create(inv, $"nothing to erase: all {skipped.Count} units already hold the image"));
        }

        // A mass erase also wipes units the image leaves alone, so it is never chosen when units were skipped as
        // matching or when write protection outside the image would make it fail (RM0008 §3.3.3: WRPRTERR).
        var massPossible = skipped.Count == 0 && writeProtectedUnits.Count == 0;
        var everyUnit = touched.Count == part.Layout.UnitCount;
        if (massPossible && massCost is { } mass && touchedCost is { } units)
        {
            if (mass < units || (mass == units && everyUnit))
            {
                return new ErasePlan(true, [], [], touchedCost, massCost, "mass erase is cheaper: " + Costs());
            }
        }
        else if (massPossible && Estimate(timings.MassErase) is { } massEstimate && UnitsEstimate(timings, touched) is { } unitsEstimate)
        {
            // Without typical times on both sides, compare the best figures the catalog has: typical, else the
            // maximum (an upper bound), the same figures the chip model charges. A unit size with no figure at all
            // counts at the next larger size's figure (assumption: a smaller sector never erases slower than a larger
            // one; DS8626 x32: 16 KiB 250 ms typical, 128 KiB 2 s maximum).
            var estimates = string.Create(inv, $"{touched.Count} units ≤ {Show(unitsEstimate.Time)}{(unitsEstimate.Assumed ? " (a unit size without catalog time counted at the next larger size's)" : string.Empty)} vs mass erase {Show(massEstimate.Time)}, catalog {massEstimate.Basis}");
            if (massEstimate.Time < unitsEstimate.Time || (massEstimate.Time == unitsEstimate.Time && everyUnit))
            {
                return new ErasePlan(true, [], [], touchedCost, massCost, "mass erase is cheaper on the known figures: " + estimates);
            }

            return new ErasePlan(false, touched, skipped, touchedCost, massCost, "touched units are cheaper on the known figures: " + estimates);
        }

        // Every unit of the flash is touched: one mass erase does the same work in one command, so it is chosen even
        // where the catalog lacks the times to compare.
        if (massPossible && (massCost is null || touchedCost is null) && everyUnit)
        {
            return new ErasePlan(true, [], [], touchedCost, massCost, "mass erase: the image touches every unit (" + Costs() + ")");
        }

        var why = skipped.Count > 0
            ? string.Create(inv, $"touched units, {skipped.Count} skipped as already matching: {Costs()}")
            : "touched units: " + Costs();
        return new ErasePlan(false, touched, skipped, touchedCost, massCost, why);
    }

    /// <summary>The catalog floor time (typical, else the datasheet minimum) to erase <paramref name="units"/>, or null when one unit's time is unknown.</summary>
    public static TimeSpan? UnitsCost(DevicePart part, IEnumerable<EraseUnit> units)
    {
        ArgumentNullException.ThrowIfNull(part);
        return UnitsCost(part.Timings, units);
    }

    /// <summary>The floor time (typical, else minimum) of <paramref name="timings"/> to erase <paramref name="units"/>, or null when one unit's time is unknown.</summary>
    public static TimeSpan? UnitsCost(FlashTimings timings, IEnumerable<EraseUnit> units)
    {
        ArgumentNullException.ThrowIfNull(timings);
        ArgumentNullException.ThrowIfNull(units);
        var total = TimeSpan.Zero;
        foreach (var unit in units)
        {
            if (timings.EraseTime(unit.Size).Floor is not { } time)
            {
                return null;
            }

            total += time;
        }

        return total;
    }

    /// <summary>The typical time of <paramref name="range"/>, else its maximum, with which one it is; null when neither is known.</summary>
    private static (TimeSpan Time, string Basis)? Estimate(TimingRange range) =>
        range.Typical is { } typical ? (typical, "typical")
        : range.Maximum is { } maximum ? (maximum, "maximum")
        : null;

    /// <summary>
    /// The time to erase <paramref name="units"/> on the best figures known (<see cref="Estimate"/> per unit; a unit
    /// size with none counts at the next larger listed size's), or null when some unit has no figure at all.
    /// </summary>
    private static (TimeSpan Time, bool Assumed)? UnitsEstimate(FlashTimings timings, IEnumerable<EraseUnit> units)
    {
        var total = TimeSpan.Zero;
        var assumed = false;
        foreach (var unit in units)
        {
            if (Estimate(timings.EraseTime(unit.Size)) is { } own)
            {
                total += own.Time;
                continue;
            }

            var larger = timings.UnitErase
                .Where(e => e.UnitSize > unit.Size && Estimate(e.Time) is not null)
                .OrderBy(e => e.UnitSize)
                .FirstOrDefault();
            if (larger is null)
            {
                return null;
            }

            total += Estimate(larger.Time)!.Value.Time;
            assumed = true;
        }

        return (total, assumed);
    }

    private static string Show(TimeSpan? time) =>
        time is { } t ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalMilliseconds:0.#} ms") : "(time unknown)";
}
