using System.Buffers.Binary;

namespace ProdFlash.Probes.Arm;

/// <summary>
/// A CoreSight component's identification registers, decoded (reference/stm32-targets.md §4.3; CoreSight
/// Architecture Specification v3.0 B2.2 "Component and Peripheral Identification Registers").
/// </summary>
/// <param name="Pidr">PIDR7..0 as one 64-bit value (PIDR4 in bits [39:32], PIDR0 in [7:0]).</param>
/// <param name="Cidr">CIDR3..0 as one 32-bit value.</param>
public sealed record CoreSightIdentity(ulong Pidr, uint Cidr)
{
    /// <summary>Offset of PIDR4 from the component base; PIDR4..7 at 0xFD0..0xFDC, PIDR0..3 at 0xFE0..0xFEC, CIDR0..3 at 0xFF0..0xFFC.</summary>
    public const uint IdentificationOffset = 0xFD0;

    /// <summary>Bytes from <see cref="IdentificationOffset"/> to the end of CIDR3 (12 words).</summary>
    public const int IdentificationLength = 0x30;

    /// <summary>The CIDR preamble with the class nibble masked out (0xB105_000D).</summary>
    public const uint CidrPreamble = 0xB105000D;

    /// <summary>The CIDR bits holding the component class (CIDR1[7:4]).</summary>
    public const uint CidrClassMask = 0x0000F000;

    /// <summary>Part number, PIDR0[7:0] | PIDR1[3:0] &lt;&lt; 8 (e.g. 0x410 genuine F103 ROM table, 0x4C3 Cortex-M3 ROM).</summary>
    public int Part => (int)(Pidr & 0xFFF);

    /// <summary>Revision, PIDR2[7:4].</summary>
    public int Revision => (int)((Pidr >> 20) & 0xF);

    /// <summary>Whether the JEDEC-assigned flag PIDR2[3] is set; when clear the designer code is a legacy, non-JEP106 value.</summary>
    public bool UsesJep106 => ((Pidr >> 19) & 1) != 0;

    /// <summary>The designer: continuation PIDR4[3:0], identity PIDR2[2:0]:PIDR1[7:4].</summary>
    public Jep106Code Designer => new((int)((Pidr >> 32) & 0xF), (int)((Pidr >> 12) & 0x7F));

    /// <summary>The component class, CIDR1[7:4]: 0x1 ROM table, 0x9 CoreSight component, 0xE generic IP.</summary>
    public int ComponentClass => (int)((Cidr >> 12) & 0xF);

    /// <summary>Whether the CIDR carries the fixed preamble 0xB105_X00D.</summary>
    public bool HasValidPreamble => (Cidr & ~CidrClassMask) == CidrPreamble;

    /// <summary>Whether this is a ROM table (class 0x1).</summary>
    public bool IsRomTable => ComponentClass == 0x1;

    /// <summary>Decodes the 12 words read from component base + 0xFD0 (each register holds one byte in bits [7:0]).</summary>
    /// <exception cref="ArgumentException">Fewer than 48 bytes.</exception>
    public static CoreSightIdentity Decode(ReadOnlySpan<byte> registersFromFd0)
    {
        if (registersFromFd0.Length < IdentificationLength)
        {
            throw new ArgumentException($"The identification block is {IdentificationLength} bytes from offset 0xFD0; got {registersFromFd0.Length}.", nameof(registersFromFd0));
        }

        ulong pidr = 0;
        for (var i = 0; i < 4; i++)
        {
            pidr |= (ulong)Reg(registersFromFd0, 4 + i) << (8 * i); // PIDR0..3 at 0xFE0..0xFEC
            pidr |= (ulong)Reg(registersFromFd0, i) << (32 + (8 * i)); // PIDR4..7 at 0xFD0..0xFDC
        }

        uint cidr = 0;
        for (var i = 0; i < 4; i++)
        {
            cidr |= (uint)Reg(registersFromFd0, 8 + i) << (8 * i);
        }

        return new CoreSightIdentity(pidr, cidr);
    }

    private static byte Reg(ReadOnlySpan<byte> block, int index) => (byte)BinaryPrimitives.ReadUInt32LittleEndian(block[(index * 4)..]);

    /// <summary>Builds the identity from the byte values of PIDR0..4 and CIDR0..3 as tools print them.</summary>
    public static CoreSightIdentity FromRegisters(byte pidr0, byte pidr1, byte pidr2, byte pidr3, byte pidr4, uint cidr) =>
        new(pidr0 | ((ulong)pidr1 << 8) | ((ulong)pidr2 << 16) | ((ulong)pidr3 << 24) | ((ulong)pidr4 << 32), cidr);
}
