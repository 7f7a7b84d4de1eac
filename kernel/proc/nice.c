/* Nice values (see nice.h). Every process is its own process group here (getpgid returns its
 * pid), so PRIO_PGRP names one process as PRIO_PROCESS does. */
#include "kernel/proc/nice.h"
#include "abi/errno.h"

struct walk {
	uint32_t uid;
	int nice;                /* the value to set, or the lowest found */
	struct proc *self;
	int found, err;
	bool set;
};

static int may_set(const struct proc *p, int nice, const struct proc *self)
{
	if (self->cred.uid == 0)
		return 0;
	if (p->cred.uid != self->cred.uid)
		return -EPERM;
	return nice < p->nice ? -EACCES : 0;
}

static void visit(struct walk *w, struct proc *p)
{
	if (p->state == TPS_ZOMBIE)
		return;
	w->found++;
	if (!w->set) {
		w->nice = w->found == 1 || p->nice < w->nice ? p->nice : w->nice;
		return;
	}
	int err = may_set(p, w->nice, w->self);
	if (!w->err)
		w->err = err;
}

static void visit_user(struct proc *p, void *ctx)
{
	struct walk *w = ctx;
	if (p->cred.uid == w->uid)
		visit(w, p);
}

static void apply_user(struct proc *p, void *ctx)
{
	struct walk *w = ctx;
	if (p->cred.uid == w->uid && p->state != TPS_ZOMBIE)
		p->nice = w->nice;
}

/* Looks at the processes named (checking a change first when w->set); 0 or an error. */
static int walk(int which, uint32_t who, struct walk *w, struct proc **one)
{
	*one = NULL;
	if (which == L_PRIO_PROCESS || which == L_PRIO_PGRP) {
		struct proc *p = who ? (who <= INT32_MAX ? proc_by_pid((int)who) : NULL) : w->self;
		if (p)
			visit(w, p);
		*one = p;
	} else if (which == L_PRIO_USER) {
		w->uid = who ? who : w->self->cred.uid;
		proc_for_each(visit_user, w);
	} else {
		return -EINVAL;
	}
	return !w->found ? -ESRCH : w->err;
}

long nice_get(int which, uint32_t who, struct proc *self)
{
	struct walk w = { .self = self };
	struct proc *one;
	int err = walk(which, who, &w, &one);
	return err ? err : 20 - w.nice;
}

long nice_set(int which, uint32_t who, int nice, struct proc *self)
{
	nice = nice < NICE_MIN ? NICE_MIN : nice > NICE_MAX ? NICE_MAX : nice;
	struct walk w = { .self = self, .nice = nice, .set = true };
	struct proc *one;
	int err = walk(which, who, &w, &one);
	if (err)
		return err;
	if (one)
		one->nice = nice;
	else
		proc_for_each(apply_user, &w);
	return 0;
}
