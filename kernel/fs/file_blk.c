/* Block-device files (/dev/vda): the kernel is a client of the block driver process like any
 * other, calling its function ids (TFN_BLK_* + unit * TFN_BLK_STRIDE) with srv_call_kernel
 * and a kernel-held ICA per open file as the transfer area. Byte offsets and lengths need not
 * be sector-aligned: a partial sector is read, changed and written back, so unmodified
 * programs (busybox dd, hexdump) work on it. Units follow Linux's virtio numbering: minor
 * 16 * unit. */
#include "abi/errno.h"
#include "abi/linux.h"
#include "abi/srv.h"
#include "kernel/fs/file.h"
#include "kernel/fs/plate.h"
#include "kernel/ipc/ica.h"
#include "kernel/ipc/srv.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/proc.h"
#include "kernel/sys/syscall.h"

#define BLK_SECTOR 512u
#define BLK_AREA_PAGES 256u     /* 1 MiB: fewer calls per big transfer; less if memory is short */

struct blkfile {
	uint32_t unit;
	uint64_t bytes;         /* the disk's size when it was opened */
	rid_t area;             /* kernel-held transfer ICA, made at the first transfer */
	char *kva;
	uint64_t area_bytes;
	bool busy;              /* a transfer is using the area (the file may be shared) */
};

/* One call to the unit's driver: 0 and its results, or the call's or the driver's error. */
static int blk_call(const struct blkfile *b, uint32_t fn, uint64_t sector, uint64_t count,
		    rid_t data, uint64_t res[2])
{
	struct t_msg m;
	memset(&m, 0, sizeof(m));
	m.fn = fn + b->unit * TFN_BLK_STRIDE;
	m.data = data;
	m.arg[0] = sector;
	m.arg[1] = count;
	/* the driver's answer, or an error from sending: no driver (-ENOENT) or its queue full
	 * (-EAGAIN) mean the device is not there for now */
	int err = srv_call_kernel(&m);
	if (err == -ENOENT || err == -EAGAIN)
		return -EIO;
	if (err)
		return err;
	if (res) {
		res[0] = m.arg[0];
		res[1] = m.arg[1];
	}
	return 0;
}

/* Takes the file's transfer area, waiting while another transfer on the file uses it. */
static int area_get(struct blkfile *b)
{
	while (b->busy) {
		sleep_on(b, 0);
		struct proc *cur = proc_cur();
		if (cur && proc_aborting(cur))
			return -EINTR;
	}
	for (uint64_t pages = BLK_AREA_PAGES; !b->area && pages; pages /= 2) {
		void *kva;
		if (ica_create_kernel(pages, &b->area, &kva) == 0) {
			b->kva = kva;
			b->area_bytes = pages * 4096;
		}
	}
	if (!b->area)
		return -ENOMEM;
	b->busy = true;
	return 0;
}

/* err: how the transfer ended. A caller killed while waiting leaves the area with the driver,
 * whose device may still be reading or writing it: it is let go (deleted when the driver's
 * answer brings it back) and the next transfer makes a new one. */
static void area_put(struct blkfile *b, long err)
{
	if (err == -EINTR) {
		ica_free_kernel(b->area);
		b->area = 0;
	}
	b->busy = false;
	wakeup(b);
}

/* Moves one piece of a transfer at byte offset off: whole sectors when off is aligned and at
 * least one sector is left, else the part of one sector (read first, for a write). Returns
 * the bytes moved. */
static long piece(struct blkfile *b, char *ubuf, uint64_t off, uint64_t n, bool write)
{
	uint64_t sector = off / BLK_SECTOR, head = off % BLK_SECTOR, count, len;
	if (head || n < BLK_SECTOR) {
		count = 1;
		len = n < BLK_SECTOR - head ? n : BLK_SECTOR - head;
	} else {
		count = (n < b->area_bytes ? n : b->area_bytes) / BLK_SECTOR;
		len = count * BLK_SECTOR;
	}
	int err = 0;
	if (!write || len < BLK_SECTOR)
		err = blk_call(b, TFN_BLK_READ, sector, count, b->area, NULL);
	if (err)
		return err;
	if (!write)
		return copy_to_user(ubuf, b->kva + head, len) ? -EFAULT : (long)len;
	if (copy_from_user(b->kva + head, ubuf, len))
		return -EFAULT;
	err = blk_call(b, TFN_BLK_WRITE, sector, count, b->area, NULL);
	return err ? err : (long)len;
}

