/* Netlink route sockets (nlink.h): the little of NETLINK_ROUTE that `ip addr`, `ip link` and
 * `ip route` use. A request goes in with send; the kernel answers at once by queueing the
 * reply messages on the socket (the dumps of RTM_GETLINK, RTM_GETADDR and RTM_GETROUTE built
 * from the network server's interface records, netinfo.h), and recv takes whole messages from
 * that queue. Nothing else of netlink is here: no multicast groups (events), no other
 * protocols, no change requests (answered with an error message: EPERM for users, as without
 * CAP_NET_ADMIN, EOPNOTSUPP for root). */
#include "kernel/net/nlink.h"
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/fs/file.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uaccess.h"
#include "kernel/net/netinfo.h"
#include "kernel/net/sock.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/signal.h"

#define NNL 64
#define QUEUE_BYTES 2048u          /* a whole dump of up to NETINFO_MAX_IFS interfaces fits */
#define REQ_MAX 2048u

#define NLMSG_ERROR 2
#define NLMSG_DONE 3
#define NLM_F_REQUEST 0x1
#define NLM_F_MULTI 0x2
#define NLM_F_ACK 0x4
#define NLM_F_DUMP 0x300
#define RTM_NEWLINK 16
#define RTM_GETLINK 18
#define RTM_NEWADDR 20
#define RTM_GETADDR 22
#define RTM_NEWROUTE 24
#define RTM_GETROUTE 26
#define IFLA_ADDRESS 1
#define IFLA_BROADCAST 2
#define IFLA_IFNAME 3
#define IFLA_MTU 4
#define IFLA_TXQLEN 13
#define IFLA_OPERSTATE 16
#define IFA_ADDRESS 1
#define IFA_LOCAL 2
#define IFA_LABEL 3
#define IFA_BROADCAST 4
#define IFA_CACHEINFO 6
#define RTA_DST 1
#define RTA_OIF 4
#define RTA_GATEWAY 5
#define RTA_PREFSRC 7
#define RTA_TABLE 15
#define L_IFF_LOWER_UP 0x10000u
#define IF_OPER_UNKNOWN 0
#define IF_OPER_DOWN 2
#define IF_OPER_UP 6
#define RT_TABLE_MAIN 254
#define RTPROT_KERNEL 2
#define RTPROT_BOOT 3
#define RT_SCOPE_UNIVERSE 0
#define RT_SCOPE_LINK 253
#define RT_SCOPE_HOST 254
#define RTN_UNICAST 1
#define IFA_F_PERMANENT 0x80
#define ARPHRD_ETHER 1
#define ARPHRD_LOOPBACK 772

struct nlmsghdr {
	uint32_t len;
	uint16_t type, flags;
	uint32_t seq, pid;
};

struct nlsock {
	bool used;
	uint32_t portid;
	uint8_t *q;                  /* the reply queue: whole messages, kmalloc'd on first use */
	uint32_t qlen, qoff;
};

static struct nlsock nls[NNL];
static const struct file_ops nl_ops;

static struct nlsock *nl_of(struct file *f)
{
	return f->priv;
}

bool nl_is(const struct file *f)
{
	return f->ops == &nl_ops;
}

/* ---- port ids ----------------------------------------------------------------------------- */

static bool port_taken(uint32_t id)
{
	for (int i = 0; i < NNL; i++)
		if (nls[i].used && nls[i].portid == id)
			return true;
	return false;
}

/* As Linux's autobind: the process's pid, or (taken) a negative id of its own. */
static uint32_t port_auto(const struct nlsock *s)
{
	uint32_t id = (uint32_t)proc_cur()->pid;
	for (uint32_t k = 0; port_taken(id) && k < NNL; k++)
		id = (uint32_t)(-4096 - (int32_t)(s - nls) - (int32_t)k * NNL);
	return id;
}

int nl_bind(struct file *f, uint32_t portid)
{
	struct nlsock *s = nl_of(f);
	if (portid == 0 || portid == s->portid)
		return 0;                /* the id it was given at creation */
	if (port_taken(portid))
		return -EADDRINUSE;
	s->portid = portid;
	return 0;
}

uint32_t nl_portid(struct file *f)
{
	return nl_of(f)->portid;
}

/* ---- building messages -------------------------------------------------------------------- */

struct out {
	uint8_t *buf;
	uint32_t len, cap;
	uint32_t msg;                /* where the message being built starts */
	bool full;
};

static void *put(struct out *o, uint32_t n)
{
	uint32_t a = (n + 3) & ~3u;
	if (o->full || o->cap - o->len < a) {
		o->full = true;
		return NULL;
	}
	void *p = o->buf + o->len;
	memset(p, 0, a);
	o->len += a;
	return p;
}

