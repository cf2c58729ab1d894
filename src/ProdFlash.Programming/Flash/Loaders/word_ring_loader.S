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
@   success: r0 = 0, r4 = 0, read pointer = last unit's end (wrapped)
@   error:   r0 = FLASH_SR with the error flag(s), read pointer word = 0, r3 = one past the failed unit
@ The flash control register (PG, F4 PSIZE) is set by the host before the run and cleared after it.

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
        mov     r10, r2         @ r10 = error mask
        mov     r11, r1         @ r11 = BSY mask
        ldr     r2, [r5, #4]    @ r2  = read pointer (the host set it to the data start)
next_unit:
        cmp     r4, #0
        beq     finished
wait_data:
        ldr     r1, [r5, #0]    @ write pointer, published by the host after each chunk
        cmp     r1, r2
        beq     wait_data       @ ring empty: wait for the host
        mov     r7, r9
copy_word:
        ldr     r6, [r2]        @ one word from the ring ...
        str     r6, [r3]        @ ... into flash (PG set; the bus stalls while the flash is busy)
        adds    r2, r2, #4
        adds    r3, r3, #4
        subs    r7, r7, #1
        bne     copy_word
wait_busy:
        ldr     r6, [r0]        @ FLASH_SR
        mov     r7, r11
        tst     r6, r7
        bne     wait_busy       @ BSY: the unit is still programming
        mov     r7, r10
        tst     r6, r7
        bne     failed          @ an error flag: stop and report
        cmp     r2, r8
        bne     publish
        mov     r2, r5          @ wrap to the data start
        adds    r2, r2, #8
publish:
        str     r2, [r5, #4]    @ the unit is done: its ring space is free again
        subs    r4, r4, #1
        b       next_unit
failed:
        movs    r1, #0
        str     r1, [r5, #4]    @ read pointer 0: the host stops streaming
        mov     r0, r6          @ r0 = FLASH_SR with the error
        bkpt    #0
finished:
        movs    r0, #0
        bkpt    #0
        .size ring_loader, . - ring_loader
