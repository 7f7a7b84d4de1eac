/* The Linux socket calls (41-55, 288): each fetches and checks its arguments (descriptors,
 * socket addresses, iovecs, message headers, option values), then calls sock.h. Nothing
 * changes before every argument is known good, except what only a result can show (the
 * address a recvfrom writes). */
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/fs/file.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/net/nlink.h"
#include "kernel/net/sock.h"
#include "kernel/net/sock_int.h"
#include "kernel/net/unix.h"
#include "kernel/proc/proc.h"
#include "kernel/sys/syscall.h"
#include "kernel/sys/sysarg.h"

#define IOV_MAX 1024

struct l_sockaddr_in {
	uint16_t family;
	uint16_t port;          /* network byte order */
	uint32_t addr;          /* network byte order */
	uint8_t zero[8];
};

struct l_sockaddr_nl {
	uint16_t family;
	uint16_t pad;
	uint32_t pid;
	uint32_t groups;
};

#define L_SOL_NETLINK 270
#define L_SO_SNDBUF 7
#define L_SO_RCVBUF 8

struct l_msghdr {
	uint64_t name;
	uint32_t namelen, pad0;
	uint64_t iov, iovlen, control, controllen;
	int32_t flags, pad1;
};

static uint32_t swap32(uint32_t v)
{
	return __builtin_bswap32(v);
}

static uint16_t swap16(uint16_t v)
{
	return __builtin_bswap16(v);
}

static int get_sock(uint64_t fd, struct file **out)
{
	if (fd > (uint64_t)INT32_MAX)
		return -EBADF;
	int err = fd_get(&proc_cur()->fds, (int)fd, out);
	return err ? err : sock_is(*out) ? 0 : nl_is(*out) || ux_is(*out) ? -EOPNOTSUPP : -ENOTSOCK;
}

/* Whether fd is a unix domain socket (*out). */
static bool get_ux(uint64_t fd, struct file **out)
{
	return fd <= (uint64_t)INT32_MAX && !fd_get(&proc_cur()->fds, (int)fd, out) &&
	       ux_is(*out);
}

/* Whether fd is a netlink socket (*out), for the calls that have a netlink variant. */
static bool get_nl(uint64_t fd, struct file **out)
{
	return fd <= (uint64_t)INT32_MAX && !fd_get(&proc_cur()->fds, (int)fd, out) &&
	       nl_is(*out);
}

/* A netlink address argument: its port id (groups, the multicast events, are not done). */
static int get_nladdr(uint64_t uaddr, uint64_t len, uint32_t *pid)
{
	struct l_sockaddr_nl sa;
	if (len < sizeof(sa) || len > 128)
		return -EINVAL;
	if (copy_from_user(&sa, (const void *)uaddr, sizeof(sa)))
		return -EFAULT;
	if (sa.family != L_AF_NETLINK)
		return -EINVAL;
	if (sa.groups)
		return -EOPNOTSUPP;
	*pid = sa.pid;
	return 0;
}

static int get_addr(uint64_t uaddr, uint64_t len, struct sock_addr *a)
{
	struct l_sockaddr_in sa;
	if (len < sizeof(sa) || len > 128)
		return -EINVAL;
	if (copy_from_user(&sa, (const void *)uaddr, sizeof(sa)))
		return -EFAULT;
	if (sa.family != L_AF_INET)
		return -EAFNOSUPPORT;
	a->addr = swap32(sa.addr);
	a->port = swap16(sa.port);
	return 0;
}

/* A value-result address argument: checks it now (NULL uaddr: not wanted). */
int sys_sock_check_name(uint64_t uaddr, uint64_t ulen)
{
	int32_t len;
	if (!uaddr)
		return 0;
	if (copy_from_user(&len, (const void *)ulen, sizeof(len)))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	if (!user_range_ok(uaddr, (size_t)len) || sysarg_out(ulen, sizeof(len)))
		return -EFAULT;
	return 0;
}

