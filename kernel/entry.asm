; kernel/entry.asm - the ELF entry point. The loader arrives as if it had
; called a C function (docs/ABI.md "Machine state at entry"): RDI holds the
; boot info's direct-map address and [RSP] a zero return address. All that
; is left to do is end the frame-pointer chain for debuggers and
; backtraces, and call kmain, which never returns.

bits 64
default rel
section .text.entry

extern kmain
global kernel_entry

kernel_entry:
	xor ebp, ebp			; outermost frame: the RBP chain ends here
	call kmain			; RDI = struct tb_bootinfo * passes straight through
.halt:
	cli				; kmain returned, which it must not: stop here
	hlt
	jmp .halt

; No executable stack wanted (GNU ld warns about objects that do not say so).
section .note.GNU-stack noalloc noexec nowrite progbits
