; loader/bios/realmode.asm - call a BIOS interrupt from 32-bit C.
;
; void bios_int(uint8_t vector, struct bios_regs *regs): drop to real mode,
; load every register from *regs, `int vector`, store every register and
; the flags back into *regs, return to protected mode. Like Linux's
; intcall (arch/x86/boot/bioscall.S) and Limine's rm_int.
; The caller's stack must lie below 64 KiB (it does: 0x2000..0x7fff), so
; real mode runs on it as SS = 0, SP = ESP. This code and its data must be
; in the first 64 KiB too; stage2.ld asserts it.

section .realmode progbits alloc exec
extern gdt32_desc, idt32_desc
global bios_int

REGS_DWORDS equ 11              ; sizeof(struct bios_regs) / 4

bits 32
bios_int:
	push ebp
	push ebx
	push esi
	push edi
	; Patch the vector into the `int` below; the far jumps that follow
	; serialise, so the CPU sees the new byte.
	mov al, [esp + 20]
	mov [int_vector], al
	; Copy *regs below 64 KiB, where real mode can address it.
	mov esi, [esp + 24]
	mov edi, rm_regs
	mov ecx, REGS_DWORDS
	rep movsd
	mov [saved_esp], esp

	; Down: 16-bit protected mode first (segments with 64 KiB limits, as
	; real mode expects), then clear CR0.PE and reload CS with a far jump.
	jmp 0x18:.pm16
bits 16
.pm16:
	mov ax, 0x20
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	mov ss, ax
	mov eax, cr0
	and al, 0xfe
	mov cr0, eax
	jmp 0:.real
.real:
	xor ax, ax
	mov ds, ax
	mov ss, ax
	lidt [rm_idt]                   ; the IVT at 0, for the BIOS

	; Registers from the copy: the struct is laid out in pop order
	; (gs, fs, es, ds, eflags, then popad's edi..eax).
	mov sp, rm_regs
	pop gs
	pop fs
	pop es
	pop ds
	popfd
	popad
	mov sp, [cs:saved_esp]

	; Interrupts on during the call: disk and USB services of some
	; BIOSes (SeaBIOS among them) wait on the timer tick.
	sti
	db 0xcd                         ; int imm8
int_vector:
	db 0
	cli

	; Store every register back in the same order, the flags (CF) too.
	mov sp, rm_regs_end
	pushad
	pushfd
	push ds
	push es
	push fs
	push gs

	; Up again: our GDT (the BIOS may have loaded its own), CR0.PE, far
	; jump to 32-bit code, flat segments, the caller's stack.
	xor ax, ax
	mov ds, ax
	o32 lgdt [gdt32_desc]
	mov eax, cr0
	or al, 1
	mov cr0, eax
	jmp dword 0x08:.pm32
bits 32
.pm32:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	mov ss, ax
	mov esp, [saved_esp]
	lidt [idt32_desc]               ; fault.c's exception handlers again
	cld

	; The results back into the caller's struct.
	mov esi, rm_regs
	mov edi, [esp + 24]
	mov ecx, REGS_DWORDS
	rep movsd
	pop edi
	pop esi
	pop ebx
	pop ebp
	ret

align 4
saved_esp: dd 0
rm_idt:
	dw 0x3ff                        ; 256 vectors of 4 bytes
	dd 0
rm_regs: times REGS_DWORDS dd 0
rm_regs_end:
