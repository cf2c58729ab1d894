using System.Globalization;
using ProdFlash.Core.Devices;
using ProdFlash.Core.Targets;

namespace ProdFlash.Programming.Flash;

/// <summary>What a flash driver spent waiting on the controller, for the attempt's time ledger.</summary>
/// <param name="BusyPolls">Status-register reads made while waiting for BSY to clear.</param>
/// <param name="BusyWait">Time spent in those waits, on the driver's <see cref="TimeProvider"/>.</param>
public readonly record struct FlashDriverStatistics(long BusyPolls, TimeSpan BusyWait);

/// <summary>A flash driver that counts its busy waits (every driver <see cref="FlashDrivers.Create"/> returns is one).</summary>
public interface IFlashDriverStatistics
{
    /// <summary>Busy-wait counters since the driver was created.</summary>
    FlashDriverStatistics Statistics { get; }
}

/// <summary>
/// What every family driver shares: register access by catalog name, BSY waits bounded by the catalog's maximum
/// times, padding to the programming unit, and option-byte permission rules.
/// </summary>
/// <remarks>Not thread-safe; one runner owns it for one attempt.</remarks>
internal abstract partial class FlashDriverBase : IFlashDriver, IFlashDriverStatistics
{
    /// <summary>Byte an erased flash cell reads (NOR flash erases to all ones).</summary>
    public const byte ErasedByte = 0xFF;

    /// <summary>
    /// An RDP byte meaning level 1 on every family covered (anything but the level-0 and level-2 values is level 1,
    /// reference §4.1); OpenOCD's stm32l4x.c writes this value (RDP_LEVEL_1 = 0xBB) to raise protection.
    /// </summary>
    public const byte RdpLevel1Byte = 0xBB;

    /// <summary>
    /// Fallback bound for one programming unit when the catalog gives no maximum: OpenOCD stm32f1x.c
    /// FLASH_WRITE_TIMEOUT (10 ms), the longest of the OpenOCD STM32 drivers.
    /// </summary>
    protected static readonly TimeSpan ProgramFallback = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Fallback bound for one page/sector erase when the catalog gives no maximum: OpenOCD stm32f2x.c
    /// FLASH_ERASE_TIMEOUT (10 s, "erase time can be as high as 1000ms, 10x this and it's toast").
    /// </summary>
    protected static readonly TimeSpan UnitEraseFallback = TimeSpan.FromSeconds(10);

    /// <summary>Fallback bound for a mass erase: OpenOCD stm32f2x.c FLASH_MASS_ERASE_TIMEOUT (33 s; "as high as 32 s in x8 mode").</summary>
    protected static readonly TimeSpan MassEraseFallback = TimeSpan.FromSeconds(33);

    /// <summary>Every bound is the datasheet maximum times this factor plus <see cref="MarginFixed"/>.</summary>
    private const double MarginFactor = 1.5;

    /// <summary>Added to every bound: a USB round trip or two and host scheduling.</summary>
    private static readonly TimeSpan MarginFixed = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// No probe round trip is shorter than this (a USB 2.0 high-speed microframe is 125 µs); it turns a time bound into
    /// a poll-count bound, so a wait also ends on a virtual clock that does not move.
    /// </summary>
    private static readonly TimeSpan MinimumPollInterval = TimeSpan.FromMicroseconds(10);

    private readonly TimeProvider _time;
    private long _busyPolls;
    private TimeSpan _busyWait;

    protected FlashDriverBase(DevicePart part, ITargetMemory memory, TimeProvider time, FlashDriverOptions options)
    {
        Part = part;
        Memory = memory;
        _time = time;
        Options = options;
        Map = part.Family.FlashController;
        Layout = part.Family.OptionBytes;
        UnitBytes = part.Family.ProgrammingUnit.Bytes;
    }

    /// <inheritdoc/>
    public DevicePart Part { get; }

    /// <inheritdoc/>
    public FlashDriverStatistics Statistics => new(_busyPolls, _busyWait);

    protected ITargetMemory Memory { get; }

    protected FlashDriverOptions Options { get; }

    protected FlashControllerMap Map { get; }

    protected OptionByteLayout Layout { get; }

    /// <summary>The part's flash times at this attempt's parallelism (<see cref="UnitBytes"/>; F4 PSIZE columns where the catalog has them).</summary>
    protected FlashTimings Timings => Part.Timings.At(UnitBytes);

