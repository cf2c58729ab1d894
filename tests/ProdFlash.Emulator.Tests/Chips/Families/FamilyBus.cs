using ProdFlash.Core.Devices;
using ProdFlash.Emulator.Chips;
using ProdFlash.Emulator.Target;

namespace ProdFlash.Emulator.Tests.Chips.Families;

/// <summary>Drives an F0/F4/G0/L4 model through its bus as a debugger would, naming registers and bits by the catalog.</summary>
internal static class FamilyBus
{
    public static Stm32Chip Create(string part, ManualModeledClock clock, ChipFaults? faults = null) =>
        new(Stm32Specs.FromCatalog(part), clock, faults, uidSeed: 42);

    public static uint Reg(this Stm32Chip chip, string register) => chip.Spec.Family.FlashController.Address(register);

    public static uint Mask(this Stm32Chip chip, string register, string field) => chip.Spec.Family.FlashController.Bit(register, field).Mask;

    public static uint OptionField(this Stm32Chip chip, string field) => chip.Spec.Family.OptionBytes.Fields[field].Mask;

    public static uint Read32(this Stm32Chip chip, uint address)
    {
        Assert.Equal(BusResult.Ok, chip.Read(address, AccessWidth.Word, out var value));
        return value;
    }

    public static ushort Read16(this Stm32Chip chip, uint address)
    {
        Assert.Equal(BusResult.Ok, chip.Read(address, AccessWidth.HalfWord, out var value));
        return (ushort)value;
    }

    public static void Write32(this Stm32Chip chip, uint address, uint value) =>
        Assert.Equal(BusResult.Ok, chip.Write(address, AccessWidth.Word, value));

    public static void Write16(this Stm32Chip chip, uint address, ushort value) =>
        Assert.Equal(BusResult.Ok, chip.Write(address, AccessWidth.HalfWord, value));

    public static void Unlock(this Stm32Chip chip)
    {
        var map = chip.Spec.Family.FlashController;
        chip.Write32(map.Address(FlashRegisterNames.Keyr), map.Key1);
        chip.Write32(map.Address(FlashRegisterNames.Keyr), map.Key2);
    }

    public static void UnlockOptions(this Stm32Chip chip)
    {
        var map = chip.Spec.Family.FlashController;
        chip.Unlock();
        chip.Write32(map.Address(FlashRegisterNames.Optkeyr), map.OptKey1);
        chip.Write32(map.Address(FlashRegisterNames.Optkeyr), map.OptKey2);
    }

    public static bool Busy(this Stm32Chip chip) => (chip.Read32(chip.Reg("SR")) & chip.Mask("SR", "BSY")) != 0;

    /// <summary>Advances modeled time until SR.BSY clears; returns how long that took.</summary>
    public static TimeSpan WaitNotBusy(this Stm32Chip chip, ManualModeledClock clock)
    {
        var start = clock.Now;
        while (chip.Busy())
        {
            clock.Advance(TimeSpan.FromMicroseconds(1));
        }

        return clock.Now - start;
    }

    /// <summary>Advances modeled time until SR.BSY clears, in big steps; returns how long that took (to the step).</summary>
    public static TimeSpan WaitNotBusyCoarse(this Stm32Chip chip, ManualModeledClock clock, TimeSpan step)
    {
        var start = clock.Now;
        while (chip.Busy())
        {
            clock.Advance(step);
        }

        return clock.Now - start;
    }
}
