namespace ProdFlash.Emulator.StLink;

/// <summary>Command-block byte 0 of the ST-LINK USB protocol (reference/stlink-protocol.md §2.1, source OCD).</summary>
public enum StLinkCommand : byte
{
    /// <summary>GET_VERSION, 6-byte reply (OCD:1249).</summary>
    GetVersion = 0xF1,

    /// <summary>DEBUG_COMMAND: sub-command in byte 1 (§2.2).</summary>
    Debug = 0xF2,

    /// <summary>DFU_COMMAND: <c>F3 07</c> is DFU_EXIT (OCD:354).</summary>
    Dfu = 0xF3,

    /// <summary>SWIM_COMMAND: <c>F4 01</c> is SWIM_EXIT (OCD:1612).</summary>
    Swim = 0xF4,

    /// <summary>GET_CURRENT_MODE, 2-byte reply (OCD:347).</summary>
    GetCurrentMode = 0xF5,

    /// <summary>GET_TARGET_VOLTAGE, 8-byte reply (OCD:1443).</summary>
    GetTargetVoltage = 0xF7,

    /// <summary>GET_VERSION_EX (API v3 only), 12-byte reply (OCD:1300).</summary>
    GetVersionEx = 0xFB,
}

/// <summary>DEBUG_COMMAND (0xF2) sub-commands, byte 1 of the command block (§2.2, OCD and PY).</summary>
public enum StLinkDebugCommand : byte
{
    /// <summary>Leave debug mode, no reply (OCD:1608).</summary>
    Exit = 0x21,

    /// <summary>Enter SWD (<c>A3</c>) or JTAG (<c>A4</c>/<c>00</c>) in byte 2; 2-byte reply.</summary>
    Enter = 0x30,

    /// <summary>READ_IDCODES, 12-byte reply with the DPIDR at [4..7] (OCD:1987).</summary>
    ReadIdCodes = 0x31,

    /// <summary>RESETSYS (API v2), 2-byte reply (OCD:2238).</summary>
    ResetSys = 0x32,

    /// <summary>READREG, 8-byte reply, value at [4] (OCD:2359).</summary>
    ReadReg = 0x33,

    /// <summary>WRITEREG, 2-byte reply (OCD:2400).</summary>
    WriteReg = 0x34,

    /// <summary>WRITE_DEBUG_REG (one 32-bit write), 2-byte reply (OCD:2047).</summary>
    WriteDebugReg = 0x35,

    /// <summary>READ_DEBUG_REG (one 32-bit read), 8-byte reply (OCD:2025).</summary>
    ReadDebugReg = 0x36,

    /// <summary>READALLREGS, 88-byte reply (OCD:2334).</summary>
    ReadAllRegs = 0x3A,

    /// <summary>GETLASTRWSTATUS, 2-byte reply (V2 before J15).</summary>
    GetLastRwStatus = 0x3B,

    /// <summary>DRIVE_NRST: 0 low, 1 high, 2 pulse; 2-byte reply (OCD:450-452).</summary>
    DriveNrst = 0x3C,

    /// <summary>GETLASTRWSTATUS2, 12-byte reply with the fault address at [4..7] (OCD:2429).</summary>
    GetLastRwStatus2 = 0x3E,

    /// <summary>START_TRACE_RX, 2-byte reply (OCD:2184).</summary>
    StartTraceRx = 0x40,

    /// <summary>STOP_TRACE_RX, 2-byte reply.</summary>
    StopTraceRx = 0x41,

    /// <summary>GET_TRACE_NB, 2-byte reply (u16 byte count).</summary>
    GetTraceNb = 0x42,

    /// <summary>SWD_SET_FREQ (V2 ≥ J22): divisor u16 at [2]; 2-byte reply (OCD:1475).</summary>
    SwdSetFreq = 0x43,

    /// <summary>JTAG_SET_FREQ (V2 ≥ J24); 2-byte reply (OCD:1499).</summary>
    JtagSetFreq = 0x44,

    /// <summary>READ_DAP_REG (J24): port u16 at [2], address u16 at [4]; 8-byte reply (OCD:3952).</summary>
    ReadDapReg = 0x45,

    /// <summary>WRITE_DAP_REG (J24): port, address, value u32 at [6]; 2-byte reply (OCD:3976).</summary>
    WriteDapReg = 0x46,

    /// <summary>READMEM_16BIT (V2 ≥ J26).</summary>
    ReadMem16 = 0x47,

    /// <summary>WRITEMEM_16BIT (V2 ≥ J26).</summary>
    WriteMem16 = 0x48,

    /// <summary>BLINK_LED (V2 ≥ J28); layout not public, answered with a 2-byte OK.</summary>
    BlinkLed = 0x49,

    /// <summary>INIT_AP (J28), AP number at [2]; 2-byte reply (OCD:3862).</summary>
    InitAp = 0x4B,

    /// <summary>CLOSE_AP_DBG (J29), AP number at [2]; 2-byte reply (OCD:3881).</summary>
    CloseAp = 0x4C,

