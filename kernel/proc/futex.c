/* Futexes (see futex.h): keys, the hashed lists of waiters, wait, wake, requeue, wake-op.
 * On one processor with interrupts off in the kernel, reading a word and queueing its waiter
 * (or changing it and waking) is atomic without locks. */
#include "kernel/proc/futex.h"
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/mm/uaccess.h"
#include "kernel/mm/vattach.h"
#include "kernel/mm/vregion.h"
#include "kernel/mm/vspace.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/signal.h"
#include "arch/timer.h"

#define FUTEX_BUCKETS 256

/* (space, address) or (region, offset): see futex.h. */
struct fkey {
	rid_t owner;
	uint64_t where;
};

/* One waiting thread, on its own kernel stack for as long as its futex call lasts. */
struct fwaiter {
	struct fkey key;
	uint32_t bitset;
	bool woken;
	struct fwaiter *next, *prev;
};

struct fbucket {
	struct fwaiter *head, *tail;
};

static struct fbucket buckets[FUTEX_BUCKETS];

static struct fbucket *bucket_of(const struct fkey *k)
{
	uint64_t h = k->owner * 0x9e3779b97f4a7c15ull ^ (k->where >> 2) * 0xff51afd7ed558ccdull;
	return &buckets[(h >> 40) % FUTEX_BUCKETS];
}

static bool key_eq(const struct fkey *a, const struct fkey *b)
{
	return a->owner == b->owner && a->where == b->where;
}

/* The key of the word at uaddr for the current process. A private futex names the space's
 * address without looking at the memory (as Linux: a wake of an unmapped private word wakes
 * nobody); a shared one must be mapped there, and a region shared by design is keyed by
 * itself, so every space it is attached in finds the same waiters. */
static int make_key(uint64_t uaddr, bool private_, struct fkey *k)
{
	struct proc *p = proc_cur();
	if (uaddr & 3)
		return -EINVAL;
	if (!user_range_ok(uaddr, sizeof(uint32_t)))
		return -EFAULT;
	*k = (struct fkey){ p->vspace, uaddr };
	if (private_)
		return 0;
	rid_t att = vspace_find_att(p->vspace, uaddr);
	if (!att || !vattach_user(att))
		return -EFAULT;
	rid_t region = vattach_region(att);
	if (vregion_home(region))
		*k = (struct fkey){ region, uaddr - vattach_addr(att) };
	return 0;
}

static void enqueue(struct fbucket *b, struct fwaiter *w)
{
	w->next = NULL;
	w->prev = b->tail;
	if (b->tail)
		b->tail->next = w;
	else
		b->head = w;
	b->tail = w;
}

static void dequeue(struct fbucket *b, struct fwaiter *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		b->head = w->next;
	if (w->next)
		w->next->prev = w->prev;
	else
		b->tail = w->prev;
	w->next = w->prev = NULL;
}

static void wake_one(struct fbucket *b, struct fwaiter *w)
{
	dequeue(b, w);
	w->woken = true;
	wakeup(w);
}

int futex_wait(uint64_t uaddr, bool private_, uint32_t val, uint64_t deadline, uint32_t bitset)
{
	struct fwaiter w = { .bitset = bitset };
	struct proc *p = proc_cur();
	uint32_t now;
	int err = make_key(uaddr, private_, &w.key);
	if (err)
		return err;
	if (copy_from_user(&now, (const void *)uaddr, sizeof(now)))
		return -EFAULT;
	if (now != val)
		return -EAGAIN;
	struct fbucket *b = bucket_of(&w.key);
	enqueue(b, &w);
	for (;;) {
		if (w.woken)
			return 0;
		if (proc_aborting(p)) {
			/* a timed wait is not run again after a handler (Linux's restart block) */
			err = deadline ? -ERESTARTNOHAND : -ERESTARTSYS;
			break;
		}
		if (deadline && time_ns() >= deadline) {
			err = -ETIMEDOUT;
			break;
		}
		sleep_on(&w, deadline);
		/* a requeue may have moved it to another list meanwhile */
		b = bucket_of(&w.key);
	}
	dequeue(b, &w);
	return err;
}

