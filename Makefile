# twinboot: the one Makefile. Every tool, flag, source list and test target
# is in this file; nothing is built by a sub-make. Outputs go under build/.
#   make            everything, ending in build/twinboot.img
#   make run        boot it under SeaBIOS      make run-uefi   under OVMF
#   make test       deps, unit tests, a fuzz smoke run, QEMU tests
#   make V=1        show the full commands
# See README.md for the rest of the targets.

B := build

# ---------------------------------------------------------------- tools
ifeq ($(origin CC),default)
CC := gcc
endif
LD := ld
NASM := nasm
OBJCOPY := objcopy
OBJDUMP := objdump
READELF := readelf
FUZZ_CC := clang
PYTHON := /usr/bin/python3
QEMU := qemu-system-x86_64

ifeq ($(V),1)
Q :=
say :=@true
else
Q := @
say = @printf '  %-8s %s\n'
endif

# Debian's firmware files.
OVMF_CODE := /usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS := /usr/share/OVMF/OVMF_VARS_4M.fd
EFI_INC := /usr/include/efi
EFI_LIB := /usr/lib

# Reproducible images: mkimage derives GUIDs, FAT serial and timestamps
# from this (the last commit's time when in git).
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
export SOURCE_DATE_EPOCH

WARN := -Wall -Wextra -Werror
# Freestanding code includes common/ headers with "quotes" only, so that
# common/elf.h, error.h and the like never shadow <elf.h> on the host.
INC := -iquote common
# common/early_fault.asm, flat, which common/early_idt.c embeds with .incbin.
EARLY_FAULT_BIN := $(B)/common/early_fault.bin
EARLY := -DEARLY_FAULT_BIN='"$(EARLY_FAULT_BIN)"'

# ---------------------------------------------------------------- sources
# The shared core, listed once. Host builds use libc's string functions and
# a fake platform instead of lib.c.
COMMON_SRC := common/lib.c common/fmt.c common/error.c common/crc32.c \
	common/elf.c common/memmap.c common/paging.c common/config.c \
	common/fat.c common/gpt.c common/cpu.c common/log.c common/boot.c \
	common/address_space.c common/sha256.c common/manifest.c common/early_idt.c \
	common/ide_dma.c common/virtio_blk.c common/pixel_format.c \
	common/device_path.c common/readahead.c common/ahci.c
COMMON_HOST_SRC := $(filter-out common/lib.c,$(COMMON_SRC))
# PC hardware the host can't drive (the PIT): in the loaders and the kernel.
COMMON_PC_SRC := common/pit.c
# The IDE bus-master and AHCI drivers, PCI configuration access and COM1:
# in both loaders.
COMMON_LOADER_PC_SRC := common/ata_dma.c common/ahci_disk.c common/pci.c common/uart.c
# The UEFI loader finds its partition through the firmware (no GPT code)
# and reads FAT itself only over our IDE and AHCI drivers
# (loader/uefi/disk_uefi.c), where a small read is one command, no
# real-mode trip or USB transfer: no read-ahead window (common/readahead.c);
# virtio-blk is fast through the firmware.
UEFI_COMMON_SRC := $(filter-out common/gpt.c common/crc32.c common/virtio_blk.c common/readahead.c,$(COMMON_SRC)) \
	$(COMMON_PC_SRC) $(COMMON_LOADER_PC_SRC)

# BIOS: stage 1 is the MBR; stage 2 is real-mode asm edges around 32-bit C.
BIOS_MBR_SRC := loader/bios/mbr.asm
BIOS_ASM_SRC := loader/bios/entry.asm loader/bios/realmode.asm loader/bios/longmode.asm \
	loader/bios/isr.asm
BIOS_C_SRC := loader/bios/main.c loader/bios/platform_bios.c loader/bios/console_bios.c \
	loader/bios/a20.c loader/bios/e820.c loader/bios/disk_bios.c loader/bios/vbe.c \
	loader/bios/tables_bios.c loader/bios/fault.c loader/bios/virtio_disk.c

