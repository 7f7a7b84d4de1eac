/*
 * Kernel entry and exit: interrupt/exception stubs, the syscall instruction's entry, the
 * return paths (sysretq fast path, iretq otherwise) and the kernel context switch.
 * Every entry builds a struct trapframe (arch/cpu.h) on the execution's kernel stack.
 */
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
	jmp trap_common
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

trap_common:
	testb $3, 24(%rsp)          /* from user mode? */
	jz 1f
	swapgs
1:	PUSH_REGS
	cld
	mov %rsp, %rdi
	call trap_handler
	.globl trap_return
trap_return:
	POP_REGS
	add $16, %rsp               /* vector, error */
	testb $3, 8(%rsp)
	jz 2f
	swapgs
2:	iretq

/* syscall: rcx = user rip, r11 = user rflags; IF is masked by FMASK. */
	.globl syscall_entry
syscall_entry:
	swapgs
	mov %rsp, %gs:8
	mov %gs:0, %rsp
	push $SEL_UDATA
	push %gs:8
	push %r11
	push $SEL_UCODE
	push %rcx
	push $0
	push $0x100                 /* marks a syscall frame */
	PUSH_REGS
	mov %rsp, %rdi
	call syscall_handler
	/* sysret only back to user code at a canonical address; anything else irets */
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
	jmp trap_return

	.section .rodata
	.balign 8
	.globl isr_table
isr_table:
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
