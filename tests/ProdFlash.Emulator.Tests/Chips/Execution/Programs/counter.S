@ Counts forever in the word at r0 (a loop that writes memory, so it is never fast-forwarded).
    .syntax unified
    .cpu cortex-m0
    .thumb
    .text
loop:
    ldr   r1, [r0]
    adds  r1, #1
    str   r1, [r0]
    b     loop