# UEFI: the firmware enters efi_main itself (UEFI_ENTRY_LDFLAGS); no asm of ours.
UEFI_C_SRC := loader/uefi/main.c loader/uefi/platform_uefi.c loader/uefi/files_uefi.c \
	loader/uefi/exit_uefi.c loader/uefi/gop.c loader/uefi/handoff_uefi.c \
	loader/uefi/status.c loader/uefi/secure_uefi.c \
	loader/uefi/disk_uefi.c

# The kernel. It shares the formatter, the string functions and the COM1
# driver with the loaders.
KERNEL_ASM_SRC := kernel/entry.asm kernel/isr.asm
KERNEL_C_SRC := kernel/main.c kernel/console.c kernel/vga.c kernel/fb.c \
	kernel/font.c kernel/gdt.c kernel/idt.c kernel/panic.c \
	kernel/pagewalk.c kernel/conformance.c kernel/check_map.c kernel/check_mmu.c \
	kernel/check_tsc.c
KERNEL_COMMON_SRC := common/lib.c common/fmt.c common/uart.c $(COMMON_PC_SRC)
# The parts of the kernel the host unit tests render with.
KERNEL_HOST_SRC := kernel/vga.c kernel/fb.c kernel/font.c

MKIMAGE_SRC := tools/mkimage/main.c tools/mkimage/inputs.c tools/mkimage/image.c \
	tools/mkimage/gpt_write.c tools/mkimage/fatfs.c tools/mkimage/check.c \
	tools/mkimage/pe.c tools/mkimage/sign.c
MKIMAGE_COMMON_SRC := common/fmt.c common/error.c common/crc32.c common/elf.c common/sha256.c \
	common/config.c common/manifest.c

UNIT_TESTS := test_lib test_fmt test_crc32 test_elf test_memmap test_paging \
	test_config test_fat test_gpt test_boot test_boot_kernel_read test_boot_manifest test_vga test_fb test_sha256 test_manifest \
	test_ide_dma test_virtio_blk test_ahci test_pixel_format test_device_path test_readahead
UNIT_SUPPORT_SRC := tests/unit/fake_platform.c

FUZZ_TARGETS := fuzz_elf fuzz_fat fuzz_gpt fuzz_config fuzz_memmap fuzz_manifest fuzz_boot \
	fuzz_device_path
FUZZ_SECONDS ?= 20

# ---------------------------------------------------------------- flags
# Where make install puts things (mkimage also looks beside itself).
PREFIX ?= /usr/local

# BIOS stage 2: 32-bit protected mode, no FPU/SSE, no PIC; linked at a fixed
# address by stage2.ld, which ASSERTs its size. Each function in a section
# of its own and --gc-sections: what stage 2 never calls (parts of common/
# only BOOTX64.EFI, mkimage or the tests use: 1.6 KiB) stays out of the
# bytes every BIOS boot reads through INT 13h before any driver of ours
# runs (SeaBIOS's IDE PIO: about 0.25 ms a KiB under TCG). -flto, as for
# BOOTX64.EFI below, linked through $(CC): 54476 bytes became 51336,
# which leaves room under stage2.ld's limit for the image and a manifest.
BIOS_CFLAGS := -m32 -march=i686 -std=gnu11 -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -fno-asynchronous-unwind-tables -mgeneral-regs-only \
	-ffunction-sections -fdata-sections -flto -Os -g $(WARN) $(INC)
BIOS_NASMFLAGS := -f elf32 -g
BIOS_LDFLAGS := $(BIOS_CFLAGS) -nostdlib -static -Wl,-z,noexecstack,-T,loader/bios/stage2.ld \
	-Wl,--no-warn-rwx-segments,--gc-sections,--build-id=none
# 64-bit division in 32-bit code calls libgcc (gcc-multilib).
BIOS_LIBGCC := $(shell $(CC) -m32 -print-libgcc-file-name 2>/dev/null)

