/* Signals (see signal.h): dispositions, masks, and delivery through Linux x86-64 signal
 * frames. */
#include "kernel/proc/signal.h"
#include <stddef.h>
#include "abi/errno.h"
#include "kernel/lib/string.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/migrate.h"
#include "kernel/proc/runmode.h"
#include "kernel/sys/syscall.h"

#define H_DEFAULT 0
#define H_IGNORE 1
#define SA_SIGINFO 0x4ul
#define SA_RESTART 0x10000000ul
#define SYSCALL_INSN_LEN 2      /* `syscall` (0f 05): rewinding over it runs the call again */
#define RESTART_SYS 1
#define RESTART_NOHAND 2
#define SA_NODEFER 0x40000000ul
#define SA_RESETHAND 0x80000000ul
#define RED_ZONE 128

/* The frame a handler runs on (Linux x86-64 rt_sigframe: the restorer's address, then the
 * ucontext, then the siginfo). */
struct sigcontext64 {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2, fpstate;
	uint64_t reserved[8];
};

struct ucontext64 {
	uint64_t flags, link;
	uint64_t ss_sp, ss_flags_pad, ss_size;
	struct sigcontext64 mc;
	uint64_t sigmask;
};

struct siginfo64 {
	int32_t signo, err, code, pad;
	int32_t pid;
	uint32_t uid;
	uint8_t rest[104];
};

struct rt_frame {
	uint64_t pretcode;
	struct ucontext64 uc;
	struct siginfo64 info;
};

/* Signals whose default action is to be ignored (or to stop, which this kernel does not do). */
static bool default_ignored(int sig)
{
	return sig == L_SIGCHLD || sig == L_SIGCONT || sig == L_SIGURG || sig == L_SIGWINCH ||
	       (sig >= L_SIGSTOP && sig <= L_SIGTTOU);
}

int signal_send(struct proc *p, int sig)
{
	if (sig < 0 || sig > SIG_MAX)
		return -EINVAL;
	if (sig == 0 || p->state == TPS_ZOMBIE)
		return p->state == TPS_ZOMBIE ? -ESRCH : 0;
	if (p->state == TPS_REMOTE)
		return mig_stub_signal(p, sig, proc_cur() ? proc_cur()->cred.uid : 0);
	uint64_t h = p->sig[sig].handler;
	if (sig != L_SIGKILL && (h == H_IGNORE || (h == H_DEFAULT && default_ignored(sig))))
		return 0;
	if (sig == L_SIGKILL || h == H_DEFAULT)
		return proc_kill(p, sig);
	p->sig_pending |= SIG_BIT(sig);
	if (p->exec && !(p->sig_mask & SIG_BIT(sig)))
		exec_interrupt(p->exec);            /* a blocked call gives up with EINTR */
	return 0;
}

struct tree_ctx {
	int root, sig;
};

static bool descends(struct proc *p, int root)
{
	for (int depth = 0; p && depth < NPROC; depth++) {
		if (p->pid == root)
			return true;
		p = proc_by_pid(p->ppid);
	}
	return false;
}

static void send_if_descendant(struct proc *p, void *c)
{
	struct tree_ctx *t = c;
	/* a process running on another node is left alone: this runs from the console's
	 * interrupt, where nothing may be sent */
	if (p->pid != 1 && p->state != TPS_ZOMBIE && p->state != TPS_REMOTE &&
	    descends(p, t->root) && p != proc_cur())
		signal_send(p, t->sig);
}

void signal_send_tree(int pid, int sig)
{
	struct tree_ctx t = { pid, sig };
	struct proc *self = proc_cur();
	proc_for_each(send_if_descendant, &t);
	/* the interrupted process last: a default action ends it right here */
	if (self && self->pid != 1 && descends(self, pid))
		signal_send(self, sig);
}

