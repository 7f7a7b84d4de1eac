/* The console variant of open files: the serial terminal of kernel/dev/console, reached
 * through a small bounce buffer because the console driver works on kernel memory. Also the
 * terminal ioctls that musl and busybox use (isatty is TIOCGWINSZ; raw mode is TCSETS). */
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/dev/console.h"
#include "kernel/fs/file.h"
#include "kernel/fs/plate.h"
#include "kernel/lib/string.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"

#define CHUNK 256
#define LFLAG_CONSOLE (0x2u | 0x8u)                       /* ICANON | ECHO: the driver's */

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
	termios = t;
	console_set_lflag(t.c_lflag & LFLAG_CONSOLE);
	return 0;
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
	case L_TIOCGPGRP: {
		int32_t pg = console_get_fg();
		return copy_to_user((void *)arg, &pg, sizeof(pg));
	}
	case L_TIOCSPGRP: {
		int32_t pg;
		if (copy_from_user(&pg, (const void *)arg, sizeof(pg)))
			return -EFAULT;
		if (pg < 0 || (pg && !proc_by_pid(pg)))
			return -EPERM;
		console_set_fg(pg);
		return 0;
	}
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

int file_open_console_node(rid_t node, int flags, struct file **out)
{
	return file_alloc(&console_ops, flags, node, out);
}
