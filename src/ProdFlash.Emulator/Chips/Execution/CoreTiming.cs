namespace ProdFlash.Emulator.Chips.Execution;

/// <summary>
/// Cycle costs of the Thumb instructions, per core, and the core clock after reset. From the processor Technical
/// Reference Manuals' instruction-timing tables: Cortex-M0 r0p0 TRM (DDI 0432C) table 3-1, Cortex-M0+ r0p1 TRM
/// (DDI 0484C) table 3-1, Cortex-M3 r2p1 TRM (DDI 0337I) table 3-1, Cortex-M4 r0p1 TRM (DDI 0439D) table 3-1.
/// </summary>
/// <remarks>
/// Simplifications: code and data in zero-wait-state SRAM; the Cortex-M3/M4 pipeline refill P is taken as 2 (the TRMs
/// give 1 to 3) and a store costs 2 like a load (no write buffer); a barrier costs its fixed part; the multiplier is
/// the single-cycle one. Each 16-bit data-processing instruction is 1 cycle.
/// </remarks>
/// <param name="ClockHz">Core clock after reset.</param>
/// <param name="BranchTaken">A taken B/B&lt;c&gt; (untaken: 1).</param>
/// <param name="BranchLink">BL.</param>
/// <param name="BranchExchange">BX/BLX.</param>
/// <param name="WritePc">ADD/MOV with the PC as destination.</param>
/// <param name="Load">A single LDR* (2 on every core here).</param>
/// <param name="Store">A single STR*.</param>
/// <param name="PopPcExtra">Cycles POP {…, PC} costs beyond 1 + N.</param>
/// <param name="Barrier">DMB/DSB/ISB.</param>
/// <param name="SpecialRegister">MRS/MSR.</param>
public sealed record CoreTiming(
    double ClockHz,
    int BranchTaken,
    int BranchLink,
    int BranchExchange,
    int WritePc,
    int Load,
    int Store,
    int PopPcExtra,
    int Barrier,
    int SpecialRegister)
{
    /// <summary>CPUID PARTNO of the Cortex-M0.</summary>
    public const uint PartCortexM0 = 0xC20;

    /// <summary>CPUID PARTNO of the Cortex-M0+.</summary>
    public const uint PartCortexM0Plus = 0xC60;

    /// <summary>Modeled time of one core clock cycle, in <see cref="TimeSpan"/> ticks (exact in binary for 4, 8 and 16 MHz).</summary>
    public double TicksPerCycle => TimeSpan.TicksPerSecond / ClockHz;

    /// <summary>
    /// The timing for a core (by CPUID PARTNO) running at <paramref name="clockHz"/>. Cortex-M0 (DDI 0432C table 3-1):
    /// branch taken 3, BL 4, BX 3, POP PC 4+N, barriers 4, MRS/MSR 4. Cortex-M0+ (DDI 0484C table 3-1): two-stage
    /// pipeline, branch taken 2, BL 3, BX 2, POP PC 3+N, barriers 3, MRS/MSR 3. Cortex-M3/M4 (DDI 0337I, DDI 0439D
    /// table 3-1): branch 1+P, BL 1+P, BX 1+P, POP PC 1+N+P with P = 2, MRS/MSR 2 (M4: 1-2), barriers 1+B with B = 1.
    /// Loads and stores 2 everywhere.
    /// </summary>
    public static CoreTiming For(uint cpuId, double clockHz) => ((cpuId >> 4) & 0xFFF) switch
    {
        PartCortexM0 => new CoreTiming(clockHz, 3, 4, 3, 3, 2, 2, 3, 4, 4),
        PartCortexM0Plus => new CoreTiming(clockHz, 2, 3, 2, 2, 2, 2, 2, 3, 3),
        _ => new CoreTiming(clockHz, 3, 3, 3, 3, 2, 2, 2, 2, 2),
    };
}

/// <summary>The core clock each family runs on after reset, which is what a loader the debugger starts runs at.</summary>
public static class ResetClock
{
    /// <summary>
    /// SYSCLK after reset: F0/F1 HSI 8 MHz (RCC_CR reset 0x83, HSION; RM0360 §6.2, RM0008 §7.2), F4 HSI 16 MHz
    /// (RM0090 §6.2), G0 HSISYS = HSI16 / HSIDIV with HSIDIV = 1 after reset (RM0444 §5.2), L4 MSI range 6 = 4 MHz
    /// (RCC_CR reset 0x63; RM0351 §6.2.3). The register reset values are those of docs/onchip-verify.md (vendor SVD
    /// files); the same figures drive the DMA model (<see cref="Peripherals.OnChipPeripheralLayout.ResetHclkHz"/>).
    /// The loader does not change clocks, so RCC writes are not followed.
    /// </summary>
    /// <param name="familyKey">Family key (<c>f0</c>, <c>f1</c>, <c>f4</c>, <c>g0</c>, <c>l4</c>).</param>
    public static double HzFor(string familyKey) => familyKey switch
    {
        "f0" or "f1" => 8e6,
        "f4" or "g0" => 16e6,
        "l4" => 4e6,
        _ => 8e6,
    };
}
