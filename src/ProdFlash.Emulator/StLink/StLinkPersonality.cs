using System.Globalization;
using System.Text;

namespace ProdFlash.Emulator.StLink;

/// <summary>Hardware family of an ST-LINK, which decides the version layout and the API (§1.1, §2.1).</summary>
public enum StLinkFamily
{
    /// <summary>ST-LINK/V2 dongle (PID 0x3748), USB full speed, API v2.</summary>
    V2,

    /// <summary>ST-LINK/V2-1 on Nucleo/Discovery (PID 0x374B), USB full speed, API v2.</summary>
    V21,

    /// <summary>STLINK-V3 (PID 0x374F for V3SET), USB high speed, API v3.</summary>
    V3,
}

/// <summary>
/// What one emulated ST-LINK is: USB identity, firmware version, serial, and the costs of its USB and SWD links.
/// Capabilities follow the firmware thresholds of reference §4.3 (OpenOCD 0.12 flags, OCD:504-524, 1321-1420).
/// </summary>
/// <param name="Name">The personality's short name (<c>v2j37</c>, <c>v2j17</c>, <c>v21j40</c>, <c>v3j9</c>, <c>clone</c>).</param>
/// <param name="Family">Hardware family.</param>
/// <param name="ProductId">USB PID (VID is always 0x0483).</param>
/// <param name="Jtag">Firmware JTAG (debug) version number, the J in V2J37.</param>
/// <param name="Swim">SWIM version (S), 0 if absent.</param>
/// <param name="Msd">Mass-storage version (M), 0 if absent.</param>
/// <param name="Bridge">Bridge version (B, V3 only), 0 if absent.</param>
/// <param name="Serial">The serial as tools report it: 24 upper-case hex characters.</param>
/// <param name="SerialDescriptor">The raw bytes the USB serial string descriptor carries (ASCII of <paramref name="Serial"/>, or 12 binary bytes on a clone).</param>
/// <param name="BoardId">Mbed board ID returned by GET_BOARD_IDENTIFIERS (4 ASCII characters), empty for a standalone probe.</param>
public sealed record StLinkPersonality(
    string Name,
    StLinkFamily Family,
    ushort ProductId,
    int Jtag,
    int Swim,
    int Msd,
    int Bridge,
    string Serial,
    byte[] SerialDescriptor,
    string BoardId)
{
    /// <summary>ST's USB vendor ID (§1.1).</summary>
    public const ushort VendorId = 0x0483;

    /// <summary>PID of ST-LINK/V2 (OCD:79).</summary>
    public const ushort PidV2 = 0x3748;

    /// <summary>PID of ST-LINK/V2-1 with mass storage (OCD:80).</summary>
    public const ushort PidV21 = 0x374B;

    /// <summary>PID of STLINK-V3S/V3SET (OCD:84).</summary>
    public const ushort PidV3 = 0x374F;

    /// <summary>Names accepted by <see cref="Create"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["v2j37", "v2j17", "v21j40", "v3j9", "clone"];

    // A clone's binary serial: 12 raw bytes in a 26-byte descriptor (§6.1). All clones share it.
    private static readonly byte[] CloneSerialBytes = [0x55, 0xFF, 0x6B, 0x06, 0x49, 0x86, 0x52, 0x51, 0x31, 0x39, 0x08, 0x87];

    /// <summary>Firmware version name as OpenOCD prints it: <c>V{v}J{jtag}M{msd}B{bridge}S{swim}</c>, zero fields left out (OCD:1423-1440).</summary>
    public string FirmwareName
    {
        get
        {
            var name = new StringBuilder();
            name.Append(CultureInfo.InvariantCulture, $"V{HardwareVersion}");
            Append(name, 'J', Jtag);
            Append(name, 'M', Msd);
            Append(name, 'B', Bridge);
            Append(name, 'S', Swim);
            return name.ToString();
        }
    }

    /// <summary>Hardware major version as GET_VERSION reports it (2 for V2 and V2-1, 3 for V3).</summary>
    public int HardwareVersion => Family == StLinkFamily.V3 ? 3 : 2;

    /// <summary>Whether the serial descriptor carries binary bytes rather than hex text (§6.1).</summary>
    public bool HasBinarySerial => SerialDescriptor.Length == 12;

    /// <summary>GET_TARGET_VOLTAGE (V2 ≥ J13, V3).</summary>
    public bool HasTargetVoltage => AtLeast(13, 1);

    /// <summary>SWO trace commands START/STOP_TRACE_RX, GET_TRACE_NB (V2 ≥ J13, V3).</summary>
    public bool HasTrace => AtLeast(13, 1);

    /// <summary>GETLASTRWSTATUS2 (V2 ≥ J15, V3).</summary>
    public bool HasRwStatus2 => AtLeast(15, 1);

    /// <summary>SWD_SET_FREQ 0x43 (V2 ≥ J22; V3 uses COM_FREQ instead).</summary>
    public bool HasSwdSetFreq => Family != StLinkFamily.V3 && Jtag >= 22;

    /// <summary>JTAG_SET_FREQ 0x44 (V2 ≥ J24).</summary>
    public bool HasJtagSetFreq => Family != StLinkFamily.V3 && Jtag >= 24;

    /// <summary>READ/WRITE_DAP_REG 0x45/0x46 (V2 ≥ J24, V3).</summary>
    public bool HasDapRegisters => AtLeast(24, 1);

    /// <summary>16-bit memory access and WRITEMEM_32 without increment (V2 ≥ J26, V3).</summary>
    public bool HasMem16 => AtLeast(26, 1);

    /// <summary>INIT_AP and BLINK_LED (V2 ≥ J28, V3).</summary>
    public bool HasApInit => AtLeast(28, 1);

    /// <summary>CLOSE_AP_DBG with a trustworthy status (V2 ≥ J29, V3).</summary>
    public bool HasCloseAp => AtLeast(29, 1);

    /// <summary>AP number and CSW in memory commands, READMEM_32 without increment, RW_MISC (V2 ≥ J32, V3 ≥ J2).</summary>
    public bool HasCsw => AtLeast(32, 2);

    /// <summary>GET_BOARD_IDENTIFIERS (V2 ≥ J36, V3 ≥ J6).</summary>
    public bool HasBoardId => AtLeast(36, 6);

    /// <summary>GET_VERSION_EX, SET/GET_COM_FREQ (V3).</summary>
    public bool IsV3 => Family == StLinkFamily.V3;

    /// <summary>Largest 8-bit transfer: 64 bytes, 512 on V3 ≥ J6 (OCD:98-101).</summary>
    public int Max8BitTransfer => Family == StLinkFamily.V3 && Jtag >= 6 ? 512 : 64;

    /// <summary>Largest 16/32-bit transfer, <c>STLINK_DATA_SIZE</c> (OCD:74, 102).</summary>
    public int MaxWordTransfer => 6144;

    /// <summary>Largest number of RW_MISC items: V2 64, V3 1227 (OCD:4334-4520).</summary>
    public int MaxRwMiscItems => Family == StLinkFamily.V3 ? 1227 : 64;

    /// <summary>
    /// Modeled cost of one USB transaction before data: a full-speed probe waits for the next 1 ms frame of the
    /// command-then-reply round trip, a high-speed probe for the next 125 µs microframe (USB 2.0 §5.3.3 frame timing;
    /// an estimate, not a measurement).
    /// </summary>
    public TimeSpan UsbRoundTrip => Family == StLinkFamily.V3 ? TimeSpan.FromMicroseconds(125) : TimeSpan.FromMilliseconds(1);

    /// <summary>Modeled USB payload rate in bytes per second: full speed about 1 MB/s of bulk, high speed about 40 MB/s (estimates).</summary>
    public double UsbBytesPerSecond => Family == StLinkFamily.V3 ? 40e6 : 1e6;

    /// <summary>Creates the personality named <paramref name="name"/> for probe number <paramref name="index"/> (0-based).</summary>
    /// <exception cref="EmulatorConfigurationException">The name is not one of <see cref="Names"/>.</exception>
    public static StLinkPersonality Create(string name, int index = 0)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return name.ToLowerInvariant() switch
        {
            "v2j37" => Genuine("v2j37", StLinkFamily.V2, PidV2, 37, 7, 0, 0, "066DFF48", index, string.Empty),
            "v2j17" => Genuine("v2j17", StLinkFamily.V2, PidV2, 17, 4, 0, 0, "066DFF17", index, string.Empty),
            "v21j40" => Genuine("v21j40", StLinkFamily.V21, PidV21, 40, 0, 27, 0, "0670FF40", index, "0700"),
            "v3j9" => Genuine("v3j9", StLinkFamily.V3, PidV3, 9, 1, 3, 5, "003F0039", index, string.Empty),
            "clone" => new StLinkPersonality(
                "clone", StLinkFamily.V2, PidV2, 37, 7, 0, 0, Convert.ToHexString(CloneSerialBytes), [.. CloneSerialBytes], string.Empty),
            _ => throw new EmulatorConfigurationException(
                $"Unknown probe personality '{name}'. Use one of: {string.Join(", ", Names)}."),
        };
    }

    private static StLinkPersonality Genuine(
        string name, StLinkFamily family, ushort pid, int jtag, int swim, int msd, int bridge, string prefix, int index, string boardId)
    {
        // 24 upper-case hex characters: a per-personality prefix, a fixed middle, the probe index.
        var serial = string.Create(CultureInfo.InvariantCulture, $"{prefix}3437534E{index + 1:X8}");
        return new StLinkPersonality(name, family, pid, jtag, swim, msd, bridge, serial, Encoding.ASCII.GetBytes(serial), boardId);
    }

    private static void Append(StringBuilder name, char letter, int value)
    {
        if (value != 0)
        {
            name.Append(CultureInfo.InvariantCulture, $"{letter}{value}");
        }
    }

    private bool AtLeast(int v2Jtag, int v3Jtag) => Family == StLinkFamily.V3 ? Jtag >= v3Jtag : Jtag >= v2Jtag;
}