    /// <summary>The programming unit in bytes for this attempt.</summary>
    protected int UnitBytes { get; set; }

    /// <inheritdoc/>
    public abstract ValueTask UnlockAsync(CancellationToken cancellationToken);

    /// <inheritdoc/>
    public abstract ValueTask LockAsync(CancellationToken cancellationToken);

    /// <inheritdoc/>
    public abstract ValueTask EraseAsync(IReadOnlyList<EraseUnit> units, IProgress<FlashProgress>? progress, CancellationToken cancellationToken);

    /// <inheritdoc/>
    public abstract ValueTask MassEraseAsync(IProgress<FlashProgress>? progress, CancellationToken cancellationToken);

    /// <inheritdoc/>
    public abstract ValueTask ProgramAsync(uint address, ReadOnlyMemory<byte> data, IProgress<FlashProgress>? progress, CancellationToken cancellationToken);

    /// <inheritdoc/>
    public abstract ValueTask<OptionByteState> ReadOptionBytesAsync(CancellationToken cancellationToken);

    /// <inheritdoc/>
    public abstract ValueTask<OptionByteState> WriteOptionBytesAsync(OptionByteChange change, CancellationToken cancellationToken);

    protected static string Hex(uint value) => "0x" + value.ToString("X8", CultureInfo.InvariantCulture);

    /// <summary>The bound for <paramref name="count"/> operations of <paramref name="range"/> (its maximum, else the fallback), with margin.</summary>
    protected static TimeSpan Bound(TimingRange range, TimeSpan fallback, long count = 1) =>
        ((range.Maximum ?? fallback) * (count * MarginFactor)) + MarginFixed;

    protected uint RegisterAddress(string register, int bank = 1) => Map.AddressForBank(register, bank);

    protected ValueTask<uint> ReadRegisterAsync(string register, CancellationToken cancellationToken, int bank = 1) =>
        Memory.ReadUInt32Async(RegisterAddress(register, bank), cancellationToken);

    protected ValueTask WriteRegisterAsync(string register, uint value, CancellationToken cancellationToken, int bank = 1) =>
        Memory.WriteUInt32Async(RegisterAddress(register, bank), value, cancellationToken);

    protected uint Mask(string register, string field) => Map.Bit(register, field).Mask;

    /// <summary>Sum of the masks of the named fields of <paramref name="register"/> that the family describes.</summary>
    protected uint MaskOfPresent(string register, params string[] fields)
    {
        uint mask = 0;
        foreach (var field in fields)
        {
            if (Map.TryGetBit(register, field, out var bit))
            {
                mask |= bit.Mask;
            }
        }

        return mask;
    }

    /// <summary>
    /// Polls the status register until BSY clears, bounded by <paramref name="bound"/> on the time provider and by a
    /// poll count derived from it (so a virtual clock cannot hang the wait).
    /// </summary>
    /// <returns>The last status register value read (BSY clear).</returns>
    protected async ValueTask<uint> WaitWhileBusyAsync(
        int bank,
        TimeSpan bound,
        FlashFailureKind kind,
        uint? address,
        string operation,
        CancellationToken cancellationToken)
    {
        var bsy = Map.Bit(FlashRegisterNames.Sr, "BSY");
        var start = _time.GetTimestamp();
        var maxPolls = Math.Max(2, (long)(bound / MinimumPollInterval));
        for (long polls = 1; ; polls++)
        {
            // The time is taken before the read: a read that still shows BSY then proves the chip was busy for at least
            // that long. Taken after it, a host that stalls between the two (a loaded machine, a GC pause) would blame
            // the chip for the host's delay.
            var elapsed = _time.GetElapsedTime(start);
            var sr = await ReadRegisterAsync(FlashRegisterNames.Sr, cancellationToken, bank).ConfigureAwait(false);
            _busyPolls++;
            if (!bsy.IsSet(sr))
            {
                _busyWait += elapsed;
                return sr;
            }

            if (elapsed > bound || polls >= maxPolls)
            {
                _busyWait += elapsed;
                var where = address is { } a ? $" at {Hex(a)}" : string.Empty;
                throw new FlashOperationException(
                    kind,
                    $"The flash controller stayed busy {operation}{where}: SR={Hex(sr)} after {elapsed.TotalMilliseconds:0.#} ms and {polls} polls, " +
                    $"longer than the {bound.TotalMilliseconds:0.#} ms the datasheet maximum allows with margin. Power-cycle the board and retry; if it repeats, the chip's flash is damaged.",
                    address,
                    new Dictionary<string, uint> { [FlashRegisterNames.Sr] = sr });
            }
        }
    }

