using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;

using ProdFlash.Emulator.Target;

namespace ProdFlash.Emulator.Chips.Execution;

/// <summary>
/// An ARMv6-M Thumb interpreter (ARMv6-M Architecture Reference Manual, DDI 0419, chapters A5 and A6) over a
/// <see cref="CortexM3Core"/>'s register file: every 16-bit ARMv6-M encoding plus the 32-bit BL, MSR, MRS, DMB, DSB,
/// ISB and UDF.W, and on ARMv7-M cores the Thumb-2 subset of <c>ThumbCpu.Thumb2.cs</c>. It executes only code in the
/// chip's SRAM; with the PC anywhere else (the user's firmware after a reset) the core's "running" stays an abstract
/// state and no instruction executes.
/// </summary>
/// <remarks>
/// <para>
/// Time is lazy: the chip calls <see cref="RunUntil"/> before it serves any debug access, and the core executes up to
/// that modeled time at the family's reset clock (<see cref="CoreTiming"/>). While it executes, <see cref="Now"/> is
/// the core's own time, which the chip's peripherals see (a flash operation the core starts begins at the cycle of
/// its store). A load or store to flash while the flash is busy stalls the core until the operation ends.
/// </para>
/// <para>
/// Idle loops are fast-forwarded: when a backward branch closes an iteration that wrote no memory and left every
/// register as it was at the iteration's start, whole iterations are skipped up to the earlier of the target time and
/// <see cref="ICoreBus.LastEvent"/> (the end of a flash operation), so a spin on FLASH_SR leaves at the first
/// iteration that reads it after BSY clears, as it would on silicon.
/// </para>
/// <para>
/// Faults (undefined instruction, SVC, unaligned access, bus error, a branch out of SRAM to anything but firmware, an
/// interworking branch to ARM state) lock the core up (DHCSR.S_LOCKUP) with the PC at the faulting instruction:
/// exception entry and handlers are not modeled. No interrupts are modeled, so WFI and WFE do not sleep. BKPT halts
/// (DFSR.BKPT) when halting debug is enabled and locks up otherwise. Not thread-safe; owned by one chip.
/// </para>
/// </remarks>
public sealed partial class ThumbCpu
{
    private const int Sp = 13;
    private const int Lr = 14;
    private const int Pc = 15;
    private const uint FlagN = 1u << 31;
    private const uint FlagZ = 1u << 30;
    private const uint FlagC = 1u << 29;
    private const uint FlagV = 1u << 28;
    private const uint FlagsMask = FlagN | FlagZ | FlagC | FlagV;
    private const uint ControlSpSel = 1u << 25;
    private const uint ControlNPriv = 1u << 24;
    private const uint PrimaskBit = 1u << 0;
    private const uint FaultmaskBit = 1u << 16;

    private readonly CortexM3Core _core;
    private readonly uint[] _r;
    private readonly ICoreBus _bus;
    private readonly SramBlock[] _sram;
    private readonly CoreTiming _timing;
    private readonly double _ticksPerCycle;
    private readonly bool _armV7M;
    private readonly uint[] _loopRegisters = new uint[16];
    private double _time;
    private long _writes;
    private uint _loopPc = uint.MaxValue;
    private double _loopTime;
    private long _loopWrites;
    private SramBlock? _block;
    private uint _blockBase;
    private uint _blockEnd;
    private byte[] _blockMemory = [];
    private bool _stalled;

    /// <summary>Attaches an interpreter to <paramref name="core"/>.</summary>
    /// <param name="core">The core whose register file and debug state it uses.</param>
    /// <param name="bus">The chip's bus as the core sees it.</param>
    /// <param name="timing">Cycle costs and core clock.</param>
    /// <param name="start">Modeled time now.</param>
    public ThumbCpu(CortexM3Core core, ICoreBus bus, CoreTiming timing, TimeSpan start)
    {
        ArgumentNullException.ThrowIfNull(core);
        ArgumentNullException.ThrowIfNull(bus);
        ArgumentNullException.ThrowIfNull(timing);
        _core = core;
        _r = core.RegisterFile;
        _bus = bus;
        _sram = [.. bus.Sram];
        _timing = timing;
        _ticksPerCycle = timing.TicksPerCycle;
        _armV7M = ((core.CpuId >> 16) & 0xF) == 0xF && ((core.CpuId >> 4) & 0xFFF) is not (CoreTiming.PartCortexM0 or CoreTiming.PartCortexM0Plus);
        _time = start.Ticks;
        core.AttachCpu(this);
    }

    /// <summary>Whether the core is executing now (inside <see cref="RunUntil"/>): the chip's time is then <see cref="Now"/>.</summary>
    public bool IsExecuting { get; private set; }

    /// <summary>The core's modeled time (the cycle it has reached).</summary>
    public TimeSpan Now => TimeSpan.FromTicks((long)_time);

    /// <summary>Instructions executed since the chip was built (fast-forwarded iterations not counted).</summary>
    public long Instructions { get; private set; }

    /// <summary>Iterations of idle loops skipped by fast-forward.</summary>
    public long SkippedIterations { get; private set; }

