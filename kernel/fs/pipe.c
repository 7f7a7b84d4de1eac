/* Pipes: a ring buffer of up to PIPE_DEF_SIZE bytes (64 KiB, as Linux; fcntl F_SETPIPE_SZ
 * changes it from one page up to PIPE_MAX_SIZE) between a read end and a write end, each an
 * open file that descriptors and spawned children share by reference. The ring's pages are
 * taken when a write first reaches them, and an emptied pipe starts over at its first page,
 * so a pipe that carries little holds one page. Readers block while the pipe is empty and a
 * writer remains (end of file once every writer has closed); writers block while it is full,
 * and get -EPIPE once every reader has closed. Writes of at most PIPE_BUF bytes are never
 * interleaved with other writes, and the write end polls writable when PIPE_BUF bytes fit
 * (Linux's rule). */
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
#define PIPE_PAGES_MAX (PIPE_MAX_SIZE / PAGE_SIZE)

struct pipe {
	uint64_t rpos, wpos;         /* free-running; wpos - rpos bytes are buffered */
	uint64_t base;               /* the position at ring offset 0 */
	uint32_t npages;             /* capacity in pages: a power of two */
	int readers, writers;
	uint64_t pa[PIPE_PAGES_MAX]; /* the ring's pages, 0 = not taken yet */
};

static uint64_t used(const struct pipe *p)
{
	return p->wpos - p->rpos;
}

static uint64_t capacity(const struct pipe *p)
{
	return (uint64_t)p->npages * PAGE_SIZE;
}

/* Where position pos lies in the ring: the page's index and the offset in it. */
static uint8_t *at(const struct pipe *p, uint64_t pos, size_t *room)
{
	uint64_t off = (pos - p->base) % capacity(p);
	*room = PAGE_SIZE - off % PAGE_SIZE;
	return (uint8_t *)phys_to_virt(p->pa[off / PAGE_SIZE]) + off % PAGE_SIZE;
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

static long take(struct pipe *p, char *ubuf, size_t n)
{
	size_t done = 0, room;
	while (done < n && used(p)) {
		const uint8_t *src = at(p, p->rpos, &room);
		size_t chunk = room < used(p) ? room : used(p);
		if (chunk > n - done)
			chunk = n - done;
		if (copy_to_user(ubuf + done, src, chunk))
			return done ? (long)done : -EFAULT;
		p->rpos += chunk;
		done += chunk;
	}
	if (!used(p))
		p->base = p->rpos;       /* start over at the first page */
	return (long)done;
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
	long r = take(p, ubuf, n);
	changed(p);
	return r;
}

/* Takes the pages that n bytes written at wpos reach: all of them, or -ENOMEM. */
static int pages_for(struct pipe *p, size_t n)
{
	uint64_t first = (p->wpos - p->base) % capacity(p) / PAGE_SIZE;
	uint64_t count = (n + PAGE_SIZE - 1) / PAGE_SIZE + 1;
	for (uint64_t i = 0; i < count && i < p->npages; i++) {
		uint64_t k = (first + i) % p->npages;
		if (!p->pa[k] && !(p->pa[k] = pmm_alloc_dirty()))
			return -ENOMEM;
	}
	return 0;
}

/* Copies up to n bytes in where there is room; returns how many, or an error. */
static long put(struct pipe *p, const char *ubuf, size_t n)
{
	size_t done = 0, room;
	if (n > capacity(p) - used(p))
		n = capacity(p) - used(p);
	int err = pages_for(p, n);
	if (err)
		return err;
	while (done < n) {
		uint8_t *dst = at(p, p->wpos, &room);
		size_t chunk = room < n - done ? room : n - done;
		if (copy_from_user(dst, ubuf + done, chunk))
			return done ? (long)done : -EFAULT;
		p->wpos += chunk;
		done += chunk;
	}
	return (long)done;
}

/* The writer finds no reader: Linux raises SIGPIPE, whose default action ends the writer. */
static long broken(size_t done)
{
	struct proc *self = proc_cur();
	if (!done && self)
		signal_send_thread(self, exec_cur(), L_SIGPIPE);
	return done ? (long)done : -EPIPE;
}

static long pipe_write(struct file *f, const void *ubuf, size_t n)
{
	struct pipe *p = f->priv;
	size_t done = 0;
	while (done < n) {
		if (p->readers == 0)
			return broken(done);
		/* a small write goes in whole or waits, so that it is never split */
		size_t room = capacity(p) - used(p);
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

static unsigned pipe_poll(struct file *f)
{
	struct pipe *p = f->priv;
	if ((f->flags & L_O_ACCMODE) == L_O_RDONLY)
		return (used(p) ? L_POLLIN : 0) | (p->writers ? 0 : L_POLLHUP);
	if (!p->readers)
		return L_POLLERR;
	return capacity(p) - used(p) >= PIPE_BUF ? L_POLLOUT : 0;
}

static void free_pages(uint64_t *pa, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (pa[i])
			pmm_free(pa[i]);
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
		free_pages(p->pa, p->npages);
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
	return file_is_pipe(f) ? (long)capacity(f->priv) : -EBADF;
}

/* The content moves into fresh pages at the start of a ring of npages: all of it, or nothing
 * changes (-ENOMEM). */
static int repack(struct pipe *p, uint32_t npages)
{
	uint64_t fresh[PIPE_PAGES_MAX] = { 0 }, n = used(p);
	uint32_t need = (uint32_t)((n + PAGE_SIZE - 1) / PAGE_SIZE);
	for (uint32_t i = 0; i < need; i++) {
		if (!(fresh[i] = pmm_alloc_dirty())) {
			free_pages(fresh, i);
			return -ENOMEM;
		}
	}
	for (uint64_t done = 0, room; done < n;) {
		const uint8_t *src = at(p, p->rpos + done, &room);
		size_t chunk = room < n - done ? room : n - done;
		size_t in_page = PAGE_SIZE - done % PAGE_SIZE;
		if (chunk > in_page)
			chunk = in_page;
		memcpy((uint8_t *)phys_to_virt(fresh[done / PAGE_SIZE]) + done % PAGE_SIZE, src, chunk);
		done += chunk;
	}
	free_pages(p->pa, p->npages);
	memcpy(p->pa, fresh, sizeof(fresh));
	p->npages = npages;
	p->base = p->rpos;
	return 0;
}

long pipe_set_size(struct file *f, uint64_t size)
{
	if (!file_is_pipe(f))
		return -EBADF;
	struct pipe *p = f->priv;
	if (size > PIPE_MAX_SIZE)
		return -EPERM;               /* Linux: beyond pipe-max-size without privilege */
	uint32_t npages = 1;
	while ((uint64_t)npages * PAGE_SIZE < size)
		npages *= 2;
	if ((uint64_t)npages * PAGE_SIZE < used(p))
		return -EBUSY;
	if (npages != p->npages) {
		int err = repack(p, npages);
		if (err)
			return err;
		changed(p);                  /* room may have come for a writer */
	}
	return (long)capacity(p);
}

int pipe_create(int flags, struct file **rd, struct file **wr)
{
	_Static_assert(sizeof(struct pipe) <= 4096, "a pipe is one kmalloc object");
	struct pipe *p = kzalloc(sizeof(*p));
	int err;
	if (!p)
		return -ENOMEM;
	p->npages = PIPE_DEF_SIZE / PAGE_SIZE;
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