static void save_context(struct ucontext64 *uc, const struct trapframe *tf, uint64_t mask)
{
	struct sigcontext64 *m = &uc->mc;
	memset(uc, 0, sizeof(*uc));
	m->r8 = tf->r8, m->r9 = tf->r9, m->r10 = tf->r10, m->r11 = tf->r11;
	m->r12 = tf->r12, m->r13 = tf->r13, m->r14 = tf->r14, m->r15 = tf->r15;
	m->rdi = tf->rdi, m->rsi = tf->rsi, m->rbp = tf->rbp, m->rbx = tf->rbx;
	m->rdx = tf->rdx, m->rax = tf->rax, m->rcx = tf->rcx, m->rsp = tf->rsp;
	m->rip = tf->rip, m->eflags = tf->rflags;
	m->cs = (uint16_t)tf->cs;
	m->ss = (uint16_t)tf->ss;
	uc->sigmask = mask;
}

/* Build the frame below the interrupted stack pointer (and its red zone); false if the
 * process's stack cannot take it. */
static bool push_frame(struct proc *p, struct trapframe *tf, int sig, uint64_t *frame_out)
{
	struct exec_user_state st;
	struct rt_frame f;
	uint64_t fp = ((tf->rsp - RED_ZONE - sizeof(st.fpu)) & ~63ul);
	uint64_t frame = ((fp - sizeof(f)) & ~15ul) - 8;     /* as after a call */
	exec_get_user_state(p->exec, &st);
	/* after sigsuspend or ppoll the handler's return puts back the mask from before it */
	save_context(&f.uc, tf, p->sig_restore_mask ? p->sig_saved_mask : p->sig_mask);
	f.uc.mc.fpstate = fp;
	f.pretcode = p->sig[sig].restorer;
	memset(&f.info, 0, sizeof(f.info));
	f.info.signo = sig;
	if (copy_to_user((void *)fp, st.fpu, sizeof(st.fpu)) ||
	    copy_to_user((void *)frame, &f, sizeof(f)))
		return false;
	*frame_out = frame;
	return true;
}

static void rewind_call(struct proc *p, struct trapframe *tf)
{
	tf->rip -= SYSCALL_INSN_LEN;
	tf->rax = p->call_nr;
}

void signal_call_end(struct proc *p, struct trapframe *tf, uint64_t nr)
{
	long r = (long)tf->rax;
	if (r != -ERESTARTSYS && r != -ERESTARTNOHAND)
		return;
	tf->rax = (uint64_t)-EINTR;         /* what a handler without SA_RESTART leaves */
	/* only a ring-3 `syscall` can be run again by rewinding; the Smode call form returns
	 * through a call into the kernel, and sigreturn's own result is the old frame's rax */
	if (!p || (tf->cs & 3) != 3 || nr == SYSNR_rt_sigreturn)
		return;
	p->call_restart = r == -ERESTARTSYS ? RESTART_SYS : RESTART_NOHAND;
	p->call_nr = (uint32_t)nr;
}

void signal_call_done(struct proc *p, struct trapframe *tf)
{
	if (p->call_restart)
		rewind_call(p, tf);             /* no handler ran: the call goes on */
	p->call_restart = 0;
	if (p->sig_restore_mask) {
		p->sig_mask = p->sig_saved_mask;
		p->sig_restore_mask = false;
	}
}

void signal_call_stop(struct proc *p, struct trapframe *tf)
{
	if (p->call_restart)
		rewind_call(p, tf);
	p->call_restart = 0;
	if (p->sig_restore_mask) {
		p->sig_mask = p->sig_saved_mask;   /* the call installs its own mask again */
		p->sig_restore_mask = false;
	}
}

void signal_forget_call(struct proc *p)
{
	p->call_restart = 0;
	p->sig_restore_mask = false;
}

void signal_mask_for_call(struct proc *p, uint64_t mask)
{
	if (!p->sig_restore_mask)
		p->sig_saved_mask = p->sig_mask;
	p->sig_restore_mask = true;
	p->sig_mask = mask & ~UNBLOCKABLE;
}

long signal_suspend(struct proc *p, uint64_t mask)
{
	signal_mask_for_call(p, mask);
	while (!proc_aborting(p))
		sleep_on(p, 0);
	return -ERESTARTNOHAND;
}

/* The handler runs now: an interrupted call is restarted after it only with SA_RESTART. */
static void restart_after_handler(struct proc *p, struct trapframe *tf, const struct sigact *a)
{
	if (p->call_restart == RESTART_SYS && (a->flags & SA_RESTART))
		rewind_call(p, tf);
	p->call_restart = 0;
}