/* A value-result address (checked by check_name): as much of sa as fits, the full size. */
int sys_sock_put_raw(uint64_t uaddr, uint64_t ulen, const void *sa, size_t size)
{
	int32_t len, full = (int32_t)size;
	if (!uaddr)
		return 0;
	if (copy_from_user(&len, (const void *)ulen, sizeof(len)))
		return -EFAULT;
	if (copy_to_user((void *)uaddr, sa, (size_t)len < size ? (size_t)len : size))
		return -EFAULT;
	return copy_to_user((void *)ulen, &full, sizeof(full));
}

static int put_name(uint64_t uaddr, uint64_t ulen, const struct sock_addr *a)
{
	struct l_sockaddr_in sa = { L_AF_INET, swap16(a->port), swap32(a->addr), { 0 } };
	return sys_sock_put_raw(uaddr, ulen, &sa, sizeof(sa));
}

/* A netlink address: the kernel's (pid 0) or the socket's own. */
static int put_nlname(uint64_t uaddr, uint64_t ulen, uint32_t pid)
{
	struct l_sockaddr_nl sa = { L_AF_NETLINK, 0, pid, 0 };
	return sys_sock_put_raw(uaddr, ulen, &sa, sizeof(sa));
}

/* A kernel copy of a user iovec array (*out, kfree it): -EFAULT, -EINVAL, -EMSGSIZE. */
static int get_iov(uint64_t uiov, uint64_t cnt, struct linux_iovec **out)
{
	if (cnt > IOV_MAX)
		return -EMSGSIZE;
	struct linux_iovec *v = kmalloc(cnt ? cnt * sizeof(*v) : 1);
	uint64_t total = 0;
	if (!v)
		return -ENOMEM;
	int err = copy_from_user(v, (const void *)uiov, cnt * sizeof(*v));
	for (uint64_t i = 0; !err && i < cnt; i++) {
		if (v[i].len > (uint64_t)INT64_MAX - total)
			err = -EINVAL;
		else if (!user_range_ok(v[i].base, v[i].len))
			err = -EFAULT;
		total += v[i].len;
	}
	if (err)
		kfree(v);
	else
		*out = v;
	return err;
}

