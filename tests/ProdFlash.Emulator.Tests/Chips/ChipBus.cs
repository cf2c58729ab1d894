using ProdFlash.Emulator.Chips;
using ProdFlash.Emulator.Target;

namespace ProdFlash.Emulator.Tests.Chips;

/// <summary>Small helpers that drive a chip through its bus as a debugger would, asserting each access succeeds.</summary>
internal static class ChipBus
{
    public const uint Key1 = Stm32F1FlashController.Key1;
    public const uint Key2 = Stm32F1FlashController.Key2;
    public const uint FlashRegs = 0x40022000;
    public const uint Keyr = FlashRegs + Stm32F1FlashController.KeyrOffset;
    public const uint OptKeyr = FlashRegs + Stm32F1FlashController.OptKeyrOffset;
    public const uint Sr = FlashRegs + Stm32F1FlashController.SrOffset;
    public const uint Cr = FlashRegs + Stm32F1FlashController.CrOffset;
    public const uint Ar = FlashRegs + Stm32F1FlashController.ArOffset;
    public const uint Obr = FlashRegs + Stm32F1FlashController.ObrOffset;
    public const uint Wrpr = FlashRegs + Stm32F1FlashController.WrprOffset;

    public static uint Read32(this Stm32F1Chip chip, uint address)
    {
        Assert.Equal(BusResult.Ok, chip.Read(address, AccessWidth.Word, out var value));
        return value;
    }

    public static ushort Read16(this Stm32F1Chip chip, uint address)
    {
        Assert.Equal(BusResult.Ok, chip.Read(address, AccessWidth.HalfWord, out var value));
        return (ushort)value;
    }

    public static void Write32(this Stm32F1Chip chip, uint address, uint value) =>
        Assert.Equal(BusResult.Ok, chip.Write(address, AccessWidth.Word, value));

    public static void Write16(this Stm32F1Chip chip, uint address, ushort value) =>
        Assert.Equal(BusResult.Ok, chip.Write(address, AccessWidth.HalfWord, value));

    public static void UnlockFlash(this Stm32F1Chip chip)
    {
        chip.Write32(Keyr, Key1);
        chip.Write32(Keyr, Key2);
    }

    public static void UnlockOptionBytes(this Stm32F1Chip chip)
    {
        chip.UnlockFlash();
        chip.Write32(OptKeyr, Key1);
        chip.Write32(OptKeyr, Key2);
    }

    /// <summary>Advances modeled time until FLASH_SR.BSY clears, as a driver polling SR would.</summary>
    public static void WaitNotBusy(this Stm32F1Chip chip, ManualModeledClock clock)
    {
        while ((chip.Read32(Sr) & Stm32F1FlashController.SrBsy) != 0)
        {
            clock.Advance(TimeSpan.FromMicroseconds(10));
        }
    }
}