    /// <summary>The core clock cycles executed or skipped, at <see cref="CoreTiming.ClockHz"/>.</summary>
    public CoreTiming Timing => _timing;

    /// <summary>
    /// Executes from SRAM until the core's time reaches <paramref name="now"/>, or it halts, locks up, or leaves SRAM.
    /// A core that is halted, in reset, locked up or running firmware just follows the time.
    /// </summary>
    public void RunUntil(TimeSpan now)
    {
        var target = (double)now.Ticks;
        if (!CanExecute())
        {
            _time = Math.Max(_time, target);
            return;
        }

        IsExecuting = true;
        try
        {
            while (_time < target)
            {
                if (!Step(target))
                {
                    break;
                }
            }
        }
        finally
        {
            IsExecuting = false;
        }

        if (!CanExecute())
        {
            _time = Math.Max(_time, target);
        }
    }

    /// <summary>Executes one instruction (DHCSR.C_STEP while halted), if the PC is in SRAM.</summary>
    /// <returns>Whether an instruction executed (or faulted).</returns>
    public bool StepOne()
    {
        if (FindBlock(_r[Pc]) is null)
        {
            return false;
        }

        IsExecuting = true;
        try
        {
            Step(double.MaxValue);
        }
        finally
        {
            IsExecuting = false;
        }

        return true;
    }

    /// <summary>A system reset or a halt moved the core: forget the idle-loop snapshot (and any IT block).</summary>
    internal void Forget()
    {
        _it = 0;
        _loopPc = uint.MaxValue;
        _stalled = false;
    }

    private bool CanExecute() =>
        _core.State == CoreRunState.Running && !_core.LockedUp && FindBlock(_r[Pc]) is not null;

    private SramBlock? FindBlock(uint address)
    {
        for (var i = 0; i < _sram.Length; i++)
        {
            var block = _sram[i];
            if (address >= block.Base && address - block.Base < (uint)block.Memory.Length)
            {
                return block;
            }
        }

        return null;
    }

    // One instruction; false when execution must stop (halt, lockup, left SRAM, or stalled past the target).
    private bool Step(double target)
    {
        var pc = _r[Pc];
        if (pc < _blockBase || pc + 2 > _blockEnd || _block is null)
        {
            _block = FindBlock(pc);
            if (_block is null)
            {
                return false; // the PC was moved out of SRAM without a branch (a reset the code requested): firmware runs on abstractly
            }

            _blockBase = _block.Base;
            _blockEnd = _block.Base + (uint)_block.Memory.Length;
            _blockMemory = _block.Memory;
        }

        var op = BinaryPrimitives.ReadUInt16LittleEndian(_blockMemory.AsSpan((int)(pc - _blockBase), 2));
        _stalled = false;
        _until = target;
        int cycles;
        if (_it == 0)
        {
            cycles = Execute(op, pc, target);
        }
        else
        {
            cycles = ExecuteInItBlock(op, pc, target);
        }

        if (_stalled)
        {
            return true; // the core waited for the flash; the instruction is retried at the new time
        }

        if (cycles < 0)
        {
            return false; // halted or locked up; the PC stays at the instruction
        }

        Instructions++;
        _time += cycles * _ticksPerCycle;
        if (_r[Pc] - _blockBase >= (uint)_blockMemory.Length)
        {
            // The instruction branched out of this block: another SRAM block, firmware, or nothing.
            var next = _r[Pc];
            if (FindBlock(next) is null)
            {
                return LeaveSram(pc, next);
            }
        }

        return true;
    }

    private bool LeaveSram(uint from, uint to)
    {
        if (_bus.IsFirmware(to))
        {
            return false; // a return to firmware: the core runs on abstractly
        }

        _r[Pc] = from;
        _core.EnterLockup();
        return false;
    }

    private int Fault(uint pc)
    {
        _r[Pc] = pc;
        _core.EnterLockup();
        return -1;
    }

    private uint ReadReg(int n, uint pc) => n switch
    {
        Pc => pc + 4,
        Sp => _r[SpIndex],
        _ => _r[n],
    };

    private void WriteReg(int n, uint value)
    {
        if (n == Sp)
        {
            _r[SpIndex] = value & ~3u;
        }
        else
        {
            _r[n] = value;
        }
    }

    private int SpIndex => (_r[CortexM3Core.RegSpecial] & ControlSpSel) != 0 ? CortexM3Core.RegPsp : CortexM3Core.RegMsp;

    private uint Flags
    {
        get => _r[CortexM3Core.RegXpsr] & FlagsMask;
        set => _r[CortexM3Core.RegXpsr] = (_r[CortexM3Core.RegXpsr] & ~FlagsMask) | (value & FlagsMask);
    }

    private bool Carry => (_r[CortexM3Core.RegXpsr] & FlagC) != 0;

    private void SetNz(uint result)
    {
        var f = _r[CortexM3Core.RegXpsr] & ~(FlagN | FlagZ);
        f |= result & FlagN;
        if (result == 0)
        {
            f |= FlagZ;
        }

        _r[CortexM3Core.RegXpsr] = f;
    }

