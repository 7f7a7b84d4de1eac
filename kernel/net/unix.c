/* Unix domain sockets (unix.h): the table, the open-file variant, the receive queues, and
 * send/recv. Each socket has one receive queue (UX_QCAP bytes, taken on first use); a sender
 * puts its bytes straight into the receiver's queue and waits while that is full, so a
 * connection holds at most one queue's bytes each way. A stream queue is plain bytes; a
 * datagram or seqpacket queue holds records: a struct rec, the sender's name, the data.
 * User memory is copied through a bounce buffer before a queue is touched, so no copy can
 * sleep (a page fault) while a queue that the other side may free is in hand. */
#include "kernel/net/unix.h"
#include "abi/errno.h"
#include "abi/linux.h"
#include "arch/timer.h"
#include "kernel/fs/file.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/net/sock.h"
#include "kernel/net/sock_int.h"
#include "kernel/net/unix_int.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/signal.h"

#define L_POLLRDNORM 0x040
#define L_POLLRDHUP 0x2000

struct rec {
	uint32_t len;                 /* data bytes */
	uint8_t namelen;              /* the sender's name's bytes, between this and the data */
};

struct usock ux_tab[NUX];
static uint16_t next_gen = 1;
static const struct file_ops ux_ops;

/* ---- the table ------------------------------------------------------------------------ */

uint32_t ux_id(const struct usock *s)
{
	return (uint32_t)s->gen << 8 | (uint32_t)(s - ux_tab);
}

struct usock *ux_get(uint32_t id)
{
	struct usock *s = &ux_tab[id & (NUX - 1)];
	return id && s->state != UX_FREE && ux_id(s) == id ? s : NULL;
}

struct usock *ux_of(struct file *f)
{
	return ux_get((uint32_t)(uintptr_t)f->priv);
}

bool ux_is(const struct file *f)
{
	return f->ops == &ux_ops;
}

bool ux_conn_type(const struct usock *s)
{
	return s->type != L_SOCK_DGRAM;
}

struct usock *ux_alloc(uint8_t type)
{
	_Static_assert(NUX == 256, "ids keep the slot in 8 bits");
	struct proc *p = proc_cur();
	for (int i = 0; i < NUX; i++) {
		struct usock *s = &ux_tab[i];
		if (s->state != UX_FREE)
			continue;
		memset(s, 0, sizeof(*s));
		s->gen = next_gen++;
		if (!next_gen)
			next_gen = 1;
		s->state = UX_UNCONN;
		s->type = type;
		s->own_pid = p ? (uint32_t)p->pid : 0;
		s->own_uid = p ? p->cred.uid : 0;
		s->own_gid = p ? p->cred.gid : 0;
		return s;
	}
	return NULL;
}

int ux_file(struct usock *s, int flags, struct file **out)
{
	int err = file_alloc(&ux_ops, L_O_RDWR | (flags & L_O_NONBLOCK), 0, out);
	if (err) {
		ux_free(s);
		return err;
	}
	(*out)->priv = (void *)(uintptr_t)ux_id(s);
	return 0;
}

void ux_changed(struct usock *s)
{
	wakeup(s);
	file_poll_wakeup();
}

int ux_wait(struct usock *s, uint64_t deadline)
{
	if (proc_aborting(proc_cur()))
		return deadline ? -EINTR : -ERESTARTSYS;
	if (deadline && time_ns() >= deadline)
		return -EAGAIN;
	sleep_on(s, deadline);
	return 0;
}

void ux_link(struct usock *a, struct usock *b)
{
	a->peer = ux_id(b);
	b->peer = ux_id(a);
	if (ux_conn_type(a))
		a->state = b->state = UX_CONN;
	a->cred_pid = (int32_t)b->own_pid, a->cred_uid = b->own_uid, a->cred_gid = b->own_gid;
	b->cred_pid = (int32_t)a->own_pid, b->cred_uid = a->own_uid, b->cred_gid = a->own_gid;
}