# UEFI: gnu-efi's ABI: PIC, MS calling convention through GNU_EFI_USE_MS_ABI,
# 2-byte wchar_t; linked as a shared object, then converted to PE32+.
# For the 64 KiB budget: -Os, as stage 2, and each function in a section
# of its own so --gc-sections drops what this loader never calls (the
# BIOS-only EDD parsers in common/ide_dma.c, ...); hidden visibility, or
# a shared object would export every function and keep them all.
# -flto: whole-program inlining across common/ and loader/uefi/ leaves
# 9 % fewer instructions on the boot path and fewer calls, so fewer
# blocks for an emulator to translate (645 instead of 710 in one OVMF
# boot: about 0.4 ms under QEMU's TCG), and a smaller file. It links
# through $(CC), which runs the link-time compiler; -z defs, because a
# shared object otherwise links with symbols missing, and an LTO object
# linked by a plain ld comes out empty.
UEFI_CFLAGS := -m64 -std=gnu11 -ffreestanding -fpic -fshort-wchar -mno-red-zone \
	-mgeneral-regs-only -fno-stack-protector -fno-strict-aliasing \
	-fno-asynchronous-unwind-tables -DGNU_EFI_USE_MS_ABI \
	-ffunction-sections -fdata-sections -fvisibility=hidden -flto \
	-I$(EFI_INC) -I$(EFI_INC)/x86_64 -Os -g $(WARN) $(INC)
# loader/uefi/uefi.lds is gnu-efi's script with .bss kept out of the file.
UEFI_LDFLAGS := $(UEFI_CFLAGS) -nostdlib -shared -Wl,-znocombreloc,-Bsymbolic,-zdefs \
	-Wl,--no-warn-rwx-segments,--gc-sections -Wl,-T,loader/uefi/uefi.lds -L$(EFI_LIB)
# gnu-efi's crt0 enters a program through _relocate, which applies the
# image's ELF relocations. BOOTX64.EFI has none (all of it is PC-relative:
# -fpic, -Bsymbolic, hidden symbols, no pointers in initialised data), so
# the firmware enters efi_main (EFIAPI) directly, and the link fails if
# one ever appears. main.c carries the dummy .reloc that crt0 would.
# 10 fewer blocks for QEMU's TCG to translate on every boot (about 60 us).
UEFI_ENTRY_LDFLAGS := -Wl,-e,efi_main
# The bench's raw reader links as a plain gnu-efi program: crt0 and the
# relocator from libgnuefi (libefi's helpers it does not need).
UEFI_CRT0 := $(EFI_LIB)/crt0-efi-x86_64.o
UEFI_LIBS := -lgnuefi
UEFI_SECTIONS := -j .text -j .sdata -j .data -j .rodata -j .dynamic -j .dynsym \
	-j .rel -j .rela -j .rel.* -j .rela.* -j .reloc -j .twinboot -j .bss
# BOOTX64.EFI's budget, checked at build time like stage 2's.
UEFI_MAX_BYTES := 65536

# Kernel: higher half (-mcmodel=kernel), no red zone (interrupts use the
# stack), no SIMD (nothing saves that state).
KERNEL_CFLAGS := -m64 -std=gnu11 -ffreestanding -fno-pic -fno-pie -mcmodel=kernel \
	-mno-red-zone -mgeneral-regs-only -fno-stack-protector \
	-fno-asynchronous-unwind-tables -O2 -g $(WARN) $(INC)
KERNEL_NASMFLAGS := -f elf64 -g
KERNEL_LDFLAGS := -m elf_x86_64 -nostdlib -static -z max-page-size=0x1000 \
	-T kernel/kernel.ld --no-warn-rwx-segments

# The second test kernel: linked low, small code model, nothing shared.
LOWKERNEL_CFLAGS := -m64 -std=gnu11 -ffreestanding -fno-pic -fno-pie -mno-red-zone \
	-mgeneral-regs-only -fno-stack-protector -fno-asynchronous-unwind-tables -O2 $(WARN)
LOWKERNEL_LDFLAGS := -m elf_x86_64 -nostdlib -static -z max-page-size=0x1000 \
	-T tests/lowkernel/lowkernel.ld

# Host: mkimage, unit tests (sanitizers on), fuzzers (clang's libFuzzer).
HOST_CFLAGS := -std=gnu11 -O1 -g -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all $(WARN) $(INC)
HOST_LDFLAGS := -fsanitize=address,undefined
MKIMAGE_CFLAGS := -std=gnu11 -O2 -g $(WARN) $(INC) -iquote tools/mkimage \
	-DTWINBOOT_DATADIR='"$(PREFIX)/share/twinboot"'
FUZZ_CFLAGS := -std=gnu11 -O1 -g -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all $(WARN) $(INC)


