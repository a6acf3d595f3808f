; loader/bios/longmode.asm - the last step: 32-bit protected mode to the
; kernel in 64-bit long mode.
;
; _Noreturn void platform_enter_kernel(uint64_t pml4, uint64_t entry,
;     uint64_t stack_top, uint64_t bootinfo, int nx, uint64_t idtr)
;     (cdecl, all on the stack)
; Follows Intel SDM vol. 3A 10.8.5 "Initializing IA-32e Mode": PAE on,
; CR3 = PML4, EFER.LME, then CR0.PG enables and activates long mode; a far
; jump to a 64-bit code segment leaves compatibility mode. This code runs
; from the identity map of the first 4 GiB that the new tables keep.

section .text
global platform_enter_kernel

bits 32
platform_enter_kernel:
	cli
	mov ebp, esp

	; CR4.PAE (bit 5): IA-32e paging is an extension of PAE paging.
	mov eax, cr4
	or eax, 1 << 5
	mov cr4, eax

	; CR3 = the PML4. common/ allocates it below 4 GiB, so the high half
	; of the argument is zero.
	mov eax, [ebp + 4]
	mov cr3, eax

	; EFER (MSR C000_0080h): LME (bit 8), and NXE (bit 11) when the CPU
	; has NX: the tables use bit 63, which is reserved without NXE.
	mov ecx, 0xc0000080
	rdmsr
	or eax, 1 << 8
	cmp dword [ebp + 36], 0
	je .no_nx
	or eax, 1 << 11
.no_nx:
	wrmsr

	; The hand-off GDT: 0x08 64-bit code, 0x10 data (docs/ABI.md).
	lgdt [gdt64_desc]
	; The early IDT (common/early_idt.h), below 4 GiB: in 32-bit mode
	; lidt takes a 32-bit base, the same address long mode then uses.
	; Interrupts stay off, and nothing faults until the kernel runs.
	mov eax, [ebp + 40]
	lidt [eax]

	; The three 64-bit values in halves: entry in ebx:eax, stack top in
	; edx:ecx, boot info in edi:esi. The stack argument area goes away
	; with the mode switch, registers don't.
	mov eax, [ebp + 12]
	mov ebx, [ebp + 16]
	mov ecx, [ebp + 20]
	mov edx, [ebp + 24]
	mov esi, [ebp + 28]
	mov edi, [ebp + 32]

	; CR0.PG (bit 31) activates long mode; CR0.WP (bit 16) makes
	; read-only pages read-only for ring 0 too.
	mov ebp, cr0
	or ebp, (1 << 31) | (1 << 16)
	mov cr0, ebp
	jmp 0x08:long64

bits 64
long64:
	mov bp, 0x10
	mov ds, bp
	mov es, bp
	mov ss, bp
	mov fs, bp
	mov gs, bp

	; Join the halves. The upper 32 bits of registers are undefined after
	; the switch: `mov r32, r32` zero-extends, `shl 32` discards them.
	mov eax, eax
	shl rbx, 32
	or rax, rbx
	mov ecx, ecx
	shl rdx, 32
	or rcx, rdx
	mov esi, esi
	shl rdi, 32
	or rdi, rsi

	; RSP = stack_top (boot.c left a zero return address there), RDI =
	; boot info (SysV first argument), DF clear, then the kernel.
	mov rsp, rcx
	xor ebp, ebp
	cld
	jmp rax

section .rodata
align 8
gdt64:
	dq 0
	dq 0x00af9a000000ffff           ; 0x08 code: L=1 (64-bit), D=0
	dq 0x00cf92000000ffff           ; 0x10 data, flat
gdt64_end:
gdt64_desc:
	dw gdt64_end - gdt64 - 1
	dd gdt64
