/* Processor-time accounting (see cputime.h). One CPU, interrupts off in the kernel: the
 * counters need no locks. The running execution's time since the last split point (`mark`)
 * is not in its counters yet; readers add it where it belongs (in_kernel). */
#include "kernel/proc/cputime.h"
#include "abi/errno.h"
#include "abi/linux.h"
#include "arch/cpu.h"
#include "arch/paging.h"
#include "arch/timer.h"
#include "kernel/lib/string.h"
#include "kernel/mm/vattach.h"
#include "kernel/mm/vregion.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/thread.h"

/* Per execution slot, beside the exec table (as its other per-slot arrays): cycles in user
 * and system mode, switches and faults. */
static uint64_t ucyc[NEXEC], scyc[NEXEC];
static uint32_t nvcsw[NEXEC], nivcsw[NEXEC], minflt[NEXEC];
/* The whole system: user, system (idle's excluded) and idle cycles. */
static uint64_t all_user, all_sys, all_idle, switches;
static uint64_t mark;
static int cur = -1, idle = -1;
/* Whether the running execution has been in the kernel since mark (a timed entry, or a
 * switch: it resumes in the kernel). Untimed calls leave it false: their time is user time. */
static bool in_kernel = true;

void cputime_enter(void)
{
	uint64_t now = rdtsc(), d = now - mark;
	mark = now;
	in_kernel = true;
	if (cur >= 0 && cur != idle) {
		ucyc[cur] += d;
		all_user += d;
	}
}

void cputime_leave(void)
{
	uint64_t now = rdtsc(), d = now - mark;
	mark = now;
	in_kernel = false;
	if (cur >= 0 && cur != idle) {
		scyc[cur] += d;
		all_sys += d;
	}
}

void cputime_switch(int prev, int next, bool voluntary)
{
	uint64_t now = rdtsc(), d = now - mark;
	mark = now;
	if (prev == idle) {
		all_idle += d;
	} else if (prev >= 0 && prev < NEXEC) {
		scyc[prev] += d;
		all_sys += d;
		if (voluntary)
			nvcsw[prev]++;
		else
			nivcsw[prev]++;
	}
	switches++;
	cur = next;
	in_kernel = true;
}

uint64_t cputime_switches(void)
{
	return switches;
}

void cputime_set_idle(int slot)
{
	idle = cur = slot;
	mark = rdtsc();
}

void cputime_reset(int slot)
{
	if (slot < 0 || slot >= NEXEC)
		return;
	ucyc[slot] = scyc[slot] = 0;
	nvcsw[slot] = nivcsw[slot] = minflt[slot] = 0;
}

void cputime_fault(void)
{
	if (cur >= 0 && cur != idle)
		minflt[cur]++;
}

void cputime_exec(rid_t exec, struct cputime *out)
{
	memset(out, 0, sizeof(*out));
	int i = (int)RID_INDEX(exec);
	if (!exec_thread(exec) || i >= NEXEC)
		return;
	uint64_t u = ucyc[i], s = scyc[i], d = i == cur ? rdtsc() - mark : 0;
	if (in_kernel)
		s += d;
	else
		u += d;
	out->utime_ns = tsc_to_ns(u);
	out->stime_ns = tsc_to_ns(s);
	out->nvcsw = nvcsw[i];
	out->nivcsw = nivcsw[i];
	out->minflt = minflt[i];
}

static void add(struct cputime *to, const struct cputime *c)
{
	to->utime_ns += c->utime_ns;
	to->stime_ns += c->stime_ns;
	to->nvcsw += c->nvcsw;
	to->nivcsw += c->nivcsw;
	to->minflt += c->minflt;
	if (c->maxrss_kib > to->maxrss_kib)
		to->maxrss_kib = c->maxrss_kib;
}

void cputime_proc(struct proc *p, struct cputime *out)
{
	*out = p->cpu_ended;
	THREAD_FOR_EACH(p, e) {
		struct cputime c;
		cputime_exec(e, &c);
		add(out, &c);
	}
	if (p->state != TPS_ZOMBIE) {
		cputime_rss_sample(p);
		out->maxrss_kib = p->cpu_ended.maxrss_kib;
	}
}

