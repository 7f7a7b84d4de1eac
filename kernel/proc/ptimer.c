/* Per-process real-time timers (see ptimer.h). The earliest deadline is kept, so a tick with
 * nothing due costs one comparison. */
#include "kernel/proc/ptimer.h"
#include "kernel/proc/signal.h"


static uint64_t next_due = UINT64_MAX;

static void earliest(struct proc *p, void *ctx)
{
	(void)ctx;
	if (p->alarm_at && p->alarm_at < next_due)
		next_due = p->alarm_at;
}

static void recompute(void)
{
	next_due = UINT64_MAX;
	proc_for_each(earliest, NULL);
}

void ptimer_set(struct proc *p, uint64_t at, uint64_t interval)
{
	p->alarm_at = at;
	p->alarm_interval = at ? interval : 0;
	recompute();
}

static void expire(struct proc *p, void *ctx)
{
	uint64_t now = *(uint64_t *)ctx;
	if (!p->alarm_at || p->alarm_at > now || p->state == TPS_ZOMBIE)
		return;
	p->alarm_at = p->alarm_interval ? now + p->alarm_interval : 0;
	signal_send(p, L_SIGALRM);      /* may end the current process: then this never returns */
}

void ptimer_tick(uint64_t now)
{
	if (now < next_due)
		return;
	proc_for_each(expire, &now);
	recompute();
}
