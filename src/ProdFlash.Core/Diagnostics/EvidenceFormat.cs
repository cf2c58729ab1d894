using System.Globalization;

namespace ProdFlash.Core.Diagnostics;

/// <summary>Culture-invariant formatting of measured values, as diagnoses and evidence show them (Core's diagnoses and the engine's).</summary>
public static class EvidenceFormat
{
    /// <summary>CPUID PARTNO values of the Cortex-M cores (stm32-targets.md §5.2, OCD-core cortex_m.h).</summary>
    private static readonly Dictionary<uint, string> s_cores = new()
    {
        [0xC20] = "Cortex-M0",
        [0xC60] = "Cortex-M0+",
        [0xC23] = "Cortex-M3",
        [0xC24] = "Cortex-M4",
        [0xC27] = "Cortex-M7",
        [0xD20] = "Cortex-M23",
        [0xD21] = "Cortex-M33",
    };

    /// <summary>"0x08000000": a 32-bit value as 8 upper-case hex digits.</summary>
    public static string Hex32(uint value) => string.Create(CultureInfo.InvariantCulture, $"0x{value:X8}");

    /// <summary>A value as <paramref name="digits"/> upper-case hex digits with the 0x prefix.</summary>
    public static string Hex(ulong value, int digits) => "0x" + value.ToString("X" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>"3.30": volts with two decimals.</summary>
    public static string Volts(double volts) => volts.ToString("0.00", CultureInfo.InvariantCulture);

    /// <summary>An integer, culture-invariant.</summary>
    public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>"0x412FC231 (Cortex-M3 r2p1)": CPUID VARIANT[23:20] is rN, REVISION[3:0] is pN (stm32-targets.md §5.2).</summary>
    public static string CpuId(uint cpuId)
    {
        var partNo = (cpuId >> 4) & 0xFFF;
        var core = s_cores.TryGetValue(partNo, out var name) ? name : string.Create(CultureInfo.InvariantCulture, $"PARTNO 0x{partNo:X3}");
        return string.Create(CultureInfo.InvariantCulture, $"0x{cpuId:X8} ({core} r{(cpuId >> 20) & 0xF}p{cpuId & 0xF})");
    }

    /// <summary>"0x020 (STMicroelectronics)" for JEP106 designer codes the reference names (stm32-targets.md §4.3).</summary>
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

    /// <summary>"1.2 s" from one second up, else "350 ms".</summary>
    public static string Duration(TimeSpan span) =>
        span.TotalSeconds >= 1
            ? span.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s"
            : span.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";

    /// <summary>"a, b and c" (with <paramref name="conjunction"/> before the last item).</summary>
    public static string List(IReadOnlyList<string> items, string conjunction)
    {
        return items.Count switch
        {
            0 => string.Empty,
            1 => items[0],
            _ => string.Join(", ", items.Take(items.Count - 1)) + " " + conjunction + " " + items[^1],
        };
    }

    /// <summary>The phase as an operator reads it ("option bytes", "connect").</summary>
    public static string PhaseName(AttemptPhase phase) => phase switch
    {
        AttemptPhase.OptionBytes => "option bytes",
        _ => phase.ToString().ToLowerInvariant(),
    };
}
