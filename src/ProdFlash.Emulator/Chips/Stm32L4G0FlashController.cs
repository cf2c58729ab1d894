using System.Buffers.Binary;

using ProdFlash.Core.Devices;
using ProdFlash.Emulator.Target;

namespace ProdFlash.Emulator.Chips;

/// <summary>
/// The STM32G0 and STM32L4 flash interface at 0x40022000 (register map and bits from the catalog, reference §3.1,
/// RM0351 §3.3/§3.7 for L4, RM0444 §3.3/§3.7 for G0): double-word programming (two 32-bit writes to one 8-byte row),
/// PROGERR/PGAERR/SIZERR/PGSERR/WRPERR, page erase by PNB (+ BKER on dual-bank L4), MER1/MER2, OPTR with RDP,
/// WRP areas, OPTSTRT then OBL_LAUNCH (reload and system reset), OPTVERR.
/// </summary>
/// <remarks>
/// Not thread-safe; owned by one chip model. Fast programming (FSTPG) needs 32 double words delivered back to back,
/// which no debugger over SWD achieves: every FSTPG write ends in MISERR as on silicon (RM0351 §3.3.7), nothing is
/// programmed. The L4 DUALBANK = 0 geometry (4 KiB pages) is not modeled: the catalog's default layout applies.
/// </remarks>
public sealed class Stm32L4G0FlashController : Stm32FlashControllerBase
{
    /// <summary>SR.MISERR, fast programming data miss (RM0351 §3.7.5 b8; not in the catalog map).</summary>
    public const uint SrMisErr = 1u << 8;

    /// <summary>SR.FASTERR, fast programming error (RM0351 §3.7.5 b9).</summary>
    public const uint SrFastErr = 1u << 9;

    /// <summary>SR.OPTVERR, option validity error (RM0351 §3.7.5 / RM0444 §3.7.4 b15).</summary>
    public const uint SrOptVErr = 1u << 15;

    /// <summary>FLASH_OPTR of a factory-fresh L47x (RM0351 §3.7.8 reset value 0xFFEFF8AA: RDP 0xAA, DUALBANK = 1).</summary>
    public const uint L4OptrFactory = 0xFFEFF8AA;

    /// <summary>FLASH_OPTR of a factory-fresh G07x (RM0444 §3.7.8: 0xFFFFFEAA, RDP 0xAA).</summary>
    public const uint G0OptrFactory = 0xFFFFFEAA;

    /// <summary>WRPxAR value with no protected page: start above end (RM0351 §3.7.11, factory 0xFF00FFFF).</summary>
    public const uint WrpNone = 0xFF00FFFF;

    /// <summary>RDP byte the <c>rdp1</c> fault programs.</summary>
    public const byte RdpLevel1Fault = 0xBB;

    private readonly Action _systemReset;
    private readonly uint _keyr, _optkeyr, _sr, _cr, _optr, _wrp1ar, _wrp1br, _wrp2ar, _wrp2br;
    private readonly BitField _srBsy, _srEop, _srOperr, _srProgerr, _srWrperr, _srPgaerr, _srSizerr, _srPgserr;
    private readonly BitField _crPg, _crPer, _crMer1, _crPnb, _crBker, _crStrt, _crOptstrt, _crFstpg, _crEopie, _crOblLaunch, _crOptlock, _crLock;
    private readonly BitField? _crMer2;
    private readonly BitField _optRdp;
    private readonly byte _rdpLevel0;
    private readonly byte _rdpLevel2;
    private readonly KeySequence _keys;
    private readonly KeySequence _optionKeys;
    private readonly uint[] _stored = new uint[5]; // OPTR, WRP1AR, WRP1BR, WRP2AR, WRP2BR
    private readonly uint[] _loaded = new uint[5];
    private readonly uint[] _registers = new uint[5];
    private bool _reloadOnReset = true;
    private uint _acr;
    private uint _crValue;
    private uint _srValue;
    private int _firstWordOffset = -1;
    private uint _firstWord;
    private bool _optionProgramming;

