@ Every load/store width and addressing mode of ARMv6-M. In: r0 = output (96 bytes), r1 = input (16 bytes).
    .syntax unified
    .cpu cortex-m0
    .thumb
    .text
start:
    ldr   r2, [r1]              @ LDR (immediate) T1, offset 0
    str   r2, [r0, #0]
    ldr   r2, [r1, #4]
    str   r2, [r0, #4]
    ldrh  r2, [r1, #2]          @ LDRH (immediate)
    str   r2, [r0, #8]
    ldrb  r2, [r1, #3]          @ LDRB (immediate)
    str   r2, [r0, #12]
    movs  r3, #6
    ldrsh r2, [r1, r3]          @ LDRSH (register)
    str   r2, [r0, #16]
    movs  r3, #7
    ldrsb r2, [r1, r3]          @ LDRSB (register)
    str   r2, [r0, #20]
    movs  r3, #8
    ldr   r2, [r1, r3]          @ LDR (register)
    str   r2, [r0, #24]
    ldrh  r2, [r1, r3]          @ LDRH (register)
    str   r2, [r0, #28]
    ldrb  r2, [r1, r3]          @ LDRB (register)
    str   r2, [r0, #32]
    ldr   r2, =0xA1B2C3D4
    movs  r3, #36
    str   r2, [r0, r3]          @ STR (register)
    strh  r2, [r0, #40]         @ STRH (immediate)
    movs  r3, #42
    strh  r2, [r0, r3]          @ STRH (register)
    mov   r5, r0
    adds  r5, #40
    strb  r2, [r5, #4]          @ STRB (immediate): byte 44
    movs  r3, #45
    strb  r2, [r0, r3]          @ STRB (register): byte 45
    movs  r3, #0x5A
    strb  r3, [r5, #6]
    strb  r3, [r5, #7]
    sub   sp, #8                @ SUB (SP minus immediate)
    str   r2, [sp, #4]          @ STR (immediate) T2, SP-relative
    ldr   r4, [sp, #4]          @ LDR (immediate) T2, SP-relative
    add   sp, #8                @ ADD (SP plus immediate) T2
    str   r4, [r0, #48]
    ldr   r4, literal_word      @ LDR (literal)
    str   r4, [r0, #52]
    adr   r5, literal_word      @ ADR
    ldr   r4, [r5]
    str   r4, [r0, #56]
    add   r6, sp, #16           @ ADD (SP plus immediate) T1
    str   r6, [r0, #60]
    ldm   r1!, {r2, r3, r4}     @ LDM with writeback (base not in the list)
    adds  r0, #64
    stm   r0!, {r2, r3, r4}     @ STM with writeback
    str   r1, [r0]              @ the LDM base after writeback
    str   r0, [r0, #4]          @ the STM base after writeback
    mov   r5, r1
    subs  r5, #12
    ldm   r5, {r2, r5}          @ LDM, base in the list: no writeback, r5 loaded
    str   r5, [r0, #8]
    bkpt  #1
    .align 2
literal_word:
    .word 0x13579BDF
    .ltorg
