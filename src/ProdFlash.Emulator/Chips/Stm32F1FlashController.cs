using ProdFlash.Emulator.Target;

namespace ProdFlash.Emulator.Chips;

/// <summary>
/// The STM32F1 flash program/erase controller (FPEC) at 0x40022000 with the main flash and option-byte arrays it
/// drives: keys, lock, BSY for the modeled time, PGERR/WRPRTERR/EOP, page/mass/option erase, half-word programming,
/// write protection and readout protection; on XL-density parts a second register set (KEYR2/SR2/CR2/AR2 at +0x40)
/// with its own lock and BSY for bank 2. Register map and bits: reference §3.1 (OCD-f1, RM0008 §3.4);
/// procedures: §3.3 and OpenOCD <c>stm32f1x.c</c>; option bytes and RDP: §4.1/§4.2 and PM0075 §2.4–2.5.
/// </summary>
/// <remarks>
/// Not thread-safe; owned by one chip model. Every access is a debugger access (the model runs no code), so readout
/// protection always applies as "debug connected". Operations take effect when they start; BSY then stays set until
/// <see cref="IModeledClock.Now"/> reaches the end of the operation.
/// </remarks>
public sealed class Stm32F1FlashController
{
    /// <summary>FLASH_ACR offset.</summary>
    public const uint AcrOffset = 0x00;

    /// <summary>FLASH_KEYR offset.</summary>
    public const uint KeyrOffset = 0x04;

    /// <summary>FLASH_OPTKEYR offset.</summary>
    public const uint OptKeyrOffset = 0x08;

    /// <summary>FLASH_SR offset.</summary>
    public const uint SrOffset = 0x0C;

    /// <summary>FLASH_CR offset.</summary>
    public const uint CrOffset = 0x10;

    /// <summary>FLASH_AR offset.</summary>
    public const uint ArOffset = 0x14;

    /// <summary>FLASH_OBR offset.</summary>
    public const uint ObrOffset = 0x1C;

    /// <summary>FLASH_WRPR offset.</summary>
    public const uint WrprOffset = 0x20;

    /// <summary>Size of the FPEC register window.</summary>
    public const uint RegisterWindowSize = 0x400;

    /// <summary>
    /// First F1 unlock key for KEYR and OPTKEYR (reference §3.2), for drivers and tests; the model itself compares
    /// against <see cref="Stm32F1ChipSpec.FlashKey1"/> from the catalog, and a test pins the two together.
    /// </summary>
    public const uint Key1 = 0x45670123;

    /// <summary>Second F1 unlock key for KEYR and OPTKEYR (reference §3.2); see <see cref="Key1"/>.</summary>
    public const uint Key2 = 0xCDEF89AB;

    /// <summary>SR.BSY.</summary>
    public const uint SrBsy = 1u << 0;

    /// <summary>SR.PGERR: programming a half-word that is not erased, or a byte.</summary>
    public const uint SrPgErr = 1u << 2;

    /// <summary>SR.WRPRTERR: program or erase of a write-protected (or readout-protected) page.</summary>
    public const uint SrWrprtErr = 1u << 4;

    /// <summary>SR.EOP: end of operation.</summary>
    public const uint SrEop = 1u << 5;

    /// <summary>CR.PG: programming.</summary>
    public const uint CrPg = 1u << 0;

    /// <summary>CR.PER: page erase.</summary>
    public const uint CrPer = 1u << 1;

    /// <summary>CR.MER: mass erase.</summary>
    public const uint CrMer = 1u << 2;

    /// <summary>CR.OPTPG: option-byte programming.</summary>
    public const uint CrOptPg = 1u << 4;

    /// <summary>CR.OPTER: option-byte erase.</summary>
    public const uint CrOptEr = 1u << 5;

    /// <summary>CR.STRT: start an erase.</summary>
    public const uint CrStrt = 1u << 6;

    /// <summary>CR.LOCK.</summary>
    public const uint CrLock = 1u << 7;

    /// <summary>CR.OPTWRE: option bytes write enabled (set by hardware after OPTKEYR; software can only clear it).</summary>
    public const uint CrOptWre = 1u << 9;

