namespace ProdFlash.Probes.StLink;

/// <summary>
/// ST-LINK command bytes (CDB byte 0 and, for <see cref="Debug"/>, byte 1). Sources: reference/stlink-protocol.md
/// §2 (OpenOCD 0.12 <c>stlink_usb.c</c> OCD:340-460, pyOCD <c>constants.py</c>).
/// </summary>
public static class StLinkCommand
{
    /// <summary>GET_VERSION, 6-byte reply (OCD:1249).</summary>
    public const byte GetVersion = 0xF1;

    /// <summary>DEBUG_COMMAND class; byte 1 is the sub-command (OCD:340).</summary>
    public const byte Debug = 0xF2;

    /// <summary>DFU_COMMAND class (OCD:354).</summary>
    public const byte Dfu = 0xF3;

    /// <summary>SWIM_COMMAND class (OCD:1612).</summary>
    public const byte Swim = 0xF4;

    /// <summary>GET_CURRENT_MODE, 2-byte reply (OCD:347).</summary>
    public const byte GetCurrentMode = 0xF5;

    /// <summary>GET_TARGET_VOLTAGE, 8-byte reply; V2 ≥ J13 or V3 (OCD:1443).</summary>
    public const byte GetTargetVoltage = 0xF7;

    /// <summary>GET_VERSION_EX (API v3), 12-byte reply (OCD:1300).</summary>
    public const byte GetVersionEx = 0xFB;

    /// <summary>DFU_EXIT sub-command of <see cref="Dfu"/>; no reply (OCD:354).</summary>
    public const byte DfuExit = 0x07;

    /// <summary>SWIM_EXIT sub-command of <see cref="Swim"/>; no reply (OCD:1612).</summary>
    public const byte SwimExit = 0x01;

    /// <summary>DEBUG_EXIT (<c>F2 21</c>); no reply (OCD:1608).</summary>
    public const byte DebugExit = 0x21;

    /// <summary>API v2 ENTER (<c>F2 30 mode</c>), 2-byte reply (OCD:404).</summary>
    public const byte DebugEnter = 0x30;

    /// <summary>ENTER argument: SWD (OCD:406).</summary>
    public const byte EnterSwd = 0xA3;

    /// <summary>READ_IDCODES (<c>F2 31</c>), 12-byte reply, DPIDR at [4..7] (OCD:1987).</summary>
    public const byte ReadIdCodes = 0x31;

    /// <summary>RESETSYS (<c>F2 32</c>), 2-byte reply (OCD:2238).</summary>
    public const byte ResetSys = 0x32;

    /// <summary>WRITE_DEBUG_REG (<c>F2 35 addr32 value32</c>), 2-byte reply (OCD:2047).</summary>
    public const byte WriteDebugRegister = 0x35;

    /// <summary>READ_DEBUG_REG (<c>F2 36 addr32</c>), 8-byte reply, value at [4..7] (OCD:2025).</summary>
    public const byte ReadDebugRegister = 0x36;

    /// <summary>READMEM_32BIT (<c>F2 07</c>); all firmware (OCD, §2.2 memory table).</summary>
    public const byte ReadMemory32 = 0x07;

    /// <summary>WRITEMEM_32BIT (<c>F2 08</c>); all firmware.</summary>
    public const byte WriteMemory32 = 0x08;

    /// <summary>READMEM_8BIT (<c>F2 0C</c>); a 1-byte read must request 2 bytes (OCD:2481).</summary>
    public const byte ReadMemory8 = 0x0C;

    /// <summary>WRITEMEM_8BIT (<c>F2 0D</c>).</summary>
    public const byte WriteMemory8 = 0x0D;

    /// <summary>GETLASTRWSTATUS (<c>F2 3B</c>), 2-byte reply; V2 &lt; J15.</summary>
    public const byte GetLastRwStatus = 0x3B;

    /// <summary>DRIVE_NRST (<c>F2 3C n</c>), 2-byte reply (OCD:2162).</summary>
    public const byte DriveNrst = 0x3C;

    /// <summary>GETLASTRWSTATUS2 (<c>F2 3E</c>), 12-byte reply, fault address at [4..7] (OCD:2429).</summary>
    public const byte GetLastRwStatus2 = 0x3E;

    /// <summary>SWD_SET_FREQ (<c>F2 43 divisor16</c>), V2 ≥ J22 (OCD:1475).</summary>
    public const byte SwdSetFrequency = 0x43;

    /// <summary>READ_DAP_REG (<c>F2 45 port16 addr16</c>), 8-byte reply (OCD:3952); V2 ≥ J24.</summary>
    public const byte ReadDapRegister = 0x45;

    /// <summary>WRITE_DAP_REG (<c>F2 46 port16 addr16 value32</c>), 2-byte reply (OCD:3976); V2 ≥ J24.</summary>
    public const byte WriteDapRegister = 0x46;

    /// <summary>READMEM_16BIT (<c>F2 47</c>); V2 ≥ J26, V3.</summary>
    public const byte ReadMemory16 = 0x47;

    /// <summary>WRITEMEM_16BIT (<c>F2 48</c>); V2 ≥ J26, V3.</summary>
    public const byte WriteMemory16 = 0x48;

    /// <summary>INIT_AP (<c>F2 4B ap</c>), 2-byte reply (OCD:3862); V2 ≥ J28.</summary>
    public const byte InitAp = 0x4B;

    /// <summary>CLOSE_AP_DBG (<c>F2 4C ap</c>), 2-byte reply; status trustworthy from J29 (OCD:3881).</summary>
    public const byte CloseAp = 0x4C;

    /// <summary>SET_COM_FREQ (<c>F2 61 mode 00 kHz32</c>), 8-byte reply with the applied kHz at [4..7]; V3 (OCD:3134).</summary>
    public const byte SetComFrequency = 0x61;

    /// <summary>GET_COM_FREQ (<c>F2 62 mode</c>), 52-byte reply; V3 (OCD:3099).</summary>
    public const byte GetComFrequency = 0x62;

    /// <summary>DRIVE_NRST argument: drive low (OCD:450).</summary>
    public const byte NrstLow = 0x00;

    /// <summary>DRIVE_NRST argument: release high (OCD:451).</summary>
    public const byte NrstHigh = 0x01;

    /// <summary>DRIVE_NRST argument: pulse (OCD:452).</summary>
    public const byte NrstPulse = 0x02;

    /// <summary>DAP register port meaning "the DP" in READ/WRITE_DAP_REG (OCD:454).</summary>
    public const ushort DapPortDebugPort = 0xFFFF;

    /// <summary>COM_FREQ mode byte for SWD (OCD:3134).</summary>
    public const byte ComFrequencySwd = 0x00;
}

/// <summary>Mode the probe reports in GET_CURRENT_MODE byte 0 (OCD:347-352).</summary>
public enum StLinkMode : byte
{
    /// <summary>DFU (firmware update) mode.</summary>
    Dfu = 0,

    /// <summary>Mass-storage mode (the probe's idle state on V2-1/V3 with MSD).</summary>
    MassStorage = 1,

    /// <summary>Debug (JTAG/SWD) mode.</summary>
    Debug = 2,

    /// <summary>SWIM (STM8) mode.</summary>
    Swim = 3,

    /// <summary>Bootloader mode.</summary>
    Bootloader = 4,
}
