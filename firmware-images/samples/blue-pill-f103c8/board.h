/* Board of the Blue Pill sample: STM32F103C8 (64 KiB flash in 1 KiB pages), the LED on PC13 (lit when low). */
#ifndef BOARD_H
#define BOARD_H

/* The serial-number record: the last 1 KiB flash page (recipe.json, "serial.address"). */
#define SN_RECORD_ADDRESS 0x0800FC00u

/* PC13: general-purpose push-pull output, 2 MHz (GPIOC_CRH MODE13 = 0b10, CNF13 = 0b00). */
#define LED_PIN_MASK (1u << 13)
#define LED_CONFIGURE() (GPIOC_CRH = (GPIOC_CRH & ~(0xFu << 20)) | (0x2u << 20))

#endif