    private void SetNzc(uint result, bool carry)
    {
        SetNz(result);
        _r[CortexM3Core.RegXpsr] = carry ? _r[CortexM3Core.RegXpsr] | FlagC : _r[CortexM3Core.RegXpsr] & ~FlagC;
    }

    // AddWithCarry (ARMv6-M ARM A2.2.1): sets N, Z, C, V.
    private uint AddWithCarry(uint x, uint y, bool carryIn)
    {
        var unsignedSum = (ulong)x + y + (carryIn ? 1UL : 0UL);
        var result = (uint)unsignedSum;
        var signedSum = (long)(int)x + (int)y + (carryIn ? 1 : 0);
        var f = result & FlagN;
        if (result == 0)
        {
            f |= FlagZ;
        }

        if (unsignedSum != result)
        {
            f |= FlagC;
        }

        if (signedSum != (int)result)
        {
            f |= FlagV;
        }

        Flags = f;
        return result;
    }

    private bool ConditionPassed(int cond)
    {
        var f = _r[CortexM3Core.RegXpsr];
        var n = (f & FlagN) != 0;
        var z = (f & FlagZ) != 0;
        var c = (f & FlagC) != 0;
        var v = (f & FlagV) != 0;
        return cond switch
        {
            0 => z,
            1 => !z,
            2 => c,
            3 => !c,
            4 => n,
            5 => !n,
            6 => v,
            7 => !v,
            8 => c && !z,
            9 => !c || z,
            10 => n == v,
            11 => n != v,
            12 => !z && n == v,
            13 => z || n != v,
            _ => true,
        };
    }

