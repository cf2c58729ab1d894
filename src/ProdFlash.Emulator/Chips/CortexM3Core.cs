namespace ProdFlash.Emulator.Chips;

/// <summary>
/// Run state of the modeled core. "Running" executes code only while the PC is in SRAM (<see cref="Execution.ThumbCpu"/>);
/// with the PC in firmware it is a state only.
/// </summary>
public enum CoreRunState
{
    /// <summary>The core runs (from the debugger's point of view).</summary>
    Running,

    /// <summary>The core is in Debug state (DHCSR.S_HALT).</summary>
    Halted,

    /// <summary>NRST is held low: the core is in reset.</summary>
    InReset,
}

/// <summary>
/// Cortex-M3 debug view: the System Control Space (CPUID, AIRCR, DFSR, DHCSR, DCRSR/DCRDR, DEMCR), the core
/// register file, and the FPB and DWT register blocks, as OpenOCD's <c>cortex_m</c> target and an ST-LINK reach them.
/// Register addresses and bits from the ARMv7-M Architecture Reference Manual (C1.6 debug registers, B3.2 SCB) and
/// OpenOCD <c>src/target/cortex_m.h</c> (reference key OCD-core).
/// </summary>
/// <remarks>Not thread-safe; owned by one chip model. Debug registers survive a system reset, as on hardware.</remarks>
public sealed class CortexM3Core
{
    /// <summary>SCS base address.</summary>
    public const uint ScsBase = 0xE000E000;

    /// <summary>DWT base address.</summary>
    public const uint DwtBase = 0xE0001000;

    /// <summary>FPB base address.</summary>
    public const uint FpbBase = 0xE0002000;

    /// <summary>CPUID (SCB, read-only).</summary>
    public const uint CpuIdAddress = 0xE000ED00;

    /// <summary>AIRCR: application interrupt and reset control.</summary>
    public const uint AircrAddress = 0xE000ED0C;

    /// <summary>DFSR: debug fault status (write 1 to clear).</summary>
    public const uint DfsrAddress = 0xE000ED30;

    /// <summary>DHCSR: debug halting control and status.</summary>
    public const uint DhcsrAddress = 0xE000EDF0;

    /// <summary>DCRSR: debug core register selector.</summary>
    public const uint DcrsrAddress = 0xE000EDF4;

    /// <summary>DCRDR: debug core register data.</summary>
    public const uint DcrdrAddress = 0xE000EDF8;

    /// <summary>DEMCR: debug exception and monitor control.</summary>
    public const uint DemcrAddress = 0xE000EDFC;

    /// <summary>DHCSR write key in bits [31:16].</summary>
    public const uint DbgKey = 0xA05F;

    /// <summary>AIRCR write key in bits [31:16].</summary>
    public const uint VectKey = 0x05FA;

    /// <summary>AIRCR read-back key in bits [31:16].</summary>
    public const uint VectKeyStat = 0xFA05;

    /// <summary>DHCSR C_DEBUGEN.</summary>
    public const uint CDebugEn = 1u << 0;

    /// <summary>DHCSR C_HALT.</summary>
    public const uint CHalt = 1u << 1;

    /// <summary>DHCSR C_STEP.</summary>
    public const uint CStep = 1u << 2;

    /// <summary>DHCSR C_MASKINTS.</summary>
    public const uint CMaskInts = 1u << 3;

    /// <summary>DHCSR C_SNAPSTALL.</summary>
    public const uint CSnapStall = 1u << 5;

    /// <summary>DHCSR S_REGRDY.</summary>
    public const uint SRegRdy = 1u << 16;

    /// <summary>DHCSR S_HALT.</summary>
    public const uint SHalt = 1u << 17;

    /// <summary>DHCSR S_LOCKUP: the core is locked up after an unrecoverable fault (ARMv7-M C1.6.2).</summary>
    public const uint SLockup = 1u << 19;

