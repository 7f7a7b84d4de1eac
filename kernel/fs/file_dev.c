/* Device-node plates: opening one finds its driver by the node's device number, through
 * tables indexed by major number (one for character devices, one for block devices) as a
 * Unix device switch does; the driver then picks by the minor. Any node with the number
 * reaches the device, whoever made it (the nodes of /dev: kernel/fs/devices.def; mknod).
 * Here are the memory devices of major 1 (null, zero, full, random, urandom); the console
 * is in file_console.c, the virtio disks in file_blk.c. */
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/dev/random.h"
#include "kernel/fs/file.h"
#include "kernel/fs/plate.h"
#include "kernel/lib/string.h"
#include "kernel/mm/uaccess.h"

static long null_read(struct file *f, void *ubuf, size_t n)
{
	(void)f, (void)ubuf, (void)n;
	return 0;
}

static long null_write(struct file *f, const void *ubuf, size_t n)
{
	(void)f, (void)ubuf;
	return (long)n;
}

static long zero_read(struct file *f, void *ubuf, size_t n)
{
	static const char zeros[256];
	size_t done = 0;
	(void)f;
	while (done < n) {
		size_t chunk = n - done < sizeof(zeros) ? n - done : sizeof(zeros);
		if (copy_to_user((char *)ubuf + done, zeros, chunk))
			return done ? (long)done : -EFAULT;
		done += chunk;
	}
	return (long)done;
}

/* Seeking a null device always succeeds and leaves it at 0, as on Linux. */
static long dev_lseek(struct file *f, int64_t off, int whence)
{
	(void)whence, (void)off;
	f->off = 0;
	return 0;
}

static int dev_stat(struct file *f, struct linux_stat *st)
{
	return plate_stat(f->plate, st);
}

static const struct file_ops null_ops = {
	.read = null_read, .write = null_write, .lseek = dev_lseek, .stat = dev_stat,
	.getdents64 = file_op_enotdir, .ioctl = file_op_enotty, .release = file_op_norelease,
};

/* /dev/random and /dev/urandom: the kernel's random numbers. What is written is accepted and
 * dropped (Linux mixes it in without crediting it; this generator keys itself). */
static long random_read(struct file *f, void *ubuf, size_t n)
{
	(void)f;
	return random_read_user(ubuf, n);
}

static const struct file_ops random_ops = {
	.read = random_read, .write = null_write, .lseek = dev_lseek, .stat = dev_stat,
	.getdents64 = file_op_enotdir, .ioctl = file_op_enotty, .release = file_op_norelease,
};

/* /dev/full: reads as /dev/zero, every write fails with ENOSPC (Linux's write_full). */
static long full_write(struct file *f, const void *ubuf, size_t n)
{
	(void)f, (void)ubuf, (void)n;
	return -ENOSPC;
}

static const struct file_ops full_ops = {
	.read = zero_read, .write = full_write, .lseek = dev_lseek, .stat = dev_stat,
	.getdents64 = file_op_enotdir, .ioctl = file_op_enotty, .release = file_op_norelease,
};

static const struct file_ops zero_ops = {
	.read = zero_read, .write = null_write, .lseek = dev_lseek, .stat = dev_stat,
	.getdents64 = file_op_enotdir, .ioctl = file_op_enotty, .release = file_op_norelease,
};

/* Major 1, Linux's memory devices: the minor picks the variant. */
static const struct file_ops *const mem_minors[] = {
	[3] = &null_ops, [5] = &zero_ops, [7] = &full_ops, [8] = &random_ops, [9] = &random_ops,
};

static int open_mem(rid_t node, uint32_t minor, int flags, struct file **out)
{
	if (minor >= sizeof(mem_minors) / sizeof(mem_minors[0]) || !mem_minors[minor])
		return -ENXIO;
	return file_alloc(mem_minors[minor], flags, node, out);
}

/* Major 5: minor 0 is /dev/tty, 1 /dev/console; both the serial console here. */
static int open_tty(rid_t node, uint32_t minor, int flags, struct file **out)
{
	return minor <= 1 ? file_open_console_node(node, flags, out) : -ENXIO;
}

/* A virtio disk: a unit per DEV_VIRTBLK_MINORS minors (partitions are not served). */
static int open_virtblk(rid_t node, uint32_t minor, int flags, struct file **out)
{
	(void)minor;
	return file_open_blk(node, flags, out);
}

/* The device switches, indexed by major number; a NULL entry is a number no driver has. */
typedef int (*dev_open_fn)(rid_t node, uint32_t minor, int flags, struct file **out);
static const dev_open_fn chr_majors[] = { [1] = open_mem, [5] = open_tty };
static const dev_open_fn blk_majors[] = { [DEV_VIRTBLK_MAJOR] = open_virtblk };

int file_open_device(rid_t node, int flags, struct file **out)
{
	uint32_t rdev = plate_rdev(node), major = linux_dev_major(rdev);
	bool blk = (plate_mode(node) & L_S_IFMT) == L_S_IFBLK;
	const dev_open_fn *sw = blk ? blk_majors : chr_majors;
	size_t n = blk ? sizeof(blk_majors) / sizeof(blk_majors[0])
		       : sizeof(chr_majors) / sizeof(chr_majors[0]);
	if (major >= n || !sw[major])
		return -ENXIO;
	return sw[major](node, linux_dev_minor(rdev), flags, out);
}
