/* Signals (see signal.h): dispositions, masks, and delivery through Linux x86-64 signal
 * frames. */
#include "kernel/proc/signal.h"
#include <stddef.h>
#include "abi/errno.h"
#include "kernel/lib/string.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/jobctl.h"
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
#define SA_ONSTACK 0x08000000ul
#define SS_AUTODISARM (1u << 31)
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
	struct linux_stack stack;
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

/* Signals whose default action is to be ignored. */
static bool default_ignored(int sig)
{
	return sig == L_SIGCHLD || sig == L_SIGCONT || sig == L_SIGURG || sig == L_SIGWINCH;
}

static bool is_stop(int sig)
{
	return sig >= L_SIGSTOP && sig <= L_SIGTTOU;
}

#define D_IGNORE 0
#define D_KILL 1
#define D_HANDLER 2
#define D_STOP 3

/* What sig does to p: nothing (ignored), end it, run a handler, or stop it. Init takes only
 * the signals it has handlers for (Linux). */
static int disposition(struct proc *p, int sig)
{
	uint64_t h = p->sig[sig].handler;
	if (sig == L_SIGSTOP || (h == H_DEFAULT && is_stop(sig)))
		return p->pid == 1 ? D_IGNORE : D_STOP;
	if (sig != L_SIGKILL && (h == H_IGNORE || (h == H_DEFAULT && default_ignored(sig))))
		return D_IGNORE;
	if (p->pid == 1 && (sig == L_SIGKILL || h == H_DEFAULT))
		return D_IGNORE;
	return sig == L_SIGKILL || h == H_DEFAULT ? D_KILL : D_HANDLER;
}

/* What every sender does first: SIGCONT continues (and drops pending stops), a stop signal
 * drops a pending SIGCONT; then the disposition (D_*). */
static int prepare(struct proc *p, int sig)
{
	if (sig == L_SIGCONT)
		jobctl_continue(p);
	else if (is_stop(sig))
		jobctl_stop_sent(p);
	return disposition(p, sig);
}

/* The one uid a signal to stub p carries to the node p runs on: the sender's real or
 * effective uid, whichever gives the right (ident.h), checked there again. */
static uint32_t sender_uid(const struct proc *p)
{
	const struct proc *self = proc_cur();
	if (!self || self->ids.euid == 0)
		return 0;
	return ident_uid_may_signal(self->ids.ruid, p) ? self->ids.ruid : self->ids.euid;
}

int signal_send(struct proc *p, int sig)
{
	if (sig < 0 || sig > SIG_MAX)
		return -EINVAL;
	if (sig == 0 || p->state == TPS_ZOMBIE)
		return p->state == TPS_ZOMBIE ? -ESRCH : 0;
	if (p->state == TPS_REMOTE)
		return mig_stub_signal(p, sig, sender_uid(p));
	int d = prepare(p, sig);
	if (d == D_IGNORE || d == D_KILL)
		return d == D_KILL ? proc_kill(p, sig) : 0;
	if (d == D_STOP && jobctl_unstoppable(p))
		return 0;                  /* servers and drivers are not stopped (jobctl.h) */
	/* a stop waits in the pending set like a caught signal: the thread that takes it
	 * stops the process (jobctl_stop) */
	p->sig_pending |= SIG_BIT(sig);
	/* one thread that does not block it gives up its blocked call (EINTR) and runs the
	 * handler; if every one blocks it, it waits in the process's set */
	rid_t e = thread_for_signal(p, sig);
	if (e)
		exec_interrupt(e);
	return 0;
}

