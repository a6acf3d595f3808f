; kernel/isr.asm - entry stubs for the 32 CPU exceptions.
;
; The CPU pushes SS, RSP, RFLAGS, CS, RIP and, for vectors 8, 10-14, 17,
; 21, 29 and 30, an error code (Intel SDM vol. 3A 6.13 "Error Code",
; Table 6-1). Each stub makes the frame uniform - a zero where no error
; code came, then the vector - and the common part saves the general
; registers so C sees one struct trap_frame (idt.h) with RAX on top.

bits 64
default rel
section .text

extern exception_handler

; Vectors whose exceptions push an error code.
%define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || \
                      (v) == 21 || (v) == 29 || (v) == 30)

%assign v 0
%rep 32
isr_stub_ %+ v:
%if !HAS_ERROR(v)
	push qword 0			; dummy error code, so every frame looks alike
%endif
	push qword v			; the vector
	jmp isr_common
%assign v v + 1
%endrep

; Save the general registers in the order struct trap_frame lists them
; from the end, pass the frame to C, and restore them on return.
isr_common:
	push rax
	push rbx
	push rcx
	push rdx
	push rsi
	push rdi
	push rbp
	push r8
	push r9
	push r10
	push r11
	push r12
	push r13
	push r14
	push r15
	; The CPU aligned RSP to 16 before its pushes (SDM 6.14.2); 22 quadwords
	; later it is aligned again, as the System V ABI wants at a call.
	mov rdi, rsp
	cld				; the ABI wants DF clear in C code
	call exception_handler
	pop r15
	pop r14
	pop r13
	pop r12
	pop r11
	pop r10
	pop r9
	pop r8
	pop rbp
	pop rdi
	pop rsi
	pop rdx
	pop rcx
	pop rbx
	pop rax
	add rsp, 16			; drop the vector and the error code
	iretq

; The stubs' addresses, for idt.c to put in the gates.
section .rodata
global isr_stub_table
isr_stub_table:
%assign v 0
%rep 32
	dq isr_stub_ %+ v
%assign v v + 1
%endrep

; No executable stack wanted (GNU ld warns about objects that do not say so).
section .note.GNU-stack noalloc noexec nowrite progbits
