using ProdFlash.Core.Devices;
using ProdFlash.Emulator.Target;

namespace ProdFlash.Emulator.Chips;

/// <summary>
/// What the F0, F4 and G0/L4 flash interfaces share: BSY for the modeled time, the program/erase counters, the
/// operation in flight (so a power loss leaves it half done), key sequences, and the catalog's register map.
/// </summary>
/// <remarks>Not thread-safe; owned by one chip model.</remarks>
public abstract class Stm32FlashControllerBase : IStm32FlashController
{
    private readonly IModeledClock _clock;
    private TimeSpan _busyUntil;
    private bool _pending;
    private (int Offset, byte[] Before, byte[] After)? _inFlight;

    /// <summary>Creates the controller over the main array.</summary>
    protected Stm32FlashControllerBase(Stm32ChipSpec spec, IModeledClock clock, NorFlashArray main, ChipFaults faults)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(main);
        ArgumentNullException.ThrowIfNull(faults);
        Spec = spec;
        _clock = clock;
        Main = main;
        Faults = faults;
        Map = spec.Family.FlashController;
    }

    /// <summary>The part.</summary>
    protected Stm32ChipSpec Spec { get; }

    /// <summary>The times an operation started now costs (F4: at the parallelism CR.PSIZE selects).</summary>
    protected virtual FamilyFlashTimes CurrentTimings => Spec.Timings;

    /// <summary>The main flash array.</summary>
    protected NorFlashArray Main { get; }

    /// <summary>The chip faults.</summary>
    protected ChipFaults Faults { get; }

    /// <summary>The catalog's register map of the family.</summary>
    protected FlashControllerMap Map { get; }

    /// <summary>Modeled time now.</summary>
    protected TimeSpan Now => _clock.Now;

    /// <summary>Modeled time at which the current (or last) operation ends.</summary>
    public TimeSpan BusyUntil => _busyUntil;

    /// <inheritdoc />
    public virtual uint RegisterWindowSize => 0x400;

    /// <inheritdoc />
    public bool IsBusy
    {
        get
        {
            Settle();
            return _pending;
        }
    }

    /// <inheritdoc />
    public abstract bool MainFlashReadable { get; }

    /// <inheritdoc />
    public abstract bool DebugPortClosed { get; }

    /// <inheritdoc />
    public long BytesProgrammed { get; private set; }

    /// <inheritdoc />
    public long BytesErased { get; private set; }

    /// <inheritdoc />
    public int FirstProgrammedOffset { get; private set; } = -1;

    /// <inheritdoc />
    public abstract int OptionAreaSize { get; }

    /// <summary>Whether an operation is still running (after settling).</summary>
    protected bool Pending => _pending;

    /// <inheritdoc />
    public abstract uint ReadRegister(uint offset);

    /// <inheritdoc />
    public abstract BusResult WriteRegister(uint offset, uint value);

    /// <inheritdoc />
    public abstract BusResult WriteMain(int offset, AccessWidth width, uint value);

    /// <inheritdoc />
    public abstract uint ReadOptionArea(int offset, int size);

    /// <inheritdoc />
    public virtual BusResult WriteOptionArea(int offset, AccessWidth width, uint value) => BusResult.Ok;

    /// <inheritdoc />
    public virtual void Reset()
    {
        _pending = false;
        _inFlight = null;
        _busyUntil = _clock.Now;
    }

    /// <inheritdoc />
    public void PowerLost()
    {
        Settle();
        if (_pending && _inFlight is { } op)
        {
            // Half the cells had switched when the supply collapsed: every other bit of the change took effect.
            for (var i = 0; i < op.Before.Length; i++)
            {
                var changed = (byte)(op.Before[i] ^ op.After[i]);
                var done = (byte)(changed & 0x55);
                var value = (byte)(op.Before[i] ^ done);
                Main.Erase(op.Offset + i, 1);
                Main.Program(op.Offset + i, [value]);
            }
        }

        _pending = false;
        _inFlight = null;
    }

    /// <summary>Field <paramref name="field"/> of register <paramref name="register"/> from the catalog.</summary>
    protected BitField Bit(string register, string field) => Map.Bit(register, field);

    /// <summary>Offset of <paramref name="register"/> from the catalog, or <see cref="uint.MaxValue"/> when the family has none.</summary>
    protected uint OffsetOf(string register) => Map.HasRegister(register) ? Map.Offset(register) : uint.MaxValue;

    /// <summary>Ends the operation if its modeled time has passed, calling <see cref="OnOperationEnd"/>.</summary>
    protected void Settle()
    {
        if (_pending && _clock.Now >= _busyUntil)
        {
            _pending = false;
            _inFlight = null;
            OnOperationEnd();
        }
    }

    /// <summary>Called once when an operation's modeled time has passed (set EOP, apply option bytes...).</summary>
    protected abstract void OnOperationEnd();

    /// <summary>Starts (or extends) BSY for <paramref name="duration"/>.</summary>
    protected void StartBusy(TimeSpan duration)
    {
        var start = _pending ? _busyUntil : _clock.Now;
        _busyUntil = start + duration;
        _pending = true;
    }

    /// <summary>Programs <paramref name="data"/> at <paramref name="offset"/> (AND into the cells), counts it and starts BSY.</summary>
    protected void Program(int offset, ReadOnlySpan<byte> data)
    {
        var before = Main.Contents.Slice(offset, data.Length).ToArray();
        Main.Program(offset, data);
        _inFlight = (offset, before, Main.Contents.Slice(offset, data.Length).ToArray());
        BytesProgrammed += data.Length;
        if (FirstProgrammedOffset < 0)
        {
            FirstProgrammedOffset = offset;
        }

        StartBusy(CurrentTimings.Program.Time);
    }

    /// <summary>Erases a unit (or a bank's range), counts it and starts BSY for <paramref name="duration"/>.</summary>
    protected void Erase(int offset, int length, TimeSpan duration)
    {
        var before = Main.Contents.Slice(offset, length).ToArray();
        Main.Erase(offset, length);
        _inFlight = (offset, before, Main.Contents.Slice(offset, length).ToArray());
        BytesErased += length;
        StartBusy(duration);
    }

    /// <summary>Range of bank <paramref name="bank"/> in the main flash.</summary>
    protected (int Offset, int Length) BankRange(int bank)
    {
        var units = Spec.Units.Where(u => u.Bank == bank).ToList();
        return units.Count == 0 ? (0, 0) : (units[0].Offset, units.Sum(u => u.Size));
    }
}

/// <summary>A two-key unlock sequence (KEYR or OPTKEYR): a wrong key faults the bus and blocks the register until reset.</summary>
/// <param name="key1">First key.</param>
/// <param name="key2">Second key.</param>
internal sealed class KeySequence(uint key1, uint key2)
{
    private int _stage;

    /// <summary>Whether a wrong sequence locked the register until the next reset.</summary>
    public bool LockedUntilReset { get; private set; }

    /// <summary>Feeds one key; returns whether the sequence completed, or null on a wrong key (bus fault).</summary>
    public bool? Write(uint value)
    {
        if (LockedUntilReset)
        {
            return null;
        }

        if (_stage == 0 && value == key1)
        {
            _stage = 1;
            return false;
        }

        if (_stage == 1 && value == key2)
        {
            _stage = 0;
            return true;
        }

        // RM0008 §3.3.1 / RM0090 §3.5.1 / RM0351 §3.3.5: a wrong sequence returns a bus error and locks until reset.
        _stage = 0;
        LockedUntilReset = true;
        return null;
    }

    /// <summary>Forgets the stage and the lock (system reset).</summary>
    public void Reset()
    {
        _stage = 0;
        LockedUntilReset = false;
    }
}