    // Returns the instruction's cycles, or -1 when it halted or faulted. Sets _r[Pc] to the next instruction.
    private int Execute(ushort op, uint pc, double target)
    {
        var next = pc + 2;
        switch (op >> 11)
        {
            case 0b00000: // LSL (immediate); MOV (register) T2 when imm5 = 0
                {
                    var imm = (op >> 6) & 31;
                    var m = _r[(op >> 3) & 7];
                    if (imm == 0)
                    {
                        SetNz(m);
                        _r[op & 7] = m;
                    }
                    else
                    {
                        var result = m << imm;
                        SetNzc(result, ((m >> (32 - imm)) & 1) != 0);
                        _r[op & 7] = result;
                    }

                    break;
                }

            case 0b00001: // LSR (immediate), imm5 = 0 means 32
                {
                    var imm = (op >> 6) & 31;
                    var m = _r[(op >> 3) & 7];
                    var result = imm == 0 ? 0 : m >> imm;
                    var carry = imm == 0 ? (m >> 31) != 0 : ((m >> (imm - 1)) & 1) != 0;
                    SetNzc(result, carry);
                    _r[op & 7] = result;
                    break;
                }

            case 0b00010: // ASR (immediate), imm5 = 0 means 32
                {
                    var imm = (op >> 6) & 31;
                    var m = _r[(op >> 3) & 7];
                    var result = imm == 0 ? (uint)((int)m >> 31) : (uint)((int)m >> imm);
                    var carry = imm == 0 ? (m >> 31) != 0 : ((m >> (imm - 1)) & 1) != 0;
                    SetNzc(result, carry);
                    _r[op & 7] = result;
                    break;
                }

            case 0b00011: // ADD/SUB register or 3-bit immediate
                {
                    var n = _r[(op >> 3) & 7];
                    var operand = (op & 0x400) != 0 ? (uint)((op >> 6) & 7) : _r[(op >> 6) & 7];
                    _r[op & 7] = (op & 0x200) != 0 ? AddWithCarry(n, ~operand, true) : AddWithCarry(n, operand, false);
                    break;
                }

            case 0b00100: // MOV (immediate)
                {
                    var imm = (uint)(op & 0xFF);
                    SetNz(imm);
                    _r[(op >> 8) & 7] = imm;
                    break;
                }

            case 0b00101: // CMP (immediate)
                AddWithCarry(_r[(op >> 8) & 7], ~(uint)(op & 0xFF), true);
                break;
            case 0b00110: // ADD (immediate) T2
                _r[(op >> 8) & 7] = AddWithCarry(_r[(op >> 8) & 7], (uint)(op & 0xFF), false);
                break;
            case 0b00111: // SUB (immediate) T2
                _r[(op >> 8) & 7] = AddWithCarry(_r[(op >> 8) & 7], ~(uint)(op & 0xFF), true);
                break;
            case 0b01000:
                if ((op & 0x0400) == 0)
                {
                    DataProcessing(op);
                    break;
                }

                return SpecialDataAndBranch(op, pc);
            case 0b01001: // LDR (literal)
                {
                    var address = ((pc + 4) & ~3u) + (uint)((op & 0xFF) << 2);
                    return LoadSingle(pc, (op >> 8) & 7, address, 4, false);
                }

            case 0b01010:
            case 0b01011: // load/store register offset
                {
                    var address = _r[(op >> 3) & 7] + _r[(op >> 6) & 7];
                    var t = op & 7;
                    return ((op >> 9) & 7) switch
                    {
                        0 => StoreSingle(pc, address, 4, _r[t]),
                        1 => StoreSingle(pc, address, 2, _r[t]),
                        2 => StoreSingle(pc, address, 1, _r[t]),
                        3 => LoadSingle(pc, t, address, 1, true),
                        4 => LoadSingle(pc, t, address, 4, false),
                        5 => LoadSingle(pc, t, address, 2, false),
                        6 => LoadSingle(pc, t, address, 1, false),
                        _ => LoadSingle(pc, t, address, 2, true),
                    };
                }

            case 0b01100: // STR (immediate) T1
                return StoreSingle(pc, _r[(op >> 3) & 7] + (uint)(((op >> 6) & 31) << 2), 4, _r[op & 7]);
            case 0b01101: // LDR (immediate) T1
                return LoadSingle(pc, op & 7, _r[(op >> 3) & 7] + (uint)(((op >> 6) & 31) << 2), 4, false);
            case 0b01110: // STRB (immediate)
                return StoreSingle(pc, _r[(op >> 3) & 7] + (uint)((op >> 6) & 31), 1, _r[op & 7]);
            case 0b01111: // LDRB (immediate)
                return LoadSingle(pc, op & 7, _r[(op >> 3) & 7] + (uint)((op >> 6) & 31), 1, false);
            case 0b10000: // STRH (immediate)
                return StoreSingle(pc, _r[(op >> 3) & 7] + (uint)(((op >> 6) & 31) << 1), 2, _r[op & 7]);
            case 0b10001: // LDRH (immediate)
                return LoadSingle(pc, op & 7, _r[(op >> 3) & 7] + (uint)(((op >> 6) & 31) << 1), 2, false);
            case 0b10010: // STR (immediate) T2, SP-relative
                return StoreSingle(pc, _r[SpIndex] + (uint)((op & 0xFF) << 2), 4, _r[(op >> 8) & 7]);
            case 0b10011: // LDR (immediate) T2, SP-relative
                return LoadSingle(pc, (op >> 8) & 7, _r[SpIndex] + (uint)((op & 0xFF) << 2), 4, false);
            case 0b10100: // ADR
                _r[(op >> 8) & 7] = ((pc + 4) & ~3u) + (uint)((op & 0xFF) << 2);
                break;
            case 0b10101: // ADD (SP plus immediate) T1
                _r[(op >> 8) & 7] = _r[SpIndex] + (uint)((op & 0xFF) << 2);
                break;
            case 0b10110:
            case 0b10111:
                return Miscellaneous(op, pc);
            case 0b11000: // STM (STMIA Rn!)
                return StoreMultiple(pc, (op >> 8) & 7, (uint)(op & 0xFF));
            case 0b11001: // LDM (LDMIA Rn{!})
                return LoadMultiple(pc, (op >> 8) & 7, (uint)(op & 0xFF));
            case 0b11010:
            case 0b11011: // B<c>, UDF (cond 1110), SVC (cond 1111)
                {
                    var cond = (op >> 8) & 0xF;
                    if (cond >= 0xE)
                    {
                        return Fault(pc); // UDF, SVC: exceptions are not modeled
                    }

                    if (!ConditionPassed(cond))
                    {
                        break;
                    }

                    return Branch(pc, pc + 4 + (uint)((sbyte)(op & 0xFF) << 1), _timing.BranchTaken, target);
                }

            case 0b11100: // B T2
                return Branch(pc, pc + 4 + (uint)(((int)((uint)op << 21) >> 20)), _timing.BranchTaken, target);
            case 0b11101:
            case 0b11110:
            case 0b11111:
                return Execute32(op, pc);
            default:
                return Fault(pc);
        }

        _r[Pc] = next;
        return 1;
    }