void signal_deliver(struct proc *p, struct trapframe *tf)
{
	uint64_t ready = p->sig_pending & ~p->sig_mask, frame;
	int sig = __builtin_ctzll(ready) + 1;
	struct sigact *a = &p->sig[sig];
	p->sig_pending &= ~SIG_BIT(sig);
	if (a->handler <= H_IGNORE)
		return;                             /* the disposition changed meanwhile */
	restart_after_handler(p, tf, a);
	if (!push_frame(p, tf, sig, &frame))
		proc_exit(11);                      /* no stack for the frame: as Linux, SIGSEGV */
	tf->rsp = frame;
	tf->rip = a->handler;
	tf->rdi = (uint64_t)sig;
	tf->rsi = frame + offsetof(struct rt_frame, info);
	tf->rdx = frame + offsetof(struct rt_frame, uc);
	tf->rax = 0;
	tf->rflags &= ~0x400ul;                     /* DF clear, as the ABI wants */
	p->sig_restore_mask = false;                /* the frame holds the mask to go back to */
	p->sig_mask |= a->mask | (a->flags & SA_NODEFER ? 0 : SIG_BIT(sig));
	p->sig_mask &= ~UNBLOCKABLE;
	if (a->flags & SA_RESETHAND)
		a->handler = H_DEFAULT;
	runmode_fix_frame(p, tf);
}

long signal_return(struct proc *p, struct trapframe *tf)
{
	struct ucontext64 uc;
	struct exec_user_state st;
	uint64_t frame = tf->rsp - 8;               /* the handler's ret took the restorer */
	exec_get_user_state(p->exec, &st);          /* keeps the FS base */
	if (copy_from_user(&uc, (const void *)(frame + offsetof(struct rt_frame, uc)),
			   sizeof(uc)) ||
	    copy_from_user(st.fpu, (const void *)uc.mc.fpstate, sizeof(st.fpu)))
		proc_exit(11);                      /* a broken frame: nothing to return to */
	const struct sigcontext64 *m = &uc.mc;
	tf->r8 = m->r8, tf->r9 = m->r9, tf->r10 = m->r10, tf->r11 = m->r11;
	tf->r12 = m->r12, tf->r13 = m->r13, tf->r14 = m->r14, tf->r15 = m->r15;
	tf->rdi = m->rdi, tf->rsi = m->rsi, tf->rbp = m->rbp, tf->rbx = m->rbx;
	tf->rdx = m->rdx, tf->rcx = m->rcx, tf->rsp = m->rsp, tf->rip = m->rip;
	/* only the flags a program may set; interrupts stay on */
	tf->rflags = (m->eflags & 0xcd5ul) | RFLAGS_IF | 0x2;
	p->sig_mask = uc.sigmask & ~UNBLOCKABLE;
	exec_set_user_state(p->exec, &st);
	runmode_fix_frame(p, tf);
	return (long)m->rax;
}

int signal_action(struct proc *p, int sig, const struct sigact *act, struct sigact *old)
{
	if (sig < 1 || sig > SIG_MAX || (act && (sig == L_SIGKILL || sig == L_SIGSTOP)))
		return -EINVAL;
	if (old)
		*old = p->sig[sig];
	if (act) {
		p->sig[sig] = *act;
		if (act->handler == H_IGNORE)
			p->sig_pending &= ~SIG_BIT(sig);
	}
	return 0;
}

int signal_mask(struct proc *p, int how, const uint64_t *set, uint64_t *old)
{
	if (how < 0 || how > 2)
		return -EINVAL;
	if (old)
		*old = p->sig_mask;
	if (!set)
		return 0;
	if (how == 0)
		p->sig_mask |= *set;
	else if (how == 1)
		p->sig_mask &= ~*set;
	else
		p->sig_mask = *set;
	p->sig_mask &= ~UNBLOCKABLE;
	return 0;
}

void signal_exec(struct proc *p)
{
	for (int s = 1; s <= SIG_MAX; s++)
		if (p->sig[s].handler != H_IGNORE)
			p->sig[s] = (struct sigact){ 0 };
	p->sig_pending = 0;
}
