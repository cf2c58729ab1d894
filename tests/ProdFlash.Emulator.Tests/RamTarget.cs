using System.Buffers.Binary;
using ProdFlash.Emulator.Target;

namespace ProdFlash.Emulator.Tests;

/// <summary>
/// A small hand-written target for the probe-side tests: STM32F1 identity (DPIDR 0x1BA01477, AHB-AP IDR 0x14770011,
/// BASE 0xE00FF003 — reference stm32-targets.md §2.4, §5.1), 20 KiB of SRAM at 0x20000000, everything else a bus fault.
/// </summary>
internal sealed class RamTarget : IEmulatedTarget
{
    public const uint SramBase = 0x2000_0000;
    public const int SramSize = 20 * 1024;

    public byte[] Sram { get; } = new byte[SramSize];

    public double SenseVoltage { get; set; } = 3.3;

    public uint DpIdr => 0x1BA0_1477;

    public uint ApIdr => 0x1477_0011;

    public uint ApBase => 0xE00F_F003;

    public bool SwdResponds { get; set; } = true;

    public bool ResetAsserted { get; private set; }

    public int ResetReleases { get; private set; }

    public void SetResetLine(bool asserted)
    {
        if (ResetAsserted && !asserted)
        {
            ResetReleases++;
        }

        ResetAsserted = asserted;
    }

    public BusResult Read(uint address, AccessWidth width, out uint value)
    {
        value = 0;
        if (!InSram(address, width))
        {
            return BusResult.Fault;
        }

        var span = Sram.AsSpan((int)(address - SramBase));
        value = width switch
        {
            AccessWidth.Byte => span[0],
            AccessWidth.HalfWord => BinaryPrimitives.ReadUInt16LittleEndian(span),
            _ => BinaryPrimitives.ReadUInt32LittleEndian(span),
        };
        return BusResult.Ok;
    }

    public BusResult Write(uint address, AccessWidth width, uint value)
    {
        if (!InSram(address, width))
        {
            return BusResult.Fault;
        }

        var span = Sram.AsSpan((int)(address - SramBase));
        switch (width)
        {
            case AccessWidth.Byte:
                span[0] = (byte)value;
                break;
            case AccessWidth.HalfWord:
                BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)value);
                break;
            default:
                BinaryPrimitives.WriteUInt32LittleEndian(span, value);
                break;
        }

        return BusResult.Ok;
    }

    private static bool InSram(uint address, AccessWidth width) =>
        address >= SramBase && address + (uint)width <= SramBase + SramSize && address % (uint)width == 0;
}
