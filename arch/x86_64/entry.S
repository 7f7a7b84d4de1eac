/*
 * Kernel entry and exit: interrupt/exception stubs, the syscall instruction's entry, the
 * return paths (sysretq fast path, iretq otherwise) and the kernel context switch.
 * Every entry builds a struct trapframe (arch/cpu.h) on the execution's kernel stack.
 */
#include "arch/frame.S.h"
#include "kernel/sys/syscall.h"
#define USER_TOP 0x0000800000000000
#define RFLAGS_IF 0x200
#define RFLAGS_OTHER 0x3ff528   /* all but CF PF AF ZF SF OF (0x8d5), IF and bit 1 */


	.text
/* One stub per vector; vectors without a CPU error code push a zero. */
.macro ISR vec
	.balign 16
isr_\vec:
	.if (\vec == 8) || (\vec == 10) || (\vec == 11) || (\vec == 12) || (\vec == 13) || (\vec == 14) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
	.else
	push $0
	.endif
	push $\vec
	.if (\vec == 2) || (\vec == 8)
	jmp trap_direct
	.else
	jmp trap_common
	.endif
.endm

.altmacro
.macro ISR_ALL from=0, to=255
	ISR \from
	.if \to-\from
	ISR_ALL %(\from+1),\to
	.endif
.endm
ISR_ALL 0, 63
ISR_ALL 64, 127
ISR_ALL 128, 191
ISR_ALL 192, 255
.noaltmacro

/*
 * Every vector but NMI and #DF arrives on IST 3 (cpu.c), whatever the privilege level, so
 * nothing is ever pushed onto ring-0 application code's stack (Smode keeps its red zone).
 * The frame is moved at once to where it belongs: for application code (ring 3 or Smode:
 * decided by CS, RIP or RSP, never by CPL alone) the execution's kernel stack, with swapgs;
 * for kernel code just below the interrupted stack, as a same-level interrupt would have put
 * it. Interrupts stay off meanwhile, so IST 3 is never in use twice.
 * On the IST stack: vector, error, rip, cs, rflags, rsp, ss.
 */
trap_common:
	push %rax
	push %rcx
	testb $3, 40(%rsp)
	jnz 1f
	movabs $USER_TOP, %rax
	cmp %rax, 32(%rsp)
	jb 1f
	cmp %rax, 56(%rsp)
	jb 1f
	mov 56(%rsp), %rcx
	and $-16, %rcx
	jmp 2f
1:	swapgs
	mov %gs:0, %rcx
2:	mov 64(%rsp), %rax
	mov %rax, -8(%rcx)
	mov 56(%rsp), %rax
	mov %rax, -16(%rcx)
	mov 48(%rsp), %rax
	mov %rax, -24(%rcx)
	mov 40(%rsp), %rax
	mov %rax, -32(%rcx)
	mov 32(%rsp), %rax
	mov %rax, -40(%rcx)
	mov 24(%rsp), %rax
	mov %rax, -48(%rcx)
	mov 16(%rsp), %rax
	mov %rax, -56(%rcx)
	mov 8(%rsp), %rax
	mov %rax, -64(%rcx)
	mov (%rsp), %rax
	mov %rax, -72(%rcx)
	lea -72(%rcx), %rsp
	pop %rcx
	pop %rax
	jmp trap_body

/* NMI and #DF stay on their own stacks; which GS is live is read from the MSR itself. */
trap_direct:
	push %rax
	push %rcx
	push %rdx
	mov $0xc0000101, %ecx
	rdmsr
	test %edx, %edx
	js 1f                       /* GS base in the kernel half: already the kernel's */
	swapgs
1:	pop %rdx
	pop %rcx
	pop %rax
trap_body:
	PUSH_REGS
	cld
	mov %rsp, %rdi
	call trap_handler
	.globl trap_return
trap_return:
	POP_REGS
	add $16, %rsp               /* vector, error */
	testb $3, 8(%rsp)           /* back to application code: ring 3, or Smode by rip/rsp */
	jnz 4f
	push %rax
	movabs $USER_TOP, %rax
	cmp %rax, 8(%rsp)
	jb 3f
	cmp %rax, 32(%rsp)
	jb 3f
	pop %rax
	iretq
3:	pop %rax
4:	swapgs
	iretq

/* syscall: rcx = user rip, r11 = user rflags; IF is masked by FMASK. */
	.globl syscall_entry
syscall_entry:
	swapgs
	mov %rsp, %gs:8
	mov %gs:0, %rsp
	/* The leaf and light paths leave by sysretq to ring 3, or for an Smode process's
	 * unmodified `syscall` at ring 0 by a jump (.Lsys_switched decides). */
	cmp $SYSCALL_LEAF_MAX, %rax
	jae .Lsys_above_leaf
	push %rdx
	push %rsi
	LEAF_CALL %rdx, %rsi, %esi, .Lsys_not_leaf
	pop %rsi
	pop %rdx
	jmp .Lsys_switched
.Lsys_not_leaf:
	pop %rsi
	pop %rdx
	jmp .Lsys_light
.Lsys_above_leaf:
	/* A switch of oneself: runmode_switch_fast_* keep every register but rax. */
	cmp $SYSCALL_SWITCH_S, %rax
	je .Lsys_switch_s
	cmp $SYSCALL_SWITCH_U, %rax
	je .Lsys_switch_u
