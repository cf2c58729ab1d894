using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace ProdFlash.Probes.StLink;

/// <summary>Hardware family of an ST-LINK, from GET_VERSION's major number and the PID.</summary>
public enum StLinkVariant
{
    /// <summary>ST-LINK/V1 (SCSI pass-through framing; not driven by this driver).</summary>
    V1,

    /// <summary>ST-LINK/V2 (PID 0x3748).</summary>
    V2,

    /// <summary>ST-LINK/V2-1 (PID 0x374B, 0x3752, 0x374A).</summary>
    V2_1,

    /// <summary>STLINK-V3 (GET_VERSION major 3, or above: OpenOCD HEAD treats 4 as V3PWR on API v3).</summary>
    V3,
}

/// <summary>Firmware features, each from the threshold OpenOCD 0.12 uses (reference §4.3, OCD:1321-1420).</summary>
[Flags]
public enum StLinkCapabilities
{
    /// <summary>No optional feature.</summary>
    None = 0,

    /// <summary>Trace and GET_TARGET_VOLTAGE: V2 ≥ J13, V3.</summary>
    TargetVoltage = 1 << 0,

    /// <summary>GETLASTRWSTATUS2 (12-byte reply with fault address): V2 ≥ J15, V3.</summary>
    LastRwStatus2 = 1 << 1,

    /// <summary>SWD_SET_FREQ: V2 ≥ J22 (V3 uses COM_FREQ).</summary>
    SwdSetFrequency = 1 << 2,

    /// <summary>JTAG_SET_FREQ: V2 ≥ J24.</summary>
    JtagSetFrequency = 1 << 3,

    /// <summary>READ/WRITE_DAP_REG (0x45/0x46): V2 ≥ J24, V3.</summary>
    DapRegisters = 1 << 4,

    /// <summary>READ/WRITEMEM_16BIT and WRITEMEM_NO_INC: V2 ≥ J26, V3.</summary>
    Memory16Bit = 1 << 5,

    /// <summary>INIT_AP needed before AP access: V2 ≥ J28, V3.</summary>
    ApInit = 1 << 6,

    /// <summary>CLOSE_AP_DBG returns a trustworthy status: V2 ≥ J29, V3.</summary>
    CloseApStatus = 1 << 7,

    /// <summary>DP bank select, READ_NO_INC, RW_MISC and the AP/CSW bytes in memory commands: V2 ≥ J32, V3 ≥ J2.</summary>
    CswInMemoryCommands = 1 << 8,

    /// <summary>8-bit transfers of up to 512 bytes: V3 ≥ J6.</summary>
    Rw8Of512Bytes = 1 << 9,

    /// <summary>SET_COM_FREQ/GET_COM_FREQ: V3.</summary>
    ComFrequency = 1 << 10,
}

/// <summary>A decoded ST-LINK firmware version (GET_VERSION, and GET_VERSION_EX on V3).</summary>
/// <param name="Major">Hardware major number (1, 2 or 3).</param>
/// <param name="Jtag">JTAG/SWD firmware number (the "J").</param>
/// <param name="Swim">SWIM firmware number (the "S").</param>
/// <param name="MassStorage">Mass-storage firmware number (the "M").</param>
/// <param name="Bridge">Bridge firmware number (the "B", V3 only).</param>
/// <param name="VendorId">USB VID the probe reports.</param>
/// <param name="ProductId">USB PID the probe reports.</param>
public sealed record StLinkVersion(int Major, int Jtag, int Swim, int MassStorage, int Bridge, ushort VendorId, ushort ProductId)
{
    /// <summary>Length of the GET_VERSION reply (OCD:1249).</summary>
    public const int VersionReplyLength = 6;

    /// <summary>Length of the GET_VERSION_EX reply (OCD:1300).</summary>
    public const int VersionExReplyLength = 12;

    /// <summary>The hardware family.</summary>
    public StLinkVariant Variant => Major switch
    {
        1 => StLinkVariant.V1,
        2 => StLinkUsbProductIds.IsV2_1(ProductId) ? StLinkVariant.V2_1 : StLinkVariant.V2,
        _ => StLinkVariant.V3,
    };

    /// <summary>
    /// The firmware name as OpenOCD prints it: <c>V{v}</c>, then <c>J</c> if jtag or no msd, <c>M</c> if msd,
    /// <c>B</c> if bridge, <c>S</c> if swim or no msd (OCD:1423-1440). For example <c>V2J37S7</c>, <c>V2J40M27</c>.
    /// </summary>
    public string Name
    {
        get
        {
            var name = new StringBuilder().Append(CultureInfo.InvariantCulture, $"V{Major}");
            if (Jtag != 0 || MassStorage == 0)
            {
                name.Append(CultureInfo.InvariantCulture, $"J{Jtag}");
            }

            if (MassStorage != 0)
            {
                name.Append(CultureInfo.InvariantCulture, $"M{MassStorage}");
            }

            if (Bridge != 0)
            {
                name.Append(CultureInfo.InvariantCulture, $"B{Bridge}");
            }

            if (Swim != 0 || MassStorage == 0)
            {
                name.Append(CultureInfo.InvariantCulture, $"S{Swim}");
            }

            return name.ToString();
        }
    }

