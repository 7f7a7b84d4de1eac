/* Per-process descriptor tables (file.h): the first NFD descriptors in the process entry,
 * the rest in pages taken as descriptors there are installed and given back when the table
 * is emptied, so a process that opens thousands of files can, and one that opens three costs
 * nothing more. Loops stop at the table's top (one above the highest descriptor ever
 * installed since it was last emptied), not at NFD_MAX. */
#include "abi/errno.h"
#include "kernel/fs/file.h"
#include "kernel/fs/reclock.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"

_Static_assert(sizeof(struct fdpage) <= 4096, "a page of descriptors is one kmalloc object");

/* Where descriptor fd's file and flag live, or NULL when its page is not there. */
static struct file **slot(const struct fdtable *t, int fd, uint8_t **cloexec)
{
	if (fd < 0 || fd >= NFD_MAX)
		return NULL;
	if (fd < NFD) {
		*cloexec = (uint8_t *)&t->cloexec[fd];
		return (struct file **)&t->fd[fd];
	}
	struct fdpage *pg = t->ext[(fd - NFD) / FD_PAGE_ENTRIES];
	if (!pg)
		return NULL;
	*cloexec = &pg->cloexec[(fd - NFD) % FD_PAGE_ENTRIES];
	return &pg->fd[(fd - NFD) % FD_PAGE_ENTRIES];
}

/* The slot of fd, taking its page if needed: NULL without memory. */
static struct file **slot_make(struct fdtable *t, int fd, uint8_t **cloexec)
{
	struct file **s = slot(t, fd, cloexec);
	if (s || fd < NFD || fd >= NFD_MAX)
		return s;
	struct fdpage **pg = &t->ext[(fd - NFD) / FD_PAGE_ENTRIES];
	if (!(*pg = kzalloc(sizeof(**pg))))
		return NULL;
	return slot(t, fd, cloexec);
}

static struct file *at(const struct fdtable *t, int fd)
{
	uint8_t *ce;
	struct file **s = slot(t, fd, &ce);
	return s ? *s : NULL;
}

/* Puts f at free descriptor fd (its slot exists). */
static void put(struct fdtable *t, int fd, struct file *f, bool cloexec)
{
	uint8_t *ce;
	struct file **s = slot(t, fd, &ce);
	*s = f;
	*ce = cloexec;
	if (fd >= t->top)
		t->top = fd + 1;
}

/* Every page of descriptors goes (the table holds none above NFD any more). */
static void free_pages(struct fdtable *t)
{
	for (int i = 0; i < FD_EXT_PAGES; i++) {
		kfree(t->ext[i]);
		t->ext[i] = NULL;
	}
}

int fdtable_init_console(struct fdtable *t)
{
	struct file *f;
	int err = file_open_console(&f);
	if (err)
		return err;
	int lock_pid = t->lock_pid;
	memset(t, 0, sizeof(*t));
	t->lock_pid = lock_pid;
	for (int i = 0; i < 3; i++) {
		if (i)
			file_get(f);
		put(t, i, f, false);
	}
	t->limit = NFD_DEFAULT;
	return 0;
}

int fdtable_clone(struct fdtable *dst, const struct fdtable *src)
{
	uint8_t *ce, *sce;
	int lock_pid = dst->lock_pid;
	memset(dst, 0, sizeof(*dst));
	dst->lock_pid = lock_pid;
	dst->limit = src->limit;
	for (int i = 0; i < src->top; i++) {
		struct file **from = slot(src, i, &sce);
		if (!from || !*from)
			continue;
		if (!slot_make(dst, i, &ce)) {
			fdtable_close_all(dst);
			return -ENOMEM;
		}
		file_get(*from);
		put(dst, i, *from, *sce);
	}
	return 0;
}

void fd_put_at(struct fdtable *t, int fd, struct file *f, bool cloexec)
{
	if (fd < 0 || fd >= NFD || t->fd[fd])
		panic("fd_put_at: descriptor %d is not free", fd);
	put(t, fd, f, cloexec);
}

void fdtable_close_all(struct fdtable *t)
{
	for (int i = 0; i < t->top; i++)
		fd_close(t, i);
	t->top = 0;
	free_pages(t);
}

void fdtable_close_cloexec(struct fdtable *t)
{
	for (int i = 0; i < t->top; i++)
		if (at(t, i) && fd_cloexec(t, i))
			fd_close(t, i);
}

int fd_limit(const struct fdtable *t)
{
	return t->limit < NFD_MAX ? t->limit : NFD_MAX;
}

int fd_free_count(const struct fdtable *t)
{
	int n = fd_limit(t);
	for (int i = 0; i < t->top && i < fd_limit(t); i++)
		n -= at(t, i) != NULL;
	return n;
}

int fd_install(struct fdtable *t, int min, struct file *f, int cloexec)
{
	uint8_t *ce;
	if (min < 0 || min >= fd_limit(t))
		return -EINVAL;
	for (int i = min; i < fd_limit(t); i++) {
		if (at(t, i))
			continue;
		if (!slot_make(t, i, &ce))
			return -ENOMEM;
		put(t, i, f, cloexec != 0);
		return i;
	}
	return -EMFILE;
}

int fd_get(const struct fdtable *t, int fd, struct file **out)
{
	struct file *f = fd >= 0 && fd < t->top ? at(t, fd) : NULL;
	if (!f)
		return -EBADF;
	*out = f;
	return 0;
}

bool fd_cloexec(const struct fdtable *t, int fd)
{
	uint8_t *ce;
	return slot(t, fd, &ce) && *ce;
}

void fd_set_cloexec(struct fdtable *t, int fd, bool on)
{
	uint8_t *ce;
	if (slot(t, fd, &ce))
		*ce = on;
}

int fd_close(struct fdtable *t, int fd)
{
	struct file *f;
	uint8_t *ce;
	int err = fd_get(t, fd, &f);
	if (err)
		return err;
	struct file **s = slot(t, fd, &ce);
	*s = NULL;
	*ce = 0;
	reclock_close(f, t->lock_pid);       /* any close lets go of the process's locks */
	file_put(f);
	return 0;
}

int fd_dup2(struct fdtable *t, int oldfd, int newfd)
{
	struct file *f;
	uint8_t *ce;
	int err = fd_get(t, oldfd, &f);
	if (err)
		return err;
	if (newfd < 0 || newfd >= fd_limit(t))
		return -EBADF;
	if (oldfd == newfd)
		return newfd;
	if (!slot_make(t, newfd, &ce))
		return -ENOMEM;
	file_get(f);
	fd_close(t, newfd);
	put(t, newfd, f, false);
	return newfd;
}