/* The peer of a connection that s's end leaves: as Linux, it reads to the end, then end of
 * file (ECONNRESET first if s left bytes unread or was never accepted), and writes get
 * EPIPE. */
static void leave_peer(struct usock *s)
{
	struct usock *p = ux_get(s->peer);
	if (!p || !ux_conn_type(s) || p->peer != ux_id(s))
		return;
	p->peer_left = p->rd_shut = p->wr_shut = true;
	p->peer_name = s->name;
	if (s->qlen || s->state == UX_EMBRYO)
		p->err = ECONNRESET;
	ux_changed(p);
}

void ux_free(struct usock *s)
{
	uint32_t id = ux_id(s);
	leave_peer(s);
	if (s->state == UX_LISTEN)                /* connections never accepted go with it */
		for (int i = 0; i < NUX; i++)
			if (ux_tab[i].state == UX_EMBRYO && ux_tab[i].listener == id)
				ux_free(&ux_tab[i]);
	if (s->q)
		kbig_free(s->q, UX_QCAP);
	s->q = NULL;
	s->state = UX_FREE;
	ux_changed(s);                            /* senders waiting for its room */
}

/* ---- user memory through a bounce buffer -------------------------------------------------- */

/* Bytes [off, off + len) of the iovecs from (to_user false) or to user memory at kbuf. */
static int iov_copy(const struct linux_iovec *iov, int n, size_t off, void *kbuf, size_t len,
		    bool to_user)
{
	uint8_t *k = kbuf;
	for (int i = 0; i < n && len; i++) {
		if (off >= iov[i].len) {
			off -= iov[i].len;
			continue;
		}
		size_t c = iov[i].len - off < len ? iov[i].len - off : len;
		void *u = (void *)(uintptr_t)(iov[i].base + off);
		if (to_user ? copy_to_user(u, k, c) : copy_from_user(k, u, c))
			return -EFAULT;
		k += c, len -= c, off = 0;
	}
	return 0;
}

static size_t iov_total(const struct linux_iovec *iov, int n)
{
	size_t t = 0;
	for (int i = 0; i < n; i++)
		t += iov[i].len;
	return t;
}

static int queue_ready(struct usock *s)
{
	if (!s->q && !(s->q = kbig_alloc(UX_QCAP)))
		return -ENOMEM;
	return 0;
}

/* Removes n bytes from the front of s's queue. */
static void consume(struct usock *s, uint32_t n)
{
	memmove(s->q, s->q + n, s->qlen - n);
	s->qlen -= n;
}

/* ---- sending ------------------------------------------------------------------------------- */

/* The peer a connection sends to: -ENOTCONN, -EPIPE. */
static int conn_target(struct usock *s, struct usock **out)
{
	if (s->wr_shut)
		return -EPIPE;
	if (s->state != UX_CONN)
		return -ENOTCONN;
	*out = ux_get(s->peer);
	return *out && !s->peer_left ? 0 : -EPIPE;
}

/* The socket a datagram goes to (to: an address, else the connected peer). */
static int dgram_target(struct usock *s, const struct ux_addr *to, struct usock **out)
{
	int err;
	if (s->wr_shut)
		return -EPIPE;
	if (to) {
		if ((err = ux_lookup(to, s->type, out)))
			return err;
	} else if (!s->peer) {
		return -ENOTCONN;
	} else if (!(*out = ux_get(s->peer))) {
		return -ECONNREFUSED;                 /* the peer closed */
	}
	if ((*out)->type != L_SOCK_DGRAM)
		return -EPROTOTYPE;
	if ((*out)->peer && (*out)->peer != ux_id(s))
		return -EPERM;                        /* it takes only its own peer's */
	return 0;
}

