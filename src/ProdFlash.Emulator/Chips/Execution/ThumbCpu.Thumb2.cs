using System.Numerics;

using ProdFlash.Emulator.Target;

namespace ProdFlash.Emulator.Chips.Execution;

/// <summary>
/// The ARMv7-M Thumb-2 subset OpenOCD's flash loaders use (ARMv7-M Architecture Reference Manual, DDI 0403, A5.3 and
/// A7.7), executed on the Cortex-M3/M4 parts only: IT, CBZ/CBNZ, B.W, data processing with a modified or plain
/// immediate, and LDR/STR (byte, half-word, word, signed) with a 12-bit immediate, an 8-bit immediate with
/// pre/post-index and writeback, a register offset, or a literal. Other 32-bit encodings lock the core up.
/// </summary>
/// <remarks>The IT state lives in the interpreter, not in xPSR: a debugger that halts inside an IT block sees EPSR.IT = 0.</remarks>
public sealed partial class ThumbCpu
{
    private const int NotThumb2 = int.MinValue;
    private byte _it;
    private double _until;

    // IT (A7.7.38): the next up to four instructions are conditional on firstcond (and its inverse per the mask).
    private int IfThen(ushort op, uint pc)
    {
        var firstCond = (op >> 4) & 0xF;
        if (firstCond == 0xF || (firstCond == 0xE && BitOperations.PopCount((uint)(op & 0xF)) != 1))
        {
            return Fault(pc);
        }

        _it = (byte)(op & 0xFF);
        _r[Pc] = pc + 2;
        return 1;
    }

    // CBZ, CBNZ (A7.7.21): compare a low register with zero and branch forward; flags unchanged.
    private int CompareAndBranch(ushort op, uint pc)
    {
        if ((op & 0x0500) != 0x0100)
        {
            return Fault(pc); // 1011 x0x1 only
        }

        var nonZero = (op & 0x0800) != 0;
        var offset = (uint)((((op >> 9) & 1) << 6) | (((op >> 3) & 0x1F) << 1));
        if ((_r[op & 7] != 0) == nonZero)
        {
            _r[Pc] = pc + 4 + offset;
            return _timing.BranchTaken;
        }

        _r[Pc] = pc + 2;
        return 1;
    }

    // One instruction inside an IT block: skipped when its condition fails; a 16-bit data-processing instruction that
    // sets the flags outside an IT block does not set them inside one (A7.3.3).
    private int ExecuteInItBlock(ushort op, uint pc, double target)
    {
        var condition = _it >> 4;
        var is32 = (op >> 11) is 0b11101 or 0b11110 or 0b11111;
        int cycles;
        if (!ConditionPassed(condition))
        {
            _r[Pc] = pc + (is32 ? 4u : 2u);
            cycles = 1;
        }
        else
        {
            var flags = _r[CortexM3Core.RegXpsr] & FlagsMask;
            cycles = Execute(op, pc, target);
            if (!is32 && SetsFlagsOnlyOutsideIt(op))
            {
                Flags = flags;
            }
        }

        if (cycles >= 0 && !_stalled)
        {
            _it = (_it & 7) == 0 ? (byte)0 : (byte)((_it & 0xE0) | ((_it << 1) & 0x1F)); // ITAdvance()
        }

        return cycles;
    }

    private static bool SetsFlagsOnlyOutsideIt(ushort op) => (op >> 11) switch
    {
        <= 0b00100 => true, // shifts, ADD/SUB register and 3-bit immediate, MOV immediate
        0b00110 or 0b00111 => true, // ADD/SUB 8-bit immediate (CMP 0b00101 always sets flags)
        0b01000 when (op & 0x0400) == 0 => ((op >> 6) & 0xF) is not (0x8 or 0xA or 0xB), // not TST, CMP, CMN
        _ => false,
    };

    // Returns the cycles, -1 on halt/fault/stall, or NotThumb2 for BL, MSR, MRS and the barriers (handled by the
    // ARMv6-M decoder) and for encodings outside the subset (which then fault).
    private int ExecuteThumb2(ushort hw1, ushort hw2, uint pc)
    {
        if ((hw1 & 0xF800) == 0xF000 && (hw2 & 0x8000) != 0)
        {
            return Thumb2Branch(hw1, hw2, pc);
        }

        if ((hw1 & 0xF800) == 0xF000)
        {
            return (hw1 & 0x0200) == 0 ? ModifiedImmediate(hw1, hw2, pc) : PlainImmediate(hw1, hw2, pc);
        }

        if ((hw1 & 0xFE00) == 0xF800)
        {
            return LoadStoreSingle(hw1, hw2, pc);
        }

        return NotThumb2;
    }

