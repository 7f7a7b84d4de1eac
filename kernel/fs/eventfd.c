/* eventfd: an open file whose 8-byte reads take the counter (all of it, or 1 in semaphore
 * mode) and whose 8-byte writes add to it, as Linux's. A read of a zero counter waits (or
 * EAGAIN), a write that would pass 0xfffffffffffffffe waits for room (or EAGAIN); poll says
 * readable while the counter is not zero, writable while 1 more fits. */
#include "kernel/fs/eventfd.h"
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/fs/file.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/signal.h"

#define EVENTFD_MAX 0xfffffffffffffffeull

struct eventfd {
	uint64_t count;
	bool semaphore;
};

static void changed(struct eventfd *e)
{
	wakeup(e);
	file_poll_wakeup();
}

/* Sleep until the counter changes; -ERESTARTSYS for a signal (pipe.c's rule). */
static int wait_change(struct eventfd *e)
{
	sleep_on(e, 0);
	struct proc *cur = proc_cur();
	return cur && proc_aborting(cur) ? -ERESTARTSYS : 0;
}

static long efd_read(struct file *f, void *ubuf, size_t n)
{
	struct eventfd *e = f->priv;
	if (n < sizeof(uint64_t))
		return -EINVAL;
	if (!user_range_ok((uint64_t)ubuf, sizeof(uint64_t)))
		return -EFAULT;
	while (e->count == 0) {
		if (f->flags & L_O_NONBLOCK)
			return -EAGAIN;
		int err = wait_change(e);
		if (err)
			return err;
	}
	uint64_t v = e->semaphore ? 1 : e->count;
	if (copy_to_user(ubuf, &v, sizeof(v)))
		return -EFAULT;
	e->count -= v;
	changed(e);
	return sizeof(v);
}

static long efd_write(struct file *f, const void *ubuf, size_t n)
{
	struct eventfd *e = f->priv;
	uint64_t v;
	if (n < sizeof(v))
		return -EINVAL;
	if (copy_from_user(&v, ubuf, sizeof(v)))
		return -EFAULT;
	if (v == UINT64_MAX)
		return -EINVAL;
	while (EVENTFD_MAX - e->count < v) {
		if (f->flags & L_O_NONBLOCK)
			return -EAGAIN;
		int err = wait_change(e);
		if (err)
			return err;
	}
	e->count += v;
	if (v)
		changed(e);
	return sizeof(v);
}

/* Linux's anonymous inode: no file type bits, read and write for the owner. */
static int efd_stat(struct file *f, struct linux_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = 3;                          /* not a plate: anon_inodefs */
	st->st_ino = (uint64_t)(uintptr_t)f->priv >> 4;
	st->st_nlink = 1;
	st->st_mode = 0600;
	st->st_uid = proc_cur() ? proc_cur()->cred.uid : 0;
	st->st_gid = proc_cur() ? proc_cur()->cred.gid : 0;
	st->st_blksize = 4096;
	return 0;
}

static unsigned efd_poll(struct file *f)
{
	struct eventfd *e = f->priv;
	return (e->count ? L_POLLIN : 0) | (e->count < EVENTFD_MAX ? L_POLLOUT : 0);
}

static void efd_release(struct file *f)
{
	kfree(f->priv);
}

static const struct file_ops eventfd_ops = {
	.read = efd_read, .write = efd_write, .lseek = file_op_espipe, .stat = efd_stat,
	.getdents64 = file_op_enotdir, .ioctl = file_op_enotty, .release = efd_release,
	.poll = efd_poll,
};

bool file_is_eventfd(const struct file *f)
{
	return f->ops == &eventfd_ops;
}

int eventfd_create(uint32_t initval, int flags, struct file **out)
{
	struct eventfd *e = kzalloc(sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->count = initval;
	e->semaphore = flags & EVENTFD_SEMAPHORE;
	int err = file_alloc(&eventfd_ops, L_O_RDWR | (flags & L_O_NONBLOCK), 0, out);
	if (err) {
		kfree(e);
		return err;
	}
	(*out)->priv = e;
	return 0;
}
