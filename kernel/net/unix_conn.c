/* Unix domain sockets (unix.h): names, bind, listen, connect, accept, shutdown and options.
 * A path name is a socket node made in the file system by bind (it stays after the socket
 * closes, as on Linux; a second bind to it is EADDRINUSE); connect finds the socket bound to
 * that node. An abstract name (a first byte of 0) lives only in the table. A connection to a
 * listener makes the listener's side at once (an embryo, state UX_EMBRYO) and queues it for
 * accept; the connecting side is connected then, as on Linux. */
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/fs/file.h"
#include "kernel/fs/fsproc.h"
#include "kernel/fs/ptext.h"
#include "kernel/lib/string.h"
#include "kernel/net/sock.h"
#include "kernel/net/sock_int.h"
#include "kernel/net/unix.h"
#include "kernel/net/unix_int.h"
#include "kernel/proc/proc.h"

#define SOMAXCONN 4096
#define L_SO_REUSEADDR 2
#define L_SO_ERROR 4
#define L_SO_SNDBUF 7
#define L_SO_RCVBUF 8
#define L_SO_PEERCRED 17
#define L_SO_ACCEPTCONN 30
#define L_SO_PROTOCOL 38
#define L_SO_DOMAIN 39

static uint32_t embryo_seq;

static int check_type(int type, int protocol)
{
	if (type != L_SOCK_STREAM && type != L_SOCK_DGRAM && type != L_SOCK_SEQPACKET &&
	    type != L_SOCK_RAW)
		return -ESOCKTNOSUPPORT;
	return protocol == 0 || protocol == L_AF_UNIX ? 0 : -EPROTONOSUPPORT;
}

/* Linux makes SOCK_RAW a datagram socket in this family. */
static uint8_t family_type(int type)
{
	return (uint8_t)(type == L_SOCK_RAW ? L_SOCK_DGRAM : type);
}

int ux_create(int type, int protocol, int flags, struct file **out)
{
	int err = check_type(type, protocol);
	if (err)
		return err;
	struct usock *s = ux_alloc(family_type(type));
	return s ? ux_file(s, flags, out) : -ENFILE;
}

int ux_pair(int type, int protocol, int flags, struct file **a, struct file **b)
{
	int err = check_type(type, protocol);
	if (err)
		return err;
	struct usock *x = ux_alloc(family_type(type)), *y = x ? ux_alloc(family_type(type)) : NULL;
	if (!y) {
		if (x)
			ux_free(x);
		return -ENFILE;
	}
	ux_link(x, y);
	uint32_t yid = ux_id(y);
	if ((err = ux_file(x, flags, a))) {
		ux_free(y);
		return err;
	}
	if ((err = ux_file(ux_get(yid), flags, b)))
		file_put(*a);
	return err;
}

/* ---- names --------------------------------------------------------------------------------- */

static bool abstract(const struct ux_addr *a)
{
	return a->len && a->path[0] == '\0';
}

/* As Linux, abstract names are kept apart by socket type: a stream socket and a datagram
 * socket may both hold a name, and a connection finds only its own type's. */
static struct usock *find_abstract(const struct ux_addr *a, uint8_t type)
{
	for (int i = 0; i < NUX; i++) {
		struct usock *s = &ux_tab[i];
		if (s->state != UX_FREE && s->bound && s->type == type && s->name.len == a->len &&
		    abstract(&s->name) && !memcmp(s->name.path, a->path, a->len))
			return s;
	}
	return NULL;
}

