using System.Globalization;

using ProdFlash.Core.Diagnostics;

namespace ProdFlash.Programming.Engine;

/// <summary>Culture-invariant formatting of measured values for the engine's diagnoses and notes (as Core's diagnoses write them).</summary>
internal static class Format
{
    /// <summary>CPUID PARTNO values of the Cortex-M cores (stm32-targets.md §5.2).</summary>
    private static readonly Dictionary<uint, string> s_cores = new()
    {
        [0xC20] = "Cortex-M0",
        [0xC60] = "Cortex-M0+",
        [0xC23] = "Cortex-M3",
        [0xC24] = "Cortex-M4",
        [0xC27] = "Cortex-M7",
    };

    public static string Hex32(uint value) => string.Create(CultureInfo.InvariantCulture, $"0x{value:X8}");

    public static string Hex(ulong value, int digits) => "0x" + value.ToString("X" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>"0x412FC231 (Cortex-M3 r2p1)".</summary>
    public static string CpuId(uint cpuId)
    {
        var partNo = (cpuId >> 4) & 0xFFF;
        var core = s_cores.TryGetValue(partNo, out var name) ? name : string.Create(CultureInfo.InvariantCulture, $"PARTNO 0x{partNo:X3}");
        return string.Create(CultureInfo.InvariantCulture, $"0x{cpuId:X8} ({core} r{(cpuId >> 20) & 0xF}p{cpuId & 0xF})");
    }

    /// <summary>"0x020 (STMicroelectronics)".</summary>
    public static string Designer(ushort designer)
    {
        var name = designer switch
        {
            0x020 => " (STMicroelectronics)",
            0x43B => " (ARM)",
            0x751 => " (GigaDevice)",
            _ => string.Empty,
        };
        return string.Create(CultureInfo.InvariantCulture, $"0x{designer:X3}{name}");
    }

    public static string PhaseName(AttemptPhase phase) => phase switch
    {
        AttemptPhase.OptionBytes => "option bytes",
        _ => phase.ToString().ToLowerInvariant(),
    };
}