    /// <summary>DHCSR S_RETIRE_ST (sticky, cleared on read).</summary>
    public const uint SRetireSt = 1u << 24;

    /// <summary>DHCSR S_RESET_ST (sticky, cleared on read).</summary>
    public const uint SResetSt = 1u << 25;

    /// <summary>DCRSR REGWnR (1 = write DCRDR into the register).</summary>
    public const uint DcrsrRegWnR = 1u << 16;

    /// <summary>DEMCR VC_CORERESET: halt on the reset vector.</summary>
    public const uint VcCoreReset = 1u << 0;

    /// <summary>DEMCR TRCENA.</summary>
    public const uint TrcEna = 1u << 24;

    /// <summary>AIRCR VECTRESET (local core reset).</summary>
    public const uint AircrVectReset = 1u << 0;

    /// <summary>AIRCR SYSRESETREQ (system reset request).</summary>
    public const uint AircrSysResetReq = 1u << 2;

    /// <summary>DFSR HALTED (halt request or step).</summary>
    public const uint DfsrHalted = 1u << 0;

    /// <summary>DFSR BKPT (breakpoint: FPB match or BKPT instruction).</summary>
    public const uint DfsrBkpt = 1u << 1;

    /// <summary>DFSR VCATCH (vector catch).</summary>
    public const uint DfsrVCatch = 1u << 3;

    /// <summary>DCRSR REGSEL of xPSR.</summary>
    public const int RegXpsr = 16;

    /// <summary>DCRSR REGSEL of MSP.</summary>
    public const int RegMsp = 17;

    /// <summary>DCRSR REGSEL of PSP.</summary>
    public const int RegPsp = 18;

    /// <summary>DCRSR REGSEL of CONTROL[31:24] | FAULTMASK[23:16] | BASEPRI[15:8] | PRIMASK[7:0].</summary>
    public const int RegSpecial = 20;

    /// <summary>xPSR after reset: Thumb bit set (ARMv7-M B1.5.5).</summary>
    public const uint ResetXpsr = 0x01000000;

    private const uint DhcsrControlMask = CDebugEn | CHalt | CStep | CMaskInts | CSnapStall;
    private const uint DemcrWritableMask = 0x010F07F1; // VC_* b0,b4..b10; MON_* b16..b19; TRCENA b24
    private const uint DfsrMask = 0x1F;
    private const uint XpsrWritableMask = 0xFF00FDFF;
    private const uint SpecialWritableMask = 0x0301F001; // CONTROL[1:0], FAULTMASK, BASEPRI[7:4] (4 priority bits on STM32F1), PRIMASK
    private const uint ControlSpSel = 1u << 25; // CONTROL.SPSEL in the packed special register
    private const uint DwtCtrlWritableMask = 0x007F1FFF;
    private const uint FpCtrlKey = 1u << 1;
    private const uint FpCtrlEnable = 1u << 0;
    private const uint FpRemapSupported = 1u << 29; // FP_REMAP.RMPSPT: Cortex-M3 FPB supports remapping
    private const uint FpRemapMask = 0x1FFFFFE0;
    private const uint FpCompMask = 0xDFFFFFFD;
    private const uint FpCompEnable = 1u << 0;
    private const uint FpCompAddressMask = 0x1FFFFFFC; // COMP[28:2]
    private const int FpCompReplaceShift = 30; // REPLACE[31:30]: 01 lower half-word, 10 upper, 11 both
    private const ushort BkptOpcodeMask = 0xFF00;
    private const ushort BkptOpcode = 0xBE00; // Thumb BKPT #imm8 (ARMv7-M A7.7.17)

