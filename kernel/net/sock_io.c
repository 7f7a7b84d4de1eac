/* The socket calls that move data or wait for a peer: send, recv (with iovecs, through the
 * session's data buffers), accept and connect. Each retries a call the server answered
 * -EAGAIN (or, for connect, -EINPROGRESS/-EALREADY) after the socket's readiness changed. */
#include "abi/errno.h"
#include "abi/netproto.h"
#include "kernel/fs/file.h"
#include "kernel/lib/string.h"
#include "kernel/mm/uaccess.h"
#include "kernel/net/sock_int.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/signal.h"

/* Copies n bytes between kbuf and the iovecs' bytes from offset off; -EFAULT. */
static int iov_copy(const struct linux_iovec *iov, int cnt, size_t off, void *kbuf, size_t n,
		    bool out)
{
	char *k = kbuf;
	for (int i = 0; i < cnt && n; i++) {
		if (off >= iov[i].len) {
			off -= iov[i].len;
			continue;
		}
		size_t c = iov[i].len - off < n ? iov[i].len - off : n;
		void *u = (char *)(uintptr_t)iov[i].base + off;
		if (out ? copy_to_user(u, k, c) : copy_from_user(k, u, c))
			return -EFAULT;
		k += c;
		n -= c;
		off = 0;
	}
	return 0;
}

static size_t iov_total(const struct linux_iovec *iov, int cnt)
{
	size_t t = 0;
	for (int i = 0; i < cnt; i++)
		t += iov[i].len;
	return t;
}

/* One NET_SEND of up to a buffer's bytes from offset done: bytes taken, or an error. */
static long send_chunk(struct sock *s, struct netc_buf *b, const struct linux_iovec *iov,
		       int cnt, size_t done, size_t len, const struct sock_addr *to, uint32_t *seq)
{
	if (iov_copy(iov, cnt, done, b->kva, len, false))
		return -EFAULT;
	if (s->raw)
		sock_raw_sent(s, b->kva, len);
	struct t_msg m = { .fn = TFN_NET_SEND,
			   .arg = { 0, len, 0, to ? to->addr : 0, to ? to->port : 0 } };
	int r = sock_call(s, &m, b, seq);
	return r ? r : (long)m.arg[0];
}

long sock_send(struct file *f, const struct linux_iovec *iov, int cnt, int flags,
	       const struct sock_addr *to)
{
	struct sock *s = sock_of(f);
	size_t total = iov_total(iov, cnt), done = 0;
	bool stream = s->type == TNET_STREAM;
	if (!stream && total > NETC_BUF_BYTES)
		return -EMSGSIZE;
	struct netc_buf b;
	long r = netc_buf_get(&b);
	uint64_t deadline = sock_deadline(s->sndtimeo_ns);
	bool sent = false;               /* a datagram goes once, even an empty one */
	while (!r && !sent && (done < total || !stream)) {
		size_t len = total - done < NETC_BUF_BYTES ? total - done : NETC_BUF_BYTES;
		uint32_t seq;
		r = send_chunk(s, &b, iov, cnt, done, len, to, &seq);
		if (r == 0 && stream && len)
			r = -EAGAIN;             /* nothing taken: as "no room", never a busy loop */
		if (r == -EAGAIN && !sock_nonblock(f, flags)) {
			r = sock_wait(s, seq, deadline);
			continue;
		}
		if (r < 0)
			break;
		done += (size_t)r;
		sent = !stream;
		r = 0;
	}
	netc_buf_put(&b);
	if (r == -EPIPE && !done && !(flags & L_MSG_NOSIGNAL))
		signal_send_thread(proc_cur(), exec_cur(), L_SIGPIPE);   /* to the writer */
	return done || sent ? (long)done : r;
}

