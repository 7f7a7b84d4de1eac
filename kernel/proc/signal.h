/*
 * Signals: each process's dispositions (rt_sigaction), blocked mask (rt_sigprocmask) and
 * pending set. A signal with a handler is made pending and delivered when the process next
 * leaves the kernel: the handler runs on the process's stack in a Linux x86-64 signal frame
 * (ucontext with the interrupted registers and FPU state), and rt_sigreturn, called by the
 * restorer the C library installs, puts that state back. A signal at its default action ends
 * the process (or is ignored, for those whose default is to ignore); an ignored one changes
 * nothing. Faults still end the process (a handler for them is not run).
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
/* Send sig to process pid and to every process descending from it (^C on the console). */
void signal_send_tree(int pid, int sig);
/* Deliver one pending, unblocked signal to the current process through its frame tf. */
void signal_deliver(struct proc *p, struct trapframe *tf);
/* Whether p has a pending signal it does not block. */
static inline bool signal_deliverable(const struct proc *p)
{
	return (p->sig_pending & ~p->sig_mask) != 0;
}
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