# ---------------------------------------------------------------- objects
obj = $(addprefix $(B)/$(1)/,$(patsubst %.c,%.o,$(patsubst %.asm,%.o,$(2))))

BIOS_OBJ := $(call obj,bios,$(BIOS_ASM_SRC) $(BIOS_C_SRC) $(COMMON_SRC) $(COMMON_PC_SRC) \
	$(COMMON_LOADER_PC_SRC))
UEFI_OBJ := $(call obj,uefi,$(UEFI_C_SRC) $(UEFI_COMMON_SRC))
KERNEL_OBJ := $(call obj,kernel,$(KERNEL_ASM_SRC) $(KERNEL_C_SRC) $(KERNEL_COMMON_SRC))
MKIMAGE_OBJ := $(call obj,mkimage,$(MKIMAGE_SRC) $(MKIMAGE_COMMON_SRC))
UNIT_LIB_OBJ := $(call obj,host,$(COMMON_HOST_SRC) $(UNIT_SUPPORT_SRC) $(KERNEL_HOST_SRC))
UNIT_BIN := $(addprefix $(B)/tests/,$(UNIT_TESTS))
FUZZ_LIB_OBJ := $(call obj,fuzz/obj,$(COMMON_HOST_SRC) $(UNIT_SUPPORT_SRC))
FUZZ_BIN := $(addprefix $(B)/fuzz/,$(FUZZ_TARGETS))

MBR_BIN := $(B)/loader/bios/mbr.bin
STAGE2_ELF := $(B)/loader/bios/stage2.elf
STAGE2_BIN := $(B)/loader/bios/stage2.bin
UEFI_SO := $(B)/loader/uefi/bootx64.so
UEFI_EFI := $(B)/loader/uefi/BOOTX64.EFI
KERNEL_ELF := $(B)/kernel/kernel.elf
LOWKERNEL_ELF := $(B)/lowkernel/lowkernel.elf
MKIMAGE := $(B)/tools/mkimage
IMAGE := $(B)/twinboot.img

# Objects reached only through pattern rules are outputs to keep, not
# intermediates to delete. Named, not a bare .SECONDARY:, which would make
# every file intermediate, so a deleted BOOTX64.EFI would not be rebuilt.
.SECONDARY: $(UNIT_LIB_OBJ) $(FUZZ_LIB_OBJ)
.DEFAULT_GOAL := all
.PHONY: all deps run run-uefi run-usb test test-unit test-fuzz test-qemu test-matrix \
	fuzz bench debug usb install format lint clean

all: $(IMAGE)

# ---------------------------------------------------------------- rules
# One pattern rule per output tree. -MMD keeps header dependencies exact;
# each object also depends on this Makefile, where every flag lives, so
# a changed flag (-flto, say) rebuilds objects instead of linking stale
# ones; a change to anything else here rebuilds them too, which is cheap.
$(B)/bios/%.o: %.c Makefile
	$(say) CC32 $<
	@mkdir -p $(@D)
	$(Q)$(CC) $(BIOS_CFLAGS) $(EARLY) -MMD -MP -c $< -o $@
$(B)/bios/%.o: %.asm Makefile
	$(say) NASM $<
	@mkdir -p $(@D)
	$(Q)$(NASM) $(BIOS_NASMFLAGS) -MD $(@:.o=.d) -MP $< -o $@
$(B)/uefi/%.o: %.c Makefile
	$(say) CCEFI $<
	@mkdir -p $(@D)
	$(Q)$(CC) $(UEFI_CFLAGS) $(EARLY) -MMD -MP -c $< -o $@
$(B)/kernel/%.o: %.c Makefile
	$(say) CC64 $<
	@mkdir -p $(@D)
	$(Q)$(CC) $(KERNEL_CFLAGS) -MMD -MP -c $< -o $@
$(B)/kernel/%.o: %.asm Makefile
	$(say) NASM $<
	@mkdir -p $(@D)
	$(Q)$(NASM) $(KERNEL_NASMFLAGS) -MD $(@:.o=.d) -MP $< -o $@
