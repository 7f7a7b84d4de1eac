/*
 * Guest tests of the network server's protocol (abi/netproto.h, servers/net/proto.c): who may
 * call it, and requests with bad numbers, which must be refused with the right error and
 * leave the server serving. The data paths are the net suite's (tools/net_suite.py).
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include "libtessera.h"
#include "tnet.h"
#include "tsys.h"
#include "utest.h"

static int raw(uint32_t fn, rid_t ctl, rid_t data, uint64_t a0, uint64_t a1, uint64_t a2)
{
	struct t_msg m = { .fn = fn, .ctl = ctl, .data = data, .arg = { a0, a1, a2 } };
	return t_srv_call(&m);
}

/* A user other than root is refused: only the kernel speaks for users. */
static void net_perm(void)
{
	struct tnet t;
	int h;
	CHECK_OK(tnet_open(&t, 4096));
	CHECK_OK(tsys_setuid(1000));
	CHECK_ERR(tnet_socket(TNET_STREAM, &h), EPERM);
	CHECK_ERR(raw(TFN_NET_STATS, t.ctl.rid, 0, 0, 0, 0), EPERM);
	CHECK_ERR(raw(TFN_NET_EVENTS, 0, t.data.rid, 8, 0, 0), EPERM);
	tnet_close(&t);
}

static void net_bad_requests(void)
{
	struct tnet t;
	int h;
	CHECK_OK(tnet_open(&t, 4096));
	CHECK_ERR(raw(TFN_NET_SOCKET, 0, 0, 0, 0, 0), EINVAL);
	CHECK_ERR(raw(TFN_NET_SOCKET, 0, 0, 9, 0, 0), EINVAL);
	CHECK_ERR(raw(TFN_NET_CLOSE, 0, 0, 12345, 0, 0), EBADF);
	CHECK_ERR(raw(TFN_NET_CLOSE, 0, 0, ~0ull, 0, 0), EBADF);
	CHECK_OK(tnet_socket(TNET_DGRAM, &h));
	CHECK_ERR(raw(TFN_NET_BIND, 0, 0, (uint64_t)h, 1ull << 32, 0), EINVAL);
	CHECK_ERR(raw(TFN_NET_BIND, 0, 0, (uint64_t)h, 0, 70000), EINVAL);
	CHECK_ERR(raw(TFN_NET_SEND, 0, 0, (uint64_t)h, 10, 0), EINVAL);        /* no data ICA */
	CHECK_ERR(raw(TFN_NET_SEND, 0, t.data.rid, (uint64_t)h, 4097, 0), EINVAL);
	CHECK_ERR(raw(TFN_NET_RECV, 0, t.data.rid, (uint64_t)h, 1ull << 40, 0), EINVAL);
	CHECK_ERR(raw(TFN_NET_SHUTDOWN, 0, 0, (uint64_t)h, 5, 0), EINVAL);
	CHECK_ERR(raw(TFN_NET_GETNAME, 0, 0, (uint64_t)h, 2, 0), EINVAL);
	CHECK_ERR(raw(TFN_NET_SETOPT, 0, 0, (uint64_t)h, 99, 1), ENOPROTOOPT);
	CHECK_ERR(raw(TFN_NET_GETOPT, 0, 0, (uint64_t)h, 1, 12345), ENOPROTOOPT);
	CHECK_ERR(raw(TFN_NET_RECV, 0, t.data.rid, (uint64_t)h, 100, 0), EAGAIN);
	CHECK_ERR(raw(TFN_NET_STATS, 0, 0, 0, 0, 0), EINVAL);                  /* no control ICA */
	CHECK_ERR(raw(TFN_NET_IFCONFIG, t.ctl.rid, 0, 7, 0, 0), EINVAL);
	struct t_net_ifconf c = { .addr = 0x0a00020f, .netmask = 0xff00ff00 };
	CHECK_ERR(tnet_ifconfig(&t, TNET_IF_SET, &c), EINVAL);                 /* not a netmask */
	c = (struct t_net_ifconf){ .addr = 0x7f000002, .netmask = 0xff000000 };
	CHECK_ERR(tnet_ifconfig(&t, TNET_IF_SET, &c), EINVAL);                 /* loopback */
	CHECK_OK(tnet_sclose(h));
	CHECK_ERR(tnet_sclose(h), EBADF);                                      /* stale now */
	uint32_t ev, n;
	CHECK_ERR(tnet_poll(h, &ev, &n), EBADF);
	tnet_close(&t);
}

