/* Per-process real-time timers (see ptimer.h). The earliest deadline is kept, so a tick with
 * nothing due costs one comparison. */
#include "kernel/proc/ptimer.h"
#include "arch/timer.h"
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

/* now + in, saturated: a deadline past the end of time never comes. */
static uint64_t after(uint64_t now, uint64_t in)
{
	return in > UINT64_MAX - now ? UINT64_MAX : now + in;
}

void ptimer_set(struct proc *p, uint64_t in, uint64_t interval)
{
	uint64_t now = time_ns();
	p->alarm_at = in ? after(now, in) : 0;
	p->alarm_interval = in ? interval : 0;
	recompute();
}

void ptimer_get(const struct proc *p, uint64_t *left, uint64_t *interval)
{
	uint64_t now = time_ns();
	/* expired but not yet delivered (the tick comes): still armed, as Linux reports it */
	*left = p->alarm_at > now ? p->alarm_at - now : p->alarm_at ? 1000 : 0;
	*interval = p->alarm_interval;
}

uint64_t ptimer_alarm(struct proc *p, uint64_t secs)
{
	uint64_t now = time_ns(), left = p->alarm_at > now ? p->alarm_at - now : 0;
	ptimer_set(p, secs * 1000000000ull, 0);
	return (left + 999999999ull) / 1000000000ull;
}

static void expire(struct proc *p, void *ctx)
{
	uint64_t now = *(uint64_t *)ctx;
	if (!p->alarm_at || p->alarm_at > now || p->state == TPS_ZOMBIE)
		return;
	p->alarm_at = p->alarm_interval ? after(now, p->alarm_interval) : 0;
	signal_send(p, L_SIGALRM);      /* may end the current process: then this never returns */
}

void ptimer_tick(uint64_t now)
{
	if (now < next_due)
		return;
	proc_for_each(expire, &now);
	recompute();
}
