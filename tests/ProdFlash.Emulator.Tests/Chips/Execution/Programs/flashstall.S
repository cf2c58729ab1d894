@ Back-to-back half-word stores into F1 flash with PG set and no BSY polling: each store after the first stalls on
@ the AHB until the previous half-word is programmed (RM0008 §3.3.3). In: r0 = flash address, r1 = count,
@ r2 = first value. Ends with BKPT #3.
    .syntax unified
    .cpu cortex-m0
    .thumb
    .text
start:
    strh  r2, [r0]
    adds  r0, #2
    adds  r2, #1
    subs  r1, #1
    bne   start
    subs  r0, #2
    ldrh  r3, [r0]              @ a load from the flash while it programs the last half-word also stalls
    bkpt  #3
