; loader/bios/mbr.asm - twinboot stage 1: the boot code of the MBR.
;
; The BIOS loads this sector to 0000:7C00 and jumps to it with DL = the boot
; drive. It reads stage 2 (LBA and size patched in at 0x1AC/0x1B4 by
; mkimage) to 0000:8000 with INT 13h extended reads and jumps there with DL
; kept. Specs: Phoenix "Enhanced Disk Drive Specification" 3.0 (AH=41h/42h),
; UEFI 2.10 5.2.1 (the legacy MBR layout: code ends before 0x1B8).

bits 16
org 0x7c00

STAGE2_SEG equ 0x0800           ; stage 2 runs at linear 0x8000
MAX_CHUNK equ 127               ; the largest read every EDD BIOS accepts

; Some BIOSes booting a USB stick as a "floppy" write a BPB over bytes
; 3..0x59, so the first instruction jumps over that gap and the gap is zero.
start:
	jmp short main
	nop
	times 0x5a - ($ - $$) db 0

; Normalise CS:IP: a few BIOSes enter at 07C0:0000 instead of 0000:7C00,
; and every address below assumes segment 0.
main:
	cli
	jmp 0:.flat
.flat:
	xor ax, ax
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov sp, 0x7c00                  ; the stack grows down below us
	sti
	cld

; Hard disks are 0x80..0x8F. Some BIOSes pass garbage in DL when booting
; from USB; the first hard disk is then the best guess.
	mov al, dl
	and al, 0xf0
	cmp al, 0x80
	je .drive_ok
	mov dl, 0x80
.drive_ok:
	mov [drive], dl

; EDD check (AH=41h): BX comes back as AA55h and CX bit 0 says the packet
; interface (AH=42h) exists. Without it we can't address the disk by LBA.
	mov ah, 0x41
	mov bx, 0x55aa
	int 0x13
	jc no_ext
	cmp bx, 0xaa55
	jne no_ext
	test cl, 1
	jz no_ext

; Copy stage 2's LBA into the disk address packet and check its size: it
; must be 1..144 sectors (a 64 KiB image and the manifest mkimage --sign
; appends), so that it fits between 0x8000 and 0x1a000 (stage2.ld).
	mov si, stage2_lba
	mov di, dap_lba
	mov cx, 4
	rep movsw
	mov ax, [stage2_sectors]
	test ax, ax
	jz bad_size
	cmp ax, 144
	ja bad_size
	mov [remaining], ax

; Read in chunks of at most 127 sectors (two calls for 64 KiB), moving the
; destination segment on by 32 paragraphs (512 bytes) a sector.
read_chunk:
	mov ax, [remaining]
	cmp ax, MAX_CHUNK
	jbe .count_ok
	mov ax, MAX_CHUNK
.count_ok:
	mov [dap_count], ax
	mov byte [tries], 3
.retry:
	mov si, dap
	mov dl, [drive]
	mov ah, 0x42
	int 0x13
	jnc .read_ok
	; A transient error (USB, floppy emulation): reset the drive, retry.
	dec byte [tries]
	jz disk_error
	xor ah, ah
	mov dl, [drive]
	int 0x13
	jmp .retry
.read_ok:
	mov ax, [dap_count]
	add [dap_lba], ax
	adc word [dap_lba + 2], 0
	adc word [dap_lba + 4], 0
	adc word [dap_lba + 6], 0
	sub [remaining], ax
	shl ax, 5
	add [dap_seg], ax
	cmp word [remaining], 0
	jne read_chunk

; Stage 2 is in place: enter it at 0000:8000 with the boot drive in DL.
	mov dl, [drive]
	jmp 0:STAGE2_SEG * 16

; Errors: one line through the BIOS teletype (AH=0Eh), then halt for good
; so the message stays on screen (never reboot into a loop).
no_ext:
	mov si, msg_no_ext
	jmp fail
bad_size:
	mov si, msg_size
	jmp fail
disk_error:
	mov si, msg_disk
fail:
	lodsb
	test al, al
	jz .halt
	mov ah, 0x0e
	mov bx, 0x0007                  ; page 0, grey on black
	int 0x10
	jmp fail
.halt:
	cli
	hlt
	jmp .halt

msg_no_ext: db "twinboot: no INT13 extensions", 0
msg_size: db "twinboot: bad stage 2 size", 0
msg_disk: db "twinboot: disk read error", 0

; The EDD disk address packet (EDD 3.0 table 6): size 16, sector count,
; buffer offset:segment, 64-bit starting LBA.
align 4
dap:
	db 16, 0
dap_count: dw 0
	dw 0
dap_seg: dw STAGE2_SEG
dap_lba: dq 0

drive: db 0
tries: db 0
remaining: dw 0

; Growing past 0x1A8 makes `times` negative: a build failure, not a
; corrupt MBR.
	times 0x1a8 - ($ - $$) db 0

; The fields mkimage patches. 0x1B8.. (disk signature, partition table) and
; the 0x55AA signature are mkimage's too; the signature is set here only so
; the template is a valid MBR on its own.
	db "TBS1"                       ; 0x1A8 magic: this is twinboot's stage 1
stage2_lba: dq 0                        ; 0x1AC first LBA of stage 2
stage2_sectors: dw 0                    ; 0x1B4 its size in sectors
	dw 0                            ; 0x1B6 zero
	times 0x1fe - ($ - $$) db 0
	dw 0xaa55