static void msg_start(struct out *o, uint16_t type, uint16_t flags, const struct nlmsghdr *req,
		      uint32_t portid)
{
	o->msg = o->len;
	struct nlmsghdr *h = put(o, sizeof(*h));
	if (h)
		*h = (struct nlmsghdr){ 0, type, flags, req->seq, portid };
}

static void msg_end(struct out *o)
{
	if (!o->full)
		((struct nlmsghdr *)(o->buf + o->msg))->len = o->len - o->msg;
}

static void attr(struct out *o, uint16_t type, const void *data, uint16_t n)
{
	uint16_t *a = put(o, 4u + n);
	if (a) {
		a[0] = (uint16_t)(4 + n);
		a[1] = type;
		memcpy(a + 2, data, n);
	}
}

static void attr32(struct out *o, uint16_t type, uint32_t v)
{
	attr(o, type, &v, 4);
}

/* An IPv4 address attribute: network byte order. */
static void attr_ip(struct out *o, uint16_t type, uint32_t host)
{
	attr32(o, type, __builtin_bswap32(host));
}

static uint8_t prefix_len(uint32_t mask)
{
	uint8_t n = 0;
	while (n < 32 && (mask & (0x80000000u >> n)))
		n++;
	return n;
}

static void link_msg(struct out *o, const struct t_net_ifinfo *i, const struct nlmsghdr *req,
		     uint32_t portid)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, none[6];
	bool lo = i->flags & TNET_IFF_LOOPBACK, up = i->flags & TNET_IFF_RUNNING;
	uint8_t oper = lo ? IF_OPER_UNKNOWN : up ? IF_OPER_UP : IF_OPER_DOWN;
	msg_start(o, RTM_NEWLINK, NLM_F_MULTI, req, portid);
	uint32_t *m = put(o, 16);        /* struct ifinfomsg */
	if (m) {
		m[0] = (uint32_t)(lo ? ARPHRD_LOOPBACK : ARPHRD_ETHER) << 16;
		m[1] = i->index;
		m[2] = i->flags | (up ? L_IFF_LOWER_UP : 0);
	}
	attr(o, IFLA_IFNAME, i->name, (uint16_t)(strlen(i->name) + 1));
	attr32(o, IFLA_TXQLEN, i->txqlen);
	attr(o, IFLA_OPERSTATE, &oper, 1);
	attr32(o, IFLA_MTU, i->mtu);
	attr(o, IFLA_ADDRESS, i->mac, 6);
	attr(o, IFLA_BROADCAST, lo ? none : bcast, 6);
	msg_end(o);
}

static void addr_msg(struct out *o, const struct t_net_ifinfo *i, const struct nlmsghdr *req,
		     uint32_t portid)
{
	static const uint32_t forever[4] = { 0xffffffffu, 0xffffffffu, 0, 0 };
	bool lo = i->flags & TNET_IFF_LOOPBACK;
	msg_start(o, RTM_NEWADDR, NLM_F_MULTI, req, portid);
	uint8_t *m = put(o, 8);          /* struct ifaddrmsg */
	if (m) {
		m[0] = L_AF_INET;
		m[1] = prefix_len(i->netmask);
		m[2] = IFA_F_PERMANENT;
		m[3] = lo ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE;
		memcpy(m + 4, &i->index, 4);
	}
	attr_ip(o, IFA_ADDRESS, i->addr);
	attr_ip(o, IFA_LOCAL, i->addr);
	if (!lo)
		attr_ip(o, IFA_BROADCAST, i->addr | ~i->netmask);
	attr(o, IFA_LABEL, i->name, (uint16_t)(strlen(i->name) + 1));
	attr(o, IFA_CACHEINFO, forever, sizeof(forever));
	msg_end(o);
}

/* One route of the main table: the subnet (gw 0) or the default route through gw. */
static void route_msg(struct out *o, const struct t_net_ifinfo *i, uint32_t gw,
		      const struct nlmsghdr *req, uint32_t portid)
{
	msg_start(o, RTM_NEWROUTE, NLM_F_MULTI, req, portid);
	uint8_t *m = put(o, 12);         /* struct rtmsg */
	if (m) {
		m[0] = L_AF_INET;
		m[1] = gw ? 0 : prefix_len(i->netmask);
		m[4] = RT_TABLE_MAIN;
		m[5] = gw ? RTPROT_BOOT : RTPROT_KERNEL;
		m[6] = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
		m[7] = RTN_UNICAST;
	}
	attr32(o, RTA_TABLE, RT_TABLE_MAIN);
	if (gw) {
		attr_ip(o, RTA_GATEWAY, gw);
	} else {
		attr_ip(o, RTA_DST, i->addr & i->netmask);
		attr_ip(o, RTA_PREFSRC, i->addr);
	}
	attr32(o, RTA_OIF, i->index);
	msg_end(o);
}

