using System.Buffers.Binary;

namespace ProdFlash.Emulator.Chips;

/// <summary>
/// STM32F1 option bytes as the flash interface loads them at reset into FLASH_OBR and FLASH_WRPR
/// (reference §4.2; RM0008 §3.4.7/§3.4.8). The 16-byte block at 0x1FFFF800 holds eight half-words, each the
/// option byte in the low byte and its complement in the high byte.
/// </summary>
/// <param name="Rdp">Read-protection byte; 0xA5 is level 0, anything else level 1 (F1 has no level 2).</param>
/// <param name="User">USER byte: b0 WDG_SW, b1 nRST_STOP, b2 nRST_STDBY, rest unused on MD parts.</param>
/// <param name="Data0">User data byte 0.</param>
/// <param name="Data1">User data byte 1.</param>
/// <param name="WriteProtection">WRP0..WRP3 concatenated (bit = 0: the page group is protected).</param>
/// <param name="ComplementError">An option byte and its complement did not match (FLASH_OBR.OPTERR).</param>
public sealed record Stm32F1OptionBytes(byte Rdp, byte User, byte Data0, byte Data1, uint WriteProtection, bool ComplementError)
{
    /// <summary>Size of the option-byte block in bytes.</summary>
    public const int BlockSize = 16;

    /// <summary>RDP value meaning "no readout protection" on F1 (reference §4.1, PM0075).</summary>
    public const byte RdpLevel0 = 0xA5;

    /// <summary>RDP value the <c>Rdp1</c> fault and OpenOCD's <c>stm32f1x lock</c> program (reference §4.1: any value but 0xA5).</summary>
    public const byte RdpLevel1 = 0x00;

    /// <summary>FLASH_OBR OPTERR bit (b0).</summary>
    public const uint ObrOptErr = 1u << 0;

    /// <summary>FLASH_OBR RDPRT bit (b1).</summary>
    public const uint ObrRdprt = 1u << 1;

    /// <summary>FLASH_OBR USER field position ([9:2]).</summary>
    public const int ObrUserShift = 2;

    /// <summary>FLASH_OBR Data0 field position ([17:10]).</summary>
    public const int ObrData0Shift = 10;

    /// <summary>FLASH_OBR Data1 field position ([25:18]).</summary>
    public const int ObrData1Shift = 18;

    /// <summary>Whether readout protection (level 1) is active.</summary>
    public bool ReadoutProtected => Rdp != RdpLevel0;

    /// <summary>FLASH_OBR value (0x4002201C).</summary>
    public uint ObrValue =>
        (ComplementError ? ObrOptErr : 0)
        | (ReadoutProtected ? ObrRdprt : 0)
        | ((uint)User << ObrUserShift)
        | ((uint)Data0 << ObrData0Shift)
        | ((uint)Data1 << ObrData1Shift);

    /// <summary>FLASH_WRPR value (0x40022020).</summary>
    public uint WrprValue => WriteProtection;

    /// <summary>
    /// Loads the option bytes from the raw 16-byte block. A pair whose complement does not match loads as 0xFF and
    /// sets OPTERR; an erased pair (0xFFFF) loads as 0xFF without error (so an erased RDP means level 1).
    /// </summary>
    public static Stm32F1OptionBytes Load(ReadOnlySpan<byte> block)
    {
        if (block.Length != BlockSize)
        {
            throw new ArgumentException($"The F1 option-byte block is {BlockSize} bytes, got {block.Length}.", nameof(block));
        }

        var error = false;
        Span<byte> values = stackalloc byte[BlockSize / 2];
        for (var i = 0; i < values.Length; i++)
        {
            var pair = BinaryPrimitives.ReadUInt16LittleEndian(block.Slice(2 * i, 2));
            var value = (byte)pair;
            var complement = (byte)(pair >> 8);
            if (pair == 0xFFFF)
            {
                values[i] = 0xFF;
            }
            else if ((byte)~value == complement)
            {
                values[i] = value;
            }
            else
            {
                values[i] = 0xFF;
                error = true;
            }
        }

        var wrp = BinaryPrimitives.ReadUInt32LittleEndian(values.Slice(4, 4));
        return new Stm32F1OptionBytes(values[0], values[1], values[2], values[3], wrp, error);
    }

    /// <summary>Encodes option values into the raw block, each byte followed by its complement.</summary>
    public static byte[] Encode(byte rdp, byte user, byte data0, byte data1, uint writeProtection)
    {
        var block = new byte[BlockSize];
        Span<byte> values = [rdp, user, data0, data1, (byte)writeProtection, (byte)(writeProtection >> 8), (byte)(writeProtection >> 16), (byte)(writeProtection >> 24)];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(block.AsSpan(2 * i, 2), ComplementPair(values[i]));
        }

        return block;
    }

    /// <summary>The half-word stored for option byte <paramref name="value"/>: the byte and its complement above it.</summary>
    public static ushort ComplementPair(byte value) => (ushort)(value | ((byte)~value << 8));
}
