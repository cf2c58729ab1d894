/* Board of the QEMU sample: QEMU's stm32vldiscovery machine, an STM32F100RB (128 KiB flash in 1 KiB pages), the blue
 * LED on PC8. */
#ifndef BOARD_H
#define BOARD_H

/* The serial-number record: the last 1 KiB flash page (recipe.json, "serial.address"). */
#define SN_RECORD_ADDRESS 0x0801FC00u

/* PC8: general-purpose push-pull output, 2 MHz (GPIOC_CRH MODE8 = 0b10, CNF8 = 0b00). */
#define LED_PIN_MASK (1u << 8)
#define LED_CONFIGURE() (GPIOC_CRH = (GPIOC_CRH & ~0xFu) | 0x2u)

#endif
