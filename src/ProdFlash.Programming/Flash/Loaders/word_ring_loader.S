@ ProdFlash RAM loader: programs main flash in 32-bit words from an SRAM ring buffer the host fills over SWD.
@ ARMv6-M Thumb only (runs on every family's core: Cortex-M0/M0+/M3/M4). Written for ProdFlash; the protocol is the
@ one of OpenOCD's asynchronous flash algorithms (host owns the write pointer, the loader owns the read pointer).
@
@ Regenerate the bytes embedded in RamLoaderStubs.cs after editing this file:
@   arm-none-eabi-as -mcpu=cortex-m0 -mthumb -o word_ring_loader.o word_ring_loader.S
@   arm-none-eabi-objcopy -O binary word_ring_loader.o word_ring_loader.bin
@   xxd -i word_ring_loader.bin
@ (RamLoaderStubTests re-assembles this file and fails when the embedded bytes differ.)
@
@ SRAM: [this code][ring: +0 write pointer, +4 read pointer, +8 data ... ring end][stack]
@ Pointers are absolute addresses inside the data area, always a whole programming unit apart from its start;
@ wp == rp means empty. The host keeps one unit free, so a full ring never looks empty.
@
@ In (set by the host before it lets the core run):
@   r0 = address of the flash status register (FLASH_SR)
@   r1 = BSY mask in FLASH_SR
@   r2 = error mask in FLASH_SR (every error flag the family has)
@   r3 = flash address of the first unit (aligned to the unit)
@   r4 = programming units to write (> 0)
@   r5 = ring start (address of the write pointer word)
@   r6 = ring end (one past the last data byte; data size a multiple of the unit)
@   r7 = 32-bit words per programming unit (1: F4 x32, 2: G0/L4 double word)
@ Out (the core halts on BKPT):
@   success: r0 = 0, r12 = 0 (units left), read pointer = the last unit's end (wrapped)
@   error:   r0 = FLASH_SR with the error flag(s), read pointer word = 0, r3 = one past the failed unit
@ The flash control register (PG, F4 PSIZE) is set by the host before the run and cleared after it.
@
@ The next unit is loaded from the ring while the previous one programs, so the flash idles only for the few cycles
@ between seeing BSY clear and the unit's last store. A unit's ring space is released once it is stored (the flash
@ holds the data); its error flags are checked before the next unit is stored (or at the end), so r3 still names it.

        .cpu cortex-m0
        .thumb
        .syntax unified
        .text
        .align 2
        .global ring_loader
        .type ring_loader, %function
ring_loader:
        mov     r8, r6          @ r8  = ring end
        mov     r9, r7          @ r9  = words per unit
        mov     r10, r2         @ r10 = error flags
        mov     r12, r4         @ r12 = units left to store
        orrs    r1, r1, r2
        mov     r4, r1          @ r4  = BSY | error flags: any of them set, the next unit must wait
        ldr     r2, [r5, #4]    @ r2  = read pointer (the host set it to the data start)
next_unit:
        mov     r6, r12
        cmp     r6, #0
        beq     drain           @ every unit stored: wait for the last one
wait_data:
        ldr     r1, [r5, #0]    @ write pointer, published by the host after each chunk
        cmp     r1, r2
        beq     wait_data       @ ring empty: wait for the host
        ldr     r1, [r2, #0]    @ the unit's first word ...
        ldr     r7, [r2, #4]    @ ... and its second (stored only for a double-word unit)
wait_ready:
        ldr     r6, [r0]        @ FLASH_SR
        tst     r6, r4
        bne     not_ready       @ BSY (the previous unit still programs) or an error flag
        mov     r6, r9
        cmp     r6, #1
        beq     store_word
        stm     r3!, {r1, r7}   @ double word: programming starts with the second store
        b       stored
store_word:
        stm     r3!, {r1}       @ one word (F4 x32)
stored:
        lsls    r6, r6, #2      @ r6 = words per unit (still in r6 from above) * 4 = unit bytes
        adds    r2, r2, r6
        cmp     r2, r8
        bne     publish
        mov     r2, r5          @ wrap to the data start
        adds    r2, r2, #8
publish:
        str     r2, [r5, #4]    @ the unit is stored: its ring space is free again
        mov     r6, r12
        subs    r6, r6, #1
        mov     r12, r6
        b       next_unit
not_ready:
        mov     r11, r7         @ keep the second word while r7 holds the error flags
        mov     r7, r10
        tst     r6, r7
        mov     r7, r11         @ (a register move leaves the flags)
        beq     wait_ready      @ only BSY: wait
        b       failed          @ the previous unit (ending just before r3) failed
drain:
        ldr     r6, [r0]        @ FLASH_SR after the last unit
        tst     r6, r4
        beq     finished
        mov     r7, r10
        tst     r6, r7
        beq     drain           @ only BSY: wait
failed:
        movs    r1, #0
        str     r1, [r5, #4]    @ read pointer 0: the host stops streaming
        mov     r0, r6          @ r0 = FLASH_SR with the error
        bkpt    #0
finished:
        movs    r0, #0
        bkpt    #0
        .size ring_loader, . - ring_loader
