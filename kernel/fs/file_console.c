/* The console variant of open files: the serial terminal of kernel/dev/console, reached
 * through a small bounce buffer because the console driver works on kernel memory. Also the
 * terminal ioctls that musl and busybox use (isatty is TIOCGWINSZ; raw mode is TCSETS), and
 * those of job control, with the background checks (kernel/proc/ctty.h). */
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/dev/console.h"
#include "kernel/fs/file.h"
#include "kernel/fs/plate.h"
#include "kernel/lib/string.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/ctty.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/signal.h"

#define CHUNK 256
#define LFLAG_CONSOLE (0x1u | 0x2u | 0x8u | 0x100u)   /* ISIG ICANON ECHO TOSTOP: the driver's */
#define L_TOSTOP 0x100u
#define VINTR 0
#define VQUIT 1
#define VSUSP 10

/* What TCGETS reports besides the driver's own bits, as last set by TCSETS: the console has
 * one set of terminal settings, whoever opened it. Initially a sane cooked terminal:
 * ICRNL; OPOST|ONLCR; B38400|CS8|CREAD; ISIG|ICANON|ECHO|ECHOE|ECHOK|IEXTEN|ECHOCTL|ECHOKE. */
static struct linux_termios termios = {
	.c_iflag = 0x100,
	.c_oflag = 0x1 | 0x4,
	.c_cflag = 0xf | 0x30 | 0x80,
	.c_lflag = 0x1 | 0x2 | 0x8 | 0x10 | 0x20 | 0x8000 | 0x200 | 0x800,
	.c_cc = { 3, 0x1c, 0x7f, 0x15, 4, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0x0f, 0x17, 0x16 },
};

static long con_read(struct file *f, void *ubuf, size_t n)
{
	char buf[CHUNK];
	(void)f;
	int err = ctty_check(proc_cur(), L_SIGTTIN);    /* a background reader stops */
	if (err)
		return err;
	if (n == 0)
		return 0;
	/* one chunk only: a second console_read could block with data already in hand */
	long got = console_read(buf, n < CHUNK ? n : CHUNK);
	if (got <= 0)
		return got;
	if (copy_to_user(ubuf, buf, (size_t)got))
		return -EFAULT;
	return got;
}

static long con_write(struct file *f, const void *ubuf, size_t n)
{
	char buf[CHUNK];
	size_t done = 0;
	(void)f;
	if (console_get_lflag() & L_TOSTOP) {
		int err = ctty_check(proc_cur(), L_SIGTTOU);
		if (err)
			return err;
	}
	while (done < n) {
		size_t chunk = n - done < CHUNK ? n - done : CHUNK;
		if (copy_from_user(buf, (const char *)ubuf + done, chunk))
			return done ? (long)done : -EFAULT;
		long w = console_write(buf, chunk);
		if (w < 0)
			return done ? (long)done : w;
		done += (size_t)w;
		if ((size_t)w < chunk)
			break;
	}
	return (long)done;
}

static int con_stat(struct file *f, struct linux_stat *st)
{
	rid_t node = f->plate;
	if (!node && plate_lookup_path("/dev/console", &node))
		return -ENXIO;
	return plate_stat(node, st);
}

static long get_termios(uint64_t arg)
{
	struct linux_termios t = termios;
	t.c_lflag = (t.c_lflag & ~LFLAG_CONSOLE) | (console_get_lflag() & LFLAG_CONSOLE);
	return copy_to_user((void *)arg, &t, sizeof(t));
}

static long set_termios(uint64_t arg)
{
	struct linux_termios t;
	if (copy_from_user(&t, (const void *)arg, sizeof(t)))
		return -EFAULT;
	int err = ctty_check(proc_cur(), L_SIGTTOU);   /* as Linux: background changes stop */
	if (err)
		return err;
	termios = t;
	console_set_lflag(t.c_lflag & LFLAG_CONSOLE);
	console_set_cc(t.c_cc[VINTR], t.c_cc[VQUIT], t.c_cc[VSUSP]);
	return 0;
}

/* The job-control ioctls (ctty.h): the answers come in *val, copied out by the caller. */
static long job_ioctl(unsigned long req, uint64_t arg)
{
	struct proc *p = proc_cur();
	int32_t v = 0;
	int err;
	if (!p)
		return -ENOTTY;
	switch (req) {
	case L_TIOCSCTTY:
		return ctty_set(p, arg == 1);
	case L_TIOCNOTTY:
		return ctty_notty(p);
	case L_TIOCSPGRP:
		if (copy_from_user(&v, (const void *)arg, sizeof(v)))
			return -EFAULT;
		return ctty_set_pgrp(p, v);
	case L_TIOCGPGRP:
		err = ctty_get_pgrp(p, &v);
		break;
	default:
		err = ctty_get_sid(p, &v);
		break;
	}
	return err ? err : copy_to_user((void *)arg, &v, sizeof(v));
}

static long con_ioctl(struct file *f, unsigned long req, uint64_t arg)
{
	static const struct linux_winsize ws = { .ws_row = 24, .ws_col = 80 };
	(void)f;
	switch (req) {
	case L_TCGETS:
		return get_termios(arg);
	case L_TCSETS:
	case L_TCSETSW:
	case L_TCSETSF:
		return set_termios(arg);
	case L_TIOCGWINSZ:
		return copy_to_user((void *)arg, &ws, sizeof(ws));
	case L_TIOCSCTTY:
	case L_TIOCNOTTY:
	case L_TIOCSPGRP:
	case L_TIOCGPGRP:
	case L_TIOCGSID:
		return job_ioctl(req, arg);
	default:
		return -ENOTTY;
	}
}

static unsigned con_poll(struct file *f)
{
	(void)f;
	return L_POLLOUT | (console_readable() ? L_POLLIN : 0);
}

static const struct file_ops console_ops = {
	.poll = con_poll,
	.read = con_read,
	.write = con_write,
	.lseek = file_op_espipe,
	.stat = con_stat,
	.getdents64 = file_op_enotdir,
	.ioctl = con_ioctl,
	.release = file_op_norelease,
};

bool file_is_console(const struct file *f)
{
	return f->ops == &console_ops;
}

int file_open_console(struct file **out)
{
	return file_alloc(&console_ops, L_O_RDWR, 0, out);
}

/* Opening /dev/console without O_NOCTTY makes it the controlling terminal of a session
 * leader that has none (/dev/tty names the caller's own terminal and never does). */
int file_open_console_node(rid_t node, int flags, struct file **out)
{
	int err = file_alloc(&console_ops, flags, node, out);
	if (!err && !(flags & L_O_NOCTTY) && plate_rdev(node) == linux_makedev(5, 1) && proc_cur())
		ctty_opened(proc_cur());
	return err;
}