    /// <summary>CR.ERRIE.</summary>
    public const uint CrErrIe = 1u << 10;

    /// <summary>CR.EOPIE.</summary>
    public const uint CrEopIe = 1u << 12;

    /// <summary>FLASH_ACR reset value: prefetch buffer enabled and its status set (RM0008 §3.4.1).</summary>
    public const uint AcrResetValue = 0x30;

    /// <summary>Offset of the bank-2 register set from the bank-1 one on XL-density parts (reference §2.4 F1 card, §3.1: KEYR2 0x44, SR2 0x4C, CR2 0x50, AR2 0x54).</summary>
    public const uint Bank2RegisterOffset = 0x40;

    private const uint AcrWritableMask = 0x1F; // LATENCY[2:0], HLFCYA, PRFTBE; PRFTBS (b5) mirrors PRFTBE
    private const uint CrSoftwareMask = CrPg | CrPer | CrMer | CrOptPg | CrOptEr | CrLock | CrErrIe | CrEopIe;
    private const uint Cr2SoftwareMask = CrPg | CrPer | CrMer | CrLock | CrErrIe | CrEopIe; // FLASH_CR2 has no option bits (OCD-f1 uses CR2 for bank-2 page/mass erase and programming only)
    private const uint SrClearableMask = SrPgErr | SrWrprtErr | SrEop;

    private readonly Stm32F1ChipSpec _spec;
    private readonly IModeledClock _clock;
    private readonly NorFlashArray _main;
    private readonly NorFlashArray _options;
    private readonly Bank _bank1;
    private readonly Bank? _bank2;
    private uint _acr = AcrResetValue;
    private int _optionKeyStage;
    private bool _optionKeysLockedUntilReset;
    private long _bytesProgrammed;
    private long _pagesErased;
    private long _massErases;
    private readonly bool _optionWriteFails;

    /// <summary>Creates the controller over the two arrays and loads the option bytes (as at power-on).</summary>
    /// <param name="spec">The part.</param>
    /// <param name="clock">The modeled clock.</param>
    /// <param name="main">The main flash.</param>
    /// <param name="options">The option-byte block.</param>
    /// <param name="faults">Chip faults the controller applies (<see cref="ChipFaults.OptionByteWriteFails"/>); none when null.</param>
    public Stm32F1FlashController(Stm32F1ChipSpec spec, IModeledClock clock, NorFlashArray main, NorFlashArray options, ChipFaults? faults = null)
    {
        _optionWriteFails = faults?.OptionByteWriteFails ?? false;
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(main);
        ArgumentNullException.ThrowIfNull(options);
        _spec = spec;
        _clock = clock;
        _main = main;
        _options = options;
        var bank2 = spec.Bank2Offset is { } b2 && b2 > 0 && b2 < spec.FlashSize ? b2 : (int?)null;
        _bank1 = new Bank(0, bank2 ?? spec.FlashSize);
        _bank2 = bank2 is { } start ? new Bank(start, spec.FlashSize) : null;
        LoadedOptions = Stm32F1OptionBytes.Load(options.Contents);
    }

    /// <summary>The option bytes loaded at the last reset: what FLASH_OBR/WRPR show and what protection obeys.</summary>
    public Stm32F1OptionBytes LoadedOptions { get; private set; }

    /// <summary>Whether a program or erase operation is still running (in either bank) at the current modeled time.</summary>
    public bool IsBusy
    {
        get
        {
            Settle();
            return _bank1.Pending || (_bank2?.Pending ?? false);
        }
    }

    /// <summary>Modeled time at which the current (or last) operation of either bank ends.</summary>
    public TimeSpan BusyUntil => _bank2 is { } b2 && b2.BusyUntil > _bank1.BusyUntil ? b2.BusyUntil : _bank1.BusyUntil;

    /// <summary>Whether FLASH_CR.LOCK is set.</summary>
    public bool IsLocked => _bank1.IsLocked;

    /// <summary>Whether the part has a second bank with its own register set (XL density).</summary>
    public bool HasBank2 => _bank2 is not null;