    /// <summary>The firmware features, by the thresholds of reference §4.3.</summary>
    public StLinkCapabilities Capabilities
    {
        get
        {
            var caps = StLinkCapabilities.None;
            if (Major == 2)
            {
                caps |= Jtag >= 13 ? StLinkCapabilities.TargetVoltage : 0;
                caps |= Jtag >= 15 ? StLinkCapabilities.LastRwStatus2 : 0;
                caps |= Jtag >= 22 ? StLinkCapabilities.SwdSetFrequency : 0;
                caps |= Jtag >= 24 ? StLinkCapabilities.JtagSetFrequency | StLinkCapabilities.DapRegisters : 0;
                caps |= Jtag >= 26 ? StLinkCapabilities.Memory16Bit : 0;
                caps |= Jtag >= 28 ? StLinkCapabilities.ApInit : 0;
                caps |= Jtag >= 29 ? StLinkCapabilities.CloseApStatus : 0;
                caps |= Jtag >= 32 ? StLinkCapabilities.CswInMemoryCommands : 0;
            }
            else if (Major >= 3)
            {
                caps |= StLinkCapabilities.TargetVoltage | StLinkCapabilities.LastRwStatus2 | StLinkCapabilities.DapRegisters
                    | StLinkCapabilities.Memory16Bit | StLinkCapabilities.ApInit | StLinkCapabilities.CloseApStatus
                    | StLinkCapabilities.ComFrequency;
                caps |= Jtag >= 2 ? StLinkCapabilities.CswInMemoryCommands : 0;
                caps |= Jtag >= 6 ? StLinkCapabilities.Rw8Of512Bytes : 0;
            }

            return caps;
        }
    }

    /// <summary>Whether a V3 reply needs GET_VERSION_EX: major 3 and x = y = 0 (OCD:1294; OCD-HEAD uses major ≥ 3).</summary>
    public static bool NeedsVersionEx(ReadOnlySpan<byte> versionReply)
    {
        var ver = BinaryPrimitives.ReadUInt16BigEndian(versionReply);
        return (ver >> 12) >= 3 && ((ver >> 6) & 0x3F) == 0 && (ver & 0x3F) == 0;
    }

    /// <summary>
    /// Decodes GET_VERSION: a big-endian u16 <c>v:4 x:6 y:6</c>, then VID and PID little-endian (OCD:1249-1298).
    /// On V2-1 the MxSy rule tells STM8-only firmware ("x≤22 and y=7" or "x≥25 and 7≤y≤12": msd=x, swim=y).
    /// </summary>
    /// <exception cref="StLinkProtocolException">The reply is shorter than 6 bytes.</exception>
    public static StLinkVersion Decode(ReadOnlySpan<byte> reply)
    {
        if (reply.Length < VersionReplyLength)
        {
            throw new StLinkProtocolException($"GET_VERSION replied {reply.Length} bytes, expected {VersionReplyLength}; the probe is not an ST-LINK V2/V3 or the transfer was cut.");
        }

        var ver = BinaryPrimitives.ReadUInt16BigEndian(reply);
        int v = (ver >> 12) & 0xF, x = (ver >> 6) & 0x3F, y = ver & 0x3F;
        var vid = BinaryPrimitives.ReadUInt16LittleEndian(reply[2..]);
        var pid = BinaryPrimitives.ReadUInt16LittleEndian(reply[4..]);
        if (v == 2 && StLinkUsbProductIds.IsV2_1(pid))
        {
            var stm8Only = (x <= 22 && y == 7) || (x >= 25 && y >= 7 && y <= 12);
            return stm8Only
                ? new StLinkVersion(v, 0, y, x, 0, vid, pid)
                : new StLinkVersion(v, x, 0, y, 0, vid, pid);
        }

        return new StLinkVersion(v, x, y, 0, 0, vid, pid);
    }

    /// <summary>Decodes GET_VERSION_EX (V3): [0] major, [1] SWIM, [2] JTAG, [3] MSC, [4] bridge, [8..9] VID, [10..11] PID (OCD:1300-1317).</summary>
    /// <exception cref="StLinkProtocolException">The reply is shorter than 12 bytes.</exception>
    public static StLinkVersion DecodeEx(ReadOnlySpan<byte> reply)
    {
        if (reply.Length < VersionExReplyLength)
        {
            throw new StLinkProtocolException($"GET_VERSION_EX replied {reply.Length} bytes, expected {VersionExReplyLength}.");
        }

        return new StLinkVersion(reply[0], reply[2], reply[1], reply[3], reply[4],
            BinaryPrimitives.ReadUInt16LittleEndian(reply[8..]), BinaryPrimitives.ReadUInt16LittleEndian(reply[10..]));
    }
}

/// <summary>What <see cref="StLinkProbe.OpenAsync"/> found out about the probe.</summary>
/// <param name="Version">The decoded firmware version.</param>
/// <param name="ModeAtOpen">The mode the probe was in before the driver left it.</param>
/// <param name="Description">The wire's description of the far end.</param>
public sealed record StLinkInfo(StLinkVersion Version, StLinkMode ModeAtOpen, string Description)
{
    /// <summary>The hardware family.</summary>
    public StLinkVariant Variant => Version.Variant;

    /// <summary>The firmware name, e.g. <c>V2J37S7</c>.</summary>
    public string FirmwareName => Version.Name;

    /// <summary>The firmware features.</summary>
    public StLinkCapabilities Capabilities => Version.Capabilities;

    /// <summary>The USB VID the probe reports.</summary>
    public ushort VendorId => Version.VendorId;

    /// <summary>The USB PID the probe reports.</summary>
    public ushort ProductId => Version.ProductId;
}
