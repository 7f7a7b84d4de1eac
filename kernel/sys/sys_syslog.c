/*
 * syslog(2) (glibc and busybox call it klogctl): what dmesg reads the kernel's messages with.
 * Reading the whole log and its size is open to every user (Linux with dmesg_restrict=0);
 * taking messages off it, clearing it and the console level are root's (CAP_SYSLOG).
 */
#include "kernel/sys/syslog.h"
#include "abi/errno.h"
#include "arch/cpu.h"
#include "arch/timer.h"
#include "kernel/lib/klog.h"
#include "kernel/lib/kprintf.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/signal.h"
#include "kernel/sys/syscall.h"

enum {
	SL_CLOSE, SL_OPEN, SL_READ, SL_READ_ALL, SL_READ_CLEAR, SL_CLEAR, SL_CONSOLE_OFF,
	SL_CONSOLE_ON, SL_CONSOLE_LEVEL, SL_SIZE_UNREAD, SL_SIZE_BUFFER, SL_NACTIONS
};

#define READ_POLL_NS 100000000ull     /* a waiting READ looks again every 100 ms */
#define LEVEL_DEFAULT 7               /* Linux's default console_loglevel */

static int console_level = LEVEL_DEFAULT;

/* Interrupt handlers print too: the log changes with interrupts off. */
static void log_bytes(const char *s, size_t n)
{
	uint64_t f = irq_save();
	klog_append(s, n);
	irq_restore(f);
}

void syslog_init(void)
{
	klog_reset(time_ns);
	kprintf_log = log_bytes;
}

/* Messages reach the console while their level (always KLOG_LEVEL) is below the console's
 * level, as on Linux; the log keeps them either way. */
static void set_console_level(int level)
{
	console_level = level;
	kprintf_console_quiet = KLOG_LEVEL >= level;
}

/* READ blocks until there is something to take (or a signal comes). */
static long read_log(char *kbuf, size_t len)
{
	for (;;) {
		uint64_t f = irq_save();
		size_t n = klog_read(kbuf, len);
		irq_restore(f);
		if (n)
			return (long)n;
		sleep_on(&console_level, time_ns() + READ_POLL_NS);
		struct proc *cur = proc_cur();
		if (cur && proc_aborting(cur))
			return -ERESTARTSYS;
	}
}

static long read_action(int type, void *ubuf, size_t len)
{
	if (len > KLOG_SIZE)
		len = KLOG_SIZE;
	char *kbuf = kbig_alloc(len);
	if (!kbuf)
		return -ENOMEM;
	long n;
	if (type == SL_READ) {
		n = read_log(kbuf, len);
	} else {
		uint64_t f = irq_save();
		n = (long)klog_read_all(kbuf, len, type == SL_READ_CLEAR);
		irq_restore(f);
	}
	if (n > 0 && copy_to_user(ubuf, kbuf, (size_t)n))
		n = -EFAULT;
	kbig_free(kbuf, len);
	return n;
}

static bool privileged(int type)
{
	return type == SL_READ_ALL || type == SL_SIZE_BUFFER || proc_cur()->cred.uid == 0;
}

long sys_syslog(const struct sysargs *a)
{
	int type = (int)a->a[0];
	int64_t len = (int32_t)a->a[2];
	if (type < 0 || type >= SL_NACTIONS)
		return -EINVAL;
	if (!privileged(type))
		return -EPERM;
	switch (type) {
	case SL_READ:
	case SL_READ_ALL:
	case SL_READ_CLEAR:
		if (!a->a[1] || len < 0)
			return -EINVAL;
		if (len == 0)
			return 0;
		if (!user_range_ok(a->a[1], (size_t)len))
			return -EFAULT;
		return read_action(type, (void *)a->a[1], (size_t)len);
	case SL_CLEAR: {
		uint64_t f = irq_save();
		klog_clear();
		irq_restore(f);
		return 0;
	}
	case SL_CONSOLE_OFF:
		set_console_level(1);     /* Linux's minimum_console_loglevel */
		return 0;
	case SL_CONSOLE_ON:
		set_console_level(LEVEL_DEFAULT);
		return 0;
	case SL_CONSOLE_LEVEL:
		if (len < 1 || len > 8)
			return -EINVAL;
		set_console_level((int)len);
		return 0;
	case SL_SIZE_UNREAD:
		return (long)klog_unread();
	case SL_SIZE_BUFFER:
		return KLOG_SIZE;
	default:                          /* CLOSE, OPEN */
		return 0;
	}
}