int ux_lookup(const struct ux_addr *a, uint8_t type, struct usock **out)
{
	struct linux_stat st;
	rid_t rid;
	if (abstract(a)) {
		*out = find_abstract(a, type);
		return *out ? 0 : -ECONNREFUSED;
	}
	int err = fsp_stat_at(proc_cur(), L_AT_FDCWD, a->path, 0, &st);
	if (!err)
		err = fsp_lookup_at(proc_cur(), L_AT_FDCWD, a->path, &rid);
	if (err)
		return err;
	if ((st.st_mode & L_S_IFMT) != L_S_IFSOCK)
		return -ECONNREFUSED;
	for (int i = 0; i < NUX; i++)
		if (ux_tab[i].state != UX_FREE && ux_tab[i].bound && ux_tab[i].node == rid) {
			*out = &ux_tab[i];
			return 0;
		}
	return -ECONNREFUSED;
}

/* An abstract name of the kernel's choosing: a 0 byte and five hex digits, as Linux. */
static int autobind(struct usock *s)
{
	static const char hex[] = "0123456789abcdef";
	static uint32_t next;
	struct ux_addr a = { 6, { 0 } };
	for (uint32_t k = 0; k < 0x100000; k++, next++) {
		for (int d = 0; d < 5; d++)
			a.path[1 + d] = hex[(next >> (4 * (4 - d))) & 0xf];
		if (!find_abstract(&a, s->type)) {
			s->name = a;
			s->bound = true;
			next++;
			return 0;
		}
	}
	return -ENOSPC;
}

int ux_bind(struct file *f, const struct ux_addr *a)
{
	struct usock *s = ux_of(f);
	uint32_t id = ux_id(s);
	rid_t rid;
	if (s->name.len || s->state == UX_LISTEN)
		return -EINVAL;                       /* bound already */
	if (!a->len)
		return autobind(s);
	if (abstract(a)) {
		if (find_abstract(a, s->type))
			return -EADDRINUSE;
		s->name = *a;
		s->bound = true;
		return 0;
	}
	int err = fsp_mknodat(proc_cur(), L_AT_FDCWD, a->path, L_S_IFSOCK | 0777, 0);
	if (err)
		return err == -EEXIST ? -EADDRINUSE : err;
	if ((err = fsp_lookup_at(proc_cur(), L_AT_FDCWD, a->path, &rid)))
		return err;
	if (!(s = ux_get(id)) || s->name.len)
		return -EINVAL;                       /* another thread bound it meanwhile */
	s->node = rid;
	s->name = *a;
	s->bound = true;
	return 0;
}

/* ---- connections --------------------------------------------------------------------------- */

int ux_listen(struct file *f, int backlog)
{
	struct usock *s = ux_of(f);
	if (s->type == L_SOCK_DGRAM)
		return -EOPNOTSUPP;
	if (s->state == UX_CONN || !s->name.len)
		return -EINVAL;
	s->backlog = backlog < 0 ? 0 : backlog > SOMAXCONN ? SOMAXCONN : backlog;
	s->state = UX_LISTEN;
	ux_changed(s);                                /* connectors waiting for room */
	return 0;
}

static int pending(const struct usock *l)
{
	int n = 0;
	for (int i = 0; i < NUX; i++)
		n += ux_tab[i].state == UX_EMBRYO && ux_tab[i].listener == ux_id(l);
	return n;
}

/* A datagram socket's default peer (a->len 0: none, AF_UNSPEC). */
static int connect_dgram(struct usock *s, const struct ux_addr *a)
{
	struct usock *p;
	if (!a->len) {
		s->peer = 0;
		return 0;
	}
	int err = ux_lookup(a, s->type, &p);
	if (err)
		return err;
	if (p->type != L_SOCK_DGRAM)
		return -EPROTOTYPE;
	s->peer = ux_id(p);
	return 0;
}

/* The listener's side of a new connection to l, queued for accept, linked with s. */
static int make_embryo(struct usock *s, struct usock *l)
{
	struct usock *e = ux_alloc(l->type);
	if (!e)
		return -ENFILE;
	e->state = UX_EMBRYO;
	e->listener = ux_id(l);
	e->seq = ++embryo_seq;
	e->name = l->name;
	ux_link(s, e);
	e->state = UX_EMBRYO;                         /* ux_link made both connected */
	ux_changed(l);
	return 0;
}