    /// <summary>
    /// The data widened to whole programming units: start aligned down, end aligned up, the padding 0xFF.
    /// </summary>
    protected (uint Start, ReadOnlyMemory<byte> Data) PadToUnits(uint address, ReadOnlyMemory<byte> data)
    {
        var unit = (uint)UnitBytes;
        var start = address / unit * unit;
        var end = ((ulong)address + (ulong)data.Length + unit - 1) / unit * unit;
        if (start == address && end == (ulong)address + (ulong)data.Length)
        {
            return (start, data);
        }

        var padded = new byte[(int)(end - start)];
        Array.Fill(padded, ErasedByte);
        data.Span.CopyTo(padded.AsSpan((int)(address - start)));
        return (start, padded);
    }

    /// <summary>Checks that [<paramref name="address"/>, +<paramref name="length"/>) lies in the part's main flash.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Some of it does not.</exception>
    protected void RequireInFlash(uint address, long length)
    {
        if (length == 0)
        {
            return;
        }

        var last = (ulong)address + (ulong)length - 1;
        if (last > uint.MaxValue || Part.Layout.UnitAt(address) is null || Part.Layout.UnitAt((uint)last) is null)
        {
            throw new ArgumentOutOfRangeException(
                nameof(address),
                $"{length} bytes at {Hex(address)} do not lie in the main flash of {Part.PartNumber} ({Hex(Part.Layout.Start)}..{Hex((uint)(Part.Layout.End - 1))}); check the image's addresses.");
        }
    }

    /// <summary>
    /// Splits [start, start+length) into runs inside one bank each, then into blocks of at most
    /// <paramref name="blockBytes"/> bytes (multiples of the programming unit).
    /// </summary>
    protected IEnumerable<(uint Address, int Offset, int Length, int Bank)> Blocks(uint start, int length, int blockBytes)
    {
        var unit = UnitBytes;
        var block = Math.Max(unit, blockBytes / unit * unit);
        var offset = 0;
        while (offset < length)
        {
            var address = start + (uint)offset;
            var region = Part.Layout.Regions.First(r => address >= r.Base && address < r.End);
            var inRegion = (int)Math.Min((ulong)(length - offset), region.End - address);
            var size = Math.Min(block, inRegion);
            yield return (address, offset, size, region.Bank);
            offset += size;
        }
    }

    /// <summary>
    /// The first address in [<paramref name="address"/>, +<paramref name="expected"/>.Length) whose flash content differs
    /// from <paramref name="expected"/>, or null when all match (read back in words).
    /// </summary>
    /// <summary>
    /// When <paramref name="sr"/> carries one of <paramref name="errorMask"/>'s flags: clears the flags
    /// (<paramref name="clearMask"/>, write-1-to-clear) and CR, reports a write-protection flag (WRPERR) as
    /// protection, else throws <paramref name="kind"/> at the first byte that differs from
    /// <paramref name="expected"/> (or <paramref name="address"/>), with <paramref name="describe"/>'s sentence.
    /// </summary>
    /// <param name="sr">The status register value read after the operation.</param>
    /// <param name="errorMask">The family's error flags in SR.</param>
    /// <param name="clearMask">The flags to clear (errors and EOP).</param>
    /// <param name="kind">The failure to report.</param>
    /// <param name="address">Start of the range operated on.</param>
    /// <param name="length">Length of the range operated on.</param>
    /// <param name="operation">What was done, for the message ("programming", "erasing").</param>
    /// <param name="expected">The data that should now be in flash, to find the first differing byte; null for an erase.</param>
    /// <param name="describe">Makes the message from (SR, operation, failing address).</param>
    /// <param name="cancellationToken">Cancels the register accesses.</param>
    protected async ValueTask ThrowOnStatusErrorAsync(
        uint sr,
        uint errorMask,
        uint clearMask,
        FlashFailureKind kind,
        uint address,
        uint length,
        string operation,
        ReadOnlyMemory<byte>? expected,
        Func<uint, string, uint, string> describe,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(describe);
        if ((sr & errorMask) == 0)
        {
            return;
        }

        await WriteRegisterAsync(FlashRegisterNames.Sr, clearMask, cancellationToken).ConfigureAwait(false);
        await WriteRegisterAsync(FlashRegisterNames.Cr, 0, cancellationToken).ConfigureAwait(false);
        if ((sr & MaskOfPresent(FlashRegisterNames.Sr, "WRPERR")) != 0)
        {
            await ThrowProtectedAsync(sr, address, length, operation, cancellationToken).ConfigureAwait(false);
        }

        var at = expected is { } data ? await FirstMismatchAsync(address, data, cancellationToken).ConfigureAwait(false) ?? address : address;
        throw new FlashOperationException(kind, describe(sr, operation, at), at, new Dictionary<string, uint> { [FlashRegisterNames.Sr] = sr });
    }