    // B.W: T3 conditional (A7.7.12, cond = hw1[9:6]) and T4 unconditional.
    private int Thumb2Branch(ushort hw1, ushort hw2, uint pc)
    {
        var s = (uint)((hw1 >> 10) & 1);
        var j1 = (uint)((hw2 >> 13) & 1);
        var j2 = (uint)((hw2 >> 11) & 1);
        if ((hw2 & 0x5000) == 0x1000)
        {
            var i1 = ~(j1 ^ s) & 1;
            var i2 = ~(j2 ^ s) & 1;
            var imm = (s << 24) | (i1 << 23) | (i2 << 22) | ((uint)(hw1 & 0x3FF) << 12) | ((uint)(hw2 & 0x7FF) << 1);
            return Branch(pc, pc + 4 + (uint)((int)(imm << 7) >> 7), _timing.BranchTaken, _until);
        }

        if ((hw2 & 0x5000) == 0 && ((hw1 >> 7) & 7) != 7)
        {
            var cond = (hw1 >> 6) & 0xF;
            if (!ConditionPassed(cond))
            {
                _r[Pc] = pc + 4;
                return 1;
            }

            var imm = (s << 20) | (j2 << 19) | (j1 << 18) | ((uint)(hw1 & 0x3F) << 12) | ((uint)(hw2 & 0x7FF) << 1);
            return Branch(pc, pc + 4 + (uint)((int)(imm << 11) >> 11), _timing.BranchTaken, _until);
        }

        return NotThumb2;
    }

    // ThumbExpandImm_C (A5.3.2).
    private uint ExpandImmediate(uint imm12, out bool carry)
    {
        carry = Carry;
        if ((imm12 >> 10) == 0)
        {
            var b = imm12 & 0xFF;
            return ((imm12 >> 8) & 3) switch
            {
                0 => b,
                1 => (b << 16) | b,
                2 => (b << 24) | (b << 8),
                _ => (b << 24) | (b << 16) | (b << 8) | b,
            };
        }

        var value = BitOperations.RotateRight(0x80 | (imm12 & 0x7F), (int)(imm12 >> 7));
        carry = (value >> 31) != 0;
        return value;
    }

    // Data processing (modified immediate), A5.3.1: AND/TST, BIC, ORR/MOV, ORN/MVN, EOR/TEQ, ADD/CMN, ADC, SBC, SUB/CMP, RSB.
    private int ModifiedImmediate(ushort hw1, ushort hw2, uint pc)
    {
        var op = (hw1 >> 5) & 0xF;
        var setFlags = (hw1 & 0x10) != 0;
        var n = hw1 & 0xF;
        var d = (hw2 >> 8) & 0xF;
        var imm12 = (uint)((((hw1 >> 10) & 1) << 11) | (((hw2 >> 12) & 7) << 8) | (hw2 & 0xFF));
        var imm = ExpandImmediate(imm12, out var carry);
        var rn = n == Pc ? 0 : ReadReg(n, pc);
        uint result;
        var logical = true;
        var flags = _r[CortexM3Core.RegXpsr] & FlagsMask;
        switch (op)
        {
            case 0x0: result = rn & imm; break;
            case 0x1: result = rn & ~imm; break;
            case 0x2: result = n == Pc ? imm : rn | imm; break;
            case 0x3: result = n == Pc ? ~imm : rn | ~imm; break;
            case 0x4: result = rn ^ imm; break;
            case 0x8: result = AddWithCarry(rn, imm, false); logical = false; break;
            case 0xA: result = AddWithCarry(rn, imm, Carry); logical = false; break;
            case 0xB: result = AddWithCarry(rn, ~imm, Carry); logical = false; break;
            case 0xD: result = AddWithCarry(rn, ~imm, true); logical = false; break;
            case 0xE: result = AddWithCarry(~rn, imm, true); logical = false; break;
            default: return NotThumb2;
        }

        if (!setFlags)
        {
            Flags = flags; // AddWithCarry set them; this form does not
        }
        else if (logical)
        {
            SetNzc(result, carry);
        }

        var compareOnly = d == Pc && setFlags && op is 0x0 or 0x4 or 0x8 or 0xD; // TST, TEQ, CMN, CMP
        if (!compareOnly)
        {
            if (d is Pc || (d == Sp && op is not (0x8 or 0xD)))
            {
                return Fault(pc);
            }

            WriteReg(d, result);
        }

        _r[Pc] = pc + 4;
        return 1;
    }

