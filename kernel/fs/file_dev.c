/* Device-node plates: opening one picks the file variant by its device number, as a Unix
 * character-device switch does (the list is kernel/fs/devices.def). Here are /dev/null,
 * /dev/zero, /dev/random and /dev/urandom; the console variant is in file_console.c. */
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

static const struct file_ops zero_ops = {
	.read = zero_read, .write = null_write, .lseek = dev_lseek, .stat = dev_stat,
	.getdents64 = file_op_enotdir, .ioctl = file_op_enotty, .release = file_op_norelease,
};

static int open_null(rid_t node, int flags, struct file **out)
{
	return file_alloc(&null_ops, flags, node, out);
}

static int open_zero(rid_t node, int flags, struct file **out)
{
	return file_alloc(&zero_ops, flags, node, out);
}

static int open_random(rid_t node, int flags, struct file **out)
{
	return file_alloc(&random_ops, flags, node, out);
}

static const struct {
	uint32_t rdev;
	int (*open)(rid_t node, int flags, struct file **out);
} devices[] = {
#define DEVICE(path, rdev, perm, open) { rdev, open },
#include "kernel/fs/devices.def"
#undef DEVICE
};

int file_open_device(rid_t node, int flags, struct file **out)
{
	uint32_t rdev = plate_rdev(node);
	for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++)
		if (devices[i].rdev == rdev)
			return devices[i].open(node, flags, out);
	return -ENXIO;
}
