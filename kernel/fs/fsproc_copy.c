/* Copies between two open files inside the kernel: sendfile(2) and copy_file_range(2). Each
 * moves the data a page at a time through a kernel page that the file variants' own read and
 * write take as user memory (uaccess_kbuf_begin), so every kind of file works on either side
 * as far as Linux allows it, and nothing reaches user memory but the offsets. */
#include "kernel/fs/fsproc.h"
#include "abi/errno.h"
#include "abi/linux.h"
#include "arch/paging.h"
#include "kernel/fs/file.h"
#include "kernel/fs/plate.h"
#include "kernel/mm/pmm.h"
#include "kernel/mm/uaccess.h"

/* Moves up to n bytes from in (at *in_off, or its offset when in_off is NULL) to out (at
 * *out_off, or its offset): the bytes moved, or an error if none were. */
static long move(struct file *in, int64_t *in_off, struct file *out, int64_t *out_off,
		 size_t n)
{
	uint64_t pa = pmm_alloc_dirty();
	if (!pa)
		return -ENOMEM;
	void *buf = phys_to_virt(pa);
	long done = 0, err = 0;
	uaccess_kbuf_begin(buf, PAGE_SIZE);
	while ((size_t)done < n && !err) {
		size_t chunk = n - (size_t)done < PAGE_SIZE ? n - (size_t)done : PAGE_SIZE;
		long r = in_off ? file_pio_at(in, buf, chunk, (uint64_t)*in_off, false)
				: file_read(in, buf, chunk);
		if (r <= 0) {
			err = r;
			break;
		}
		long w = out_off ? file_pio_at(out, buf, (size_t)r, (uint64_t)*out_off, true)
				 : file_write(out, buf, (size_t)r);
		if (w < 0) {
			err = w;
			w = 0;
		}
		if (w < r && !in_off)
			file_lseek(in, w - r, L_SEEK_CUR);     /* give back what was not written */
		if (in_off)
			*in_off += w;
		if (out_off)
			*out_off += w;
		done += w;
		if (w < r)
			break;
	}
	uaccess_kbuf_end(buf);
	pmm_free(pa);
	return done ? done : err;
}

static int two_files(struct proc *p, int in_fd, int out_fd, struct file **in, struct file **out)
{
	int err = fd_get(&p->fds, in_fd, in);
	if (!err)
		err = fd_get(&p->fds, out_fd, out);
	if (err)
		return err;
	if (((*in)->flags & L_O_ACCMODE) == L_O_WRONLY ||
	    ((*out)->flags & L_O_ACCMODE) == L_O_RDONLY)
		return -EBADF;
	return 0;
}

/* Linux's sendfile reads from a file it could map: a regular file (or a block device). */
static bool mappable(const struct file *f)
{
	uint32_t kind = f->plate ? plate_mode(f->plate) & L_S_IFMT : 0;
	return (kind == L_S_IFREG || kind == L_S_IFBLK) && f->ops->lseek != file_op_espipe;
}

long fsp_sendfile(struct proc *p, int out_fd, int in_fd, int64_t *off, size_t count)
{
	struct file *in, *out;
	int err = two_files(p, in_fd, out_fd, &in, &out);
	if (err)
		return err;
	if (!mappable(in) || (out->flags & L_O_APPEND))
		return -EINVAL;
	if (off && *off < 0)
		return -EINVAL;
	return count ? move(in, off, out, NULL, count) : 0;
}

static bool regular(const struct file *f)
{
	return f->plate && (plate_mode(f->plate) & L_S_IFMT) == L_S_IFREG &&
	       f->ops->lseek != file_op_espipe;
}

long fsp_copy_file_range(struct proc *p, int in_fd, int64_t *in_off, int out_fd,
			 int64_t *out_off, size_t len, unsigned flags)
{
	struct file *in, *out;
	int err = two_files(p, in_fd, out_fd, &in, &out);
	if (err)
		return err;
	if (flags)
		return -EINVAL;
	if (plate_is_dir(in->plate) || plate_is_dir(out->plate))
		return -EISDIR;
	if (!regular(in) || !regular(out) || (out->flags & L_O_APPEND))
		return -EINVAL;
	if ((in_off && *in_off < 0) || (out_off && *out_off < 0))
		return -EINVAL;
	/* a range of a file onto itself must not overlap */
	int64_t ipos = in_off ? *in_off : (int64_t)in->off;
	int64_t opos = out_off ? *out_off : (int64_t)out->off;
	if (in->plate == out->plate && ipos < opos + (int64_t)len && opos < ipos + (int64_t)len)
		return -EINVAL;
	if (!len)
		return 0;
	/* explicit offsets go through pread/pwrite; otherwise the files' own offsets move */
	return move(in, in_off, out, out_off, len);
}