    protected async ValueTask<uint?> FirstMismatchAsync(uint address, ReadOnlyMemory<byte> expected, CancellationToken cancellationToken)
    {
        var actual = new byte[expected.Length];
        await Memory.ReadAsync(address, actual, AccessWidth.Word, cancellationToken).ConfigureAwait(false);
        var span = expected.Span;
        for (var i = 0; i < actual.Length; i++)
        {
            if (actual[i] != span[i])
            {
                var unitStart = i / UnitBytes * UnitBytes;
                return address + (uint)unitStart;
            }
        }

        return null;
    }

    /// <summary>
    /// The option-byte rules every family shares: RDP 2 is permanent; RDP 1 → 0 only with permission; no level 2 where
    /// the family has none; no removal of write protection without permission.
    /// </summary>
    /// <returns>The RDP level to program.</returns>
    protected RdpLevel ResolveChange(OptionByteState current, OptionByteChange change, IReadOnlySet<int> targetProtected)
    {
        if (current.Rdp == RdpLevel.Level2)
        {
            throw new FlashOperationException(
                FlashFailureKind.ReadoutProtectedPermanently,
                $"{Part.PartNumber} is at readout protection level 2, which is permanent: its option bytes and flash can never be changed again. Set the board aside.",
                Layout.Address,
                current.RawRegisters);
        }

        var target = change.Rdp ?? current.Rdp;
        if (target == RdpLevel.Level2 && Layout.Rdp.Level2 is null)
        {
            throw new ArgumentException($"{Part.Family.Name} has no readout protection level 2; ask for level 0 or 1.", nameof(change));
        }

        if (current.Rdp == RdpLevel.Level1 && target == RdpLevel.Level0 && !change.AllowRdpRegression)
        {
            throw new FlashOperationException(
                FlashFailureKind.ReadoutProtected,
                $"{Part.PartNumber} is readout protected (level 1); going back to level 0 mass-erases the flash and needs explicit permission (recipe optionBytes.allowRdpRegression, CLI --allow-mass-erase).",
                Layout.Address,
                current.RawRegisters);
        }

        var removed = current.WriteProtectedUnits.Where(u => !targetProtected.Contains(u)).ToList();
        if (removed.Count > 0 && !change.AllowWriteProtectionRemoval)
        {
            var unit = Part.Layout.Units.First(u => u.Index == removed[0]);
            throw new FlashOperationException(
                FlashFailureKind.WriteProtected,
                $"The change would remove write protection from {removed.Count} page(s)/sector(s) of {Part.PartNumber}, starting with number {removed[0]} at {Hex(unit.Address)}; that needs explicit permission (recipe optionBytes.allowWriteProtectionRemoval, CLI --allow-wrp-removal).",
                unit.Address,
                current.RawRegisters);
        }

        return target;
    }

    /// <summary>
    /// The state after RDP level 2 was programmed: the debug port closes as the new level loads (reference §4.1), so
    /// nothing can be read back; this is what was written, with the registers as written.
    /// </summary>
    protected OptionByteState WrittenLevel2(uint statusValue, IReadOnlySet<int> targetProtected, IReadOnlyDictionary<string, uint> writtenRegisters) =>
        new(RdpLevel.Level2, Layout.Rdp.Level2, DecodeFields(statusValue), [.. targetProtected.Order()], writtenRegisters);

