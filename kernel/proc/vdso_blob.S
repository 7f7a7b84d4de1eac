/* The vDSO image (vdso/vdso.mk builds it), read-only in the kernel: kernel/proc/vdso.c copies
 * it into the pages every space maps. */
	.section .rodata
	.balign 4096
	.globl vdso_blob, vdso_blob_end
vdso_blob:
	.incbin "vdso.so"
vdso_blob_end:

	.section .note.GNU-stack, "", @progbits
