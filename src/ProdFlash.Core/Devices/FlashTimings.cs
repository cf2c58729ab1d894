namespace ProdFlash.Core.Devices;

/// <summary>A datasheet time: typical and maximum, either of which may be unknown (null), with its source.</summary>
/// <param name="Typical">Typical value, or null where no public source gives it.</param>
/// <param name="Maximum">Maximum value, or null where no public source gives it.</param>
/// <param name="Source">Where the values come from, or why they are unknown.</param>
public sealed record TimingRange(TimeSpan? Typical, TimeSpan? Maximum, string Source)
{
    /// <summary>Whether at least one value is known.</summary>
    public bool IsKnown => Typical.HasValue || Maximum.HasValue;

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
public sealed record FlashTimings(TimingRange Program, IReadOnlyList<EraseTiming> UnitErase, TimingRange MassErase)
{
    /// <summary>The erase time for units of <paramref name="unitSize"/> bytes, or an unknown range when none is listed.</summary>
    public TimingRange EraseTime(uint unitSize) =>
        UnitErase.FirstOrDefault(e => e.UnitSize == unitSize)?.Time
        ?? TimingRange.Unknown($"no erase time listed for {unitSize}-byte units");
}

/// <summary>How the flash is programmed: the unit the controller writes at once, and the other widths it accepts.</summary>
/// <param name="Bytes">The programming unit used by default, in bytes (F0/F1 2, F4 2 (x16, widest VDD range), G0/L4 8).</param>
/// <param name="SupportedBytes">Every width the controller accepts (F4: 1, 2, 4, 8 by CR.PSIZE).</param>
/// <param name="SelectedBy">The control field that selects the width (F4 "CR.PSIZE"), or null where it is fixed.</param>
/// <param name="Note">Conditions (e.g. F4 x64 needs external VPP), or null.</param>
/// <param name="Source">Where these facts come from.</param>
public sealed record ProgrammingUnit(int Bytes, IReadOnlyList<int> SupportedBytes, string? SelectedBy, string? Note, string Source);

/// <summary>
/// What a genuine part of the family shows on its debug port. Null values are not known from a public source.
/// </summary>
/// <param name="SwdDpIdr">SW-DP DPIDR (F1 0x1BA01477, F0 0x0BB11477, G0 0x0BC11477, F4/L4 0x2BA01477).</param>
/// <param name="JtagIdcode">JTAG TAP IDCODE of the Cortex-M debug TAP, or null for SWD-only parts or where unknown.</param>
/// <param name="CpuId">Exact CPUID (0xE000ED00) of genuine parts (F103 0x411FC231), or null where not confirmed.</param>
/// <param name="CpuPartNo">CPUID PARTNO[15:4] of the core (M0 0xC20, M0+ 0xC60, M3 0xC23, M4 0xC24).</param>
/// <param name="AhbApIdr">AHB-AP IDR (F1 0x14770011), or null where not confirmed.</param>
/// <param name="RomTableDesigner">JEP106 designer of the ROM table, 12-bit continuation&lt;&lt;8 | id (ST = 0x020).</param>
/// <param name="Source">Where these facts come from.</param>
public sealed record GenuineIdentity(uint SwdDpIdr, uint? JtagIdcode, uint? CpuId, ushort CpuPartNo, uint? AhbApIdr, ushort RomTableDesigner, string Source);
