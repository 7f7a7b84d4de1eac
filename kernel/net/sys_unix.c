/* The argument side of unix domain sockets (unix.h): socketpair(2), and the conversion of
 * struct sockaddr_un in and out for the socket calls of sys_sock.c. */
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/fs/file.h"
#include "kernel/lib/string.h"
#include "kernel/mm/uaccess.h"
#include "kernel/net/sock.h"
#include "kernel/net/sock_int.h"
#include "kernel/net/unix.h"
#include "kernel/proc/proc.h"
#include "kernel/sys/syscall.h"
#include "kernel/sys/sysarg.h"

#define L_AF_UNSPEC 0

struct l_sockaddr_un {
	uint16_t family;
	char path[UX_PATH_MAX + 1];   /* one more: a path of 108 bytes reads back with its 0 */
};

int uxs_get_addr(uint64_t uaddr, uint64_t len, bool unspec, struct ux_addr *out)
{
	struct l_sockaddr_un sa;
	if (len < sizeof(sa.family) || len > sizeof(sa.family) + UX_PATH_MAX)
		return -EINVAL;
	memset(&sa, 0, sizeof(sa));
	if (copy_from_user(&sa, (const void *)uaddr, (size_t)len))
		return -EFAULT;
	out->len = 0;
	if (sa.family == L_AF_UNSPEC && unspec)
		return 0;
	if (sa.family != L_AF_UNIX)
		return -EINVAL;
	size_t n = (size_t)len - sizeof(sa.family);
	if (n && sa.path[0] != '\0')
		n = strnlen(sa.path, n);          /* a path ends at its first 0 byte, or at len */
	out->len = (uint8_t)n;
	memcpy(out->path, sa.path, n);
	out->path[n] = '\0';
	return 0;
}

int uxs_put_name(uint64_t uaddr, uint64_t ulen, const struct ux_addr *a, bool bare)
{
	struct l_sockaddr_un sa = { L_AF_UNIX, { 0 } };
	size_t size = sizeof(sa.family) + a->len + (a->len && a->path[0] ? 1 : 0);
	memcpy(sa.path, a->path, a->len);
	if (!a->len && !bare)
		size = 0;
	return sys_sock_put_raw(uaddr, ulen, &sa, size);
}

/* Both descriptors, or neither. */
static long install_pair(struct file *x, struct file *y, int flags, int fds[2])
{
	struct fdtable *t = &proc_cur()->fds;
	fds[0] = fd_install(t, 0, x, flags & L_SOCK_CLOEXEC);
	if (fds[0] < 0) {
		file_put(x);
		file_put(y);
		return fds[0];
	}
	fds[1] = fd_install(t, 0, y, flags & L_SOCK_CLOEXEC);
	if (fds[1] < 0) {
		file_put(y);
		fd_close(t, fds[0]);
		return fds[1];
	}
	return 0;
}

long sys_socketpair(const struct sysargs *a)
{
	int type = (int)a->a[1], flags = type & (L_SOCK_NONBLOCK | L_SOCK_CLOEXEC), fds[2];
	struct file *x, *y;
	if (a->a[1] > (uint64_t)INT32_MAX || (type & ~(L_SOCK_NONBLOCK | L_SOCK_CLOEXEC | 0xf)))
		return -EINVAL;
	if (a->a[0] != L_AF_UNIX)
		return a->a[0] == L_AF_INET ? -EOPNOTSUPP : -EAFNOSUPPORT;
	if (sysarg_out(a->a[3], sizeof(fds)))
		return -EFAULT;
	if (fd_free_count(&proc_cur()->fds) < 2)
		return -EMFILE;
	int err = ux_pair(type & 0xf, (int)a->a[2], flags & L_SOCK_NONBLOCK, &x, &y);
	long r = err ? err : install_pair(x, y, flags, fds);
	if (r)
		return r;
	if (copy_to_user((void *)a->a[3], fds, sizeof(fds))) {
		fd_close(&proc_cur()->fds, fds[0]);
		fd_close(&proc_cur()->fds, fds[1]);
		return -EFAULT;
	}
	return 0;
}