    /// <summary>Offset of the first main-flash half-word programmed since power-up, or -1 (the <c>verify-mismatch</c> fault's victim).</summary>
    public int FirstProgrammedOffset { get; private set; } = -1;

    /// <summary>What has been programmed and erased so far.</summary>
    public FlashCounters Counters => new(_bytesProgrammed, _pagesErased, _massErases);

    /// <summary>Whether the debugger may read the main flash (false under readout protection).</summary>
    public bool MainFlashReadable => !LoadedOptions.ReadoutProtected;

    /// <summary>
    /// System reset: registers to their reset values (locked, keys forgotten, errors cleared, any operation abandoned)
    /// and the option bytes reloaded — the moment a new RDP level or WRP takes effect on F1 (reference §4.1).
    /// </summary>
    public void Reset()
    {
        _acr = AcrResetValue;
        _bank1.Reset(_clock.Now);
        _bank2?.Reset(_clock.Now);
        _optionKeyStage = 0;
        _optionKeysLockedUntilReset = false;
        LoadedOptions = Stm32F1OptionBytes.Load(_options.Contents);
    }

    /// <summary>Reads the register at <paramref name="offset"/> from the FPEC base (bank-2 registers at +0x40 on XL parts).</summary>
    public uint ReadRegister(uint offset)
    {
        Settle();
        if (_bank2 is { } bank2 && offset >= Bank2RegisterOffset)
        {
            return (offset - Bank2RegisterOffset) switch
            {
                SrOffset => bank2.Sr | (bank2.Pending ? SrBsy : 0),
                CrOffset => bank2.Cr,
                ArOffset => bank2.Ar,
                _ => 0, // KEYR2 is write-only; other offsets reserved
            };
        }

        return offset switch
        {
            AcrOffset => _acr | ((_acr & 0x10) << 1),
            SrOffset => _bank1.Sr | (_bank1.Pending ? SrBsy : 0),
            CrOffset => _bank1.Cr,
            ArOffset => _bank1.Ar,
            ObrOffset => LoadedOptions.ObrValue,
            WrprOffset => LoadedOptions.WrprValue,
            _ => 0, // KEYR/OPTKEYR are write-only; reserved offsets read as zero
        };
    }

    /// <summary>Writes the register at <paramref name="offset"/>; a wrong unlock key returns a bus fault.</summary>
    public BusResult WriteRegister(uint offset, uint value)
    {
        Settle();
        if (_bank2 is { } bank2 && offset >= Bank2RegisterOffset)
        {
            switch (offset - Bank2RegisterOffset)
            {
                case KeyrOffset:
                    return WriteKey(bank2, value);
                case SrOffset:
                    bank2.Sr &= ~(value & SrClearableMask);
                    return BusResult.Ok;
                case CrOffset:
                    WriteControl2(bank2, value);
                    return BusResult.Ok;
                case ArOffset:
                    bank2.Ar = value;
                    return BusResult.Ok;
                default:
                    return BusResult.Ok; // reserved
            }
        }

        switch (offset)
        {
            case AcrOffset:
                _acr = value & AcrWritableMask;
                return BusResult.Ok;
            case KeyrOffset:
                return WriteKey(_bank1, value);
            case OptKeyrOffset:
                return WriteOptionKey(value);
            case SrOffset:
                _bank1.Sr &= ~(value & SrClearableMask);
                return BusResult.Ok;
            case CrOffset:
                WriteControl(value);
                return BusResult.Ok;
            case ArOffset:
                _bank1.Ar = value;
                return BusResult.Ok;
            default:
                return BusResult.Ok; // read-only or reserved
        }
    }

