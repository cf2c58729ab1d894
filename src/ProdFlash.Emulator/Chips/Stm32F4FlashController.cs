using System.Buffers.Binary;

using ProdFlash.Core.Devices;
using ProdFlash.Emulator.Target;

namespace ProdFlash.Emulator.Chips;

/// <summary>
/// The STM32F4 flash interface at 0x40023C00 (register map and bits from the catalog, reference §3.1 F2/F4 map,
/// RM0090 §3.5–3.9): KEYR/OPTKEYR, SR (BSY, PGSERR, PGPERR, PGAERR, WRPERR, OPERR, EOP), CR (PG, SER, SNB, MER,
/// MER1, PSIZE, STRT, LOCK), OPTCR/OPTCR1 (OPTLOCK, OPTSTRT, BOR_LEV, user bits, RDP, nWRP) with option programming
/// by OPTSTRT; new option values apply when BSY clears (catalog reload <c>OptStart</c>).
/// </summary>
/// <remarks>
/// Not thread-safe; owned by one chip model. Programming ANDs into the cells without an erased check (RM0090 §3.6.2:
/// successive writes may clear further bits). The access width must equal PSIZE (PGPERR); x64 takes two 32-bit
/// writes to one double word, low word first (PGAERR otherwise). EOP is set only with EOPIE (RM0090 §3.9.4).
/// </remarks>
public sealed class Stm32F4FlashController : Stm32FlashControllerBase
{
    /// <summary>FLASH_OPTCR value of a factory-fresh F405/407 (RM0090 §3.9.10 reset value 0x0FFFAAED).</summary>
    public const uint OptcrFactory = 0x0FFFAAED;

    /// <summary>FLASH_OPTCR1 value of a factory-fresh F42x/43x (RM0090 §3.9.11 reset value 0x0FFF0000).</summary>
    public const uint Optcr1Factory = 0x0FFF0000;

    /// <summary>RDP byte the <c>rdp1</c> fault programs (any value but 0xAA and 0xCC is level 1).</summary>
    public const byte RdpLevel1Fault = 0x00;

    private readonly uint _keyr, _optkeyr, _sr, _cr, _optcr, _optcr1;
    private readonly BitField _srBsy, _srEop, _srOperr, _srWrperr, _srPgaerr, _srPgperr, _srPgserr;
    private readonly BitField _crPg, _crSer, _crMer, _crSnb, _crPsize, _crStrt, _crEopie, _crLock;
    private readonly BitField? _crMer1;
    private readonly BitField _optLock, _optStrt, _optRdp, _optNwrp;
    private readonly uint _optcrWritable;
    private readonly byte _rdpLevel0;
    private readonly byte _rdpLevel2;
    private readonly KeySequence _keys;
    private readonly KeySequence _optionKeys;
    private readonly bool _hasOptcr1;
    private uint _acr;
    private uint _crValue;
    private uint _srValue;
    private uint _optcrValue;
    private uint _optcr1Value;
    private uint _storedOptcr;
    private uint _storedOptcr1;
    private int _x64Pending = -1;
    private uint _x64Low;
    private bool _optionProgramming;

