using System.Globalization;

using ProdFlash.Probes.StLink;

namespace ProdFlash.Probes.StLinkServer;

/// <summary>stlink-server request opcodes and sizes, as OpenOCD 0.12 sends them (reference §5.1, OCD:3460-3521, 914-1040).</summary>
public static class StLinkServerCommand
{
    /// <summary>REFRESH_DEVICE_LIST: <c>00 clear</c>; reply SS.</summary>
    public const byte RefreshDeviceList = 0x00;

    /// <summary>GET_NB_DEV: <c>01</c>; reply u32 count (no SS).</summary>
    public const byte GetDeviceCount = 0x01;

    /// <summary>GET_DEV_INFO: <c>02 index 00 00 size32(=41)</c>; reply SS + 41-byte TDeviceInfo2.</summary>
    public const byte GetDeviceInfo = 0x02;

    /// <summary>OPEN_DEV: <c>03 00 00 00 device_id32</c>; reply SS + connect_id.</summary>
    public const byte OpenDevice = 0x03;

    /// <summary>CLOSE_DEV: <c>04 00 00 00 connect_id32</c>; reply SS.</summary>
    public const byte CloseDevice = 0x04;

    /// <summary>SEND_USB_CMD: 32-byte header (+ write data); reply SS (+ N bytes for a read).</summary>
    public const byte SendUsbCommand = 0x05;

    /// <summary>GET_SERVER_VERSION: <c>06 client_api 00 00</c>; reply api, major, minor, build (4 × u32, no SS).</summary>
    public const byte GetServerVersion = 0x06;

    /// <summary>The client API version OpenOCD 0.12 announces.</summary>
    public const byte ClientApi = 1;

    /// <summary>Size of TDeviceInfo2 that OpenOCD requests (41 bytes, packed; STDRV).</summary>
    public const int DeviceInfoSize = 41;

    /// <summary>Size of the SEND_USB_CMD header.</summary>
    public const int UsbCommandHeaderSize = 32;

    /// <summary>SEND_USB_CMD direction: OUT data follows (ST <c>REQUEST_WRITE</c>).</summary>
    public const byte DirectionWrite = 0;

    /// <summary>SEND_USB_CMD direction: read N bytes from EP 0x81 (ST <c>REQUEST_READ_EP1</c>).</summary>
    public const byte DirectionRead = 1;

    /// <summary>Client send and receive buffers of OpenOCD (10240 bytes each), so at most 10208 bytes of write data.</summary>
    public const int MaxRequestSize = 10240;

    /// <summary>Length of the serial field of TDeviceInfo2 (NUL-padded).</summary>
    public const int SerialFieldSize = 32;
}

/// <summary>stlink-server status codes "SS" (reference §5.1, OCD:486-499, STDRV).</summary>
public static class StLinkServerStatus
{
    /// <summary>OK.</summary>
    public const uint Ok = 0x1;

    /// <summary>The server cannot serve the request now (shared probe); retried like a WAIT.</summary>
    public const uint TcpBusy = 0x2004;

    /// <summary>A readable name for a status code.</summary>
    public static string Name(uint status) => status switch
    {
        0x1 => "OK",
        0x1000 => "MEMORY_PROBLEM",
        0x1001 => "TIMEOUT",
        0x1002 => "BAD_PARAMETER",
        0x1003 => "OPEN_ERR",
        0x1004 => "TRANSFER_ERR",
        0x1052 => "TRUNCATED_DATA",
        0x1053 => "CMD_NOT_AVAILABLE",
        0x1054 => "DEVICE_NOT_SUPPORTED",
        0x1055 => "PERMISSION_ERR",
        0x2000 => "FAILED",
        0x2001 => "TCP_ERROR",
        0x2002 => "TCP_CANT_CONNECT",
        0x2003 => "TCP_CLOSE_ERROR",
        0x2004 => "TCP_BUSY",
        0x10000 => "WIN32_ERROR",
        _ => "unknown",
    } + string.Create(CultureInfo.InvariantCulture, $" (0x{status:X})");
}

/// <summary>The stlink-server answered a request with a status other than OK.</summary>
public sealed class StLinkServerException : StLinkTransportException
{
    /// <summary>Creates the exception.</summary>
    public StLinkServerException(string message, uint status)
        : base(message)
    {
        Status = status;
    }

    /// <summary>The server status (SS).</summary>
    public uint Status { get; }
}

/// <summary>The stlink-server's version (GET_SERVER_VERSION).</summary>
/// <param name="Api">Server API: below 2 OpenOCD limits blocks to 1 KiB; below 3 it avoids RW_MISC (reference §5.2 rule 1).</param>
/// <param name="Major">Major version.</param>
/// <param name="Minor">Minor version.</param>
/// <param name="Build">Build number.</param>
public sealed record StLinkServerVersion(uint Api, uint Major, uint Minor, uint Build);

/// <summary>One probe the stlink-server lists (TDeviceInfo2).</summary>
/// <param name="Index">Index in the server's list.</param>
/// <param name="Cookie">StLinkUsbId, passed back to OPEN_DEV.</param>
/// <param name="Serial">The serial (24 upper-case hex characters on real servers), NUL padding removed.</param>
/// <param name="VendorId">USB VID.</param>
/// <param name="ProductId">USB PID.</param>
/// <param name="InUse">DeviceUsed: another client holds the probe.</param>
public sealed record StLinkServerDevice(int Index, uint Cookie, string Serial, ushort VendorId, ushort ProductId, bool InUse);
