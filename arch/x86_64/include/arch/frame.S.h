/* Assembly macros shared by the entry paths (entry.S, smode_entry.S): saving and restoring
 * the general registers in the order of struct trapframe (arch/cpu.h), and the selectors. */
#pragma once

#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UDATA 0x1b
#define SEL_UCODE 0x23

.macro PUSH_REGS
	push %rax
	push %rbx
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %rbp
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
.endm

.macro POP_REGS
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rbp
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rbx
	pop %rax
.endm

/* The six argument registers as a struct sysargs (kernel/sys/syscall.h): a[0] = rdi lowest.
 * The light paths pass it to syscall_light and restore the registers from it. */
.macro PUSH_SYSARGS
	push %r9
	push %r8
	push %r10
	push %rdx
	push %rsi
	push %rdi
.endm

.macro POP_SYSARGS
	pop %rdi
	pop %rsi
	pop %rdx
	pop %r10
	pop %r8
	pop %r9
.endm
