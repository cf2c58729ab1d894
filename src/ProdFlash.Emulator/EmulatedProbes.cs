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
    public static EmulatedStLink Create(string chip, string personality, FaultSet faults, int index, TimeProvider timeProvider, bool realTime) =>
        Create(chip, personality, faults, index, index, timeProvider, realTime);

    private static EmulatedStLink Create(string chip, string personality, FaultSet faults, int index, int probeNumber, TimeProvider timeProvider, bool realTime)
    {
        ArgumentNullException.ThrowIfNull(faults);
        var profile = StLinkPersonality.Create(personality, probeNumber);
        var clock = new ModeledClock(timeProvider, realTime);
        var target = EmulatedChips.Create(chip, faults.Chip, clock, index);
        IEmulatedTarget wired = faults.HasBoardFault ? new BoardFaultTarget(target, faults) : target;
        return new EmulatedStLink(profile, wired, clock, faults);
    }

    /// <summary>
    /// Creates the probe an <c>emulator://</c> selector names, as slot <paramref name="index"/> (which decides the chip
    /// UID). The probe's serial comes from the selector itself (<see cref="SerialNumberOf"/>): the same selector always
    /// gives the same serial, whatever order slots open in and across restarts, and distinct selectors give distinct
    /// serials, so binding by serial, duplicate-serial detection and the probe inventory treat emulated probes as real
    /// ones. The clone personality keeps the one binary serial all clones share (stlink-protocol.md §6.1).
    /// </summary>
    public static EmulatedStLink Create(EmulatorSelector selector, int index, TimeProvider timeProvider, bool realTime = false)
    {
        ArgumentNullException.ThrowIfNull(selector);
        return Create(selector.Chip, selector.Personality, selector.Faults, index, SerialNumberOf(selector), timeProvider, realTime);
    }

    /// <summary>
    /// The probe number (0 to 2^28 − 2) a selector's probe serial is made from: FNV-1a (32-bit) of the selector's
    /// canonical text (<see cref="EmulatorSelector.ToString"/>), so parameter spelling that parses alike gives the same serial.
    /// </summary>
    public static int SerialNumberOf(EmulatorSelector selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        const uint offsetBasis = 2166136261; // FNV-1a 32-bit parameters (Fowler, Noll, Vo)
        const uint prime = 16777619;
        var hash = offsetBasis;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(selector.ToString()))
        {
            hash = unchecked((hash ^ b) * prime);
        }

        return (int)(hash % 0x0FFFFFFF);
    }
}

/// <summary>The flash counters of an STM32F1 chip model, as the unplug fault reads them.</summary>
internal sealed class Stm32F1FlashActivity(Stm32F1Chip chip) : IFlashActivity
{
    public long FlashSizeBytes => chip.Spec.FlashSize;

    public long BytesProgrammed => chip.Counters.BytesProgrammed;

    public long BytesErased => (chip.Counters.PagesErased * chip.Spec.PageSize) + (chip.Counters.MassErases * chip.Spec.FlashSize);
}