    /// <summary>Compares the option bytes read back after a write with what was asked; throws on a mismatch.</summary>
    protected void CompareReadBack(OptionByteState after, RdpLevel targetRdp, OptionByteChange change, IReadOnlySet<int> targetProtected)
    {
        var problems = new List<string>();
        if (after.Rdp != targetRdp)
        {
            problems.Add($"RDP reads level {(int)after.Rdp}, expected {(int)targetRdp}");
        }

        foreach (var (name, value) in change.Fields ?? new Dictionary<string, uint>())
        {
            if (!after.Fields.TryGetValue(name, out var actual) || actual != value)
            {
                problems.Add($"{name} reads {(after.Fields.TryGetValue(name, out var a) ? a.ToString(CultureInfo.InvariantCulture) : "nothing")}, expected {value}");
            }
        }

        if (!after.WriteProtectedUnits.ToHashSet().SetEquals(targetProtected))
        {
            problems.Add($"write protection covers [{string.Join(",", after.WriteProtectedUnits)}], expected [{string.Join(",", targetProtected.Order())}]");
        }

        if (problems.Count > 0)
        {
            throw new FlashOperationException(
                FlashFailureKind.OptionBytesWriteFailed,
                $"The option bytes of {Part.PartNumber} did not read back as written: {string.Join("; ", problems)}. Retry once; if it repeats, the option-byte area is worn or the chip is not what it claims to be.",
                Layout.Address,
                after.RawRegisters);
        }
    }

    /// <summary>Whether a layout field is an option the user reads (not RDP, not a control bit like OPTLOCK/OPTSTRT, not write protection).</summary>
    protected virtual bool IsDecodedField(string name) => name != Layout.Rdp.StatusField && name != Layout.Rdp.ByteField;

    /// <summary>Whether a decoded field may be set through <see cref="OptionByteChange.Fields"/> (status bits such as OPTERR may not).</summary>
    protected virtual bool IsWritableField(string name) => IsDecodedField(name);

    /// <summary>Checks that every named field exists in the layout, may be written and fits its width.</summary>
    protected void RequireKnownFields(OptionByteChange change)
    {
        foreach (var (name, value) in change.Fields ?? new Dictionary<string, uint>())
        {
            if (!Layout.Fields.TryGetValue(name, out var field) || !IsWritableField(name))
            {
                var known = Layout.Fields.Keys.Where(IsWritableField);
                throw new ArgumentException($"{Part.Family.Name} has no writable option field '{name}'; the fields are {string.Join(", ", known)} (RDP is set by level, write protection by page/sector list).", nameof(change));
            }

            if (field.Width < 32 && value >> field.Width != 0)
            {
                throw new ArgumentException($"Option field {name} is {field.Width} bit(s) wide; {value} does not fit.", nameof(change));
            }
        }
    }

    /// <summary>
    /// Throws for a write-protection error flag: <see cref="FlashFailureKind.ReadoutProtected"/> when RDP is active,
    /// else <see cref="FlashFailureKind.WriteProtected"/> at the first protected unit in the range.
    /// </summary>
    protected async ValueTask ThrowProtectedAsync(uint sr, uint rangeStart, uint rangeLength, string operation, CancellationToken cancellationToken)
    {
        var state = await ReadOptionBytesAsync(cancellationToken).ConfigureAwait(false);
        var registers = new Dictionary<string, uint>(state.RawRegisters) { [FlashRegisterNames.Sr] = sr };
        if (state.Rdp != RdpLevel.Level0)
        {
            throw new FlashOperationException(
                FlashFailureKind.ReadoutProtected,
                $"{Part.PartNumber} refused {operation} at {Hex(rangeStart)} because it is readout protected (level {(int)state.Rdp}). Allow RDP regression (mass erase) in the recipe to program it.",
                rangeStart,
                registers);
        }

        var rangeEnd = (ulong)rangeStart + rangeLength;
        var protectedUnit = Part.Layout.Units.FirstOrDefault(u => state.WriteProtectedUnits.Contains(u.Index) && u.End > rangeStart && u.Address < rangeEnd);
        var at = protectedUnit.Size != 0 ? Math.Max(protectedUnit.Address, rangeStart) : rangeStart;
        throw new FlashOperationException(
            FlashFailureKind.WriteProtected,
            $"{Part.PartNumber} refused {operation} at {Hex(at)}: the page or sector is write protected (SR={Hex(sr)}). Remove the protection with permission (recipe optionBytes.allowWriteProtectionRemoval) or keep the image out of it.",
            at,
            registers);
    }