    private readonly uint _cpuId;
    private readonly int _dwtComparators;
    private readonly int _fpbComparators;
    private readonly int _fpbCodeComparators;
    private readonly int _fpbLiteralComparators;
    private readonly uint[] _registers = new uint[RegSpecial + 1];
    private readonly Dictionary<uint, uint> _scsStorage = [];
    private readonly Dictionary<uint, uint> _dwtStorage = [];
    private readonly uint[] _fpComp;
    private uint _dhcsrControl;
    private bool _resetSticky;
    private bool _retireSticky;
    private bool _regReady;
    private uint _demcr;
    private uint _dfsr;
    private uint _dcrdr;
    private uint _priGroup;
    private uint _dwtCtrl;
    private bool _fpEnabled;
    private uint _fpRemap;
    private Func<uint, ushort?> _fetchHalfWord = _ => null;
    private Execution.ThumbCpu? _cpu;

    /// <summary>Creates a core in power-on reset state (debug disabled, running once released).</summary>
    /// <param name="cpuId">CPUID value.</param>
    /// <param name="fpbCodeComparators">FP_CTRL NUM_CODE.</param>
    /// <param name="fpbLiteralComparators">FP_CTRL NUM_LIT.</param>
    /// <param name="dwtComparators">DWT_CTRL NUMCOMP.</param>
    public CortexM3Core(uint cpuId, int fpbCodeComparators, int fpbLiteralComparators, int dwtComparators)
    {
        _cpuId = cpuId;
        _fpbCodeComparators = fpbCodeComparators;
        _fpbLiteralComparators = fpbLiteralComparators;
        _fpbComparators = fpbCodeComparators + fpbLiteralComparators;
        _dwtComparators = dwtComparators;
        _fpComp = new uint[_fpbComparators];
        State = CoreRunState.Running;
    }

    /// <summary>Raised when the debugger writes AIRCR.SYSRESETREQ with the right key; the chip performs the system reset.</summary>
    public event EventHandler? SystemResetRequested;

    /// <summary>Raised when the debugger writes AIRCR.VECTRESET; the chip reloads SP and PC (a core-only reset).</summary>
    public event EventHandler? LocalResetRequested;

    /// <summary>
    /// Lets the core see the instruction at the PC, so that resuming onto a BKPT instruction halts as on hardware.
    /// The function returns the half-word at an address, or null where nothing executable is mapped.
    /// </summary>
    public void SetInstructionFetch(Func<uint, ushort?> fetchHalfWord)
    {
        ArgumentNullException.ThrowIfNull(fetchHalfWord);
        _fetchHalfWord = fetchHalfWord;
    }

    /// <summary>Current run state.</summary>
    public CoreRunState State { get; private set; }

    /// <summary>
    /// Whether the core is locked up (DHCSR.S_LOCKUP): code it executed from SRAM faulted (undefined instruction, SVC,
    /// unaligned access, bus error, a branch out of SRAM). No HardFault handler is modeled: the fault locks the core up
    /// at once with the PC at the faulting instruction. A halt request or a reset ends it.
    /// </summary>
    public bool LockedUp { get; private set; }

    /// <summary>CPUID value.</summary>
    public uint CpuId => _cpuId;

    /// <summary>The register file: R0–R15 (R13 unused: SP lives in MSP/PSP), xPSR, MSP, PSP, and the packed CONTROL/FAULTMASK/BASEPRI/PRIMASK.</summary>
    internal uint[] RegisterFile => _registers;

    /// <summary>Whether halting debug is enabled (DHCSR.C_DEBUGEN).</summary>
    internal bool DebugEnabled => (_dhcsrControl & CDebugEn) != 0;

    /// <summary>Whether Thread mode is privileged (CONTROL.nPRIV = 0).</summary>
    internal bool Privileged => (_registers[RegSpecial] & (1u << 24)) == 0;

    /// <summary>Connects the interpreter that executes this core's SRAM code (for DHCSR.C_STEP).</summary>
    internal void AttachCpu(Execution.ThumbCpu cpu) => _cpu = cpu;

    /// <summary>Executed code faulted: the core locks up and stops.</summary>
    internal void EnterLockup() => LockedUp = true;