/* Stream bytes (len at k, gathered already) into the peer's queue as room comes. */
static long send_stream(struct file *f, struct usock *s, const uint8_t *k, size_t len,
			int flags, uint64_t deadline)
{
	size_t done = 0;
	struct usock *p;
	int err = 0;
	while (!err && done < len) {
		if ((err = conn_target(s, &p)) || (err = queue_ready(p)))
			break;
		uint32_t room = UX_QCAP - p->qlen;
		if (!room) {
			err = sock_nonblock(f, flags) ? -EAGAIN : ux_wait(p, deadline);
			continue;
		}
		uint32_t c = len - done < room ? (uint32_t)(len - done) : room;
		memcpy(p->q + p->qlen, k + done, c);
		p->qlen += c;
		done += c;
		ux_changed(p);
	}
	return done ? (long)done : err;
}

/* One record (len at k) whole into the receiver's queue, waiting for room. */
static long send_record(struct file *f, struct usock *s, const uint8_t *k, size_t len,
			int flags, const struct ux_addr *to, uint64_t deadline)
{
	struct usock *p;
	int err;
	for (;;) {
		err = s->type == L_SOCK_DGRAM ? dgram_target(s, to, &p) : conn_target(s, &p);
		if (err || (err = queue_ready(p)))
			return err;
		uint32_t need = (uint32_t)(sizeof(struct rec) + s->name.len + len);
		if (UX_QCAP - p->qlen >= need)
			break;
		if ((err = sock_nonblock(f, flags) ? -EAGAIN : ux_wait(p, deadline)))
			return err;
	}
	struct rec r = { (uint32_t)len, s->name.len };
	memcpy(p->q + p->qlen, &r, sizeof(r));
	memcpy(p->q + p->qlen + sizeof(r), s->name.path, s->name.len);
	memcpy(p->q + p->qlen + sizeof(r) + s->name.len, k, len);
	p->qlen += (uint32_t)(sizeof(r) + s->name.len + len);
	p->nrec++;
	ux_changed(p);
	return (long)len;
}

long ux_send(struct file *f, const struct linux_iovec *iov, int n, int flags,
	     const struct ux_addr *to)
{
	struct usock *s = ux_of(f);
	size_t len = iov_total(iov, n);
	bool records = s->type != L_SOCK_STREAM;
	if (to && s->type == L_SOCK_STREAM)
		return s->state == UX_CONN ? -EISCONN : -EOPNOTSUPP;
	if (s->state == UX_LISTEN)
		return -ENOTCONN;
	if (records && len > UX_QCAP - sizeof(struct rec) - UX_PATH_MAX)
		return -EMSGSIZE;
	struct usock *p;                            /* not connected: said before any copy */
	int err = ux_conn_type(s) ? conn_target(s, &p) : !to && !s->peer ? -ENOTCONN : 0;
	if (err == -ENOTCONN)
		return err;
	size_t blen = len < UX_QCAP ? len : UX_QCAP;    /* a stream goes a queue at a time */
	uint8_t *k = kbig_alloc(blen ? blen : 1);
	if (!k)
		return -ENOMEM;
	uint64_t deadline = sock_deadline(s->sndtimeo_ns);
	long r = 0, done = 0;
	file_get(f);                                /* the descriptor may close meanwhile */
	do {
		size_t c = len - (size_t)done < blen ? len - (size_t)done : blen;
		if ((r = iov_copy(iov, n, (size_t)done, k, c, false)))
			break;
		r = records ? send_record(f, s, k, c, flags, to, deadline)
			    : send_stream(f, s, k, c, flags, deadline);
		if (r > 0)
			done += r;
	} while (r == (long)blen && (size_t)done < len);
	if (!done && !len && !records && !r)        /* a stream send of nothing: still checked */
		r = err;
	file_put(f);
	kbig_free(k, blen ? blen : 1);
	if (r == -EPIPE && !done && !(flags & L_MSG_NOSIGNAL))
		signal_send_thread(proc_cur(), exec_cur(), L_SIGPIPE);
	return done ? done : r;
}

/* ---- receiving ----------------------------------------------------------------------------- */

/* Wait until s has something to read: 1 when it has, 0 at the end (end of file), or an
 * error (SO_ERROR once, -EAGAIN, a signal). */