int signal_send_thread(struct proc *p, rid_t e, int sig)
{
	struct thread *t = thread_of(e);
	if (sig < 0 || sig > SIG_MAX)
		return -EINVAL;
	if (sig == 0 || p->state == TPS_ZOMBIE || !t)
		return p->state == TPS_ZOMBIE || !t ? -ESRCH : 0;
	int d = prepare(p, sig);
	if (d == D_IGNORE || d == D_KILL)
		return d == D_KILL ? proc_kill(p, sig) : 0;  /* the whole process's action */
	if (d == D_STOP && jobctl_unstoppable(p))
		return 0;
	t->sig_pending |= SIG_BIT(sig);
	if (!(t->sig_mask & SIG_BIT(sig)))
		exec_interrupt(e);
	return 0;
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

static bool on_altstack(const struct thread *t, uint64_t sp)
{
	return !(t->altstack.flags & L_SS_DISABLE) && sp > t->altstack.sp &&
	       sp - t->altstack.sp <= t->altstack.size;
}

/* The stack a handler runs on: the thread's alternate stack if the handler asks for it and
 * the thread is not on it already, else below the interrupted one's red zone. */
static uint64_t handler_sp(struct thread *t, const struct trapframe *tf, const struct sigact *a)
{
	if ((a->flags & SA_ONSTACK) && !(t->altstack.flags & L_SS_DISABLE) &&
	    !on_altstack(t, tf->rsp))
		return t->altstack.sp + t->altstack.size;
	return tf->rsp - RED_ZONE;
}

/* The alternate stack as a frame records it (what sigreturn puts back). */
static struct linux_stack stack_record(const struct thread *t, uint64_t sp)
{
	struct linux_stack ss = t->altstack;
	if (on_altstack(t, sp))
		ss.flags |= L_SS_ONSTACK;
	return ss;
}

/* Build the frame on the handler's stack; false if that stack cannot take it. */
static bool push_frame(struct proc *p, struct trapframe *tf, int sig, uint64_t *frame_out)
{
	struct exec_user_state st;
	struct rt_frame f;
	struct thread *t = thread_cur();
	uint64_t fp = ((handler_sp(t, tf, &p->sig[sig]) - sizeof(st.fpu)) & ~63ul);
	uint64_t frame = ((fp - sizeof(f)) & ~15ul) - 8;     /* as after a call */
	exec_get_user_state(exec_cur(), &st);
	/* after sigsuspend or ppoll the handler's return puts back the mask from before it */
	save_context(&f.uc, tf, t->sig_restore_mask ? t->sig_saved_mask : t->sig_mask);
	f.uc.stack = stack_record(t, tf->rsp);
	f.uc.mc.fpstate = fp;
	f.pretcode = p->sig[sig].restorer;
	memset(&f.info, 0, sizeof(f.info));
	f.info.signo = sig;
	if (copy_to_user((void *)fp, st.fpu, sizeof(st.fpu)) ||
	    copy_to_user((void *)frame, &f, sizeof(f)))
		return false;
	if ((t->altstack.flags & SS_AUTODISARM) && on_altstack(t, frame))
		t->altstack = (struct linux_stack){ 0, L_SS_DISABLE, 0, 0 };
	*frame_out = frame;
	return true;
}

static void rewind_call(struct thread *t, struct trapframe *tf)
{
	tf->rip -= SYSCALL_INSN_LEN;
	tf->rax = t->call_nr;
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
	struct thread *t = thread_cur();
	t->call_restart = r == -ERESTARTSYS ? RESTART_SYS : RESTART_NOHAND;
	t->call_nr = (uint32_t)nr;
}

void signal_call_done(struct proc *p, struct trapframe *tf)
{
	struct thread *t = thread_cur();
	(void)p;
	if (t->call_restart)
		rewind_call(t, tf);             /* no handler ran: the call goes on */
	t->call_restart = 0;
	if (t->sig_restore_mask) {
		t->sig_mask = t->sig_saved_mask;
		t->sig_restore_mask = false;
	}
}

void signal_call_stop(struct proc *p, struct trapframe *tf)
{
	struct thread *t = thread_cur();
	(void)p;
	if (t->call_restart)
		rewind_call(t, tf);
	t->call_restart = 0;
	if (t->sig_restore_mask) {
		t->sig_mask = t->sig_saved_mask;   /* the call installs its own mask again */
		t->sig_restore_mask = false;
	}
}

void signal_forget_call(struct proc *p)
{
	struct thread *t = thread_cur();
	(void)p;
	t->call_restart = 0;
	t->sig_restore_mask = false;
}

void signal_mask_for_call(struct proc *p, uint64_t mask)
{
	struct thread *t = thread_cur();
	(void)p;
	if (!t->sig_restore_mask)
		t->sig_saved_mask = t->sig_mask;
	t->sig_restore_mask = true;
	t->sig_mask = mask & ~UNBLOCKABLE;
}

long signal_suspend(struct proc *p, uint64_t mask)
{
	signal_mask_for_call(p, mask);
	while (!proc_aborting(p))
		sleep_on(p, 0);
	return -ERESTARTNOHAND;
}

/* The handler runs now: an interrupted call is restarted after it only with SA_RESTART. */
static void restart_after_handler(struct thread *t, struct trapframe *tf, const struct sigact *a)
{
	if (t->call_restart == RESTART_SYS && (a->flags & SA_RESTART))
		rewind_call(t, tf);
	t->call_restart = 0;
}

/* The lowest signal ready for the current thread, taken from its own set first. */
static int take_signal(struct proc *p, struct thread *t)
{
	uint64_t mine = t->sig_pending & ~t->sig_mask;
	uint64_t ready = mine ? mine : p->sig_pending & ~t->sig_mask;
	int sig = __builtin_ctzll(ready) + 1;
	if (mine)
		t->sig_pending &= ~SIG_BIT(sig);
	else
		p->sig_pending &= ~SIG_BIT(sig);
	return sig;
}

void signal_deliver(struct proc *p, struct trapframe *tf)
{
	struct thread *t = thread_cur();
	uint64_t frame;
	int sig = take_signal(p, t);
	struct sigact *a = &p->sig[sig];
	if (disposition(p, sig) == D_STOP) {
		jobctl_stop(p, sig);                /* returns once the process continues */
		return;
	}
	if (a->handler <= H_IGNORE)
		return;                             /* the disposition changed meanwhile */
	restart_after_handler(t, tf, a);
	if (!push_frame(p, tf, sig, &frame))
		proc_exit(11);                      /* no stack for the frame: as Linux, SIGSEGV */
	tf->rsp = frame;
	tf->rip = a->handler;
	tf->rdi = (uint64_t)sig;
	tf->rsi = frame + offsetof(struct rt_frame, info);
	tf->rdx = frame + offsetof(struct rt_frame, uc);
	tf->rax = 0;
	tf->rflags &= ~0x400ul;                     /* DF clear, as the ABI wants */
	t->sig_restore_mask = false;                /* the frame holds the mask to go back to */
	t->sig_mask |= a->mask | (a->flags & SA_NODEFER ? 0 : SIG_BIT(sig));
	t->sig_mask &= ~UNBLOCKABLE;
	if (a->flags & SA_RESETHAND)
		a->handler = H_DEFAULT;
	runmode_fix_frame(p, tf);
}

/* sigreturn puts back the alternate stack the frame recorded (a handler may change it), unless
 * the thread still runs on the current one; a malformed record changes nothing (Linux). */
static void restore_altstack(struct thread *t, const struct linux_stack *ss, uint64_t sp)
{
	int mode = ss->flags & ~(int32_t)SS_AUTODISARM;
	if (on_altstack(t, sp) || (mode != 0 && mode != L_SS_ONSTACK && mode != L_SS_DISABLE))
		return;
	if (mode == L_SS_DISABLE)
		t->altstack = (struct linux_stack){ 0, L_SS_DISABLE, 0, 0 };
	else if (ss->size >= L_MINSIGSTKSZ)
		t->altstack = (struct linux_stack){ ss->sp, ss->flags & (int32_t)SS_AUTODISARM, 0,
						    ss->size };
}

long signal_return(struct proc *p, struct trapframe *tf)
{
	struct ucontext64 uc;
	struct exec_user_state st;
	struct thread *t = thread_cur();
	uint64_t frame = tf->rsp - 8;               /* the handler's ret took the restorer */
	exec_get_user_state(exec_cur(), &st);       /* keeps the FS base */
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
	t->sig_mask = uc.sigmask & ~UNBLOCKABLE;
	restore_altstack(t, &uc.stack, tf->rsp);
	exec_set_user_state(exec_cur(), &st);
	runmode_fix_frame(p, tf);
	trapframe_restored(tf);
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
		/* Linux: an ignored signal is dropped from every pending set */
		if (disposition(p, sig) == D_IGNORE) {
			p->sig_pending &= ~SIG_BIT(sig);
			THREAD_FOR_EACH(p, e)
				thread_of(e)->sig_pending &= ~SIG_BIT(sig);
		}
	}
	return 0;
}