$(B)/mkimage/%.o: %.c Makefile
	$(say) HOSTCC $<
	@mkdir -p $(@D)
	$(Q)$(CC) $(MKIMAGE_CFLAGS) -MMD -MP -c $< -o $@
$(B)/host/%.o: %.c Makefile
	$(say) HOSTCC $<
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CFLAGS) $(EARLY) -MMD -MP -c $< -o $@
$(B)/fuzz/obj/%.o: %.c Makefile
	$(say) FUZZCC $<
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(EARLY) -MMD -MP -c $< -o $@

# The early IDT's code, for both loaders (common/early_idt.h).
$(EARLY_FAULT_BIN): common/early_fault.asm
	$(say) NASM $<
	@mkdir -p $(@D)
	$(Q)$(NASM) -w+all -f bin $< -o $@
$(addsuffix /common/early_idt.o,$(B)/bios $(B)/uefi $(B)/host $(B)/fuzz/obj): $(EARLY_FAULT_BIN)

# Stage 1: a flat 512-byte MBR template; mbr.asm pads to 440 bytes with
# `times`, so a stage 1 that grows past it fails to assemble.
$(MBR_BIN): $(BIOS_MBR_SRC)
	$(say) NASM $<
	@mkdir -p $(@D)
	$(Q)$(NASM) -f bin $< -o $@

$(STAGE2_ELF): $(BIOS_OBJ) loader/bios/stage2.ld
	$(say) LD $@
	@mkdir -p $(@D)
	$(Q)$(CC) $(BIOS_LDFLAGS) -o $@ $(BIOS_OBJ) $(BIOS_LIBGCC)
	$(Q)$(OBJDUMP) -d -M i386 $@ > $(@:.elf=.lst)
$(STAGE2_BIN): $(STAGE2_ELF)
	$(say) OBJCOPY $@
	$(Q)$(OBJCOPY) -O binary $< $@

$(UEFI_SO): $(UEFI_OBJ) loader/uefi/uefi.lds
	$(say) LD $@
	@mkdir -p $(@D)
	$(Q)$(CC) $(UEFI_LDFLAGS) $(UEFI_ENTRY_LDFLAGS) $(UEFI_OBJ) -o $@
	$(Q)if ! $(READELF) -r $@ | grep -q 'no relocations'; then \
		echo "$@: has ELF relocations, which nothing applies (efi_main is entered directly):" >&2; \
		$(READELF) -r $@ >&2; rm -f $@; exit 1; fi
	$(Q)$(OBJDUMP) -d $@ > $(@:.so=.lst)
$(UEFI_EFI): $(UEFI_SO)
	$(say) OBJCOPY $@
	$(Q)$(OBJCOPY) $(UEFI_SECTIONS) --target=efi-app-x86_64 $< $@
	$(Q)size=$$(stat -c %s $@); if [ $$size -gt $(UEFI_MAX_BYTES) ]; then \
		echo "$@: $$size bytes, over the $(UEFI_MAX_BYTES)-byte budget" >&2; \
		rm -f $@; exit 1; fi

$(KERNEL_ELF): $(KERNEL_OBJ) kernel/kernel.ld
	$(say) LD $@
	$(Q)$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJ)
	$(Q)$(OBJDUMP) -d $@ > $(@:.elf=.lst)

$(LOWKERNEL_ELF): tests/lowkernel/lowkernel.c tests/lowkernel/lowkernel.ld common/bootinfo.h Makefile
	$(say) CC64 $<
	@mkdir -p $(@D)
	$(Q)$(CC) $(LOWKERNEL_CFLAGS) -c $< -o $(@:.elf=.o)
	$(Q)$(LD) $(LOWKERNEL_LDFLAGS) -o $@ $(@:.elf=.o)

$(MKIMAGE): $(MKIMAGE_OBJ)
	$(say) HOSTLD $@
	@mkdir -p $(@D)
	$(Q)$(CC) -o $@ $(MKIMAGE_OBJ)

# The image: our kernel and loaders, the default config.
$(IMAGE): $(MKIMAGE) $(MBR_BIN) $(STAGE2_BIN) $(UEFI_EFI) $(KERNEL_ELF)
	$(say) MKIMAGE $@
	$(Q)$(MKIMAGE) -o $@ --kernel $(KERNEL_ELF) --mbr-code $(MBR_BIN) \
		--stage2 $(STAGE2_BIN) --efi $(UEFI_EFI)