/* One NET_RECV into b: bytes copied out (0: end of stream), or an error. */
static long recv_chunk(struct sock *s, struct netc_buf *b, const struct linux_iovec *iov,
		       int cnt, size_t off, size_t len, int flags, struct sock_addr *from,
		       size_t *full, uint32_t *seq)
{
	size_t hdr = s->raw ? RAW_IP_HDR : 0;    /* room for the header a raw socket reads */
	size_t want = len < NETC_BUF_BYTES - hdr ? len : NETC_BUF_BYTES - hdr;
	struct t_msg m = { .fn = TFN_NET_RECV,
			   .arg = { 0, want, flags & L_MSG_PEEK ? TNET_MSG_PEEK : 0 } };
	int r = sock_call(s, &m, b, seq);
	if (r)
		return r;
	size_t got = m.arg[0] < want ? (size_t)m.arg[0] : want;
	from->addr = (uint32_t)m.arg[1];
	from->port = (uint16_t)m.arg[2];
	*full = s->type == TNET_STREAM ? got : (size_t)m.arg[3] + hdr;
	if (s->raw) {
		memmove((char *)b->kva + hdr, b->kva, got);
		got = sock_raw_received(s, b->kva, got, from->addr);
		got = got < len ? got : len;
	}
	return iov_copy(iov, cnt, off, b->kva, got, true) ? -EFAULT : (long)got;
}

long sock_recv(struct file *f, const struct linux_iovec *iov, int cnt, int flags,
	       struct sock_addr *from, int *oflags)
{
	struct sock *s = sock_of(f);
	size_t total = iov_total(iov, cnt), done = 0, full = 0;
	bool stream = s->type == TNET_STREAM;
	*oflags = 0;
	*from = (struct sock_addr){ 0, 0 };
	if (stream && !total)
		return 0;
	struct netc_buf b;
	long r = netc_buf_get(&b);
	uint64_t deadline = sock_deadline(s->rcvtimeo_ns);
	while (!r) {
		size_t len = total - done < NETC_BUF_BYTES ? total - done : NETC_BUF_BYTES;
		uint32_t seq;
		r = recv_chunk(s, &b, iov, cnt, done, len, flags, from, &full, &seq);
		if (r == -EAGAIN && !done && !sock_nonblock(f, flags)) {
			r = sock_wait(s, seq, deadline);
			continue;
		}
		if (r < 0)
			break;
		done += (size_t)r;
		bool more = stream && r > 0 && done < total && (flags & L_MSG_WAITALL) &&
			    !(flags & L_MSG_PEEK);
		r = 0;
		if (!more)
			break;
	}
	netc_buf_put(&b);
	if (!stream && full > done)
		*oflags |= L_MSG_TRUNC;
	if (r && done)
		return (long)done;
	return r ? r : (long)(!stream && (flags & L_MSG_TRUNC) ? full : done);
}

int sock_accept(struct file *f, int flags, struct file **out, struct sock_addr *peer)
{
	struct sock *s = sock_of(f);
	uint64_t deadline = sock_deadline(s->rcvtimeo_ns);
	for (;;) {
		struct t_msg m = { .fn = TFN_NET_ACCEPT };
		uint32_t seq;
		int r = sock_call(s, &m, NULL, &seq);
		if (r == -EAGAIN && !sock_nonblock(f, 0)) {
			if ((r = sock_wait(s, seq, deadline)))
				return r;
			continue;
		}
		if (r)
			return r;
		peer->addr = (uint32_t)m.arg[1];
		peer->port = (uint16_t)m.arg[2];
		return sock_new_file(s->sess, (int32_t)m.arg[0], s->type, flags, out);
	}
}

int sock_connect(struct file *f, const struct sock_addr *a)
{
	struct sock *s = sock_of(f);
	uint64_t deadline = sock_deadline(s->sndtimeo_ns);
	bool waited = false;
	for (;;) {
		struct t_msg m = { .fn = TFN_NET_CONNECT, .arg = { 0, a->addr, a->port } };
		uint32_t seq;
		int r = sock_call(s, &m, NULL, &seq);
		if (waited && r == -EISCONN)
			return 0;                /* the handshake we waited for is done */
		if (s->type != TNET_STREAM || (r != -EINPROGRESS && r != -EALREADY) ||
		    sock_nonblock(f, 0))
			return r;
		int w = sock_wait(s, seq, deadline);
		if (w)
			return w == -EAGAIN ? -EINPROGRESS : w;
		waited = true;
	}
}
