/* Pipes: a one-page ring buffer between a read end and a write end, each an open file that
 * descriptors and spawned children share by reference. Readers block while the pipe is empty
 * and a writer remains (end of file once every writer has closed); writers block while it is
 * full, and get -EPIPE once every reader has closed. Writes of at most PIPE_BUF bytes are
 * never interleaved with other writes. */
#include "abi/errno.h"
#include "abi/linux.h"
#include "arch/paging.h"
#include "kernel/fs/file.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/signal.h"

#define PIPE_SIZE PAGE_SIZE
#define PIPE_BUF 4096            /* atomic write size, as Linux */

struct pipe {
	uint8_t *buf;
	uint64_t pa;
	uint64_t rpos, wpos;         /* free-running; wpos - rpos bytes are buffered */
	int readers, writers;
};

static uint64_t used(const struct pipe *p)
{
	return p->wpos - p->rpos;
}

/* Something about the pipe changed: wake its sleepers and any poll(2). */
static void changed(struct pipe *p)
{
	wakeup(p);
	file_poll_wakeup();
}

/* Sleep until the pipe changes; -ERESTARTSYS if a signal came (or the process was killed)
 * meanwhile. */
static int wait_change(struct pipe *p)
{
	sleep_on(p, 0);
	struct proc *cur = proc_cur();
	return cur && proc_aborting(cur) ? -ERESTARTSYS : 0;
}

static long pipe_read(struct file *f, void *ubuf, size_t n)
{
	struct pipe *p = f->priv;
	if (n == 0)
		return 0;
	while (used(p) == 0) {
		if (p->writers == 0)
			return 0;
		if (f->flags & L_O_NONBLOCK)
			return -EAGAIN;
		int err = wait_change(p);
		if (err)
			return err;
	}
	size_t done = 0;
	while (done < n && used(p)) {
		uint64_t at = p->rpos % PIPE_SIZE;
		size_t chunk = PIPE_SIZE - at;
		if (chunk > used(p))
			chunk = used(p);
		if (chunk > n - done)
			chunk = n - done;
		if (copy_to_user((char *)ubuf + done, p->buf + at, chunk)) {
			if (!done)
				return -EFAULT;
			break;
		}
		p->rpos += chunk;
		done += chunk;
	}
	changed(p);
	return (long)done;
}

/* Copies up to n bytes in where there is room; returns how many, or -EFAULT. */
static long put(struct pipe *p, const char *ubuf, size_t n)
{
	size_t done = 0;
	while (done < n && used(p) < PIPE_SIZE) {
		uint64_t at = p->wpos % PIPE_SIZE;
		size_t chunk = PIPE_SIZE - at;
		if (chunk > PIPE_SIZE - used(p))
			chunk = PIPE_SIZE - used(p);
		if (chunk > n - done)
			chunk = n - done;
		if (copy_from_user(p->buf + at, ubuf + done, chunk))
			return -EFAULT;
		p->wpos += chunk;
		done += chunk;
	}
	return (long)done;
}

static long pipe_write(struct file *f, const void *ubuf, size_t n)
{
	struct pipe *p = f->priv;
	size_t done = 0;
	while (done < n) {
		if (p->readers == 0) {
			/* Linux raises SIGPIPE, whose default action ends the writer */
			struct proc *self = proc_cur();
			if (!done && self)
				signal_send_thread(self, exec_cur(), L_SIGPIPE);   /* the writer */
			return done ? (long)done : -EPIPE;
		}
		/* a small write goes in whole or waits, so that it is never split */
		size_t room = PIPE_SIZE - used(p);
		int atomic = n - done <= PIPE_BUF;
		if (room == 0 || (atomic && room < n - done)) {
			if (f->flags & L_O_NONBLOCK)
				return done ? (long)done : -EAGAIN;
			int err = wait_change(p);
			if (err)
				return done ? (long)done : err;
			continue;
		}
		long r = put(p, (const char *)ubuf + done, n - done);
		if (r < 0)
			return done ? (long)done : r;
		done += (size_t)r;
		changed(p);
	}
	return (long)done;
}