    /// <summary>Creates the controller with the factory option bytes changed by <paramref name="faults"/>.</summary>
    /// <exception cref="ChipConfigurationException">A write-protected sector that does not exist.</exception>
    public Stm32F4FlashController(Stm32ChipSpec spec, IModeledClock clock, NorFlashArray main, ChipFaults faults)
        : base(spec, clock, main, faults)
    {
        _keyr = OffsetOf(FlashRegisterNames.Keyr);
        _optkeyr = OffsetOf(FlashRegisterNames.Optkeyr);
        _sr = OffsetOf(FlashRegisterNames.Sr);
        _cr = OffsetOf(FlashRegisterNames.Cr);
        _optcr = OffsetOf(FlashRegisterNames.Optcr);
        _optcr1 = OffsetOf(FlashRegisterNames.Optcr1);
        _srBsy = Bit("SR", "BSY");
        _srEop = Bit("SR", "EOP");
        _srOperr = Bit("SR", "OPERR");
        _srWrperr = Bit("SR", "WRPERR");
        _srPgaerr = Bit("SR", "PGAERR");
        _srPgperr = Bit("SR", "PGPERR");
        _srPgserr = Bit("SR", "PGSERR");
        _crPg = Bit("CR", "PG");
        _crSer = Bit("CR", "SER");
        _crMer = Bit("CR", "MER");
        _crSnb = Bit("CR", "SNB");
        _crPsize = Bit("CR", "PSIZE");
        _crStrt = Bit("CR", "STRT");
        _crEopie = Bit("CR", "EOPIE");
        _crLock = Bit("CR", "LOCK");

        // OPTCR1 and MER1 exist on the dual-bank-capable F42x/43x only (catalog controller source note).
        _hasOptcr1 = spec.Part.Line.MaxFlashKiB > 1024;
        _crMer1 = _hasOptcr1 ? Bit("CR", "MER1") : null;
        var fields = spec.Family.OptionBytes.Fields;
        _optLock = fields["OPTLOCK"];
        _optStrt = fields["OPTSTRT"];
        _optRdp = fields[spec.Family.OptionBytes.Rdp.ByteField ?? "RDP"];
        _optNwrp = fields["nWRP"];
        _optcrWritable = fields.Where(f => f.Key is not ("OPTLOCK" or "OPTSTRT") && (_hasOptcr1 || f.Key != "DB1M"))
            .Aggregate(0u, (mask, f) => mask | f.Value.Mask);
        _rdpLevel0 = spec.Family.OptionBytes.Rdp.Level0;
        _rdpLevel2 = spec.Family.OptionBytes.Rdp.Level2 ?? throw new ChipConfigurationException($"{spec.PartName}: the catalog gives no RDP level-2 value.");
        _keys = new KeySequence(Map.Key1, Map.Key2);
        _optionKeys = new KeySequence(Map.OptKey1, Map.OptKey2);

        var stored = OptcrFactory & ~(_optLock.Mask | _optStrt.Mask);
        var stored1 = Optcr1Factory;
        foreach (var index in faults.WriteProtectedPages ?? new HashSet<int>())
        {
            if (index < 0 || index >= spec.Units.Count)
            {
                throw new ChipConfigurationException(
                    $"Write-protected sector {index} does not exist on {spec.PartName}: sectors are 0..{spec.Units.Count - 1}.");
            }

            if (index < 12)
            {
                stored &= ~(1u << (_optNwrp.Shift + index));
            }
            else
            {
                stored1 &= ~(1u << (_optNwrp.Shift + index - 12));
            }
        }

        var rdp = faults.Rdp2 ? _rdpLevel2 : faults.Rdp1 ? RdpLevel1Fault : _rdpLevel0;
        _storedOptcr = _optRdp.Insert(stored, rdp);
        _storedOptcr1 = stored1;
        Reset();
    }

    /// <summary>The RDP byte in force.</summary>
    public byte LoadedRdp { get; private set; }

    /// <summary>The stored (programmed) FLASH_OPTCR option bits, without OPTLOCK/OPTSTRT.</summary>
    public uint StoredOptcr => _storedOptcr;

    /// <inheritdoc />
    public override bool MainFlashReadable => LoadedRdp == _rdpLevel0;

    /// <inheritdoc />
    public override bool DebugPortClosed
    {
        get
        {
            Settle(); // the new RDP byte applies when the OPTSTRT operation ends
            return LoadedRdp == _rdpLevel2;
        }
    }

    /// <summary>F4 option bytes are reached through OPTCR only; the memory copy is not modeled on the bus.</summary>
    public override int OptionAreaSize => 0;

    /// <inheritdoc />
    public override void Reset()
    {
        base.Reset();
        _acr = 0;
        _crValue = _crLock.Mask;
        _srValue = 0;
        _keys.Reset();
        _optionKeys.Reset();
        _x64Pending = -1;
        _optionProgramming = false;
        Load();
    }

    /// <inheritdoc />
    public override uint ReadRegister(uint offset)
    {
        Settle();
        if (offset == _sr)
        {
            return _srValue | (Pending ? _srBsy.Mask : 0);
        }

        if (offset == _cr)
        {
            return _crValue;
        }

        if (offset == _optcr)
        {
            return _optcrValue | (_optionProgramming && Pending ? _optStrt.Mask : 0);
        }

        if (offset == _optcr1 && _hasOptcr1)
        {
            return _optcr1Value;
        }

        return offset == 0 ? _acr : 0; // KEYR/OPTKEYR write-only, reserved offsets read zero
    }