$(B)/tests/%: tests/unit/%.c $(UNIT_LIB_OBJ)
	$(say) HOSTLD $@
	@mkdir -p $(@D)
	$(Q)$(CC) $(HOST_CFLAGS) -iquote kernel -o $@ $< $(UNIT_LIB_OBJ) $(HOST_LDFLAGS) -lcmocka

$(B)/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB_OBJ)
	$(say) FUZZLD $@
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_LIB_OBJ)

# The bench kernel (one line on COM1, then exit), padded with
# incompressible bytes in a PT_LOAD of its own; the raw-read boot sector
# and EFI application, which are also the firmware floors.
BENCH := $(B)/bench
BENCH_PAD_MIB := 1 16 64
BENCH_KERNEL_OBJ := $(BENCH)/kernel.o $(BENCH)/multiboot2.o
BENCH_BINS := $(BENCH)/kernel-tiny.elf $(BENCH_PAD_MIB:%=$(BENCH)/kernel-%M.elf) \
	$(BENCH)/rawread.bin $(BENCH)/rawread.efi
.SECONDARY: $(BENCH_PAD_MIB:%=$(BENCH)/pad-%M.bin) $(BENCH_PAD_MIB:%=$(BENCH)/pad-%M.o)

$(BENCH)/kernel.o: tests/bench/kernel.c tests/bench/com1.h common/portio.h Makefile
	$(say) CC64 $<
	@mkdir -p $(@D)
	$(Q)$(CC) $(LOWKERNEL_CFLAGS) -c $< -o $@
$(BENCH)/multiboot2.o: tests/bench/multiboot2.asm
	$(say) NASM $<
	@mkdir -p $(@D)
	$(Q)$(NASM) -f elf64 $< -o $@
$(BENCH)/pad-%M.bin:
	@mkdir -p $(@D)
	$(Q)$(PYTHON) -c 'import random, sys; \
		sys.stdout.buffer.write(random.Random($*).randbytes($* << 20))' > $@
$(BENCH)/pad-%M.o: tests/bench/pad.asm $(BENCH)/pad-%M.bin
	$(say) NASM $@
	$(Q)$(NASM) -f elf64 -DPADFILE='"$(BENCH)/pad-$*M.bin"' $< -o $@
$(BENCH)/kernel-tiny.elf: $(BENCH_KERNEL_OBJ) tests/bench/kernel.ld
	$(say) LD $@
	$(Q)$(LD) $(LOWKERNEL_LDFLAGS:tests/lowkernel/lowkernel.ld=tests/bench/kernel.ld) \
		-z noexecstack -o $@ $(BENCH_KERNEL_OBJ)
$(BENCH)/kernel-%M.elf: $(BENCH_KERNEL_OBJ) $(BENCH)/pad-%M.o tests/bench/kernel.ld
	$(say) LD $@
	$(Q)$(LD) $(LOWKERNEL_LDFLAGS:tests/lowkernel/lowkernel.ld=tests/bench/kernel.ld) \
		-z noexecstack -o $@ $(BENCH_KERNEL_OBJ) $(BENCH)/pad-$*M.o
$(BENCH)/rawread.bin: tests/bench/rawread.asm
	$(say) NASM $<
	@mkdir -p $(@D)
	$(Q)$(NASM) -f bin $< -o $@
$(BENCH)/rawread.so: $(B)/uefi/tests/bench/rawread_efi.o loader/uefi/uefi.lds
	$(say) LD $@
	@mkdir -p $(@D)
	$(Q)$(CC) $(UEFI_LDFLAGS) $(UEFI_CRT0) $< -o $@ $(UEFI_LIBS)
$(BENCH)/rawread.efi: $(BENCH)/rawread.so
	$(say) OBJCOPY $@
	$(Q)$(OBJCOPY) $(UEFI_SECTIONS) --target=efi-app-x86_64 $< $@

# ---------------------------------------------------------------- commands
deps:
	@sh scripts/deps.sh

run: deps all
	$(Q)$(PYTHON) scripts/run.py --firmware bios $(IMAGE)
