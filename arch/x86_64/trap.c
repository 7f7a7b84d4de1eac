/* Interrupt, exception and system-call dispatch from the entry stubs. A fault in user code
 * ends that process; a fault in the kernel is a broken invariant and panics. */
#include "abi/linux.h"
#include "arch/cpu.h"
#include "arch/irq.h"
#include "arch/paging.h"
#include "arch/smode.h"
#include "arch/uaccess.h"
#include "kernel/lib/kprintf.h"
#include "kernel/mm/vspace.h"
#include "kernel/proc/cputime.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/kdebug.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/runmode.h"
#include "kernel/proc/signal.h"
#include "kernel/proc/vdso.h"
#include "kernel/sys/vsyscall.h"
#include "kernel/sys/syscall.h"

void trap_handler(struct trapframe *tf);
void syscall_handler(struct trapframe *tf);

static const struct {
	const char *name;
	int sig;
} exceptions[32] = {
	[0] = { "divide error", L_SIGFPE },        [1] = { "debug trap", L_SIGTRAP },
	[3] = { "breakpoint", L_SIGTRAP },         [4] = { "overflow", L_SIGSEGV },
	[5] = { "bound range", L_SIGSEGV },        [6] = { "invalid opcode", L_SIGILL },
	[7] = { "FPU unavailable", L_SIGFPE },     [10] = { "invalid TSS", L_SIGSEGV },
	[11] = { "segment not present", L_SIGBUS }, [12] = { "stack fault", L_SIGBUS },
	[13] = { "general protection fault", L_SIGSEGV }, [14] = { "page fault", L_SIGSEGV },
	[16] = { "x87 FPU error", L_SIGFPE },      [17] = { "alignment check", L_SIGBUS },
	[19] = { "SIMD FP exception", L_SIGFPE },
};

/* Whether the entry interrupted application code: ring 3, or ring 0 (Smode) with an
 * instruction or stack address in the user half. The same test as entry.S trap_common. */
static bool from_app(const struct trapframe *tf)
{
	return (tf->cs & 3) || tf->rip < USER_TOP || tf->rsp < USER_TOP;
}

static _Noreturn void kernel_fault(struct trapframe *tf)
{
	const char *name = tf->vector < 32 && exceptions[tf->vector].name
				   ? exceptions[tf->vector].name : "exception";
	kprintf("rax %lx rbx %lx rcx %lx rdx %lx rsi %lx rdi %lx\n", tf->rax, tf->rbx, tf->rcx,
		tf->rdx, tf->rsi, tf->rdi);
	kprintf("rbp %lx rsp %lx r8 %lx r9 %lx cr2 %lx cr3 %lx\n", tf->rbp, tf->rsp, tf->r8,
		tf->r9, read_cr2(), read_cr3());
	panic("trap_handler: %s (vector %lu, error %lx) in the kernel at rip %lx", name,
	      tf->vector, tf->error, tf->rip);
}

/* A fault in the user-memory copies (arch/uaccess.h) makes them return -EFAULT. */
static bool uaccess_recover(struct trapframe *tf)
{
	if (tf->rip < (uint64_t)uaccess_text_begin || tf->rip >= (uint64_t)uaccess_text_end)
		return false;
	tf->rip = (uint64_t)uaccess_fault;
	return true;
}

static void page_fault(struct trapframe *tf)
{
	uint64_t addr = read_cr2();
	bool user = from_app(tf);
	struct proc *p = proc_cur();
	/* not-present faults inside an attachment are demand-zero, and writes to present pages
	 * may be to copy-on-write ones: also for the kernel's user-memory copies on behalf of a
	 * process */
	if ((p && p->vspace && (!(tf->error & 1) || (tf->error & 2)) && addr < USER_TOP &&
	     vspace_fault(p->vspace, addr, tf->error & 2, true) == 0) ||
	    (p && p->vspace && runmode_cca_fault(vspace_root(p->vspace), addr)) ||
	    (p && p->vspace && vdso_fault(vspace_root(p->vspace), addr))) {
		cputime_fault();            /* a minor fault (getrusage's ru_minflt) */
		return;
	}
	if (user && vsyscall_fault(tf, addr))
		return;
	if (!user && addr < USER_TOP && uaccess_recover(tf))
		return;
	if (!user)
		kernel_fault(tf);
	proc_fault(tf, L_SIGSEGV, tf->error & 1 ? "protection fault" : "page fault", addr);
}

static void exception(struct trapframe *tf)
{
	if (tf->vector == 14) {
		page_fault(tf);
		return;
	}
	if (!from_app(tf))
		kernel_fault(tf);
	int sig = exceptions[tf->vector].sig ? exceptions[tf->vector].sig : L_SIGSEGV;
	proc_fault(tf, sig, exceptions[tf->vector].name ? exceptions[tf->vector].name : "exception",
		   0);
}

/* An interrupt that arrived while the Smode light path was on the kernel stack: it goes back
 * there at once with interrupts off, unacknowledged, and the entry delivers it again by
 * `int SMODE_REPLAY_VECTOR` once it is back on the caller's stack (smode_entry.S). So no
 * interrupt work (a tick that ends the process by SIGALRM, say) runs inside a light call. */
static bool hold_back(struct trapframe *tf)
{
	if (tf->vector < IRQ_BASE || !smode_light_busy || from_app(tf))
		return false;
	smode_light_deferred = (uint32_t)tf->vector;
	smode_light_held++;
	tf->rflags &= ~RFLAGS_IF;
	return true;
}

static void replay(struct trapframe *tf)
{
	if (tf->vector != SMODE_REPLAY_VECTOR || !smode_light_deferred)
		return;
	tf->vector = smode_light_deferred;
	smode_light_deferred = 0;
	tf->rflags |= RFLAGS_IF;
}

void trap_handler(struct trapframe *tf)
{
	if (tf->vector == 2) {          /* NMI: the debug dump, on its own stack; nothing else */
		kdebug_dump(tf->rip, tf->rsp, tf->rbp, !from_app(tf));
		return;
	}
	if (hold_back(tf))
		return;
	bool app = from_app(tf);
	if (app)
		cputime_enter();            /* user time ends here, system time begins */
	replay(tf);
	if (tf->vector < 32)
		exception(tf);
	else if (tf->vector >= IRQ_BASE && tf->vector < IRQ_BASE + IRQ_LINES)
		irq_dispatch((unsigned)(tf->vector - IRQ_BASE));
	else if (tf->vector >= IRQ_VEC_BASE && tf->vector < IRQ_VEC_BASE + IRQ_VEC_COUNT)
		irq_vec_dispatch((unsigned)tf->vector);
	if (app) {
		sched_preempt_point();
		struct proc *p = proc_cur();
		if (proc_exit_pending(p))
			proc_exit_work(tf);
		cputime_leave();
	}
}

void syscall_handler(struct trapframe *tf)
{
	cputime_enter();
	struct sysargs a = { { tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9 } };
	uint64_t nr = tf->rax;
	tf->rax = (uint64_t)syscall_dispatch(nr, &a);
	signal_call_end(proc_cur(), tf, nr);
	runmode_syscall_end(tf);
	sched_preempt_point();
	struct proc *p = proc_cur();
	if (proc_exit_pending(p))
		proc_exit_work(tf);
	if (p)
		signal_call_done(p, tf);
	cputime_leave();
}
