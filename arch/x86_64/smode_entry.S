/*
 * The kernel's function entry for Smode processes (DMSM, kernel/proc/runmode.c): application
 * code running in ring 0 reaches the kernel with a plain `call` instead of `syscall`, and the
 * kernel comes back with a plain jump to the return address, so no privilege change, no
 * sysret/iretq and no CPU frame is involved. Register convention as for `syscall`: rax = call
 * number, arguments in rdi rsi rdx r10 r8 r9, result in rax; rcx and r11 are clobbered, every
 * other register is preserved.
 *
 * The entry builds the same struct trapframe on the execution's kernel stack as syscall_entry
 * (as if the `call` had already returned: rip = return address, rsp = caller's rsp + 8, CS =
 * ring 0), so the one dispatcher (trap.c syscall_handler -> kernel/sys/syscall.c) runs, and
 * a mode switch applied at the end of the call (method b) simply finds CS = ring 3 in the
 * frame: then the way back is the syscall exit's sysretq (iretq if the return address is not
 * a canonical user address) instead of the fast jump.
 */
#include "arch/frame.S.h"
#define RFLAGS_IF_RESERVED 0x202
#define USER_CANON_END 0x00007ffffffff000   /* as the syscall exit: sysretq-safe below */
#include "kernel/sys/syscall.h"
#include "arch/smode.h"


	.data
	.balign 8
	.globl smode_calls, smode_light_busy, smode_light_deferred, smode_light_held
smode_calls:                        /* function-entry calls since boot (t_runmode_info) */
	.quad 0
smode_light_held:                   /* interrupts held back since boot (t_runmode_info) */
	.quad 0
smode_light_busy:                   /* the light path is on the kernel stack (trap.c) */
	.long 0
smode_light_deferred:               /* the interrupt vector it held back, or 0 */
	.long 0

	.text
	.balign 16
	.globl smode_call_entry
smode_call_entry:
	/* The leaf path needs neither stack nor C nor interrupts off (frame.S.h). */
	cmp $SYSCALL_LEAF_MAX, %rax
	jae .Labove_leaf
	LEAF_CALL %rcx, %r11, %r11d, .Llight
	incq smode_calls(%rip)
	ret
.Labove_leaf:
	/* A switch of oneself (runmode_switch_fast_*: every register kept but rax), on the
	 * kernel stack with interrupts off; one to Umode leaves by sysretq, so the return address
	 * must suit it. */
	cmp $SYSCALL_SWITCH_S, %rax
	je 1f
	cmp $SYSCALL_SWITCH_U, %rax
	jne .Llight
1:	movabs $USER_CANON_END, %r11
	cmp %r11, (%rsp)
	jae .Lfull
	cli
	mov %rax, %rcx                  /* the call number, if the fast way declines */
	mov %rsp, %r11
	mov cpu_kstack_top(%rip), %rsp
	push %r11
	cmp $SYSCALL_SWITCH_S, %rax
	jne 2f
	call runmode_switch_fast_s
	jmp 3f
2:	call runmode_switch_fast_u
3:	pop %rsp
	cmp $SYSCALL_LIGHT_DECLINED, %rax
	jne .Lswitched
	mov %rcx, %rax
	jmp .Lfull                      /* so the light path never switches its caller */
.Llight:
	/*
	 * The light path: calls that never block, switch executions or look at the caller's
	 * frame (kernel/sys/syscall.c, syscall_light) run with only the argument registers
	 * saved, on the execution's kernel stack, without touching GS, and with interrupts on:
	 * `cli`/`sti` would cost about what the trap's `syscall`/`sysretq` does under QEMU TCG.
	 * An interrupt that arrives while smode_light_busy is set and the kernel stack is in use
	 * is held back (trap.c: it returns at once with interrupts off, unacknowledged); back on
	 * the caller's stack, `int $SMODE_REPLAY_VECTOR` delivers it as if it had arrived there.
	 * Declined calls (any other, or a mode switch waiting for this process) take the full
	 * path below. A light call made here never changes its caller's mode: switches of
	 * oneself come through the way above, and when that declines, the full path.
	 */
	cmp $SYSCALL_LIGHT_MAX, %rax
	jae .Lfull
	cmpq $0, syscall_light_table(, %rax, 8)
	je .Lfull
	movl $1, smode_light_busy(%rip)
	mov %rsp, %r11
	mov cpu_kstack_top(%rip), %rsp
	push %r11                       /* the caller's rsp: its return address is at 0(%r11) */
	PUSH_SYSARGS                    /* struct sysargs; also preserves them */
	push %rax                       /* the call number; 8 pushes keep the stack aligned */
	mov %rax, %rdi
	lea 8(%rsp), %rsi
	call syscall_light
	cmp $SYSCALL_LIGHT_DECLINED, %rax
	je .Ldeclined
	add $8, %rsp
	POP_SYSARGS
	pop %rsp                        /* back on the caller's stack */
	movl $0, smode_light_busy(%rip)
	cmpl $0, smode_light_deferred(%rip)
	jne .Lreplay
.Llight_done:
	incq smode_calls(%rip)
	ret
.Lreplay:
	int $SMODE_REPLAY_VECTOR        /* comes back with interrupts on */
	jmp .Llight_done
.Lswitched:                         /* a switch of oneself made at once, interrupts off */
	pop %rcx                        /* its return address */
	incq smode_calls(%rip)
	cmpq $SEL_KCODE, cpu_app_cs(%rip)
	jne .Llight_to_umode
	sti
	jmp *%rcx
/* The call switched its caller to Umode: ring 3 at the return address (checked above), on
 * the user GS it already runs on; sysretq sets IF from r11. */
.Llight_to_umode:
	mov $RFLAGS_IF_RESERVED, %r11d
	sysretq
.Ldeclined:
	pop %rax
	POP_SYSARGS
	pop %rsp
	movl $0, smode_light_busy(%rip)
	cmpl $0, smode_light_deferred(%rip)
	je .Lfull
	int $SMODE_REPLAY_VECTOR
.Lfull:
	cli                             /* the kernel's full path runs with interrupts off */
	swapgs                          /* application code runs on the user GS, as in ring 3 */
	mov %rsp, %r11
	mov %gs:0, %rsp                 /* the execution's kernel stack */
	push $SEL_KDATA                 /* ss */
	lea 8(%r11), %rcx
	push %rcx                       /* rsp once the call has returned */
	push $RFLAGS_IF_RESERVED        /* rflags: a call keeps no flags but IF */
	push $SEL_KCODE                 /* cs */
	push (%r11)                     /* rip: the return address */
	push $0                         /* error */
	push $TF_VEC_FUNCENTRY          /* vector: marks a function-entry frame */
	PUSH_REGS
	incq smode_calls(%rip)
	mov %rsp, %rdi
	call syscall_handler
	cmpq $SEL_KCODE, 18*8(%rsp)     /* switched to Umode by this call: sysret to ring 3 */
	jne syscall_exit
	cmpq $TF_VEC_RESTORED, 15*8(%rsp)       /* a whole state put back: rcx too */
	je trap_return
	POP_REGS
	add $16, %rsp                   /* vector, error */
	pop %rcx                        /* rip */
	mov 16(%rsp), %rsp              /* over cs and rflags: the caller's rsp */
	swapgs
	sti                             /* takes effect after the jump: no interrupt in between */
	jmp *%rcx

	.section .note.GNU-stack, "", @progbits
