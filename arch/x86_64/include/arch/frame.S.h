/* Assembly macros shared by the entry paths (entry.S, smode_entry.S): saving and restoring
 * the general registers in the order of struct trapframe (arch/cpu.h), and the selectors. */
#pragma once
#include "kernel/sys/syscall.h"     /* the light and leaf path constants */
#include "arch/trapvec.h"

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

/*
 * The leaf path (kernel/sys/syscall.h): rax = call number, already checked to be below
 * SYSCALL_LEAF_MAX by the caller (which sorts the other numbers out before saving anything).
 * If it is a leaf call, no switch is pending anywhere and the process cache (proc.h, proc_cur)
 * holds the running process, rax gets the answer; otherwise the macro jumps to fail with rax
 * unchanged. The three conditions are one test (under emulation each branch ends a translated
 * block): proc_cache is never NULL (proc.c), and runmode_npending is 64-bit for the `or`.
 * Clobbers t1 and t2 (t2d: t2's low 32 bits) and the flags; uses no stack.
 * Safe with interrupts on (the Smode call form): whatever is preempted between two loads,
 * the cached process is only used once its exec rid matched the running execution's, and
 * exec rids are never reused.
 */
.macro LEAF_CALL t1, t2, t2d, fail
	mov proc_cache(%rip), \t1
	mov exec_current_rid(%rip), \t2
	xor SYSCALL_LEAF_PROC_EXEC(\t1), \t2
	or runmode_npending(%rip), \t2
	jnz \fail
	movzbl syscall_leaf_field(%rax), \t2d
	test \t2d, \t2d
	jz \fail
	mov (\t1, \t2), %eax
.endm
