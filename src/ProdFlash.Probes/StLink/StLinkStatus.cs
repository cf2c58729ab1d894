namespace ProdFlash.Probes.StLink;

/// <summary>
/// ST-LINK debug status byte (first byte of a reply; low byte of GETLASTRWSTATUS2). Values and names from
/// reference/stlink-protocol.md §3 (OCD:314-336, STO:186-222, pyOCD <c>Status</c>).
/// </summary>
public enum StLinkStatus : byte
{
    /// <summary>0x01 UNKNOWN_ERROR; pyOCD treats it as a memory fault after a memory command.</summary>
    UnknownError = 0x01,

    /// <summary>0x02 SPI_ERROR.</summary>
    SpiError = 0x02,

    /// <summary>0x03 DMA_ERROR.</summary>
    DmaError = 0x03,

    /// <summary>0x04 UNKNOWN_JTAG_CHAIN.</summary>
    UnknownJtagChain = 0x04,

    /// <summary>0x05 NO_DEVICE_CONNECTED.</summary>
    NoDeviceConnected = 0x05,

    /// <summary>0x06 INTERNAL_ERROR.</summary>
    InternalError = 0x06,

    /// <summary>0x07 CMD_WAIT (OpenOCD 0.12 maps it to FAIL; ST's fork to WAIT).</summary>
    CommandWait = 0x07,

    /// <summary>0x08 CMD_ERROR.</summary>
    CommandError = 0x08,

    /// <summary>0x09 JTAG_GET_IDCODE_ERROR: no IDCODE read, usually no target answer.</summary>
    GetIdCodeError = 0x09,

    /// <summary>0x0A ALIGNMENT_ERROR.</summary>
    AlignmentError = 0x0A,

    /// <summary>0x0B DBG_POWER_ERROR.</summary>
    DebugPowerError = 0x0B,

    /// <summary>0x0C JTAG_WRITE_ERROR.</summary>
    WriteError = 0x0C,

    /// <summary>0x0D JTAG_WRITE_VERIF_ERROR; OpenOCD 0.12 treats it as OK (OCD:1051-1133).</summary>
    WriteVerifyError = 0x0D,

    /// <summary>0x0E ALREADY_OPENED_IN_OTHER_MODE.</summary>
    AlreadyOpenedInOtherMode = 0x0E,

    /// <summary>0x10 SWD_AP_WAIT: retried with backoff.</summary>
    SwdApWait = 0x10,

    /// <summary>0x11 SWD_AP_FAULT: a memory fault.</summary>
    SwdApFault = 0x11,

    /// <summary>0x12 SWD_AP_ERROR.</summary>
    SwdApError = 0x12,

    /// <summary>0x13 SWD_AP_PARITY_ERROR.</summary>
    SwdApParityError = 0x13,

    /// <summary>0x14 SWD_DP_WAIT: retried with backoff.</summary>
    SwdDpWait = 0x14,

    /// <summary>0x15 SWD_DP_FAULT: a memory fault.</summary>
    SwdDpFault = 0x15,

    /// <summary>0x16 SWD_DP_ERROR.</summary>
    SwdDpError = 0x16,

    /// <summary>0x17 SWD_DP_PARITY_ERROR.</summary>
    SwdDpParityError = 0x17,

    /// <summary>0x18 SWD_AP_WDATA_ERROR: a memory fault.</summary>
    SwdApWriteDataError = 0x18,

    /// <summary>0x19 SWD_AP_STICKY_ERROR: a memory fault.</summary>
    SwdApStickyError = 0x19,

    /// <summary>0x1A SWD_AP_STICKYORUN_ERROR.</summary>
    SwdApStickyOverrunError = 0x1A,

    /// <summary>0x1B AP_ALREADY_USED (STO).</summary>
    ApAlreadyUsed = 0x1B,

    /// <summary>0x1C TRACE_AP_TURNAROUND (STO).</summary>
    TraceApTurnaround = 0x1C,

    /// <summary>0x1D BAD_AP.</summary>
    BadAp = 0x1D,

    /// <summary>0x20 SWV_NOT_AVAILABLE (STO, pyOCD).</summary>
    SwvNotAvailable = 0x20,

    /// <summary>0x21 NO_JUMP_TO_USB_LOADER (STO).</summary>
    NoJumpToUsbLoader = 0x21,

    /// <summary>0x30 JTAG_TCPID_NOT_FOUND (STO; shared mode).</summary>
    TcpIdNotFound = 0x30,

    /// <summary>0x31 JTAG_TCPID_MAX_REACHED (STO; shared mode).</summary>
    TcpIdMaxReached = 0x31,

    /// <summary>0x40 JTAG_CONF_CHANGED (expected after SWITCH_STLINK_FREQ).</summary>
    ConfigurationChanged = 0x40,

    /// <summary>0x41 FREQ_NOT_SUPPORTED.</summary>
    FrequencyNotSupported = 0x41,

    /// <summary>0x42 UNKNOWN_CMD.</summary>
    UnknownCommand = 0x42,

    /// <summary>0x80 DEBUG_ERR_OK.</summary>
    Ok = 0x80,

    /// <summary>0x81 DEBUG_ERR_FAULT.</summary>
    Fault = 0x81,
}

/// <summary>How the driver treats each status (one place, reference §3).</summary>
public static class StLinkStatusClassifier
{
    /// <summary>Whether the status is success. 0x0D is accepted like OpenOCD 0.12 does (OCD:1051-1133).</summary>
    public static bool IsOk(byte status) => status is (byte)StLinkStatus.Ok or (byte)StLinkStatus.WriteVerifyError;

    /// <summary>Whether the status is a WAIT that is retried with backoff (0x10 SWD_AP_WAIT, 0x14 SWD_DP_WAIT).</summary>
    public static bool IsWait(byte status) => status is (byte)StLinkStatus.SwdApWait or (byte)StLinkStatus.SwdDpWait;

    /// <summary>
    /// Whether the status, reported for a memory command, is a bus fault with a fault address
    /// (0x01, 0x11, 0x15, 0x18, 0x19: pyOCD <c>_MEM_FAULT_ERRORS</c>).
    /// </summary>
    public static bool IsMemoryFault(byte status) => status is (byte)StLinkStatus.UnknownError
        or (byte)StLinkStatus.SwdApFault or (byte)StLinkStatus.SwdDpFault
        or (byte)StLinkStatus.SwdApWriteDataError or (byte)StLinkStatus.SwdApStickyError;

    /// <summary>A human name for any status byte, including values no source lists.</summary>
    public static string Name(byte status) =>
        Enum.IsDefined(typeof(StLinkStatus), status) ? $"{(StLinkStatus)status} (0x{status:X2})" : $"unknown status 0x{status:X2}";
}
