using System.Buffers.Binary;

using ProdFlash.Emulator.Chips.Execution;
using ProdFlash.Emulator.Chips.Peripherals;
using ProdFlash.Emulator.Target;

namespace ProdFlash.Emulator.Chips;

/// <summary>
/// An emulated STM32F0, F4, G0 or L4 part (shaped by a <see cref="Stm32ChipSpec"/> from the catalog) as the
/// SW-DP/AHB-AP sees it: memory map, DBGMCU, flash-size register and UID, CoreSight ROM table and components, Cortex-M
/// debug, NRST and system reset, and the family's flash interface (<see cref="IStm32FlashController"/>). Code the
/// debugger puts in SRAM executes (<see cref="ThumbCpu"/>, caught up before every debug access); firmware in flash
/// does not.
/// </summary>
/// <remarks>
/// Not thread-safe: one probe transaction at a time (the <see cref="IEmulatedTarget"/> contract). All time comes from
/// the <see cref="IModeledClock"/> given at construction.
/// </remarks>
public sealed class Stm32Chip : IEmulatedTarget, IFlashActivity, IPowerLossAware, IDmaBus, ICoreBus
{
    /// <summary>Size of the DBGMCU register window modeled as storage (IDCODE read-only, CR and freeze registers).</summary>
    public const uint DbgMcuWindowSize = 0x20;

    /// <summary>Size of the RCC window modeled as plain storage (clocks are not modeled).</summary>
    public const uint RccWindowSize = 0x400;

    /// <summary>
    /// RCC base: F4 0x40023800 (RM0090 §2.3 memory map); F0/G0/L4 0x40021000 (RM0360 §2.2, RM0444 §2.2, RM0351 §2.2.2).
    /// OpenOCD's target scripts enable the DBGMCU clock there at examine-end.
    /// </summary>
    public static uint RccBase(string familyKey) => familyKey == "f4" ? 0x40023800u : 0x40021000u;

    private readonly byte[][] _ram;
    private readonly byte[] _signature;
    private readonly uint _signatureBase;
    private readonly Dictionary<uint, uint> _rcc = [];
    private readonly uint[] _dbgMcu = new uint[DbgMcuWindowSize / 4];
    private readonly NorFlashArray _main;
    private readonly CortexM3Core _core;
    private readonly ChipFaults _faults;
    private readonly uint _rccBase;
    private readonly OnChipPeripherals? _onChip;
    private readonly IModeledClock _clock;
    private readonly ThumbCpu _cpu;
    private readonly SramBlock[] _sramBlocks;
    private bool _resetHeld;

    /// <summary>Creates a chip at power-on with the family's flash controller.</summary>
    /// <param name="spec">The part.</param>
    /// <param name="clock">The modeled clock.</param>
    /// <param name="faults">Chip faults (RDP level, write protection, stuck bits, verify mismatch, option-byte write failure).</param>
    /// <param name="uidSeed">Seed of the 96-bit UID.</param>
    /// <exception cref="ChipConfigurationException">A fault the part cannot have.</exception>
    public Stm32Chip(Stm32ChipSpec spec, IModeledClock clock, ChipFaults? faults = null, ulong uidSeed = 0)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(clock);
        Spec = spec;
        _clock = clock;
        var coreClock = new CoreClock(clock);
        clock = coreClock; // the flash and the DMA see the core's time while it executes
        _faults = faults ?? ChipFaults.None;
        _main = new NorFlashArray(spec.FlashSize);
        _ram = [.. spec.Part.Ram.Select(r => new byte[r.Size])];
        _sramBlocks = [.. spec.Part.Ram.Select((r, i) => new SramBlock(r.Base, _ram[i]))];
        (_signatureBase, _signature) = BuildSignature(spec, uidSeed);
        _rccBase = RccBase(spec.Family.Key);
        ApplyStuckBits(spec, _faults, _main);
        Flash = spec.Family.Key switch
        {
            "f4" => new Stm32F4FlashController(spec, clock, _main, _faults),
            "f0" => new Stm32F0FlashController(spec, clock, _main, _faults, SystemReset),
            "g0" or "l4" => new Stm32L4G0FlashController(spec, clock, _main, _faults, SystemReset),
            _ => throw new ChipConfigurationException($"No flash interface model for the {spec.Family.Name} family yet."),
        };
        _core = new CortexM3Core(spec.CpuId, spec.FpbCodeComparators, spec.FpbLiteralComparators, spec.DwtComparators);
        _core.SystemResetRequested += (_, _) => SystemReset();
        _core.LocalResetRequested += (_, _) => _core.CompleteReset(_main.Read(0, 4), _main.Read(4, 4));
        _core.SetInstructionFetch(FetchHalfWord);
        _core.CompleteReset(_main.Read(0, 4), _main.Read(4, 4));
        _dbgMcu[0] = spec.DbgMcuIdCode;
        if (OnChipPeripheralLayout.ForFamily(spec.Family.Key) is { } layout)
        {
            _onChip = new OnChipPeripherals(layout, clock, this, () => _rcc.GetValueOrDefault(layout.RccEnableAddress - _rccBase));
        }

