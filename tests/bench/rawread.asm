; tests/bench/rawread.asm - the BIOS floor and raw read speed: a boot sector
; that reads `sectors` sectors from disk LBA `dap.lba` (the kernel file's,
; the same bytes the loader reads) with INT 13h AH=42h (EDD 3.0) in
; 127-sector transfers, the size loader/bios/disk_bios.c uses, writes one
; line on COM1 and ends QEMU through isa-debug-exit. With sectors = 0 it is
; the firmware floor.
; After its line it writes the TSC ticks the reads took ("bench: ticks
; <hex>"), which bench.py sets against the bench kernel's figure for
; twinboot's loading.
; bench.py writes the LBA (offset 428) and `sectors` (offset 436) and
; copies the first 440 bytes over a bench image's MBR code, keeping its
; partition table.

bits 16
org 0x7c00

EDD_MAX equ 127
BUFFER_SEG equ 0x1000                   ; 64 KiB at 0x10000, reused each read

start:
	; A known state: flat segments, a stack below us.
	cli
	xor ax, ax
	mov ds, ax
	mov ss, ax
	mov sp, 0x7c00
	sti
	mov [drive], dl                 ; the BIOS passes the boot drive in DL
	rdtsc
	mov [ticks], eax
	mov [ticks + 4], edx

.read:
	; Read min(left, 127) sectors into the buffer, then advance.
	mov eax, [sectors]
	test eax, eax
	jz .done
	mov cx, EDD_MAX
	cmp eax, EDD_MAX
	jae .count
	mov cx, ax
.count:
	mov [dap.count], cx
	mov si, dap
	mov ah, 0x42
	mov dl, [drive]
	int 0x13
	jc .fail
	movzx ecx, cx
	add [dap.lba], ecx
	sub [sectors], ecx
	jmp .read

.fail:
	mov si, failed
	call puts
	mov al, 0x11                    ; isa-debug-exit: QEMU exits with 35
	out 0xf4, al
	jmp .halt
.done:
	rdtsc                           ; ticks = now - start, 64 bits
	sub eax, [ticks]
	sbb edx, [ticks + 4]
	mov [ticks], eax
	mov [ticks + 4], edx
	mov si, done
	call puts
	mov si, ticks_label
	call puts
	mov ebx, [ticks + 4]            ; high half, then low half
	call puthex
	mov ebx, [ticks]
	call puthex
	mov al, 10
	out dx, al
	mov al, 0x10                    ; isa-debug-exit: QEMU exits with 33
	out 0xf4, al
.halt:
	cli
	hlt
	jmp .halt

; Write the NUL-ended string at SI to COM1 (QEMU's UART needs no set-up).
puts:
	mov dx, 0x3f8
.next:
	lodsb
	test al, al
	jz .end
	out dx, al
	jmp .next
.end:
	ret

; Write EBX to COM1 as 8 hex digits.
puthex:
	mov cx, 8
.digit:
	rol ebx, 4
	mov al, bl
	and al, 15
	add al, '0'
	cmp al, '9'
	jbe .out
	add al, 'a' - '9' - 1
.out:
	out dx, al                      ; DX = COM1, left by puts
	loop .digit
	ret

done: db "bench: raw read done", 10, 0
failed: db "bench: raw read failed", 10, 0
ticks_label: db "bench: ticks ", 0
drive: db 0
align 4
ticks: dd 0, 0

; EDD 3.0 table 6: the disk address packet, its LBA at offset 428.
	times 420-($-$$) db 0
dap:
	db 16, 0
.count:	dw 0
	dw 0, BUFFER_SEG                ; offset, segment
.lba:	dq 0                            ; patched by bench.py
sectors: dd 0                           ; patched by bench.py
	times 510-($-$$) db 0
	dw 0xaa55