    /// <summary>Executed code reached a BKPT instruction with halting debug enabled: Debug state, DFSR.BKPT.</summary>
    internal void HaltOnBreakpoint() => Halt(DfsrBkpt);

    /// <summary>The program counter (R15).</summary>
    public uint ProgramCounter => _registers[15];

    /// <summary>The main stack pointer.</summary>
    public uint MainStackPointer => _registers[RegMsp];

    /// <summary>DEMCR value.</summary>
    public uint Demcr => _demcr;

    /// <summary>
    /// Puts the core in reset (NRST held low, or the start of a system reset). A pending halt request is dropped;
    /// one written to DHCSR while reset is held takes effect when reset is released.
    /// </summary>
    public void EnterReset()
    {
        State = CoreRunState.InReset;
        LockedUp = false;
        _cpu?.Forget();
        _dhcsrControl &= ~(CHalt | CStep);
        _resetSticky = true;
        _regReady = false;
    }

    /// <summary>
    /// Leaves reset: core registers reset, SP and PC from the vector table, then halted at the reset vector when
    /// halting debug is enabled and DEMCR.VC_CORERESET (or a halt request made during reset) is set, else running.
    /// </summary>
    /// <param name="initialStackPointer">Word 0 of the boot vector table.</param>
    /// <param name="resetVector">Word 1 of the boot vector table.</param>
    public void CompleteReset(uint initialStackPointer, uint resetVector)
    {
        var haltRequestedDuringReset = State == CoreRunState.InReset && (_dhcsrControl & CHalt) != 0;
        LockedUp = false;
        _cpu?.Forget();
        Array.Clear(_registers);
        _registers[RegMsp] = initialStackPointer & ~3u;
        _registers[14] = 0xFFFFFFFF; // LR reset value (ARMv7-M B1.5.5)
        _registers[15] = resetVector & ~1u;
        _registers[RegXpsr] = ResetXpsr;
        _resetSticky = true;
        _regReady = false;
        var debugEnabled = (_dhcsrControl & CDebugEn) != 0;
        if (debugEnabled && (_demcr & VcCoreReset) != 0)
        {
            Halt(DfsrVCatch);
        }
        else if (debugEnabled && haltRequestedDuringReset)
        {
            Halt(DfsrHalted);
        }
        else
        {
            _dhcsrControl &= ~(CHalt | CStep);
            State = CoreRunState.Running;
        }
    }

    /// <summary>Reads a word of the SCS, DWT or FPB at <paramref name="address"/>; false if the address is not one of them.</summary>
    public bool TryRead(uint address, out uint value)
    {
        if (address is >= ScsBase and < ScsBase + 0x1000)
        {
            value = ReadScs(address);
            return true;
        }

        if (address is >= DwtBase and < DwtBase + 0x1000)
        {
            value = ReadDwt(address - DwtBase);
            return true;
        }

        if (address is >= FpbBase and < FpbBase + 0x1000)
        {
            value = ReadFpb(address - FpbBase);
            return true;
        }

        value = 0;
        return false;
    }

    /// <summary>Writes a word of the SCS, DWT or FPB; false if the address is not one of them.</summary>
    public bool TryWrite(uint address, uint value)
    {
        if (address is >= ScsBase and < ScsBase + 0x1000)
        {
            WriteScs(address, value);
            return true;
        }

        if (address is >= DwtBase and < DwtBase + 0x1000)
        {
            WriteDwt(address - DwtBase, value);
            return true;
        }

        if (address is >= FpbBase and < FpbBase + 0x1000)
        {
            WriteFpb(address - FpbBase, value);
            return true;
        }

        return false;
    }

    private uint ReadScs(uint address)
    {
        switch (address)
        {
            case CpuIdAddress:
                return _cpuId;
            case AircrAddress:
                return (VectKeyStat << 16) | (_priGroup << 8);
            case DfsrAddress:
                return _dfsr;
            case DhcsrAddress:
                return ReadDhcsr();
            case DcrsrAddress:
                return 0; // write-only
            case DcrdrAddress:
                return _dcrdr;
            case DemcrAddress:
                return _demcr;
            default:
                return _scsStorage.GetValueOrDefault(address);
        }
    }