void cputime_thread_end(struct proc *p, rid_t exec)
{
	struct cputime c;
	cputime_exec(exec, &c);
	add(&p->cpu_ended, &c);
}

void cputime_total(const struct proc *zombie, struct cputime *out)
{
	*out = zombie->cpu_ended;
	add(out, &zombie->cpu_children);
}

void cputime_reaped(struct proc *parent, const struct proc *child)
{
	add(&parent->cpu_children, &child->cpu_ended);
	add(&parent->cpu_children, &child->cpu_children);
}

void cputime_rss_sample(struct proc *p)
{
	uint64_t pages = 0;
	for (int i = 0; i < p->att_end; i++) {
		rid_t region = p->att[i] ? vattach_region(p->att[i]) : 0;
		if (region)
			pages += vregion_resident(region);
	}
	uint64_t kib = pages * (PAGE_SIZE / 1024);
	if (kib > p->cpu_ended.maxrss_kib)
		p->cpu_ended.maxrss_kib = kib;
}

void cputime_system(uint64_t *user_ns, uint64_t *system_ns, uint64_t *idle_ns)
{
	uint64_t d = rdtsc() - mark, u = all_user, s = all_sys, i = all_idle;
	if (cur == idle)
		i += d;
	else if (in_kernel)
		s += d;
	else
		u += d;
	*user_ns = tsc_to_ns(u);
	*system_ns = tsc_to_ns(s);
	*idle_ns = tsc_to_ns(i);
}

/* The process whose CPU clock id names pid (0: the caller's). As Linux: a pid must name a
 * process, except that the caller's own thread id means the caller's process. */
static struct proc *clock_proc(int id)
{
	struct proc *self = proc_cur();
	if (id == 0 || id == thread_cur()->tid)
		return self;
	struct proc *p = proc_by_pid(id);
	return p && p->pid == id ? p : NULL;
}

/* The execution whose thread CPU clock names tid (0: the caller): only the caller's own
 * process's threads, as Linux. */
static rid_t clock_thread(int id)
{
	if (id == 0)
		return exec_cur();
	rid_t e = thread_by_tid(id);
	return e && exec_proc(e) == proc_cur()->hdr.rid ? e : 0;
}

int cputime_clock(int32_t clk, uint64_t *ns)
{
	int which = CPUCLOCK_SCHED, id = 0;
	bool thread = clk == L_CLOCK_THREAD_CPUTIME_ID;
	if (clk < 0) {
		which = clk & 3;
		thread = clk & 4;
		id = ~(clk >> 3);             /* an arithmetic shift: ~ gives the pid back */
	} else if (clk != L_CLOCK_PROCESS_CPUTIME_ID && !thread) {
		return -EINVAL;
	}
	struct cputime c;
	if (which > CPUCLOCK_SCHED)
		return -EINVAL;
	if (thread) {
		rid_t e = clock_thread(id);
		if (!e)
			return -EINVAL;
		cputime_exec(e, &c);
	} else {
		struct proc *p = clock_proc(id);
		if (!p)
			return -EINVAL;
		cputime_proc(p, &c);
	}
	if (ns)
		*ns = which == CPUCLOCK_VIRT ? c.utime_ns : c.utime_ns + c.stime_ns;
	return 0;
}

static struct linux_timeval timeval_of(uint64_t ns)
{
	return (struct linux_timeval){ (int64_t)(ns / 1000000000ull),
				       (int64_t)(ns % 1000000000ull / 1000) };
}

void cputime_to_rusage(const struct cputime *c, struct linux_rusage *ru)
{
	memset(ru, 0, sizeof(*ru));
	ru->ru_utime = timeval_of(c->utime_ns);
	ru->ru_stime = timeval_of(c->stime_ns);
	ru->ru_maxrss = (int64_t)c->maxrss_kib;
	ru->ru_minflt = (int64_t)c->minflt;
	ru->ru_nvcsw = (int64_t)c->nvcsw;
	ru->ru_nivcsw = (int64_t)c->nivcsw;
}