    // Data processing (plain binary immediate), A5.3.3: ADDW, SUBW, MOVW, MOVT.
    private int PlainImmediate(ushort hw1, ushort hw2, uint pc)
    {
        var op = (hw1 >> 4) & 0x1F;
        var n = hw1 & 0xF;
        var d = (hw2 >> 8) & 0xF;
        if (d == Pc)
        {
            return Fault(pc);
        }

        var imm12 = (uint)((((hw1 >> 10) & 1) << 11) | (((hw2 >> 12) & 7) << 8) | (hw2 & 0xFF));
        var imm16 = (uint)((hw1 & 0xF) << 12) | imm12;
        var baseValue = n == Pc ? (pc + 4) & ~3u : ReadReg(n, pc);
        switch (op)
        {
            case 0b00000: WriteReg(d, baseValue + imm12); break; // ADDW (ADR.W when Rn = PC)
            case 0b01010: WriteReg(d, baseValue - imm12); break; // SUBW
            case 0b00100: WriteReg(d, imm16); break; // MOVW
            case 0b01100: WriteReg(d, (ReadReg(d, pc) & 0xFFFF) | (imm16 << 16)); break; // MOVT
            default: return NotThumb2;
        }

        _r[Pc] = pc + 4;
        return 1;
    }

    // Load/store single data item, A5.3.7–A5.3.10: LDR/LDRH/LDRSH/LDRB/LDRSB/STR/STRH/STRB, every addressing form.
    private int LoadStoreSingle(ushort hw1, ushort hw2, uint pc)
    {
        var signed = (hw1 & 0x0100) != 0;
        var immediate12 = (hw1 & 0x0080) != 0;
        var sizeCode = (hw1 >> 5) & 3;
        var load = (hw1 & 0x0010) != 0;
        var n = hw1 & 0xF;
        var t = (hw2 >> 12) & 0xF;
        if (sizeCode == 3 || (signed && !load))
        {
            return NotThumb2;
        }

        var size = 1 << sizeCode;
        uint address;
        var writeBack = false;
        var offsetAddress = 0u;
        if (n == Pc)
        {
            if (!load)
            {
                return Fault(pc);
            }

            var literalBase = (pc + 4) & ~3u;
            address = immediate12 ? literalBase + (uint)(hw2 & 0xFFF) : literalBase - (uint)(hw2 & 0xFFF); // bit 7 is U here
        }
        else if (immediate12)
        {
            address = ReadReg(n, pc) + (uint)(hw2 & 0xFFF);
        }
        else if ((hw2 & 0x0800) != 0)
        {
            var index = (hw2 & 0x0400) != 0;
            var add = (hw2 & 0x0200) != 0;
            writeBack = (hw2 & 0x0100) != 0;
            if (!index && !writeBack)
            {
                return Fault(pc);
            }

            var rn = ReadReg(n, pc);
            offsetAddress = add ? rn + (uint)(hw2 & 0xFF) : rn - (uint)(hw2 & 0xFF);
            address = index ? offsetAddress : rn;
        }
        else if ((hw2 & 0x0FC0) == 0)
        {
            var m = hw2 & 0xF;
            if (m is Sp or Pc)
            {
                return Fault(pc);
            }

            address = ReadReg(n, pc) + (_r[m] << ((hw2 >> 4) & 3));
        }
        else
        {
            return NotThumb2;
        }

        if (load && t == Pc && size < 4)
        {
            _r[Pc] = pc + 4; // PLD/PLI (and hints on the same encodings): no effect here
            return 1;
        }

        if (load)
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

            if (writeBack)
            {
                WriteReg(n, offsetAddress);
            }

            value = !signed ? value : size == 1 ? (uint)(sbyte)value : (uint)(short)value;
            if (t == Pc)
            {
                var cycles = BranchExchange(pc, value); // LoadWritePC
                return cycles < 0 ? -1 : _timing.Load + cycles;
            }

            WriteReg(t, value);
        }
        else
        {
            if (t == Pc)
            {
                return Fault(pc);
            }

            var value = ReadReg(t, pc);
            var result = Store(address, size, size == 4 ? value : value & ((1u << (8 * size)) - 1));
            if (result == BusResult.Wait)
            {
                return Stall(pc);
            }

            if (result != BusResult.Ok)
            {
                return Fault(pc);
            }

            if (writeBack)
            {
                WriteReg(n, offsetAddress);
            }
        }

        _r[Pc] = pc + 4;
        return load ? _timing.Load : _timing.Store;
    }
}
