/* Checked access to user memory (see uaccess.h). The range is checked against USER_TOP
 * here; whether it is mapped with the needed rights is left to the MMU: the copies
 * (arch/x86_64/uaccess.S) run with the caller's space active, a demand-zero page faults in
 * as it would for the program, and any other fault in them becomes -EFAULT (trap.c). This
 * relies on every present page below USER_TOP being a user page (vattach.c refuses kernel
 * attachments there), so a user pointer can never reach kernel-only memory. */
#include "kernel/mm/uaccess.h"
#include "abi/errno.h"
#include "arch/paging.h"
#include "arch/uaccess.h"
#include "kernel/lib/string.h"
#include "kernel/proc/exec.h"

int user_range_ok(uint64_t uaddr, size_t n)
{
	return uaddr + n >= uaddr && uaddr + n <= USER_TOP;
}

#define KBUF_WINDOWS 16
static struct kbuf {
	rid_t exec;                 /* 0: free */
	uint64_t lo, hi;
} windows[KBUF_WINDOWS];

/* Whether [a, a+n) lies in a window of the current execution. */
static bool in_window(uint64_t a, size_t n)
{
	rid_t me = exec_cur();
	for (int i = 0; me && i < KBUF_WINDOWS; i++)
		if (windows[i].exec == me && a >= windows[i].lo && a + n >= a && a + n <= windows[i].hi)
			return true;
	return false;
}

void uaccess_kbuf_begin(void *buf, size_t n)
{
	for (;;) {
		for (int i = 0; i < KBUF_WINDOWS; i++) {
			if (!windows[i].exec) {
				windows[i] = (struct kbuf){ exec_cur(), (uint64_t)buf, (uint64_t)buf + n };
				return;
			}
		}
		sleep_on(windows, 0);
	}
}

void uaccess_kbuf_end(void *buf)
{
	for (int i = 0; i < KBUF_WINDOWS; i++)
		if (windows[i].exec == exec_cur() && windows[i].lo == (uint64_t)buf)
			windows[i].exec = 0;
	wakeup(windows);
}

int copy_from_user(void *dst, const void *usrc, size_t n)
{
	if (in_window((uint64_t)usrc, n)) {
		memcpy(dst, usrc, n);
		return 0;
	}
	if (!user_range_ok((uint64_t)usrc, n))
		return -EFAULT;
	return n ? uaccess_copy(dst, usrc, n) : 0;
}

int copy_to_user(void *udst, const void *src, size_t n)
{
	if (in_window((uint64_t)udst, n)) {
		memcpy(udst, src, n);
		return 0;
	}
	if (!user_range_ok((uint64_t)udst, n))
		return -EFAULT;
	return n ? uaccess_copy(udst, src, n) : 0;
}

long strncpy_from_user(char *dst, const char *usrc, size_t max)
{
	uint64_t va = (uint64_t)usrc;
	if (va >= USER_TOP)
		return -EFAULT;
	/* a string running into USER_TOP without its NUL is a bad pointer, not a long name */
	size_t room = USER_TOP - va;
	long n = uaccess_strncpy(dst, usrc, max < room ? max : room);
	return n == -ENAMETOOLONG && room < max ? -EFAULT : n;
}

long strnlen_user(const char *usrc, size_t max)
{
	uint64_t va = (uint64_t)usrc;
	if (va >= USER_TOP)
		return -EFAULT;
	size_t room = USER_TOP - va;
	long n = uaccess_strnlen(usrc, max < room ? max : room);
	return n == -ENAMETOOLONG && room < max ? -EFAULT : n;
}
