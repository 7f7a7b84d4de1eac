/* Waiting for children (see proc.h): wait4, waitid and Tessera's t_proc_wait. A child's
 * end (a zombie), its stop and its continue (jobctl.h) are reported with Linux's encodings.
 * A process's children are a list with its zombies in front, so an exit is found first. */
#include "abi/errno.h"
#include "kernel/lib/string.h"
#include "kernel/proc/cputime.h"
#include "kernel/proc/jobctl.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/signal.h"

#define CLD_EXITED 1
#define CLD_KILLED 2
#define CLD_DUMPED 3
#define CLD_STOPPED 5
#define CLD_CONTINUED 6

static bool matches(const struct wait_sel *w, const struct proc *c)
{
	if (w->pid > 0)
		return c->pid == w->pid;
	return w->pgid <= 0 || c->pgid == w->pgid;
}

static void exit_result(const struct proc *c, struct wait_res *r)
{
	int st = c->exit_status;
	r->status = st;
	if ((st & 0x7f) == 0) {
		r->code = CLD_EXITED;
		r->si_status = (st >> 8) & 0xff;
	} else {
		r->code = st & 0x80 ? CLD_DUMPED : CLD_KILLED;
		r->si_status = st & 0x7f;
	}
}

/* What c has to report to a wait with w's flags: fills r, true if something. */
static bool report(const struct wait_sel *w, struct proc *c, struct wait_res *r)
{
	memset(&r->usage, 0, sizeof(r->usage));
	if (c->state == TPS_ZOMBIE) {
		if (!(w->flags & PW_EXITED))
			return false;
		exit_result(c, r);
		cputime_total(c, &r->usage);
	} else if ((w->flags & PW_STOPPED) && c->stopped &&
		   c->wait_report == JC_REPORT_STOPPED) {
		r->status = (c->stop_sig << 8) | 0x7f;
		r->code = CLD_STOPPED;
		r->si_status = c->stop_sig;
	} else if ((w->flags & PW_CONTINUED) && c->wait_report == JC_REPORT_CONTINUED) {
		r->status = 0xffff;
		r->code = CLD_CONTINUED;
		r->si_status = L_SIGCONT;
	} else {
		return false;
	}
	r->pid = c->pid;
	r->uid = c->cred.uid;
	return true;
}

/* One look at self's children: the pid reported, 0 if a matching child has nothing yet,
 * -ECHILD if none matches. */
static int look(struct proc *self, const struct wait_sel *w, struct wait_res *r)
{
	bool any = false;
	for (rid_t cr = self->child_first; cr;) {
		struct proc *c = proc_get(cr);
		cr = c->sib_next;
		if (!matches(w, c))
			continue;
		any = true;
		if (!report(w, c, r))
			continue;
		if (w->flags & PW_NOWAIT)
			return r->pid;
		if (c->state == TPS_ZOMBIE)
			proc_reap(c);
		else
			c->wait_report = JC_REPORT_NONE;
		return r->pid;
	}
	return any ? 0 : -ECHILD;
}

int proc_wait_sel(const struct wait_sel *w, struct wait_res *r)
{
	struct proc *self = proc_cur();
	for (;;) {
		int got = look(self, w, r);
		if (got)
			return got;
		if (w->flags & TW_NOHANG)
			return 0;
		sleep_on(self, 0);
		if (proc_aborting(self))
			return -ERESTARTSYS;
	}
}

int proc_wait(int pid, int *status_word, int flags, struct cputime *usage)
{
	struct wait_sel w = { .pid = pid > 0 ? pid : 0, .flags = flags | PW_EXITED };
	struct wait_res r;
	int got = proc_wait_sel(&w, &r);
	if (got > 0 && status_word)
		*status_word = r.status;
	if (got > 0 && usage)
		*usage = r.usage;
	return got;
}