    /// <summary>
    /// A bus write into main flash at <paramref name="offset"/> (0-based). With PG set in the register set of the bank
    /// holding the offset, a half-word is programmed; a word is split into two half-word programs, low address first,
    /// the second stalling the bus until the first ends; a byte sets PGERR. Without PG the write is ignored. Returns
    /// <see cref="BusResult.Wait"/> while that bank is busy.
    /// </summary>
    /// <remarks>
    /// 32-bit writes: the genuine F103's flash interface accepts an AHB word write in programming mode and programs
    /// both half-words (inferred: embassy-stm32 <c>f1f3.rs</c> commit 4239a438 reports that only the APM32 clone
    /// programs just one half-word of such a write; BMP treats native 32-bit programming as a GD32 extension). The
    /// model charges two half-word programming times.
    /// </remarks>
    public BusResult WriteMain(int offset, AccessWidth width, uint value)
    {
        Settle();
        var bank = BankOf(offset);
        if (bank.Pending)
        {
            return BusResult.Wait;
        }

        if ((bank.Cr & CrPg) == 0)
        {
            return BusResult.Ok;
        }

        switch (width)
        {
            case AccessWidth.Byte:
                bank.Sr |= SrPgErr;
                break;
            case AccessWidth.HalfWord:
                ProgramMainHalfWord(bank, offset, (ushort)value);
                break;
            default:
                if (ProgramMainHalfWord(bank, offset, (ushort)value))
                {
                    ProgramMainHalfWord(bank, offset + 2, (ushort)(value >> 16));
                }

                break;
        }

        return BusResult.Ok;
    }

    /// <summary>
    /// A bus write into the option-byte block at <paramref name="offset"/> (0..15). With OPTPG and OPTWRE set, the
    /// low byte of each half-word is programmed and the flash interface stores its complement in the high byte
    /// (inferred: OpenOCD <c>stm32x_write_options</c> writes only the byte, e.g. 0x00A5, and a genuine F103 then reads
    /// 0x5AA5 — STCOMM "STM32F103: unlock RDP without reset"). Programming RDP = 0xA5 while readout protection is
    /// active first forces a mass erase of the main flash (PM0075 §2.4 "Unprotection"), both banks on XL parts.
    /// </summary>
    public BusResult WriteOptionBytes(int offset, AccessWidth width, uint value)
    {
        Settle();
        if (_bank1.Pending)
        {
            return BusResult.Wait;
        }

        if ((_bank1.Cr & (CrOptPg | CrOptWre)) != (CrOptPg | CrOptWre))
        {
            return BusResult.Ok;
        }

        switch (width)
        {
            case AccessWidth.Byte:
                _bank1.Sr |= SrPgErr;
                break;
            case AccessWidth.HalfWord:
                ProgramOptionHalfWord(offset, (byte)value);
                break;
            default:
                if (ProgramOptionHalfWord(offset, (byte)value))
                {
                    ProgramOptionHalfWord(offset + 2, (byte)(value >> 16));
                }

                break;
        }

        return BusResult.Ok;
    }

    /// <summary>Whether main-flash page <paramref name="page"/> may not be programmed or erased by the debugger now.</summary>
    public bool IsPageProtected(int page)
    {
        if (LoadedOptions.ReadoutProtected)
        {
            return true; // level 1 with debug connected: program/page erase refused (reference §4.1)
        }

        var bit = Math.Min(page / _spec.PagesPerWriteProtectBit, 31); // bit 31 covers all remaining pages (§2.3)
        return (LoadedOptions.WriteProtection & (1u << bit)) == 0;
    }

    private Bank BankOf(int offset) => _bank2 is { } bank2 && bank2.Contains(offset) ? bank2 : _bank1;

    private void Settle()
    {
        _bank1.Settle(_clock.Now);
        _bank2?.Settle(_clock.Now);
    }

    private void StartBusy(Bank bank, TimeSpan duration)
    {
        var start = bank.Pending ? bank.BusyUntil : _clock.Now;
        bank.BusyUntil = start + duration;
        bank.Pending = true;
    }

    private BusResult WriteKey(Bank bank, uint value)
    {
        if (bank.LockedUntilReset)
        {
            return BusResult.Fault;
        }

        if (!bank.IsLocked)
        {
            // Keys written while already unlocked are ignored (RM0008 §3.3.3, as quoted in TheKikGen/stm32-tkg-hid-bootloader
            // PR #12; OpenOCD's "stm32f1x unlock" relies on it: it writes KEY1/KEY2 again after stm32x_erase_options left
            // the FPEC unlocked).
            return BusResult.Ok;
        }

        if (bank.KeyStage == 0 && value == _spec.FlashKey1)
        {
            bank.KeyStage = 1;
            return BusResult.Ok;
        }

        if (bank.KeyStage == 1 && value == _spec.FlashKey2)
        {
            bank.KeyStage = 0;
            bank.Cr &= ~CrLock;
            return BusResult.Ok;
        }

        // RM0008 §3.3.1: a wrong sequence returns a bus error and locks the FPEC and FLASH_CR until the next reset
        // (bank 2's KEYR2/CR2 modeled alike).
        bank.KeyStage = 0;
        bank.LockedUntilReset = true;
        return BusResult.Fault;
    }