    /// <inheritdoc />
    public override BusResult WriteRegister(uint offset, uint value)
    {
        Settle();
        if (offset == 0)
        {
            _acr = value;
        }
        else if (offset == _keyr)
        {
            if ((_crValue & _crLock.Mask) == 0)
            {
                return BusResult.Ok;
            }

            switch (_keys.Write(value))
            {
                case null:
                    return BusResult.Fault;
                case true:
                    _crValue &= ~_crLock.Mask;
                    break;
            }
        }
        else if (offset == _optkeyr)
        {
            if ((_optcrValue & _optLock.Mask) == 0)
            {
                return BusResult.Ok;
            }

            switch (_optionKeys.Write(value))
            {
                case null:
                    return BusResult.Fault;
                case true:
                    _optcrValue &= ~_optLock.Mask;
                    break;
            }
        }
        else if (offset == _sr)
        {
            var clearable = _srEop.Mask | _srOperr.Mask | _srWrperr.Mask | _srPgaerr.Mask | _srPgperr.Mask | _srPgserr.Mask;
            _srValue &= ~(value & clearable);
        }
        else if (offset == _cr)
        {
            WriteControl(value);
        }
        else if (offset == _optcr)
        {
            WriteOptionControl(value);
        }
        else if (offset == _optcr1 && _hasOptcr1 && (_optcrValue & _optLock.Mask) == 0 && !Pending)
        {
            _optcr1Value = value & _optNwrp.Mask;
        }

        return BusResult.Ok;
    }

    /// <inheritdoc />
    public override BusResult WriteMain(int offset, AccessWidth width, uint value)
    {
        Settle();
        if (Pending)
        {
            return BusResult.Wait; // the AHB stalls a flash write until the previous operation ends (RM0090 §3.5.4)
        }

        if ((_crValue & _crPg.Mask) == 0 || (_crValue & (_crSer.Mask | _crMer.Mask | (_crMer1?.Mask ?? 0))) != 0)
        {
            _srValue |= _srPgserr.Mask; // a write to flash without a clean PG configuration (RM0090 §3.9.4 PGSERR)
            return BusResult.Ok;
        }

        var psizeBytes = 1 << (int)_crPsize.Extract(_crValue);
        if (psizeBytes == 8)
        {
            return WriteDoubleWord(offset, width, value);
        }

        if ((int)width != psizeBytes)
        {
            _srValue |= _srPgperr.Mask; // access size differs from PSIZE (RM0090 §3.9.4 PGPERR)
            return BusResult.Ok;
        }

        Span<byte> data = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(data, value);
        ProgramChecked(offset, data[..(int)width]);
        return BusResult.Ok;
    }

    /// <inheritdoc />
    public override uint ReadOptionArea(int offset, int size) => 0;

    /// <inheritdoc />
    protected override void OnOperationEnd()
    {
        if (_optionProgramming)
        {
            _optionProgramming = false;
            if (Faults.OptionByteWriteFails)
            {
                _srValue |= _srOperr.Mask; // the programming failed: old values stay (the F4 has no option-verify flag)
            }
            else
            {
                _storedOptcr = _optcrValue & _optcrWritable;
                _storedOptcr1 = _optcr1Value;
            }

            var locked = _optcrValue & _optLock.Mask;
            Load();
            _optcrValue = (_optcrValue & ~_optLock.Mask) | locked;
        }
        else
        {
            _crValue &= ~_crStrt.Mask;
        }

        if ((_crValue & _crEopie.Mask) != 0)
        {
            _srValue |= _srEop.Mask;
        }
    }

    private void Load()
    {
        LoadedRdp = (byte)_optRdp.Extract(_storedOptcr);
        _optcrValue = _storedOptcr | _optLock.Mask;
        _optcr1Value = _storedOptcr1;
    }

    private bool SectorProtected(FlashUnit unit)
    {
        if (!MainFlashReadable)
        {
            return true; // RDP level 1 with the debugger connected: no program or erase (RM0090 §3.7.3)
        }

        return unit.Index < 12
            ? (_optcrValue & (1u << (_optNwrp.Shift + unit.Index))) == 0
            : (_optcr1Value & (1u << (_optNwrp.Shift + unit.Index - 12))) == 0;
    }

    private void ProgramChecked(int offset, ReadOnlySpan<byte> data)
    {
        if (SectorProtected(Spec.UnitAt(offset)))
        {
            _srValue |= _srWrperr.Mask;
            return;
        }

        Program(offset, data);
    }

    private BusResult WriteDoubleWord(int offset, AccessWidth width, uint value)
    {
        if (width != AccessWidth.Word)
        {
            _srValue |= _srPgperr.Mask;
            _x64Pending = -1;
            return BusResult.Ok;
        }

        if (_x64Pending < 0)
        {
            if (offset % 8 != 0)
            {
                _srValue |= _srPgaerr.Mask;
                return BusResult.Ok;
            }

            _x64Pending = offset;
            _x64Low = value;
            return BusResult.Ok;
        }

        var low = _x64Pending;
        _x64Pending = -1;
        if (offset != low + 4)
        {
            _srValue |= _srPgaerr.Mask; // the second word is not in the same double word (RM0090 §3.9.4 PGAERR)
            return BusResult.Ok;
        }

        Span<byte> data = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(data, _x64Low);
        BinaryPrimitives.WriteUInt32LittleEndian(data[4..], value);
        ProgramChecked(low, data);
        return BusResult.Ok;
    }

