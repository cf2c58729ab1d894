using System.Buffers.Binary;
using ProdFlash.Core.Devices;
using ProdFlash.Core.Targets;

namespace ProdFlash.Programming.Flash;

/// <summary>
/// The F0/F1 flash program/erase controller (FPEC): KEYR unlock, PER/MER erase with AR, half-word programming with
/// PG, option bytes erased with OPTER and programmed with OPTPG as complemented half-words. F1 XL-density parts
/// have a second register set (KEYR2/SR2/CR2/AR2 at +0x40) for bank 2. Procedures: reference §3.3 and §4.2
/// (OpenOCD stm32f1x.c); registers, bits and keys from the catalog.
/// </summary>
/// <remarks>Not thread-safe; one runner owns it for one attempt.</remarks>
internal sealed class FpecFlashDriver : FlashDriverBase
{
    private const string Sr = FlashRegisterNames.Sr;
    private const string Cr = FlashRegisterNames.Cr;

    private readonly int[] _banks;

    public FpecFlashDriver(DevicePart part, ITargetMemory memory, TimeProvider time, FlashDriverOptions options)
        : base(part, memory, time, options)
    {
        _banks = part.Layout.BankCount > 1 && Map.Bank2RegisterOffset is not null ? [1, 2] : [1];
    }

    private uint ErrorMask => Mask(Sr, "PGERR") | Mask(Sr, "WRPRTERR");

    private uint ClearMask => ErrorMask | Mask(Sr, "EOP");

