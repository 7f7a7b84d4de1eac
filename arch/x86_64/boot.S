/*
 * PVH entry (QEMU -kernel with an ELF that carries the Xen PVH note): we arrive in 32-bit
 * protected mode, paging off, %ebx = physical address of struct hvm_start_info. Build boot
 * page tables (identity + direct map of the first 4 GiB with 2 MiB pages, kernel image at
 * -2 GiB), enter long mode, and jump to the higher-half C entry kmain(start_info).
 */
#define KERNEL_VMA 0xffffffff80000000

	.section .note.pvh, "a"
	.balign 4
	.long 4            /* name size */
	.long 4            /* desc size */
	.long 18           /* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz "Xen"
	.long pvh_start32

	.section .boot.data, "aw"
	.balign 4096
	.globl boot_pml4
boot_pml4:	.fill 512, 8, 0
boot_pdpt_low:	.fill 512, 8, 0      /* PML4[0] and PML4[256]: first 4 GiB */
boot_pdpt_high:	.fill 512, 8, 0      /* PML4[511]: -2 GiB -> first 1 GiB */
boot_pd:	.fill 512 * 4, 8, 0  /* 4 page directories of 2 MiB pages */
boot_stack:	.fill 1024, 1, 0
boot_stack_top:
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff     /* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff     /* 0x10: data */
boot_gdt_end:
boot_gdtr:
	.word boot_gdt_end - boot_gdt - 1
	.long boot_gdt

	.section .boot.text, "ax"
	.code32
	.globl pvh_start32
pvh_start32:
	cli
	mov $boot_stack_top, %esp
	mov %ebx, %edi                    /* start_info, kept for kmain */

	/* 2048 PD entries: 2 MiB pages covering 0..4 GiB (present|write|PS) */
	mov $boot_pd, %edx
	xor %ecx, %ecx
1:	mov %ecx, %eax
	shl $21, %eax
	or $0x83, %eax
	mov %eax, (%edx,%ecx,8)
	mov %ecx, %eax
	shr $11, %eax                     /* high dword: bits 32+ of address */
	mov %eax, 4(%edx,%ecx,8)
	inc %ecx
	cmp $2048, %ecx
	jne 1b

	/* PDPT low: 4 entries -> the 4 PDs */
	mov $boot_pdpt_low, %edx
	xor %ecx, %ecx
2:	mov %ecx, %eax
	shl $12, %eax
	add $boot_pd, %eax
	or $0x3, %eax
	mov %eax, (%edx,%ecx,8)
	inc %ecx
	cmp $4, %ecx
	jne 2b

	/* PDPT high: entry 510 (-2 GiB) -> first PD */
	mov $boot_pd, %eax
	or $0x3, %eax
	mov %eax, boot_pdpt_high + 510 * 8

	mov $boot_pdpt_low, %eax
	or $0x3, %eax
	mov %eax, boot_pml4                /* identity, removed once in the higher half */
	mov %eax, boot_pml4 + 256 * 8      /* direct map */
	mov $boot_pdpt_high, %eax
	or $0x3, %eax
	mov %eax, boot_pml4 + 511 * 8

	mov %cr4, %eax
	or $0x20, %eax                     /* PAE */
	mov %eax, %cr4
	mov $boot_pml4, %eax
	mov %eax, %cr3
	mov $0xc0000080, %ecx              /* EFER: LME | NXE */
	rdmsr
	or $0x900, %eax
	wrmsr
	mov %cr0, %eax
	or $0x80010001, %eax               /* PG | WP | PE */
	mov %eax, %cr0
	lgdt boot_gdtr
	ljmp $0x08, $long_entry

	.code64
long_entry:
	mov $0x10, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	xor %ax, %ax
	mov %ax, %fs
	mov %ax, %gs
	movabs $higher_half, %rax
	jmp *%rax

	.text
higher_half:
	movabs $kernel_boot_stack_top, %rsp
	xor %ebp, %ebp
	/* %edi still holds the start_info physical address */
	call kmain
3:	hlt
	jmp 3b

	.bss
	.balign 16
kernel_boot_stack:
	.fill 16384, 1, 0
	.globl kernel_boot_stack_top
kernel_boot_stack_top:

	.section .note.GNU-stack, "", @progbits
