/*
 * fcntl(2) record locks (see reclock.h), with Linux's rules: a new lock of an owner replaces
 * whatever that owner held in its range (splitting a longer lock of the other type in two)
 * and merges with the owner's locks of the same type that touch it; a request conflicts with
 * another owner's lock that overlaps it when either is a write lock. Locks are kept in one
 * list keyed by what the file is (its plate, as flock.c does); their number is bounded
 * (RECLOCK_MAX), and a change allocates what it needs before it changes anything, so a
 * refused one (-ENOLCK) leaves the locks as they were.
 *
 * A blocked F_SETLKW records which process it waits for; following those records from the
 * holder back to the caller is Linux's deadlock detection (-EDEADLK), for POSIX locks only.
 */
#include "kernel/fs/reclock.h"
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/fs/file.h"
#include "kernel/fs/plate.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/signal.h"

#define OFFSET_MAX INT64_MAX           /* "to the end of the file, and beyond" */
#define DEADLOCK_DEPTH 10              /* Linux's MAX_DEADLK_ITERATIONS */

struct reclock {
	uint64_t key;
	int pid;                       /* a POSIX lock's process; 0 for an OFD lock */
	const struct file *ofd;        /* an OFD lock's open file; NULL for a POSIX lock */
	int type;                      /* L_F_RDLCK or L_F_WRLCK */
	int64_t start, end;            /* bytes start..end, both included */
	struct reclock *next;
};

/* Who asks (or holds): a process or an open file. */
struct owner {
	int pid;
	const struct file *ofd;
};

/* A process blocked in F_SETLKW, and the process it waits for (0: an open file). */
struct waiter {
	int pid, blocker;
	struct waiter *next;
};

static struct reclock *locks;
static uint32_t nlocks;
static struct waiter *waiters;
static const char reclock_chan;        /* waiters sleep here; every release wakes them */

uint32_t reclock_count(void)
{
	return nlocks;
}

static uint64_t key_of(const struct file *f)
{
	return f->plate ? f->plate : (uint64_t)(uintptr_t)(f->priv ? f->priv : f) | 1;
}

static bool owned_by(const struct reclock *l, struct owner o)
{
	return o.ofd ? l->ofd == o.ofd : !l->ofd && l->pid == o.pid;
}

static bool overlaps(const struct reclock *l, int64_t start, int64_t end)
{
	return l->start <= end && start <= l->end;
}

/* The lock of another owner that keeps o from taking type over start..end: the one that
 * starts first (F_GETLK reports it; Linux keeps an owner's locks in that order). */
static struct reclock *conflict(uint64_t key, struct owner o, int type, int64_t start,
				int64_t end)
{
	struct reclock *first = NULL;
	for (struct reclock *l = locks; l; l = l->next)
		if (l->key == key && !owned_by(l, o) && overlaps(l, start, end) &&
		    (type == L_F_WRLCK || l->type == L_F_WRLCK) && (!first || l->start < first->start))
			first = l;
	return first;
}

/* Whether process pid waiting for process holder closes a circle of waits. */
static bool deadlock(int pid, int holder)
{
	for (int i = 0; i < DEADLOCK_DEPTH && holder; i++) {
		if (holder == pid)
			return true;
		struct waiter *w = waiters;
		while (w && w->pid != holder)
			w = w->next;
		holder = w ? w->blocker : 0;
	}
	return false;
}

static void unlink_lock(struct reclock **pp)
{
	struct reclock *l = *pp;
	*pp = l->next;
	kfree(l);
	nlocks--;
}

/* Waits until nothing conflicts with the request (or answers why not). */
static int wait_turn(uint64_t key, struct owner o, int type, int64_t start, int64_t end,
		     bool wait)
{
	struct proc *cur = proc_cur();
	struct reclock *c;
	while ((c = conflict(key, o, type, start, end))) {
		if (!wait)
			return -EAGAIN;
		if (!o.ofd && !c->ofd && deadlock(o.pid, c->pid))
			return -EDEADLK;
		struct waiter w = { o.pid, c->ofd ? 0 : c->pid, waiters }, **pp = &waiters;
		waiters = o.ofd ? waiters : &w;
		sleep_on(&reclock_chan, 0);
		while (*pp && *pp != &w)
			pp = &(*pp)->next;
		if (*pp)
			*pp = w.next;
		if (cur && proc_aborting(cur))
			return -ERESTARTSYS;
	}
	return 0;
}