    /// <inheritdoc/>
    public override async ValueTask UnlockAsync(CancellationToken cancellationToken)
    {
        foreach (var bank in _banks)
        {
            await UnlockControlAsync(bank, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public override async ValueTask LockAsync(CancellationToken cancellationToken)
    {
        foreach (var bank in _banks)
        {
            await WriteRegisterAsync(Cr, Mask(Cr, "LOCK"), cancellationToken, bank).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public override async ValueTask EraseAsync(IReadOnlyList<EraseUnit> units, IProgress<FlashProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(units);
        var per = Mask(Cr, "PER");
        var strt = Mask(Cr, "STRT");
        var cleared = new HashSet<int>();
        for (var i = 0; i < units.Count; i++)
        {
            var unit = units[i];
            var bank = BankOf(unit.Bank);
            if (cleared.Add(bank))
            {
                await WriteRegisterAsync(Sr, ClearMask, cancellationToken, bank).ConfigureAwait(false);
                await WriteRegisterAsync(Cr, per, cancellationToken, bank).ConfigureAwait(false);
            }

            await WriteRegisterAsync(FlashRegisterNames.Ar, unit.Address, cancellationToken, bank).ConfigureAwait(false);
            await WriteRegisterAsync(Cr, per | strt, cancellationToken, bank).ConfigureAwait(false);
            var sr = await WaitWhileBusyAsync(bank, Bound(Timings.EraseTime(unit.Size), UnitEraseFallback), FlashFailureKind.EraseFailed, unit.Address, "erasing a page", cancellationToken).ConfigureAwait(false);
            await ThrowOnErrorAsync(sr, bank, FlashFailureKind.EraseFailed, unit.Address, unit.Address, unit.Size, "erasing the page", cancellationToken).ConfigureAwait(false);
            progress?.Report(new FlashProgress(i + 1, units.Count));
        }

        foreach (var bank in cleared)
        {
            await WriteRegisterAsync(Cr, 0, cancellationToken, bank).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public override async ValueTask MassEraseAsync(IProgress<FlashProgress>? progress, CancellationToken cancellationToken)
    {
        var mer = Mask(Cr, "MER");
        var strt = Mask(Cr, "STRT");
        for (var i = 0; i < _banks.Length; i++)
        {
            var bank = _banks[i];
            await WriteRegisterAsync(Sr, ClearMask, cancellationToken, bank).ConfigureAwait(false);
            await WriteRegisterAsync(Cr, mer, cancellationToken, bank).ConfigureAwait(false);
            await WriteRegisterAsync(Cr, mer | strt, cancellationToken, bank).ConfigureAwait(false);
            var sr = await WaitWhileBusyAsync(bank, Bound(Timings.MassErase, MassEraseFallback), FlashFailureKind.EraseFailed, Part.Layout.Start, "mass-erasing", cancellationToken).ConfigureAwait(false);
            await ThrowOnErrorAsync(sr, bank, FlashFailureKind.EraseFailed, Part.Layout.Start, Part.Layout.Start, (uint)Part.Layout.TotalSize, "mass-erasing", cancellationToken).ConfigureAwait(false);
            await WriteRegisterAsync(Cr, 0, cancellationToken, bank).ConfigureAwait(false);
            progress?.Report(new FlashProgress(i + 1, _banks.Length));
        }
    }

    /// <inheritdoc/>
    public override async ValueTask ProgramAsync(uint address, ReadOnlyMemory<byte> data, IProgress<FlashProgress>? progress, CancellationToken cancellationToken)
    {
        var (start, padded) = PadToUnits(address, data);
        RequireInFlash(start, padded.Length);
        var pg = Mask(Cr, "PG");
        var width = WidthOf(UnitBytes);
        var programBound = Bound(Timings.Program, ProgramFallback);
        var blockBytes = Options.Strategy == ProgramStrategy.Fast ? Options.ProgramBlockBytes : UnitBytes;
        var pgSet = new HashSet<int>();
        long done = 0;
        foreach (var (blockAddress, offset, length, regionBank) in Blocks(start, padded.Length, Options.ProgramBlockBytes))
        {
            var bank = BankOf(regionBank);
            if (pgSet.Add(bank))
            {
                await WriteRegisterAsync(Sr, ClearMask, cancellationToken, bank).ConfigureAwait(false);
                await WriteRegisterAsync(Cr, pg, cancellationToken, bank).ConfigureAwait(false);
            }

            var block = padded.Slice(offset, length);
            if (Options.Strategy == ProgramStrategy.Fast)
            {
                // One block write: the AHB-AP stalls each half-word until the previous one is programmed (reference §3.3).
                await Memory.WriteAsync(blockAddress, block, width, cancellationToken).ConfigureAwait(false);
                var sr = await WaitWhileBusyAsync(bank, programBound, FlashFailureKind.ProgramFailed, blockAddress, "programming", cancellationToken).ConfigureAwait(false);
                await ThrowOnProgramErrorAsync(sr, bank, blockAddress, block, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                for (var unit = 0; unit < length; unit += blockBytes)
                {
                    var unitAddress = blockAddress + (uint)unit;
                    var slice = block.Slice(unit, blockBytes);
                    await Memory.WriteAsync(unitAddress, slice, width, cancellationToken).ConfigureAwait(false);
                    var sr = await WaitWhileBusyAsync(bank, programBound, FlashFailureKind.ProgramFailed, unitAddress, "programming", cancellationToken).ConfigureAwait(false);
                    await ThrowOnProgramErrorAsync(sr, bank, unitAddress, slice, cancellationToken).ConfigureAwait(false);
                }
            }

            done += length;
            progress?.Report(new FlashProgress(done, padded.Length));
        }

        foreach (var bank in pgSet)
        {
            await WriteRegisterAsync(Cr, 0, cancellationToken, bank).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public override async ValueTask<OptionByteState> ReadOptionBytesAsync(CancellationToken cancellationToken)
    {
        var obr = await ReadRegisterAsync(Layout.StatusRegister, cancellationToken).ConfigureAwait(false);
        var wrpr = await ReadRegisterAsync(Layout.WriteProtectionRegister ?? FlashRegisterNames.Wrpr, cancellationToken).ConfigureAwait(false);
        var rdp = Layout.DecodeRdp(obr) ?? RdpLevel.Level1; // an undefined status value is treated as protected
        byte? raw = null;
        if (Layout.Address is { } obAddress && Layout.ByteOffsets.TryGetValue("RDP", out var rdpOffset))
        {
            var buffer = new byte[2];
            try
            {
                await Memory.ReadAsync(obAddress + rdpOffset, buffer, AccessWidth.HalfWord, cancellationToken).ConfigureAwait(false);
                raw = buffer[0];
            }
            catch (TargetMemoryFaultException)
            {
                raw = null; // the option-byte area is not readable on this chip: only the status bits are evidence
            }
        }

        return new OptionByteState(
            rdp,
            raw,
            DecodeFields(obr),
            ProtectedUnits(wrpr),
            new Dictionary<string, uint> { [Layout.StatusRegister] = obr, [Layout.WriteProtectionRegister ?? FlashRegisterNames.Wrpr] = wrpr });
    }

    /// <inheritdoc/>
    public override async ValueTask<OptionByteState> WriteOptionBytesAsync(OptionByteChange change, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        RequireKnownFields(change);
        var obAddress = Layout.Address ?? throw new InvalidOperationException($"The catalog gives no option-byte address for {Part.Family.Name}.");
        if (Layout.Reload == OptionByteReload.SystemReset && Options.Core is null)
        {
            throw new InvalidOperationException($"New {Part.Family.Name} option bytes load at a system reset; create the driver with FlashDriverOptions.Core so it can reset the chip.");
        }

        var current = await ReadOptionBytesAsync(cancellationToken).ConfigureAwait(false);
        var targetProtected = ExpandProtection(change.WriteProtectedUnits ?? current.WriteProtectedUnits);
        var targetRdp = ResolveChange(current, change, targetProtected);
        var obr = InsertFields(current.RawRegisters[Layout.StatusRegister], change);
        var wrpr = WrprFor(targetProtected);
        var rdpByte = targetRdp switch
        {
            RdpLevel.Level0 => Layout.Rdp.Level0,
            RdpLevel.Level2 => Layout.Rdp.Level2!.Value,
            _ => current.Rdp == RdpLevel.Level1 && current.RdpRaw is { } keep ? keep : RdpLevel1Byte,
        };

        var block = BuildBlock(rdpByte, obr, wrpr);
        var regression = current.Rdp != RdpLevel.Level0 && targetRdp == RdpLevel.Level0;

        await UnlockControlAsync(1, cancellationToken).ConfigureAwait(false);
        var optWre = Mask(Cr, "OPTWRE");
        var cr = await ReadRegisterAsync(Cr, cancellationToken).ConfigureAwait(false);
        if ((cr & optWre) == 0)
        {
            await WriteKeysAsync(FlashRegisterNames.Optkeyr, Map.OptKey1, Map.OptKey2, 1, cr, cancellationToken).ConfigureAwait(false);
            cr = await ReadRegisterAsync(Cr, cancellationToken).ConfigureAwait(false);
        }

        if ((cr & optWre) == 0)
        {
            throw new FlashOperationException(
                FlashFailureKind.UnlockFailed,
                $"The option bytes of {Part.PartNumber} stayed write-locked after the OPTKEYR sequence (CR={Hex(cr)}, OPTWRE clear). Power-cycle the board and retry.",
                obAddress,
                new Dictionary<string, uint> { [Cr] = cr });
        }

        await WriteRegisterAsync(Sr, ClearMask, cancellationToken).ConfigureAwait(false);
        var opter = Mask(Cr, "OPTER");
        await WriteRegisterAsync(Cr, opter | optWre, cancellationToken).ConfigureAwait(false);
        await WriteRegisterAsync(Cr, opter | optWre | Mask(Cr, "STRT"), cancellationToken).ConfigureAwait(false);
        var sr = await WaitWhileBusyAsync(1, Bound(Timings.EraseTime(Part.Line.EraseUnitSize), UnitEraseFallback), FlashFailureKind.OptionBytesWriteFailed, obAddress, "erasing the option bytes", cancellationToken).ConfigureAwait(false);
        ThrowOnOptionError(sr, obAddress, "erasing");

        // Programming RDP = level 0 while protected first mass-erases the main flash (PM0075 §2.4), so RDP goes last, on
        // its own (as OpenOCD stm32f1x.c writes it): no other half-word stalls behind the erase, where a probe that gives
        // up on the WAITs and retries the block would program a half-word twice. The BSY wait is bounded by the erase.
        await WriteRegisterAsync(Cr, Mask(Cr, "OPTPG") | optWre, cancellationToken).ConfigureAwait(false);
        var rdpOffset = (int)Layout.ByteOffsets["RDP"];
        var rest = block.AsMemory();
        if (rdpOffset == 0)
        {
            await Memory.WriteAsync(obAddress + 2, rest[2..], AccessWidth.HalfWord, cancellationToken).ConfigureAwait(false);
            await Memory.WriteAsync(obAddress, rest[..2], AccessWidth.HalfWord, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await Memory.WriteAsync(obAddress, rest, AccessWidth.HalfWord, cancellationToken).ConfigureAwait(false);
        }

        var bound = Bound(Timings.Program, ProgramFallback, block.Length / 2) + (regression ? Bound(Timings.MassErase, MassEraseFallback) : TimeSpan.Zero);
        sr = await WaitWhileBusyAsync(1, bound, FlashFailureKind.OptionBytesWriteFailed, obAddress, "programming the option bytes", cancellationToken).ConfigureAwait(false);
        ThrowOnOptionError(sr, obAddress, "programming");
        try
        {
            await ReloadAsync(cancellationToken).ConfigureAwait(false);
            var after = await ReadOptionBytesAsync(cancellationToken).ConfigureAwait(false);
            CompareReadBack(after, targetRdp, change, targetProtected);
            return after;
        }
        catch (TargetException) when (targetRdp == RdpLevel.Level2)
        {
            return WrittenLevel2(Layout.Fields[Layout.Rdp.StatusField ?? "RDPRT"].Insert(obr, Layout.Rdp.StatusLevels.First(l => l.Value == RdpLevel.Level2).Key), targetProtected, new Dictionary<string, uint> { [Layout.StatusRegister] = obr, [Layout.WriteProtectionRegister ?? FlashRegisterNames.Wrpr] = wrpr });
        }
    }

    private async ValueTask ReloadAsync(CancellationToken cancellationToken)
    {
        if (Layout.Reload == OptionByteReload.OblLaunch)
        {
            await LaunchOptionLoadAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        await WriteRegisterAsync(Cr, Mask(Cr, "LOCK"), cancellationToken).ConfigureAwait(false);
        await Options.Core!.ResetAndHaltAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    protected override bool IsWritableField(string name) => IsDecodedField(name) && name != "OPTERR";

    private int BankOf(int regionBank) => _banks.Length > 1 ? regionBank : 1;

    private async ValueTask ThrowOnErrorAsync(uint sr, int bank, FlashFailureKind kind, uint address, uint rangeStart, uint rangeLength, string operation, CancellationToken cancellationToken)
    {
        if ((sr & ErrorMask) == 0)
        {
            return;
        }

        await WriteRegisterAsync(Sr, ClearMask, cancellationToken, bank).ConfigureAwait(false);
        await WriteRegisterAsync(Cr, 0, cancellationToken, bank).ConfigureAwait(false);
        if ((sr & Mask(Sr, "WRPRTERR")) != 0)
        {
            await ThrowProtectedAsync(sr, rangeStart, rangeLength, operation, cancellationToken).ConfigureAwait(false);
        }

        throw new FlashOperationException(
            kind,
            $"The flash controller reported an error {operation} at {Hex(address)}: SR={Hex(sr)} (PGERR). Retry once; if it repeats, the chip's flash is damaged.",
            address,
            new Dictionary<string, uint> { [Sr] = sr });
    }

    private async ValueTask ThrowOnProgramErrorAsync(uint sr, int bank, uint address, ReadOnlyMemory<byte> expected, CancellationToken cancellationToken)
    {
        if ((sr & ErrorMask) == 0)
        {
            return;
        }

        await WriteRegisterAsync(Sr, ClearMask, cancellationToken, bank).ConfigureAwait(false);
        await WriteRegisterAsync(Cr, 0, cancellationToken, bank).ConfigureAwait(false);
        if ((sr & Mask(Sr, "WRPRTERR")) != 0)
        {
            await ThrowProtectedAsync(sr, address, (uint)expected.Length, "programming", cancellationToken).ConfigureAwait(false);
        }

        var at = await FirstMismatchAsync(address, expected, cancellationToken).ConfigureAwait(false) ?? address;
        throw new FlashOperationException(
            FlashFailureKind.ProgramFailed,
            $"Programming failed at {Hex(at)}: SR={Hex(sr)} (PGERR: the half-word was not erased before programming). Erase the page first; if it was erased, the flash cell is damaged.",
            at,
            new Dictionary<string, uint> { [Sr] = sr });
    }

    private void ThrowOnOptionError(uint sr, uint obAddress, string operation)
    {
        if ((sr & ErrorMask) != 0)
        {
            throw new FlashOperationException(
                FlashFailureKind.OptionBytesWriteFailed,
                $"The flash controller reported an error {operation} the option bytes of {Part.PartNumber}: SR={Hex(sr)}. Retry once; if it repeats, the option-byte area is damaged.",
                obAddress,
                new Dictionary<string, uint> { [Sr] = sr });
        }
    }

    /// <summary>Pages protected by a WRPR value: bit n = 0 protects its group of pages; the last bit covers all the rest (reference §2.3).</summary>
    private List<int> ProtectedUnits(uint wrpr)
    {
        var perBit = Part.Line.WriteProtectionPagesPerBit ?? 1;
        return Part.Layout.Units.Where(u => (wrpr & (1u << BitOf(u.Index, perBit))) == 0).Select(u => u.Index).ToList();
    }

    private static int BitOf(int unitIndex, int perBit) => Math.Min(unitIndex / perBit, 31);

    /// <summary>The pages a request actually protects: whole groups of the WRPR granule.</summary>
    private HashSet<int> ExpandProtection(IReadOnlyList<int> units)
    {
        var perBit = Part.Line.WriteProtectionPagesPerBit ?? 1;
        foreach (var unit in units)
        {
            if (unit < 0 || unit >= Part.Layout.UnitCount)
            {
                throw new ArgumentException($"Page {unit} does not exist on {Part.PartNumber} (pages 0..{Part.Layout.UnitCount - 1}).", nameof(units));
            }
        }

        var bits = units.Select(u => BitOf(u, perBit)).ToHashSet();
        return Part.Layout.Units.Where(u => bits.Contains(BitOf(u.Index, perBit))).Select(u => u.Index).ToHashSet();
    }

    private uint WrprFor(IReadOnlySet<int> protectedUnits)
    {
        var perBit = Part.Line.WriteProtectionPagesPerBit ?? 1;
        var wrpr = uint.MaxValue;
        foreach (var unit in protectedUnits)
        {
            wrpr &= ~(1u << BitOf(unit, perBit));
        }

        return wrpr;
    }

    /// <summary>
    /// The option-byte block to program: each catalog byte offset (RDP, USER, DATA0/1, WRP0..3) as a half-word, with its
    /// complement in the high byte where the family stores it so (reference §4.2).
    /// </summary>
    private byte[] BuildBlock(byte rdp, uint obr, uint wrpr)
    {
        var size = Layout.Size ?? (int)(Layout.ByteOffsets.Values.Max() + 2);
        var block = new byte[size];
        Array.Fill(block, ErasedByte);
        foreach (var (name, offset) in Layout.ByteOffsets)
        {
            byte value;
            if (name == "RDP")
            {
                value = rdp;
            }
            else if (Layout.Fields.TryGetValue(name, out var field))
            {
                value = (byte)field.Extract(obr);
            }
            else if (name.StartsWith("WRP", StringComparison.Ordinal) && int.TryParse(name.AsSpan(3), out var index))
            {
                value = (byte)(wrpr >> (8 * index));
            }
            else
            {
                throw new InvalidOperationException($"The catalog's option byte '{name}' of {Part.Family.Name} has no known source value.");
            }

            var half = Layout.ComplementedHalfWords ? RdpEncoding.WithComplement(value) : value;
            BinaryPrimitives.WriteUInt16LittleEndian(block.AsSpan((int)offset), half);
        }

        return block;
    }
}