/* The dump asked for by req (family: its rtgenmsg's first byte) into o. */
static void dump(struct out *o, const struct nlmsghdr *req, uint8_t family, uint32_t portid)
{
	struct t_net_ifinfo ifs[NETINFO_MAX_IFS];
	uint32_t n = 0;
	netinfo_ifs(ifs, &n);                /* no server: no interface */
	bool inet = family == 0 || family == L_AF_INET;
	for (uint32_t k = 0; k < n; k++) {
		const struct t_net_ifinfo *i = &ifs[k];
		if (req->type == RTM_GETLINK)
			link_msg(o, i, req, portid);
		else if (req->type == RTM_GETADDR && inet && i->addr)
			addr_msg(o, i, req, portid);
	}
	/* the main table as /proc/net/route shows it: default routes, then the subnets */
	for (int pass = 0; req->type == RTM_GETROUTE && inet && pass < 2; pass++)
		for (uint32_t k = 0; k < n; k++)
			if (!(ifs[k].flags & TNET_IFF_LOOPBACK) && ifs[k].addr &&
			    (pass || ifs[k].gateway))
				route_msg(o, &ifs[k], pass ? 0 : ifs[k].gateway, req, portid);
	msg_start(o, NLMSG_DONE, NLM_F_MULTI, req, portid);
	int32_t *zero = put(o, 4);
	(void)zero;
	msg_end(o);
}

/* NLMSG_ERROR for req: err (0: an acknowledgment), then the request's header. */
static void error_msg(struct out *o, const struct nlmsghdr *req, int err, uint32_t portid)
{
	msg_start(o, NLMSG_ERROR, 0, req, portid);
	int32_t *e = put(o, 4);
	struct nlmsghdr *h = put(o, sizeof(*h));
	if (e && h) {
		*e = err;
		*h = *req;
	}
	msg_end(o);
}

/* ---- the calls ---------------------------------------------------------------------------- */

/* The answer to one message h (its family byte: the first of its payload) into o. */
static void answer(struct out *o, const struct nlmsghdr *h, uint8_t family, uint32_t portid)
{
	bool get = h->type == RTM_GETLINK || h->type == RTM_GETADDR || h->type == RTM_GETROUTE;
	if (get && (h->flags & NLM_F_DUMP) == NLM_F_DUMP)
		dump(o, h, family, portid);
	else if (get || h->type < RTM_NEWLINK)
		error_msg(o, h, -EOPNOTSUPP, portid);        /* a single object: not done */
	else
		error_msg(o, h, proc_cur()->cred.uid ? -EPERM : -EOPNOTSUPP, portid);
}

/* Every message of a request (len bytes at req), each checked before any is answered. */
static int request(struct nlsock *s, const uint8_t *req, uint32_t len)
{
	struct nlmsghdr h;
	uint32_t off;
	for (off = 0; off < len; off += (h.len + 3) & ~3u) {
		if (len - off < sizeof(h))
			return -EINVAL;
		memcpy(&h, req + off, sizeof(h));
		if (h.len < sizeof(h) || h.len > len - off || !(h.flags & NLM_F_REQUEST))
			return -EINVAL;
	}
	if (!s->q && !(s->q = kmalloc(QUEUE_BYTES)))
		return -ENOMEM;
	if (s->qoff == s->qlen)
		s->qlen = s->qoff = 0;
	struct out o = { s->q, s->qlen, QUEUE_BYTES, 0, false };
	for (off = 0; off < len; off += (h.len + 3) & ~3u) {
		memcpy(&h, req + off, sizeof(h));
		answer(&o, &h, h.len > sizeof(h) ? req[off + sizeof(h)] : 0, s->portid);
	}
	if (o.full)
		return -ENOBUFS;             /* the reader left too much unread */
	s->qlen = o.len;
	return 0;
}

long nl_send(struct file *f, const struct linux_iovec *iov, int cnt)
{
	size_t total = 0;
	for (int i = 0; i < cnt; i++)
		total += iov[i].len;
	if (total > REQ_MAX)
		return -EMSGSIZE;
	uint8_t *req = kmalloc(REQ_MAX);
	if (!req)
		return -ENOMEM;
	long r = 0;
	for (int i = 0, off = 0; i < cnt && !r; off += (int)iov[i].len, i++)
		if (copy_from_user(req + off, (const void *)(uintptr_t)iov[i].base, iov[i].len))
			r = -EFAULT;
	if (!r)
		r = request(nl_of(f), req, (uint32_t)total);
	kfree(req);
	return r ? r : (long)total;
}

