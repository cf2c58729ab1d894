using ProdFlash.Core.Devices;
using ProdFlash.Core.Diagnostics;

namespace ProdFlash.Programming.Identify;

/// <summary>Where a chip comes from, as far as its debug identity tells (stm32-targets.md §5.3).</summary>
public enum OriginVerdict
{
    /// <summary>Every compared identity value matches a genuine ST part of the family.</summary>
    GenuineSt,

    /// <summary>The identity matches a named look-alike family (<see cref="Identification.CloneFamily"/>).</summary>
    Clone,

    /// <summary>The identity differs from a genuine part but matches no known look-alike, or the DEV_ID is unknown.</summary>
    Unknown,
}

/// <summary>What the identify phase read and concluded.</summary>
/// <param name="Debug">DP IDCODE, CPUID, AHB-AP IDR, ROM-table designer and DBGMCU_IDCODE.</param>
/// <param name="RomTablePart">The ROM table's PART number, or null when not read.</param>
/// <param name="EtmPresent">Whether the ROM table lists an ETM (entry 0xE00FF014 bit 0), or null when not read.</param>
/// <param name="FlashKiB">The flash-size register, in KiB (lower 16 bits), or null when not read.</param>
/// <param name="Uid">The 96-bit unique ID as 24 hex characters (word 0 first, each word big-endian hex), or null.</param>
/// <param name="Line">The catalog line of the DEV_ID, or null when unknown.</param>
/// <param name="Candidates">Every catalog part with this DEV_ID and flash size (they share a layout; silicon cannot tell them apart).</param>
/// <param name="Verdict">Genuine, clone or unknown.</param>
/// <param name="CloneFamily">The look-alike family for <see cref="OriginVerdict.Clone"/> ("GD32"), else null.</param>
/// <param name="Evidence">The values that decided the verdict (mismatches against a genuine part and clone tells).</param>
public sealed record Identification(
    DebugIdentity Debug,
    ushort? RomTablePart,
    bool? EtmPresent,
    int? FlashKiB,
    string? Uid,
    DeviceLine? Line,
    IReadOnlyList<DevicePart> Candidates,
    OriginVerdict Verdict,
    string? CloneFamily,
    IReadOnlyList<Evidence> Evidence)
{
    /// <summary>The first candidate (all candidates share its layout), or null when none matches.</summary>
    public DevicePart? Part => Candidates.Count > 0 ? Candidates[0] : null;

    /// <summary>"genuine ST", "clone (GD32)" or "unknown origin".</summary>
    public string VerdictText => Verdict switch
    {
        OriginVerdict.GenuineSt => "genuine ST",
        OriginVerdict.Clone => $"clone ({CloneFamily})",
        _ => "unknown origin",
    };

    /// <summary>The device name for reports: the candidates' part numbers in upper case ("STM32F405RG/STM32F407VG"), the line name, or "unknown device".</summary>
    public string DeviceName => Candidates.Count > 0
        ? string.Join("/", Candidates.Select(p => p.PartNumber.ToUpperInvariant()))
        : Line?.Name ?? "unknown device";
}
