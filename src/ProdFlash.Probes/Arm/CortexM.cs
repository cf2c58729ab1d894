namespace ProdFlash.Probes.Arm;

/// <summary>
/// Cortex-M system control and debug registers (ARMv7-M Architecture Reference Manual, ARM DDI 0403E: B3.2 System
/// Control Space, C1.6 Debug system registers). The same addresses and bits hold on ARMv6-M and ARMv8-M mainline.
/// </summary>
public static class CortexM
{
    /// <summary>CPUID Base Register (B3.2.3).</summary>
    public const uint Cpuid = 0xE000ED00;

    /// <summary>Application Interrupt and Reset Control Register (B3.2.6).</summary>
    public const uint Aircr = 0xE000ED0C;

    /// <summary>Debug Halting Control and Status Register (C1.6.2).</summary>
    public const uint Dhcsr = 0xE000EDF0;

    /// <summary>Debug Core Register Selector Register (C1.6.3).</summary>
    public const uint Dcrsr = 0xE000EDF4;

    /// <summary>Debug Core Register Data Register (C1.6.4).</summary>
    public const uint Dcrdr = 0xE000EDF8;

    /// <summary>Debug Exception and Monitor Control Register (C1.6.5).</summary>
    public const uint Demcr = 0xE000EDFC;

    /// <summary>DHCSR.DBGKEY[31:16] = 0xA05F: writes without it are ignored (C1.6.2).</summary>
    public const uint DhcsrDebugKey = 0xA05F0000;

    /// <summary>DHCSR.C_DEBUGEN, bit 0: halting debug enabled.</summary>
    public const uint DhcsrCDebugEn = 1u << 0;

    /// <summary>DHCSR.C_HALT, bit 1: halt request.</summary>
    public const uint DhcsrCHalt = 1u << 1;

    /// <summary>DHCSR.C_STEP, bit 2.</summary>
    public const uint DhcsrCStep = 1u << 2;

    /// <summary>DHCSR.C_MASKINTS, bit 3.</summary>
    public const uint DhcsrCMaskInts = 1u << 3;

    /// <summary>DHCSR.S_REGRDY, bit 16: a DCRSR transfer completed.</summary>
    public const uint DhcsrSRegRdy = 1u << 16;

    /// <summary>DHCSR.S_HALT, bit 17: the core is in debug state.</summary>
    public const uint DhcsrSHalt = 1u << 17;

    /// <summary>DHCSR.S_SLEEP, bit 18.</summary>
    public const uint DhcsrSSleep = 1u << 18;

    /// <summary>DHCSR.S_LOCKUP, bit 19.</summary>
    public const uint DhcsrSLockup = 1u << 19;

    /// <summary>DHCSR.S_RETIRE_ST, bit 24.</summary>
    public const uint DhcsrSRetireSt = 1u << 24;

    /// <summary>DHCSR.S_RESET_ST, bit 25: the core was reset since the last DHCSR read.</summary>
    public const uint DhcsrSResetSt = 1u << 25;

    /// <summary>DCRSR.REGWnR, bit 16: 1 = write the register from DCRDR.</summary>
    public const uint DcrsrRegWnR = 1u << 16;

    /// <summary>DCRSR.REGSEL[6:0].</summary>
    public const uint DcrsrRegSelMask = 0x7F;

    /// <summary>DEMCR.VC_CORERESET, bit 0: halt on the reset vector.</summary>
    public const uint DemcrVcCoreReset = 1u << 0;

    /// <summary>DEMCR.TRCENA, bit 24.</summary>
    public const uint DemcrTrcEna = 1u << 24;

    /// <summary>AIRCR.VECTKEY[31:16] = 0x05FA: writes without it are ignored (B3.2.6).</summary>
    public const uint AircrVectKey = 0x05FA0000;

    /// <summary>AIRCR.SYSRESETREQ, bit 2: request a system reset.</summary>
    public const uint AircrSysResetReq = 1u << 2;

    /// <summary>CPUID.PARTNO of a Cortex-M3 (reference/stm32-targets.md §5.2).</summary>
    public const int PartCortexM3 = 0xC23;

    /// <summary>CPUID.PARTNO of a Cortex-M4.</summary>
    public const int PartCortexM4 = 0xC24;

    /// <summary>CPUID.PARTNO[15:4].</summary>
    public static int PartNumber(uint cpuid) => (int)((cpuid >> 4) & 0xFFF);

    /// <summary>
    /// The TAR auto-increment boundary for this core: 4096 when (CPUID &gt;&gt; 4) &amp; 0xF is 3 or 4 (Cortex-M3/M4),
    /// 1024 otherwise (OpenOCD 0.12 OCD:3770-3782, reference/stlink-protocol.md §4.2).
    /// </summary>
    public static int AutoIncrementBoundary(uint cpuid) => ((cpuid >> 4) & 0xF) is 3 or 4 ? 4096 : 1024;
}
