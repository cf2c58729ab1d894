using System.Globalization;

using ProdFlash.Core.Devices;
using ProdFlash.Core.Recipes;

namespace ProdFlash.Programming.Engine;

/// <summary>
/// Chooses what to erase (issue 4 §5): the pages or sectors the image touches, or a mass erase when the catalog's
/// typical times make it cheaper, honouring the recipe's strategy; units that already hold the image are skipped
/// when the recipe asks for preverify.
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
        var massCost = timings.MassErase.Typical;
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
        if (massPossible && massCost is { } mass && touchedCost is { } units && mass < units)
        {
            return new ErasePlan(true, [], [], touchedCost, massCost, "mass erase is cheaper: " + Costs());
        }

        // Every unit of the flash is touched: one mass erase does the same work in one command, so it is chosen even
        // where the catalog lacks the times to compare.
        if (massPossible && (massCost is null || touchedCost is null) && touched.Count == part.Layout.UnitCount)
        {
            return new ErasePlan(true, [], [], touchedCost, massCost, "mass erase: the image touches every unit (" + Costs() + ")");
        }

        var why = skipped.Count > 0
            ? string.Create(inv, $"touched units, {skipped.Count} skipped as already matching: {Costs()}")
            : "touched units: " + Costs();
        return new ErasePlan(false, touched, skipped, touchedCost, massCost, why);
    }

    /// <summary>The catalog typical time to erase <paramref name="units"/>, or null when one unit's time is unknown.</summary>
    public static TimeSpan? UnitsCost(DevicePart part, IEnumerable<EraseUnit> units)
    {
        ArgumentNullException.ThrowIfNull(part);
        return UnitsCost(part.Timings, units);
    }

    /// <summary>The typical time of <paramref name="timings"/> to erase <paramref name="units"/>, or null when one unit's time is unknown.</summary>
    public static TimeSpan? UnitsCost(FlashTimings timings, IEnumerable<EraseUnit> units)
    {
        ArgumentNullException.ThrowIfNull(timings);
        ArgumentNullException.ThrowIfNull(units);
        var total = TimeSpan.Zero;
        foreach (var unit in units)
        {
            if (timings.EraseTime(unit.Size).Typical is not { } time)
            {
                return null;
            }

            total += time;
        }

        return total;
    }

    private static string Show(TimeSpan? time) =>
        time is { } t ? string.Create(CultureInfo.InvariantCulture, $"{t.TotalMilliseconds:0.#} ms") : "(time unknown)";
}
