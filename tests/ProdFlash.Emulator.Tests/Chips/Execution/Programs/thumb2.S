@ The ARMv7-M Thumb-2 subset the interpreter runs on Cortex-M3/M4 parts (OpenOCD's stm32f2x loader uses these).
@ In: r0 = output (40 bytes), r1 = input (16 bytes 0x80..0x8F). Ends with BKPT #7 after a B.W over 2 KiB.
    .syntax unified
    .cpu cortex-m3
    .thumb
    .text
start:
    movw  r2, #0x5678           @ MOVW
    movt  r2, #0x1234           @ MOVT
    str   r2, [r0], #4          @ STR (immediate) T4, post-indexed: [0] = 0x12345678
    addw  r3, r2, #0xFFF        @ ADDW
    str   r3, [r0], #4          @ [4] = 0x12346677
    mov.w r3, #0xFF00FF00       @ MOV (modified immediate), pattern 0xXY00XY00
    str   r3, [r0], #4          @ [8] = 0xFF00FF00
    movs  r4, #0
    cmp   r4, #0                @ Z = 1, C = 1
    ite   eq
    addeq r4, r4, #1            @ executes; a 16-bit ADD inside IT sets no flags
    addne r4, r4, #2            @ skipped
    mrs   r5, apsr
    str   r4, [r0], #4          @ [12] = 1
    str   r5, [r0], #4          @ [16] = 0x60000000
    ldrsb r6, [r1, #1]          @ LDRSB (immediate) T1, 12-bit: 0xFFFFFF81
    str   r6, [r0], #4          @ [20]
    ldrh  r6, [r1, #2]!         @ LDRH (immediate) T4, pre-indexed with writeback
    str   r6, [r0], #4          @ [24] = 0x8382
    str   r1, [r0], #4          @ [28] = input + 2
    movs  r7, #0
    cbz   r7, 1f                @ CBZ taken
    movs  r7, #9
1:  cbnz  r7, 2f                @ CBNZ not taken
    movs  r7, #5
2:  str   r7, [r0], #4          @ [32] = 5
    tst   r2, #0x00FF0000       @ TST (modified immediate): 0x00340000, Z = 0
    ite   ne
    movne r7, #1
    moveq r7, #2
    str   r7, [r0], #4          @ [36] = 1
    b.w   far                   @ B.W (T4) beyond the 16-bit range
    .space 2048
far:
    bkpt  #7