    private void DataProcessing(ushort op)
    {
        var d = op & 7;
        var m = _r[(op >> 3) & 7];
        var n = _r[d];
        switch ((op >> 6) & 0xF)
        {
            case 0x0: // AND
                _r[d] = n & m;
                SetNz(_r[d]);
                break;
            case 0x1: // EOR
                _r[d] = n ^ m;
                SetNz(_r[d]);
                break;
            case 0x2: // LSL (register)
                {
                    var shift = (int)(m & 0xFF);
                    if (shift == 0)
                    {
                        SetNz(n);
                    }
                    else if (shift < 32)
                    {
                        SetNzc(_r[d] = n << shift, ((n >> (32 - shift)) & 1) != 0);
                    }
                    else
                    {
                        SetNzc(_r[d] = 0, shift == 32 && (n & 1) != 0);
                    }

                    break;
                }

            case 0x3: // LSR (register)
                {
                    var shift = (int)(m & 0xFF);
                    if (shift == 0)
                    {
                        SetNz(n);
                    }
                    else if (shift < 32)
                    {
                        SetNzc(_r[d] = n >> shift, ((n >> (shift - 1)) & 1) != 0);
                    }
                    else
                    {
                        SetNzc(_r[d] = 0, shift == 32 && (n >> 31) != 0);
                    }

                    break;
                }

            case 0x4: // ASR (register)
                {
                    var shift = (int)(m & 0xFF);
                    if (shift == 0)
                    {
                        SetNz(n);
                    }
                    else if (shift < 32)
                    {
                        SetNzc(_r[d] = (uint)((int)n >> shift), ((n >> (shift - 1)) & 1) != 0);
                    }
                    else
                    {
                        SetNzc(_r[d] = (uint)((int)n >> 31), (n >> 31) != 0);
                    }

                    break;
                }

            case 0x5: // ADC
                _r[d] = AddWithCarry(n, m, Carry);
                break;
            case 0x6: // SBC
                _r[d] = AddWithCarry(n, ~m, Carry);
                break;
            case 0x7: // ROR (register)
                {
                    var shift = (int)(m & 0xFF);
                    if (shift == 0)
                    {
                        SetNz(n);
                    }
                    else
                    {
                        var result = BitOperations.RotateRight(n, shift & 31);
                        SetNzc(_r[d] = result, (result >> 31) != 0);
                    }

                    break;
                }

            case 0x8: // TST
                SetNz(n & m);
                break;
            case 0x9: // RSB (immediate #0), NEG
                _r[d] = AddWithCarry(~m, 0, true);
                break;
            case 0xA: // CMP (register) T1
                AddWithCarry(n, ~m, true);
                break;
            case 0xB: // CMN
                AddWithCarry(n, m, false);
                break;
            case 0xC: // ORR
                _r[d] = n | m;
                SetNz(_r[d]);
                break;
            case 0xD: // MUL: N and Z only (ARMv6-M A6.7.44)
                _r[d] = n * m;
                SetNz(_r[d]);
                break;
            case 0xE: // BIC
                _r[d] = n & ~m;
                SetNz(_r[d]);
                break;
            default: // MVN
                _r[d] = ~m;
                SetNz(_r[d]);
                break;
        }
    }

    // 0100 01xx: ADD/CMP/MOV with high registers, BX, BLX (register).
    private int SpecialDataAndBranch(ushort op, uint pc)
    {
        var m = (op >> 3) & 0xF;
        var dn = (op & 7) | ((op >> 4) & 8);
        switch ((op >> 8) & 3)
        {
            case 0: // ADD (register) T2
                {
                    var result = ReadReg(dn, pc) + ReadReg(m, pc);
                    if (dn == Pc)
                    {
                        _r[Pc] = result & ~1u; // ALUWritePC = BranchWritePC in ARMv6-M
                        return _timing.WritePc;
                    }

                    WriteReg(dn, result);
                    break;
                }

            case 1: // CMP (register) T2
                AddWithCarry(ReadReg(dn, pc), ~ReadReg(m, pc), true);
                break;
            case 2: // MOV (register) T1
                {
                    var value = ReadReg(m, pc);
                    if (dn == Pc)
                    {
                        _r[Pc] = value & ~1u;
                        return _timing.WritePc;
                    }

                    WriteReg(dn, value);
                    break;
                }

            default: // BX, BLX (register)
                {
                    if ((op & 7) != 0)
                    {
                        return Fault(pc); // SBZ bits: UNPREDICTABLE, treated as undefined
                    }

                    var target = ReadReg(m, pc);
                    if ((op & 0x80) != 0)
                    {
                        _r[Lr] = (pc + 2) | 1;
                    }

                    return BranchExchange(pc, target);
                }
        }

        _r[Pc] = pc + 2;
        return 1;
    }

    // BXWritePC: bit 0 must be 1 (Thumb); 0 is an INVSTATE UsageFault, escalated (here: lockup).
    private int BranchExchange(uint pc, uint target)
    {
        if ((target & 1) == 0)
        {
            return Fault(pc);
        }

        _r[Pc] = target & ~1u;
        return _timing.BranchExchange;
    }

    private int Branch(uint pc, uint target, int cycles, double until)
    {
        _r[Pc] = target;
        if (target <= pc)
        {
            _time += cycles * _ticksPerCycle;
            FastForwardIdleLoop(target, until);
            _time -= cycles * _ticksPerCycle; // Step adds the branch's own cycles
        }

        return cycles;
    }

    // Called at a taken backward branch, with the core time at the end of the iteration. The iteration just observed
    // started at _loopTime; an event at or after that time may have changed what it read (BSY cleared during it), so
    // only an event before it is stale: then nothing the loop reads changes before the target time.
    private void FastForwardIdleLoop(uint loopStart, double until)
    {
        if (_loopPc == loopStart && _loopWrites == _writes && SameRegisters())
        {
            var period = _time - _loopTime;
            var lastEvent = _bus.LastEvent;
            var limit = lastEvent == TimeSpan.MaxValue ? _time
                : lastEvent.Ticks >= _loopTime ? Math.Min(until, lastEvent.Ticks)
                : until;
            if (period > 0 && limit > _time)
            {
                var iterations = Math.Floor((limit - _time) / period);
                if (iterations >= 1)
                {
                    _time += iterations * period;
                    SkippedIterations += (long)iterations;
                }
            }
        }

        _loopPc = loopStart;
        _loopTime = _time;
        _loopWrites = _writes;
        Array.Copy(_r, _loopRegisters, 15);
        _loopRegisters[15] = _r[CortexM3Core.RegXpsr] & FlagsMask;
        _loopRegisters[Sp] = _r[SpIndex];
    }

