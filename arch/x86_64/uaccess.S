/*
 * The only kernel code that touches user memory (kernel/mm/uaccess.c is its checked front).
 * The caller has already made sure the range lies below USER_TOP, where every present page is
 * a user page; whether it is mapped, and writable, is left to the MMU. A fault here on a
 * page that cannot be faulted in (trap.c, page_fault) resumes at uaccess_fault, which makes
 * the function return -EFAULT. So a system call pays no page-table walk for its pointers.
 * These functions push nothing: the fault handler only has to change rip.
 */
#include "abi/errno.h"

	.text
	.globl uaccess_text_begin, uaccess_text_end, uaccess_copy, uaccess_strncpy, uaccess_strnlen

uaccess_text_begin:

/* int uaccess_copy(void *dst, const void *src, size_t n): 0, or -EFAULT. Words, not
 * "rep movsb", which QEMU TCG emulates a byte at a time; 256 bytes a step while there are
 * that many (a block device's 1 MiB transfers copy a quarter faster than 32 a step). */
	.balign 16
uaccess_copy:
	mov %rdx, %rcx
	shr $8, %rcx
	jz 7f
8:	.set .Lcopy_off, 0
	.rept 32
	mov .Lcopy_off(%rsi), %rax
	mov %rax, .Lcopy_off(%rdi)
	.set .Lcopy_off, .Lcopy_off + 8
	.endr
	add $256, %rsi
	add $256, %rdi
	dec %rcx
	jnz 8b
7:	mov %rdx, %rcx
	and $255, %ecx
	shr $5, %ecx
	jz 5f
1:	mov (%rsi), %rax                /* 32 bytes a step: each step ends a translated block */
	mov %rax, (%rdi)
	mov 8(%rsi), %rax
	mov %rax, 8(%rdi)
	mov 16(%rsi), %rax
	mov %rax, 16(%rdi)
	mov 24(%rsi), %rax
	mov %rax, 24(%rdi)
	add $32, %rsi
	add $32, %rdi
	dec %rcx
	jnz 1b
5:	mov %rdx, %rcx
	and $31, %ecx
	shr $3, %ecx
	jz 2f
6:	mov (%rsi), %rax
	mov %rax, (%rdi)
	add $8, %rsi
	add $8, %rdi
	dec %ecx
	jnz 6b
2:	and $7, %edx
	jz 4f
3:	movb (%rsi), %al
	movb %al, (%rdi)
	inc %rsi
	inc %rdi
	dec %edx
	jnz 3b
4:	xor %eax, %eax
	ret

/* long uaccess_strncpy(char *dst, const char *src, size_t max): the string's length once
 * its NUL is copied, -ENAMETOOLONG if max bytes hold no NUL, or -EFAULT. */
	.balign 16
uaccess_strncpy:
	xor %eax, %eax
1:	cmp %rdx, %rax
	jae 2f
	movzbl (%rsi,%rax), %ecx
	movb %cl, (%rdi,%rax)
	test %cl, %cl
	jz 3f
	inc %rax
	jmp 1b
2:	mov $-ENAMETOOLONG, %rax
3:	ret

/* long uaccess_strnlen(const char *src, size_t max): the string's length, -ENAMETOOLONG if
 * max bytes hold no NUL, or -EFAULT. (execve measures its strings before copying them.) */
	.balign 16
uaccess_strnlen:
	xor %eax, %eax
1:	cmp %rsi, %rax
	jae 2f
	cmpb $0, (%rdi,%rax)
	je 3f
	inc %rax
	jmp 1b
2:	mov $-ENAMETOOLONG, %rax
3:	ret

	.globl uaccess_fault
uaccess_fault:
	mov $-EFAULT, %rax
	ret

uaccess_text_end:

	.section .note.GNU-stack, "", @progbits
