namespace ProdFlash.Core.Devices;

/// <summary>Readout protection level.</summary>
public enum RdpLevel
{
    /// <summary>Level 0: no protection.</summary>
    Level0 = 0,

    /// <summary>Level 1: flash hidden from the debugger; regression to level 0 mass-erases.</summary>
    Level1 = 1,

    /// <summary>Level 2: debug port permanently disabled; irreversible.</summary>
    Level2 = 2,
}

/// <summary>How new option bytes take effect.</summary>
public enum OptionByteReload
{
    /// <summary>A system reset or power cycle loads them (F1: no OBL_LAUNCH).</summary>
    SystemReset,

    /// <summary>Setting CR.OBL_LAUNCH reloads them and resets the chip (F0, G0, L4).</summary>
    OblLaunch,

    /// <summary>OPTCR.OPTSTRT programs them and they apply when BSY clears (F2/F4).</summary>
    OptStart,
}

/// <summary>
/// How a family encodes readout protection: the RDP byte values and where the level can be read back.
/// </summary>
/// <param name="Level0">The RDP byte that means level 0 (F1 0xA5; others 0xAA).</param>
/// <param name="Level2">The RDP byte that means level 2 (0xCC), or null where the family has no level 2 (F1).</param>
/// <param name="ByteField">Name of the field in the option status register that holds the RDP byte itself (F4 OPTCR "RDP", G0/L4 OPTR "RDP"), or null.</param>
/// <param name="StatusField">Name of the field that reports the level as status bits (F0/F1 OBR "RDPRT"), or null.</param>
/// <param name="StatusLevels">For <paramref name="StatusField"/>: which field value means which level (F1 0→L0, 1→L1; F0 0→L0, 1→L1, 3→L2).</param>
/// <param name="RegressionMassErases">Whether going from level 1 to level 0 mass-erases the flash.</param>
/// <param name="Source">Where these facts come from.</param>
public sealed record RdpEncoding(
    byte Level0,
    byte? Level2,
    string? ByteField,
    string? StatusField,
    IReadOnlyDictionary<uint, RdpLevel> StatusLevels,
    bool RegressionMassErases,
    string Source)
{
    /// <summary>The level an RDP byte value means: <see cref="Level0"/> → 0, <see cref="Level2"/> → 2, any other value → 1.</summary>
    public RdpLevel Decode(byte rdp) => rdp == Level0 ? RdpLevel.Level0 : rdp == Level2 ? RdpLevel.Level2 : RdpLevel.Level1;

    /// <summary>The option byte half-word holding <paramref name="rdp"/> with its complement in the high byte (F1 0xA5 → 0x5AA5).</summary>
    public static ushort WithComplement(byte rdp) => (ushort)(((~rdp & 0xFF) << 8) | rdp);
}

/// <summary>
/// A family's option bytes: where they sit in memory, which register mirrors them, their fields, RDP encoding and
/// how new values take effect.
/// </summary>
/// <remarks>Immutable; safe to share between threads.</remarks>
public sealed class OptionByteLayout
{
    /// <summary>Creates the layout.</summary>
    public OptionByteLayout(
        uint? address,
        int? size,
        bool complementedHalfWords,
        IReadOnlyDictionary<string, uint> byteOffsets,
        string statusRegister,
        IReadOnlyDictionary<string, BitField> fields,
        string? writeProtectionRegister,
        RdpEncoding rdp,
        OptionByteReload reload,
        string source)
    {
        Address = address;
        Size = size;
        ComplementedHalfWords = complementedHalfWords;
        ByteOffsets = byteOffsets;
        StatusRegister = statusRegister;
        Fields = fields;
        WriteProtectionRegister = writeProtectionRegister;
        Rdp = rdp;
        Reload = reload;
        Source = source;
    }

    /// <summary>Address of the user option-byte area in memory (F0/F1 0x1FFFF800, F4 0x1FFFC000, G0/L4 0x1FFF7800), or null if unknown.</summary>
    public uint? Address { get; }

    /// <summary>Size of that area in bytes, where known.</summary>
    public int? Size { get; }

    /// <summary>
    /// Whether each option byte is stored as a half-word with its complement in the high byte (F0/F1: RDP 0xA5 is
    /// stored as 0x5AA5).
    /// </summary>
    public bool ComplementedHalfWords { get; }

    /// <summary>Offsets of the named option bytes from <see cref="Address"/> (F0/F1: RDP 0x0, USER 0x2, DATA0 0x4 ...).</summary>
    public IReadOnlyDictionary<string, uint> ByteOffsets { get; }

    /// <summary>The flash-controller register that mirrors the loaded option bytes (F0/F1 "OBR", F4 "OPTCR", G0/L4 "OPTR").</summary>
    public string StatusRegister { get; }

    /// <summary>Fields of <see cref="StatusRegister"/> by name (RDP or RDPRT, user bits, BOR levels, ...).</summary>
    public IReadOnlyDictionary<string, BitField> Fields { get; }

    /// <summary>The register that reports write protection (F0/F1 "WRPR", F4 "OPTCR" nWRP, G0/L4 "WRP1AR"...), if one.</summary>
    public string? WriteProtectionRegister { get; }

    /// <summary>The RDP encoding.</summary>
    public RdpEncoding Rdp { get; }

    /// <summary>How new option bytes take effect.</summary>
    public OptionByteReload Reload { get; }

    /// <summary>Where these facts come from.</summary>
    public string Source { get; }

    /// <summary>
    /// The RDP level shown by a value of <see cref="StatusRegister"/>: from the RDP byte field where the register holds
    /// it, else from the status bits; null when the status value is not one the family defines.
    /// </summary>
    public RdpLevel? DecodeRdp(uint statusRegisterValue)
    {
        if (Rdp.ByteField is not null)
        {
            return Rdp.Decode((byte)Fields[Rdp.ByteField].Extract(statusRegisterValue));
        }

        if (Rdp.StatusField is not null && Rdp.StatusLevels.TryGetValue(Fields[Rdp.StatusField].Extract(statusRegisterValue), out var level))
        {
            return level;
        }

        return null;
    }
}