    private bool SameRegisters()
    {
        for (var i = 0; i < 13; i++)
        {
            if (_loopRegisters[i] != _r[i])
            {
                return false;
            }
        }

        return _loopRegisters[Sp] == _r[SpIndex]
            && _loopRegisters[Lr] == _r[Lr]
            && _loopRegisters[15] == (_r[CortexM3Core.RegXpsr] & FlagsMask);
    }

    private int Miscellaneous(ushort op, uint pc)
    {
        var next = pc + 2;
        switch ((op >> 8) & 0xF)
        {
            case 0x0: // ADD/SUB (SP plus/minus immediate)
                {
                    var imm = (uint)((op & 0x7F) << 2);
                    var sp = SpIndex;
                    _r[sp] = (op & 0x80) != 0 ? _r[sp] - imm : _r[sp] + imm;
                    break;
                }

            case 0x2: // SXTH, SXTB, UXTH, UXTB
                {
                    var m = _r[(op >> 3) & 7];
                    _r[op & 7] = ((op >> 6) & 3) switch
                    {
                        0 => (uint)(short)m,
                        1 => (uint)(sbyte)m,
                        2 => m & 0xFFFF,
                        _ => m & 0xFF,
                    };
                    break;
                }

            case 0x4:
            case 0x5: // PUSH
                return Push(pc, (uint)(op & 0xFF) | ((op & 0x100) != 0 ? 1u << Lr : 0));
            case 0x6: // CPS
                if ((op & 0xFFEC) != 0xB660 || (op & 3) == 0 || ((op & 1) != 0 && !_armV7M))
                {
                    return Fault(pc);
                }

                var mask = ((op & 2) != 0 ? PrimaskBit : 0) | ((op & 1) != 0 ? FaultmaskBit : 0); // CPS{IE,ID} {i,f}: I is b1, F is b0
                if (_core.Privileged)
                {
                    _r[CortexM3Core.RegSpecial] = (op & 0x10) != 0 ? _r[CortexM3Core.RegSpecial] | mask : _r[CortexM3Core.RegSpecial] & ~mask;
                }

                break;
            case 0xA: // REV, REV16, REVSH (op 10 is undefined)
                {
                    var m = _r[(op >> 3) & 7];
                    switch ((op >> 6) & 3)
                    {
                        case 0:
                            _r[op & 7] = BinaryPrimitives.ReverseEndianness(m);
                            break;
                        case 1:
                            _r[op & 7] = ((m & 0x00FF00FF) << 8) | ((m >> 8) & 0x00FF00FF);
                            break;
                        case 3:
                            _r[op & 7] = (uint)(short)(((m & 0xFF) << 8) | ((m >> 8) & 0xFF));
                            break;
                        default:
                            return Fault(pc);
                    }

                    break;
                }

            case 0xC:
            case 0xD: // POP
                return Pop(pc, (uint)(op & 0xFF) | ((op & 0x100) != 0 ? 1u << Pc : 0));
            case 0xE: // BKPT
                if (!_core.DebugEnabled)
                {
                    return Fault(pc); // without halting debug, BKPT escalates to HardFault
                }

                _r[Pc] = pc;
                _core.HaltOnBreakpoint();
                return -1;
            case 0x1:
            case 0x3:
            case 0x9:
            case 0xB:
                return _armV7M ? CompareAndBranch(op, pc) : Fault(pc); // CBZ/CBNZ: ARMv7-M only
            case 0xF when (op & 0xF) != 0 && _armV7M: // IT
                return IfThen(op, pc);
            case 0xF: // hints: NOP, YIELD, WFE, WFI, SEV (IT is ARMv7-M only)
                if ((op & 0xF) != 0 || ((op >> 4) & 0xF) > 4)
                {
                    return Fault(pc);
                }

                break;
            default: // not ARMv6-M
                return Fault(pc);
        }

        _r[Pc] = next;
        return 1;
    }