/* What giving up start..end does to o's locks: whether one reaches over both ends (its
 * middle goes: two pieces, one more lock), and how many lie inside it (they go). */
static bool needs_split(uint64_t key, struct owner o, int64_t start, int64_t end,
			uint32_t *inside)
{
	bool split = false;
	*inside = 0;
	for (struct reclock *l = locks; l; l = l->next) {
		if (l->key != key || !owned_by(l, o))
			continue;
		split |= l->start < start && l->end > end;
		*inside += l->start >= start && l->end <= end;
	}
	return split;
}

/* Whether o already holds a lock of type over all of start..end (nothing to change). */
static bool held(uint64_t key, struct owner o, int type, int64_t start, int64_t end)
{
	for (struct reclock *l = locks; l; l = l->next)
		if (l->key == key && owned_by(l, o) && l->type == type && l->start <= start &&
		    l->end >= end)
			return true;
	return false;
}

/* o's locks give up start..end: trimmed, split (into spare), or removed. */
static void carve(uint64_t key, struct owner o, int64_t start, int64_t end,
		  struct reclock **spare)
{
	for (struct reclock **pp = &locks; *pp;) {
		struct reclock *l = *pp;
		if (l->key != key || !owned_by(l, o) || !overlaps(l, start, end)) {
			pp = &l->next;
			continue;
		}
		if (l->start < start && l->end > end) {
			struct reclock *r = *spare;
			*spare = NULL;
			*r = *l;
			r->start = end + 1;
			l->end = start - 1;
			l->next = r;
			nlocks++;
			pp = &r->next;
		} else if (l->start < start) {
			l->end = start - 1;
			pp = &l->next;
		} else if (l->end > end) {
			l->start = end + 1;
			pp = &l->next;
		} else {
			unlink_lock(pp);
		}
	}
}

/* n (o's new lock) takes in o's locks of its type that touch it, and joins the list. */
static void merge_insert(struct reclock *n, struct owner o)
{
	for (struct reclock **pp = &locks; *pp;) {
		struct reclock *l = *pp;
		bool before = l->end != OFFSET_MAX && l->end + 1 == n->start;
		bool after = n->end != OFFSET_MAX && n->end + 1 == l->start;
		if (l->key == n->key && owned_by(l, o) && l->type == n->type && (before || after)) {
			n->start = before ? l->start : n->start;
			n->end = after ? l->end : n->end;
			unlink_lock(pp);
			continue;
		}
		pp = &l->next;
	}
	n->next = locks;
	locks = n;
	nlocks++;
}

/* Sets (or with L_F_UNLCK removes) o's lock of type over start..end once nothing conflicts. */
static int set_lock(uint64_t key, struct owner o, int type, int64_t start, int64_t end,
		    bool wait)
{
	struct reclock *n = NULL, *spare = NULL;
	int err = type == L_F_UNLCK ? 0 : wait_turn(key, o, type, start, end, wait);
	if (err || held(key, o, type, start, end))
		return err;
	uint32_t inside;
	bool split = needs_split(key, o, start, end, &inside);
	uint32_t need = (type != L_F_UNLCK) + split;
	if (nlocks - inside + need > RECLOCK_MAX ||
	    (type != L_F_UNLCK && !(n = kzalloc(sizeof(*n)))) ||
	    (split && !(spare = kzalloc(sizeof(*spare))))) {
		kfree(n);
		return -ENOLCK;
	}
	carve(key, o, start, end, &spare);
	kfree(spare);                  /* not needed after all: nothing to split */
	if (n) {
		*n = (struct reclock){ key, o.pid, o.ofd, type, start, end, NULL };
		merge_insert(n, o);
	}
	wakeup(&reclock_chan);
	return 0;
}