.Lsys_light:
	/*
	 * The light path (kernel/sys/syscall.c, syscall_light): a call that never blocks,
	 * switches executions or needs the frame runs with only the argument registers saved
	 * and returns by sysretq. Nothing can need the kernel's exit work after it: interrupts
	 * stay off, and no other process runs meanwhile. A switch of oneself to Smode made by
	 * the call returns to ring 0 instead.
	 */
	cmp $SYSCALL_LIGHT_MAX, %rax
	jae .Lsys_full
	cmpq $0, syscall_light_table(, %rax, 8)
	je .Lsys_full
	push %rcx                   /* user rip */
	push %r11                   /* user rflags */
	PUSH_SYSARGS                /* struct sysargs; also preserves them */
	push %rax
	push $0                     /* ten pushes keep the stack aligned for the call */
	mov %rax, %rdi
	lea 16(%rsp), %rsi
	call syscall_light
	cmp $SYSCALL_LIGHT_DECLINED, %rax
	je .Lsys_declined
	add $16, %rsp
	POP_SYSARGS
	pop %r11
	pop %rcx
.Lsys_switched:                     /* also the way out of a switch of oneself made at once */
	cmpq $SEL_UCODE, %gs:24
	jne .Lsys_to_smode
	mov %gs:8, %rsp
	swapgs
	sysretq
/* The caller is (or just became) an Smode process: back to its next instruction in ring 0,
 * on the user GS as all Smode application code. The usual flags (IF on, nothing beyond the
 * arithmetic ones) need only `sti`, which takes effect after the jump; others (DF, AC, IF
 * off in ring-0 code...) are rare and restored exactly, the slow way. */
.Lsys_to_smode:
	xor $RFLAGS_IF, %r11d
	test $(RFLAGS_OTHER | RFLAGS_IF), %r11d
	jnz 2f
	xor $RFLAGS_IF, %r11d
	mov %gs:8, %rsp
	swapgs
	sti
	jmp *%rcx
2:	xor $RFLAGS_IF, %r11d
	test $RFLAGS_IF, %r11d
	jz 3f
	push %r11
	andq $~RFLAGS_IF, (%rsp)
	popfq
	mov %gs:8, %rsp
	swapgs
	sti
	jmp *%rcx
3:	push %r11                   /* IF stays off, as the caller had it */
	popfq
	mov %gs:8, %rsp
	swapgs
	jmp *%rcx
.Lsys_switch_s:
	call runmode_switch_fast_s
	cmp $SYSCALL_LIGHT_DECLINED, %rax
	jne .Lsys_to_smode              /* made at once: the caller is in Smode now */
	mov $SYSCALL_SWITCH_S, %eax
	jmp .Lsys_light
.Lsys_switch_u:
	call runmode_switch_fast_u
	cmp $SYSCALL_LIGHT_DECLINED, %rax
	jne .Lsys_switched
	mov $SYSCALL_SWITCH_U, %eax
	jmp .Lsys_light
.Lsys_declined:
	add $8, %rsp
	pop %rax
	POP_SYSARGS
	pop %r11
	pop %rcx
.Lsys_full:
	push %gs:16                 /* ss, cs: ring 3, or ring 0 for Smode (runmode.c) */
	push %gs:8
	push %r11
	push %gs:24
	push %rcx
	push $0
	push $TF_VEC_SYSCALL        /* marks a syscall frame */
	PUSH_REGS
	mov %rsp, %rdi
	call syscall_handler
	/* sysret only back to ring 3 at a canonical address; anything else (Smode) irets.
	 * Also the way out of a function-entry call that switched its caller to Umode. */
	.globl syscall_exit
syscall_exit:
	cmpq $TF_VEC_RESTORED, 15*8(%rsp)   /* a whole state put back: rcx and r11 too */
	je trap_return
	cmpq $SEL_UCODE, 18*8(%rsp)
	jne trap_return
	movabs $0x00007ffffffff000, %rax
	cmpq %rax, 17*8(%rsp)
	jae trap_return
	POP_REGS
	add $16, %rsp
	pop %rcx                    /* rip */
	add $8, %rsp                /* cs */
	pop %r11                    /* rflags */
	pop %rsp                    /* user rsp */
	swapgs
	sysretq

/* void switch_context(uint64_t *save_rsp, uint64_t new_rsp) */
	.globl switch_context
switch_context:
	push %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	mov %rsp, (%rdi)
	mov %rsi, %rsp
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret

/* First run of a new execution: finish the switch, then enter user mode through its frame. */
	.globl exec_first_entry
exec_first_entry:
	call sched_after_switch
	call cputime_leave          /* its first way out to application code (cputime.h) */
	jmp trap_return

	.section .rodata
	.balign 8
	.globl isr_table
isr_table:
.altmacro
.macro ISR_ADDR vec
	.quad isr_\vec
.endm
.macro ISR_ADDR_ALL from=0, to=255
	ISR_ADDR \from
	.if \to-\from
	ISR_ADDR_ALL %(\from+1),\to
	.endif
.endm
ISR_ADDR_ALL 0, 63
ISR_ADDR_ALL 64, 127
ISR_ADDR_ALL 128, 191
ISR_ADDR_ALL 192, 255

	.section .note.GNU-stack, "", @progbits