    private int Execute32(ushort hw1, uint pc)
    {
        var address = pc + 2;
        if (address < _blockBase || address + 2 > _blockEnd)
        {
            return Fault(pc);
        }

        var hw2 = BinaryPrimitives.ReadUInt16LittleEndian(_blockMemory.AsSpan((int)(address - _blockBase), 2));
        if (_armV7M)
        {
            var thumb2 = ExecuteThumb2(hw1, hw2, pc);
            if (thumb2 != NotThumb2)
            {
                return thumb2;
            }
        }

        if ((hw1 & 0xF800) != 0xF000 || (hw2 & 0x8000) == 0)
        {
            return Fault(pc); // not a branch-and-miscellaneous-control encoding: undefined in ARMv6-M
        }

        var next = pc + 4;
        if ((hw2 & 0x5000) == 0x5000)
        {
            // BL (ARMv6-M A6.7.13): imm32 = SignExtend(S:I1:I2:imm10:imm11:'0'), I1 = NOT(J1 EOR S), I2 = NOT(J2 EOR S).
            var s = (uint)((hw1 >> 10) & 1);
            var i1 = ~(((uint)hw2 >> 13) ^ s) & 1;
            var i2 = ~(((uint)hw2 >> 11) ^ s) & 1;
            var imm = (s << 24) | (i1 << 23) | (i2 << 22) | ((uint)(hw1 & 0x3FF) << 12) | ((uint)(hw2 & 0x7FF) << 1);
            var offset = (int)(imm << 7) >> 7;
            _r[Lr] = next | 1;
            _r[Pc] = next + (uint)offset;
            return _timing.BranchLink;
        }

        if ((hw2 & 0x5000) != 0)
        {
            return Fault(pc); // B.W and the rest of ARMv7-M's branches: undefined in ARMv6-M
        }

        if ((hw1 & 0xFFF0) == 0xF380 && (hw2 & 0xFF00) == 0x8800) // MSR
        {
            WriteSpecial(hw2 & 0xFF, _r[hw1 & 0xF], hw1 & 0xF);
            _r[Pc] = next;
            return _timing.SpecialRegister;
        }

        if (hw1 == 0xF3EF && (hw2 & 0xF000) == 0x8000) // MRS
        {
            var d = (hw2 >> 8) & 0xF;
            if (d is Sp or Pc)
            {
                return Fault(pc);
            }

            _r[d] = ReadSpecial(hw2 & 0xFF);
            _r[Pc] = next;
            return _timing.SpecialRegister;
        }

        if (hw1 == 0xF3BF && (hw2 & 0xFF00) == 0x8F00 && ((hw2 >> 4) & 0xF) is 4 or 5 or 6) // DSB, DMB, ISB
        {
            _r[Pc] = next;
            return _timing.Barrier;
        }

        return Fault(pc);
    }

    private uint ReadSpecial(int sysm)
    {
        var special = _r[CortexM3Core.RegSpecial];
        return sysm switch
        {
            >= 0 and <= 7 => (sysm & 4) == 0 ? _r[CortexM3Core.RegXpsr] & FlagsMask : 0, // IPSR 0 in Thread mode; EPSR reads as 0
            8 => _r[CortexM3Core.RegMsp],
            9 => _r[CortexM3Core.RegPsp],
            16 => special & 1,
            17 or 18 when _armV7M => (special >> 8) & 0xFF,
            19 when _armV7M => (special >> 16) & 1,
            20 => (special >> 24) & 3,
            _ => 0,
        };
    }

    private void WriteSpecial(int sysm, uint value, int n)
    {
        if (n is Sp or Pc)
        {
            return;
        }

        ref var special = ref _r[CortexM3Core.RegSpecial];
        switch (sysm)
        {
            case >= 0 and <= 3: // APSR: N, Z, C, V (ARMv6-M B4.2.3)
                Flags = value;
                break;
            case 8:
                _r[CortexM3Core.RegMsp] = value & ~3u;
                break;
            case 9:
                _r[CortexM3Core.RegPsp] = value & ~3u;
                break;
            case 16 when _core.Privileged:
                special = (special & ~PrimaskBit) | (value & 1);
                break;
            case 17 or 18 when _armV7M && _core.Privileged:
                special = (special & ~0xF000u) | ((value & 0xF0) << 8);
                break;
            case 19 when _armV7M && _core.Privileged:
                special = (special & ~FaultmaskBit) | ((value & 1) << 16);
                break;
            case 20 when _core.Privileged:
                special = (special & ~(ControlSpSel | ControlNPriv)) | ((value & 3) << 24);
                break;
        }
    }

    private int Push(uint pc, uint list)
    {
        var count = BitOperations.PopCount(list);
        if (count == 0)
        {
            return Fault(pc);
        }

        var sp = _r[SpIndex];
        var address = sp - (uint)(4 * count);
        var a = address;
        for (var i = 0; i <= Lr; i++)
        {
            if ((list & (1u << i)) != 0)
            {
                if (!StoreStalling(pc, a, _r[i]))
                {
                    return -1;
                }

                a += 4;
            }
        }

        _r[SpIndex] = address;
        _r[Pc] = pc + 2;
        return 1 + count;
    }

    private int Pop(uint pc, uint list)
    {
        var count = BitOperations.PopCount(list);
        if (count == 0)
        {
            return Fault(pc);
        }

        var address = _r[SpIndex];
        Span<uint> values = stackalloc uint[16];
        var a = address;
        for (var i = 0; i <= Pc; i++)
        {
            if ((list & (1u << i)) != 0)
            {
                if (!LoadStalling(pc, a, out values[i]))
                {
                    return -1;
                }

                a += 4;
            }
        }

        for (var i = 0; i < Pc; i++)
        {
            if ((list & (1u << i)) != 0)
            {
                _r[i] = values[i];
            }
        }

        _r[SpIndex] = address + (uint)(4 * count);
        if ((list & (1u << Pc)) != 0)
        {
            var cycles = BranchExchange(pc, values[Pc]); // LoadWritePC = BXWritePC
            return cycles < 0 ? -1 : 1 + count + _timing.PopPcExtra;
        }

        _r[Pc] = pc + 2;
        return 1 + count;
    }

