/* Open files (reference counted) and descriptor tables, plus the checks that every file
 * variant shares before its operation runs (see file.h). */
#include "kernel/fs/file.h"
#include "kernel/fs/flock.h"
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/fs/plate.h"
#include "kernel/fs/reclock.h"
#include "kernel/lib/kprintf.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/proc/exec.h"

int file_alloc(const struct file_ops *ops, int flags, rid_t plate, struct file **out)
{
	struct file *f = kzalloc(sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->ops = ops;
	f->refs = 1;
	f->flags = flags;
	f->plate = plate;
	if (plate)
		plate_open_ref(plate);
	*out = f;
	return 0;
}

void file_get(struct file *f)
{
	assert(f->refs > 0);
	f->refs++;
}

void file_put(struct file *f)
{
	assert(f->refs > 0);
	if (--f->refs)
		return;
	flock_release(f);                    /* its flock(2) lock goes with its last reference */
	reclock_release(f);                  /* and its OFD record locks */
	if (f->ops->release)
		f->ops->release(f);
	if (f->plate)
		plate_close_ref(f->plate);
	kfree(f);
}

/* ---- shared checks ------------------------------------------------------------------------ */

static int can_read(const struct file *f)
{
	return (f->flags & L_O_ACCMODE) != L_O_WRONLY;
}

static int can_write(const struct file *f)
{
	int acc = f->flags & L_O_ACCMODE;
	return acc == L_O_WRONLY || acc == L_O_RDWR;
}

long file_read(struct file *f, void *ubuf, size_t n)
{
	if (!can_read(f))
		return -EBADF;
	if (n > INT64_MAX)
		return -EINVAL;
	return f->ops->read(f, ubuf, n);
}

long file_write(struct file *f, const void *ubuf, size_t n)
{
	if (!can_write(f))
		return -EBADF;
	if (n > INT64_MAX)
		return -EINVAL;
	return f->ops->write(f, ubuf, n);
}

long file_pio_at(struct file *f, void *ubuf, size_t n, uint64_t off, bool write)
{
	if (f->ops->pio)
		return file_pio(f, ubuf, n, off, write);
	uint64_t saved = f->off;
	f->off = off;
	long r = write ? file_write(f, ubuf, n) : file_read(f, ubuf, n);
	f->off = saved;
	return r;
}

long file_writev(struct file *f, const struct linux_iovec *iov, int n)
{
	if (!can_write(f))
		return -EBADF;
	return f->ops->writev(f, iov, n);
}

long file_pio(struct file *f, void *ubuf, size_t n, uint64_t off, bool write)
{
	if (write ? !can_write(f) : !can_read(f))
		return -EBADF;
	if (n > INT64_MAX)
		return -EINVAL;
	return f->ops->pio(f, ubuf, n, off, write);
}

long file_lseek(struct file *f, int64_t off, int whence)
{
	if (whence != L_SEEK_SET && whence != L_SEEK_CUR && whence != L_SEEK_END)
		return -EINVAL;
	return f->ops->lseek(f, off, whence);
}

int file_stat(struct file *f, struct linux_stat *st)
{
	return f->ops->stat(f, st);
}

long file_getdents64(struct file *f, void *ubuf, size_t n)
{
	return f->ops->getdents64(f, ubuf, n);
}

long file_ioctl(struct file *f, unsigned long req, uint64_t arg)
{
	return f->ops->ioctl(f, req, arg);
}

const char file_poll_chan;

uint64_t file_poll_gen;

void file_poll_wakeup(void)
{
	file_poll_gen++;
	wakeup(&file_poll_chan);
}

unsigned file_poll(struct file *f)
{
	return f->ops->poll ? f->ops->poll(f) : L_POLLIN | L_POLLOUT;
}

/* ---- defaults for variants ---------------------------------------------------------------- */

long file_op_espipe(struct file *f, int64_t off, int whence)
{
	(void)f, (void)off, (void)whence;
	return -ESPIPE;
}

long file_op_enotdir(struct file *f, void *ubuf, size_t n)
{
	(void)f, (void)ubuf, (void)n;
	return -ENOTDIR;
}

long file_op_enotty(struct file *f, unsigned long req, uint64_t arg)
{
	(void)f, (void)req, (void)arg;
	return -ENOTTY;
}

void file_op_norelease(struct file *f)
{
	(void)f;
}