static int pipe_stat(struct file *f, struct linux_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = 2;                          /* not a plate: its own "file system" */
	st->st_ino = (uint64_t)(uintptr_t)f->priv >> 4;
	st->st_nlink = 1;
	st->st_mode = L_S_IFIFO | 0600;
	st->st_uid = proc_cur() ? proc_cur()->cred.uid : 0;
	st->st_gid = proc_cur() ? proc_cur()->cred.gid : 0;
	st->st_blksize = PIPE_SIZE;
	return 0;
}

static long pipe_ioctl(struct file *f, unsigned long req, uint64_t arg)
{
	struct pipe *p = f->priv;
	if (req != 0x541b)                       /* FIONREAD */
		return -ENOTTY;
	int n = (f->flags & L_O_ACCMODE) == L_O_RDONLY ? (int)used(p) : 0;
	return copy_to_user((void *)arg, &n, sizeof(n));
}

static unsigned pipe_poll(struct file *f)
{
	struct pipe *p = f->priv;
	if ((f->flags & L_O_ACCMODE) == L_O_RDONLY)
		return (used(p) ? L_POLLIN : 0) | (p->writers ? 0 : L_POLLHUP);
	if (!p->readers)
		return L_POLLERR;
	return PIPE_SIZE - used(p) >= PIPE_BUF ? L_POLLOUT : 0;
}

static void pipe_release(struct file *f)
{
	struct pipe *p = f->priv;
	if ((f->flags & L_O_ACCMODE) == L_O_RDONLY)
		p->readers--;
	else
		p->writers--;
	changed(p);
	if (p->readers == 0 && p->writers == 0) {
		pmm_free(p->pa);
		kfree(p);
	}
}

static const struct file_ops pipe_ops = {
	.read = pipe_read, .write = pipe_write, .lseek = file_op_espipe, .stat = pipe_stat,
	.getdents64 = file_op_enotdir, .ioctl = pipe_ioctl, .release = pipe_release,
	.poll = pipe_poll,
};

int file_is_pipe(const struct file *f)
{
	return f->ops == &pipe_ops;
}

int pipe_create(int flags, struct file **rd, struct file **wr)
{
	struct pipe *p = kzalloc(sizeof(*p));
	int err = -ENOMEM;
	if (!p)
		return err;
	p->pa = pmm_alloc();
	if (!p->pa)
		goto fail;
	p->buf = phys_to_virt(p->pa);
	if ((err = file_alloc(&pipe_ops, L_O_RDONLY | (flags & L_O_NONBLOCK), 0, rd)))
		goto fail;
	if ((err = file_alloc(&pipe_ops, L_O_WRONLY | (flags & L_O_NONBLOCK), 0, wr))) {
		kfree(*rd);          /* not yet a pipe end: nothing to release */
		goto fail;
	}
	(*rd)->priv = (*wr)->priv = p;
	p->readers = p->writers = 1;
	return 0;
fail:
	if (p->pa)
		pmm_free(p->pa);
	kfree(p);
	return err;
}

/* ---- more ends of one pipe, for FIFOs (fifo.c) --------------------------------------------- */

struct pipe *pipe_of(const struct file *end)
{
	return end->priv;
}

int pipe_open_end(struct pipe *p, int flags, struct file **out)
{
	bool reader = (flags & L_O_ACCMODE) == L_O_RDONLY;
	int err = file_alloc(&pipe_ops, (reader ? L_O_RDONLY : L_O_WRONLY) | (flags & L_O_NONBLOCK),
			     0, out);
	if (err)
		return err;
	(*out)->priv = p;
	if (reader)
		p->readers++;
	else
		p->writers++;
	changed(p);
	return 0;
}
