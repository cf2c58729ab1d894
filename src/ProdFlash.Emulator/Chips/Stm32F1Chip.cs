using System.Buffers.Binary;

using ProdFlash.Emulator.Chips.Execution;
using ProdFlash.Emulator.Chips.Peripherals;
using ProdFlash.Emulator.Target;

namespace ProdFlash.Emulator.Chips;

/// <summary>
/// An emulated STM32F1 (shaped by a <see cref="Stm32F1ChipSpec"/>; STM32F103C8 first) as the SW-DP/AHB-AP sees it:
/// memory map, identity registers, CoreSight ROM table and components, Cortex-M3 debug, the flash controller with
/// option bytes and readout protection, NRST and system reset. No instructions execute.
/// </summary>
/// <remarks>
/// Not thread-safe: one probe transaction at a time (the <see cref="IEmulatedTarget"/> contract). All time comes from
/// the <see cref="IModeledClock"/> given at construction; the chip never advances it.
/// </remarks>
public sealed class Stm32F1Chip : IEmulatedTarget, IDmaBus, ICoreBus
{
    /// <summary>DBGMCU_CR offset from DBGMCU_IDCODE.</summary>
    public const uint DbgMcuCrOffset = 4;

    /// <summary>ROM table MEMTYPE register offset (bit 0: system memory present on the bus).</summary>
    public const uint RomTableMemTypeOffset = 0xFCC;

    /// <summary>Size of the information block between the system memory and the option bytes (flash size, UID).</summary>
    private const int SignatureBlockSize = 0x20;

    private readonly NorFlashArray _main;
    private readonly NorFlashArray _optionBytes;
    private readonly byte[] _sram;
    private readonly byte[] _systemMemory;
    private readonly byte[] _signature;
    private readonly Stm32F1FlashController _flash;
    private readonly CortexM3Core _core;
    private readonly Stm32F1Rcc _rcc = new();
    private readonly bool _verifyMismatch;
    private readonly OnChipPeripherals? _onChip;
    private readonly IModeledClock _clock;
    private readonly ThumbCpu _cpu;
    private readonly SramBlock[] _sramBlocks;
    private uint _dbgMcuCr;
    private bool _resetHeld;

    /// <summary>Creates a chip at power-on: flash erased (unless faults say otherwise), core running, debug disabled.</summary>
    /// <param name="spec">The part (e.g. <see cref="Stm32F1Specs.Stm32F103C8"/>).</param>
    /// <param name="clock">The emulator's modeled time.</param>
    /// <param name="faults">Chip-level faults to inject; <see cref="ChipFaults.None"/> when null.</param>
    /// <param name="uidSeed">Seed of this chip's 96-bit unique ID (same seed, same UID).</param>
    /// <exception cref="ChipConfigurationException">A fault the part cannot have (RDP level 2 on F1, a page or address outside the flash).</exception>
    public Stm32F1Chip(Stm32F1ChipSpec spec, IModeledClock clock, ChipFaults? faults = null, ulong uidSeed = 0)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(clock);
        faults ??= ChipFaults.None;
        Spec = spec;
        _clock = clock;
        var coreClock = new CoreClock(clock);
        clock = coreClock; // the flash and the DMA see the core's time while it executes
        _main = new NorFlashArray(spec.FlashSize);
        _sram = new byte[spec.SramSize];
        _sramBlocks = [new SramBlock(spec.SramBase, _sram)];
        _systemMemory = new byte[spec.SystemMemorySize];
        Array.Fill(_systemMemory, NorFlashArray.ErasedByte); // ST's boot loader is not reproduced
        _signature = BuildSignature(spec, uidSeed);
        _optionBytes = new NorFlashArray(Stm32F1OptionBytes.BlockSize);
        ApplyFaults(spec, faults, _main, _optionBytes);
        _flash = new Stm32F1FlashController(spec, clock, _main, _optionBytes, faults);
        _verifyMismatch = faults.VerifyMismatch;
        if (spec.HasCrcAndDma)
        {
            _onChip = new OnChipPeripherals(OnChipPeripheralLayout.F1, clock, this, () => _rcc.Read(Stm32F1Rcc.AhbEnrOffset));
        }

