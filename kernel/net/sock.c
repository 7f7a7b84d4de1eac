/* Sockets as open files (see sock.h): the socket table, the file operations (read and write
 * are recv and send without flags), the readiness cache and the waiting built on it. */
#include "abi/errno.h"
#include "abi/netproto.h"
#include "arch/timer.h"
#include "kernel/fs/file.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/uaccess.h"
#include "kernel/net/netinfo.h"
#include "kernel/net/sock_int.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/signal.h"

static struct sock socks[NSOCK];

#define DEAD_REVENTS (L_POLLERR | L_POLLHUP)
#define UNWATCHED_RETRY_NS 10000000ull

struct sock *sock_of(struct file *f)
{
	return f->priv;
}

void sock_event(uint32_t sess, int32_t handle, uint32_t revents)
{
	for (int i = 0; i < NSOCK; i++) {
		struct sock *s = &socks[i];
		if (s->used && !s->dead && s->sess == sess && s->handle == handle) {
			s->revents = revents;
			s->stale = false;
			s->evseq++;
			wakeup(s);
			return;
		}
	}
}

void sock_net_down(uint32_t sess)
{
	for (int i = 0; i < NSOCK; i++) {
		struct sock *s = &socks[i];
		if (s->used && s->sess == sess && !s->dead) {
			s->dead = true;
			s->revents = DEAD_REVENTS;
			s->evseq++;
			wakeup(s);
		}
	}
	file_poll_wakeup();
}

int sock_call(struct sock *s, struct t_msg *m, struct netc_buf *b, uint32_t *seq)
{
	*seq = s->evseq;
	if (s->dead)
		return -ENETDOWN;
	m->arg[0] = (uint64_t)(uint32_t)s->handle;
	int r = netc_call(s->sess, m, b);
	if (m->fn != TFN_NET_POLL)
		s->stale = true;
	return r;
}

int sock_wait(struct sock *s, uint32_t seq, uint64_t deadline)
{
	struct proc *p = proc_cur();
	while (s->evseq == seq) {
		if (proc_aborting(p))
			return deadline ? -EINTR : -ERESTARTSYS;
		if (deadline && time_ns() >= deadline)
			return -EAGAIN;
		if (!s->dead && !netc_watching()) {
			/* no event will come (NET_EVENTS could not be sent): ask again soon */
			uint64_t soon = time_ns() + UNWATCHED_RETRY_NS;
			sleep_on(s, deadline && deadline < soon ? deadline : soon);
			return 0;
		}
		sleep_on(s, deadline);
	}
	return 0;
}

bool sock_nonblock(const struct file *f, int flags)
{
	return (f->flags & L_O_NONBLOCK) || (flags & L_MSG_DONTWAIT);
}

uint64_t sock_deadline(uint64_t timeout_ns)
{
	return timeout_ns ? time_ns() + timeout_ns : 0;
}

/* ---- the open-file variant ------------------------------------------------------------- */

static long sock_read(struct file *f, void *ubuf, size_t n)
{
	struct linux_iovec v = { (uint64_t)(uintptr_t)ubuf, n };
	struct sock_addr from;
	int oflags;
	return sock_recv(f, &v, 1, 0, &from, &oflags);
}

static long sock_write(struct file *f, const void *ubuf, size_t n)
{
	struct linux_iovec v = { (uint64_t)(uintptr_t)ubuf, n };
	return sock_send(f, &v, 1, 0, NULL);
}

static int sock_stat(struct file *f, struct linux_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = 3;                          /* not a plate: sockets' own "file system" */
	st->st_ino = sock_ino(f);
	st->st_nlink = 1;
	st->st_mode = L_S_IFSOCK | 0777;
	st->st_uid = proc_cur() ? proc_cur()->cred.uid : 0;
	st->st_gid = proc_cur() ? proc_cur()->cred.gid : 0;
	st->st_blksize = NETC_BUF_BYTES;
	return 0;
}

/* Ask the server for s's readiness (after calls made the cache stale); *nread: FIONREAD. */
static int refresh(struct file *f, uint32_t *nread)
{
	struct sock *s = sock_of(f);
	struct t_msg m = { .fn = TFN_NET_POLL };
	uint32_t seq;
	file_get(f);                             /* the caller's descriptor may close meanwhile */
	int r = sock_call(s, &m, NULL, &seq);
	if (!r && s->evseq == seq) {             /* no newer event overtook the answer */
		s->revents = (uint32_t)m.arg[0];
		s->stale = false;
	}
	if (!r && nread)
		*nread = (uint32_t)m.arg[1];
	file_put(f);
	return r;
}

