using ProdFlash.Core.Devices;
using ProdFlash.Emulator.Target;

namespace ProdFlash.Emulator.Chips;

/// <summary>
/// The STM32F0 flash program/erase controller at 0x40022000 (register map and bits from the catalog, reference §3.1,
/// RM0360/RM0091 §3): the F1 FPEC (keys, half-word programming with PGERR/WRPRTERR, page/mass/option erase) plus
/// CR.OBL_LAUNCH, which reloads the option bytes and resets the chip, and the F0 readout protection (RDP 0xAA level 0,
/// 0xCC level 2, anything else level 1; OBR.RDPRT 00/01/11).
/// </summary>
/// <remarks>
/// Not thread-safe; owned by one chip model. Writes to flash other than half-words while PG is set return a bus error
/// (RM0360 §3.2.2: "any attempt to write data that are not half-word long will result in a bus error"). The option
/// block is 8 half-words, each byte with its complement above it, programmed a half-word at a time with OPTPG.
/// </remarks>
public sealed class Stm32F0FlashController : Stm32FlashControllerBase
{
    /// <summary>Size of the option-byte block.</summary>
    public const int OptionBlockSize = 16;

    /// <summary>RDP byte the <c>rdp1</c> fault programs.</summary>
    public const byte RdpLevel1Fault = 0x00;

    private readonly Action _systemReset;
    private readonly NorFlashArray _options = new(OptionBlockSize);
    private readonly uint _keyr, _optkeyr, _sr, _cr, _ar, _obr, _wrpr;
    private readonly BitField _srBsy, _srPgerr, _srWrprterr, _srEop;
    private readonly BitField _crPg, _crPer, _crMer, _crOptpg, _crOpter, _crStrt, _crLock, _crOptwre, _crOblLaunch;
    private readonly BitField _obrOpterr, _obrRdprt, _obrData0, _obrData1;
    private readonly int _obrUserShift;
    private readonly int _pagesPerWrpBit;
    private readonly byte _rdpLevel0;
    private readonly byte _rdpLevel2;
    private readonly KeySequence _keys;
    private readonly KeySequence _optionKeys;
    private uint _acr;
    private uint _crValue;
    private uint _srValue;
    private uint _arValue;
    private byte[] _loaded = new byte[OptionBlockSize / 2];
    private bool _loadError;
    private bool _reloadOnReset = true;

    /// <summary>Creates the controller with factory option bytes changed by <paramref name="faults"/>.</summary>
    /// <param name="spec">The part.</param>
    /// <param name="clock">The modeled clock.</param>
    /// <param name="main">The main flash.</param>
    /// <param name="faults">Chip faults.</param>
    /// <param name="systemReset">What OBL_LAUNCH triggers: the chip's system reset (which reloads the option bytes).</param>
    /// <exception cref="ChipConfigurationException">A write-protected page that does not exist.</exception>
    public Stm32F0FlashController(Stm32ChipSpec spec, IModeledClock clock, NorFlashArray main, ChipFaults faults, Action systemReset)
        : base(spec, clock, main, faults)
    {
        ArgumentNullException.ThrowIfNull(systemReset);
        _systemReset = systemReset;
        _keyr = OffsetOf(FlashRegisterNames.Keyr);
        _optkeyr = OffsetOf(FlashRegisterNames.Optkeyr);
        _sr = OffsetOf(FlashRegisterNames.Sr);
        _cr = OffsetOf(FlashRegisterNames.Cr);
        _ar = OffsetOf(FlashRegisterNames.Ar);
        _obr = OffsetOf(FlashRegisterNames.Obr);
        _wrpr = OffsetOf(FlashRegisterNames.Wrpr);
        _srBsy = Bit("SR", "BSY");
        _srPgerr = Bit("SR", "PGERR");
        _srWrprterr = Bit("SR", "WRPRTERR");
        _srEop = Bit("SR", "EOP");
        _crPg = Bit("CR", "PG");
        _crPer = Bit("CR", "PER");
        _crMer = Bit("CR", "MER");
        _crOptpg = Bit("CR", "OPTPG");
        _crOpter = Bit("CR", "OPTER");
        _crStrt = Bit("CR", "STRT");
        _crLock = Bit("CR", "LOCK");
        _crOptwre = Bit("CR", "OPTWRE");
        _crOblLaunch = Bit("CR", "OBL_LAUNCH");
        var ob = spec.Family.OptionBytes;
        _obrOpterr = ob.Fields["OPTERR"];
        _obrRdprt = ob.Fields[ob.Rdp.StatusField ?? "RDPRT"];
        _obrData0 = ob.Fields["DATA0"];
        _obrData1 = ob.Fields["DATA1"];
        _obrUserShift = ob.Fields["WDG_SW"].Shift; // the USER byte sits in OBR from WDG_SW (its bit 0) upward
        _rdpLevel0 = ob.Rdp.Level0;
        _rdpLevel2 = ob.Rdp.Level2 ?? throw new ChipConfigurationException($"{spec.PartName}: the catalog gives no RDP level-2 value.");
        _pagesPerWrpBit = spec.Part.Line.WriteProtectionPagesPerBit
            ?? throw new ChipConfigurationException($"The catalog gives no WRP granule for {spec.PartName}.");
        _keys = new KeySequence(Map.Key1, Map.Key2);
        _optionKeys = new KeySequence(Map.OptKey1, Map.OptKey2);

        var wrp = 0xFFFFFFFFu;
        foreach (var page in faults.WriteProtectedPages ?? new HashSet<int>())
        {
            if (page < 0 || page >= spec.Units.Count)
            {
                throw new ChipConfigurationException($"Write-protected page {page} does not exist on {spec.PartName}: pages are 0..{spec.Units.Count - 1}.");
            }

            wrp &= ~(1u << Math.Min(page / _pagesPerWrpBit, 31));
        }

        var rdp = faults.Rdp2 ? _rdpLevel2 : faults.Rdp1 ? RdpLevel1Fault : _rdpLevel0;
        byte[] values = [rdp, 0xFF, 0xFF, 0xFF, (byte)wrp, (byte)(wrp >> 8), (byte)(wrp >> 16), (byte)(wrp >> 24)];
        for (var i = 0; i < values.Length; i++)
        {
            _options.ProgramHalfWord(2 * i, RdpEncoding.WithComplement(values[i]));
        }

        Reset();
    }

