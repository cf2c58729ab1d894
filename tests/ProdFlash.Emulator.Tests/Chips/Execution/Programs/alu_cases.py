#!/usr/bin/env python3
"""Writes alu.S and AluCases.g.cs: one case per (instruction, operands, carry in), with the result and the APSR
expected from the ARMv6-M pseudo-code (DDI 0419: AddWithCarry A2.2.1, Shift_C A2.2.2, the instruction pages of A6.7),
computed here independently of the emulator's C# interpreter. Run from this folder: python3 alu_cases.py"""

M = 0xFFFFFFFF


def s32(x):
    x &= M
    return x - (1 << 32) if x & 0x80000000 else x


def awc(x, y, c):
    x &= M
    y &= M
    us = x + y + c
    r = us & M
    return r, (1 if us != r else 0), (1 if s32(r) != s32(x) + s32(y) + c else 0)


def ror(x, n):
    n %= 32
    return ((x >> n) | (x << (32 - n))) & M if n else x


def lsl_c(a, s, cin):
    if s == 0:
        return a, cin
    if s < 32:
        return (a << s) & M, (a >> (32 - s)) & 1
    return 0, (a & 1) if s == 32 else 0


def lsr_c(a, s, cin):
    if s == 0:
        return a, cin
    if s < 32:
        return a >> s, (a >> (s - 1)) & 1
    return 0, (a >> 31) if s == 32 else 0


def asr_c(a, s, cin):
    if s == 0:
        return a, cin
    if s < 32:
        return (s32(a) >> s) & M, (a >> (s - 1)) & 1
    return (s32(a) >> 31) & M, a >> 31


def ror_c(a, s, cin):
    if s == 0:
        return a, cin
    r = ror(a, s % 32)
    return r, r >> 31


def sext(x, bits):
    x &= (1 << bits) - 1
    return (x - (1 << bits)) & M if x >> (bits - 1) else x


# Each op: (assembly using r1 = a and r2 = b, result into r1) -> function(a, b, cin) -> (result, C, V) or None for
# "flags unchanged" and a flag mode: 'nzcv' arithmetic, 'nzc' logical/shift (V unchanged), 'none' no flags.
def arith(f):
    return lambda a, b, c: f(a, b, c) + ("nzcv",)


OPS = [
    ("adds r1, r1, r2", lambda a, b, c: (*awc(a, b, 0), "nzcv")),
    ("adds r1, #200", lambda a, b, c: (*awc(a, 200, 0), "nzcv")),
    ("adds r1, r2, #7", lambda a, b, c: (*awc(b, 7, 0), "nzcv")),
    ("subs r1, r1, r2", lambda a, b, c: (*awc(a, ~b, 1), "nzcv")),
    ("subs r1, #200", lambda a, b, c: (*awc(a, ~200, 1), "nzcv")),
    ("subs r1, r2, #3", lambda a, b, c: (*awc(b, ~3, 1), "nzcv")),
    ("adcs r1, r2", lambda a, b, c: (*awc(a, b, c), "nzcv")),
    ("sbcs r1, r2", lambda a, b, c: (*awc(a, ~b, c), "nzcv")),
    ("rsbs r1, r2, #0", lambda a, b, c: (*awc(~b, 0, 1), "nzcv")),
    ("cmp r1, r2", lambda a, b, c: (a, *awc(a, ~b, 1)[1:], "nzcv", awc(a, ~b, 1)[0])),
    ("cmp r1, #200", lambda a, b, c: (a, *awc(a, ~200, 1)[1:], "nzcv", awc(a, ~200, 1)[0])),
    ("mov r8, r2; cmp r1, r8", lambda a, b, c: (a, *awc(a, ~b, 1)[1:], "nzcv", awc(a, ~b, 1)[0])),
    ("cmn r1, r2", lambda a, b, c: (a, *awc(a, b, 0)[1:], "nzcv", awc(a, b, 0)[0])),
    ("ands r1, r2", lambda a, b, c: (a & b, c, 0, "nzc")),
    ("eors r1, r2", lambda a, b, c: (a ^ b, c, 0, "nzc")),
    ("orrs r1, r2", lambda a, b, c: (a | b, c, 0, "nzc")),
    ("bics r1, r2", lambda a, b, c: (a & ~b & M, c, 0, "nzc")),
    ("mvns r1, r2", lambda a, b, c: (~b & M, c, 0, "nzc")),
    ("tst r1, r2", lambda a, b, c: (a, c, 0, "nzc", a & b)),
    ("muls r1, r2, r1", lambda a, b, c: ((a * b) & M, c, 0, "nzc")),
    ("lsls r1, r2", lambda a, b, c: (*lsl_c(a, b & 0xFF, c), 0, "nzc")),
    ("lsrs r1, r2", lambda a, b, c: (*lsr_c(a, b & 0xFF, c), 0, "nzc")),
    ("asrs r1, r2", lambda a, b, c: (*asr_c(a, b & 0xFF, c), 0, "nzc")),
    ("rors r1, r2", lambda a, b, c: (*ror_c(a, b & 0xFF, c), 0, "nzc")),
    ("lsls r1, r2, #1", lambda a, b, c: (*lsl_c(b, 1, c), 0, "nzc")),
    ("lsls r1, r2, #31", lambda a, b, c: (*lsl_c(b, 31, c), 0, "nzc")),
    ("lsrs r1, r2, #1", lambda a, b, c: (*lsr_c(b, 1, c), 0, "nzc")),
    ("lsrs r1, r2, #32", lambda a, b, c: (*lsr_c(b, 32, c), 0, "nzc")),
    ("asrs r1, r2, #5", lambda a, b, c: (*asr_c(b, 5, c), 0, "nzc")),
    ("asrs r1, r2, #32", lambda a, b, c: (*asr_c(b, 32, c), 0, "nzc")),
    ("movs r1, r2", lambda a, b, c: (b, c, 0, "nzc")),
    ("movs r1, #0", lambda a, b, c: (0, c, 0, "nzc")),
    ("movs r1, #255", lambda a, b, c: (255, c, 0, "nzc")),
    ("mov r1, r2", lambda a, b, c: (b, c, 0, "none")),
    ("add r1, r2", lambda a, b, c: ((a + b) & M, c, 0, "none")),
    ("sxtb r1, r2", lambda a, b, c: (sext(b, 8), c, 0, "none")),
    ("sxth r1, r2", lambda a, b, c: (sext(b, 16), c, 0, "none")),
    ("uxtb r1, r2", lambda a, b, c: (b & 0xFF, c, 0, "none")),
    ("uxth r1, r2", lambda a, b, c: (b & 0xFFFF, c, 0, "none")),
    ("rev r1, r2", lambda a, b, c: (int.from_bytes(b.to_bytes(4, "little"), "big"), c, 0, "none")),
    ("rev16 r1, r2", lambda a, b, c: (((b & 0x00FF00FF) << 8 | (b >> 8) & 0x00FF00FF) & M, c, 0, "none")),
    ("revsh r1, r2", lambda a, b, c: (sext(((b & 0xFF) << 8) | ((b >> 8) & 0xFF), 16), c, 0, "none")),
]

