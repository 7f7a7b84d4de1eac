/* The plate variants of open files: regular plates (read, write, seek through the plate's
 * content spans straight to and from user memory) and directories (getdents64 through a
 * bounce page), and stat(2) of any plate. */
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/fs/file.h"
#include "kernel/fs/plate.h"
#include "kernel/lib/string.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/signal.h"
#include "kernel/res/res.h"

#define DIRBUF 512            /* on the stack; holds the largest dirent64 record */

/* A disk plate's content is at its server: one copy between user memory and the data ICA. */
static long disk_rw(struct file *f, void *ubuf, size_t n, int write)
{
	int err = write && (f->flags & L_O_APPEND) ? plate_refresh(f->plate) : 0;
	if (err)
		return err;
	if (write && (f->flags & L_O_APPEND))
		f->off = plate_size(f->plate);
	long r = plate_disk_io(f->plate, f->off, ubuf, n, write, 1);
	if (r > 0)
		f->off += (uint64_t)r;
	return r;
}

static long reg_read(struct file *f, void *ubuf, size_t n)
{
	size_t done = 0;
	if (plate_is_disk(f->plate))
		return disk_rw(f, ubuf, n, 0);
	while (done < n) {
		const void *src;
		size_t avail;
		int err = plate_read_span(f->plate, f->off, &src, &avail);
		if (err)
			return done ? (long)done : err;
		if (!avail)
			break;
		size_t chunk = avail < n - done ? avail : n - done;
		if (copy_to_user((char *)ubuf + done, src, chunk))
			return done ? (long)done : -EFAULT;
		done += chunk;
		f->off += chunk;
	}
	return (long)done;
}

/* Linux's RLIMIT_FSIZE for a write of *n bytes at off by the calling process: one that starts
 * at or past the limit gets SIGXFSZ and -EFBIG, one that crosses it is cut short there. */
static int fsize_limit(uint64_t off, size_t *n)
{
	struct proc *p = proc_cur();
	uint64_t lim = p ? p->rlim[L_RLIMIT_FSIZE].cur : L_RLIM_INFINITY;
	if (lim == L_RLIM_INFINITY || !*n || off + *n <= lim)
		return 0;
	if (off >= lim) {
		signal_send(p, L_SIGXFSZ);
		return -EFBIG;
	}
	*n = (size_t)(lim - off);
	return 0;
}

static long reg_write(struct file *f, const void *ubuf, size_t n)
{
	size_t done = 0;
	bool append = f->flags & L_O_APPEND;
	int err = fsize_limit(append ? plate_size(f->plate) : f->off, &n);
	if (err)
		return err;
	if (plate_is_disk(f->plate))
		return disk_rw(f, (void *)ubuf, n, 1);
	if (append)
		f->off = plate_size(f->plate);
	while (done < n) {
		void *dst;
		size_t avail;
		int err = plate_write_span(f->plate, f->off, &dst, &avail);
		if (err)
			return done ? (long)done : err;
		size_t chunk = avail < n - done ? avail : n - done;
		if (copy_from_user(dst, (const char *)ubuf + done, chunk))
			return done ? (long)done : -EFAULT;
		plate_write_commit(f->plate, f->off, chunk);
		done += chunk;
		f->off += chunk;
	}
	return (long)done;
}

/* New offset from whence, refusing negative results and overflow. */
static long seek_to(struct file *f, int64_t off, int whence, uint64_t end)
{
	int64_t base = whence == L_SEEK_SET ? 0 : whence == L_SEEK_CUR ? (int64_t)f->off
								       : (int64_t)end;
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
		return -EINVAL;
	f->off = (uint64_t)(base + off);
	return (long)f->off;
}

static long reg_lseek(struct file *f, int64_t off, int whence)
{
	int err = whence == L_SEEK_END ? plate_refresh(f->plate) : 0;
	if (err)
		return err;
	return seek_to(f, off, whence, plate_size(f->plate));
}

/* Directory positions are record numbers; there is no meaningful end to seek from. */
static long dir_lseek(struct file *f, int64_t off, int whence)
{
	if (whence == L_SEEK_END)
		return -EINVAL;
	return seek_to(f, off, whence, 0);
}

static int file_plate_stat(struct file *f, struct linux_stat *st)
{
	return plate_stat(f->plate, st);
}

static long dir_read(struct file *f, void *ubuf, size_t n)
{
	(void)f, (void)ubuf, (void)n;
	return -EISDIR;
}

static long dir_write(struct file *f, const void *ubuf, size_t n)
{
	(void)f, (void)ubuf, (void)n;
	return -EISDIR;
}

/* Fills the user buffer page by page; the position moves only past records the caller got. */
static long dir_getdents64(struct file *f, void *ubuf, size_t n)
{
	char buf[DIRBUF];
	size_t done = 0;
	long r = 0;
	while (done < n) {
		uint64_t pos = f->off;
		r = plate_dir_read(f->plate, &pos, buf, n - done < DIRBUF ? n - done : DIRBUF);
		if (r <= 0)
			break;
		if (copy_to_user((char *)ubuf + done, buf, (size_t)r)) {
			r = -EFAULT;
			break;
		}
		done += (size_t)r;
		f->off = pos;
	}
	if (done)
		return (long)done;
	return r;
}

static const struct file_ops reg_ops = {
	.read = reg_read, .write = reg_write, .lseek = reg_lseek, .stat = file_plate_stat,
	.getdents64 = file_op_enotdir, .ioctl = file_op_enotty, .release = file_op_norelease,
};

static const struct file_ops dir_ops = {
	.read = dir_read, .write = dir_write, .lseek = dir_lseek, .stat = file_plate_stat,
	.getdents64 = dir_getdents64, .ioctl = file_op_enotty, .release = file_op_norelease,
};

int file_open_plate(rid_t plate, int flags, struct file **out)
{
	if (plate_is_proc(plate) && !plate_is_dir(plate))
		return file_open_proc(plate, flags, out);
	return file_alloc(plate_is_dir(plate) ? &dir_ops : &reg_ops, flags, plate, out);
}
