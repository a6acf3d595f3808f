; common/early_fault.asm - what runs if the kernel faults before it loads
; its own IDT: name the exception on COM1 (and on the VGA text screen when
; the loader left one), then halt. Without it, such a fault is a triple
; fault: the machine resets and the user sees nothing.
;
; Position-independent 64-bit code, assembled to a flat binary that
; common/early_idt.c embeds (.incbin) and copies into the early IDT's page
; at EARLY_STUB (0x400); the page's layout is early_idt.h's. Entry i, at
; 16 * i, is vector i's gate target. Runs on the kernel's stack, in the
; kernel's page tables (the page is identity mapped below 4 GiB).

bits 64
default rel

EARLY_STUB equ 0x400            ; early_idt.h: where this code starts
EARLY_VGA equ 0x210             ; early_idt.h: the VGA text buffer, or 0
COM1 equ 0x3f8

stub_base:
%assign v 0
%rep 32
	align 16
%if v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30
	push qword v                    ; the CPU pushed an error code
%else
	push qword 0                    ; none: a zero in its place
	push qword v
%endif
	jmp fault
%assign v v + 1
%endrep

; Stack: vector, error code, then the CPU's RIP, CS, RFLAGS, RSP, SS.
fault:
	cli
	cld
	; r15: where the next character goes on screen (the bottom two rows
	; of 80x25), or 0; r14: the end of the screen
	mov r15, [stub_base - EARLY_STUB + EARLY_VGA]
	test r15, r15
	jz .text
	lea r14, [r15 + 25 * 160]
	add r15, 23 * 160
.text:
	lea rsi, [msg_head]
	call puts
	mov rax, [rsp]
	mov ecx, 2
	call hex
	lea rsi, [msg_error]
	call puts
	mov rax, [rsp + 8]
	mov ecx, 16
	call hex
	lea rsi, [msg_rip]
	call puts
	mov rax, [rsp + 16]
	mov ecx, 16
	call hex
	lea rsi, [msg_cr2]
	call puts
	mov rax, cr2
	mov ecx, 16
	call hex
	lea rsi, [msg_end]
	call puts
.halt:
	cli
	hlt
	jmp .halt

; puts: the NUL-terminated string at rsi.
puts:
	lodsb
	test al, al
	jz .done
	call putc
	jmp puts
.done:
	ret

; hex: the low ecx hex digits of rax, most significant first.
hex:
	mov rdx, rax
.digit:
	dec ecx
	mov rax, rdx
	push rcx
	shl ecx, 2
	shr rax, cl
	pop rcx
	and eax, 15
	lea r8, [digits]
	mov al, [r8 + rax]
	call putc
	test ecx, ecx
	jnz .digit
	ret

; putc: al to COM1 (waiting a bounded time for the transmitter) and to
; the screen. Keeps every register but r15.
putc:
	push rax
	push rcx
	push rdx
	mov ah, al
	mov ecx, 100000
	mov dx, COM1 + 5                ; line status: bit 5, transmitter empty
.wait:
	in al, dx
	test al, 0x20
	jnz .send
	dec ecx
	jnz .wait
.send:
	mov al, ah
	mov dx, COM1
	out dx, al
	test r15, r15
	jz .out
	cmp al, 0x20
	jb .out                         ; no CR or LF on screen
	cmp r15, r14
	jae .out                        ; and nothing past its last cell
	mov [r15], al
	mov byte [r15 + 1], 0x4f        ; white on red
	add r15, 2
.out:
	pop rdx
	pop rcx
	pop rax
	ret

digits: db "0123456789abcdef"
msg_head: db 13, 10, "twinboot: error: the kernel faulted before loading its own IDT: vector 0x", 0
msg_error: db ", error 0x", 0
msg_rip: db ", RIP 0x", 0
msg_cr2: db ", CR2 0x", 0
msg_end: db 13, 10, "twinboot: halted", 13, 10, 0
