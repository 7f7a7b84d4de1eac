/* Pipes, built as Linux's: a ring of PIPE_DEF_SIZE / PAGE_SIZE slots (64 KiB; fcntl
 * F_SETPIPE_SZ changes it from one page up to PIPE_MAX_SIZE), each holding part of one page,
 * between a read end and a write end, each an open file that descriptors and spawned children
 * share by reference. A slot's page is taken when a write needs it and given back when the
 * slot is read empty (one is kept as a spare), so a pipe that carries little holds one page.
 * A write's bytes beyond whole pages join the newest slot if they fit there, the rest take new
 * slots, so the same writes fill a pipe exactly as far as on Linux. Readers block while the
 * pipe is empty and a writer remains (end of file once every writer has closed); writers
 * block while every slot is taken, and get -EPIPE once every reader has closed. Writes of at
 * most PIPE_BUF bytes are never split, and the write end polls writable while a slot is free
 * (room for PIPE_BUF bytes, Linux's rule). */
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

#define PIPE_BUF 4096            /* atomic write size, as Linux */
#define PIPE_SLOTS_MAX (PIPE_MAX_SIZE / PAGE_SIZE)

/* One page of the ring: bytes [off, off + len) of it are buffered. */
struct pipe_slot {
	uint32_t pfn;                /* the page's frame number */
	uint16_t off, len;
};

struct pipe {
	uint32_t head, tail;         /* free-running slot numbers: head - tail slots are in use */
	uint32_t nslots;             /* capacity in pages: a power of two */
	int readers, writers;
	uint64_t spare;              /* a page kept from a slot emptied last (0: none) */
	struct pipe_slot slot[PIPE_SLOTS_MAX];
};

static uint32_t occupied(const struct pipe *p)
{
	return p->head - p->tail;
}

static struct pipe_slot *slot_at(struct pipe *p, uint32_t n)
{
	return &p->slot[n & (p->nslots - 1)];
}

static uint8_t *slot_bytes(const struct pipe_slot *s)
{
	return (uint8_t *)phys_to_virt((uint64_t)s->pfn << 12);
}

