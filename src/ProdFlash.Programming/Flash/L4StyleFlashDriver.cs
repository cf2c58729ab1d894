using System.Numerics;
using ProdFlash.Core.Devices;
using ProdFlash.Core.Targets;

namespace ProdFlash.Programming.Flash;

/// <summary>
/// The G0/L4 flash interface: KEYR unlock, page erase by PNB (BKER selects bank 2), mass erase with MER1/MER2,
/// double-word programming with PG as pairs of 32-bit writes, option bytes in OPTR and the WRPxyR ranges, programmed
/// with OPTSTRT and loaded with OBL_LAUNCH. Procedures: reference §3.3 and §4.2 (OpenOCD stm32l4x.c); registers,
/// bits and keys from the catalog.
/// </summary>
/// <remarks>Not thread-safe; one runner owns it for one attempt.</remarks>
internal sealed class L4StyleFlashDriver : FlashDriverBase
{
    /// <summary>Bit position of the end page in a WRPxyR register; the start page is in the low field (reference §3.1, OCD-l4 stm32l4_get_one_wrpxy).</summary>
    private const int WrpEndShift = 16;

    private const string Sr = FlashRegisterNames.Sr;
    private const string Cr = FlashRegisterNames.Cr;
    private const string Optr = FlashRegisterNames.Optr;

    /// <summary>Write-protection area registers per bank, as the catalog names them (two areas, A and B, per bank).</summary>
    private static readonly string[][] WrpRegisters = [["WRP1AR", "WRP1BR"], ["WRP2AR", "WRP2BR"]];

    private readonly uint _wrpMask;

    public L4StyleFlashDriver(DevicePart part, ITargetMemory memory, TimeProvider time, FlashDriverOptions options)
        : base(part, memory, time, options)
    {
        // OCD-l4 stm32l4_probe: the WRPxyR page fields are (pages per bank − 1) wide, from the line's largest flash.
        var pagesPerBank = (uint)(part.Line.MaxFlashKiB * 1024L / part.Line.EraseUnitSize / part.Layout.BankCount);
        _wrpMask = BitOperations.RoundUpToPowerOf2(pagesPerBank) - 1;
    }

    private int BankCount => Part.Layout.BankCount;

    private uint ErrorMask => MaskOfPresent(Sr, "OPERR", "PROGERR", "WRPERR", "PGAERR", "SIZERR", "PGSERR");

    private uint ClearMask => ErrorMask | Mask(Sr, "EOP");

    /// <inheritdoc/>
    public override ValueTask UnlockAsync(CancellationToken cancellationToken) => UnlockControlAsync(1, cancellationToken);

    /// <inheritdoc/>
    public override ValueTask LockAsync(CancellationToken cancellationToken) =>
        WriteRegisterAsync(Cr, Mask(Cr, "LOCK") | Mask(Cr, "OPTLOCK"), cancellationToken);

