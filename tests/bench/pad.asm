; tests/bench/pad.asm - PADFILE (incompressible bytes) as the bench kernel's
; third PT_LOAD, so the loader must move the whole file into memory.
section .pad progbits alloc noexec nowrite align=4096
	incbin PADFILE