    private void WriteScs(uint address, uint value)
    {
        switch (address)
        {
            case CpuIdAddress:
                return; // read-only
            case AircrAddress:
                WriteAircr(value);
                return;
            case DfsrAddress:
                _dfsr &= ~(value & DfsrMask);
                return;
            case DhcsrAddress:
                WriteDhcsr(value);
                return;
            case DcrsrAddress:
                WriteDcrsr(value);
                return;
            case DcrdrAddress:
                _dcrdr = value;
                return;
            case DemcrAddress:
                _demcr = value & DemcrWritableMask;
                return;
            default:
                _scsStorage[address] = value;
                return;
        }
    }

    private uint ReadDhcsr()
    {
        var value = _dhcsrControl;
        if (_regReady)
        {
            value |= SRegRdy;
        }

        if (State == CoreRunState.Halted)
        {
            value |= SHalt;
        }

        if (LockedUp)
        {
            value |= SLockup;
        }

        if (_retireSticky || State == CoreRunState.Running)
        {
            value |= SRetireSt;
        }

        if (_resetSticky || State == CoreRunState.InReset)
        {
            value |= SResetSt;
        }

        // S_RESET_ST and S_RETIRE_ST are sticky and clear on read (ARMv7-M C1.6.2).
        _resetSticky = false;
        _retireSticky = false;
        return value;
    }

    private void WriteDhcsr(uint value)
    {
        if ((value >> 16) != DbgKey)
        {
            return; // writes without DBGKEY are ignored
        }

        _dhcsrControl = value & DhcsrControlMask;
        if ((_dhcsrControl & CDebugEn) == 0)
        {
            _dhcsrControl = 0;
            if (State == CoreRunState.Halted)
            {
                Resume();
            }

            return;
        }

        if (State == CoreRunState.InReset)
        {
            return; // a halt request made now takes effect when reset is released
        }

        if ((_dhcsrControl & CHalt) != 0)
        {
            if (State == CoreRunState.Running)
            {
                Halt(DfsrHalted);
            }
        }
        else if (State == CoreRunState.Halted)
        {
            if ((_dhcsrControl & CStep) != 0)
            {
                // A step retires one instruction and halts again. Code in SRAM executes one instruction; elsewhere
                // (firmware is not executed) the core halts at once with the PC unchanged.
                LockedUp = false;
                _cpu?.StepOne();
                _retireSticky = true;
                _dfsr |= DfsrHalted;
            }
            else
            {
                Resume();
            }
        }
    }

    private void Halt(uint reason)
    {
        LockedUp = false; // a halt request takes the core out of lockup (PC at the faulting instruction)
        _cpu?.Forget();
        State = CoreRunState.Halted;
        _dhcsrControl |= CHalt;
        _dfsr |= reason;
        _regReady = true;
    }

    /// <summary>
    /// Leaves Debug state. An enabled FPB code comparator matching the PC, or a BKPT instruction there, halts at once
    /// with DFSR.BKPT, PC unchanged — what OpenOCD's step relies on when it plants a temporary breakpoint at the PC and
    /// resumes to let pending interrupts run. Otherwise the core runs: code in SRAM executes (the chip catches the
    /// core up before each debug access), firmware does not.
    /// </summary>
    private void Resume()
    {
        if ((_dhcsrControl & CDebugEn) != 0 && BreakpointAt(_registers[15]))
        {
            Halt(DfsrBkpt);
            return;
        }

        State = CoreRunState.Running;
        _regReady = false;
        _retireSticky = true;
    }