/* n bytes at off; the bytes moved, or the error if none were. */
static long blk_xfer(struct blkfile *b, void *ubuf, size_t n, uint64_t off, bool write)
{
	if (off >= b->bytes)
		return write && n ? -ENOSPC : 0;
	if (n > b->bytes - off)
		n = b->bytes - off;
	int err = area_get(b);
	if (err)
		return err;
	size_t done = 0;
	long r = 0;
	while (done < n) {
		r = piece(b, (char *)ubuf + done, off + done, n - done, write);
		if (r < 0)
			break;
		done += (size_t)r;
	}
	area_put(b, r);
	return done ? (long)done : r;
}

static long blk_rw(struct file *f, void *ubuf, size_t n, bool write)
{
	long r = blk_xfer(f->priv, ubuf, n, f->off, write);
	if (r > 0)
		f->off += (uint64_t)r;
	return r;
}

static long blk_read(struct file *f, void *ubuf, size_t n)
{
	return blk_rw(f, ubuf, n, false);
}

static long blk_write(struct file *f, const void *ubuf, size_t n)
{
	return blk_rw(f, (void *)ubuf, n, true);
}

static long blk_pio(struct file *f, void *ubuf, size_t n, uint64_t off, bool write)
{
	return blk_xfer(f->priv, ubuf, n, off, write);
}

/* As Linux's fixed-size seek: anywhere from 0 to the end, nothing beyond. */
static long blk_lseek(struct file *f, int64_t off, int whence)
{
	struct blkfile *b = f->priv;
	int64_t base = whence == L_SEEK_SET ? 0 : whence == L_SEEK_CUR ? (int64_t)f->off
									 : (int64_t)b->bytes;
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0 ||
	    (uint64_t)(base + off) > b->bytes)
		return -EINVAL;
	f->off = (uint64_t)(base + off);
	return (long)f->off;
}

static long blk_ioctl(struct file *f, unsigned long req, uint64_t arg)
{
	struct blkfile *b = f->priv;
	uint64_t v64;
	int v32 = BLK_SECTOR;
	/* the request is an unsigned int, as Linux takes it: musl passes it sign-extended */
	switch ((uint32_t)req) {
	case L_BLKGETSIZE64:
	case L_BLKGETSIZE:
		v64 = (uint32_t)req == L_BLKGETSIZE64 ? b->bytes : b->bytes / BLK_SECTOR;
		return copy_to_user((void *)arg, &v64, sizeof(v64)) ? -EFAULT : 0;
	case L_BLKSSZGET:
		return copy_to_user((void *)arg, &v32, sizeof(v32)) ? -EFAULT : 0;
	default:
		return -ENOTTY;
	}
}

static int blk_fsync(struct file *f)
{
	return blk_call(f->priv, TFN_BLK_FLUSH, 0, 0, 0, NULL);
}

static int blk_stat(struct file *f, struct linux_stat *st)
{
	return plate_stat(f->plate, st);
}

static void blk_release(struct file *f)
{
	struct blkfile *b = f->priv;
	if (b->area)
		ica_free_kernel(b->area);
	kfree(b);
}

static const struct file_ops blk_ops = {
	.read = blk_read, .write = blk_write, .lseek = blk_lseek, .stat = blk_stat,
	.getdents64 = file_op_enotdir, .ioctl = blk_ioctl, .release = blk_release,
	.fsync = blk_fsync, .pio = blk_pio,
};

int file_blk_unit(uint32_t rdev, uint32_t *unit)
{
	uint32_t minor = linux_dev_minor(rdev);
	if (linux_dev_major(rdev) != DEV_VIRTBLK_MAJOR || minor % DEV_VIRTBLK_MINORS)
		return -ENXIO;
	*unit = minor / DEV_VIRTBLK_MINORS;
	return *unit < TFN_BLK_UNITS ? 0 : -ENXIO;
}

int file_open_blk(rid_t node, int flags, struct file **out)
{
	/* open is a light call (kernel/sys/fastcalls.def), which must not wait: the driver is
	 * asked for the disk's size on the full path */
	if (syscall_in_light())
		return SYSCALL_LIGHT_DECLINED;
	struct blkfile *b = kzalloc(sizeof(*b));
	uint64_t info[2];
	if (!b)
		return -ENOMEM;
	int err = file_blk_unit(plate_rdev(node), &b->unit);
	if (!err)
		err = blk_call(b, TFN_BLK_INFO, 0, 0, 0, info);
	if (!err && info[1] != BLK_SECTOR)
		err = -ENXIO;
	if (!err)
		err = file_alloc(&blk_ops, flags, node, out);
	if (err) {
		kfree(b);
		return err == -EINTR || err == -ENOMEM ? err : -ENXIO;
	}
	b->bytes = info[0] * BLK_SECTOR;
	(*out)->priv = b;
	return 0;
}
