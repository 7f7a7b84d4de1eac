/* select (23) and pselect6 (270) for every kind of descriptor, as poll(2) with bitmaps: each
 * descriptor set in a map becomes a pollfd (read: POLLIN, write: POLLOUT, except: POLLPRI)
 * and fsp_poll waits; a descriptor counts as readable with POLLIN, POLLHUP or POLLERR, as
 * writable with POLLOUT or POLLERR (Linux's sets). */
#include "abi/errno.h"
#include "kernel/mm/kmalloc.h"
#include "abi/linux.h"
#include "kernel/fs/file.h"
#include "kernel/fs/fsproc.h"
#include "kernel/lib/string.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/signal.h"
#include "kernel/sys/syscall.h"
#include "kernel/sys/sysarg.h"
#include "arch/timer.h"

#define SEL_MAX 1024                 /* FD_SETSIZE */
#define SEL_WORDS (SEL_MAX / 64)

struct fdsets {
	uint64_t map[3][SEL_WORDS];      /* read, write, except */
	uint64_t user[3];                /* where they came from (0: none) */
	size_t bytes;                    /* copied per map: whole longs, as Linux */
};

static const int16_t sel_events[3] = { L_POLLIN, L_POLLOUT, L_POLLPRI };
static const int16_t sel_ready[3] = { L_POLLIN | L_POLLHUP | L_POLLERR, L_POLLOUT | L_POLLERR,
				      L_POLLPRI };

static bool bit(const uint64_t *m, int fd)
{
	return (m[fd / 64] >> (fd % 64)) & 1;
}

static int get_sets(struct fdsets *s, int nfds, const uint64_t *umaps)
{
	memset(s, 0, sizeof(*s));
	s->bytes = (size_t)(nfds + 63) / 64 * 8;
	for (int k = 0; k < 3; k++) {
		s->user[k] = umaps[k];
		if (umaps[k] && copy_from_user(s->map[k], (const void *)umaps[k], s->bytes))
			return -EFAULT;
		if (umaps[k] && sysarg_out(umaps[k], s->bytes))
			return -EFAULT;
	}
	return 0;
}

/* The pollfds of the sets (room for SEL_MAX): -EBADF for a descriptor that is not open. */
static int to_pollfds(struct proc *p, const struct fdsets *s, int nfds,
		      struct linux_pollfd *fds, unsigned *n)
{
	struct file *f;
	*n = 0;
	for (int fd = 0; fd < nfds; fd++) {
		int16_t ev = 0;
		for (int k = 0; k < 3; k++)
			ev |= bit(s->map[k], fd) ? sel_events[k] : 0;
		if (!ev)
			continue;
		if (fd_get(&p->fds, fd, &f))
			return -EBADF;
		fds[*n] = (struct linux_pollfd){ .fd = fd, .events = ev };
		(*n)++;
	}
	return 0;
}

/* The sets rewritten with what is ready; returns how many bits are set. */
static int from_pollfds(struct fdsets *s, const struct linux_pollfd *fds, unsigned n)
{
	int count = 0;
	memset(s->map, 0, sizeof(s->map));
	for (unsigned i = 0; i < n; i++) {
		for (int k = 0; k < 3; k++) {
			if ((fds[i].events & sel_events[k]) && (fds[i].revents & sel_ready[k])) {
				s->map[k][fds[i].fd / 64] |= 1ull << (fds[i].fd % 64);
				count++;
			}
		}
	}
	for (int k = 0; k < 3; k++)
		if (s->user[k] && copy_to_user((void *)s->user[k], s->map[k], s->bytes))
			return -EFAULT;
	return count;
}

static long do_select(int64_t nfds, const uint64_t *umaps, int64_t timeout_ns)
{
	struct fdsets s;
	struct proc *p = proc_cur();
	unsigned n;
	if (nfds < 0)
		return -EINVAL;
	if (nfds > SEL_MAX)
		nfds = SEL_MAX;
	long r = get_sets(&s, (int)nfds, umaps);
	if (r)
		return r;
	struct linux_pollfd *fds = kbig_alloc(SEL_MAX * sizeof(*fds));
	if (!fds)
		return -ENOMEM;
	r = to_pollfds(p, &s, (int)nfds, fds, &n);
	if (!r)
		r = fsp_poll(p, fds, n, timeout_ns);
	if (r >= 0)
		r = from_pollfds(&s, fds, n);
	kbig_free(fds, SEL_MAX * sizeof(*fds));
	return r;
}

long sys_select(const struct sysargs *a)
{
	struct linux_timeval tv;
	int64_t ns = -1;
	uint64_t start = time_ns();
	if (a->a[4]) {
		if (copy_from_user(&tv, (const void *)a->a[4], sizeof(tv)))
			return -EFAULT;
		if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec >= 1000000)
			return -EINVAL;
		ns = tv.tv_sec > INT64_MAX / 1000000000 - 1 ? INT64_MAX
							    : tv.tv_sec * 1000000000 + tv.tv_usec * 1000;
	}
	long r = do_select((int64_t)(int32_t)a->a[0], &a->a[1], ns);
	if (a->a[4] && r >= 0) {             /* Linux leaves the time that was left */
		uint64_t used = time_ns() - start;
		int64_t left = (uint64_t)ns > used ? ns - (int64_t)used : 0;
		tv = (struct linux_timeval){ left / 1000000000, left % 1000000000 / 1000 };
		copy_to_user((void *)a->a[4], &tv, sizeof(tv));
	}
	return r;
}

long sys_pselect6(const struct sysargs *a)
{
	struct linux_timespec ts;
	struct { uint64_t set, size; } sig = { 0, 0 };
	uint64_t mask;
	int64_t ns = -1;
	if (a->a[4]) {
		if (copy_from_user(&ts, (const void *)a->a[4], sizeof(ts)))
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
			return -EINVAL;
		ns = ts.tv_sec > INT64_MAX / 1000000000 - 1 ? INT64_MAX
							    : ts.tv_sec * 1000000000 + ts.tv_nsec;
	}
	if (a->a[5] && copy_from_user(&sig, (const void *)a->a[5], sizeof(sig)))
		return -EFAULT;
	if (sig.set && sig.size != 8)
		return -EINVAL;
	if (sig.set && copy_from_user(&mask, (const void *)sig.set, 8))
		return -EFAULT;
	uint64_t maps[3] = { a->a[1], a->a[2], a->a[3] };
	if (sig.set)                         /* as ppoll: the mask holds for the wait */
		signal_mask_for_call(proc_cur(), mask);
	return do_select((int64_t)(int32_t)a->a[0], maps, ns);
}