/* Whole messages from the queue, as many as fit in n bytes; the first alone, cut, when it
 * does not (MSG_TRUNC). */
static uint32_t take(struct nlsock *s, size_t n, uint32_t *full)
{
	uint32_t got = 0;
	while (s->qoff + got < s->qlen) {
		const struct nlmsghdr *h = (const void *)(s->q + s->qoff + got);
		uint32_t m = (h->len + 3) & ~3u;
		if (got + m > n)
			break;
		got += m;
	}
	*full = got;
	if (!got && s->qoff < s->qlen) {
		*full = (((const struct nlmsghdr *)(s->q + s->qoff))->len + 3) & ~3u;
		got = (uint32_t)n;
	}
	return got;
}

long nl_recv(struct file *f, const struct linux_iovec *iov, int cnt, int flags, int *oflags)
{
	struct nlsock *s = nl_of(f);
	size_t total = 0;
	uint32_t full, done = 0;
	for (int i = 0; i < cnt; i++)
		total += iov[i].len;
	*oflags = 0;
	while (s->qoff == s->qlen) {         /* nothing comes but what a request queued */
		if ((f->flags & L_O_NONBLOCK) || (flags & 0x40))
			return -EAGAIN;
		if (proc_aborting(proc_cur()))
			return -ERESTARTSYS;
		sleep_on(s, 0);
	}
	uint32_t got = take(s, total, &full);
	for (int i = 0; i < cnt && done < got; i++) {
		uint32_t c = got - done < iov[i].len ? got - done : (uint32_t)iov[i].len;
		if (copy_to_user((void *)(uintptr_t)iov[i].base, s->q + s->qoff + done, c))
			return -EFAULT;
		done += c;
	}
	if (full > got)
		*oflags = 0x20;                  /* MSG_TRUNC */
	if (!(flags & 0x2))                  /* MSG_PEEK leaves them */
		s->qoff += full;
	return (flags & 0x20) ? (long)full : (long)got;
}

/* ---- the open-file variant ------------------------------------------------------------------ */

static long nl_read(struct file *f, void *ubuf, size_t n)
{
	struct linux_iovec v = { (uint64_t)(uintptr_t)ubuf, n };
	int oflags;
	return nl_recv(f, &v, 1, 0, &oflags);
}

static long nl_write(struct file *f, const void *ubuf, size_t n)
{
	struct linux_iovec v = { (uint64_t)(uintptr_t)ubuf, n };
	return nl_send(f, &v, 1);
}

static int nl_stat(struct file *f, struct linux_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = 3;
	st->st_ino = 0x10000u + (uint64_t)(nl_of(f) - nls);
	st->st_nlink = 1;
	st->st_mode = L_S_IFSOCK | 0777;
	return 0;
}

static unsigned nl_poll(struct file *f)
{
	struct nlsock *s = nl_of(f);
	return L_POLLOUT | (s->qoff < s->qlen ? L_POLLIN : 0);
}

static void nl_release(struct file *f)
{
	struct nlsock *s = nl_of(f);
	kfree(s->q);
	memset(s, 0, sizeof(*s));
}

static long nl_ioctl(struct file *f, unsigned long req, uint64_t arg)
{
	(void)f;
	return netinfo_ioctl(req, arg);
}

static const struct file_ops nl_ops = {
	.read = nl_read, .write = nl_write, .lseek = file_op_espipe, .stat = nl_stat,
	.getdents64 = file_op_enotdir, .ioctl = nl_ioctl, .release = nl_release,
	.poll = nl_poll,
};

int nl_create(int type, int protocol, int flags, struct file **out)
{
	struct nlsock *s = NULL;
	if (type != L_SOCK_RAW && type != L_SOCK_DGRAM)
		return -ESOCKTNOSUPPORT;
	if (protocol != 0)                   /* NETLINK_ROUTE only */
		return -EPROTONOSUPPORT;
	for (int i = 0; i < NNL && !s; i++)
		if (!nls[i].used)
			s = &nls[i];
	if (!s)
		return -ENFILE;
	int err = file_alloc(&nl_ops, L_O_RDWR | (flags & L_O_NONBLOCK), 0, out);
	if (err)
		return err;
	*s = (struct nlsock){ .used = true };
	s->portid = port_auto(s);
	(*out)->priv = s;
	return 0;
}