    /// <summary>Creates the controller with factory option bytes changed by <paramref name="faults"/>.</summary>
    /// <param name="spec">The part.</param>
    /// <param name="clock">The modeled clock.</param>
    /// <param name="main">The main flash.</param>
    /// <param name="faults">Chip faults.</param>
    /// <param name="systemReset">What OBL_LAUNCH triggers: the chip's system reset (which reloads the option bytes).</param>
    /// <exception cref="ChipConfigurationException">A write-protected page that does not exist.</exception>
    public Stm32L4G0FlashController(Stm32ChipSpec spec, IModeledClock clock, NorFlashArray main, ChipFaults faults, Action systemReset)
        : base(spec, clock, main, faults)
    {
        ArgumentNullException.ThrowIfNull(systemReset);
        _systemReset = systemReset;
        _keyr = OffsetOf(FlashRegisterNames.Keyr);
        _optkeyr = OffsetOf(FlashRegisterNames.Optkeyr);
        _sr = OffsetOf(FlashRegisterNames.Sr);
        _cr = OffsetOf(FlashRegisterNames.Cr);
        _optr = OffsetOf(FlashRegisterNames.Optr);
        _wrp1ar = OffsetOf("WRP1AR");
        _wrp1br = OffsetOf("WRP1BR");
        _wrp2ar = OffsetOf("WRP2AR");
        _wrp2br = OffsetOf("WRP2BR");
        _srBsy = Bit("SR", "BSY");
        _srEop = Bit("SR", "EOP");
        _srOperr = Bit("SR", "OPERR");
        _srProgerr = Bit("SR", "PROGERR");
        _srWrperr = Bit("SR", "WRPERR");
        _srPgaerr = Bit("SR", "PGAERR");
        _srSizerr = Bit("SR", "SIZERR");
        _srPgserr = Bit("SR", "PGSERR");
        _crPg = Bit("CR", "PG");
        _crPer = Bit("CR", "PER");
        _crMer1 = Bit("CR", "MER1");
        _crMer2 = Map.TryGetBit("CR", "MER2", out var mer2) ? mer2 : null;
        _crPnb = Bit("CR", "PNB");
        _crBker = Bit("CR", "BKER");
        _crStrt = Bit("CR", "STRT");
        _crOptstrt = Bit("CR", "OPTSTRT");
        _crFstpg = Bit("CR", "FSTPG");
        _crEopie = Bit("CR", "EOPIE");
        _crOblLaunch = Bit("CR", "OBL_LAUNCH");
        _crOptlock = Bit("CR", "OPTLOCK");
        _crLock = Bit("CR", "LOCK");
        var ob = spec.Family.OptionBytes;
        _optRdp = ob.Fields[ob.Rdp.ByteField ?? "RDP"];
        _rdpLevel0 = ob.Rdp.Level0;
        _rdpLevel2 = ob.Rdp.Level2 ?? throw new ChipConfigurationException($"{spec.PartName}: the catalog gives no RDP level-2 value.");
        _keys = new KeySequence(Map.Key1, Map.Key2);
        _optionKeys = new KeySequence(Map.OptKey1, Map.OptKey2);

        var rdp = faults.Rdp2 ? _rdpLevel2 : faults.Rdp1 ? RdpLevel1Fault : _rdpLevel0;
        _stored[0] = _optRdp.Insert(spec.Family.Key == "g0" ? G0OptrFactory : L4OptrFactory, rdp);
        for (var i = 1; i < _stored.Length; i++)
        {
            _stored[i] = WrpNone;
        }

        ApplyWriteProtectionFault(spec, faults);
        Reset();
    }

    /// <summary>The RDP byte in force (loaded at power-on or the last OBL_LAUNCH).</summary>
    public byte LoadedRdp { get; private set; }

    /// <summary>The stored (programmed) FLASH_OPTR value.</summary>
    public uint StoredOptr => _stored[0];

    /// <inheritdoc />
    public override bool MainFlashReadable => LoadedRdp == _rdpLevel0;

    /// <inheritdoc />
    public override bool DebugPortClosed => LoadedRdp == _rdpLevel2;

    /// <summary>The option bytes are reached through FLASH_OPTR and the WRP registers; the memory copy is not modeled on the bus.</summary>
    public override int OptionAreaSize => 0;

    /// <inheritdoc />
    public override void Reset()
    {
        base.Reset();
        _acr = 0;
        _crValue = _crLock.Mask | _crOptlock.Mask;
        _srValue = 0;
        _keys.Reset();
        _optionKeys.Reset();
        _firstWordOffset = -1;
        _optionProgramming = false;
        if (_reloadOnReset)
        {
            // Option bytes load at power-on and on OBL_LAUNCH only, not at a plain system reset (RM0351 §3.4.2, RM0444 §3.4.2).
            Array.Copy(_stored, _loaded, _stored.Length);
            _reloadOnReset = false;
        }

        Array.Copy(_loaded, _registers, _loaded.Length);
        LoadedRdp = (byte)_optRdp.Extract(_loaded[0]);
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
            return _crValue | (_optionProgramming && Pending ? _crOptstrt.Mask : 0);
        }

        var index = OptionIndex(offset);
        if (index >= 0)
        {
            return _registers[index];
        }