/* The byte range fl names on f, as start..end (end OFFSET_MAX: to the end and beyond). */
static int range_of(const struct file *f, const struct linux_flock *fl, int64_t *start,
		    int64_t *end)
{
	int64_t base;
	if (fl->l_whence == L_SEEK_SET)
		base = 0;
	else if (fl->l_whence == L_SEEK_CUR)
		base = (int64_t)f->off;
	else if (fl->l_whence == L_SEEK_END)
		base = f->plate ? (int64_t)plate_size(f->plate) : 0;
	else
		return -EINVAL;
	if (__builtin_add_overflow(base, fl->l_start, start))
		return -EOVERFLOW;
	if (*start < 0)
		return -EINVAL;
	if (fl->l_len > 0) {
		if (fl->l_len - 1 > OFFSET_MAX - *start)
			return -EOVERFLOW;
		*end = *start + fl->l_len - 1;
	} else if (fl->l_len < 0) {
		*end = *start - 1;
		if (fl->l_len < -*start)
			return -EINVAL;        /* it would begin before offset 0 */
		*start += fl->l_len;
	} else {
		*end = OFFSET_MAX;
	}
	return 0;
}

/* F_GETLK: the first lock that would keep the request out, or F_UNLCK in fl->l_type. */
static void get_lock(uint64_t key, struct owner o, int64_t start, int64_t end,
		     struct linux_flock *fl)
{
	struct reclock *c = conflict(key, o, fl->l_type, start, end);
	if (!c) {
		fl->l_type = L_F_UNLCK;
		return;
	}
	fl->l_type = (int16_t)c->type;
	fl->l_whence = L_SEEK_SET;
	fl->l_start = c->start;
	fl->l_len = c->end == OFFSET_MAX ? 0 : c->end - c->start + 1;
	fl->l_pid = c->ofd ? -1 : c->pid;
}

bool reclock_is_cmd(int cmd)
{
	return (cmd >= L_F_GETLK && cmd <= L_F_SETLKW) ||
	       (cmd >= L_F_OFD_GETLK && cmd <= L_F_OFD_SETLKW);
}

int reclock_fcntl(struct file *f, int pid, int cmd, struct linux_flock *fl)
{
	bool ofd = cmd >= L_F_OFD_GETLK;
	bool get = cmd == L_F_GETLK || cmd == L_F_OFD_GETLK;
	struct owner o = { ofd ? 0 : pid, ofd ? f : NULL };
	int64_t start, end;
	int acc = f->flags & L_O_ACCMODE, type = fl->l_type;
	if (!reclock_is_cmd(cmd) || (ofd && fl->l_pid != 0))
		return -EINVAL;
	if (type != L_F_RDLCK && type != L_F_WRLCK && (type != L_F_UNLCK || get))
		return -EINVAL;
	int err = range_of(f, fl, &start, &end);
	if (err)
		return err;
	if (get) {
		get_lock(key_of(f), o, start, end, fl);
		return 0;
	}
	if ((type == L_F_RDLCK && acc == L_O_WRONLY) || (type == L_F_WRLCK && acc == L_O_RDONLY))
		return -EBADF;
	bool wait = cmd == L_F_SETLKW || cmd == L_F_OFD_SETLKW;
	return set_lock(key_of(f), o, type, start, end, wait);
}

#define ANY_KEY 0                   /* drop_all: on every file (a key is never 0) */

/* Removes every lock of o on key (or on every file: ANY_KEY). */
static void drop_all(uint64_t key, struct owner o)
{
	bool any = false;
	for (struct reclock **pp = &locks; *pp;) {
		if ((key == ANY_KEY || (*pp)->key == key) && owned_by(*pp, o)) {
			unlink_lock(pp);
			any = true;
		} else {
			pp = &(*pp)->next;
		}
	}
	if (any)
		wakeup(&reclock_chan);
}

void reclock_close(struct file *f, int pid)
{
	if (nlocks && pid)
		drop_all(key_of(f), (struct owner){ pid, NULL });
}

void reclock_release(struct file *f)
{
	if (nlocks)
		drop_all(key_of(f), (struct owner){ 0, f });
}

void reclock_exit(int pid)
{
	if (nlocks && pid)
		drop_all(ANY_KEY, (struct owner){ pid, NULL });
}
