@ Bitwise CRC-32 (IEEE 802.3: reflected polynomial 0xEDB88320, init and final XOR 0xFFFFFFFF).
@ In: r0 = data, r1 = length. Out: r0 = CRC. Ends with BKPT #0x42.
    .syntax unified
    .cpu cortex-m0
    .thumb
    .text
start:
    movs r2, #0
    mvns r2, r2             @ crc = 0xFFFFFFFF
    ldr  r3, =0xEDB88320
    cmp  r1, #0
    beq  done
byte_loop:
    ldrb r4, [r0]
    adds r0, r0, #1
    eors r2, r4
    movs r5, #8
bit_loop:
    lsrs r2, r2, #1         @ C = the bit shifted out
    bcc  no_xor
    eors r2, r3
no_xor:
    subs r5, r5, #1
    bne  bit_loop
    subs r1, r1, #1
    bne  byte_loop
done:
    mvns r0, r2
    bkpt #0x42
    .ltorg
