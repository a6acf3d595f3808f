; tests/bench/multiboot2.asm - the bench kernel's Multiboot2 header and the
; 32-bit path GRUB enters (Multiboot2 spec 1.0, 3.1 "OS image format").
;
; The ELF entry is twinboot's 64-bit bench_main; the entry address tag
; (type 3) sends a Multiboot2 loader here instead, in 32-bit protected
; mode with paging off. We need no long mode: write the line, exit.

MB2_MAGIC equ 0xe85250d6
MB2_ARCH_I386 equ 0

section .multiboot2 progbits alloc noexec nowrite align=8
header:
	dd MB2_MAGIC
	dd MB2_ARCH_I386
	dd header_end - header
	dd -(MB2_MAGIC + MB2_ARCH_I386 + (header_end - header)) ; checksum
	; Entry address tag: where to jump (3.1.6).
	align 8
	dw 3, 0
	dd 12
	dd bench_entry32
	; End tag.
	align 8
	dw 0, 0
	dd 8
header_end:

section .text
bits 32
; EAX = 0x36d76289 and EBX = the info block; we use neither.
bench_entry32:
	mov esi, line
.next:
	lodsb                           ; AL = next byte of the line
	test al, al
	jz .done
	mov dx, 0x3f8                   ; COM1 data: QEMU's UART needs no set-up
	out dx, al
	jmp .next
.done:
	mov al, 0x10                    ; isa-debug-exit: QEMU exits with 33
	out 0xf4, al
.halt:
	cli
	hlt
	jmp .halt

section .rodata
line: db "bench: kernel up", 10, 0