run-uefi: deps all
	$(Q)$(PYTHON) scripts/run.py --firmware uefi $(IMAGE)
FW ?= bios
run-usb: deps all
	$(Q)$(PYTHON) scripts/run.py --firmware $(FW) --disk usb-xhci $(IMAGE)

# make debug: QEMU stops at the first instruction and waits for gdb on
# :1234; build/.gdbinit loads the symbols of both stages and the kernel.
debug: deps all
	$(Q)$(PYTHON) scripts/run.py --firmware $(FW) --gdb $(IMAGE)

usb: all
	$(Q)sh scripts/usb.sh "$(DEV)" $(IMAGE)

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/include/twinboot \
		$(DESTDIR)$(PREFIX)/share/twinboot
	install -m 755 $(MKIMAGE) $(DESTDIR)$(PREFIX)/bin/twinboot-mkimage
	install -m 644 common/bootinfo.h $(DESTDIR)$(PREFIX)/include/twinboot/bootinfo.h
	install -m 644 $(MBR_BIN) $(STAGE2_BIN) $(UEFI_EFI) $(DESTDIR)$(PREFIX)/share/twinboot/

test: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory test-unit
	$(Q)$(MAKE) --no-print-directory test-fuzz
	$(Q)$(MAKE) --no-print-directory test-qemu

test-unit: $(UNIT_BIN)
	$(Q)sh scripts/run-unit-tests.sh $(UNIT_BIN)

# A short run of every fuzz target over its corpus (FUZZ_SECONDS each).
test-fuzz: $(FUZZ_BIN)
	$(Q)FUZZ_RUNS=$(FUZZ_RUNS) sh scripts/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_BIN)
# Long runs: make fuzz FUZZ_SECONDS=3600, or FUZZ_RUNS=10000000 executions
# each (issue 7's bar; FUZZ_SECONDS then only caps a target).
fuzz: FUZZ_SECONDS := $(if $(FUZZ_RUNS),14400,600)
fuzz: $(FUZZ_BIN)
	$(Q)FUZZ_RUNS=$(FUZZ_RUNS) sh scripts/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_BIN)

# QEMU tests, two guests at a time at most (2 cores here), with the image
# tests and the bench report's arithmetic.
QEMU_JOBS ?= 2
test-qemu: all $(LOWKERNEL_ELF)
	$(Q)$(PYTHON) -m pytest -q -n $(QEMU_JOBS) tests/bench tests/image tests/qemu
# Every test plus the matrix (issue 7); docs/RELIABILITY.md is written from
# the results and the last fuzz logs even when a test fails, which still fails the target.
test-matrix: all $(LOWKERNEL_ELF)
	$(Q)$(PYTHON) -m pytest -q -n $(QEMU_JOBS) --matrix --junitxml=$(B)/tests/matrix.xml \
		tests/image tests/qemu; status=$$?; \
		$(PYTHON) scripts/reliability.py $(B)/tests/matrix.xml -o docs/RELIABILITY.md && \
		exit $$status

# make bench: boot times against the firmware floor, the raw disk speed
# and GRUB (tests/bench/bench.py; BENCH_RUNS=N, BENCH_QUICK=1). Not part
# of make test: it reports ratios and writes docs/BENCHMARKS.md.
bench: deps all $(BENCH_BINS)
	$(Q)$(PYTHON) tests/bench/bench.py --build $(B)

# The C sources git knows of or would add: new files are formatted and
# checked before their first commit, not after.
C_FILES = $$(git ls-files --cached --others --exclude-standard '*.c' '*.h')
format:
	$(Q)clang-format -i $(C_FILES)
# lint: cppcheck on common/, the format check, and the whole product built
# with clang too (into build/clang), so both compilers stay warning-free.
lint:
	$(Q)$(MAKE) --no-print-directory B=$(B)/clang CC=clang $(B)/clang/loader/bios/stage2.bin \
		$(B)/clang/loader/uefi/BOOTX64.EFI $(B)/clang/kernel/kernel.elf $(B)/clang/tools/mkimage
	$(Q)cppcheck --quiet --error-exitcode=1 --enable=warning,portability,performance \
		--std=c11 --inline-suppr -I common common/
	$(Q)clang-format --dry-run --Werror $(C_FILES)

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
