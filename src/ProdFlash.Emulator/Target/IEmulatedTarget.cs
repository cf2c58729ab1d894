namespace ProdFlash.Emulator.Target;

/// <summary>Width of one access on the emulated AHB bus.</summary>
public enum AccessWidth
{
    /// <summary>8-bit access.</summary>
    Byte = 1,

    /// <summary>16-bit access.</summary>
    HalfWord = 2,

    /// <summary>32-bit access.</summary>
    Word = 4,
}

/// <summary>Outcome of one bus access, as the AHB-AP reports it to the DP.</summary>
public enum BusResult
{
    /// <summary>The access completed.</summary>
    Ok,

    /// <summary>A bus error (unmapped address, flash hidden by RDP level 1...): the AP sets STICKYERR, the probe reports SWD_AP_FAULT.</summary>
    Fault,

    /// <summary>The slave stalls (e.g. a write to flash while BSY): the AP answers WAIT until modeled time clears it.</summary>
    Wait,
}

/// <summary>
/// The chip side of the emulator, as the SW-DP and AHB-AP see it: power, reset, identity of the debug port, and
/// the memory bus. Implemented by the STM32 chip models; the emulated probe and DP/AP model drive it.
/// </summary>
/// <remarks>
/// Called from one probe's transaction at a time (not thread-safe). All time is modeled: the target reads
/// <see cref="IModeledClock.Now"/> to know whether a flash operation has finished.
/// </remarks>
public interface IEmulatedTarget
{
    /// <summary>Voltage the probe measures on its VCC sense pin, in volts (0 for an unpowered or unwired target).</summary>
    double SenseVoltage { get; }

    /// <summary>SW-DP DPIDR as read at DP address 0x0 (genuine STM32F1: 0x1BA01477).</summary>
    uint DpIdr { get; }

    /// <summary>AHB-AP (AP 0) IDR at AP address 0xFC (genuine STM32F1: 0x14770011).</summary>
    uint ApIdr { get; }

    /// <summary>AHB-AP BASE at AP address 0xF8: ROM table address with the format/present bits (F1: 0xE00FF003).</summary>
    uint ApBase { get; }

    /// <summary>
    /// Whether the SW-DP answers at all right now. False for an unpowered target, RDP level 2, a no-ACK fault, or
    /// firmware that remapped the SWD pins (which still answers while NRST is held low).
    /// </summary>
    bool SwdResponds { get; }

    /// <summary>Drives the NRST line: true holds the chip in reset, false releases it (reset happens on release).</summary>
    void SetResetLine(bool asserted);

    /// <summary>Reads one aligned item from the bus.</summary>
    BusResult Read(uint address, AccessWidth width, out uint value);

    /// <summary>Writes one aligned item to the bus (only the low <paramref name="width"/> bytes of <paramref name="value"/>).</summary>
    BusResult Write(uint address, AccessWidth width, uint value);
}

/// <summary>The emulator's modeled time: advanced by each USB transaction and SWD access the probe model charges.</summary>
/// <remarks>
/// In the default mode nothing sleeps: <see cref="Now"/> jumps forward as costs are charged, so busy flags clear as
/// soon as enough work has been modeled. In real-time mode the probe also waits the modeled time on its
/// <see cref="TimeProvider"/>.
/// </remarks>
public interface IModeledClock
{
    /// <summary>Modeled time since the emulator started.</summary>
    TimeSpan Now { get; }

    /// <summary>Charges <paramref name="cost"/> of modeled time.</summary>
    void Advance(TimeSpan cost);
}