SHIFTS = [0, 1, 4, 31, 32, 33, 255, 256]
PAIRS = [(0, 0), (1, 1), (0x7FFFFFFF, 1), (0x80000000, 1), (0x80000000, 0x80000000), (0xFFFFFFFF, 1),
         (0xFFFFFFFF, 0xFFFFFFFF), (0x12345678, 0x87654321), (200, 200), (1, 200), (0x80000001, 0x7FFFFFFF),
         (0, 0xFFFFFF38), (0x12345678, 0xFFFFFF38), (0x000000C8, 0x80000000)]

cases = []
for insn, f in OPS:
    shift = insn.split()[0] in ("lsls", "lsrs", "asrs", "rors") and insn.count("r") == 3 and "#" not in insn
    pairs = [(a, s) for a in (0x80000001, 0x12345678, 0xFFFFFFFF, 1) for s in SHIFTS] if shift else PAIRS
    for a, b in pairs:
        for cin in (0, 1):
            out = f(a, b, cin)
            result, carry, overflow, mode = out[0] & M, out[1], out[2], out[3]
            flag_value = out[4] & M if len(out) > 4 else result
            n, z = flag_value >> 31, 1 if flag_value == 0 else 0
            if mode == "none":
                n, z, carry, overflow = 0, 0, cin, 0
            elif mode == "nzc":
                overflow = 0
            apsr = (n << 31) | (z << 30) | (carry << 29) | (overflow << 28)
            cases.append((insn, a, b, cin, result, apsr))

with open("alu.S", "w") as s:
    s.write("@ Generated by alu_cases.py: each case loads r1 = a, r2 = b, sets APSR to C = carry in (N = Z = V = 0),\n")
    s.write("@ runs one instruction and stores r1 and the APSR at r0 (8 bytes a case). Ends with BKPT #4.\n")
    s.write("    .syntax unified\n    .cpu cortex-m0\n    .thumb\n    .text\n")
    s.write(".macro CASE insn, a, b, cin\n    ldr  r1, =\\a\n    ldr  r2, =\\b\n    movs r3, #\\cin\n    lsls r3, r3, #29\n"
            "    msr  APSR_nzcvq, r3\n    \\insn\n    mrs  r3, APSR\n    stm  r0!, {r1, r3}\n.endm\n")
    s.write("start:\n")
    for i, (insn, a, b, cin, _, _) in enumerate(cases):
        s.write(f'    CASE "{insn}", 0x{a:08X}, 0x{b:08X}, {cin}\n')
        if i % 16 == 15:
            s.write(f"    b    pool_{i}\n    .ltorg\npool_{i}:\n")
    s.write("    bkpt #4\n    .ltorg\n")

with open("../AluCases.g.cs", "w") as cs:
    cs.write("// <auto-generated>Generated by Programs/alu_cases.py from the ARMv6-M pseudo-code; do not edit.</auto-generated>\n")
    cs.write("namespace ProdFlash.Emulator.Tests.Chips.Execution;\n\n")
    cs.write("/// <summary>The cases of Programs/alu.S with the result and APSR the ARMv6-M pseudo-code gives.</summary>\n")
    cs.write("internal static class AluCases\n{\n")
    cs.write("    public static readonly (string Instruction, uint A, uint B, int CarryIn, uint Result, uint Apsr)[] All =\n    [\n")
    for insn, a, b, cin, result, apsr in cases:
        cs.write(f'        ("{insn}", 0x{a:08X}, 0x{b:08X}, {cin}, 0x{result:08X}, 0x{apsr:08X}),\n')
    cs.write("    ];\n}\n")
print(len(cases), "cases")