    private int StoreMultiple(uint pc, int n, uint list)
    {
        var count = BitOperations.PopCount(list);
        if (count == 0)
        {
            return Fault(pc);
        }

        var a = _r[n];
        for (var i = 0; i < 8; i++)
        {
            if ((list & (1u << i)) != 0)
            {
                if (!StoreStalling(pc, a, _r[i]))
                {
                    return -1;
                }

                a += 4;
            }
        }

        _r[n] = a;
        _r[Pc] = pc + 2;
        return 1 + count;
    }

    private int LoadMultiple(uint pc, int n, uint list)
    {
        var count = BitOperations.PopCount(list);
        if (count == 0)
        {
            return Fault(pc);
        }

        Span<uint> values = stackalloc uint[8];
        var a = _r[n];
        for (var i = 0; i < 8; i++)
        {
            if ((list & (1u << i)) != 0)
            {
                if (!LoadStalling(pc, a, out values[i]))
                {
                    return -1;
                }

                a += 4;
            }
        }

        for (var i = 0; i < 8; i++)
        {
            if ((list & (1u << i)) != 0)
            {
                _r[i] = values[i];
            }
        }

        if ((list & (1u << n)) == 0)
        {
            _r[n] = a; // writeback unless the base is in the list
        }

        _r[Pc] = pc + 2;
        return 1 + count;
    }

    // A word of a multiple transfer: a busy flash stalls the core synchronously (the core may run ahead of the
    // debugger's time by the stall; simplification for LDM/STM/PUSH/POP, which loaders do not aim at flash).
    private bool StoreStalling(uint pc, uint address, uint value)
    {
        while (true)
        {
            var result = Store(address, 4, value);
            if (result == BusResult.Ok)
            {
                return true;
            }

            if (result == BusResult.Fault || !StallSynchronously())
            {
                Fault(pc);
                return false;
            }
        }
    }

    private bool LoadStalling(uint pc, uint address, out uint value)
    {
        while (true)
        {
            var result = Load(address, 4, out value);
            if (result == BusResult.Ok)
            {
                return true;
            }

            if (result == BusResult.Fault || !StallSynchronously())
            {
                Fault(pc);
                return false;
            }
        }
    }

    private bool StallSynchronously()
    {
        var until = _bus.StallUntil.Ticks;
        if (until <= _time)
        {
            return false; // a stall that never ends: treat as a bus error
        }

        _time = until;
        return true;
    }

    private int LoadSingle(uint pc, int t, uint address, int size, bool signed)
    {
        var result = Load(address, size, out var value);
        if (result == BusResult.Wait)
        {
            return Stall(pc);
        }

        if (result != BusResult.Ok)
        {
            return Fault(pc);
        }

        _r[t] = !signed ? value : size == 1 ? (uint)(sbyte)value : (uint)(short)value;
        _r[Pc] = pc + 2;
        return _timing.Load;
    }

    private int StoreSingle(uint pc, uint address, int size, uint value)
    {
        var result = Store(address, size, size == 4 ? value : value & ((1u << (8 * size)) - 1));
        if (result == BusResult.Wait)
        {
            return Stall(pc);
        }

        if (result != BusResult.Ok)
        {
            return Fault(pc);
        }

        _r[Pc] = pc + 2;
        return _timing.Store;
    }

    // The access found the flash busy: the instruction has had no effect; the core waits until the slave frees the
    // bus (or the target time, whichever comes first) and retries the instruction then.
    private int Stall(uint pc)
    {
        _r[Pc] = pc;
        var until = (double)_bus.StallUntil.Ticks;
        if (until <= _time)
        {
            return Fault(pc);
        }

        _time = until;
        _stalled = true;
        return -1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private BusResult Load(uint address, int size, out uint value)
    {
        if ((address & (uint)(size - 1)) != 0)
        {
            value = 0;
            return BusResult.Fault; // ARMv6-M: every unaligned access faults
        }

        if (address >= _blockBase && address + (uint)size <= _blockEnd)
        {
            value = BusBytes.ReadLittleEndian(_blockMemory, (int)(address - _blockBase), size);
            return BusResult.Ok;
        }

        if (FindBlock(address) is { } block)
        {
            value = BusBytes.ReadLittleEndian(block.Memory, (int)(address - block.Base), size);
            return BusResult.Ok;
        }

        return _bus.Read(address, size, out value);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private BusResult Store(uint address, int size, uint value)
    {
        if ((address & (uint)(size - 1)) != 0)
        {
            return BusResult.Fault;
        }

        _writes++;
        if (address >= _blockBase && address + (uint)size <= _blockEnd)
        {
            BusBytes.WriteLittleEndian(_blockMemory, (int)(address - _blockBase), size, value);
            return BusResult.Ok;
        }

        if (FindBlock(address) is { } block)
        {
            BusBytes.WriteLittleEndian(block.Memory, (int)(address - block.Base), size, value);
            return BusResult.Ok;
        }

        return _bus.Write(address, size, value);
    }
}
