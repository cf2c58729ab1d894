@ BL, BLX/BX (register), PUSH/POP with LR/PC, MOV/ADD to the PC, and every condition code over all 16 NZCV values.
@ In: r0 = output (8 + 16 * 14 bytes). Out: word 0 = from BL's callee, word 1 = from BLX's callee, then one byte per
@ (NZCV, condition): 1 when B<c> was taken.
    .syntax unified
    .cpu cortex-m0
    .thumb
    .text
start:
    movs  r1, #0
    bl    callee                @ BL
    str   r1, [r0, #0]
    adr   r2, callee2
    adds  r2, #1                @ Thumb bit
    blx   r2                    @ BLX (register)
    str   r1, [r0, #4]
    adds  r0, #8
    movs  r7, #0
cond_loop:
    lsls  r6, r7, #28
    .irp  c, eq, ne, cs, cc, mi, pl, vs, vc, hi, ls, ge, lt, gt, le
    movs  r4, #0
    msr   APSR_nzcvq, r6
    b\c   1f
    b     2f
1:  movs  r4, #1
2:  strb  r4, [r0]
    adds  r0, #1
    .endr
    adds  r7, #1
    cmp   r7, #16
    bne   cond_loop
    adr   r3, finish
    mov   pc, r3                @ MOV (register) to the PC
    bkpt  #0x99                 @ not reached
    .align 2
finish:
    bkpt  #2
callee:
    push  {r4, lr}              @ PUSH with LR
    movs  r4, #0x11
    mov   r1, r4
    mov   r8, r4                @ high register
    add   r1, r8                @ ADD (register) T2: 0x22
    pop   {r4, pc}              @ POP with PC
    .align 2
callee2:
    movs  r1, #0x33
    bx    lr                    @ BX (register)
