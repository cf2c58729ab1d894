using ProdFlash.Emulator.Chips;
using ProdFlash.Emulator.Chips.Clones;
using ProdFlash.Emulator.Target;
using ProdFlash.Emulator.Tests.Chips;

namespace ProdFlash.Emulator.Tests.Clones;

/// <summary>Drives any emulated target through its bus as a debugger would, asserting each access succeeds.</summary>
internal static class CloneBus
{
    public const uint RomTable = 0xE00FF000;
    public const uint DbgMcuIdCode = 0xE0042000;
    public const uint CpuId = 0xE000ED00;
    public const uint FlashSize = 0x1FFFF7E0;
    public const uint ModeKeyr = ChipBus.FlashRegs + CloneChip.ModeKeyrOffset;

    public static uint Read32(this IEmulatedTarget chip, uint address)
    {
        Assert.Equal(BusResult.Ok, chip.Read(address, AccessWidth.Word, out var value));
        return value;
    }

    public static ushort Read16(this IEmulatedTarget chip, uint address)
    {
        Assert.Equal(BusResult.Ok, chip.Read(address, AccessWidth.HalfWord, out var value));
        return (ushort)value;
    }

    public static void Write32(this IEmulatedTarget chip, uint address, uint value) =>
        Assert.Equal(BusResult.Ok, chip.Write(address, AccessWidth.Word, value));

    public static void Write16(this IEmulatedTarget chip, uint address, ushort value) =>
        Assert.Equal(BusResult.Ok, chip.Write(address, AccessWidth.HalfWord, value));

    /// <summary>The ROM table's 40-bit peripheral ID as OpenOCD prints it (PIDR4 in bits [39:32]).</summary>
    public static ulong RomTablePeripheralId(this IEmulatedTarget chip)
    {
        ulong pid = 0;
        for (var i = 0; i < 4; i++)
        {
            pid |= (ulong)(chip.Read32(RomTable + 0xFE0 + (uint)(4 * i)) & 0xFF) << (8 * i);
        }

        return pid | ((ulong)(chip.Read32(RomTable + 0xFD0) & 0xFF) << 32);
    }

    /// <summary>The 12-bit designer (continuation &lt;&lt; 8 | id) and the JEDEC-used flag, decoded per reference §4.3.</summary>
    public static (ushort Designer, bool Jedec, ushort Part) DecodePeripheralId(ulong pid) =>
        ((ushort)((((pid >> 32) & 0xF) << 8) | ((pid >> 12) & 0x7F)), ((pid >> 19) & 1) == 1, (ushort)(pid & 0xFFF));

    public static void Unlock(this IEmulatedTarget chip)
    {
        chip.Write32(ChipBus.Keyr, ChipBus.Key1);
        chip.Write32(ChipBus.Keyr, ChipBus.Key2);
    }

    /// <summary>Advances modeled time until FLASH_SR.BSY clears, as a driver polling SR would.</summary>
    public static void WaitNotBusy(this IEmulatedTarget chip, ManualModeledClock clock)
    {
        while ((chip.Read32(ChipBus.Sr) & Stm32F1FlashController.SrBsy) != 0)
        {
            clock.Advance(TimeSpan.FromMicroseconds(10));
        }
    }

    /// <summary>
    /// The F1 programming sequence (reference §3.3): unlock, page erase of each page touched, PG, one half-word write at a
    /// time polling BSY between them, PG cleared, lock.
    /// </summary>
    public static void ProgramF1(this IEmulatedTarget chip, ManualModeledClock clock, uint address, ReadOnlySpan<byte> data, int pageSize)
    {
        chip.Unlock();
        for (var page = address - (address % (uint)pageSize); page < address + data.Length; page += (uint)pageSize)
        {
            chip.Write32(ChipBus.Cr, Stm32F1FlashController.CrPer);
            chip.Write32(ChipBus.Ar, page);
            chip.Write32(ChipBus.Cr, Stm32F1FlashController.CrPer | Stm32F1FlashController.CrStrt);
            chip.WaitNotBusy(clock);
        }

        chip.Write32(ChipBus.Cr, Stm32F1FlashController.CrPg);
        for (var i = 0; i < data.Length; i += 2)
        {
            chip.Write16(address + (uint)i, (ushort)(data[i] | (data[i + 1] << 8)));
            chip.WaitNotBusy(clock);
        }

        chip.Write32(ChipBus.Cr, 0);
        chip.Write32(ChipBus.Cr, Stm32F1FlashController.CrLock);
    }
}
