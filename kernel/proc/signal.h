/*
 * Signals: each process's dispositions (rt_sigaction) and pending set, each thread's blocked
 * mask (rt_sigprocmask), pending set and alternate stack (thread.h). A signal with a handler
 * is made pending, for the process (kill: one thread that does not block it takes it) or for
 * one thread (tgkill, tkill), and delivered when a thread that does not block it next leaves
 * the kernel (a stop signal at its default action waits the same way and stops the process
 * there: jobctl.h): the handler runs on the thread's stack (or its alternate stack, SA_ONSTACK) in
 * a Linux x86-64 signal frame (ucontext with the interrupted registers and FPU state), and
 * rt_sigreturn, called by the restorer the C library installs, puts that state back. A signal
 * at its default action ends the whole process (or is ignored, for those whose default is to
 * ignore, or stops it); init takes only signals it has handlers for; an ignored one changes
 * nothing. Faults still end the process (a handler for them
 * is not run).
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "abi/linux.h"
#include "arch/cpu.h"
#include "kernel/proc/proc.h"

#define SIG_MAX 64
#define SIG_BIT(s) (1ull << ((s) - 1))
#define UNBLOCKABLE (SIG_BIT(L_SIGKILL) | SIG_BIT(L_SIGSTOP))

/* Kernel-internal results of a blocking call that a signal interrupted (never seen by a
 * program): ERESTARTSYS restarts the call after a handler installed with SA_RESTART, or when
 * no handler runs; ERESTARTNOHAND restarts it only when no handler runs. Otherwise the
 * program sees EINTR (Linux's rules). */
#define ERESTARTSYS 512
#define ERESTARTNOHAND 514

/* Send sig to p as kill does (sig 0 checks only); rights are the caller's business. */
int signal_send(struct proc *p, int sig);
/* Send sig to execution e of p alone, as tgkill does. */
int signal_send_thread(struct proc *p, rid_t e, int sig);
/* Deliver one pending signal the current thread does not block through its frame tf. */
void signal_deliver(struct proc *p, struct trapframe *tf);
/* Whether the current thread of p has a pending signal it does not block. */
static inline bool signal_deliverable(const struct proc *p)
{
	const struct thread *t = thread_cur();
	return ((p->sig_pending | t->sig_pending) & ~t->sig_mask) != 0;
}
/* The signals pending for the current thread (its own and the process's). */
uint64_t signal_pending_cur(struct proc *p);
/* sigaltstack(2) of the current thread (ss, old: either may be NULL). */
int signal_altstack(const struct linux_stack *ss, struct linux_stack *old);
/* rt_sigaction, rt_sigprocmask, rt_sigreturn on the current process. */
int signal_action(struct proc *p, int sig, const struct sigact *act, struct sigact *old);
int signal_mask(struct proc *p, int how, const uint64_t *set, uint64_t *old);
long signal_return(struct proc *p, struct trapframe *tf);
/* After system call nr has put its result in tf->rax: note a restartable interruption. */
void signal_call_end(struct proc *p, struct trapframe *tf, uint64_t nr);
/* After the exit work: restart the call if no handler ran, put back a saved mask. */
void signal_call_done(struct proc *p, struct trapframe *tf);
/* The process stops in its kernel exit to be resumed elsewhere (a migration): an
 * interrupted call that may be restarted is rewound in tf, to run again when it resumes, and
 * a mask installed for the call is taken back (the call installs it again). */
void signal_call_stop(struct proc *p, struct trapframe *tf);
/* The frame was replaced (metamorphosis): nothing of the old call is left to restart. */
void signal_forget_call(struct proc *p);
/* rt_sigsuspend: wait with mask installed until a signal is delivered (-ERESTARTNOHAND). */
long signal_suspend(struct proc *p, uint64_t mask);
/* Install mask for the rest of this call; the old one comes back when the call ends, or
 * when the handler the call was interrupted for returns (ppoll, pselect6, sigsuspend). */
void signal_mask_for_call(struct proc *p, uint64_t mask);
/* Dispositions across exec (caught ones go back to default) and fork (kept). */
void signal_exec(struct proc *p);