/* Buffered bytes (FIONREAD). */
static uint64_t used(struct pipe *p)
{
	uint64_t n = 0;
	for (uint32_t i = p->tail; i != p->head; i++)
		n += slot_at(p, i)->len;
	return n;
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

/* The oldest slot is empty: its page is kept as the spare or given back. */
static void drop_tail(struct pipe *p)
{
	struct pipe_slot *s = slot_at(p, p->tail++);
	uint64_t pa = (uint64_t)s->pfn << 12;
	if (p->spare)
		pmm_free(pa);
	else
		p->spare = pa;
}

static long take(struct pipe *p, char *ubuf, size_t n)
{
	size_t done = 0;
	while (done < n && occupied(p)) {
		struct pipe_slot *s = slot_at(p, p->tail);
		size_t chunk = s->len < n - done ? s->len : n - done;
		if (copy_to_user(ubuf + done, slot_bytes(s) + s->off, chunk))
			return done ? (long)done : -EFAULT;
		s->off = (uint16_t)(s->off + chunk);
		s->len = (uint16_t)(s->len - chunk);
		done += chunk;
		if (!s->len)
			drop_tail(p);
	}
	return (long)done;
}

static long pipe_read(struct file *f, void *ubuf, size_t n)
{
	struct pipe *p = f->priv;
	if (n == 0)
		return 0;
	while (!occupied(p)) {
		if (p->writers == 0)
			return 0;
		if (f->flags & L_O_NONBLOCK)
			return -EAGAIN;
		int err = wait_change(p);
		if (err)
			return err;
	}
	long r = take(p, ubuf, n);
	changed(p);
	return r;
}

/* As Linux: the part of a write beyond whole pages (n % PAGE_SIZE, all of a small write) joins
 * the newest slot when it fits there; the rest fills new slots. Returns the bytes merged. */
static long merge(struct pipe *p, const char *ubuf, size_t n)
{
	size_t chars = n & (PAGE_SIZE - 1);
	if (!chars || !occupied(p))
		return 0;
	struct pipe_slot *s = slot_at(p, p->head - 1);
	if (s->off + s->len + chars > PAGE_SIZE)
		return 0;
	if (copy_from_user(slot_bytes(s) + s->off + s->len, ubuf, chars))
		return -EFAULT;
	s->len = (uint16_t)(s->len + chars);
	return (long)chars;
}

/* Up to one page of ubuf into a new slot: the bytes, -ENOMEM or -EFAULT. */
static long new_slot(struct pipe *p, const char *ubuf, size_t n)
{
	uint64_t pa = p->spare ? p->spare : pmm_alloc_dirty();
	size_t chunk = n < PAGE_SIZE ? n : PAGE_SIZE;
	if (!pa)
		return -ENOMEM;
	p->spare = 0;
	if (copy_from_user(phys_to_virt(pa), ubuf, chunk)) {
		p->spare = pa;
		return -EFAULT;
	}
	*slot_at(p, p->head++) = (struct pipe_slot){ (uint32_t)(pa >> 12), 0, (uint16_t)chunk };
	return (long)chunk;
}

/* The writer finds no reader: Linux raises SIGPIPE, whose default action ends the writer. */
static long broken(size_t done)
{
	struct proc *self = proc_cur();
	if (!done && self)
		signal_send_thread(self, exec_cur(), L_SIGPIPE);
	return done ? (long)done : -EPIPE;
}

/* A write of at most PIPE_BUF bytes either merges whole or takes one slot whole, so it is
 * never split or interleaved. */
static long pipe_write(struct file *f, const void *ubuf, size_t n)
{
	struct pipe *p = f->priv;
	const char *src = ubuf;
	size_t done = 0;
	if (n == 0)
		return 0;
	if (p->readers == 0)
		return broken(0);
	long r = merge(p, src, n);
	if (r < 0)
		return r;
	done = (size_t)r;
	if (done)
		changed(p);
	while (done < n) {
		if (p->readers == 0)
			return broken(done);
		if (occupied(p) < p->nslots) {
			if ((r = new_slot(p, src + done, n - done)) < 0)
				return done ? (long)done : r;
			done += (size_t)r;
			changed(p);
			continue;
		}
		if (f->flags & L_O_NONBLOCK)
			return done ? (long)done : -EAGAIN;
		int err = wait_change(p);
		if (err)
			return done ? (long)done : err;
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
	st->st_blksize = PAGE_SIZE;
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

/* As Linux: the write end is writable while a slot is free (room for PIPE_BUF bytes). */
static unsigned pipe_poll(struct file *f)
{
	struct pipe *p = f->priv;
	if ((f->flags & L_O_ACCMODE) == L_O_RDONLY)
		return (occupied(p) ? L_POLLIN : 0) | (p->writers ? 0 : L_POLLHUP);
	if (!p->readers)
		return L_POLLERR;
	return occupied(p) < p->nslots ? L_POLLOUT : 0;
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
		while (occupied(p))
			drop_tail(p);
		if (p->spare)
			pmm_free(p->spare);
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

long pipe_get_size(struct file *f)
{
	if (!file_is_pipe(f))
		return -EBADF;
	return (long)(((struct pipe *)f->priv)->nslots * PAGE_SIZE);
}

long pipe_set_size(struct file *f, uint64_t size)
{
	if (!file_is_pipe(f))
		return -EBADF;
	struct pipe *p = f->priv;
	if (size > PIPE_MAX_SIZE)
		return -EPERM;               /* Linux: beyond pipe-max-size without privilege */
	uint32_t nslots = 1;
	while ((uint64_t)nslots * PAGE_SIZE < size)
		nslots *= 2;
	if (nslots < occupied(p))
		return -EBUSY;               /* as Linux: the slots in use must fit */
	if (nslots != p->nslots) {
		/* the slots in use move to the start of the new ring, in order */
		struct pipe_slot *tmp = kmalloc(sizeof(p->slot));
		uint32_t n = occupied(p);
		if (!tmp)
			return -ENOMEM;
		for (uint32_t i = 0; i < n; i++)
			tmp[i] = *slot_at(p, p->tail + i);
		memcpy(p->slot, tmp, n * sizeof(tmp[0]));
		kfree(tmp);
		p->tail = 0;
		p->head = n;
		p->nslots = nslots;
		changed(p);                  /* room may have come for a writer */
	}
	return (long)nslots * PAGE_SIZE;
}

int pipe_create(int flags, struct file **rd, struct file **wr)
{
	_Static_assert(sizeof(struct pipe) <= 4096, "a pipe is one kmalloc object");
	struct pipe *p = kzalloc(sizeof(*p));
	int err;
	if (!p)
		return -ENOMEM;
	p->nslots = PIPE_DEF_SIZE / PAGE_SIZE;
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
