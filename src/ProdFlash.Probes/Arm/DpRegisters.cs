namespace ProdFlash.Probes.Arm;

/// <summary>
/// ADIv5 debug-port register addresses and bits (ARM IHI 0031, ADIv5.2: B2.2 "DP register descriptions";
/// reference/stlink-protocol.md §5.2 DP model).
/// </summary>
public static class DpRegisters
{
    /// <summary>DPIDR (read) at DP address 0x0 (ADIv5 B2.2.5).</summary>
    public const byte DpIdr = 0x0;

    /// <summary>ABORT (write) at DP address 0x0 (ADIv5 B2.2.1).</summary>
    public const byte Abort = 0x0;

    /// <summary>CTRL/STAT at DP address 0x4 (ADIv5 B2.2.2).</summary>
    public const byte CtrlStat = 0x4;

    /// <summary>SELECT at DP address 0x8 (ADIv5 B2.2.9).</summary>
    public const byte Select = 0x8;

    /// <summary>RDBUFF at DP address 0xC (ADIv5 B2.2.7).</summary>
    public const byte RdBuff = 0xC;

    /// <summary>ABORT.STKCMPCLR, bit 1: clear CTRL/STAT.STICKYCMP.</summary>
    public const uint AbortStkCmpClr = 1u << 1;

    /// <summary>ABORT.STKERRCLR, bit 2: clear CTRL/STAT.STICKYERR.</summary>
    public const uint AbortStkErrClr = 1u << 2;

    /// <summary>ABORT.WDERRCLR, bit 3: clear CTRL/STAT.WDATAERR.</summary>
    public const uint AbortWdErrClr = 1u << 3;

    /// <summary>ABORT.ORUNERRCLR, bit 4: clear CTRL/STAT.STICKYORUN.</summary>
    public const uint AbortOrunErrClr = 1u << 4;

    /// <summary>All four sticky-flag clear bits (0x1E), as pyOCD writes after a memory fault (reference §3).</summary>
    public const uint AbortClearAllSticky = AbortOrunErrClr | AbortWdErrClr | AbortStkErrClr | AbortStkCmpClr;

    /// <summary>CTRL/STAT.STICKYORUN, bit 1.</summary>
    public const uint CtrlStatStickyOrun = 1u << 1;

    /// <summary>CTRL/STAT.STICKYCMP, bit 4.</summary>
    public const uint CtrlStatStickyCmp = 1u << 4;

    /// <summary>CTRL/STAT.STICKYERR, bit 5.</summary>
    public const uint CtrlStatStickyErr = 1u << 5;

    /// <summary>CTRL/STAT.WDATAERR, bit 7.</summary>
    public const uint CtrlStatWDataErr = 1u << 7;

    /// <summary>CTRL/STAT.CDBGPWRUPREQ, bit 28.</summary>
    public const uint CtrlStatCDbgPwrUpReq = 1u << 28;

    /// <summary>CTRL/STAT.CDBGPWRUPACK, bit 29.</summary>
    public const uint CtrlStatCDbgPwrUpAck = 1u << 29;

    /// <summary>CTRL/STAT.CSYSPWRUPREQ, bit 30.</summary>
    public const uint CtrlStatCSysPwrUpReq = 1u << 30;

    /// <summary>CTRL/STAT.CSYSPWRUPACK, bit 31.</summary>
    public const uint CtrlStatCSysPwrUpAck = 1u << 31;

    /// <summary>
    /// The power-up request OpenOCD 0.12 writes (<c>F2 46 FFFF 0004 50000020</c>, reference §2.4 step 5):
    /// CSYSPWRUPREQ | CDBGPWRUPREQ | STICKYERR (writing 1 to STICKYERR is ignored on SW-DP, clears it on JTAG-DP).
    /// </summary>
    public const uint PowerUpRequest = CtrlStatCSysPwrUpReq | CtrlStatCDbgPwrUpReq | CtrlStatStickyErr;

    /// <summary>Both power-up acknowledge bits.</summary>
    public const uint PowerUpAcknowledge = CtrlStatCSysPwrUpAck | CtrlStatCDbgPwrUpAck;

    /// <summary>SELECT value for AP <paramref name="ap"/> and the bank holding register <paramref name="address"/>:
    /// APSEL[31:24], APBANKSEL[7:4] = address[7:4] (ADIv5 B2.2.9).</summary>
    public static uint SelectValue(byte ap, byte address) => ((uint)ap << 24) | (uint)(address & 0xF0);
}