        return offset == 0 ? _acr : 0;
    }

    /// <inheritdoc />
    public override BusResult WriteRegister(uint offset, uint value)
    {
        Settle();
        if (offset == 0)
        {
            _acr = value;
            return BusResult.Ok;
        }

        if (offset == _keyr)
        {
            if ((_crValue & _crLock.Mask) == 0)
            {
                return BusResult.Ok;
            }

            var done = _keys.Write(value);
            if (done is null)
            {
                return BusResult.Fault;
            }

            if (done.Value)
            {
                _crValue &= ~_crLock.Mask;
            }

            return BusResult.Ok;
        }

        if (offset == _optkeyr)
        {
            if ((_crValue & _crLock.Mask) != 0 || (_crValue & _crOptlock.Mask) == 0)
            {
                return BusResult.Ok; // OPTKEYR is heard only with the flash unlocked (RM0351 §3.4.2)
            }

            var done = _optionKeys.Write(value);
            if (done is null)
            {
                return BusResult.Fault;
            }

            if (done.Value)
            {
                _crValue &= ~_crOptlock.Mask;
            }

            return BusResult.Ok;
        }

        if (offset == _sr)
        {
            var clearable = _srEop.Mask | _srOperr.Mask | _srProgerr.Mask | _srWrperr.Mask | _srPgaerr.Mask | _srSizerr.Mask
                | _srPgserr.Mask | SrMisErr | SrFastErr | SrOptVErr;
            _srValue &= ~(value & clearable);
            return BusResult.Ok;
        }

        if (offset == _cr)
        {
            WriteControl(value);
            return BusResult.Ok;
        }

        var index = OptionIndex(offset);
        if (index >= 0 && (_crValue & _crOptlock.Mask) == 0 && !Pending)
        {
            _registers[index] = value;
        }

        return BusResult.Ok;
    }

    /// <inheritdoc />
    public override BusResult WriteMain(int offset, AccessWidth width, uint value)
    {
        Settle();
        if (Pending)
        {
            return BusResult.Wait; // the AHB stalls a flash write while BSY (RM0351 §3.3.7)
        }

        if ((_crValue & _crFstpg.Mask) != 0)
        {
            _srValue |= SrMisErr; // a debugger cannot feed the row in time
            return BusResult.Ok;
        }

        var errors = _srProgerr.Mask | _srSizerr.Mask | _srPgaerr.Mask | SrMisErr | SrFastErr;
        if ((_crValue & _crPg.Mask) == 0 || (_firstWordOffset < 0 && (_srValue & errors) != 0))
        {
            _srValue |= _srPgserr.Mask; // write without PG, or with an earlier error still set (RM0351 §3.7.5 PGSERR)
            return BusResult.Ok;
        }

        if (width != AccessWidth.Word)
        {
            _srValue |= _srSizerr.Mask;
            _firstWordOffset = -1;
            return BusResult.Ok;
        }

        if (_firstWordOffset < 0)
        {
            if (offset % 8 != 0)
            {
                _srValue |= _srPgaerr.Mask;
                return BusResult.Ok;
            }

            _firstWordOffset = offset;
            _firstWord = value;
            return BusResult.Ok;
        }

        var low = _firstWordOffset;
        _firstWordOffset = -1;
        if (offset != low + 4)
        {
            _srValue |= _srPgaerr.Mask; // the second word is not in the same double word
            return BusResult.Ok;
        }

        if (PageProtected(Spec.UnitAt(low)))
        {
            _srValue |= _srWrperr.Mask;
            return BusResult.Ok;
        }

        Span<byte> data = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(data, _firstWord);
        BinaryPrimitives.WriteUInt32LittleEndian(data[4..], value);
        if (!Main.IsErased(low, 8) && (_firstWord | value) != 0)
        {
            _srValue |= _srProgerr.Mask; // the double word was not erased and the data is not all zeros
            return BusResult.Ok;
        }

        Program(low, data);
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
                _srValue |= SrOptVErr; // the programmed options failed their check: the old values stay
                Array.Copy(_loaded, _registers, _loaded.Length);
            }
            else
            {
                Array.Copy(_registers, _stored, _stored.Length);
            }

            _crValue &= ~_crOptstrt.Mask;
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

    private int OptionIndex(uint offset) =>
        offset == _optr ? 0 : offset == _wrp1ar ? 1 : offset == _wrp1br ? 2 : offset == _wrp2ar ? 3 : offset == _wrp2br ? 4 : -1;

    private void ApplyWriteProtectionFault(Stm32ChipSpec spec, ChipFaults faults)
    {
        var pages = faults.WriteProtectedPages ?? new HashSet<int>();
        foreach (var bank in Enumerable.Range(1, spec.BankCount))
        {
            var inBank = new List<int>();
            foreach (var index in pages)
            {
                if (index < 0 || index >= spec.Units.Count)
                {
                    throw new ChipConfigurationException($"Write-protected page {index} does not exist on {spec.PartName}: pages are 0..{spec.Units.Count - 1}.");
                }

                if (spec.Units[index].Bank == bank)
                {
                    inBank.Add(spec.Units[index].Number);
                }
            }

            if (inBank.Count > 0)
            {
                // One WRP area per bank: the range from the lowest to the highest page asked for.
                _stored[bank == 1 ? 1 : 3] = 0xFF000000 | ((uint)inBank.Max() << 16) | (uint)inBank.Min();
            }
        }
    }

    private bool PageProtected(FlashUnit unit)
    {
        if (!MainFlashReadable)
        {
            return true; // RDP level 1 with the debugger connected: no program or page erase (RM0351 §3.5.1)
        }

        var areas = unit.Bank == 1 ? new[] { _registers[1], _registers[2] } : [_registers[3], _registers[4]];
        foreach (var area in areas)
        {
            var start = area & 0xFF;
            var end = (area >> 16) & 0xFF;
            if (start <= end && unit.Number >= start && unit.Number <= end)
            {
                return true;
            }
        }

        return false;
    }

    private void WriteControl(uint value)
    {
        if ((_crValue & _crLock.Mask) != 0)
        {
            return; // FLASH_CR is write-protected while LOCK is set
        }

        var start = (value & _crStrt.Mask) != 0;
        var optStart = (value & _crOptstrt.Mask) != 0;
        var launch = (value & _crOblLaunch.Mask) != 0;
        var sticky = _crValue & (_crStrt.Mask | _crOptstrt.Mask);

        // LOCK and OPTLOCK can be set by software, never cleared (only the key sequences clear them).
        var locks = (_crValue | value) & (_crLock.Mask | _crOptlock.Mask);
        _crValue = (value & ~(_crStrt.Mask | _crOptstrt.Mask | _crOblLaunch.Mask | _crLock.Mask | _crOptlock.Mask)) | locks | sticky;
        if ((_crValue & _crPg.Mask) == 0)
        {
            _firstWordOffset = -1;
        }

        if (launch && (_crValue & _crOptlock.Mask) == 0)
        {
            _reloadOnReset = true;
            _systemReset(); // OBL_LAUNCH: reload the option bytes and reset the chip (RM0351 §3.4.2)
            return;
        }

        if (Pending)
        {
            return;
        }

        if (optStart && (_crValue & _crOptlock.Mask) == 0)
        {
            StartOptionProgramming();
        }
        else if (start)
        {
            StartErase();
        }
    }

    private void StartErase()
    {
        var per = _crPer.IsSet(_crValue);
        var mer1 = _crMer1.IsSet(_crValue);
        var mer2 = _crMer2 is { } m2 && m2.IsSet(_crValue);
        if (_crPg.IsSet(_crValue) || (per && (mer1 || mer2)))
        {
            _srValue |= _srPgserr.Mask;
            return;
        }

        if (per)
        {
            var bank = Spec.BankCount > 1 && _crBker.IsSet(_crValue) ? 2 : 1;
            var number = (int)_crPnb.Extract(_crValue);
            var unit = Spec.Units.FirstOrDefault(u => u.Bank == bank && u.Number == number);
            if (unit is null)
            {
                _srValue |= _srPgserr.Mask;
                return;
            }

            if (PageProtected(unit))
            {
                _srValue |= _srWrperr.Mask;
                return;
            }

            _crValue |= _crStrt.Mask;
            Erase(unit.Offset, unit.Size, Spec.Timings.EraseTime((uint)unit.Size));
            return;
        }

        var banks = new List<int>();
        if (mer1)
        {
            banks.Add(1);
        }

        if (mer2 && Spec.BankCount > 1)
        {
            banks.Add(2);
        }

        if (banks.Count == 0)
        {
            return;
        }

        if (banks.Any(bank => Spec.Units.Any(u => u.Bank == bank && PageProtected(u))))
        {
            _srValue |= _srWrperr.Mask;
            return;
        }

        _crValue |= _crStrt.Mask;
        foreach (var bank in banks)
        {
            var (offset, length) = BankRange(bank);
            Erase(offset, length, Spec.Timings.MassErase.Time);
        }
    }

    private void StartOptionProgramming()
    {
        if (LoadedRdp == _rdpLevel2)
        {
            return; // level 2 is final
        }

        _optionProgramming = true;
        var newRdp = (byte)_optRdp.Extract(_registers[0]);
        if (LoadedRdp != _rdpLevel0 && newRdp == _rdpLevel0 && !Faults.OptionByteWriteFails)
        {
            // Regression from level 1 to 0 mass-erases the flash (RM0351 §3.5.1, RM0444 §3.5.1).
            foreach (var bank in Enumerable.Range(1, Spec.BankCount))
            {
                var (offset, length) = BankRange(bank);
                Erase(offset, length, Spec.Timings.MassErase.Time);
            }
        }

        // Option programming time is not in the catalog: modeled as one page erase (the option page is rewritten).
        StartBusy(Spec.Timings.EraseTime((uint)Spec.Units[0].Size));
    }
}
