; loader/bios/entry.asm - stage 2's first instructions: from the real mode
; stage 1 left us in to 32-bit protected mode, then into C.
;
; Stage 1 jumps to 0000:8000 with DL = boot drive. We check that all of
; stage 2 arrived (its last dword is a magic the linker script puts there),
; load a flat GDT, set CR0.PE, zero the BSS and call stage2_main(drive).
; Intel SDM vol. 3A 10.9.1 "Switching to Protected Mode".

bits 16
section .entry progbits alloc exec

extern stage2_main, __bss_start, __bss_end, __stage2_tail
global stage2_entry, gdt32_desc

; The stack: 0x2000..0x6fff (see stage2.ld); a boot uses under 3 KiB of it.
; It stops short of the page stage 1 ran in (0x7c00), although stage 1 is
; done with: an emulator (QEMU's TCG) keeps the translated code of that
; page and sends every write to the page through a slow path that checks
; it for self-modifying code. With the top at 0x8000 most pushes and calls
; of stage 2 took that path: 2900 writes in a boot (QEMU's
; memory_notdirty_write_access trace), at 0.28 us each (1000 timed in a
; loop), about 0.8 ms. realmode.asm keeps its data off its code page too.
STACK_TOP equ 0x7000
%if STACK_TOP > 0x7c00 & ~0xfff
%error "stage 2's stack must end below the page stage 1 ran in"
%endif

stage2_entry:
	; Flat real-mode segments and our own stack; stage 1's is below 0x7c00.
	cli
	cld
	xor ax, ax
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov sp, STACK_TOP
	mov [boot_drive], dl

	; The tail magic may lie above 64 KiB: reach it through ES = addr >> 4.
	; A short read by stage 1 (wrong size patched in) is caught here.
	mov eax, __stage2_tail
	mov bx, ax
	and bx, 0x0f
	shr eax, 4
	mov es, ax
	cmp dword [es:bx], 'TBS2'
	jne incomplete

	; Protected mode: GDT, then CR0.PE, then a far jump to reload CS.
	; Interrupts stay off from here on except inside BIOS calls.
	o32 lgdt [gdt32_desc]
	mov eax, cr0
	or al, 1
	mov cr0, eax
	jmp dword 0x08:pm32

; Stage 2 is not all there: say so through the BIOS teletype and halt.
incomplete:
	mov si, msg_incomplete
.next:
	lodsb
	test al, al
	jz halt16
	mov ah, 0x0e
	mov bx, 0x0007
	int 0x10
	jmp .next
halt16:
	cli
	hlt
	jmp halt16

bits 32
pm32:
	; Flat 4 GiB data segments for C.
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	mov ss, ax
	mov esp, STACK_TOP

	; The BSS is not in the flat binary: zero it before C reads it.
	mov edi, __bss_start
	mov ecx, __bss_end
	sub ecx, edi
	xor eax, eax
	rep stosb

	; stage2_main(drive) does not return; halt if it ever does.
	movzx eax, byte [boot_drive]
	push eax
	call stage2_main
.halt:
	cli
	hlt
	jmp .halt

msg_incomplete: db "twinboot: stage 2 incomplete (image damaged?)", 0
boot_drive: db 0

; The stage 2 GDT. 0x08/0x10: flat 32-bit code/data for C; 0x18/0x20:
; 16-bit code/data with 64 KiB limits, the step between protected and
; real mode that realmode.asm takes (SDM vol. 3A 10.9.2).
align 8
gdt32:
	dq 0
	dq 0x00cf9a000000ffff           ; 0x08 code, 32-bit, 4 GiB
	dq 0x00cf92000000ffff           ; 0x10 data, 4 GiB
	dq 0x00009a000000ffff           ; 0x18 code, 16-bit, 64 KiB
	dq 0x000092000000ffff           ; 0x20 data, 16-bit, 64 KiB
gdt32_end:
gdt32_desc:
	dw gdt32_end - gdt32 - 1
	dd gdt32
