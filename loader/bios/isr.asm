; loader/bios/isr.asm - entry stubs for CPU exceptions in stage 2.
;
; Without an IDT any fault in stage 2 would triple-fault and reset the
; machine, hiding the cause. fault.c points vectors 0..31 at these stubs;
; each pushes a zero where the CPU pushes no error code (SDM vol. 3A 6.15,
; table 6-1 lists which do), then its vector, so the stack reads
; (vector, error, eip) like the arguments of
; _Noreturn void stage2_fault(uint32_t vector, uint32_t error, uint32_t eip).

section .text
bits 32
extern stage2_fault
global fault_stubs

FAULT_STUB_SIZE equ 16          ; fault.c computes stub addresses with it

%macro stub 1
align FAULT_STUB_SIZE
	; #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP, #VC, #SX push an error code.
%if %1 == 8 || (%1 >= 10 && %1 <= 14) || %1 == 17 || %1 == 21 || %1 == 29 || %1 == 30
%else
	push byte 0
%endif
	push byte %1
	jmp fault_common
%endmacro

align FAULT_STUB_SIZE
fault_stubs:
%assign v 0
%rep 32
	stub v
%assign v v + 1
%endrep

; Flat segments may not be loaded if the fault came from a mode switch;
; reload them before running C, which never returns.
fault_common:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov ss, ax
	cld
	call stage2_fault
.halt:
	cli
	hlt
	jmp .halt
