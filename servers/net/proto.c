/*
 * The TFN_NET_* protocol (abi/netproto.h): each request becomes one call on the stack and is
 * answered at once, -EAGAIN or -EINPROGRESS when it cannot be done now (the kernel does the
 * waiting). Only the kernel (requests it makes for a process arrive with pid 0) and root may
 * call: the kernel checks a socket descriptor's rights before it speaks, and root tools
 * (net, nettest) speak for themselves. Every number in a request is checked here; the stack
 * checks the handles.
 */
#include <errno.h>
#include <string.h>
#include "abi/netproto.h"
#include "libtessera.h"
#include "servers/net/server.h"
#include "srv.h"
#include "tsys.h"

void nsrv_reply(struct t_msg *m, int status)
{
	struct t_msg r;
	memset(&r, 0, sizeof(r));
	r.id = m->id;
	r.fn = m->fn;
	r.status = status;
	memcpy(r.arg, m->arg, sizeof(r.arg));
	/* an error means the caller is gone: its request is dropped with it */
	tsys_t_srv_reply((long)&r);
}

/* The bytes a request's data ICA can hold, or -EINVAL when it has none or len exceeds it. */
static int data_room(const struct t_msg *m, uint64_t len, void **buf)
{
	*buf = srv_data(m);
	if (!*buf)
		return -EINVAL;
	return len <= srv_ica_pages(m->data) * 4096 ? 0 : -EINVAL;
}

static int handle_of(const struct t_msg *m)
{
	return m->arg[0] > INT32_MAX ? -1 : (int)m->arg[0];
}

static void note_type(struct nsrv *s, int h, uint8_t type, int32_t owner)
{
	uint32_t i = (uint32_t)h & 0xffffu;
	if (h >= 0 && i < NSRV_MAX_SOCKETS) {
		s->sock_type[i] = type;
		s->owner[i] = owner;
	}
}

static int do_socket(struct nsrv *s, struct t_msg *m)
{
	int h;
	if (m->arg[0] < TNET_STREAM || m->arg[0] > TNET_PING)
		return -EINVAL;        /* EPROTONOSUPPORT is the kernel's to say */
	int err = net_socket(s->st, (enum net_sock_type)m->arg[0], &h);
	if (err)
		return err;
	note_type(s, h, (uint8_t)m->arg[0], m->pid);
	m->arg[0] = (uint64_t)h;
	return 0;
}

static int do_close(struct nsrv *s, struct t_msg *m)
{
	int err = net_close(s->st, handle_of(m));
	if (!err)
		note_type(s, handle_of(m), 0, 0);
	return err;
}

static int get_addr(const struct t_msg *m, int i, struct net_addr *a)
{
	if (m->arg[i] > UINT32_MAX || m->arg[i + 1] > UINT16_MAX)
		return -EINVAL;
	a->ip = (uint32_t)m->arg[i];
	a->port = (uint16_t)m->arg[i + 1];
	return 0;
}

static int do_bind(struct nsrv *s, struct t_msg *m)
{
	struct net_addr a;
	int err = get_addr(m, 1, &a);
	return err ? err : net_bind(s->st, handle_of(m), &a);
}

static int do_listen(struct nsrv *s, struct t_msg *m)
{
	int backlog = m->arg[1] > 4096 ? 4096 : (int)m->arg[1];
	return net_listen(s->st, handle_of(m), backlog);
}

static int do_accept(struct nsrv *s, struct t_msg *m)
{
	int h;
	struct net_addr peer;
	int err = net_accept(s->st, handle_of(m), &h, &peer);
	if (err)
		return err;
	note_type(s, h, TNET_STREAM, m->pid);
	m->arg[0] = (uint64_t)h;
	m->arg[1] = peer.ip;
	m->arg[2] = peer.port;
	return 0;
}

static int do_connect(struct nsrv *s, struct t_msg *m)
{
	struct net_addr a;
	int err = get_addr(m, 1, &a);
	return err ? err : net_connect(s->st, handle_of(m), &a);
}