    private BusResult WriteOptionKey(uint value)
    {
        if (_optionKeysLockedUntilReset)
        {
            return BusResult.Fault;
        }

        if (_bank1.IsLocked || (_bank1.Cr & CrOptWre) != 0)
        {
            return BusResult.Ok; // OPTKEYR is only heard once the FPEC is unlocked, and not again once OPTWRE is set
        }

        if (_optionKeyStage == 0 && value == _spec.OptionKey1)
        {
            _optionKeyStage = 1;
            return BusResult.Ok;
        }

        if (_optionKeyStage == 1 && value == _spec.OptionKey2)
        {
            _optionKeyStage = 0;
            _bank1.Cr |= CrOptWre;
            return BusResult.Ok;
        }

        // Modeled like KEYR (same key mechanism): a wrong sequence faults and blocks option unlock until reset.
        _optionKeyStage = 0;
        _optionKeysLockedUntilReset = true;
        return BusResult.Fault;
    }

    private void WriteControl(uint value)
    {
        var bank = _bank1;
        if (bank.IsLocked)
        {
            return; // FLASH_CR is write-protected while locked; only the key sequence clears LOCK
        }

        var optWre = (value & CrOptWre) != 0 ? bank.Cr & CrOptWre : 0; // software can clear OPTWRE, never set it
        var strtWasSet = (bank.Cr & CrStrt) != 0;
        bank.Cr = (value & CrSoftwareMask) | optWre | (strtWasSet ? CrStrt : 0);
        if ((value & CrStrt) == 0 || strtWasSet || bank.Pending)
        {
            return;
        }

        if ((bank.Cr & CrPg) != 0)
        {
            // An erase started while PG is still set does nothing on an F103 (libopencm3 issue #253 and PR #250, tested
            // on STM32F103CB/RB: "the PG bit must be cleared after programming, otherwise a subsequent erase attempt fails").
            return;
        }

        if ((bank.Cr & CrPer) != 0)
        {
            StartPageErase(bank);
        }
        else if ((bank.Cr & CrMer) != 0)
        {
            StartMassErase(bank);
        }
        else if ((bank.Cr & (CrOptEr | CrOptWre)) == (CrOptEr | CrOptWre))
        {
            if (!_optionWriteFails)
            {
                _options.EraseAll(); // with ob-write-fail the block keeps its old values (the erase completes, changes nothing)
            }

            bank.Cr |= CrStrt;
            StartBusy(bank, _spec.TypicalTimings.PageErase);
        }
    }

    private void WriteControl2(Bank bank, uint value)
    {
        if (bank.IsLocked)
        {
            return; // FLASH_CR2 is write-protected while bank 2 is locked (KEYR2 unlocks it)
        }

        var strtWasSet = (bank.Cr & CrStrt) != 0;
        bank.Cr = (value & Cr2SoftwareMask) | (strtWasSet ? CrStrt : 0);
        if ((value & CrStrt) == 0 || strtWasSet || bank.Pending || (bank.Cr & CrPg) != 0)
        {
            return; // as FLASH_CR: no erase starts while PG is set
        }

        if ((bank.Cr & CrPer) != 0)
        {
            StartPageErase(bank);
        }
        else if ((bank.Cr & CrMer) != 0)
        {
            StartMassErase(bank);
        }
    }