/* Wake up to nr (at least one) waiters of k whose bitset meets bitset. */
static long wake_key(const struct fkey *k, int nr, uint32_t bitset)
{
	struct fbucket *b = bucket_of(k);
	long n = 0;
	for (struct fwaiter *w = b->head, *next; w; w = next) {
		next = w->next;
		if (!key_eq(&w->key, k) || !(w->bitset & bitset))
			continue;
		wake_one(b, w);
		if (++n >= nr)
			break;
	}
	return n;
}

long futex_wake(uint64_t uaddr, bool private_, int nr, uint32_t bitset)
{
	struct fkey k;
	int err = make_key(uaddr, private_, &k);
	return err ? err : wake_key(&k, nr, bitset);
}

/* w moves from k1's list to k2's (a waiter on the same list keeps its place, so the walk in
 * futex_requeue never meets it again). */
static void move_waiter(struct fbucket *b1, struct fwaiter *w, const struct fkey *k2)
{
	struct fbucket *b2 = bucket_of(k2);
	w->key = *k2;
	if (b2 != b1) {
		dequeue(b1, w);
		enqueue(b2, w);
	}
}

long futex_requeue(uint64_t uaddr, bool private_, int nr_wake, int nr_requeue, uint64_t uaddr2,
		   const uint32_t *cmp)
{
	struct fkey k1, k2;
	uint32_t v;
	int err = make_key(uaddr, private_, &k1);
	if (err || (err = make_key(uaddr2, private_, &k2)))
		return err;
	if (cmp && copy_from_user(&v, (const void *)uaddr, sizeof(v)))
		return -EFAULT;
	if (cmp && v != *cmp)
		return -EAGAIN;
	struct fbucket *b = bucket_of(&k1);
	long woken = 0, moved = 0;
	for (struct fwaiter *w = b->head, *next; w; w = next) {
		next = w->next;
		if (!key_eq(&w->key, &k1))
			continue;
		if (woken < nr_wake) {
			wake_one(b, w);
			woken++;
		} else if (moved < nr_requeue) {
			move_waiter(b, w, &k2);
			moved++;
		} else {
			break;
		}
	}
	return woken + moved;
}

/* FUTEX_WAKE_OP's operation on old (op: 0 set, 1 add, 2 or, 3 and-not, 4 xor; bit 3: the
 * argument is a shift count) and comparison (0 ==, 1 !=, 2 <, 3 <=, 4 >, 5 >=, signed). */
static bool wake_op_valid(uint32_t op)
{
	return (op >> 28 & 7) <= 4 && (op >> 24 & 15) <= 5;
}

static uint32_t wake_op_apply(uint32_t op, uint32_t old)
{
	int32_t arg = (int32_t)(op << 8) >> 20;            /* 12 bits, sign-extended */
	if (op >> 28 & 8)
		arg = (int32_t)(1u << (arg & 31));
	switch (op >> 28 & 7) {
	case 0: return (uint32_t)arg;
	case 1: return old + (uint32_t)arg;
	case 2: return old | (uint32_t)arg;
	case 3: return old & ~(uint32_t)arg;
	default: return old ^ (uint32_t)arg;
	}
}

static bool wake_op_cmp(uint32_t op, uint32_t old)
{
	int32_t o = (int32_t)old, arg = (int32_t)(op << 20) >> 20;
	switch (op >> 24 & 15) {
	case 0: return o == arg;
	case 1: return o != arg;
	case 2: return o < arg;
	case 3: return o <= arg;
	case 4: return o > arg;
	default: return o >= arg;
	}
}

long futex_wake_op(uint64_t uaddr, bool private_, int nr, uint64_t uaddr2, int nr2, uint32_t op)
{
	struct fkey k1, k2;
	uint32_t old, nv;
	int err = make_key(uaddr, private_, &k1);
	if (err || (err = make_key(uaddr2, private_, &k2)))
		return err;
	if (!wake_op_valid(op))
		return -ENOSYS;
	if (copy_from_user(&old, (const void *)uaddr2, sizeof(old)))
		return -EFAULT;
	nv = wake_op_apply(op, old);
	if (copy_to_user((void *)uaddr2, &nv, sizeof(nv)))
		return -EFAULT;
	long n = wake_key(&k1, nr, FUTEX_BITSET_ANY);
	if (wake_op_cmp(op, old))
		n += wake_key(&k2, nr2, FUTEX_BITSET_ANY);
	return n;
}