    private bool BreakpointAt(uint pc)
    {
        if (_fpEnabled)
        {
            var upperHalf = (pc & 2) != 0;
            for (var i = 0; i < _fpbCodeComparators; i++)
            {
                var comp = _fpComp[i];
                var replace = comp >> FpCompReplaceShift;
                if ((comp & FpCompEnable) != 0
                    && (comp & FpCompAddressMask) == (pc & FpCompAddressMask)
                    && (upperHalf ? (replace & 2) != 0 : (replace & 1) != 0))
                {
                    return true;
                }
            }
        }

        return _fetchHalfWord(pc & ~1u) is ushort instruction && (instruction & BkptOpcodeMask) == BkptOpcode;
    }

    private void WriteDcrsr(uint value)
    {
        if (State != CoreRunState.Halted)
        {
            _regReady = false; // the transfer never completes while the core is not halted
            return;
        }

        var selector = (int)(value & 0x7F);
        var write = (value & DcrsrRegWnR) != 0;
        if (selector is > RegSpecial or 19)
        {
            _regReady = true; // unsupported selector: UNPREDICTABLE on hardware; nothing is transferred
            return;
        }

        if (selector == 13)
        {
            selector = (_registers[RegSpecial] & ControlSpSel) != 0 ? RegPsp : RegMsp;
        }

        if (write)
        {
            _registers[selector] = selector switch
            {
                RegXpsr => _dcrdr & XpsrWritableMask,
                RegMsp or RegPsp => _dcrdr & ~3u,
                RegSpecial => _dcrdr & SpecialWritableMask,
                _ => _dcrdr,
            };
        }
        else
        {
            _dcrdr = _registers[selector];
        }

        _regReady = true;
    }

    private void WriteAircr(uint value)
    {
        if ((value >> 16) != VectKey)
        {
            return;
        }

        _priGroup = (value >> 8) & 0x7;
        if ((value & AircrSysResetReq) != 0)
        {
            SystemResetRequested?.Invoke(this, EventArgs.Empty);
        }
        else if ((value & AircrVectReset) != 0)
        {
            LocalResetRequested?.Invoke(this, EventArgs.Empty);
        }
    }

    private uint ReadDwt(uint offset)
    {
        if (offset == 0)
        {
            return ((uint)_dwtComparators << 28) | _dwtCtrl;
        }

        return _dwtStorage.GetValueOrDefault(offset);
    }

    private void WriteDwt(uint offset, uint value)
    {
        if (offset == 0)
        {
            _dwtCtrl = value & DwtCtrlWritableMask;
            return;
        }

        if (offset >= 0xFD0)
        {
            return; // identification registers are read-only
        }

        // DWT_FUNCTIONn.MATCHED (b24) is read-only.
        var isFunction = offset >= 0x28 && (offset - 0x28) % 0x10 == 0;
        _dwtStorage[offset] = isFunction ? value & ~(1u << 24) : value;
    }

    private uint ReadFpb(uint offset)
    {
        switch (offset)
        {
            case 0:
                return ((uint)(_fpbCodeComparators >> 4) << 12)
                    | ((uint)_fpbLiteralComparators << 8)
                    | ((uint)(_fpbCodeComparators & 0xF) << 4)
                    | (_fpEnabled ? FpCtrlEnable : 0);
            case 4:
                return FpRemapSupported | _fpRemap;
            default:
                var index = ((int)offset - 8) / 4;
                return offset % 4 == 0 && index >= 0 && index < _fpbComparators ? _fpComp[index] : 0;
        }
    }

    private void WriteFpb(uint offset, uint value)
    {
        switch (offset)
        {
            case 0:
                if ((value & FpCtrlKey) != 0)
                {
                    _fpEnabled = (value & FpCtrlEnable) != 0;
                }

                return;
            case 4:
                _fpRemap = value & FpRemapMask;
                return;
            default:
                var index = ((int)offset - 8) / 4;
                if (offset % 4 == 0 && index >= 0 && index < _fpbComparators)
                {
                    _fpComp[index] = value & FpCompMask;
                }

                return;
        }
    }
}
