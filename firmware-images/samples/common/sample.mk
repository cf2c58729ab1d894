# Shared rules of the sample firmware (included by each board's Makefile, which sets NAME, CPU and LDSCRIPT).
# `make` builds NAME.elf, NAME.hex and NAME.bin into OUT (default: the board's folder). The build is deterministic: no
# debug info, no build ID, sources named by relative paths, so a rebuild is byte-identical to the committed files
# (tests/ProdFlash.EndToEnd.Tests/Samples checks it). Needs Debian's gcc-arm-none-eabi and binutils-arm-none-eabi.
CC      = arm-none-eabi-gcc
OBJCOPY = arm-none-eabi-objcopy
OUT    ?= .
CFLAGS  = -mcpu=$(CPU) -mthumb -Os -g0 -ffreestanding -ffunction-sections -fdata-sections -Wall -Wextra -Werror -I. -I$(OUT)
LDFLAGS = -nostdlib -nostartfiles -T $(LDSCRIPT) -Wl,--gc-sections -Wl,--build-id=none

all: $(OUT)/$(NAME).elf $(OUT)/$(NAME).hex $(OUT)/$(NAME).bin

$(OUT)/breath.h: ../common/breath.awk
	awk -f ../common/breath.awk > $@

$(OUT)/$(NAME).elf: ../common/banner.c $(OUT)/breath.h board.h $(LDSCRIPT) ../common/sample.mk
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ ../common/banner.c

$(OUT)/$(NAME).hex: $(OUT)/$(NAME).elf
	$(OBJCOPY) -O ihex $< $@

$(OUT)/$(NAME).bin: $(OUT)/$(NAME).elf
	$(OBJCOPY) -O binary $< $@

clean:
	rm -f $(OUT)/breath.h $(OUT)/$(NAME).elf $(OUT)/$(NAME).hex $(OUT)/$(NAME).bin

.PHONY: all clean