    /// <summary>
    /// Sets CR.OBL_LAUNCH: the chip reloads its option bytes and resets; the probe may report that write as failed
    /// (reference §4.1; OpenOCD stm32l4x.c perform_obl_launch ignores the error). Then halts the core again when the
    /// driver has core control.
    /// </summary>
    protected async ValueTask LaunchOptionLoadAsync(CancellationToken cancellationToken)
    {
        try
        {
            await WriteRegisterAsync(FlashRegisterNames.Cr, Mask(FlashRegisterNames.Cr, "OBL_LAUNCH"), cancellationToken).ConfigureAwait(false);
        }
        catch (TargetException)
        {
            // The reset cut the access short; the read-back that follows shows whether the new option bytes loaded.
        }

        if (Options.Core is { } core)
        {
            await core.HaltAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Unlocks CR with the KEYR sequence when CR.LOCK is set; faults or a LOCK still set are UnlockFailed.</summary>
    protected async ValueTask UnlockControlAsync(int bank, CancellationToken cancellationToken)
    {
        var lockBit = Mask(FlashRegisterNames.Cr, "LOCK");
        var cr = await ReadRegisterAsync(FlashRegisterNames.Cr, cancellationToken, bank).ConfigureAwait(false);
        if ((cr & lockBit) == 0)
        {
            return; // keys written while unlocked are ignored or fault (reference §3.2: OpenOCD reads LOCK first)
        }

        await WriteKeysAsync(FlashRegisterNames.Keyr, Map.Key1, Map.Key2, bank, cr, cancellationToken).ConfigureAwait(false);
        cr = await ReadRegisterAsync(FlashRegisterNames.Cr, cancellationToken, bank).ConfigureAwait(false);
        if ((cr & lockBit) != 0)
        {
            throw new FlashOperationException(
                FlashFailureKind.UnlockFailed,
                $"The flash controller of {Part.PartNumber} (bank {bank}) stayed locked after the KEYR sequence: CR={Hex(cr)}. Reset the board and retry; a clone may use other keys.",
                RegisterAddress(FlashRegisterNames.Cr, bank),
                new Dictionary<string, uint> { [FlashRegisterNames.Cr] = cr });
        }
    }

    /// <summary>Writes a two-key unlock sequence; a bus fault (wrong sequence earlier: locked until reset) is UnlockFailed.</summary>
    protected async ValueTask WriteKeysAsync(string register, uint key1, uint key2, int bank, uint cr, CancellationToken cancellationToken)
    {
        try
        {
            await WriteRegisterAsync(register, key1, cancellationToken, bank).ConfigureAwait(false);
            await WriteRegisterAsync(register, key2, cancellationToken, bank).ConfigureAwait(false);
        }
        catch (TargetMemoryFaultException error)
        {
            throw new FlashOperationException(
                FlashFailureKind.UnlockFailed,
                $"Writing the {register} keys of {Part.PartNumber} faulted: the controller stays locked until the next reset (a wrong key was written before). Reset the board and retry.",
                RegisterAddress(register, bank),
                new Dictionary<string, uint> { [FlashRegisterNames.Cr] = cr },
                error);
        }
    }

    /// <summary>The user fields of a status-register value: every layout field but the RDP ones.</summary>
    protected Dictionary<string, uint> DecodeFields(uint statusRegister)
    {
        var fields = new Dictionary<string, uint>(StringComparer.Ordinal);
        foreach (var (name, field) in Layout.Fields)
        {
            if (IsDecodedField(name))
            {
                fields[name] = field.Extract(statusRegister);
            }
        }

        return fields;
    }

    /// <summary>The status value with the requested fields inserted.</summary>
    protected uint InsertFields(uint statusRegister, OptionByteChange change)
    {
        foreach (var (name, value) in change.Fields ?? new Dictionary<string, uint>())
        {
            statusRegister = Layout.Fields[name].Insert(statusRegister, value);
        }

        return statusRegister;
    }

    protected static AccessWidth WidthOf(int bytes) => bytes switch
    {
        1 => AccessWidth.Byte,
        2 => AccessWidth.HalfWord,
        _ => AccessWidth.Word,
    };
}