int signal_mask(struct proc *p, int how, const uint64_t *set, uint64_t *old)
{
	struct thread *t = thread_cur();
	(void)p;
	if (how < 0 || how > 2)
		return -EINVAL;
	if (old)
		*old = t->sig_mask;
	if (!set)
		return 0;
	if (how == 0)
		t->sig_mask |= *set;
	else if (how == 1)
		t->sig_mask &= ~*set;
	else
		t->sig_mask = *set;
	t->sig_mask &= ~UNBLOCKABLE;
	return 0;
}

uint64_t signal_pending_cur(struct proc *p)
{
	return p->sig_pending | thread_cur()->sig_pending;
}

int signal_altstack(const struct linux_stack *ss, struct linux_stack *old)
{
	struct thread *t = thread_cur();
	uint64_t sp = exec_tf(exec_cur())->rsp;
	if (old)
		*old = stack_record(t, sp);
	if (!ss)
		return 0;
	int mode = ss->flags & ~(int32_t)SS_AUTODISARM;
	if (mode != 0 && mode != L_SS_ONSTACK && mode != L_SS_DISABLE)
		return -EINVAL;
	if (on_altstack(t, sp))
		return -EPERM;
	if (mode == L_SS_DISABLE) {
		t->altstack = (struct linux_stack){ 0, L_SS_DISABLE, 0, 0 };
		return 0;
	}
	if (ss->size < L_MINSIGSTKSZ)
		return -ENOMEM;
	t->altstack = (struct linux_stack){ ss->sp, ss->flags & (int32_t)SS_AUTODISARM, 0,
					    ss->size };
	return 0;
}

void signal_exec(struct proc *p)
{
	for (int s = 1; s <= SIG_MAX; s++)
		if (p->sig[s].handler != H_IGNORE)
			p->sig[s] = (struct sigact){ 0 };
	p->sig_pending = 0;
}