    /// <summary>The RDP byte in force (loaded at power-on or the last OBL_LAUNCH).</summary>
    public byte LoadedRdp => _loaded[0];

    /// <summary>The raw option block as stored now.</summary>
    public ReadOnlySpan<byte> OptionBlock => _options.Contents;

    /// <inheritdoc />
    public override bool MainFlashReadable => LoadedRdp == _rdpLevel0;

    /// <inheritdoc />
    public override bool DebugPortClosed => LoadedRdp == _rdpLevel2;

    /// <inheritdoc />
    public override int OptionAreaSize => OptionBlockSize;

    /// <inheritdoc />
    public override void Reset()
    {
        base.Reset();
        _acr = 0;
        _crValue = _crLock.Mask;
        _srValue = 0;
        _arValue = 0;
        _keys.Reset();
        _optionKeys.Reset();
        if (_reloadOnReset)
        {
            // The option-byte loader runs at power-on and on OBL_LAUNCH, not at a plain system reset (RM0360 §4.1).
            Load();
            _reloadOnReset = false;
        }
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

        if (offset == _ar)
        {
            return _arValue;
        }

        if (offset == _obr)
        {
            var level = LoadedRdp == _rdpLevel0 ? 0u : LoadedRdp == _rdpLevel2 ? 3u : 1u;
            var value = _obrRdprt.Insert(0, level) | ((uint)_loaded[1] << _obrUserShift);
            value = _obrData0.Insert(value, _loaded[2]);
            value = _obrData1.Insert(value, _loaded[3]);
            return _loadError ? value | _obrOpterr.Mask : value;
        }

        if (offset == _wrpr)
        {
            return (uint)(_loaded[4] | (_loaded[5] << 8) | (_loaded[6] << 16) | (_loaded[7] << 24));
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
        }
        else if (offset == _keyr)
        {
            if ((_crValue & _crLock.Mask) != 0)
            {
                var done = _keys.Write(value);
                if (done is null)
                {
                    return BusResult.Fault;
                }

                if (done.Value)
                {
                    _crValue &= ~_crLock.Mask;
                }
            }
        }
        else if (offset == _optkeyr)
        {
            if ((_crValue & _crLock.Mask) == 0 && (_crValue & _crOptwre.Mask) == 0)
            {
                var done = _optionKeys.Write(value);
                if (done is null)
                {
                    return BusResult.Fault;
                }

                if (done.Value)
                {
                    _crValue |= _crOptwre.Mask;
                }
            }
        }
        else if (offset == _sr)
        {
            _srValue &= ~(value & (_srPgerr.Mask | _srWrprterr.Mask | _srEop.Mask));
        }
        else if (offset == _cr)
        {
            WriteControl(value);
        }
        else if (offset == _ar)
        {
            _arValue = value;
        }

        return BusResult.Ok;
    }

    /// <inheritdoc />
    public override BusResult WriteMain(int offset, AccessWidth width, uint value)
    {
        Settle();
        if (Pending)
        {
            return BusResult.Wait;
        }

        if ((_crValue & _crPg.Mask) == 0)
        {
            return BusResult.Ok;
        }

        if (width != AccessWidth.HalfWord)
        {
            return BusResult.Fault; // RM0360 §3.2.2: only half-word writes program; others are bus errors
        }

        if (PageProtected(offset / Spec.Units[0].Size))
        {
            _srValue |= _srWrprterr.Mask;
            return BusResult.Ok;
        }

        if (Main.ReadHalfWord(offset) != 0xFFFF && value != 0)
        {
            _srValue |= _srPgerr.Mask; // not erased (RM0360 §3.2.2)
            return BusResult.Ok;
        }

        Program(offset, [(byte)value, (byte)(value >> 8)]);
        return BusResult.Ok;
    }

