using ProdFlash.Core.Devices;

namespace ProdFlash.Core.Diagnostics;

/// <summary>What the Identify phase read from the debug port and the chip; null where a value could not be read.</summary>
/// <param name="SwdDpIdr">SW-DP DPIDR.</param>
/// <param name="CpuId">CPUID at 0xE000ED00.</param>
/// <param name="AhbApIdr">AHB-AP IDR.</param>
/// <param name="RomTableDesigner">JEP106 designer of the ROM table, continuation &lt;&lt; 8 | identity (ST 0x020).</param>
/// <param name="DbgmcuIdcode">DBGMCU_IDCODE (DEV_ID in bits 11:0, REV_ID in bits 31:16).</param>
public sealed record DebugIdentity(uint? SwdDpIdr, uint? CpuId, uint? AhbApIdr, ushort? RomTableDesigner, uint? DbgmcuIdcode);

/// <summary>Compares a measured <see cref="DebugIdentity"/> with what a genuine part of the family shows.</summary>
public static class GenuinenessCheck
{
    /// <summary>
    /// The measured values that differ from <paramref name="genuine"/>, as evidence with the genuine value as expected
    /// (stm32-targets.md §5.3 and §7: SW-DP IDCODE, CPUID, AHB-AP IDR and ROM-table designer tell clones apart;
    /// DEV_ID does not). Values the catalog does not know, or that were not read, are not compared.
    /// </summary>
    /// <returns>An empty list when every compared value matches.</returns>
    public static IReadOnlyList<Evidence> Mismatches(GenuineIdentity genuine, DebugIdentity measured)
    {
        ArgumentNullException.ThrowIfNull(genuine);
        ArgumentNullException.ThrowIfNull(measured);
        var list = new List<Evidence>();
        if (measured.SwdDpIdr is { } dp && dp != genuine.SwdDpIdr)
        {
            list.Add(new Evidence("SW-DP IDCODE", EvidenceFormat.Hex32(dp), EvidenceFormat.Hex32(genuine.SwdDpIdr)));
        }

        if (measured.CpuId is { } cpu && genuine.CpuId is { } genuineCpu && cpu != genuineCpu)
        {
            list.Add(new Evidence("CPUID", EvidenceFormat.CpuId(cpu), EvidenceFormat.CpuId(genuineCpu)));
        }

        if (measured.AhbApIdr is { } ap && genuine.AhbApIdr is { } genuineAp && ap != genuineAp)
        {
            list.Add(new Evidence("AHB-AP IDR", EvidenceFormat.Hex32(ap), EvidenceFormat.Hex32(genuineAp)));
        }

        if (measured.RomTableDesigner is { } designer && designer != genuine.RomTableDesigner)
        {
            list.Add(new Evidence("ROM-table designer", EvidenceFormat.Designer(designer), EvidenceFormat.Designer(genuine.RomTableDesigner)));
        }

        return list;
    }
}