static int do_send(struct nsrv *s, struct t_msg *m)
{
	void *buf;
	struct net_addr to;
	size_t sent;
	int err = data_room(m, m->arg[1], &buf);
	if (!err)
		err = get_addr(m, 3, &to);
	if (err)
		return err;
	bool peer = !to.ip && !to.port;
	err = net_send(s->st, handle_of(m), buf, m->arg[1], (uint32_t)m->arg[2],
		       peer ? NULL : &to, &sent);
	m->arg[0] = err ? 0 : sent;
	return err;
}

static int do_recv(struct nsrv *s, struct t_msg *m)
{
	void *buf;
	struct net_addr from = { 0, 0 };
	size_t got, full = 0;
	int err = data_room(m, m->arg[1], &buf);
	if (err)
		return err;
	err = net_recv(s->st, handle_of(m), buf, m->arg[1], (uint32_t)m->arg[2], &from, &got,
		       &full);
	if (err)
		return err;
	m->arg[0] = got;
	m->arg[1] = from.ip;
	m->arg[2] = from.port;
	m->arg[3] = full;
	return 0;
}

static int do_shutdown(struct nsrv *s, struct t_msg *m)
{
	if (m->arg[1] > NET_SHUT_RDWR)
		return -EINVAL;
	return net_shutdown(s->st, handle_of(m), (enum net_shut)m->arg[1]);
}

static int do_getname(struct nsrv *s, struct t_msg *m)
{
	struct net_addr a;
	int err;
	if (m->arg[1] > 1)
		return -EINVAL;
	err = m->arg[1] ? net_getpeername(s->st, handle_of(m), &a)
			: net_getsockname(s->st, handle_of(m), &a);
	if (err)
		return err;
	m->arg[0] = a.ip;
	m->arg[1] = a.port;
	return 0;
}

static int do_poll(struct nsrv *s, struct t_msg *m)
{
	uint32_t ev, n = 0;
	int err = net_sock_poll(s->st, handle_of(m), &ev);
	if (err)
		return err;
	net_sock_nread(s->st, handle_of(m), &n);
	m->arg[0] = ev;
	m->arg[1] = n;
	return 0;
}

typedef int (*handler)(struct nsrv *s, struct t_msg *m);
static const handler handlers[] = {
	[TFN_NET_SOCKET - TFN_NET_SOCKET] = do_socket,
	[TFN_NET_CLOSE - TFN_NET_SOCKET] = do_close,
	[TFN_NET_BIND - TFN_NET_SOCKET] = do_bind,
	[TFN_NET_LISTEN - TFN_NET_SOCKET] = do_listen,
	[TFN_NET_ACCEPT - TFN_NET_SOCKET] = do_accept,
	[TFN_NET_CONNECT - TFN_NET_SOCKET] = do_connect,
	[TFN_NET_SEND - TFN_NET_SOCKET] = do_send,
	[TFN_NET_RECV - TFN_NET_SOCKET] = do_recv,
	[TFN_NET_SHUTDOWN - TFN_NET_SOCKET] = do_shutdown,
	[TFN_NET_GETNAME - TFN_NET_SOCKET] = do_getname,
	[TFN_NET_SETOPT - TFN_NET_SOCKET] = nsrv_setopt,
	[TFN_NET_GETOPT - TFN_NET_SOCKET] = nsrv_getopt,
	[TFN_NET_POLL - TFN_NET_SOCKET] = do_poll,
	[TFN_NET_IFCONFIG - TFN_NET_SOCKET] = nsrv_ifconfig,
	[TFN_NET_STATS - TFN_NET_SOCKET] = nsrv_stats,
	[TFN_NET_INFO - TFN_NET_SOCKET] = nsrv_info,
};

void nsrv_request(struct nsrv *s, struct t_msg *m)
{
	uint32_t i = m->fn - TFN_NET_SOCKET;
	s->requests++;
	if (m->pid != 0 && m->uid != 0) {
		s->denied++;
		nsrv_reply(m, -EPERM);
		return;
	}
	if (m->fn == TFN_NET_EVENTS) {
		nsrv_events_request(s, m);
		return;
	}
	int err = -ENOSYS;
	if (m->fn >= TFN_NET_SOCKET && i < sizeof(handlers) / sizeof(handlers[0]) && handlers[i])
		err = handlers[i](s, m);
	nsrv_reply(m, err);
}