    /// <inheritdoc />
    public override uint ReadOptionArea(int offset, int size) => _options.Read(offset, size);

    /// <inheritdoc />
    public override BusResult WriteOptionArea(int offset, AccessWidth width, uint value)
    {
        Settle();
        if (Pending)
        {
            return BusResult.Wait;
        }

        if ((_crValue & (_crOptpg.Mask | _crOptwre.Mask)) != (_crOptpg.Mask | _crOptwre.Mask))
        {
            return BusResult.Ok;
        }

        if (width != AccessWidth.HalfWord)
        {
            return BusResult.Fault;
        }

        if (Faults.OptionByteWriteFails || _options.ReadHalfWord(offset) != 0xFFFF)
        {
            _srValue |= _srPgerr.Mask; // the option half-word is not erased (or the ob-write-fail fault): nothing changes
            return BusResult.Ok;
        }

        var option = (byte)value;
        _options.ProgramHalfWord(offset, RdpEncoding.WithComplement(option)); // the interface stores the complement itself
        StartBusy(Spec.Timings.Program.Time);
        return BusResult.Ok;
    }

    /// <inheritdoc />
    protected override void OnOperationEnd()
    {
        _crValue &= ~_crStrt.Mask;
        _srValue |= _srEop.Mask;
    }

    private void Load()
    {
        var values = new byte[OptionBlockSize / 2];
        _loadError = false;
        for (var i = 0; i < values.Length; i++)
        {
            var pair = _options.ReadHalfWord(2 * i);
            var low = (byte)pair;
            if (pair == 0xFFFF)
            {
                values[i] = 0xFF;
            }
            else if ((byte)~low == (byte)(pair >> 8))
            {
                values[i] = low;
            }
            else
            {
                values[i] = 0xFF;
                _loadError = true;
            }
        }

        _loaded = values;
    }

    private bool PageProtected(int page)
    {
        if (!MainFlashReadable)
        {
            return true;
        }

        var wrp = (uint)(_loaded[4] | (_loaded[5] << 8) | (_loaded[6] << 16) | (_loaded[7] << 24));
        return (wrp & (1u << Math.Min(page / _pagesPerWrpBit, 31))) == 0;
    }

    private void WriteControl(uint value)
    {
        if ((_crValue & _crLock.Mask) != 0)
        {
            return;
        }

        if ((value & _crOblLaunch.Mask) != 0)
        {
            _reloadOnReset = true;
            _systemReset(); // OBL_LAUNCH reloads the option bytes and resets the chip (RM0360 §3.5.5)
            return;
        }

        var optWre = (value & _crOptwre.Mask) != 0 ? _crValue & _crOptwre.Mask : 0; // software clears OPTWRE, never sets it
        var strtWasSet = _crValue & _crStrt.Mask;
        var software = _crPg.Mask | _crPer.Mask | _crMer.Mask | _crOptpg.Mask | _crOpter.Mask | _crLock.Mask | Bit("CR", "ERRIE").Mask | Bit("CR", "EOPIE").Mask;
        _crValue = (value & software) | optWre | strtWasSet;
        if ((value & _crStrt.Mask) == 0 || strtWasSet != 0 || Pending || (_crValue & _crPg.Mask) != 0)
        {
            return;
        }

        if ((_crValue & _crPer.Mask) != 0)
        {
            var offset = (long)_arValue - Spec.FlashBase;
            if (offset < 0 || offset >= Spec.FlashSize)
            {
                return;
            }

            var unit = Spec.UnitAt((int)offset);
            if (PageProtected(unit.Index))
            {
                _srValue |= _srWrprterr.Mask;
                return;
            }

            _crValue |= _crStrt.Mask;
            Erase(unit.Offset, unit.Size, Spec.Timings.EraseTime((uint)unit.Size));
        }
        else if ((_crValue & _crMer.Mask) != 0)
        {
            _crValue |= _crStrt.Mask;
            Erase(0, Spec.FlashSize, Spec.Timings.MassErase.Time);
        }
        else if ((_crValue & (_crOpter.Mask | _crOptwre.Mask)) == (_crOpter.Mask | _crOptwre.Mask))
        {
            if (!Faults.OptionByteWriteFails)
            {
                if (LoadedRdp != _rdpLevel0)
                {
                    // Leaving level 1 starts here: erasing the option bytes of a protected chip mass-erases the main
                    // flash first (reference §4.1 "regression 1→0 mass-erases"). Modeled at the option erase, where
                    // OpenOCD's stm32f1x unlock waits its erase timeout, not at the RDP half-word (a 5 ms wait).
                    Erase(0, Spec.FlashSize, Spec.Timings.MassErase.Time);
                }

                _options.EraseAll();
            }

            _crValue |= _crStrt.Mask;
            StartBusy(Spec.Timings.EraseTime((uint)Spec.Units[0].Size));
        }
    }
}
