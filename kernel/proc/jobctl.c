/* Job control (see jobctl.h): process groups and sessions, signals to groups, stopping and
 * continuing, orphaned groups. Groups and sessions are found by a walk over the process
 * table (a few hundred entries at most on this system), so no list needs keeping. */
#include "kernel/proc/jobctl.h"
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/dev/device.h"
#include "kernel/ipc/fnid.h"
#include "kernel/proc/ctty.h"
#include "kernel/proc/signal.h"
#include "kernel/proc/thread.h"

#define L_SA_NOCLDSTOP 1ul
#define STOP_SIGS (SIG_BIT(L_SIGSTOP) | SIG_BIT(L_SIGTSTP) | SIG_BIT(L_SIGTTIN) | \
		   SIG_BIT(L_SIGTTOU))

void jobctl_init_child(struct proc *p, const struct proc *parent)
{
	p->pgid = parent ? parent->pgid : p->pid;
	p->sid = parent ? parent->sid : p->pid;
	p->ctty = parent ? parent->ctty : false;
}

void jobctl_init_arrival(struct proc *p)
{
	struct proc *init = proc_by_pid(1);
	p->pgid = p->pid;
	p->sid = init ? init->sid : p->pid;
	p->ctty = false;
}

/* ---- looking at groups -------------------------------------------------------------------- */

struct group_scan {
	int pgid, sid;
	int members;         /* processes of the group (zombies included, as Linux's pid links) */
	bool stopped;        /* a live member is stopped */
	bool linked;         /* a live member has a parent in another group of its session */
};

static void scan_one(struct proc *p, void *ctx)
{
	struct group_scan *g = ctx;
	if (p->pgid != g->pgid || (g->sid > 0 && p->sid != g->sid))
		return;
	g->members++;
	if (p->state == TPS_ZOMBIE)
		return;
	g->stopped |= p->stopped;
	/* init adopts orphans: a child of init is not a link (Linux's is_global_init rule) */
	struct proc *parent = p->ppid > 1 ? proc_by_pid(p->ppid) : NULL;
	if (parent && parent->pgid != p->pgid && parent->sid == p->sid)
		g->linked = true;
}

static struct group_scan scan_group(int pgid, int sid)
{
	struct group_scan g = { .pgid = pgid, .sid = sid };
	if (pgid > 0)
		proc_for_each(scan_one, &g);
	return g;
}

bool jobctl_group_exists(int pgid, int sid)
{
	return scan_group(pgid, sid).members > 0;
}

static void id_scan(struct proc *p, void *ctx)
{
	int *id = ctx;
	if (*id && (p->pgid == *id || p->sid == *id))
		*id = 0;
}

bool jobctl_id_used(int id)
{
	proc_for_each(id_scan, &id);
	return id == 0;
}

bool jobctl_orphaned(int pgid)
{
	return !scan_group(pgid, 0).linked;
}

/* ---- setpgid, setsid ---------------------------------------------------------------------- */

int jobctl_setpgid(struct proc *self, int pid, int pgid)
{
	if (pgid < 0)
		return -EINVAL;
	if (!pid)
		pid = self->pid;
	if (!pgid)
		pgid = pid;
	struct proc *p = proc_by_pid(pid);
	if (!p)
		return pid > 0 && thread_by_tid(pid) ? -EINVAL : -ESRCH;
	if (p != self) {
		if (p->ppid != self->pid)
			return -ESRCH;
		if (p->sid != self->sid)
			return -EPERM;
		if (p->did_exec)
			return -EACCES;
	}
	if (p->sid == p->pid)
		return -EPERM;               /* a session leader stays where it is */
	if (pgid != pid && !jobctl_group_exists(pgid, self->sid))
		return -EPERM;
	p->pgid = pgid;
	return 0;
}

int jobctl_setsid(struct proc *self, int *sid_out)
{
	if (jobctl_group_exists(self->pid, 0))
		return -EPERM;               /* it leads a group, or one has its id */
	self->pgid = self->sid = self->pid;
	self->ctty = false;
	*sid_out = self->sid;
	return 0;
}

/* ---- signals to many processes ------------------------------------------------------------ */

bool jobctl_may_signal(const struct proc *self, const struct proc *p, int sig)
{
	/* Linux's rule on the ids (ident.h), and SIGCONT within a session */
	return ident_may_signal(self, p) || (sig == L_SIGCONT && self->sid == p->sid);
}

struct kill_walk {
	struct proc *self;
	int pgid;            /* > 0: that group; 0: every process but init and the caller */
	int sig;
	int found, sent;
	int err;             /* the last error (Linux returns it when nothing was sent) */
};

static void kill_one(struct proc *p, void *ctx)
{
	struct kill_walk *w = ctx;
	if (p == w->self || (w->pgid ? p->pgid != w->pgid : p->pid == 1))
		return;
	w->found++;
	if (p->state == TPS_ZOMBIE) {
		w->sent++;                   /* Linux: a zombie takes the signal and drops it */
		return;
	}
	int err = jobctl_may_signal(w->self, p, w->sig) ? signal_send(p, w->sig) : -EPERM;
	if (err && err != -ESRCH)
		w->err = err;
	else
		w->sent++;
}

