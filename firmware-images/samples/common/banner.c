/* ProdFlash sample firmware, shared by the boards in firmware-images/samples/: at reset it prints one line on USART1
 * (PA9, 115200 8N1 from the 8 MHz HSI), "SN=<serial>" from the 32-byte serial-number record ProdFlash wrote at
 * SN_RECORD_ADDRESS, then blinks the board's LED.
 *
 * The record (the sample recipes' "serial" block, docs/recipe.md): bytes 0..15 the serial text in ASCII, NUL-terminated or
 * NUL-padded; 16..19 the sequence number, little-endian; 28..31 the CRC-32 (IEEE 802.3, as zlib) of bytes 0..27,
 * little-endian. The line is "SN=none" while the record is blank (all 0xFF, erased flash; or all 0x00, QEMU's flash
 * before anything is written) and "SN=bad-crc" when its CRC does not match, so a test can tell "not written" from
 * "written wrong".
 *
 * It has initialized .data, .rodata and .bss on purpose: the image must carry .data's initial values at their load
 * address (LMA) in flash, after .text and .rodata, where reset_handler copies them from. The board header (board.h,
 * found on the include path of each board's Makefile) names the LED and the record's address. */
#include <stdint.h>

#include "board.h"
#include "breath.h"

/* RM0008 / RM0041 memory map: RCC 0x40021000, GPIOA 0x40010800, GPIOC 0x40011000, USART1 0x40013800. */
#define RCC_APB2ENR (*(volatile uint32_t *)0x40021018u)
#define RCC_IOPAEN  (1u << 2)
#define RCC_IOPCEN  (1u << 4)
#define RCC_USART1EN (1u << 14)
#define GPIOA_CRH   (*(volatile uint32_t *)0x40010804u)
#define GPIOC_CRL   (*(volatile uint32_t *)0x40011000u)
#define GPIOC_CRH   (*(volatile uint32_t *)0x40011004u)
#define GPIOC_ODR   (*(volatile uint32_t *)0x4001100Cu)
#define USART1_SR   (*(volatile uint32_t *)0x40013800u)
#define USART1_DR   (*(volatile uint32_t *)0x40013804u)
#define USART1_BRR  (*(volatile uint32_t *)0x40013808u)
#define USART1_CR1  (*(volatile uint32_t *)0x4001380Cu)
#define USART_SR_TXE (1u << 7)
#define USART_SR_TC  (1u << 6)
#define USART_CR1_UE (1u << 13)
#define USART_CR1_TE (1u << 3)

#define SN_RECORD_LENGTH 32u
#define SN_TEXT_LENGTH 16u
#define SN_CRC_OFFSET 28u

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;

int main(void);
void reset_handler(void);
void default_handler(void);

/* Initialized data: lands in RAM at run time, its initial values are stored in flash (the last 12 bytes of the image). */
volatile uint32_t blink_delay = 200000u;
volatile uint8_t signature[8] = { 'P', 'r', 'o', 'd', 'F', 'l', 's', 'h' };
/* Zero-initialized: takes RAM, no bytes in the image. */
volatile uint32_t blink_count;

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

/* CRC-32, reflected polynomial 0xEDB88320, initial and final XOR 0xFFFFFFFF (zlib's crc32). */
static uint32_t crc32(const volatile uint8_t *data, uint32_t length)
{
    uint32_t crc = 0xFFFFFFFFu;
    for (uint32_t i = 0; i < length; i++) {
        crc ^= data[i];
        for (int bit = 0; bit < 8; bit++) {
            crc = (crc & 1u) ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
    }
    return ~crc;
}

static void uart_put(char c)
{
    /* Bounded wait: a board whose USART is not clocked must still blink rather than hang here. */
    for (uint32_t spin = 0; spin < 100000u && (USART1_SR & USART_SR_TXE) == 0u; spin++) {
    }
    USART1_DR = (uint8_t)c;
}

static void uart_puts(const char *text)
{
    while (*text != '\0') {
        uart_put(*text++);
    }
}

static void print_serial_record(void)
{
    const volatile uint8_t *record = (const volatile uint8_t *)SN_RECORD_ADDRESS;
    uint32_t erased = 1u;
    uint32_t zeroed = 1u;
    for (uint32_t i = 0; i < SN_RECORD_LENGTH; i++) {
        erased &= record[i] == 0xFFu;
        zeroed &= record[i] == 0x00u;
    }

    uart_puts("SN=");
    if (erased || zeroed) {
        uart_puts("none");
    } else {
        uint32_t stored = (uint32_t)record[SN_CRC_OFFSET] | ((uint32_t)record[SN_CRC_OFFSET + 1] << 8)
            | ((uint32_t)record[SN_CRC_OFFSET + 2] << 16) | ((uint32_t)record[SN_CRC_OFFSET + 3] << 24);
        if (stored != crc32(record, SN_CRC_OFFSET)) {
            uart_puts("bad-crc");
        } else {
            for (uint32_t i = 0; i < SN_TEXT_LENGTH && record[i] != 0u; i++) {
                uint8_t c = record[i];
                uart_put(c >= 0x20u && c < 0x7Fu ? (char)c : '?');
            }
        }
    }
    uart_puts("\r\n");
}

int main(void)
{
    RCC_APB2ENR |= RCC_IOPAEN | RCC_IOPCEN | RCC_USART1EN;
    /* PA9 (USART1_TX): alternate-function push-pull, 2 MHz (MODE9 = 0b10, CNF9 = 0b10). */
    GPIOA_CRH = (GPIOA_CRH & ~(0xFu << 4)) | (0xAu << 4);
    /* 8 MHz / 115200 = 69.44: mantissa 4, fraction 5 (RM0008 27.3.4). */
    USART1_BRR = 0x45u;
    USART1_CR1 = USART_CR1_UE | USART_CR1_TE;
    print_serial_record();
    for (uint32_t spin = 0; spin < 100000u && (USART1_SR & USART_SR_TC) == 0u; spin++) {
    }

    LED_CONFIGURE();
    for (;;) {
        /* One breathing step: the LED on for breath[step] of 65536 ticks of blink_delay / 64, off for the rest. */
        uint32_t step = blink_count++ % (sizeof breath / sizeof breath[0]);
        uint32_t on = ((uint32_t)breath[step] * (blink_delay >> 6)) >> 16;
        GPIOC_ODR |= LED_PIN_MASK;
        for (volatile uint32_t i = 0; i < on; i++) {
        }
        GPIOC_ODR &= ~LED_PIN_MASK;
        for (volatile uint32_t i = on; i < (blink_delay >> 6) + (signature[step & 7u] & 1u); i++) {
        }
    }
}
