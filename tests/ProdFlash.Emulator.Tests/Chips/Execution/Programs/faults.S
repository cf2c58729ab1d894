@ Entry points for the halt and fault tests (PC set by the test):
@ +0 spin (for C_HALT), +2 undefined instruction, +4 unaligned word load, +6 bus fault, +8 SVC, +10 branch out of SRAM.
    .syntax unified
    .cpu cortex-m0
    .thumb
    .text
spin:
    b     spin
undefined:
    udf   #0
unaligned:
    ldr   r0, [r1]              @ r1 = an odd address
bus_fault:
    ldr   r0, [r2]              @ r2 = an unmapped address
supervisor_call:
    svc   #0
branch_out:
    bx    r3                    @ r3 = an unmapped address with the Thumb bit
