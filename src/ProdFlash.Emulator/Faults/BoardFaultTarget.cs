using ProdFlash.Emulator.Target;

namespace ProdFlash.Emulator.Faults;

/// <summary>
/// A target seen through a faulty board or wire: no VCC (0 V, no SWD answer), low VCC (1.6 V, still answers),
/// no ACK (good voltage, no answer), SWD pins remapped by the firmware (answers only under reset), firmware that
/// sleeps in a low-power mode (memory accesses answer WAIT unless DBGMCU_CR keeps debug alive or the debugger attached
/// under reset), or a flaky SWD link that answers WAIT at a seeded, repeatable rate.
/// </summary>
/// <remarks>Not thread-safe, like the target it wraps.</remarks>
public sealed class BoardFaultTarget : IEmulatedTarget
{
    /// <summary>DBGMCU_CR on Cortex-M3/M4 families (F1/F2/F3/F4/F7/L1/L4/G4): 0xE0042004 (reference §6).</summary>
    public const uint DbgMcuCrCortexM3M4 = 0xE0042004;

    /// <summary>DBGMCU_CR on Cortex-M0/M0+ families (F0/G0/C0/L0/U0): 0x40015804 (reference §6).</summary>
    public const uint DbgMcuCrCortexM0 = 0x40015804;

    /// <summary>DBGMCU_CR.DBG_STOP: debug clocks kept on in Stop mode (reference §6).</summary>
    public const uint DbgStop = 1u << 1;

    /// <summary>DBGMCU_CR.DBG_STANDBY: debug kept alive in Standby mode (reference §6).</summary>
    public const uint DbgStandby = 1u << 2;

    /// <summary>CPUID address (reference §1 item 5); its PARTNO tells which DBGMCU_CR address the chip has.</summary>
    private const uint CpuIdAddress = 0xE000ED00;

    /// <summary>AIRCR address (ARMv7-M ARM B3.2.6).</summary>
    private const uint AircrAddress = 0xE000ED0C;

    /// <summary>AIRCR.VECTKEY value a write must carry.</summary>
    private const uint AircrVectKey = 0x05FA;

    /// <summary>AIRCR.SYSRESETREQ (b2) and VECTRESET (b0): either restarts the firmware.</summary>
    private const uint AircrResets = (1u << 2) | (1u << 0);

    /// <summary>DHCSR address (ARMv7-M ARM C1.6.2).</summary>
    private const uint DhcsrAddress = 0xE000EDF0;

    /// <summary>DHCSR.S_HALT.</summary>
    private const uint DhcsrSHalt = 1u << 17;

    private readonly IEmulatedTarget _inner;
    private readonly FaultSet _faults;
    private readonly Random _random;
    private bool _inReset;
    private bool _attachedUnderReset;
    private bool _powerLost;
    private uint? _dbgMcuCrAddress;

    /// <summary>Wraps <paramref name="inner"/> with the board faults of <paramref name="faults"/>.</summary>
    /// <param name="inner">The chip.</param>
    /// <param name="faults">The faults; chip-level ones are ignored here.</param>
    /// <param name="seed">Seed of the WAIT generator.</param>
    public BoardFaultTarget(IEmulatedTarget inner, FaultSet faults, int seed = FaultSet.DefaultFlakySeed)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(faults);
        _inner = inner;
        _faults = faults;
        _random = new Random(seed);
    }

    /// <summary>
    /// Whether the board has lost its power (a <c>brownout</c> fault fired): 0 V and no SWD answer from now on. Setting
    /// it tells a chip that models it (<see cref="Chips.IPowerLossAware"/>) to stop its flash operation half done.
    /// </summary>
    /// <remarks>It clears only when the slot is built again without the fault (a new emulator slot is a new power-up).</remarks>
    public bool PowerLost
    {
        get => _powerLost;
        set
        {
            if (value && !_powerLost && _inner is Chips.IPowerLossAware chip)
            {
                chip.PowerLost();
            }

            _powerLost = value;
        }
    }

    /// <summary>The wrapped chip.</summary>
    public IEmulatedTarget Inner => _inner;

    /// <inheritdoc />
    public double SenseVoltage => _faults.NoVcc || PowerLost ? 0.0 : _faults.LowVcc ? FaultSet.LowVccVolts : _inner.SenseVoltage;

    /// <inheritdoc />
    public uint DpIdr => _inner.DpIdr;

    /// <inheritdoc />
    public uint ApIdr => _inner.ApIdr;

    /// <inheritdoc />
    public uint ApBase => _inner.ApBase;

    /// <inheritdoc />
    public bool SwdResponds
    {
        get
        {
            if (_faults.NoVcc || PowerLost || _faults.NoAck || !_inner.SwdResponds)
            {
                return false;
            }

            // While NRST is low the pins are still SWD and the core does not run; a debugger that talks now is taken to
            // halt the core (e.g. DEMCR.VC_CORERESET), so neither remapping nor sleeping firmware runs again until the
            // next reset without it.
            if (_inReset)
            {
                _attachedUnderReset = true;
            }

            return !_faults.SwdRemapped || _attachedUnderReset;
        }
    }

    /// <summary>
    /// Whether the core is asleep in the <c>low-power</c> fault's mode now: the firmware runs (NRST released, no debugger
    /// attached under reset since the last reset).
    /// </summary>
    public bool Asleep => _faults.LowPower is not null && !_inReset && !_attachedUnderReset;

    /// <inheritdoc />
    public void SetResetLine(bool asserted)
    {
        if (asserted && !_inReset)
        {
            _attachedUnderReset = false;
        }

        var released = _inReset && !asserted;
        _inReset = asserted;
        _inner.SetResetLine(asserted);
        if (released)
        {
            FirmwareMayRun();
        }
    }

    /// <inheritdoc />
    public BusResult Read(uint address, AccessWidth width, out uint value)
    {
        if (Flaky() || LowPowerStalls())
        {
            value = 0;
            return BusResult.Wait;
        }

        return _inner.Read(address, width, out value);
    }

    /// <inheritdoc />
    public BusResult Write(uint address, AccessWidth width, uint value)
    {
        if (Flaky() || LowPowerStalls())
        {
            return BusResult.Wait;
        }

        var result = _inner.Write(address, width, value);
        if (address == AircrAddress && width == AccessWidth.Word && value >> 16 == AircrVectKey && (value & AircrResets) != 0)
        {
            FirmwareMayRun(); // a reset requested through AIRCR starts the firmware again unless the core halts on it
        }

        return result;
    }

    /// <summary>
    /// After a reset ends (NRST released, or a reset requested through AIRCR), the firmware starts again — and remaps
    /// the pins or sleeps — unless the debugger made the core halt on the reset vector (DEMCR.VC_CORERESET): the
    /// attachment survives only with the core halted (DHCSR.S_HALT). A target without a readable DHCSR is taken to be
    /// held.
    /// </summary>
    private void FirmwareMayRun()
    {
        if (_attachedUnderReset && _inner.Read(DhcsrAddress, AccessWidth.Word, out var dhcsr) == BusResult.Ok && (dhcsr & DhcsrSHalt) == 0)
        {
            _attachedUnderReset = false;
        }
    }

    /// <summary>Whether the sleeping core's bus answers WAIT: asleep, and DBGMCU_CR lacks the mode's debug bit.</summary>
    private bool LowPowerStalls()
    {
        if (!Asleep)
        {
            return false;
        }

        var keepAlive = _faults.LowPower == LowPowerMode.Standby ? DbgStandby : DbgStop;
        return _inner.Read(DbgMcuCrAddress(), AccessWidth.Word, out var dbgMcuCr) != BusResult.Ok || (dbgMcuCr & keepAlive) == 0;
    }

    /// <summary>DBGMCU_CR of the wrapped chip, chosen by its CPUID PARTNO: Cortex-M0/M0+ (0xC20/0xC60) or the rest.</summary>
    private uint DbgMcuCrAddress()
    {
        if (_dbgMcuCrAddress is null)
        {
            _inner.Read(CpuIdAddress, AccessWidth.Word, out var cpuId);
            var partNo = (cpuId >> 4) & 0xFFF;
            _dbgMcuCrAddress = partNo is 0xC20 or 0xC60 ? DbgMcuCrCortexM0 : DbgMcuCrCortexM3M4;
        }

        return _dbgMcuCrAddress.Value;
    }

    // Seeded generator (CA5394 does not apply: this is fault injection, not security).
#pragma warning disable CA5394
    private bool Flaky() => _faults.FlakyWaitRate > 0 && _random.NextDouble() < _faults.FlakyWaitRate;
#pragma warning restore CA5394
}