static int wait_data(struct file *f, struct usock *s, int flags, uint64_t deadline)
{
	for (;;) {
		if (s->qlen)
			return 1;
		if (s->err) {
			int e = s->err;
			s->err = 0;
			return -e;
		}
		if (s->rd_shut)
			return 0;
		int err = sock_nonblock(f, flags) ? -EAGAIN : ux_wait(s, deadline);
		if (err)
			return err;
	}
}

/* The next record to k (at most len bytes): its full length in *full, the sender's name. */
static uint32_t take_record(struct usock *s, uint8_t *k, size_t len, int flags, uint32_t *full,
			    struct ux_addr *from)
{
	struct rec r;
	memcpy(&r, s->q, sizeof(r));
	uint32_t c = r.len < len ? r.len : (uint32_t)len;
	from->len = r.namelen;
	memcpy(from->path, s->q + sizeof(r), r.namelen);
	from->path[r.namelen] = '\0';
	memcpy(k, s->q + sizeof(r) + r.namelen, c);
	*full = r.len;
	if (!(flags & L_MSG_PEEK)) {
		consume(s, (uint32_t)sizeof(r) + r.namelen + r.len);
		s->nrec--;
	}
	return c;
}

/* Stream bytes to k: what is there (up to len), or with MSG_WAITALL until len, the end or an
 * error. */
static long take_stream(struct file *f, struct usock *s, uint8_t *k, size_t len, int flags,
			uint64_t deadline)
{
	size_t done = 0;
	int r = 1;
	while (done < len) {
		if (done && (!(flags & L_MSG_WAITALL) || (flags & L_MSG_PEEK)))
			break;
		if ((r = wait_data(f, s, flags, deadline)) <= 0)
			break;
		uint32_t c = len - done < s->qlen ? (uint32_t)(len - done) : s->qlen;
		memcpy(k + done, s->q, c);
		if (!(flags & L_MSG_PEEK)) {
			consume(s, c);
			ux_changed(s);
		}
		done += c;
	}
	return done ? (long)done : r;
}

void ux_peer_name(struct usock *s, struct ux_addr *out)
{
	struct usock *p = ux_get(s->peer);
	out->len = 0;
	if (p)
		*out = p->name;
	else if (s->peer_left)
		*out = s->peer_name;
}

long ux_recv(struct file *f, const struct linux_iovec *iov, int n, int flags,
	     struct ux_addr *from, int *oflags)
{
	struct usock *s = ux_of(f);
	size_t len = iov_total(iov, n), blen = len < UX_QCAP ? len : UX_QCAP;
	uint32_t full = 0;
	long r;
	*oflags = 0;
	from->len = 0;
	if (s->type != L_SOCK_DGRAM && s->state != UX_CONN)
		return s->type == L_SOCK_STREAM ? -EINVAL : -ENOTCONN;
	uint8_t *k = kbig_alloc(blen ? blen : 1);
	if (!k)
		return -ENOMEM;
	uint64_t deadline = sock_deadline(s->rcvtimeo_ns);
	file_get(f);
	if (s->type == L_SOCK_STREAM) {
		r = len ? take_stream(f, s, k, blen, flags, deadline) : 0;
		ux_peer_name(s, from);
	} else if ((r = wait_data(f, s, flags, deadline)) > 0) {
		r = take_record(s, k, blen, flags, &full, from);
		if (full > r)
			*oflags = L_MSG_TRUNC;
		ux_changed(s);
	}
	file_put(f);
	if (r > 0 && iov_copy(iov, n, 0, k, (size_t)r, true))
		r = -EFAULT;
	kbig_free(k, blen ? blen : 1);
	return r >= 0 && (flags & L_MSG_TRUNC) && full > r ? (long)full : r;
}

/* ---- the open-file variant ------------------------------------------------------------------ */

static long ux_read(struct file *f, void *ubuf, size_t n)
{
	struct linux_iovec v = { (uint64_t)(uintptr_t)ubuf, n };
	struct ux_addr from;
	int oflags;
	return ux_recv(f, &v, 1, 0, &from, &oflags);
}

static long ux_write(struct file *f, const void *ubuf, size_t n)
{
	struct linux_iovec v = { (uint64_t)(uintptr_t)ubuf, n };
	return ux_send(f, &v, 1, 0, NULL);
}

