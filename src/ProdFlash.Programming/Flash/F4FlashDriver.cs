using ProdFlash.Core.Devices;
using ProdFlash.Core.Targets;

namespace ProdFlash.Programming.Flash;

/// <summary>
/// The F2/F4 flash interface: KEYR unlock, sector erase by SNB, mass erase with MER (and MER1 for bank 2 on dual-bank
/// parts), programming with PG at the parallelism PSIZE selects, option bytes through OPTCR (and OPTCR1) with OPTSTRT.
/// Procedures: reference §3.3 and §4.2 (OpenOCD stm32f2x.c, RM0090); registers, bits and keys from the catalog.
/// </summary>
/// <remarks>Not thread-safe; one runner owns it for one attempt.</remarks>
internal sealed class F4FlashDriver : FlashDriverBase
{
    /// <summary>
    /// Lowest supply voltage for x32 parallelism (RM0090 §3.5.2 "Program/erase parallelism": x32 at 2.7–3.6 V).
    /// </summary>
    public const double X32MinimumVolts = 2.7;

    /// <summary>Lowest supply voltage for x16 parallelism (RM0090 §3.5.2: x16 at 2.1–3.6 V).</summary>
    public const double X16MinimumVolts = 2.1;

    /// <summary>Lowest supply voltage for programming at all (RM0090 §3.5.2: x8 from 1.8 V).</summary>
    public const double MinimumVolts = 1.8;

    /// <summary>Highest supply voltage (RM0090 §3.5.2: 3.6 V).</summary>
    public const double MaximumVolts = 3.6;

    /// <summary>Sectors whose nWRP bits are in OPTCR; sectors from here on (bank 2 of F42x/43x) are in OPTCR1 (reference §4.2).</summary>
    private const int SectorsInOptcr = 12;

    private const string Sr = FlashRegisterNames.Sr;
    private const string Cr = FlashRegisterNames.Cr;
    private const string Optcr = FlashRegisterNames.Optcr;
    private const string NWrp = "nWRP";

    private readonly uint _psize;

    public F4FlashDriver(DevicePart part, ITargetMemory memory, TimeProvider time, FlashDriverOptions options)
        : base(part, memory, time, options)
    {
        UnitBytes = UnitForVoltage(part.Family.ProgrammingUnit, options.ProgrammingVoltage);
        _psize = (uint)Math.Log2(UnitBytes); // CR.PSIZE: 00 x8, 01 x16, 10 x32, 11 x64 (catalog programming note, RM0090)
    }

    private bool DualBank => Part.Layout.BankCount > 1;

    private uint ErrorMask => MaskOfPresent(Sr, "OPERR", "WRPERR", "PGAERR", "PGPERR", "PGSERR");

    private uint ClearMask => ErrorMask | Mask(Sr, "EOP");

    private uint PsizeBits => Map.Bit(Cr, "PSIZE").Insert(0, _psize);

    /// <summary>
    /// The programming unit for <paramref name="volts"/>: x32 from 2.7 V, x16 from 2.1 V, x8 from 1.8 V; the catalog
    /// default (x16, which works over the widest range) when the voltage is unknown or outside 1.8–3.6 V (a probe that
    /// cannot measure reports 0 V; a reading above 3.6 V is sense-pin error, not a reason to program wider).
    /// </summary>
    public static int UnitForVoltage(ProgrammingUnit unit, double? volts)
    {
        ArgumentNullException.ThrowIfNull(unit);
        if (volts is not { } v || v < MinimumVolts || v > MaximumVolts)
        {
            return unit.Bytes;
        }

        var bytes = v >= X32MinimumVolts ? 4 : v >= X16MinimumVolts ? 2 : 1;
        return unit.SupportedBytes.Contains(bytes) ? bytes : unit.Bytes;
    }

    /// <inheritdoc/>
    public override ValueTask UnlockAsync(CancellationToken cancellationToken) => UnlockControlAsync(1, cancellationToken);

    /// <inheritdoc/>
    public override ValueTask LockAsync(CancellationToken cancellationToken) => WriteRegisterAsync(Cr, Mask(Cr, "LOCK"), cancellationToken);

