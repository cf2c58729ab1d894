using ProdFlash.Emulator.Chips;
using ProdFlash.Emulator.Faults;
using ProdFlash.Emulator.StLink;
using ProdFlash.Emulator.Target;
using ProdFlash.Emulator.Timing;

namespace ProdFlash.Emulator;

/// <summary>Assembles emulated slots: chip model, board faults, probe personality and modeled clock.</summary>
public static class EmulatedProbes
{
    /// <summary>Creates probe number <paramref name="index"/> with its own chip and modeled clock.</summary>
    /// <param name="chip">Chip model name.</param>
    /// <param name="personality">Probe personality name.</param>
    /// <param name="faults">Faults of the slot.</param>
    /// <param name="index">Slot index (0-based): decides the probe serial and the chip UID.</param>
    /// <param name="timeProvider">Time source for real-time mode.</param>
    /// <param name="realTime">Whether transactions wait their modeled time.</param>
    /// <exception cref="EmulatorConfigurationException">An unknown chip or personality, or a fault the chip refuses.</exception>
    public static EmulatedStLink Create(string chip, string personality, FaultSet faults, int index, TimeProvider timeProvider, bool realTime)
    {
        ArgumentNullException.ThrowIfNull(faults);
        var profile = StLinkPersonality.Create(personality, index);
        var clock = new ModeledClock(timeProvider, realTime);
        var target = EmulatedChips.Create(chip, faults.Chip, clock, index);
        IEmulatedTarget wired = faults.HasBoardFault ? new BoardFaultTarget(target, faults) : target;
        return new EmulatedStLink(profile, wired, clock, faults);
    }

    /// <summary>Creates the probe an <c>emulator://</c> selector names, as slot <paramref name="index"/>.</summary>
    public static EmulatedStLink Create(EmulatorSelector selector, int index, TimeProvider timeProvider, bool realTime = false)
    {
        ArgumentNullException.ThrowIfNull(selector);
        return Create(selector.Chip, selector.Personality, selector.Faults, index, timeProvider, realTime);
    }
}

/// <summary>The flash counters of an STM32F1 chip model, as the unplug fault reads them.</summary>
internal sealed class Stm32F1FlashActivity(Stm32F1Chip chip) : IFlashActivity
{
    public long FlashSizeBytes => chip.Spec.FlashSize;

    public long BytesProgrammed => chip.Counters.BytesProgrammed;

    public long BytesErased => (chip.Counters.PagesErased * chip.Spec.PageSize) + (chip.Counters.MassErases * chip.Spec.FlashSize);
}
