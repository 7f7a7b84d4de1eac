/* The console of a process that came from another node (see file.h, docs/migration.md): what
 * it writes is carried to its home node's console by the node server (TFN_NODE_CONS, in
 * pieces of one datagram), as Sprite and MOSIX forward location-dependent calls, so its
 * output appears where it was started, in order. Each write waits for the home's answer,
 * and only a kill ends that wait: a write interrupted by a signal or a migration and run
 * again would print twice. It answers the terminal ioctls as the console does (programs
 * still see a terminal and keep their line buffering); reading gives end of file. */
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

#define RCONS_PIECE 1024          /* fits one datagram between node servers */

struct rcons {
	uint32_t home_node;
	int home_pid;
	rid_t area;                   /* kernel-held ICA of one page, made at the first write */
	void *kva;
	bool busy;                    /* one write at a time: the pieces must not interleave */
};

static long rcons_read(struct file *f, void *ubuf, size_t n)
{
	(void)f, (void)ubuf, (void)n;
	return 0;
}

static int area(struct rcons *r)
{
	return r->area || !ica_create_kernel(1, &r->area, &r->kva) ? 0 : -ENOMEM;
}

/* The home's answer to n bytes in the area. */
static long send_area(struct rcons *r, size_t n)
{
	struct t_msg m = { .fn = TFN_NODE_CONS, .data = r->area,
			   .arg = { r->home_node, (uint64_t)r->home_pid, n } };
	int err = srv_call_kernel_patient(&m);
	if (err == -EINTR) {                  /* killed: the ICA comes back to be freed */
		ica_free_kernel(r->area);
		r->area = 0;
	}
	return err ? (err == -ENOENT ? -EIO : err) : (long)n;
}

/* Buffers of total bytes (at most a piece) copied into the area and sent as one. */
static long gather(struct rcons *r, const struct linux_iovec *iov, int n, uint64_t total)
{
	size_t at = 0;
	int err = area(r);
	for (int i = 0; i < n && !err; i++) {
		err = copy_from_user((char *)r->kva + at, (const void *)iov[i].base, iov[i].len);
		at += iov[i].len;
	}
	return err ? err : send_area(r, total);
}

static long send_piece(struct rcons *r, const char *ubuf, size_t n)
{
	if (area(r))
		return -ENOMEM;
	if (copy_from_user(r->kva, ubuf, n))
		return -EFAULT;
	return send_area(r, n);
}

static long rcons_write(struct file *f, const void *ubuf, size_t n)
{
	struct rcons *r = f->priv;
	size_t done = 0;
	while (r->busy)
		sleep_on(r, 0);
	r->busy = true;
	while (done < n) {
		size_t piece = n - done < RCONS_PIECE ? n - done : RCONS_PIECE;
		long w = send_piece(r, (const char *)ubuf + done, piece);
		if (w < 0) {
			done = done ? done : (size_t)w;
			break;
		}
		done += (size_t)w;
	}
	r->busy = false;
	wakeup(r);
	return (long)done;
}

/* A writev whose buffers fit one message goes as one message (musl's printf writes a line
 * as two buffers: another process's output must not come between them); a longer one goes
 * buffer by buffer. */
static long rcons_writev(struct file *f, const struct linux_iovec *iov, int n)
{
	struct rcons *r = f->priv;
	uint64_t total = 0;
	long done = 0;
	for (int i = 0; i < n; i++)
		total += iov[i].len;
	if (total > RCONS_PIECE) {
		for (int i = 0; i < n; i++) {
			long w = rcons_write(f, (const void *)iov[i].base, iov[i].len);
			if (w < 0)
				return done ? done : w;
			done += w;
			if ((uint64_t)w < iov[i].len)
				break;
		}
		return done;
	}
	while (r->busy)
		sleep_on(r, 0);
	r->busy = true;
	done = gather(r, iov, n, total);
	r->busy = false;
	wakeup(r);
	return done;
}

static int rcons_stat(struct file *f, struct linux_stat *st)
{
	rid_t node;
	(void)f;
	if (plate_lookup_path("/dev/console", &node))
		return -ENXIO;
	return plate_stat(node, st);
}

static long rcons_ioctl(struct file *f, unsigned long req, uint64_t arg)
{
	/* a plain cooked terminal, as the console first reports itself */
	static const struct linux_termios t = {
		.c_iflag = 0x100, .c_oflag = 0x1 | 0x4, .c_cflag = 0xf | 0x30 | 0x80,
		.c_lflag = 0x1 | 0x2 | 0x8 | 0x10 | 0x20 | 0x8000 | 0x200 | 0x800,
	};
	static const struct linux_winsize ws = { .ws_row = 24, .ws_col = 80 };
	(void)f;
	switch (req) {
	case L_TCGETS:
		return copy_to_user((void *)arg, &t, sizeof(t));
	case L_TIOCGWINSZ:
		return copy_to_user((void *)arg, &ws, sizeof(ws));
	case L_TCSETS:
	case L_TCSETSW:
	case L_TCSETSF:
		return 0;                     /* the home's console keeps its own settings */
	default:
		return -ENOTTY;
	}
}

static unsigned rcons_poll(struct file *f)
{
	(void)f;
	return L_POLLIN | L_POLLOUT;          /* a read gives end of file at once */
}

static void rcons_release(struct file *f)
{
	struct rcons *r = f->priv;
	if (r->area)
		ica_free_kernel(r->area);
	kfree(r);
}

static const struct file_ops rcons_ops = {
	.poll = rcons_poll,
	.read = rcons_read,
	.write = rcons_write,
	.lseek = file_op_espipe,
	.stat = rcons_stat,
	.getdents64 = file_op_enotdir,
	.ioctl = rcons_ioctl,
	.release = rcons_release,
	.writev = rcons_writev,
};

bool file_is_rcons(const struct file *f)
{
	return f->ops == &rcons_ops;
}

int file_open_rcons(uint32_t home_node, int home_pid, struct file **out)
{
	struct rcons *r = kmalloc(sizeof(*r));
	if (!r)
		return -ENOMEM;
	*r = (struct rcons){ .home_node = home_node, .home_pid = home_pid };
	int err = file_alloc(&rcons_ops, L_O_RDWR, 0, out);
	if (err) {
		kfree(r);
		return err;
	}
	(*out)->priv = r;
	return 0;
}
