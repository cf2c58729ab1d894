namespace ProdFlash.Core.Devices;

/// <summary>A datasheet time: typical and maximum (and the minimum where the datasheet gives one), any of which may be unknown (null), with its source.</summary>
/// <param name="Typical">Typical value, or null where no public source gives it (DS5319 gives none for the F1 erase times).</param>
/// <param name="Maximum">Maximum value, or null where no public source gives it.</param>
/// <param name="Source">Where the values come from, or why they are unknown.</param>
public sealed record TimingRange(TimeSpan? Typical, TimeSpan? Maximum, string Source)
{
    /// <summary>Minimum value, where the datasheet gives one (DS5319: F1 page and mass erase 20 ms); null otherwise.</summary>
    public TimeSpan? Minimum { get; init; }

    /// <summary>Whether at least one value is known.</summary>
    public bool IsKnown => Typical.HasValue || Maximum.HasValue || Minimum.HasValue;

    /// <summary>
    /// The value a physical floor (DESIGN §7) takes: the typical, else the datasheet minimum (a time no chip beats);
    /// null when neither is given.
    /// </summary>
    public TimeSpan? Floor => Typical ?? Minimum;

    /// <summary>A range with neither value known.</summary>
    public static TimingRange Unknown(string why) => new(null, null, why);
}

/// <summary>Erase time for units of one size.</summary>
/// <param name="UnitSize">Unit size in bytes (a page or a sector size).</param>
/// <param name="Time">The time to erase one unit of that size.</param>
public sealed record EraseTiming(uint UnitSize, TimingRange Time);

/// <summary>
/// Flash operation times from the datasheet "Flash memory characteristics" table, where a public source gives them.
/// Unknown values are null, never guessed.
/// </summary>
/// <param name="Program">Time to program one programming unit (see <see cref="ProgrammingUnit"/>).</param>
/// <param name="UnitErase">Time to erase one page or sector, by unit size.</param>
/// <param name="MassErase">Time for a mass erase (per bank where the datasheet says so).</param>
/// <param name="OptionBytes">
/// Time for one option-byte programming operation (F0/F1: one option half-word; F4: one OPTSTRT; G0/L4: one OPTSTRT),
/// not counting the option-byte loader reset.
/// </param>
public sealed record FlashTimings(TimingRange Program, IReadOnlyList<EraseTiming> UnitErase, TimingRange MassErase, TimingRange OptionBytes)
{
    /// <summary>
    /// Times at other program/erase parallelisms (F2/F4 CR.PSIZE: 1 = x8, 2 = x16, 4 = x32, 8 = x64 bytes), where the
    /// datasheet gives a column of its own; the record itself holds the column the catalog names in its sources
    /// (DS8626: x32). Empty for families with one programming width.
    /// </summary>
    public IReadOnlyDictionary<int, FlashTimings> ByParallelism { get; init; } = new Dictionary<int, FlashTimings>();

    /// <summary>
    /// The times at a parallelism of <paramref name="parallelismBytes"/> bytes: its own column where the catalog has
    /// one (<see cref="ByParallelism"/>), otherwise these times.
    /// </summary>
    public FlashTimings At(int? parallelismBytes) =>
        parallelismBytes is { } p && ByParallelism.TryGetValue(p, out var column) ? column : this;

    /// <summary>The erase time for units of <paramref name="unitSize"/> bytes, or an unknown range when none is listed.</summary>
    public TimingRange EraseTime(uint unitSize) =>
        UnitErase.FirstOrDefault(e => e.UnitSize == unitSize)?.Time
        ?? TimingRange.Unknown($"no erase time listed for {unitSize}-byte units");
}