int jobctl_kill_group(struct proc *self, int pgid, int sig)
{
	struct kill_walk w = { .self = self, .pgid = pgid, .sig = sig, .err = -ESRCH };
	if (pgid <= 0)
		return -ESRCH;
	proc_for_each(kill_one, &w);
	bool mine = self->pgid == pgid;
	if (mine)
		w.found++, w.sent++;
	if (!w.found)
		return -ESRCH;
	if (mine)
		signal_send(self, sig);      /* last: a default action ends the caller here */
	return w.sent ? 0 : w.err;
}

int jobctl_kill_all(struct proc *self, int sig)
{
	struct kill_walk w = { .self = self, .pgid = 0, .sig = sig };
	proc_for_each(kill_one, &w);
	if (!w.found)
		return -ESRCH;
	/* Linux counts a refused process as found and reports only other errors */
	return w.err == -EPERM ? 0 : w.err;
}

struct group_send {
	int pgid, sig;
	struct proc *self;
};

static void send_member(struct proc *p, void *ctx)
{
	struct group_send *g = ctx;
	/* a process running on another node is left alone: this may run in the console's
	 * interrupt, where nothing may be sent over the network */
	if (p->pgid == g->pgid && p != g->self && p->state != TPS_ZOMBIE &&
	    p->state != TPS_REMOTE)
		signal_send(p, g->sig);
}

void jobctl_signal_group(int pgid, int sig)
{
	struct group_send g = { pgid, sig, proc_cur() };
	if (pgid <= 0)
		return;
	proc_for_each(send_member, &g);
	if (g.self && g.self->pgid == pgid && g.self->state != TPS_ZOMBIE)
		signal_send(g.self, sig);
}

/* ---- stopping and continuing -------------------------------------------------------------- */

bool jobctl_unstoppable(const struct proc *p)
{
	return p->pid == 1 || fnid_serves_any(p->pid) || dev_claims_any(p->pid);
}

static void drop_pending(struct proc *p, uint64_t sigs)
{
	p->sig_pending &= ~sigs;
	THREAD_FOR_EACH(p, e)
		thread_of(e)->sig_pending &= ~sigs;
}

/* The parent learns of a stop or a continue: its wait wakes, and SIGCHLD comes unless its
 * handler was installed with SA_NOCLDSTOP. */
static void notify_parent(struct proc *p)
{
	struct proc *parent = proc_by_pid(p->ppid);
	if (!parent)
		return;
	wakeup(parent);
	if (!(parent->sig[L_SIGCHLD].flags & L_SA_NOCLDSTOP))
		signal_send(parent, L_SIGCHLD);
}

void jobctl_continue(struct proc *p)
{
	drop_pending(p, STOP_SIGS);
	if (!p->stopped)
		return;
	p->stopped = false;
	wakeup(&p->stopped);
	if (!p->stop_told)
		return;                      /* continued before the stop was whole: nothing told */
	p->stop_told = false;
	p->wait_report = JC_REPORT_CONTINUED;
	notify_parent(p);
}

void jobctl_stop_sent(struct proc *p)
{
	drop_pending(p, SIG_BIT(L_SIGCONT));
}

void jobctl_stop(struct proc *p, int sig)
{
	/* POSIX: the terminal's stop signals do not stop an orphaned group (nobody would
	 * continue it) */
	if (sig != L_SIGSTOP && jobctl_orphaned(p->pgid))
		return;
	if (jobctl_unstoppable(p))
		return;
	if (!p->stopped) {
		p->stopped = true;
		p->stop_sig = (uint8_t)sig;
		p->stop_told = false;
		thread_interrupt_all(p);     /* the others stop in their kernel exits */
	}
	jobctl_hold(p);
}

void jobctl_stop_check(struct proc *p)
{
	if (!p->stopped || p->stop_told || p->stop_held < p->nthreads)
		return;
	p->stop_told = true;
	p->wait_report = JC_REPORT_STOPPED;
	notify_parent(p);
}

void jobctl_hold(struct proc *p)
{
	if (!p->stopped || p->killed || thread_cur()->killed)
		return;
	p->stop_held++;
	jobctl_stop_check(p);            /* the last thread to get here completes the stop */
	while (p->stopped && !p->killed && !thread_cur()->killed)
		sleep_on(&p->stopped, 0);
	p->stop_held--;
}

/* ---- orphaned groups ----------------------------------------------------------------------- */

static void hup_if_orphaned(int pgid)
{
	struct group_scan g = scan_group(pgid, 0);
	if (g.members && g.stopped && !g.linked) {
		jobctl_signal_group(pgid, L_SIGHUP);
		jobctl_signal_group(pgid, L_SIGCONT);
	}
}

void jobctl_exit(struct proc *p, int parent_pgid, int parent_sid)
{
	if (parent_pgid && parent_pgid != p->pgid && parent_sid == p->sid)
		hup_if_orphaned(p->pgid);
	if (p->sid == p->pid)
		ctty_session_end(p);
}

void jobctl_reparented(const struct proc *father, const struct proc *c)
{
	if (c->pgid != father->pgid && c->sid == father->sid)
		hup_if_orphaned(c->pgid);
}