int ux_connect(struct file *f, const struct ux_addr *a)
{
	struct usock *s = ux_of(f), *l;
	uint32_t lid;
	if (s->type == L_SOCK_DGRAM)
		return connect_dgram(s, a);
	if (s->state == UX_CONN)
		return -EISCONN;
	if (s->state == UX_LISTEN || !a->len)
		return -EINVAL;
	int err = ux_lookup(a, s->type, &l);
	if (err)
		return err;
	lid = ux_id(l);
	uint64_t deadline = sock_deadline(s->sndtimeo_ns);
	file_get(f);
	for (;;) {
		if (!(l = ux_get(lid)) || l->state != UX_LISTEN) {
			err = -ECONNREFUSED;
		} else if (l->type != s->type) {
			err = -EPROTOTYPE;
		} else if (s->state == UX_CONN) {
			err = -EISCONN;                   /* another thread connected it meanwhile */
		} else if (pending(l) > l->backlog) {
			if (!(err = sock_nonblock(f, 0) ? -EAGAIN : ux_wait(l, deadline)))
				continue;
		} else {
			err = make_embryo(s, l);
		}
		break;
	}
	file_put(f);
	return err;
}

int ux_accept(struct file *f, int flags, struct file **out, struct ux_addr *peer)
{
	struct usock *s = ux_of(f), *e = NULL;
	int err = 0;
	if (s->state != UX_LISTEN)
		return -EINVAL;
	uint64_t deadline = sock_deadline(s->rcvtimeo_ns);
	file_get(f);
	while (!e && !err && s->state == UX_LISTEN) {
		for (int i = 0; i < NUX; i++) {
			struct usock *c = &ux_tab[i];
			if (c->state == UX_EMBRYO && c->listener == ux_id(s) && (!e || c->seq < e->seq))
				e = c;
		}
		if (!e)
			err = sock_nonblock(f, 0) ? -EAGAIN : ux_wait(s, deadline);
	}
	file_put(f);
	if (!e)
		return err ? err : -EINVAL;
	e->state = UX_CONN;
	e->listener = 0;
	struct usock *p = ux_get(e->peer);
	peer->len = 0;
	if (p)
		*peer = p->name;
	ux_changed(s);                                /* connectors waiting for room */
	return ux_file(e, flags, out);
}

int ux_shutdown(struct file *f, int how)
{
	struct usock *s = ux_of(f), *p = ux_get(s->peer);
	bool rd = how != 1, wr = how != 0;
	s->rd_shut |= rd;
	s->wr_shut |= wr;
	if (p && ux_conn_type(s) && s->state == UX_CONN && p->peer == ux_id(s)) {
		p->wr_shut |= rd;                     /* as Linux: the peer's side mirrors */
		p->rd_shut |= wr;
		ux_changed(p);
	}
	ux_changed(s);
	return 0;
}

int ux_getname(struct file *f, int peer, struct ux_addr *out)
{
	struct usock *s = ux_of(f);
	if (!peer) {
		*out = s->name;
		return 0;
	}
	if (!(ux_get(s->peer) || s->peer_left) || (ux_conn_type(s) && s->state != UX_CONN))
		return -ENOTCONN;
	ux_peer_name(s, out);
	return 0;
}

/* ---- options ------------------------------------------------------------------------------- */