    private void StartPageErase(Bank bank)
    {
        var offset = (long)bank.Ar - _spec.FlashBase;
        if (offset < 0 || offset >= _spec.FlashSize || !bank.Contains((int)offset))
        {
            return; // FLASH_AR outside this bank's flash: nothing to erase (bank-2 pages are erased through AR2)
        }

        var page = (int)(offset / _spec.PageSize);
        if (IsPageProtected(page))
        {
            bank.Sr |= SrWrprtErr;
            return;
        }

        _main.Erase(page * _spec.PageSize, _spec.PageSize);
        _pagesErased++;
        bank.Cr |= CrStrt;
        StartBusy(bank, _spec.TypicalTimings.PageErase);
    }

    private void StartMassErase(Bank bank)
    {
        // Readout protection does not stop a mass erase (reference §4.1). Write-protected pages refuse it: the F1
        // manuals are silent, RM0090 §3.6.4 states this rule for the F4 and the model follows it. On XL parts MER in
        // FLASH_CR erases bank 1 and MER in FLASH_CR2 bank 2 (OCD-f1 stm32x_mass_erase writes both register sets).
        if (!LoadedOptions.ReadoutProtected && LoadedOptions.WriteProtection != 0xFFFFFFFF)
        {
            bank.Sr |= SrWrprtErr;
            return;
        }

        _main.Erase(bank.Start, bank.End - bank.Start);
        _massErases++;
        bank.Cr |= CrStrt;
        StartBusy(bank, _spec.TypicalTimings.MassErase);
    }

    private bool ProgramMainHalfWord(Bank bank, int offset, ushort value)
    {
        if (IsPageProtected(offset / _spec.PageSize))
        {
            bank.Sr |= SrWrprtErr;
            return false;
        }

        // PM0075 §2.3.3: the half-word must be erased first, except when writing 0x0000.
        if (_main.ReadHalfWord(offset) != 0xFFFF && value != 0x0000)
        {
            bank.Sr |= SrPgErr;
            return false;
        }

        _main.ProgramHalfWord(offset, value);
        _bytesProgrammed += 2;
        if (FirstProgrammedOffset < 0)
        {
            FirstProgrammedOffset = offset;
        }

        StartBusy(bank, _spec.TypicalTimings.ProgramHalfWord);
        return true;
    }

    private bool ProgramOptionHalfWord(int offset, byte value)
    {
        if (_optionWriteFails || _options.ReadHalfWord(offset) != 0xFFFF) // ob-write-fail: PGERR and the old values stay
        {
            _bank1.Sr |= SrPgErr;
            return false;
        }

        if (offset == 0 && value == Stm32F1OptionBytes.RdpLevel0 && LoadedOptions.ReadoutProtected)
        {
            _main.EraseAll();
            _massErases++;
            StartBusy(_bank1, _spec.TypicalTimings.MassErase);
            if (_bank2 is { } bank2)
            {
                StartBusy(bank2, _spec.TypicalTimings.MassErase); // the regression erases bank 2 as well
            }
        }

        _options.ProgramHalfWord(offset, Stm32F1OptionBytes.ComplementPair(value));
        StartBusy(_bank1, _spec.TypicalTimings.ProgramHalfWord);
        return true;
    }

    /// <summary>One bank's register set and operation state: FLASH_SR/CR/AR and the KEYR unlock sequence.</summary>
    /// <param name="start">First main-flash offset the bank holds.</param>
    /// <param name="end">One past its last offset.</param>
    private sealed class Bank(int start, int end)
    {
        public int Start { get; } = start;

        public int End { get; } = end;

        public uint Cr { get; set; } = CrLock;

        public uint Sr { get; set; }

        public uint Ar { get; set; }

        public int KeyStage { get; set; }

        public bool LockedUntilReset { get; set; }

        public bool Pending { get; set; }

        public TimeSpan BusyUntil { get; set; }

        public bool IsLocked => (Cr & CrLock) != 0;

        public bool Contains(int offset) => offset >= Start && offset < End;

        public void Settle(TimeSpan now)
        {
            if (Pending && now >= BusyUntil)
            {
                Pending = false;
                Cr &= ~CrStrt;
                Sr |= SrEop;
            }
        }

        public void Reset(TimeSpan now)
        {
            Cr = CrLock;
            Sr = 0;
            Ar = 0;
            KeyStage = 0;
            LockedUntilReset = false;
            Pending = false;
            BusyUntil = now;
        }
    }
}