    /// <inheritdoc/>
    public override async ValueTask EraseAsync(IReadOnlyList<EraseUnit> units, IProgress<FlashProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(units);
        var ser = Mask(Cr, "SER");
        var snb = Map.Bit(Cr, "SNB");
        await WriteRegisterAsync(Sr, ClearMask, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < units.Count; i++)
        {
            var unit = units[i];
            var control = snb.Insert(ser | PsizeBits, (uint)unit.Number);
            await WriteRegisterAsync(Cr, control, cancellationToken).ConfigureAwait(false);
            await WriteRegisterAsync(Cr, control | Mask(Cr, "STRT"), cancellationToken).ConfigureAwait(false);
            var sr = await WaitWhileBusyAsync(1, Bound(Timings.EraseTime(unit.Size), UnitEraseFallback), FlashFailureKind.EraseFailed, unit.Address, "erasing a sector", cancellationToken).ConfigureAwait(false);
            await ThrowOnErrorAsync(sr, FlashFailureKind.EraseFailed, unit.Address, unit.Size, "erasing the sector", null, cancellationToken).ConfigureAwait(false);
            progress?.Report(new FlashProgress(i + 1, units.Count));
        }

        await WriteRegisterAsync(Cr, 0, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override async ValueTask MassEraseAsync(IProgress<FlashProgress>? progress, CancellationToken cancellationToken)
    {
        // MER erases bank 1, MER1 bank 2; both with one STRT erase both banks (reference §3.3, OCD-f2).
        var mer = Mask(Cr, "MER") | (DualBank ? Mask(Cr, "MER1") : 0) | PsizeBits;
        await WriteRegisterAsync(Sr, ClearMask, cancellationToken).ConfigureAwait(false);
        await WriteRegisterAsync(Cr, mer, cancellationToken).ConfigureAwait(false);
        await WriteRegisterAsync(Cr, mer | Mask(Cr, "STRT"), cancellationToken).ConfigureAwait(false);
        var sr = await WaitWhileBusyAsync(1, Bound(Timings.MassErase, MassEraseFallback), FlashFailureKind.EraseFailed, Part.Layout.Start, "mass-erasing", cancellationToken).ConfigureAwait(false);
        await ThrowOnErrorAsync(sr, FlashFailureKind.EraseFailed, Part.Layout.Start, (uint)Part.Layout.TotalSize, "mass-erasing", null, cancellationToken).ConfigureAwait(false);
        await WriteRegisterAsync(Cr, 0, cancellationToken).ConfigureAwait(false);
        progress?.Report(new FlashProgress(1, 1));
    }

    /// <inheritdoc/>
    public override async ValueTask ProgramAsync(uint address, ReadOnlyMemory<byte> data, IProgress<FlashProgress>? progress, CancellationToken cancellationToken)
    {
        var (start, padded) = PadToUnits(address, data);
        RequireInFlash(start, padded.Length);
        var width = WidthOf(UnitBytes);
        var programBound = Bound(Timings.Program, ProgramFallback);
        await WriteRegisterAsync(Sr, ClearMask, cancellationToken).ConfigureAwait(false);
        await WriteRegisterAsync(Cr, Mask(Cr, "PG") | PsizeBits, cancellationToken).ConfigureAwait(false);
        await ProgramUnitsAsync(start, padded, width, ErrorMask, programBound,
            (sr, at, unit) => ThrowOnErrorAsync(sr, FlashFailureKind.ProgramFailed, at, (uint)unit.Length, "programming", unit, cancellationToken),
            progress, cancellationToken).ConfigureAwait(false);
        await WriteRegisterAsync(Cr, 0, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override async ValueTask<OptionByteState> ReadOptionBytesAsync(CancellationToken cancellationToken)
    {
        var optcr = await ReadRegisterAsync(Optcr, cancellationToken).ConfigureAwait(false);
        var registers = new Dictionary<string, uint> { [Optcr] = optcr };
        uint? optcr1 = null;
        if (DualBank && Map.HasRegister(FlashRegisterNames.Optcr1))
        {
            optcr1 = await ReadRegisterAsync(FlashRegisterNames.Optcr1, cancellationToken).ConfigureAwait(false);
            registers[FlashRegisterNames.Optcr1] = optcr1.Value;
        }

        var rdpField = Layout.Fields[Layout.Rdp.ByteField ?? "RDP"];
        var raw = (byte)rdpField.Extract(optcr);
        var nwrp = Layout.Fields[NWrp];
        var protectedUnits = Part.Layout.Units
            .Where(u => u.Index < SectorsInOptcr
                ? (nwrp.Extract(optcr) & (1u << u.Index)) == 0
                : optcr1 is { } v && u.Index - SectorsInOptcr < nwrp.Width && (nwrp.Extract(v) & (1u << (u.Index - SectorsInOptcr))) == 0)
            .Select(u => u.Index)
            .ToList();
        return new OptionByteState(Layout.Rdp.Decode(raw), raw, DecodeFields(optcr), protectedUnits, registers);
    }

    /// <inheritdoc/>
    public override async ValueTask<OptionByteState> WriteOptionBytesAsync(OptionByteChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        RequireKnownFields(change);
        var current = await ReadOptionBytesAsync(cancellationToken).ConfigureAwait(false);
        var requested = change.WriteProtectedUnits ?? current.WriteProtectedUnits;
        foreach (var unit in requested)
        {
            if (unit < 0 || unit >= Part.Layout.UnitCount)
            {
                throw new ArgumentException($"Sector {unit} does not exist on {Part.PartNumber} (sectors 0..{Part.Layout.UnitCount - 1}).", nameof(change));
            }
        }

        var targetProtected = requested.ToHashSet();
        var targetRdp = ResolveChange(current, change, targetProtected);
        var rdpByte = targetRdp switch
        {
            RdpLevel.Level0 => Layout.Rdp.Level0,
            RdpLevel.Level2 => Layout.Rdp.Level2!.Value,
            _ => current.Rdp == RdpLevel.Level1 && current.RdpRaw is { } keep ? keep : RdpLevel1Byte,
        };

        var nwrp = Layout.Fields[NWrp];
        var optLock = Layout.Fields["OPTLOCK"].Mask;
        var optStrt = Layout.Fields["OPTSTRT"].Mask;
        var optcr = InsertFields(current.RawRegisters[Optcr], change);
        optcr = Layout.Fields[Layout.Rdp.ByteField ?? "RDP"].Insert(optcr, rdpByte);
        optcr = nwrp.Insert(optcr, NotProtectedBits(targetProtected, 0, nwrp.Width)) & ~(optLock | optStrt);

        var obAddress = Layout.Address ?? RegisterAddress(Optcr);
        var before = current.RawRegisters[Optcr];
        if ((before & optLock) != 0)
        {
            await WriteKeysAsync(FlashRegisterNames.Optkeyr, Map.OptKey1, Map.OptKey2, 1, before, cancellationToken).ConfigureAwait(false);
            before = await ReadRegisterAsync(Optcr, cancellationToken).ConfigureAwait(false);
            if ((before & optLock) != 0)
            {
                throw new FlashOperationException(
                    FlashFailureKind.UnlockFailed,
                    $"OPTCR of {Part.PartNumber} stayed locked after the OPTKEYR sequence (OPTCR={Hex(before)}). Reset the board and retry.",
                    obAddress,
                    new Dictionary<string, uint> { [Optcr] = before });
            }
        }

        await WriteRegisterAsync(Sr, ClearMask, cancellationToken).ConfigureAwait(false);
        if (current.RawRegisters.TryGetValue(FlashRegisterNames.Optcr1, out var optcr1))
        {
            var newOptcr1 = nwrp.Insert(optcr1, NotProtectedBits(targetProtected, SectorsInOptcr, nwrp.Width));
            await WriteRegisterAsync(FlashRegisterNames.Optcr1, newOptcr1, cancellationToken).ConfigureAwait(false);
        }

        await WriteRegisterAsync(Optcr, optcr, cancellationToken).ConfigureAwait(false);
        await WriteRegisterAsync(Optcr, optcr | optStrt, cancellationToken).ConfigureAwait(false);

        // OPTSTRT erases the user sector and programs every option byte; leaving level 1 mass-erases first (reference §4.1).
        var regression = current.Rdp != RdpLevel.Level0 && targetRdp == RdpLevel.Level0;
        var bound = Bound(Timings.EraseTime(Part.Line.EraseUnitSize), UnitEraseFallback) + (regression ? Bound(Timings.MassErase, MassEraseFallback) : TimeSpan.Zero);
        try
        {
            var sr = await WaitWhileBusyAsync(1, bound, FlashFailureKind.OptionBytesWriteFailed, obAddress, "programming the option bytes", cancellationToken).ConfigureAwait(false);
            if ((sr & ErrorMask) != 0)
            {
                await WriteRegisterAsync(Sr, ClearMask, cancellationToken).ConfigureAwait(false);
                throw new FlashOperationException(
                    FlashFailureKind.OptionBytesWriteFailed,
                    $"The flash interface reported an error programming the option bytes of {Part.PartNumber}: SR={Hex(sr)}. Retry once; if it repeats, the option bytes are damaged.",
                    obAddress,
                    new Dictionary<string, uint> { [Sr] = sr, [Optcr] = optcr });
            }

            await WriteRegisterAsync(Optcr, optcr | optLock, cancellationToken).ConfigureAwait(false);
            var after = await ReadOptionBytesAsync(cancellationToken).ConfigureAwait(false);
            CompareReadBack(after, targetRdp, change, targetProtected);
            return after;
        }
        catch (TargetException) when (targetRdp == RdpLevel.Level2)
        {
            return WrittenLevel2(optcr, targetProtected, new Dictionary<string, uint> { [Optcr] = optcr });
        }
    }

    /// <inheritdoc/>
    protected override bool IsDecodedField(string name) =>
        base.IsDecodedField(name) && name is not ("OPTLOCK" or "OPTSTRT" or NWrp);

    /// <summary>nWRP bits for sectors [first, first+width): 1 = not protected (RM0090, reference §4.2).</summary>
    private static uint NotProtectedBits(IReadOnlySet<int> protectedUnits, int first, int width)
    {
        var bits = width >= 32 ? uint.MaxValue : (1u << width) - 1;
        foreach (var unit in protectedUnits)
        {
            if (unit >= first && unit < first + width)
            {
                bits &= ~(1u << (unit - first));
            }
        }

        return bits;
    }

    private ValueTask ThrowOnErrorAsync(uint sr, FlashFailureKind kind, uint address, uint length, string operation, ReadOnlyMemory<byte>? expected, CancellationToken cancellationToken) =>
        ThrowOnStatusErrorAsync(sr, ErrorMask, ClearMask, kind, address, length, operation, expected, (status, what, at) =>
            $"The flash interface reported an error {what} at {Hex(at)}: SR={Hex(status)} (PGSERR/PGPERR/PGAERR/OPERR: sequence, parallelism, alignment or operation error). Check the programming voltage against PSIZE x{UnitBytes * 8}; retry once.",
            cancellationToken);
}