long sys_sock_install(struct file *f, int flags)
{
	int fd = fd_install(&proc_cur()->fds, 0, f, flags & L_SOCK_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

long sys_socket(const struct sysargs *a)
{
	int type = (int)a->a[1], flags = type & (L_SOCK_NONBLOCK | L_SOCK_CLOEXEC);
	struct file *f;
	if (a->a[1] > (uint64_t)INT32_MAX || (type & ~(L_SOCK_NONBLOCK | L_SOCK_CLOEXEC | 0xf)))
		return -EINVAL;
	if (!fd_free_count(&proc_cur()->fds))
		return -EMFILE;
	int err = a->a[0] == L_AF_NETLINK
			  ? nl_create(type & 0xf, (int)a->a[2], flags & L_SOCK_NONBLOCK, &f)
		  : a->a[0] == L_AF_UNIX
			  ? ux_create(type & 0xf, (int)a->a[2], flags & L_SOCK_NONBLOCK, &f)
			  : sock_create((int)a->a[0], type & 0xf, (int)a->a[2], flags & L_SOCK_NONBLOCK, &f);
	return err ? err : sys_sock_install(f, flags);
}

long sys_bind(const struct sysargs *a)
{
	struct file *f;
	struct sock_addr sa;
	struct ux_addr ua;
	uint32_t pid;
	if (get_nl(a->a[0], &f)) {
		int err = get_nladdr(a->a[1], a->a[2], &pid);
		return err ? err : nl_bind(f, pid);
	}
	if (get_ux(a->a[0], &f)) {
		int err = uxs_get_addr(a->a[1], a->a[2], false, &ua);
		return err ? err : ux_bind(f, &ua);
	}
	int err = get_sock(a->a[0], &f);
	if (!err)
		err = get_addr(a->a[1], a->a[2], &sa);
	return err ? err : sock_bind(f, &sa);
}

long sys_connect(const struct sysargs *a)
{
	struct file *f;
	struct sock_addr sa;
	struct ux_addr ua;
	uint32_t pid;
	if (get_nl(a->a[0], &f)) {             /* only the kernel answers */
		int err = get_nladdr(a->a[1], a->a[2], &pid);
		return err ? err : pid ? -ECONNREFUSED : 0;
	}
	if (get_ux(a->a[0], &f)) {
		int err = uxs_get_addr(a->a[1], a->a[2], true, &ua);
		return err ? err : ux_connect(f, &ua);
	}
	int err = get_sock(a->a[0], &f);
	if (!err)
		err = get_addr(a->a[1], a->a[2], &sa);
	return err ? err : sock_connect(f, &sa);
}

long sys_listen(const struct sysargs *a)
{
	struct file *f;
	if (get_ux(a->a[0], &f))
		return ux_listen(f, (int)a->a[1]);
	int err = get_sock(a->a[0], &f);
	return err ? err : sock_listen(f, (int)a->a[1]);
}

/* accept on a unix socket f (flags checked). */
static long ux_accept_call(struct file *f, uint64_t uaddr, uint64_t ulen, uint64_t flags)
{
	struct file *nf;
	struct ux_addr peer;
	int err = sys_sock_check_name(uaddr, ulen);
	if (!err && !fd_free_count(&proc_cur()->fds))
		err = -EMFILE;
	if (!err)
		err = ux_accept(f, (int)flags & L_SOCK_NONBLOCK, &nf, &peer);
	if (err)
		return err;
	if (uxs_put_name(uaddr, ulen, &peer, true)) {
		file_put(nf);
		return -EFAULT;
	}
	return sys_sock_install(nf, (int)flags);
}

static long do_accept(uint64_t fd, uint64_t uaddr, uint64_t ulen, uint64_t flags)
{
	struct file *f, *nf;
	struct sock_addr peer;
	if (flags & ~(uint64_t)(L_SOCK_NONBLOCK | L_SOCK_CLOEXEC))
		return -EINVAL;
	if (get_ux(fd, &f))
		return ux_accept_call(f, uaddr, ulen, flags);
	int err = get_sock(fd, &f);
	if (!err)
		err = sys_sock_check_name(uaddr, ulen);
	if (!err && !fd_free_count(&proc_cur()->fds))
		err = -EMFILE;
	if (!err)
		err = sock_accept(f, (int)flags & L_SOCK_NONBLOCK, &nf, &peer);
	if (err)
		return err;
	if (put_name(uaddr, ulen, &peer)) {
		file_put(nf);
		return -EFAULT;
	}
	return sys_sock_install(nf, (int)flags);
}

long sys_accept(const struct sysargs *a)
{
	return do_accept(a->a[0], a->a[1], a->a[2], 0);
}

long sys_accept4(const struct sysargs *a)
{
	return do_accept(a->a[0], a->a[1], a->a[2], a->a[3]);
}

long sys_shutdown(const struct sysargs *a)
{
	struct file *f;
	if (a->a[1] > 2 && (get_ux(a->a[0], &f) || !get_sock(a->a[0], &f)))
		return -EINVAL;
	if (get_ux(a->a[0], &f))
		return ux_shutdown(f, (int)a->a[1]);
	int err = get_sock(a->a[0], &f);
	return err ? err : sock_shutdown(f, (int)a->a[1]);
}

static long getname(const struct sysargs *a, int peer)
{
	struct file *f;
	struct sock_addr sa;
	if (get_nl(a->a[0], &f)) {
		int err = a->a[1] ? sys_sock_check_name(a->a[1], a->a[2]) : -EFAULT;
		return err ? err : put_nlname(a->a[1], a->a[2], peer ? 0 : nl_portid(f));
	}
	if (get_ux(a->a[0], &f)) {
		struct ux_addr ua;
		int err = a->a[1] ? sys_sock_check_name(a->a[1], a->a[2]) : -EFAULT;
		if (!err)
			err = ux_getname(f, peer, &ua);
		return err ? err : uxs_put_name(a->a[1], a->a[2], &ua, true);
	}
	int err = get_sock(a->a[0], &f);
	if (!err && !a->a[1])
		err = -EFAULT;
	if (!err)
		err = sys_sock_check_name(a->a[1], a->a[2]);
	if (!err)
		err = sock_getname(f, peer, &sa);
	return err ? err : put_name(a->a[1], a->a[2], &sa);
}

long sys_getsockname(const struct sysargs *a)
{
	return getname(a, 0);
}

long sys_getpeername(const struct sysargs *a)
{
	return getname(a, 1);
}

#define MSG_FLAGS (L_MSG_PEEK | L_MSG_TRUNC | L_MSG_DONTWAIT | L_MSG_WAITALL | L_MSG_NOSIGNAL)

/* send: a message to an optional address (uaddr 0: the connected peer). */
static long do_send(uint64_t fd, const struct linux_iovec *iov, int cnt, uint64_t flags,
		    uint64_t uaddr, uint64_t alen)
{
	struct file *f;
	struct sock_addr to;
	uint32_t pid = 0;
	if (get_nl(fd, &f)) {
		int err = uaddr ? get_nladdr(uaddr, alen, &pid) : 0;
		return err ? err : pid ? -ECONNREFUSED : nl_send(f, iov, cnt);
	}
	if (get_ux(fd, &f)) {
		struct ux_addr ua;
		int err = uaddr && alen ? uxs_get_addr(uaddr, alen, false, &ua) : 0;
		if (!err && uaddr && alen && !ua.len)
			err = -EINVAL;
		return err ? err : ux_send(f, iov, cnt, (int)(flags & MSG_FLAGS),
					   uaddr && alen ? &ua : NULL);
	}
	int err = get_sock(fd, &f);
	if (!err && uaddr)
		err = get_addr(uaddr, alen, &to);
	return err ? err : sock_send(f, iov, cnt, (int)(flags & MSG_FLAGS), uaddr ? &to : NULL);
}

long sys_sendto(const struct sysargs *a)
{
	struct linux_iovec v = { a->a[1], a->a[2] };
	if (a->a[2] > (uint64_t)INT64_MAX)
		return -EINVAL;
	if (!user_range_ok(v.base, v.len))
		return -EFAULT;
	return do_send(a->a[0], &v, 1, a->a[3], a->a[4], a->a[5]);
}

static long do_recv(uint64_t fd, const struct linux_iovec *iov, int cnt, uint64_t flags,
		    uint64_t uaddr, uint64_t ulen, int *oflags)
{
	struct file *f;
	struct sock_addr from;
	bool nl = get_nl(fd, &f), ux = !nl && get_ux(fd, &f);
	int err = nl || ux ? 0 : get_sock(fd, &f);
	if (!err)
		err = sys_sock_check_name(uaddr, ulen);
	if (err)
		return err;
	if (nl) {
		long r = nl_recv(f, iov, cnt, (int)(flags & MSG_FLAGS), oflags);
		return r >= 0 && put_nlname(uaddr, ulen, 0) ? -EFAULT : r;
	}
	if (ux) {
		struct ux_addr ua;
		long r = ux_recv(f, iov, cnt, (int)(flags & MSG_FLAGS), &ua, oflags);
		return r >= 0 && uxs_put_name(uaddr, ulen, &ua, false) ? -EFAULT : r;
	}
	long r = sock_recv(f, iov, cnt, (int)(flags & MSG_FLAGS), &from, oflags);
	if (r >= 0 && put_name(uaddr, ulen, &from))
		return -EFAULT;
	return r;
}

long sys_recvfrom(const struct sysargs *a)
{
	struct linux_iovec v = { a->a[1], a->a[2] };
	int oflags;
	if (a->a[2] > (uint64_t)INT64_MAX)
		return -EINVAL;
	if (!user_range_ok(v.base, v.len))
		return -EFAULT;
	return do_recv(a->a[0], &v, 1, a->a[3], a->a[4], a->a[5], &oflags);
}

long sys_sendmsg(const struct sysargs *a)
{
	struct l_msghdr h;
	struct linux_iovec *iov;
	if (copy_from_user(&h, (const void *)a->a[1], sizeof(h)))
		return -EFAULT;
	struct file *f;
	if (h.controllen && get_ux(a->a[0], &f))
		return -EOPNOTSUPP;              /* no ancillary data: SCM_RIGHTS, SCM_CREDENTIALS */
	int err = get_iov(h.iov, h.iovlen, &iov);
	if (err)
		return err;
	long r = do_send(a->a[0], iov, (int)h.iovlen, a->a[2], h.name, h.namelen);
	kfree(iov);
	return r;
}

long sys_recvmsg(const struct sysargs *a)
{
	struct l_msghdr h, *uh = (struct l_msghdr *)a->a[1];
	struct linux_iovec *iov;
	int oflags = 0;
	if (copy_from_user(&h, uh, sizeof(h)))
		return -EFAULT;
	if (sysarg_out((uint64_t)(uintptr_t)uh, sizeof(h)))
		return -EFAULT;
	int err = get_iov(h.iov, h.iovlen, &iov);
	if (err)
		return err;
	long r = do_recv(a->a[0], iov, (int)h.iovlen, a->a[2], h.name,
			 (uint64_t)(uintptr_t)&uh->namelen, &oflags);
	kfree(iov);
	h.controllen = 0;                /* no ancillary data */
	h.flags = oflags;
	if (r >= 0 && (copy_to_user(&uh->controllen, &h.controllen, sizeof(h.controllen)) ||
		       copy_to_user(&uh->flags, &h.flags, sizeof(h.flags))))
		return -EFAULT;
	return r;
}

/* Netlink options: the buffer sizes are taken (the queue's size is fixed), the rest of
 * SOL_SOCKET and SOL_NETLINK is not there. */
static int nl_setopt(uint64_t level, uint64_t opt)
{
	return level == L_SOL_SOCKET && (opt == L_SO_SNDBUF || opt == L_SO_RCVBUF) ? 0
											: -ENOPROTOOPT;
}

long sys_setsockopt(const struct sysargs *a)
{
	struct file *f;
	struct linux_timeval v;
	uint32_t len = (uint32_t)a->a[4];
	bool ux = get_ux(a->a[0], &f);
	if (!ux && get_nl(a->a[0], &f))
		return nl_setopt(a->a[1], a->a[2]);
	int err = ux ? 0 : get_sock(a->a[0], &f);
	if (err)
		return err;
	if (a->a[4] > (uint64_t)INT32_MAX)
		return -EINVAL;
	memset(&v, 0, sizeof(v));
	if (copy_from_user(&v, (const void *)a->a[3], len < sizeof(v) ? len : sizeof(v)))
		return -EFAULT;
	return ux ? ux_setopt(f, (int)a->a[1], (int)a->a[2], &v, len)
		  : sock_setopt(f, (int)a->a[1], (int)a->a[2], &v, len);
}

long sys_getsockopt(const struct sysargs *a)
{
	struct file *f;
	struct linux_timeval v;
	int32_t ulen;
	uint32_t len;
	bool ux = get_ux(a->a[0], &f);
	int err = ux ? 0 : get_sock(a->a[0], &f);
	if (err)
		return err;
	if (copy_from_user(&ulen, (const void *)a->a[4], sizeof(ulen)))
		return -EFAULT;
	if (ulen < 0)
		return -EINVAL;
	if (!user_range_ok(a->a[3], (size_t)ulen) || sysarg_out(a->a[4], sizeof(ulen)))
		return -EFAULT;
	if ((err = ux ? ux_getopt(f, (int)a->a[1], (int)a->a[2], &v, &len)
		      : sock_getopt(f, (int)a->a[1], (int)a->a[2], &v, &len)))
		return err;
	if (copy_to_user((void *)a->a[3], &v, (uint32_t)ulen < len ? (uint32_t)ulen : len))
		return -EFAULT;
	ulen = (int32_t)len;
	return copy_to_user((void *)a->a[4], &ulen, sizeof(ulen));
}
