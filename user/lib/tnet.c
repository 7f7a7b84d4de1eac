/*
 * tnet (tnet.h): one synchronous request per call, with the caller's data or control ICA
 * lent for it.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "libtessera.h"
#include "tnet.h"

static int call(uint32_t fn, rid_t ctl, rid_t data, struct t_msg *m)
{
	m->fn = fn;
	m->ctl = ctl;
	m->data = data;
	return t_srv_call(m);
}

int tnet_open(struct tnet *t, size_t data_bytes)
{
	memset(t, 0, sizeof(*t));
	int err = t_ica_create((data_bytes + 4095) / 4096, 0, &t->data);
	if (!err && (err = t_ica_create(1, 0, &t->ctl)))
		t_res_delete(t->data.rid);
	return err;
}

void tnet_close(struct tnet *t)
{
	t_res_delete(t->data.rid);
	t_res_delete(t->ctl.rid);
}

int tnet_socket(uint32_t type, int *h)
{
	struct t_msg m = { .arg = { type } };
	int err = call(TFN_NET_SOCKET, 0, 0, &m);
	*h = (int)m.arg[0];
	return err;
}

int tnet_sclose(int h)
{
	struct t_msg m = { .arg = { (uint64_t)h } };
	return call(TFN_NET_CLOSE, 0, 0, &m);
}

int tnet_bind(int h, uint32_t addr, uint16_t port)
{
	struct t_msg m = { .arg = { (uint64_t)h, addr, port } };
	return call(TFN_NET_BIND, 0, 0, &m);
}

int tnet_listen(int h, int backlog)
{
	struct t_msg m = { .arg = { (uint64_t)h, (uint64_t)backlog } };
	return call(TFN_NET_LISTEN, 0, 0, &m);
}

int tnet_accept(int h, int *nh, uint32_t *addr, uint16_t *port)
{
	struct t_msg m = { .arg = { (uint64_t)h } };
	int err = call(TFN_NET_ACCEPT, 0, 0, &m);
	if (!err) {
		*nh = (int)m.arg[0];
		*addr = (uint32_t)m.arg[1];
		*port = (uint16_t)m.arg[2];
	}
	return err;
}

int tnet_connect(int h, uint32_t addr, uint16_t port)
{
	struct t_msg m = { .arg = { (uint64_t)h, addr, port } };
	return call(TFN_NET_CONNECT, 0, 0, &m);
}

int tnet_send(struct tnet *t, int h, size_t len, uint32_t addr, uint16_t port, size_t *sent)
{
	struct t_msg m = { .arg = { (uint64_t)h, len, 0, addr, port } };
	int err = call(TFN_NET_SEND, 0, t->data.rid, &m);
	*sent = err ? 0 : m.arg[0];
	return err;
}

int tnet_recv(struct tnet *t, int h, size_t len, size_t *got, uint32_t *addr, uint16_t *port)
{
	struct t_msg m = { .arg = { (uint64_t)h, len, 0 } };
	int err = call(TFN_NET_RECV, 0, t->data.rid, &m);
	*got = err ? 0 : m.arg[0];
	if (!err && addr)
		*addr = (uint32_t)m.arg[1];
	if (!err && port)
		*port = (uint16_t)m.arg[2];
	return err;
}

int tnet_shutdown(int h, int how)
{
	struct t_msg m = { .arg = { (uint64_t)h, (uint64_t)how } };
	return call(TFN_NET_SHUTDOWN, 0, 0, &m);
}

int tnet_getname(int h, int peer, uint32_t *addr, uint16_t *port)
{
	struct t_msg m = { .arg = { (uint64_t)h, (uint64_t)peer } };
	int err = call(TFN_NET_GETNAME, 0, 0, &m);
	*addr = (uint32_t)m.arg[0];
	*port = (uint16_t)m.arg[1];
	return err;
}

int tnet_setopt(int h, int level, int opt, int val)
{
	struct t_msg m = { .arg = { (uint64_t)h, (uint64_t)level, (uint64_t)opt,
				    (uint64_t)(int64_t)val } };
	return call(TFN_NET_SETOPT, 0, 0, &m);
}

int tnet_poll(int h, uint32_t *revents, uint32_t *nread)
{
	struct t_msg m = { .arg = { (uint64_t)h } };
	int err = call(TFN_NET_POLL, 0, 0, &m);
	*revents = (uint32_t)m.arg[0];
	*nread = (uint32_t)m.arg[1];
	return err;
}

int tnet_ifconfig(struct tnet *t, uint32_t op, struct t_net_ifconf *c)
{
	struct t_msg m = { .arg = { op } };
	memcpy((void *)t->ctl.addr, c, sizeof(*c));
	int err = call(TFN_NET_IFCONFIG, t->ctl.rid, 0, &m);
	if (!err)
		memcpy(c, (void *)t->ctl.addr, sizeof(*c));
	return err;
}

int tnet_stats(struct tnet *t, struct t_net_stats *s)
{
	struct t_msg m = { 0 };
	int err = call(TFN_NET_STATS, t->ctl.rid, 0, &m);
	if (!err)
		memcpy(s, (void *)t->ctl.addr, sizeof(*s));
	return err;
}

int tnet_parse_ip(const char *s, uint32_t *ip)
{
	unsigned a, b, c, d;
	char end;
	if (sscanf(s, "%u.%u.%u.%u%c", &a, &b, &c, &d, &end) != 4 || a > 255 || b > 255 ||
	    c > 255 || d > 255)
		return -EINVAL;
	*ip = a << 24 | b << 16 | c << 8 | d;
	return 0;
}