    /// <inheritdoc/>
    public override async ValueTask EraseAsync(IReadOnlyList<EraseUnit> units, IProgress<FlashProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(units);
        var per = Mask(Cr, "PER");
        var pnb = Map.Bit(Cr, "PNB");
        await WriteRegisterAsync(Sr, ClearMask, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < units.Count; i++)
        {
            var unit = units[i];
            var control = pnb.Insert(per, (uint)unit.Number) | (unit.Bank == 2 ? Mask(Cr, "BKER") : 0);
            await WriteRegisterAsync(Cr, control, cancellationToken).ConfigureAwait(false);
            await WriteRegisterAsync(Cr, control | Mask(Cr, "STRT"), cancellationToken).ConfigureAwait(false);
            var sr = await WaitWhileBusyAsync(1, Bound(Timings.EraseTime(unit.Size), UnitEraseFallback), FlashFailureKind.EraseFailed, unit.Address, "erasing a page", cancellationToken).ConfigureAwait(false);
            await ThrowOnErrorAsync(sr, FlashFailureKind.EraseFailed, unit.Address, unit.Size, "erasing the page", null, cancellationToken).ConfigureAwait(false);
            progress?.Report(new FlashProgress(i + 1, units.Count));
        }

        await WriteRegisterAsync(Cr, 0, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override async ValueTask MassEraseAsync(IProgress<FlashProgress>? progress, CancellationToken cancellationToken)
    {
        // MER1 erases bank 1, MER2 bank 2; both with one STRT (reference §3.3, OCD-l4).
        var mer = Mask(Cr, "MER1") | (BankCount > 1 ? MaskOfPresent(Cr, "MER2") : 0);
        await WriteRegisterAsync(Sr, ClearMask, cancellationToken).ConfigureAwait(false);
        await WriteRegisterAsync(Cr, mer, cancellationToken).ConfigureAwait(false);
        await WriteRegisterAsync(Cr, mer | Mask(Cr, "STRT"), cancellationToken).ConfigureAwait(false);
        var sr = await WaitWhileBusyAsync(1, MassEraseBound(), FlashFailureKind.EraseFailed, Part.Layout.Start, "mass-erasing", cancellationToken).ConfigureAwait(false);
        await ThrowOnErrorAsync(sr, FlashFailureKind.EraseFailed, Part.Layout.Start, (uint)Part.Layout.TotalSize, "mass-erasing", null, cancellationToken).ConfigureAwait(false);
        await WriteRegisterAsync(Cr, 0, cancellationToken).ConfigureAwait(false);
        progress?.Report(new FlashProgress(1, 1));
    }

    /// <summary>How long a mass erase may keep BSY set: the datasheet maximum, or every page's erase when there is none.</summary>
    private TimeSpan MassEraseBound() => Timings.MassErase.Maximum is null
        ? Bound(Timings.EraseTime(Part.Line.EraseUnitSize), UnitEraseFallback, Part.Layout.UnitCount) // no datasheet value: never longer than erasing every page
        : Bound(Timings.MassErase, MassEraseFallback);

    /// <inheritdoc/>
    public override async ValueTask ProgramAsync(uint address, ReadOnlyMemory<byte> data, IProgress<FlashProgress>? progress, CancellationToken cancellationToken)
    {
        var (start, padded) = PadToUnits(address, data);
        RequireInFlash(start, padded.Length);
        var programBound = Bound(Timings.Program, ProgramFallback);
        await WriteRegisterAsync(Sr, ClearMask, cancellationToken).ConfigureAwait(false);
        await WriteRegisterAsync(Cr, Mask(Cr, "PG"), cancellationToken).ConfigureAwait(false);
        await ProgramUnitsAsync(start, padded, AccessWidth.Word, ErrorMask, programBound,
            (sr, at, unit) => ThrowOnErrorAsync(sr, FlashFailureKind.ProgramFailed, at, (uint)unit.Length, "programming", unit, cancellationToken),
            progress, cancellationToken).ConfigureAwait(false);
        await WriteRegisterAsync(Cr, 0, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override async ValueTask<OptionByteState> ReadOptionBytesAsync(CancellationToken cancellationToken)
    {
        var optr = await ReadRegisterAsync(Optr, cancellationToken).ConfigureAwait(false);
        var registers = new Dictionary<string, uint> { [Optr] = optr };
        var protectedUnits = new List<int>();
        for (var bank = 1; bank <= BankCount; bank++)
        {
            foreach (var name in WrpRegisters[bank - 1])
            {
                if (!Map.HasRegister(name))
                {
                    continue;
                }

                var value = await ReadRegisterAsync(name, cancellationToken).ConfigureAwait(false);
                registers[name] = value;
                var first = value & _wrpMask;
                var last = (value >> WrpEndShift) & _wrpMask;
                if (first <= last)
                {
                    protectedUnits.AddRange(Part.Layout.Units.Where(u => u.Bank == bank && u.Number >= first && u.Number <= last).Select(u => u.Index));
                }
            }
        }

        var raw = (byte)Layout.Fields[Layout.Rdp.ByteField ?? "RDP"].Extract(optr);
        return new OptionByteState(Layout.Rdp.Decode(raw), raw, DecodeFields(optr), protectedUnits.Distinct().Order().ToList(), registers);
    }

    /// <inheritdoc/>
    public override async ValueTask<OptionByteState> WriteOptionBytesAsync(OptionByteChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        RequireKnownFields(change);
        var current = await ReadOptionBytesAsync(cancellationToken).ConfigureAwait(false);
        var targetProtected = (change.WriteProtectedUnits ?? current.WriteProtectedUnits).ToHashSet();
        var wrpValues = WrpValues(targetProtected);
        var targetRdp = ResolveChange(current, change, targetProtected);
        var rdpByte = targetRdp switch
        {
            RdpLevel.Level0 => Layout.Rdp.Level0,
            RdpLevel.Level2 => Layout.Rdp.Level2!.Value,
            _ => current.Rdp == RdpLevel.Level1 && current.RdpRaw is { } keep ? keep : RdpLevel1Byte,
        };

        var optr = InsertFields(current.RawRegisters[Optr], change);
        optr = Layout.Fields[Layout.Rdp.ByteField ?? "RDP"].Insert(optr, rdpByte);
        var obAddress = Layout.Address ?? RegisterAddress(Optr);

        await UnlockControlAsync(1, cancellationToken).ConfigureAwait(false);
        var optLock = Mask(Cr, "OPTLOCK");
        var cr = await ReadRegisterAsync(Cr, cancellationToken).ConfigureAwait(false);
        if ((cr & optLock) != 0)
        {
            await WriteKeysAsync(FlashRegisterNames.Optkeyr, Map.OptKey1, Map.OptKey2, 1, cr, cancellationToken).ConfigureAwait(false);
            cr = await ReadRegisterAsync(Cr, cancellationToken).ConfigureAwait(false);
            if ((cr & optLock) != 0)
            {
                throw new FlashOperationException(
                    FlashFailureKind.UnlockFailed,
                    $"The option bytes of {Part.PartNumber} stayed locked after the OPTKEYR sequence (CR={Hex(cr)}, OPTLOCK set). Reset the board and retry.",
                    obAddress,
                    new Dictionary<string, uint> { [Cr] = cr });
            }
        }

        await WriteRegisterAsync(Sr, ClearMask, cancellationToken).ConfigureAwait(false);
        await WriteRegisterAsync(Optr, optr, cancellationToken).ConfigureAwait(false);
        foreach (var (name, value) in wrpValues)
        {
            await WriteRegisterAsync(name, value, cancellationToken).ConfigureAwait(false);
        }

        await WriteRegisterAsync(Cr, Mask(Cr, "OPTSTRT"), cancellationToken).ConfigureAwait(false);
        // Leaving level 1 mass-erases the flash while BSY stays set (RM0351 §3.7.3, RM0444 §3.5.1; reference §4.1), so
        // a regression may take a mass erase on top of the option-byte write.
        var obBound = Bound(Timings.EraseTime(Part.Line.EraseUnitSize), UnitEraseFallback);
        if (current.Rdp == RdpLevel.Level1 && targetRdp == RdpLevel.Level0)
        {
            obBound += MassEraseBound();
        }

        var sr = await WaitWhileBusyAsync(1, obBound, FlashFailureKind.OptionBytesWriteFailed, obAddress, "programming the option bytes", cancellationToken).ConfigureAwait(false);
        if ((sr & ErrorMask) != 0)
        {
            await WriteRegisterAsync(Sr, ClearMask, cancellationToken).ConfigureAwait(false);
            throw new FlashOperationException(
                FlashFailureKind.OptionBytesWriteFailed,
                $"The flash interface reported an error programming the option bytes of {Part.PartNumber}: SR={Hex(sr)}. Retry once; if it repeats, the option bytes are damaged.",
                obAddress,
                new Dictionary<string, uint> { [Sr] = sr, [Optr] = optr });
        }

        // OBL_LAUNCH loads the new option bytes and resets the chip; leaving level 1 mass-erases then (reference §4.1).
        try
        {
            await LaunchOptionLoadAsync(cancellationToken).ConfigureAwait(false);
            var after = await ReadOptionBytesAsync(cancellationToken).ConfigureAwait(false);
            CompareReadBack(after, targetRdp, change, targetProtected);
            return after;
        }
        catch (TargetException) when (targetRdp == RdpLevel.Level2)
        {
            var written = new Dictionary<string, uint> { [Optr] = optr };
            foreach (var (name, value) in wrpValues)
            {
                written[name] = value;
            }

            return WrittenLevel2(optr, targetProtected, written);
        }
    }

    /// <summary>
    /// The WRPxyR values that protect exactly <paramref name="protectedUnits"/>: contiguous page ranges, at most two
    /// (areas A and B) per bank; an unused area has start &gt; end (reference §3.1).
    /// </summary>
    private List<(string Name, uint Value)> WrpValues(IReadOnlySet<int> protectedUnits)
    {
        var values = new List<(string, uint)>();
        var units = Part.Layout.Units.ToList();
        foreach (var unit in protectedUnits)
        {
            if (unit < 0 || unit >= units.Count)
            {
                throw new ArgumentException($"Page {unit} does not exist on {Part.PartNumber} (pages 0..{units.Count - 1}).", nameof(protectedUnits));
            }
        }

        for (var bank = 1; bank <= BankCount; bank++)
        {
            var pages = units.Where(u => u.Bank == bank && protectedUnits.Contains(u.Index)).Select(u => (uint)u.Number).Order().ToList();
            var ranges = new List<(uint First, uint Last)>();
            foreach (var page in pages)
            {
                if (ranges.Count > 0 && ranges[^1].Last + 1 == page)
                {
                    ranges[^1] = (ranges[^1].First, page);
                }
                else
                {
                    ranges.Add((page, page));
                }
            }

            var names = WrpRegisters[bank - 1].Where(Map.HasRegister).ToList();
            if (ranges.Count > names.Count)
            {
                throw new ArgumentException(
                    $"{Part.Family.Name} protects at most {names.Count} contiguous page ranges per bank; bank {bank} would need {ranges.Count} ({string.Join(", ", ranges.Select(r => $"{r.First}-{r.Last}"))}).",
                    nameof(protectedUnits));
            }

            for (var i = 0; i < names.Count; i++)
            {
                var (first, last) = i < ranges.Count ? ranges[i] : (_wrpMask, 0u);
                values.Add((names[i], first | (last << WrpEndShift)));
            }
        }

        return values;
    }

    private ValueTask ThrowOnErrorAsync(uint sr, FlashFailureKind kind, uint address, uint length, string operation, ReadOnlyMemory<byte>? expected, CancellationToken cancellationToken) =>
        ThrowOnStatusErrorAsync(sr, ErrorMask, ClearMask, kind, address, length, operation, expected, (status, what, at) =>
        {
            var cause = (status & MaskOfPresent(Sr, "PROGERR")) != 0 ? "PROGERR: the double word was not erased before programming" : "a sequence, size, alignment or operation error";
            return $"The flash interface reported an error {what} at {Hex(at)}: SR={Hex(status)} ({cause}). Erase first; if it was erased, retry once, then set the board aside.";
        },
        cancellationToken);
}