int ux_setopt(struct file *f, int level, int opt, const void *kval, uint32_t len)
{
	struct usock *s = ux_of(f);
	if (sock_is_timeout(level, opt)) {
		uint64_t ns;
		int err = sock_timeout_from(kval, len, &ns);
		if (err)
			return err;
		*(opt == L_SO_RCVTIMEO ? &s->rcvtimeo_ns : &s->sndtimeo_ns) = ns;
		return 0;
	}
	if (level != L_SOL_SOCKET)
		return -EOPNOTSUPP;                   /* as Linux: no option of another level */
	if (len < sizeof(int))
		return -EINVAL;
	/* the buffer sizes are fixed (UX_QCAP) and SO_REUSEADDR means nothing here, as on
	 * Linux: taken; everything else (SO_PASSCRED among them: no credentials are passed) is
	 * not there */
	if (level == L_SOL_SOCKET &&
	    (opt == L_SO_SNDBUF || opt == L_SO_RCVBUF || opt == L_SO_REUSEADDR))
		return 0;
	return -ENOPROTOOPT;
}

int ux_getopt(struct file *f, int level, int opt, void *kval, uint32_t *len)
{
	struct usock *s = ux_of(f);
	int v;
	if (sock_is_timeout(level, opt)) {
		sock_timeout_to(opt == L_SO_RCVTIMEO ? s->rcvtimeo_ns : s->sndtimeo_ns, kval, len);
		return 0;
	}
	if (level != L_SOL_SOCKET)
		return -EOPNOTSUPP;
	switch (opt) {
	case L_SO_PEERCRED: {
		int32_t cred[3] = { s->peer ? s->cred_pid : 0, s->peer ? (int32_t)s->cred_uid : -1,
				    s->peer ? (int32_t)s->cred_gid : -1 };
		memcpy(kval, cred, sizeof(cred));
		*len = sizeof(cred);
		return 0;
	}
	case L_SO_TYPE: v = s->type; break;
	case L_SO_ERROR: v = s->err; s->err = 0; break;
	case L_SO_SNDBUF: case L_SO_RCVBUF: v = (int)UX_QCAP; break;
	case L_SO_ACCEPTCONN: v = s->state == UX_LISTEN; break;
	case L_SO_DOMAIN: v = L_AF_UNIX; break;
	case L_SO_PROTOCOL: v = 0; break;
	case L_SO_REUSEADDR: v = 0; break;
	default: return -ENOPROTOOPT;
	}
	memcpy(kval, &v, sizeof(v));
	*len = sizeof(v);
	return 0;
}

/* ---- /proc/net/unix ------------------------------------------------------------------------ */

#define SS_UNCONNECTED 1
#define SS_CONNECTING 2
#define SS_CONNECTED 3
#define SO_ACCEPTCON 0x10000

static uint64_t ino_of(const struct usock *s)
{
	return 0x20000u + (uint64_t)(s - ux_tab) + ((uint64_t)s->gen << 8);
}

/* One line as Linux's unix_seq_show: the address hidden (kptr_restrict), the references
 * (the open file, the table, a connected peer's), the flags, type, socket state, inode (0
 * for a connection not yet accepted: no file yet) and the name (abstract: '@' for 0 bytes). */
static void proc_line(struct ptext *t, const struct usock *s)
{
	bool embryo = s->state == UX_EMBRYO;
	int st = embryo ? SS_CONNECTING : s->peer && ux_get(s->peer) ? SS_CONNECTED : SS_UNCONNECTED;
	ptext_fmt(t, "0000000000000000: %08X %08X %08X %04X %02X %5llu",
		  2u + (ux_get(s->peer) ? 1u : 0u), 0u, s->state == UX_LISTEN ? SO_ACCEPTCON : 0u,
		  (unsigned)s->type, (unsigned)st, embryo ? 0ull : (unsigned long long)ino_of(s));
	if (s->name.len) {
		ptext_char(t, ' ');
		for (uint8_t i = 0; i < s->name.len; i++)
			ptext_char(t, s->name.path[i] ? s->name.path[i] : '@');
	}
	ptext_char(t, '\n');
}

void ux_proc_net(struct ptext *t)
{
	ptext_str(t, "Num       RefCount Protocol Flags    Type St Inode Path\n");
	for (int i = 0; i < NUX; i++)
		if (ux_tab[i].state != UX_FREE)
			proc_line(t, &ux_tab[i]);
}