    private void WriteControl(uint value)
    {
        if ((_crValue & _crLock.Mask) != 0)
        {
            return; // FLASH_CR is write-protected while LOCK is set
        }

        var strt = (value & _crStrt.Mask) != 0;
        _crValue = (value & ~_crStrt.Mask) | (_crValue & _crStrt.Mask);
        if (_crPg.IsSet(value) == false)
        {
            _x64Pending = -1;
        }

        if (!strt || Pending)
        {
            return;
        }

        var ser = _crSer.IsSet(_crValue);
        var mer = _crMer.IsSet(_crValue);
        var mer1 = _crMer1 is { } m1 && m1.IsSet(_crValue);
        if (_crPg.IsSet(_crValue) || (ser && (mer || mer1)))
        {
            _srValue |= _srPgserr.Mask; // conflicting operations selected (RM0090 §3.9.4 PGSERR)
            return;
        }

        if (ser)
        {
            StartSectorErase((int)_crSnb.Extract(_crValue));
        }
        else if (mer || mer1)
        {
            StartMassErase(mer, mer1);
        }
    }

    private void StartSectorErase(int snb)
    {
        var unit = Spec.Units.FirstOrDefault(u => u.Number == snb);
        if (unit is null)
        {
            _srValue |= _srPgserr.Mask; // no such sector
            return;
        }

        if (SectorProtected(unit))
        {
            _srValue |= _srWrperr.Mask;
            return;
        }

        _crValue |= _crStrt.Mask;
        Erase(unit.Offset, unit.Size, CurrentTimings.EraseTime((uint)unit.Size));
    }

    /// <summary>The timing column for the parallelism CR.PSIZE selects now (00 x8, 01 x16, 10 x32, 11 x64; RM0090 §3.5.2).</summary>
    protected override FamilyFlashTimes CurrentTimings => Spec.TimingsAt(1 << (int)_crPsize.Extract(_crValue));

    private void StartMassErase(bool bank1, bool bank2)
    {
        var banks = new List<int>();
        if (bank1)
        {
            banks.Add(1);
        }

        if (bank2 && Spec.BankCount > 1)
        {
            banks.Add(2);
        }

        // A mass erase is refused when any sector of the bank is write-protected (RM0090 §3.6.4), and at RDP level 1.
        if (banks.Any(bank => Spec.Units.Any(u => u.Bank == bank && SectorProtected(u))))
        {
            _srValue |= _srWrperr.Mask;
            return;
        }

        _crValue |= _crStrt.Mask;
        foreach (var bank in banks)
        {
            var (offset, length) = BankRange(bank);
            Erase(offset, length, CurrentTimings.MassErase.Time);
        }
    }

    private void WriteOptionControl(uint value)
    {
        if ((_optcrValue & _optLock.Mask) != 0 || Pending)
        {
            return; // FLASH_OPTCR is write-protected while OPTLOCK is set
        }

        _optcrValue = (value & (_optcrWritable | _optLock.Mask));
        if ((value & _optStrt.Mask) == 0 || (value & _optLock.Mask) != 0)
        {
            return;
        }

        var newRdp = (byte)_optRdp.Extract(_optcrValue);
        if (LoadedRdp == _rdpLevel2)
        {
            return; // level 2 is final
        }

        _optionProgramming = true;
        if (LoadedRdp != _rdpLevel0 && newRdp == _rdpLevel0 && !Faults.OptionByteWriteFails)
        {
            // Regression from level 1 to 0 erases the whole flash first (RM0090 §3.7.3).
            foreach (var bank in Enumerable.Range(1, Spec.BankCount))
            {
                var (offset, length) = BankRange(bank);
                Erase(offset, length, Spec.Timings.MassErase.Time);
            }
        }

        // Option programming time: not in the catalog or the datasheet tables consulted; modeled as one 16 KiB
        // sector erase (the option bytes live in their own small flash sector that is erased and rewritten).
        StartBusy(Spec.Timings.EraseTime(Spec.Units[0].Size > 0 ? (uint)Spec.Units[0].Size : 16384u));
    }
}