        ResetRcc();
        SenseVoltage = spec.NominalVoltage;
        _cpu = new ThumbCpu(_core, this, CoreTiming.For(spec.CpuId, ResetClock.HzFor(spec.Family.Key)), _clock.Now);
        coreClock.Cpu = _cpu;
    }

    /// <summary>The part this chip models.</summary>
    public Stm32ChipSpec Spec { get; }

    /// <summary>The flash interface.</summary>
    public IStm32FlashController Flash { get; }

    /// <summary>The core's debug state.</summary>
    public CortexM3Core Core => _core;

    /// <summary>The interpreter that executes the core's SRAM code.</summary>
    public ThumbCpu Cpu => _cpu;

    /// <summary>The CRC unit and memory-to-memory DMA (docs/onchip-verify.md), or null where the family has none modeled.</summary>
    public OnChipPeripherals? OnChip => _onChip;

    /// <summary>The main flash contents, bypassing every protection (for tests).</summary>
    public ReadOnlySpan<byte> MainFlash => _main.Contents;

    /// <summary>The 12 bytes of the unique device ID.</summary>
    public ReadOnlySpan<byte> UniqueId => _signature.AsSpan((int)(Spec.Family.UidAddress - _signatureBase), UniqueDeviceId.Length);

    /// <inheritdoc />
    public double SenseVoltage { get; set; }

    /// <inheritdoc />
    public uint DpIdr => Spec.DpIdr;

    /// <inheritdoc />
    public uint ApIdr => Spec.ApIdr;

    /// <inheritdoc />
    public uint ApBase => Spec.ApBase;

    /// <summary>False once RDP level 2 is loaded: the SW-DP no longer answers, ever (reference §4.1).</summary>
    public bool SwdResponds => !Flash.DebugPortClosed;

    /// <inheritdoc />
    public long FlashSizeBytes => Spec.FlashSize;

    /// <inheritdoc />
    public long BytesProgrammed => Flash.BytesProgrammed;

    /// <inheritdoc />
    public long BytesErased => Flash.BytesErased;

    /// <inheritdoc />
    public void SetResetLine(bool asserted)
    {
        CatchUpCore();
        if (asserted == _resetHeld)
        {
            return;
        }

        _resetHeld = asserted;
        SystemReset();
    }

    /// <summary>The board lost power mid-operation: the flash operation in progress stops where it is.</summary>
    public void PowerLost()
    {
        CatchUpCore();
        Flash.PowerLost();
    }

    /// <inheritdoc />
    public BusResult Read(uint address, AccessWidth width, out uint value)
    {
        CatchUpCore();
        return ReadBus(address, (int)width, out value);
    }

    /// <inheritdoc />
    public BusResult Write(uint address, AccessWidth width, uint value)
    {
        CatchUpCore();
        return WriteBus(address, (int)width, value);
    }

    /// <summary>Runs the core up to the modeled clock's now (code in SRAM executes lazily, like the DMA).</summary>
    public void CatchUpCore() => _cpu.RunUntil(_clock.Now);

    /// <inheritdoc />
    IReadOnlyList<SramBlock> ICoreBus.Sram => _sramBlocks;

    /// <inheritdoc />
    TimeSpan ICoreBus.StallUntil => Flash.BusyUntil;

    /// <inheritdoc />
    TimeSpan ICoreBus.LastEvent => _onChip is { DmaActive: true } ? TimeSpan.MaxValue : Flash.BusyUntil;

    /// <inheritdoc />
    bool ICoreBus.IsFirmware(uint address) => TryFlashOffset(address, 2, out _);

    /// <inheritdoc />
    BusResult ICoreBus.Read(uint address, int size, out uint value) => ReadBus(address, size, out value);

    /// <inheritdoc />
    BusResult ICoreBus.Write(uint address, int size, uint value) => WriteBus(address, size, value);

    private BusResult ReadBus(uint address, int size, out uint value)
    {
        value = 0;
        if (address % size != 0)
        {
            return BusResult.Fault;
        }

        _onChip?.CatchUp();

        if (TryFlashOffset(address, size, out var flashOffset))
        {
            if (Flash.IsBusy)
            {
                return BusResult.Wait;
            }

            if (!Flash.MainFlashReadable)
            {
                return BusResult.Fault; // RDP level 1 with the debugger connected: flash reads are bus errors (reference §4.1)
            }

            value = ReadMain(flashOffset, size);
            return BusResult.Ok;
        }

        if (TryReadRam(address, size, out value))
        {
            return BusResult.Ok;
        }

        if (BusBytes.InRange(address, size, _signatureBase, _signature.Length))
        {
            value = BusBytes.ReadLittleEndian(_signature, (int)(address - _signatureBase), size);
            return BusResult.Ok;
        }

        if (Spec.Family.OptionBytes.Address is { } obBase && BusBytes.InRange(address, size, obBase, Flash.OptionAreaSize))
        {
            if (Flash.IsBusy)
            {
                return BusResult.Wait;
            }

            value = Flash.ReadOptionArea((int)(address - obBase), size);
            return BusResult.Ok;
        }

        var flashRegs = Spec.Family.FlashController.Base;
        if (BusBytes.InRange(address, size, flashRegs, (int)Flash.RegisterWindowSize))
        {
            value = BusBytes.Extract(Flash.ReadRegister((address - flashRegs) & ~3u), address, size);
            return BusResult.Ok;
        }

        if (_onChip is not null && _onChip.TryRead(address, size, out value))
        {
            return BusResult.Ok;
        }

        if (BusBytes.InRange(address, size, _rccBase, (int)RccWindowSize))
        {
            value = BusBytes.Extract(_rcc.GetValueOrDefault((address - _rccBase) & ~3u), address, size);
            return BusResult.Ok;
        }

        var dbgMcu = Spec.Family.DbgmcuIdcodeAddress;
        if (BusBytes.InRange(address, size, dbgMcu, (int)DbgMcuWindowSize))
        {
            value = BusBytes.Extract(_dbgMcu[(address - dbgMcu) / 4], address, size);
            return BusResult.Ok;
        }

        if (address >= 0xE0000000)
        {
            if (!TryReadPrivateWord(address & ~3u, out var word))
            {
                return BusResult.Fault;
            }

            value = BusBytes.Extract(word, address, size);
            return BusResult.Ok;
        }

        return BusResult.Fault;
    }

    private BusResult WriteBus(uint address, int size, uint value)
    {
        var width = (AccessWidth)size;
        if (address % size != 0)
        {
            return BusResult.Fault;
        }

        value &= size == 4 ? 0xFFFFFFFF : (1u << (8 * size)) - 1;
        _onChip?.CatchUp();
        if (TryFlashOffset(address, size, out var flashOffset))
        {
            return Flash.WriteMain(flashOffset, width, value);
        }

        if (TryWriteRam(address, size, value))
        {
            return BusResult.Ok;
        }

        if (Spec.Family.OptionBytes.Address is { } obBase && BusBytes.InRange(address, size, obBase, Flash.OptionAreaSize))
        {
            return Flash.WriteOptionArea((int)(address - obBase), width, value);
        }

        var flashRegs = Spec.Family.FlashController.Base;
        if (BusBytes.InRange(address, size, flashRegs, (int)Flash.RegisterWindowSize))
        {
            var offset = (address - flashRegs) & ~3u;
            return Flash.WriteRegister(offset, size == 4 ? value : BusBytes.Merge(Flash.ReadRegister(offset), address, size, value));
        }

        if (_onChip is not null && _onChip.TryWrite(address, size, value))
        {
            return BusResult.Ok;
        }

        if (BusBytes.InRange(address, size, _rccBase, (int)RccWindowSize))
        {
            var offset = (address - _rccBase) & ~3u;
            _rcc[offset] = size == 4 ? value : BusBytes.Merge(_rcc.GetValueOrDefault(offset), address, size, value);
            return BusResult.Ok;
        }

        var dbgMcu = Spec.Family.DbgmcuIdcodeAddress;
        if (BusBytes.InRange(address, size, dbgMcu, (int)DbgMcuWindowSize))
        {
            var index = (address - dbgMcu) / 4;
            if (index != 0)
            {
                _dbgMcu[index] = size == 4 ? value : BusBytes.Merge(_dbgMcu[index], address, size, value); // IDCODE is read-only
            }

            return BusResult.Ok;
        }

        if (address >= 0xE0000000)
        {
            var aligned = address & ~3u;
            if (!TryReadPrivateWord(aligned, out var current))
            {
                return BusResult.Fault;
            }

            _core.TryWrite(aligned, size == 4 ? value : BusBytes.Merge(current, address, size, value));
            return BusResult.Ok;
        }

        return BusResult.Fault;
    }

    /// <inheritdoc />
    BusResult IDmaBus.MasterRead(uint address, int size, out uint value)
    {
        value = 0;
        if (TryFlashOffset(address, size, out var flashOffset))
        {
            if (!Flash.MainFlashReadable)
            {
                return BusResult.Fault;
            }

            value = ReadMain(flashOffset, size); // the DMA stalls while the flash is busy; modeled as no extra time
            return BusResult.Ok;
        }

        if (TryReadRam(address, size, out value))
        {
            return BusResult.Ok;
        }

        return _onChip is not null && _onChip.TryRead(address, size, out value) ? BusResult.Ok : BusResult.Fault;
    }

    /// <inheritdoc />
    BusResult IDmaBus.MasterWrite(uint address, int size, uint value)
    {
        if (TryWriteRam(address, size, value))
        {
            return BusResult.Ok;
        }

        return _onChip is not null && _onChip.TryWrite(address, size, value) ? BusResult.Ok : BusResult.Fault;
    }

    private static (uint Base, byte[] Block) BuildSignature(Stm32ChipSpec spec, ulong uidSeed)
    {
        // One window covering the UID (12 bytes) and the 16-bit flash-size register; other bytes in it read 0xFF.
        var uid = spec.Family.UidAddress;
        var fsize = spec.Family.FlashSizeRegisterAddress;
        var start = Math.Min(uid, fsize) & ~3u;
        var end = (Math.Max(uid + UniqueDeviceId.Length, fsize + 2) + 3) & ~3u;
        var block = new byte[end - start];
        Array.Fill(block, NorFlashArray.ErasedByte);
        UniqueDeviceId.FromSeed(uidSeed).CopyTo(block.AsSpan((int)(uid - start)));
        BinaryPrimitives.WriteUInt16LittleEndian(block.AsSpan((int)(fsize - start), 2), (ushort)spec.Part.FlashKiB);
        return (start, block);
    }

    private static void ApplyStuckBits(Stm32ChipSpec spec, ChipFaults faults, NorFlashArray main)
    {
        foreach (var stuck in faults.StuckBits ?? [])
        {
            var offset = (long)stuck.Address - spec.FlashBase;
            if (offset < 0 || offset >= spec.FlashSize || stuck.Bit is < 0 or > 7)
            {
                throw new ChipConfigurationException(
                    $"Stuck bit {stuck.Bit} at 0x{stuck.Address:X8} is outside {spec.PartName}'s flash " +
                    $"(0x{spec.FlashBase:X8}..0x{spec.FlashBase + (uint)spec.FlashSize - 1:X8}, bits 0..7).");
            }

            main.SetStuckBit((int)offset, stuck.Bit, stuck.Value);
        }
    }


    // Main flash as every bus master reads it: the verify-mismatch fault (bit 0 of the first programmed byte reads
    // inverted) is seen by the debugger and by the DMA alike.
    private uint ReadMain(int flashOffset, int size)
    {
        var value = _main.Read(flashOffset, size);
        var mismatch = Flash.FirstProgrammedOffset;
        if (_faults.VerifyMismatch && mismatch >= flashOffset && mismatch < flashOffset + size)
        {
            value ^= 1u << (8 * (mismatch - flashOffset));
        }

        return value;
    }

    private bool TryFlashOffset(uint address, int size, out int offset)
    {
        if (BusBytes.InRange(address, size, Spec.FlashBase, Spec.FlashSize))
        {
            offset = (int)(address - Spec.FlashBase);
            return true;
        }

        // Booting from main flash, the flash is aliased at 0x00000000 (every family here: boot configuration chapter).
        if (BusBytes.InRange(address, size, 0, Spec.FlashSize))
        {
            offset = (int)address;
            return true;
        }

        offset = 0;
        return false;
    }

    private ushort? FetchHalfWord(uint address)
    {
        if (TryFlashOffset(address, 2, out var offset))
        {
            return _main.ReadHalfWord(offset);
        }

        return TryReadRam(address, 2, out var half) ? (ushort)half : null;
    }

    /// <summary>Reads <paramref name="size"/> bytes from the SRAM region holding them; false outside SRAM.</summary>
    private bool TryReadRam(uint address, int size, out uint value)
    {
        for (var i = 0; i < _ram.Length; i++)
        {
            var region = Spec.Part.Ram[i];
            if (BusBytes.InRange(address, size, region.Base, _ram[i].Length))
            {
                value = BusBytes.ReadLittleEndian(_ram[i], (int)(address - region.Base), size);
                return true;
            }
        }

        value = 0;
        return false;
    }

    /// <summary>Writes <paramref name="size"/> bytes into the SRAM region holding them; false outside SRAM.</summary>
    private bool TryWriteRam(uint address, int size, uint value)
    {
        for (var i = 0; i < _ram.Length; i++)
        {
            var region = Spec.Part.Ram[i];
            if (BusBytes.InRange(address, size, region.Base, _ram[i].Length))
            {
                BusBytes.WriteLittleEndian(_ram[i], (int)(address - region.Base), size, value);
                return true;
            }
        }

        return false;
    }

    private bool TryReadPrivateWord(uint address, out uint word)
    {
        var romTable = Spec.RomTableAddress;
        if (address >= romTable && address < romTable + 0x1000)
        {
            word = ReadRomTable(address - romTable);
            return true;
        }

        foreach (var component in Spec.Components)
        {
            if (address < component.Base || address >= component.Base + 0x1000)
            {
                continue;
            }

            if (component.Identity.TryRead(address - component.Base, out word))
            {
                return true;
            }

            if (!_core.TryRead(address, out word))
            {
                word = 0; // ITM/TPIU/ETM and the FPU feature registers are not modeled: read as zero, writes ignored
            }

            return true;
        }

        word = 0;
        return false;
    }

    private uint ReadRomTable(uint offset)
    {
        if (Spec.RomTableIdentity.TryRead(offset, out var id))
        {
            return id;
        }

        if (offset == Stm32F1Chip.RomTableMemTypeOffset)
        {
            return 1; // SYSMEM: system memory present on this bus
        }

        var index = (int)(offset / 4);
        return offset % 4 == 0 && index < Spec.Components.Count
            ? new RomTableEntry(Spec.Components[index].Base, Spec.Components[index].ListedInRomTable).Encode(Spec.RomTableAddress)
            : 0;
    }

    private void ResetRcc() => _rcc.Clear();

    private void SystemReset()
    {
        Flash.Reset();
        ResetRcc();
        _onChip?.Reset();
        if (_core.State != CoreRunState.InReset)
        {
            _core.EnterReset();
        }

        if (!_resetHeld)
        {
            _core.CompleteReset(_main.Read(0, 4), _main.Read(4, 4));
        }
    }
}
