namespace ProdFlash.Emulator.Chips;

/// <summary>
/// The identification block at the top of a CoreSight component's 4 KiB window: PIDR4 at 0xFD0, PIDR0..3 at
/// 0xFE0..0xFEC, CIDR0..3 at 0xFF0..0xFFC, each register holding one byte (reference stm32-targets.md §4.3,
/// OCD-core <c>arm_coresight.h</c>).
/// </summary>
/// <param name="PeripheralId">
/// The 40-bit peripheral ID as OpenOCD prints it: PIDR4 in bits [39:32], PIDR3..PIDR0 in bits [31:0]
/// (e.g. the Cortex-M3 r1p1 SCS is 0x04_001BB000: ARM continuation code 4, part 0x000).
/// </param>
/// <param name="ComponentId">The 32-bit component ID (CIDR3..CIDR0), e.g. 0xB105E00D for a generic IP component.</param>
public readonly record struct CoreSightIdentity(ulong PeripheralId, uint ComponentId)
{
    /// <summary>Offset of PIDR4 in the component window.</summary>
    public const uint Pidr4Offset = 0xFD0;

    /// <summary>Offset of PIDR0 in the component window.</summary>
    public const uint Pidr0Offset = 0xFE0;

    /// <summary>Offset of CIDR0 in the component window.</summary>
    public const uint Cidr0Offset = 0xFF0;

    /// <summary>Component ID of a ROM table (class 0x1) (reference §4.3).</summary>
    public const uint RomTableComponentId = 0xB105100D;

    /// <summary>Component ID of a generic IP component (class 0xE): SCS, DWT, FPB, ITM (J-Link log of a genuine F103, reference §5.3).</summary>
    public const uint GenericIpComponentId = 0xB105E00D;

    /// <summary>Component ID of a CoreSight component (class 0x9): TPIU (J-Link log of a genuine F103).</summary>
    public const uint CoreSightComponentId = 0xB105900D;

    /// <summary>The 12-bit part number: PIDR0[7:0] | PIDR1[3:0] &lt;&lt; 8.</summary>
    public ushort Part => (ushort)(PeripheralId & 0xFFF);

    /// <summary>The designer in the 12-bit notation <c>continuation &lt;&lt; 8 | id</c> (ST = 0x020, ARM = 0x43B).</summary>
    public ushort Designer => (ushort)((((PeripheralId >> 32) & 0xF) << 8) | ((PeripheralId >> 12) & 0x7F));

    /// <summary>
    /// Reads one identification register at <paramref name="offset"/> inside the component window.
    /// Returns false when the offset is not one of the PIDR/CIDR registers.
    /// </summary>
    public bool TryRead(uint offset, out uint value)
    {
        if (offset == Pidr4Offset)
        {
            value = (uint)(PeripheralId >> 32) & 0xFF;
            return true;
        }

        if (offset is >= 0xFD4 and < Pidr0Offset)
        {
            // PIDR5..7: reserved, read as zero.
            value = 0;
            return true;
        }

        if (offset is >= Pidr0Offset and < Cidr0Offset && offset % 4 == 0)
        {
            value = (uint)(PeripheralId >> (int)(8 * ((offset - Pidr0Offset) / 4))) & 0xFF;
            return true;
        }

        if (offset is >= Cidr0Offset and <= 0xFFC && offset % 4 == 0)
        {
            value = (ComponentId >> (int)(8 * ((offset - Cidr0Offset) / 4))) & 0xFF;
            return true;
        }

        value = 0;
        return false;
    }
}

/// <summary>One entry of a legacy-format CoreSight ROM table.</summary>
/// <param name="ComponentBase">Absolute base address of the component's 4 KiB window.</param>
/// <param name="Present">Whether the entry's PRESENT bit (b0) is set.</param>
public readonly record struct RomTableEntry(uint ComponentBase, bool Present)
{
    /// <summary>Entry format bit (b1 = 32-bit format) (ADIv5 ROM table).</summary>
    public const uint FormatBit = 0x2;

    /// <summary>Entry present bit (b0).</summary>
    public const uint PresentBit = 0x1;

    /// <summary>The 32-bit entry value: signed offset from the ROM table base in [31:12], format and present bits.</summary>
    public uint Encode(uint romTableBase) =>
        ((ComponentBase - romTableBase) & 0xFFFFF000) | FormatBit | (Present ? PresentBit : 0);
}