    /// <summary>WRITEMEM_32BIT without address increment (V2 ≥ J26).</summary>
    WriteMem32NoInc = 0x50,

    /// <summary>RW_MISC_OUT (V2 ≥ J32): the operations, as a data-out phase (OCD:3904).</summary>
    RwMiscOut = 0x51,

    /// <summary>RW_MISC_IN (V2 ≥ J32): the results, 8 bytes per item (OCD:3930).</summary>
    RwMiscIn = 0x52,

    /// <summary>READMEM_32BIT without address increment (V2 ≥ J32).</summary>
    ReadMem32NoInc = 0x54,

    /// <summary>GET_BOARD_IDENTIFIERS (V2 ≥ J36, V3 ≥ J6): 128-byte reply (PY get_board_id).</summary>
    GetBoardId = 0x56,

    /// <summary>SET_COM_FREQ (V3): mode at [2], kHz u32 at [4]; 8-byte reply (OCD:3134).</summary>
    SetComFreq = 0x61,

    /// <summary>GET_COM_FREQ (V3): mode at [2]; 52-byte reply (OCD:3099).</summary>
    GetComFreq = 0x62,

    /// <summary>SWITCH_STLINK_FREQ (V3): prescaler at [2]; 8-byte reply, status CONF_CHANGED (PY set_prescaler).</summary>
    SwitchStLinkFreq = 0x63,

    /// <summary>READMEM_32BIT (all firmware).</summary>
    ReadMem32 = 0x07,

    /// <summary>WRITEMEM_32BIT (all firmware).</summary>
    WriteMem32 = 0x08,

    /// <summary>READMEM_8BIT (all firmware; a 1-byte read returns 2 bytes, OCD:2481).</summary>
    ReadMem8 = 0x0C,

    /// <summary>WRITEMEM_8BIT (all firmware).</summary>
    WriteMem8 = 0x0D,
}

/// <summary>ST-LINK status byte (§3; OCD:314-336, STO:186-222, PY Status).</summary>
public enum StLinkStatus : byte
{
    /// <summary>DEBUG_ERR_OK.</summary>
    Ok = 0x80,

    /// <summary>DEBUG_ERR_FAULT.</summary>
    Fault = 0x81,

    /// <summary>CMD_ERROR: the emulator's answer to a memory command over the firmware's size limit or misaligned.</summary>
    CommandError = 0x08,

    /// <summary>JTAG_GET_IDCODE_ERROR: entering SWD or reading the IDCODE got no answer from the target.</summary>
    GetIdCodeError = 0x09,

    /// <summary>ALIGNMENT_ERROR.</summary>
    AlignmentError = 0x0A,

    /// <summary>SWD_AP_WAIT: the AP answered WAIT more often than the firmware retries.</summary>
    SwdApWait = 0x10,

    /// <summary>SWD_AP_FAULT: a bus fault behind the AHB-AP (or a sticky error still set).</summary>
    SwdApFault = 0x11,

    /// <summary>SWD_AP_ERROR: no ACK on an AP access.</summary>
    SwdApError = 0x12,

    /// <summary>SWD_AP_PARITY_ERROR: read data from an AP access had a wrong parity bit.</summary>
    SwdApParityError = 0x13,

    /// <summary>SWD_DP_WAIT.</summary>
    SwdDpWait = 0x14,

    /// <summary>SWD_DP_FAULT.</summary>
    SwdDpFault = 0x15,

    /// <summary>SWD_DP_ERROR: no ACK on a DP access.</summary>
    SwdDpError = 0x16,

    /// <summary>SWD_DP_PARITY_ERROR: read data from a DP access had a wrong parity bit.</summary>
    SwdDpParityError = 0x17,

    /// <summary>BAD_AP: the AP number does not exist or was not opened with INIT_AP.</summary>
    BadAp = 0x1D,

    /// <summary>JTAG_CONF_CHANGED (V3 SWITCH_STLINK_FREQ).</summary>
    ConfigurationChanged = 0x40,

    /// <summary>JTAG_FREQ_NOT_SUPPORTED.</summary>
    FrequencyNotSupported = 0x41,

    /// <summary>JTAG_UNKNOWN_CMD: the emulator's answer to a DEBUG sub-command the personality's firmware lacks.</summary>
    UnknownCommand = 0x42,
}

/// <summary>Value of GET_CURRENT_MODE byte 0 (OCD:347-352).</summary>
public enum StLinkMode : byte
{
    /// <summary>DFU (firmware-update loader).</summary>
    Dfu = 0,

    /// <summary>Mass storage (idle; the mode a probe reports after plug-in).</summary>
    Mass = 1,

    /// <summary>Debug (SWD or JTAG entered).</summary>
    Debug = 2,

    /// <summary>SWIM (STM8).</summary>
    Swim = 3,

    /// <summary>Bootloader.</summary>
    Bootloader = 4,
}
