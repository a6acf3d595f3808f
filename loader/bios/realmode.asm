; loader/bios/realmode.asm - call BIOS interrupts from 32-bit C.
;
; unsigned bios_int_batch(uint8_t vector, struct bios_regs *regs,
; uint32_t count): drop to real mode; for each of the `count` register
; sets, load every register from it, `int vector`, store every register
; and the flags back into it, and stop early after a call that returns
; with CF set; return to protected mode and say how many calls were made.
; bios_int (bios.h) is a batch of one. Like Linux's intcall
; (arch/x86/boot/bioscall.S) and Limine's rm_int, with the loop: under an
; emulator each trip between the modes costs more than a disk read's
; copy, and a 64 MiB kernel read through INT 13h makes a thousand calls.
; The caller's stack must lie below 64 KiB (it does: 0x2000..0x6fff), so
; real mode runs on it as SS = 0, SP = ESP. This code and its data must be
; in the first 64 KiB too; stage2.ld asserts it.
;
; The code never writes to itself or to its own page: the registers and
; the return stack pointer live at the top of the scratch page (bios.h:
; BIOS_THUNK_DATA, no code there), and the vector is called through the
; IVT rather than patched into an `int` instruction. An emulator (QEMU's
; TCG) throws away the translated code of a page on every write to it;
; with the data beside the code, each of the thousand disk reads of a
; 64 MiB kernel paid for translating the thunk and its neighbours again.

section .realmode progbits alloc exec
extern gdt32_desc, idt32_desc
global bios_int_batch

REGS_DWORDS equ 11              ; sizeof(struct bios_regs) / 4
REGS_BYTES equ 4 * REGS_DWORDS
BATCH_MAX equ 4                 ; bios.h: BIOS_BATCH_MAX
THUNK_DATA equ 0x1f00           ; bios.h: BIOS_THUNK_DATA
rm_handler equ THUNK_DATA       ; dd: offset, segment of the vector's handler
saved_esp equ THUNK_DATA + 4    ; dd
rm_left equ THUNK_DATA + 8      ; dw: calls still to make
rm_cur_end equ THUNK_DATA + 10  ; dw: one past the register set in use
rm_regs equ THUNK_DATA + 12     ; BATCH_MAX sets of REGS_DWORDS dd, pop order
%if rm_regs + BATCH_MAX * REGS_BYTES > THUNK_DATA + 256
%error "the register sets overflow BIOS_THUNK_DATA's 256 bytes"
%endif

; Arguments on the stack once the four registers below are pushed.
ARG_VECTOR equ 20
ARG_REGS equ 24
ARG_COUNT equ 28

bits 32
bios_int_batch:
	push ebp
	push ebx
	push esi
	push edi
	; The handler's real-mode address, from the IVT at linear 0.
	movzx eax, byte [esp + ARG_VECTOR]
	mov eax, [eax * 4]
	mov [rm_handler], eax
	; Copy the register sets below 64 KiB, where real mode can address
	; them (callers keep count within 1..BIOS_BATCH_MAX).
	mov ecx, [esp + ARG_COUNT]
	mov [rm_left], cx
	imul ecx, ecx, REGS_DWORDS
	mov esi, [esp + ARG_REGS]
	mov edi, rm_regs
	rep movsd
	mov word [rm_cur_end], rm_regs + REGS_BYTES
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

.next_call:
	; Registers from the copy: the struct is laid out in pop order
	; (gs, fs, es, ds, eflags, then popad's edi..eax).
	mov sp, [cs:rm_cur_end]
	sub sp, REGS_BYTES
	pop gs
	pop fs
	pop es
	pop ds
	popfd
	popad
	mov sp, [cs:saved_esp]

	; Interrupts on during the call: disk and USB services of some
	; BIOSes (SeaBIOS among them) wait on the timer tick. What `int`
	; does: push the flags (IF set), clear IF, far call; the handler's
	; iret (or retf 2) returns here with IF set again.
	sti
	pushf
	cli
	call far [cs:rm_handler]
	cli

	; Store every register back in the same order, the flags (CF) too.
	; Nothing here changes the flags, so they are still the handler's.
	mov sp, [cs:rm_cur_end]
	pushad
	pushfd
	push ds
	push es
	push fs
	push gs
	jc .calls_done                  ; a failed call ends the batch
	add word [cs:rm_cur_end], REGS_BYTES
	dec word [cs:rm_left]
	jnz .next_call
.calls_done:

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

	; The results back into the caller's structs, sets never used
	; included (unchanged).
	mov esi, rm_regs
	mov edi, [esp + ARG_REGS]
	mov ecx, [esp + ARG_COUNT]
	imul ecx, ecx, REGS_DWORDS
	rep movsd
	; Calls made: all of them, or up to and including the one that
	; stopped the batch with CF (rm_left has not counted it down).
	movzx edx, word [rm_left]
	mov eax, [esp + ARG_COUNT]
	sub eax, edx
	test edx, edx
	jz .counted
	inc eax
.counted:
	pop edi
	pop esi
	pop ebx
	pop ebp
	ret

align 4
rm_idt:
	dw 0x3ff                        ; 256 vectors of 4 bytes
	dd 0
