using ProdFlash.Emulator.Target;

namespace ProdFlash.Emulator.Faults;

/// <summary>
/// A target seen through a faulty board or wire: no VCC (0 V, no SWD answer), low VCC (1.6 V, still answers),
/// no ACK (good voltage, no answer), SWD pins remapped by the firmware (answers only under reset), or a flaky SWD
/// link that answers WAIT at a seeded, repeatable rate.
/// </summary>
/// <remarks>Not thread-safe, like the target it wraps.</remarks>
public sealed class BoardFaultTarget : IEmulatedTarget
{
    private readonly IEmulatedTarget _inner;
    private readonly FaultSet _faults;
    private readonly Random _random;
    private bool _inReset;
    private bool _attachedUnderReset;

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

    /// <summary>Whether the board has lost its power (a <c>brownout</c> fault fired): 0 V and no SWD answer from now on.</summary>
    public bool PowerLost { get; set; }

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

            if (!_faults.SwdRemapped || _attachedUnderReset)
            {
                return true;
            }

            // While NRST is low the pins are still SWD; a debugger that talks now is taken to halt the core
            // (e.g. DEMCR.VC_CORERESET), so the remapping firmware never runs again until the next reset without it.
            _attachedUnderReset = _inReset;
            return _inReset;
        }
    }

    /// <inheritdoc />
    public void SetResetLine(bool asserted)
    {
        if (asserted && !_inReset)
        {
            _attachedUnderReset = false;
        }

        _inReset = asserted;
        _inner.SetResetLine(asserted);
    }

    /// <inheritdoc />
    public BusResult Read(uint address, AccessWidth width, out uint value)
    {
        if (Flaky())
        {
            value = 0;
            return BusResult.Wait;
        }

        return _inner.Read(address, width, out value);
    }

    /// <inheritdoc />
    public BusResult Write(uint address, AccessWidth width, uint value) =>
        Flaky() ? BusResult.Wait : _inner.Write(address, width, value);

    // Seeded generator (CA5394 does not apply: this is fault injection, not security).
#pragma warning disable CA5394
    private bool Flaky() => _faults.FlakyWaitRate > 0 && _random.NextDouble() < _faults.FlakyWaitRate;
#pragma warning restore CA5394
}
