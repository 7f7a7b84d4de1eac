/*
 * flock(2) locks. A lock belongs to an open file (struct file), as Linux's belong to the open
 * file description: dup'd descriptors and forked children share it, and it goes when the
 * last reference to the file does. Locks are kept in one list keyed by what the file is (its
 * plate; for a file without one, its variant's object); few files are ever locked at once,
 * so a list is enough. A change between shared and exclusive first lets go of the old lock,
 * as Linux's does, so a waiter may get in between.
 */
#include "kernel/fs/flock.h"
#include "abi/errno.h"
#include "kernel/fs/file.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/signal.h"

struct flock_entry {
	uint64_t key;
	const struct file *owner;
	int type;                      /* FLOCK_SH or FLOCK_EX */
	struct flock_entry *next;
};

static struct flock_entry *locks;
static const char flock_chan;          /* waiters sleep here; every unlock wakes them */

static uint64_t key_of(const struct file *f)
{
	return f->plate ? f->plate : (uint64_t)(uintptr_t)(f->priv ? f->priv : f) | 1;
}

static struct flock_entry **find_own(const struct file *f)
{
	struct flock_entry **pp = &locks;
	while (*pp && (*pp)->owner != f)
		pp = &(*pp)->next;
	return pp;
}

static bool conflicts(const struct file *f, uint64_t key, int type)
{
	for (struct flock_entry *e = locks; e; e = e->next)
		if (e->key == key && e->owner != f && (type == FLOCK_EX || e->type == FLOCK_EX))
			return true;
	return false;
}

/* Let go of f's lock, if it has one. */
static void unlock(const struct file *f)
{
	struct flock_entry **pp = find_own(f), *e = *pp;
	if (!e)
		return;
	*pp = e->next;
	kfree(e);
	wakeup(&flock_chan);
}

static int lock(struct file *f, int type, bool wait)
{
	uint64_t key = key_of(f);
	struct flock_entry *e = *find_own(f);
	if (e && e->type == type)
		return 0;
	if (e)
		unlock(f);                     /* a conversion is not atomic (Linux) */
	struct proc *cur = proc_cur();
	while (conflicts(f, key, type)) {
		if (!wait)
			return -EAGAIN;
		sleep_on(&flock_chan, 0);
		if (cur && proc_aborting(cur))
			return -ERESTARTSYS;
	}
	if (!(e = kzalloc(sizeof(*e))))
		return -ENOMEM;
	*e = (struct flock_entry){ key, f, type, locks };
	locks = e;
	return 0;
}

int flock_apply(struct file *f, int op)
{
	int kind = op & ~FLOCK_NB;
	if (kind == FLOCK_UN) {
		unlock(f);
		return 0;
	}
	if (kind != FLOCK_SH && kind != FLOCK_EX)
		return -EINVAL;
	return lock(f, kind, !(op & FLOCK_NB));
}

void flock_release(struct file *f)
{
	unlock(f);
}