static int ux_stat(struct file *f, struct linux_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = 3;                          /* sockets' own "file system" */
	st->st_ino = 0x20000u + (uint64_t)(ux_of(f) - ux_tab) + ((uint64_t)ux_of(f)->gen << 8);
	/* the same number /proc/net/unix shows (unix_conn.c) */
	st->st_nlink = 1;
	st->st_mode = L_S_IFSOCK | 0777;
	st->st_uid = ux_of(f)->own_uid;
	st->st_gid = ux_of(f)->own_gid;
	st->st_blksize = 4096;
	return 0;
}

/* The bytes of every queued record (FIONREAD of a seqpacket socket). */
static uint32_t record_bytes(const struct usock *s)
{
	uint32_t n = 0;
	struct rec r;
	for (uint32_t off = 0; off < s->qlen; off += (uint32_t)sizeof(r) + r.namelen + r.len) {
		memcpy(&r, s->q + off, sizeof(r));
		n += r.len;
	}
	return n;
}

/* FIONREAD as Linux's SIOCINQ: a stream's queued bytes, a seqpacket socket's bytes of every
 * record, a datagram socket's next record's. */
static long ux_ioctl(struct file *f, unsigned long req, uint64_t arg)
{
	struct usock *s = ux_of(f);
	int v = 0;
	struct rec r;
	switch (req) {
	case L_FIONREAD:
		if (s->state == UX_LISTEN)
			return -EINVAL;
		if (s->type == L_SOCK_STREAM)
			v = (int)s->qlen;
		else if (s->type == L_SOCK_SEQPACKET)
			v = (int)record_bytes(s);
		else if (s->qlen && (memcpy(&r, s->q, sizeof(r)), true))
			v = (int)r.len;
		return copy_to_user((void *)arg, &v, sizeof(v)) ? -EFAULT : 0;
	case L_FIONBIO:
		if (copy_from_user(&v, (const void *)arg, sizeof(v)))
			return -EFAULT;
		f->flags = v ? f->flags | L_O_NONBLOCK : f->flags & ~L_O_NONBLOCK;
		return 0;
	default:
		return -ENOTTY;
	}
}

static bool has_embryo(const struct usock *s)
{
	for (int i = 0; i < NUX; i++)
		if (ux_tab[i].state == UX_EMBRYO && ux_tab[i].listener == ux_id(s))
			return true;
	return false;
}

/* Whether a send on s would find room (or an error, which is "writable" too). */
static bool writable(struct usock *s)
{
	struct usock *p = ux_get(s->peer);
	if (s->wr_shut || !p || (s->state == UX_CONN && s->peer_left))
		return true;
	return UX_QCAP - p->qlen >= (s->type == L_SOCK_STREAM ? 1u : 512u);
}

/* As Linux's unix_poll/unix_dgram_poll. */
static unsigned ux_poll(struct file *f)
{
	struct usock *s = ux_of(f);
	unsigned m = 0;
	if (s->state == UX_LISTEN)
		return has_embryo(s) ? L_POLLIN | L_POLLRDNORM : 0;
	if (s->err)
		m |= L_POLLERR;
	if (s->rd_shut && s->wr_shut)
		m |= L_POLLHUP;
	if (s->rd_shut)
		m |= L_POLLRDHUP | L_POLLIN | L_POLLRDNORM;
	if (s->qlen)
		m |= L_POLLIN | L_POLLRDNORM;
	if (ux_conn_type(s) && s->state != UX_CONN)
		m |= L_POLLHUP;
	if (writable(s))
		m |= L_POLLOUT;
	return m;
}

static void ux_release(struct file *f)
{
	ux_free(ux_of(f));
}

static const struct file_ops ux_ops = {
	.read = ux_read, .write = ux_write, .lseek = file_op_espipe, .stat = ux_stat,
	.getdents64 = file_op_enotdir, .ioctl = ux_ioctl, .release = ux_release,
	.poll = ux_poll,
};
