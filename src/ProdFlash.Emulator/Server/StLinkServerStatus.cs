namespace ProdFlash.Emulator.Server;

/// <summary>The 4-byte transport status ("SS") of an stlink-server reply (reference §5.1; OCD:486-499, STDRV).</summary>
public enum StLinkServerStatus : uint
{
    /// <summary>STLINK_TCP_SS_OK.</summary>
    Ok = 0x1,

    /// <summary>TIMEOUT: the probe did not answer the USB command.</summary>
    Timeout = 0x1001,

    /// <summary>BAD_PARAMETER: unknown device index, cookie or connect_id.</summary>
    BadParameter = 0x1002,

    /// <summary>TCP_BUSY: the probe is open by another client.</summary>
    Busy = 0x2004,
}

/// <summary>stlink-server request opcodes, byte 0 of each request (§5.1).</summary>
public enum StLinkServerOp : byte
{
    /// <summary>REFRESH_DEVICE_LIST: 2-byte request, SS reply.</summary>
    RefreshDeviceList = 0x00,

    /// <summary>GET_NB_DEV: 1-byte request, u32 count reply.</summary>
    GetDeviceCount = 0x01,

    /// <summary>GET_DEV_INFO: 8-byte request, 45-byte reply.</summary>
    GetDeviceInfo = 0x02,

    /// <summary>OPEN_DEV: 8-byte request, SS + connect_id reply.</summary>
    OpenDevice = 0x03,

    /// <summary>CLOSE_DEV: 8-byte request, SS reply.</summary>
    CloseDevice = 0x04,

    /// <summary>SEND_USB_CMD: 32-byte header (+ write data), SS (+ read data) reply.</summary>
    SendUsbCommand = 0x05,

    /// <summary>GET_SERVER_VERSION: 4-byte request, 16-byte reply.</summary>
    GetServerVersion = 0x06,
}
