/* ProdFlash sample firmware for STM32F103C8: blinks PC13 (the Blue Pill LED).
 * It has initialized .data, .rodata and .bss on purpose: the image must carry .data's initial values at their
 * load address (LMA) in flash, after .text and .rodata, where reset_handler copies them from. */
#include <stdint.h>

/* RM0008 section 3.3 memory map; 7.3.7 RCC_APB2ENR; 9.2 GPIO registers. */
#define RCC_APB2ENR   (*(volatile uint32_t *)0x40021018u)
#define RCC_IOPCEN    (1u << 4)
#define GPIOC_CRH     (*(volatile uint32_t *)0x40011004u)
#define GPIOC_ODR     (*(volatile uint32_t *)0x4001100Cu)

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;

int main(void);
void reset_handler(void);
void default_handler(void);

/* Initialized data: lands in RAM at run time, its initial values are stored in flash. */
volatile uint32_t blink_delay = 200000u;
volatile uint8_t signature[8] = { 'P', 'r', 'o', 'd', 'F', 'l', 's', 'h' };
/* Zero-initialized: takes RAM, no bytes in the image. */
volatile uint32_t blink_count;
/* Read-only: stays in flash. */
static const char banner[] = "ProdFlash sample-f103";

__attribute__((section(".isr_vector"), used))
void (*const vector_table[16])(void) = {
    (void (*)(void))&_estack, /* initial stack pointer */
    reset_handler,            /* reset */
    default_handler,          /* NMI */
    default_handler,          /* HardFault */
    default_handler,          /* MemManage */
    default_handler,          /* BusFault */
    default_handler,          /* UsageFault */
    0, 0, 0, 0,               /* reserved */
    default_handler,          /* SVCall */
    default_handler,          /* DebugMonitor */
    0,                        /* reserved */
    default_handler,          /* PendSV */
    default_handler,          /* SysTick */
};

void reset_handler(void)
{
    uint32_t *src = &_sidata;
    for (uint32_t *dst = &_sdata; dst < &_edata;) {
        *dst++ = *src++;
    }
    for (uint32_t *dst = &_sbss; dst < &_ebss;) {
        *dst++ = 0u;
    }
    main();
    for (;;) {
    }
}

void default_handler(void)
{
    for (;;) {
    }
}

int main(void)
{
    RCC_APB2ENR |= RCC_IOPCEN;
    /* PC13: general-purpose push-pull output, 2 MHz (MODE13 = 0b10, CNF13 = 0b00). */
    GPIOC_CRH = (GPIOC_CRH & ~(0xFu << 20)) | (0x2u << 20);
    for (;;) {
        GPIOC_ODR ^= (1u << 13);
        blink_count += ((uint32_t)banner[blink_count % (sizeof banner - 1)] ^ signature[blink_count & 7u]) & 1u;
        for (volatile uint32_t i = 0; i < blink_delay; i++) {
        }
    }
}