static long sock_ioctl(struct file *f, unsigned long req, uint64_t arg)
{
	int v = 0;
	uint32_t n = 0;
	switch (req) {
	case L_FIONREAD: {
		if (!user_range_ok(arg, sizeof(int)))
			return -EFAULT;
		int r = refresh(f, &n);
		v = (int)n;
		return r ? r : copy_to_user((void *)arg, &v, sizeof(v));
	}
	case L_FIONBIO:
		if (copy_from_user(&v, (const void *)arg, sizeof(v)))
			return -EFAULT;
		f->flags = v ? f->flags | L_O_NONBLOCK : f->flags & ~L_O_NONBLOCK;
		return 0;
	default:
		return netinfo_ioctl(req, arg);      /* SIOCGIF*: the interfaces */
	}
}

static unsigned sock_poll(struct file *f)
{
	struct sock *s = sock_of(f);
	if (!s->dead && (s->stale || !netc_watching()))
		refresh(f, NULL);
	return s->dead ? DEAD_REVENTS : s->revents;
}

static void sock_release(struct file *f)
{
	struct sock *s = sock_of(f);
	if (!s->dead)
		netc_post_close(s->sess, s->handle);
	memset(s, 0, sizeof(*s));
	file_poll_wakeup();
}

static const struct file_ops sock_ops = {
	.read = sock_read, .write = sock_write, .lseek = file_op_espipe, .stat = sock_stat,
	.getdents64 = file_op_enotdir, .ioctl = sock_ioctl, .release = sock_release,
	.poll = sock_poll,
};

uint64_t sock_ino(const struct file *f)
{
	return (uint64_t)((const struct sock *)f->priv - socks) + 1;
}

bool sock_owner(uint32_t sess, int32_t handle, uint32_t *uid, uint64_t *ino)
{
	for (int i = 0; i < NSOCK && handle >= 0; i++) {
		const struct sock *s = &socks[i];
		if (s->used && !s->dead && s->sess == sess && s->handle == handle) {
			*uid = s->uid;
			*ino = (uint64_t)i + 1;
			return true;
		}
	}
	return false;
}

bool sock_is(const struct file *f)
{
	return f->ops == &sock_ops;
}

bool sock_is_evented(const struct file *f)
{
	return sock_is(f) && (sock_of((struct file *)f)->dead || netc_watching());
}

int sock_new_file(uint32_t sess, int32_t handle, uint8_t type, int flags, struct file **out)
{
	struct sock *s = NULL;
	for (int i = 0; i < NSOCK && !s; i++)
		if (!socks[i].used)
			s = &socks[i];
	int err = s ? file_alloc(&sock_ops, L_O_RDWR | (flags & L_O_NONBLOCK), 0, out) : -ENFILE;
	if (err) {
		netc_post_close(sess, handle);
		return err;
	}
	*s = (struct sock){ .used = true, .stale = true, .type = type, .handle = handle,
			    .sess = sess, .uid = proc_cur() ? proc_cur()->cred.uid : 0 };
	(*out)->priv = s;
	return 0;
}

/* The server's socket type for a Linux (type, protocol); 0 if there is none. */
static uint8_t net_type(int type, int protocol)
{
	if (type == L_SOCK_STREAM && (protocol == 0 || protocol == L_IPPROTO_TCP))
		return TNET_STREAM;
	if (type == L_SOCK_DGRAM && (protocol == 0 || protocol == L_IPPROTO_UDP))
		return TNET_DGRAM;
	if (type == L_SOCK_DGRAM && protocol == L_IPPROTO_ICMP)
		return TNET_PING;
	return 0;
}

int sock_create(int domain, int type, int protocol, int flags, struct file **out)
{
	if (domain != L_AF_INET)
		return -EAFNOSUPPORT;
	if (type != L_SOCK_STREAM && type != L_SOCK_DGRAM && type != L_SOCK_RAW)
		return -ESOCKTNOSUPPORT;
	bool raw = type == L_SOCK_RAW;
	if (raw && proc_cur()->cred.uid != 0)
		return -EPERM;                       /* Linux: CAP_NET_RAW */
	uint8_t t = raw ? (protocol == L_IPPROTO_ICMP ? TNET_PING : 0) : net_type(type, protocol);
	if (!t)
		return -EPROTONOSUPPORT;
	uint32_t sess;
	int err = netc_up(&sess);
	if (err)
		return err;
	struct t_msg m = { .fn = TFN_NET_SOCKET, .arg = { t } };
	if ((err = netc_call(sess, &m, NULL)))
		return err;
	if ((err = sock_new_file(sess, (int32_t)m.arg[0], t, flags, out)))
		return err;
	sock_of(*out)->raw = raw;
	return 0;
}
