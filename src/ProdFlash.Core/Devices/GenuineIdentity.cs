namespace ProdFlash.Core.Devices;

/// <summary>
/// What a genuine part of the family shows on its debug port. Null values are not known from a public source.
/// </summary>
/// <param name="SwdDpIdr">SW-DP DPIDR (F1 0x1BA01477, F0 0x0BB11477, G0 0x0BC11477, F4/L4 0x2BA01477).</param>
/// <param name="JtagIdcode">JTAG TAP IDCODE of the Cortex-M debug TAP, or null for SWD-only parts or where unknown.</param>
/// <param name="CpuId">Exact CPUID (0xE000ED00) of genuine parts (F103 0x411FC231), or null where not confirmed.</param>
/// <param name="CpuPartNo">CPUID PARTNO[15:4] of the core (M0 0xC20, M0+ 0xC60, M3 0xC23, M4 0xC24).</param>
/// <param name="AhbApIdr">AHB-AP IDR (F1 0x14770011), or null where not confirmed.</param>
/// <param name="RomTableDesigner">JEP106 designer of the ROM table, 12-bit continuation&lt;&lt;8 | id (ST = 0x020).</param>
/// <param name="RomTableBase">Address of the ROM table the AHB-AP BASE register points to (F1 0xE00FF000), or null where not confirmed.</param>
/// <param name="Source">Where these facts come from.</param>
public sealed record GenuineIdentity(uint SwdDpIdr, uint? JtagIdcode, uint? CpuId, ushort CpuPartNo, uint? AhbApIdr, ushort RomTableDesigner, uint? RomTableBase, string Source);