        _core = new CortexM3Core(spec.CpuId, spec.FpbCodeComparators, spec.FpbLiteralComparators, spec.DwtComparators);
        _core.SystemResetRequested += (_, _) => SystemReset();
        _core.LocalResetRequested += (_, _) => _core.CompleteReset(_main.Read(0, 4), _main.Read(4, 4));
        _core.SetInstructionFetch(FetchHalfWord);
        _core.CompleteReset(_main.Read(0, 4), _main.Read(4, 4));
        SenseVoltage = spec.NominalVoltage;
        _cpu = new ThumbCpu(_core, this, CoreTiming.For(spec.CpuId, ResetClock.HzFor("f1")), _clock.Now);
        coreClock.Cpu = _cpu;
    }

    /// <summary>The part this chip models.</summary>
    public Stm32F1ChipSpec Spec { get; }

    /// <inheritdoc />
    public double SenseVoltage { get; set; }

    /// <inheritdoc />
    public uint DpIdr => Spec.DpIdr;

    /// <inheritdoc />
    public uint ApIdr => Spec.ApIdr;

    /// <inheritdoc />
    public uint ApBase => Spec.ApBase;

    /// <summary>Always true: an F1 has no RDP level 2, and power and pin faults belong to the emulated probe.</summary>
    public bool SwdResponds => true;

    /// <summary>The Cortex-M3 core's debug state.</summary>
    public CortexM3Core Core => _core;

    /// <summary>The CRC unit and DMA1 (docs/onchip-verify.md), or null where the spec models none (the clones).</summary>
    public OnChipPeripherals? OnChip => _onChip;

    /// <summary>The flash controller (counters, busy state, loaded option bytes).</summary>
    public Stm32F1FlashController Flash => _flash;

    /// <summary>Programming and erase counters, for the probe's unplug-at-percent fault.</summary>
    public FlashCounters Counters => _flash.Counters;

    /// <summary>The 12 bytes of the unique device ID.</summary>
    public ReadOnlySpan<byte> UniqueId => _signature.AsSpan((int)(Spec.UniqueIdAddress - Spec.FlashSizeRegisterAddress), UniqueDeviceId.Length);

    /// <summary>The main flash contents, bypassing every protection (for tests and diagnostics).</summary>
    public ReadOnlySpan<byte> MainFlash => _main.Contents;

    /// <summary>The raw option-byte block (16 bytes), as stored now (not necessarily loaded yet).</summary>
    public ReadOnlySpan<byte> OptionBytes => _optionBytes.Contents;

    /// <inheritdoc />
    public void SetResetLine(bool asserted)
    {
        CatchUpCore();
        if (asserted)
        {
            if (!_resetHeld)
            {
                _resetHeld = true;
                SystemReset();
            }
        }
        else if (_resetHeld)
        {
            _resetHeld = false;
            SystemReset();
        }
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

    /// <summary>The interpreter that executes the core's SRAM code.</summary>
    public ThumbCpu Cpu => _cpu;

    /// <summary>Runs the core up to the modeled clock's now (code in SRAM executes lazily, like the DMA).</summary>
    public void CatchUpCore() => _cpu.RunUntil(_clock.Now);

    /// <inheritdoc />
    IReadOnlyList<SramBlock> ICoreBus.Sram => _sramBlocks;

    /// <inheritdoc />
    TimeSpan ICoreBus.StallUntil => _flash.BusyUntil;

    /// <inheritdoc />
    TimeSpan ICoreBus.LastEvent => _onChip is { DmaActive: true } ? TimeSpan.MaxValue : _flash.BusyUntil;

    /// <inheritdoc />
    bool ICoreBus.IsFirmware(uint address) =>
        TryFlashOffset(address, 2, out _) || BusBytes.InRange(address, 2, Spec.SystemMemoryBase, _systemMemory.Length);

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
            if (_flash.IsBusy)
            {
                return BusResult.Wait;
            }

            if (!_flash.MainFlashReadable)
            {
                return BusResult.Fault; // RDP level 1 with the debugger connected: flash reads are bus errors (§4.1)
            }

            value = ReadMain(flashOffset, size);
            return BusResult.Ok;
        }

        if (BusBytes.InRange(address, size, Spec.SramBase, _sram.Length))
        {
            value = BusBytes.ReadLittleEndian(_sram, (int)(address - Spec.SramBase), size);
            return BusResult.Ok;
        }

        if (BusBytes.InRange(address, size, Spec.SystemMemoryBase, _systemMemory.Length + SignatureBlockSize + Stm32F1OptionBytes.BlockSize))
        {
            return ReadInformationBlock(address, size, out value);
        }

        if (BusBytes.InRange(address, size, Spec.FlashRegistersBase, (int)Stm32F1FlashController.RegisterWindowSize))
        {
            var offset = address - Spec.FlashRegistersBase;
            value = BusBytes.Extract(_flash.ReadRegister(offset & ~3u), address, size);
            return BusResult.Ok;
        }

        if (_onChip is not null && _onChip.TryRead(address, size, out value))
        {
            return BusResult.Ok;
        }

        if (BusBytes.InRange(address, size, Stm32F1Rcc.Base, (int)Stm32F1Rcc.WindowSize))
        {
            value = BusBytes.Extract(_rcc.Read((address - Stm32F1Rcc.Base) & ~3u), address, size);
            return BusResult.Ok;
        }

        if (address >= 0xE0000000)
        {
            return ReadPrivatePeripheral(address, size, out value);
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
            return _flash.WriteMain(flashOffset, width, value);
        }

        if (BusBytes.InRange(address, size, Spec.SramBase, _sram.Length))
        {
            BusBytes.WriteLittleEndian(_sram, (int)(address - Spec.SramBase), size, value);
            return BusResult.Ok;
        }

        if (BusBytes.InRange(address, size, Spec.OptionBytesAddress, Stm32F1OptionBytes.BlockSize))
        {
            return _flash.WriteOptionBytes((int)(address - Spec.OptionBytesAddress), width, value);
        }

        if (BusBytes.InRange(address, size, Spec.FlashRegistersBase, (int)Stm32F1FlashController.RegisterWindowSize))
        {
            var offset = address - Spec.FlashRegistersBase;
            var word = size == 4 ? value : BusBytes.Merge(_flash.ReadRegister(offset & ~3u), address, size, value);
            return _flash.WriteRegister(offset & ~3u, word);
        }

        if (_onChip is not null && _onChip.TryWrite(address, size, value))
        {
            return BusResult.Ok;
        }

        if (BusBytes.InRange(address, size, Stm32F1Rcc.Base, (int)Stm32F1Rcc.WindowSize))
        {
            var offset = (address - Stm32F1Rcc.Base) & ~3u;
            _rcc.Write(offset, size == 4 ? value : BusBytes.Merge(_rcc.Read(offset), address, size, value));
            return BusResult.Ok;
        }

        if (address >= 0xE0000000)
        {
            return WritePrivatePeripheral(address, size, value);
        }

        return BusResult.Fault;
    }

    /// <inheritdoc />
    BusResult IDmaBus.MasterRead(uint address, int size, out uint value)
    {
        value = 0;
        if (TryFlashOffset(address, size, out var flashOffset))
        {
            if (!_flash.MainFlashReadable)
            {
                return BusResult.Fault;
            }

            value = ReadMain(flashOffset, size); // the DMA stalls while the flash is busy; modeled as no extra time
            return BusResult.Ok;
        }

        if (BusBytes.InRange(address, size, Spec.SramBase, _sram.Length))
        {
            value = BusBytes.ReadLittleEndian(_sram, (int)(address - Spec.SramBase), size);
            return BusResult.Ok;
        }

        return _onChip is not null && _onChip.TryRead(address, size, out value) ? BusResult.Ok : BusResult.Fault;
    }

    /// <inheritdoc />
    BusResult IDmaBus.MasterWrite(uint address, int size, uint value)
    {
        if (BusBytes.InRange(address, size, Spec.SramBase, _sram.Length))
        {
            BusBytes.WriteLittleEndian(_sram, (int)(address - Spec.SramBase), size, value);
            return BusResult.Ok;
        }

        return _onChip is not null && _onChip.TryWrite(address, size, value) ? BusResult.Ok : BusResult.Fault;
    }

    private static void ApplyFaults(Stm32F1ChipSpec spec, ChipFaults faults, NorFlashArray main, NorFlashArray optionBytes)
    {
        if (faults.Rdp2 && spec.HasRdpLevel2)
        {
            throw new ChipConfigurationException($"Fault 'Rdp2' is not modeled for {spec.PartName}: the STM32F1 chip model has no level-2 behaviour.");
        }

        if (faults.Rdp2)
        {
            throw new ChipConfigurationException(
                $"Fault 'Rdp2' cannot be applied to {spec.PartName}: STM32F1 has no readout protection level 2 (RDP 0xA5 is " +
                "level 0, any other value level 1; PM0075 §2.4, reference §4.1). Use 'Rdp1', or a family with level 2 (F0/F2/F3/F4/L4/G0...).");
        }

        var wrp = 0xFFFFFFFFu;
        foreach (var page in faults.WriteProtectedPages ?? new HashSet<int>())
        {
            if (page < 0 || page >= spec.PageCount)
            {
                throw new ChipConfigurationException(
                    $"Write-protected page {page} does not exist on {spec.PartName}: pages are 0..{spec.PageCount - 1} ({spec.PageSize} bytes each).");
            }

            wrp &= ~(1u << Math.Min(page / spec.PagesPerWriteProtectBit, 31));
        }

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

        // Factory state: RDP 0xA5, USER/DATA 0xFF, WRP 0xFF, each programmed with its complement.
        var rdp = faults.Rdp1 ? Stm32F1OptionBytes.RdpLevel1 : Stm32F1OptionBytes.RdpLevel0;
        var block = Stm32F1OptionBytes.Encode(rdp, 0xFF, 0xFF, 0xFF, wrp);
        for (var i = 0; i < block.Length; i += 2)
        {
            optionBytes.ProgramHalfWord(i, BinaryPrimitives.ReadUInt16LittleEndian(block.AsSpan(i, 2)));
        }
    }

    private static byte[] BuildSignature(Stm32F1ChipSpec spec, ulong uidSeed)
    {
        var block = new byte[SignatureBlockSize];
        Array.Fill(block, NorFlashArray.ErasedByte);
        BinaryPrimitives.WriteUInt16LittleEndian(block.AsSpan(0, 2), (ushort)(spec.FlashSize / 1024));
        UniqueDeviceId.FromSeed(uidSeed).CopyTo(block.AsSpan((int)(spec.UniqueIdAddress - spec.FlashSizeRegisterAddress)));
        return block;
    }


    /// <summary>The core's instruction fetch: flash (and its alias), SRAM and system memory, ignoring debugger protection.</summary>
    private ushort? FetchHalfWord(uint address)
    {
        if (TryFlashOffset(address, 2, out var offset))
        {
            return _main.ReadHalfWord(offset);
        }

        if (BusBytes.InRange(address, 2, Spec.SramBase, _sram.Length))
        {
            return (ushort)BusBytes.ReadLittleEndian(_sram, (int)(address - Spec.SramBase), 2);
        }

        if (BusBytes.InRange(address, 2, Spec.SystemMemoryBase, _systemMemory.Length))
        {
            return (ushort)BusBytes.ReadLittleEndian(_systemMemory, (int)(address - Spec.SystemMemoryBase), 2);
        }

        return null;
    }

    // Main flash as every bus master reads it: the verify-mismatch fault (bit 0 of the first programmed byte reads
    // inverted) is seen by the debugger and by the DMA alike.
    private uint ReadMain(int flashOffset, int size)
    {
        var value = _main.Read(flashOffset, size);
        var victim = _flash.FirstProgrammedOffset;
        if (_verifyMismatch && victim >= flashOffset && victim < flashOffset + size)
        {
            value ^= 1u << (8 * (victim - flashOffset));
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

        // Booting from main flash (BOOT0 = 0), the flash is aliased at 0x00000000 (RM0008 §3.4 boot configuration).
        if (BusBytes.InRange(address, size, 0, Spec.FlashSize))
        {
            offset = (int)address;
            return true;
        }

        offset = 0;
        return false;
    }

    private BusResult ReadInformationBlock(uint address, int size, out uint value)
    {
        value = 0;
        if (_flash.IsBusy)
        {
            return BusResult.Wait; // the information block lives in the same flash module
        }

        if (BusBytes.InRange(address, size, Spec.SystemMemoryBase, _systemMemory.Length))
        {
            value = BusBytes.ReadLittleEndian(_systemMemory, (int)(address - Spec.SystemMemoryBase), size);
        }
        else if (BusBytes.InRange(address, size, Spec.FlashSizeRegisterAddress, SignatureBlockSize))
        {
            value = BusBytes.ReadLittleEndian(_signature, (int)(address - Spec.FlashSizeRegisterAddress), size);
        }
        else if (BusBytes.InRange(address, size, Spec.OptionBytesAddress, Stm32F1OptionBytes.BlockSize))
        {
            value = _optionBytes.Read((int)(address - Spec.OptionBytesAddress), size);
        }
        else
        {
            return BusResult.Fault;
        }

        return BusResult.Ok;
    }

    private BusResult ReadPrivatePeripheral(uint address, int size, out uint value)
    {
        value = 0;
        var aligned = address & ~3u;
        if (!TryReadPrivateWord(aligned, out var word))
        {
            return BusResult.Fault;
        }

        value = BusBytes.Extract(word, address, size);
        return BusResult.Ok;
    }

    private bool TryReadPrivateWord(uint address, out uint word)
    {
        var dbgMcu = Spec.DbgMcuIdCodeAddress;
        if (address == dbgMcu)
        {
            word = Spec.DbgMcuIdCode;
            return true;
        }

        if (address == dbgMcu + DbgMcuCrOffset)
        {
            word = _dbgMcuCr;
            return true;
        }

        var romTable = Spec.RomTableAddress;
        if (address >= romTable && address < romTable + 0x1000)
        {
            word = ReadRomTable(address - romTable);
            return true;
        }

        foreach (var component in Spec.Components)
        {
            if (!component.ListedInRomTable || address < component.Base || address >= component.Base + 0x1000)
            {
                continue;
            }

            if (component.Identity.TryRead(address - component.Base, out word))
            {
                return true;
            }

            if (!_core.TryRead(address, out word))
            {
                word = 0; // ITM/TPIU registers are not modeled: read as zero, writes ignored
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

        if (offset == RomTableMemTypeOffset)
        {
            return 1; // SYSMEM: system memory present on this bus
        }

        var index = (int)(offset / 4);
        return offset % 4 == 0 && index < Spec.Components.Count
            ? new RomTableEntry(Spec.Components[index].Base, Spec.Components[index].ListedInRomTable).Encode(Spec.RomTableAddress)
            : 0; // the first zero entry ends the table
    }

    private BusResult WritePrivatePeripheral(uint address, int size, uint value)
    {
        var aligned = address & ~3u;
        if (!TryReadPrivateWord(aligned, out var current))
        {
            return BusResult.Fault;
        }

        var word = size == 4 ? value : BusBytes.Merge(current, address, size, value);
        if (aligned == Spec.DbgMcuIdCodeAddress + DbgMcuCrOffset)
        {
            _dbgMcuCr = word; // reset by power-on only, not by a system reset (RM0008 §31.16.3)
            return BusResult.Ok;
        }

        _core.TryWrite(aligned, word); // SCS/DWT/FPB; ROM table, IDs, DBGMCU_IDCODE, ITM and TPIU ignore writes
        return BusResult.Ok;
    }

    private void SystemReset()
    {
        _flash.Reset(); // FPEC registers to reset values, option bytes reloaded
        _rcc.Reset();
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
