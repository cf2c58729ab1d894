@ A ring-buffer flash loader, as a debugger runs one on the target: the host streams data into a FIFO in SRAM while
@ this code programs it into flash, one programming unit at a time. It fetches the next unit from the FIFO while the
@ flash still programs the previous one, so the flash waits only for the BSY poll and one store.
@ Assembled with --defsym UNIT=2 (F0/F1 half-word), 4 (F4 word, PSIZE x32) or 8 (G0/L4 double word), and
@ --defsym BSY_BIT=0 (F1) or 16 (F4, G0, L4).
@ In: r0 = FLASH_SR address, r1 = number of units, r2 = FIFO header (+0 write pointer, host; +4 read pointer, ours;
@ data from +8), r3 = FIFO end, r4 = flash destination, r8 = SR error mask. The host sets the controller's PG (and
@ PSIZE) before it starts the loader, and writes 0 as the write pointer to abort.
@ Ends: BKPT #0 done (r1 = 0), BKPT #1 aborted, BKPT #2 flash error (r0 = SR).
    .syntax unified
    .cpu cortex-m0
    .thumb
    .text
start:
.if UNIT == 2
    lsls  r1, r1, #1
.elseif UNIT == 4
    lsls  r1, r1, #2
.else
    lsls  r1, r1, #3
.endif
    add   r1, r4
    mov   r9, r1                @ r9 = end of the destination
    ldr   r6, [r2, #4]          @ r6 = read pointer
wait_fifo:
    ldr   r5, [r2, #0]          @ write pointer
    cmp   r5, #0
    beq   aborted
    cmp   r5, r6
    beq   wait_fifo             @ no data yet
.if UNIT == 2
    ldrh  r5, [r6]
.elseif UNIT == 4
    ldr   r5, [r6]
.else
    ldr   r5, [r6]
    ldr   r7, [r6, #4]
.endif
    adds  r6, #UNIT
    cmp   r6, r3
    bcc   no_wrap
    mov   r6, r2
    adds  r6, #8                @ wrap to the start of the data
no_wrap:
    str   r6, [r2, #4]          @ the slot is the host's again
busy:
    ldr   r1, [r0]
    lsrs  r1, r1, #(BSY_BIT + 1)
    bcs   busy                  @ the previous unit is still programming
.if UNIT == 2
    strh  r5, [r4]
.elseif UNIT == 4
    str   r5, [r4]
.else
    str   r5, [r4]
    str   r7, [r4, #4]          @ the second word starts the double-word programming
.endif
    ldr   r1, [r0]
    mov   r7, r8
    tst   r1, r7
    bne   error                 @ PGERR/PROGERR/... of this or the previous unit
    adds  r4, #UNIT
    cmp   r4, r9
    bne   wait_fifo
last_busy:
    ldr   r1, [r0]
    lsrs  r1, r1, #(BSY_BIT + 1)
    bcs   last_busy
    ldr   r1, [r0]
    mov   r7, r8
    tst   r1, r7
    bne   error
    movs  r1, #0
    bkpt  #0
aborted:
    bkpt  #1
error:
    mov   r0, r1
    bkpt  #2
