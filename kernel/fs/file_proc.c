/* Open files of /proc (procfs.h). Like Linux's seq_file: the content is generated whole when a
 * read starts at offset 0 (or the first read starts elsewhere), kept with the open file, and
 * later reads at other offsets take the rest of that same snapshot. So a reader that reads in
 * small pieces sees one consistent text, any offset or size is answered from it (past its end:
 * nothing), and a reader that seeks back to 0 and reads again (as top does) sees fresh values.
 * When the process of a per-process file is gone, a read that would generate says -ESRCH. */
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/fs/file.h"
#include "kernel/fs/plate.h"
#include "kernel/fs/procfs.h"
#include "kernel/fs/ptext.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"

struct procfile {
	struct procfs_node node;
	struct ptext text;
	bool have;               /* text holds a snapshot */
};

static long read_at(struct file *f, void *ubuf, size_t n, uint64_t off)
{
	struct procfile *pf = f->priv;
	size_t done = 0;
	if (off == 0 || !pf->have) {
		int err = procfs_generate(&pf->node, &pf->text);
		if (err)
			return err;
		pf->have = true;
	}
	while (done < n && off + done < pf->text.len) {
		const void *src;
		size_t chunk = ptext_span(&pf->text, (size_t)(off + done), &src);
		if (chunk > n - done)
			chunk = n - done;
		if (copy_to_user((char *)ubuf + done, src, chunk))
			return done ? (long)done : -EFAULT;
		done += chunk;
	}
	return (long)done;
}

static long proc_read(struct file *f, void *ubuf, size_t n)
{
	long r = read_at(f, ubuf, n, f->off);
	if (r > 0)
		f->off += (uint64_t)r;
	return r;
}

static long proc_write(struct file *f, const void *ubuf, size_t n)
{
	(void)f, (void)ubuf, (void)n;
	return -EINVAL;
}

/* From the start or the current offset only: the end of generated text is not known. */
static long proc_lseek(struct file *f, int64_t off, int whence)
{
	int64_t base = whence == L_SEEK_SET ? 0 : whence == L_SEEK_CUR ? (int64_t)f->off : -1;
	if (base < 0 || (off > 0 && base > INT64_MAX - off) || base + off < 0)
		return -EINVAL;
	f->off = (uint64_t)(base + off);
	return (long)f->off;
}

static int proc_stat(struct file *f, struct linux_stat *st)
{
	return plate_stat(f->plate, st);
}

static long proc_pio(struct file *f, void *ubuf, size_t n, uint64_t off, bool write)
{
	return write ? -EINVAL : read_at(f, ubuf, n, off);
}

static void proc_release(struct file *f)
{
	struct procfile *pf = f->priv;
	ptext_free(&pf->text);
	kfree(pf);
}

static const struct file_ops proc_ops = {
	.read = proc_read, .write = proc_write, .lseek = proc_lseek, .stat = proc_stat,
	.getdents64 = file_op_enotdir, .ioctl = file_op_enotty, .release = proc_release,
	.pio = proc_pio,
};

int file_open_proc(rid_t plate, int flags, struct file **out)
{
	struct procfile *pf = kzalloc(sizeof(*pf));
	if (!pf)
		return -ENOMEM;
	int err = plate_proc_node(plate, &pf->node);
	if (!err)
		err = file_alloc(&proc_ops, flags, plate, out);
	if (err) {
		kfree(pf);
		return err;
	}
	ptext_init(&pf->text);
	(*out)->priv = pf;
	return 0;
}