/* The interface as the test boots configure it: QEMU's user network. */
static void net_ifconfig_get(void)
{
	struct tnet t;
	struct t_net_ifconf c;
	memset(&c, 0, sizeof(c));
	CHECK_OK(tnet_open(&t, 4096));
	CHECK_OK(tnet_ifconfig(&t, TNET_IF_GET, &c));
	CHECK_EQ(c.addr, 0x0a00020fu);
	CHECK_EQ(c.netmask, 0xffffff00u);
	CHECK_EQ(c.gateway, 0x0a000202u);
	CHECK_EQ(c.dns, 0x0a000203u);
	CHECK_EQ(c.mtu, 1500);
	CHECK_EQ(c.mac[0], 0x52);
	CHECK_EQ(c.up, 1u);
	tnet_close(&t);
}

/* A NET_EVENTS request waits until one of the caller's sockets becomes readable. */
static void net_events(void)
{
	struct tnet t;
	struct t_ica ev;
	int u1, u2;
	uint32_t a;
	uint16_t port;
	size_t n;
	uint64_t id;
	CHECK_OK(tnet_open(&t, 4096));
	CHECK_OK(t_ica_create(1, 0, &ev));
	CHECK_OK(tnet_socket(TNET_DGRAM, &u1));
	CHECK_OK(tnet_socket(TNET_DGRAM, &u2));
	CHECK_OK(tnet_bind(u2, 0x7f000001, 0));
	CHECK_OK(tnet_getname(u2, 0, &a, &port));
	/* fresh sockets have news (they became writable): take it until a request is held */
	struct t_msg m;
	int held = 0;
	for (int i = 0; i < 5 && !held; i++) {
		m = (struct t_msg){ .fn = TFN_NET_EVENTS, .data = ev.rid, .arg = { 16 } };
		CHECK_OK(t_srv_send(&m, &id));
		usleep(20000);
		held = t_srv_result(&m, TSRV_NONBLOCK) == -EAGAIN;
	}
	CHECK(held);
	memcpy((void *)t.data.addr, "wake", 4);
	CHECK_OK(tnet_send(&t, u1, 4, 0x7f000001, port, &n));
	int err;
	for (int i = 0; (err = t_srv_result(&m, TSRV_NONBLOCK)) == -EAGAIN && i < 500; i++)
		usleep(10000);
	CHECK_OK(err);
	CHECK_OK(m.status);
	const struct t_net_event *rec = (const void *)ev.addr;
	bool readable = false;
	for (uint64_t i = 0; i < m.arg[0] && i < 16; i++)
		readable |= rec[i].handle == u2 && (rec[i].revents & 1);   /* POLLIN */
	CHECK(readable);
	CHECK_OK(tnet_sclose(u1));
	CHECK_OK(tnet_sclose(u2));
	CHECK_OK(t_res_delete(ev.rid));
	tnet_close(&t);
}

/* The runner's warm-up: a root process's first NET_EVENTS makes the server set up what it
 * keeps for such callers (tables for the areas passed to it), which is not a test's leak. */
void ut_net_warm(void)
{
	net_events();
}

const struct utest ut_net_tests[] = {
	{ "net_events", net_events },
	{ "net_perm", net_perm },
	{ "net_bad_requests", net_bad_requests },
	{ "net_ifconfig_get", net_ifconfig_get },
	{ NULL, NULL },
};
