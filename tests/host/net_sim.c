/* The simulated link of the network stack's host tests (net_sim.h). */
#define _POSIX_C_SOURCE 200809L
#include "tests/host/net_sim.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct side_ctx { struct sim *s; int side; };
static struct side_ctx ctxs[64][2];
static int nctx;

uint64_t sim_rand(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static uint64_t stack_rand(void *ctx)
{
	return sim_rand(ctx);
}

static void enqueue(struct sim *s, int to, const uint8_t *f, size_t len, uint64_t at)
{
	struct sim_frame *fr;
	uint32_t i;

	if (s->nframes == SIM_MAX_FRAMES || len > sizeof(fr->data)) {
		s->lost++;
		return;
	}
	fr = malloc(sizeof(*fr));
	if (!fr)
		abort();
	fr->at = at;
	fr->to = to;
	fr->len = (uint16_t)len;
	memcpy(fr->data, f, len);
	for (i = s->nframes; i > 0 && s->q[i - 1]->at > at; i--)
		s->q[i] = s->q[i - 1];
	s->q[i] = fr;
	s->nframes++;
}

static int link_send(void *ctx, const void *frame, size_t len)
{
	struct side_ctx *c = ctx;
	struct sim *s = c->s;
	uint64_t at = s->now + s->delay_ms;

	s->sent[c->side]++;
	if (s->tap)
		s->tap(s->tap_ctx, c->side, frame, len);
	if (s->drop_in[c->side] >= 0 && s->drop_in[c->side]-- == 0) {
		s->lost++;
		return 0;
	}
	if (s->down || sim_rand(&s->rng) % 1000 < s->loss_pct * 10u) {
		s->lost++;
		return 0;
	}
	if (s->jitter_ms && sim_rand(&s->rng) % 100 < s->reorder_pct)
		at += 1 + sim_rand(&s->rng) % s->jitter_ms;
	enqueue(s, !c->side, frame, len, at);
	if (sim_rand(&s->rng) % 100 < s->dup_pct) {
		s->duped++;
		enqueue(s, !c->side, frame, len, at + sim_rand(&s->rng) % (s->jitter_ms + 1));
	}
	return 0;
}

void sim_init(struct sim *s, uint64_t seed, const struct net_config *cfg, uint32_t mtu0,
	      uint32_t mtu1)
{
	static const struct net_if_ops ops = { link_send };
	struct net_config c = { 0 };

	memset(s, 0, sizeof(*s));
	s->rng = seed * 0x9e3779b97f4a7c15ull | 1;
	s->delay_ms = 5;
	s->now = 1000;
	s->drop_in[0] = s->drop_in[1] = -1;
	if (cfg)
		c = *cfg;
	if (!c.msl_ms)
		c.msl_ms = 250;
	for (int i = 0; i < 2; i++) {
		struct side_ctx *sc = &ctxs[nctx % 64][i];
		uint8_t mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, (uint8_t)(0x56 + i) };
		struct net_ifconfig ic;
		s->rng_stack[i] = seed * 31 + (uint64_t)i * 7 + 12345;
		c.random = stack_rand;
		c.random_ctx = &s->rng_stack[i];
		if (net_create(&c, s->now, &s->n[i]) < 0)
			abort();
		sc->s = s;
		sc->side = i;
		s->mtu[i] = (i ? mtu1 : mtu0) ? (i ? mtu1 : mtu0) : 1500;
		if (net_if_add(s->n[i], &ops, sc, mac, s->mtu[i], &s->ifid[i]) < 0)
			abort();
		net_ifconfig_qemu(&ic);
		if (i)
			ic.addr = NET_IP(10, 0, 2, 2);
		if (net_if_config(s->n[i], s->ifid[i], &ic) < 0)
			abort();
	}
	nctx++;
}

void sim_free(struct sim *s)
{
	for (uint32_t i = 0; i < s->nframes; i++)
		free(s->q[i]);
	s->nframes = 0;
	net_destroy(s->n[0]);
	net_destroy(s->n[1]);
}

void sim_inject(struct sim *s, int to, const uint8_t *f, size_t len)
{
	net_input(s->n[to], s->ifid[to], f, len);
}

bool sim_step(struct sim *s, uint64_t limit)
{
	uint64_t t = UINT64_MAX;

	if (s->nframes)
		t = s->q[0]->at;
	for (int i = 0; i < 2; i++) {
		uint64_t d = net_deadline(s->n[i]);
		if (d < t)
			t = d;
	}
	if (t > limit)
		return false;
	if (t > s->now)
		s->now = t;
	/* the stacks learn the time first: what the frames cause is timed from now */
	net_time(s->n[0], s->now);
	net_time(s->n[1], s->now);
	while (s->nframes && s->q[0]->at <= s->now) {
		struct sim_frame *f = s->q[0];
		memmove(s->q, s->q + 1, (s->nframes - 1) * sizeof(s->q[0]));
		s->nframes--;
		net_input(s->n[f->to], s->ifid[f->to], f->data, f->len);
		free(f);
	}
	net_time(s->n[0], s->now);
	net_time(s->n[1], s->now);
	return true;
}

bool sim_run(struct sim *s, bool (*done)(struct sim *s, void *ctx), void *ctx, uint64_t ms)
{
	uint64_t end = s->now + ms;

	while (!done(s, ctx)) {
		if (!sim_step(s, end)) {
			s->now = end;
			return done(s, ctx);
		}
	}
	return true;
}

void sim_idle(struct sim *s, uint64_t ms)
{
	uint64_t end = s->now + ms;

	while (sim_step(s, end))
		;
	s->now = end;
	net_time(s->n[0], s->now);
	net_time(s->n[1], s->now);
}

struct conn_wait { int lis, cli, srv; };

static bool conn_done(struct sim *s, void *ctx)
{
	struct conn_wait *w = ctx;
	uint32_t ev = 0;

	if (w->srv < 0 && net_accept(s->n[1], w->lis, &w->srv, NULL) < 0)
		return false;
	return net_sock_poll(s->n[0], w->cli, &ev) == 0 && (ev & NET_POLLOUT);
}

bool sim_connect(struct sim *s, uint16_t port, int *cli, int *srv, int *lis)
{
	struct conn_wait w = { -1, -1, -1 };
	struct net_addr a = { NET_ANY, port };

	if (net_socket(s->n[1], NET_SOCK_STREAM, &w.lis) || net_bind(s->n[1], w.lis, &a) ||
	    net_listen(s->n[1], w.lis, 16))
		return false;
	if (net_socket(s->n[0], NET_SOCK_STREAM, &w.cli))
		return false;
	a.ip = NET_IP(10, 0, 2, 2);
	if (net_connect(s->n[0], w.cli, &a) != -115 /* EINPROGRESS */)
		return false;
	if (!sim_run(s, conn_done, &w, 60000))
		return false;
	*cli = w.cli;
	*srv = w.srv;
	if (lis)
		*lis = w.lis;
	else
		net_close(s->n[1], w.lis);
	return true;
}

struct xfer {
	const int *sock;
	uint64_t total[2], sent[2], rcvd[2];
	bool shut[2], eof[2], bad;
};

static void xfer_side(struct sim *s, struct xfer *x, int i)
{
	uint8_t buf[8192];
	size_t n;

	while (x->sent[i] < x->total[i]) {
		size_t want = x->total[i] - x->sent[i] < sizeof(buf) ? x->total[i] - x->sent[i] : sizeof(buf);
		for (size_t k = 0; k < want; k++)
			buf[k] = sim_pattern(x->sent[i] + k, i);
		if (net_send(s->n[i], x->sock[i], buf, want, 0, NULL, &n) < 0)
			break;
		x->sent[i] += n;
	}
	if (x->sent[i] == x->total[i] && !x->shut[i]) {
		x->shut[i] = true;
		if (net_shutdown(s->n[i], x->sock[i], NET_SHUT_WR) < 0)
			x->bad = true;
	}
	while (!x->eof[i]) {
		int r = net_recv(s->n[i], x->sock[i], buf, sizeof(buf), 0, NULL, &n, NULL);
		if (r < 0) {
			if (r != -11)
				x->bad = true;
			break;
		}
		if (n == 0)
			x->eof[i] = true;
		for (size_t k = 0; k < n; k++)
			if (buf[k] != sim_pattern(x->rcvd[i] + k, !i))
				x->bad = true;
		x->rcvd[i] += n;
	}
}

static bool xfer_done(struct sim *s, void *ctx)
{
	struct xfer *x = ctx;

	xfer_side(s, x, 0);
	xfer_side(s, x, 1);
	return x->bad || (x->eof[0] && x->eof[1]);
}

bool sim_transfer(struct sim *s, const int sock[2], uint64_t n01, uint64_t n10, uint64_t max_ms)
{
	struct xfer x = { .sock = sock, .total = { n01, n10 } };
	bool ok = sim_run(s, xfer_done, &x, max_ms);

	if (!ok || x.bad || x.rcvd[1] != n01 || x.rcvd[0] != n10) {
		fprintf(stderr, "transfer: ok %d bad %d sent %lu/%lu rcvd %lu/%lu at %lu ms\n", ok, x.bad,
			(unsigned long)x.sent[0], (unsigned long)x.sent[1], (unsigned long)x.rcvd[1],
			(unsigned long)x.rcvd[0], (unsigned long)s->now);
		return false;
	}
	return true;
}

static uint16_t csum(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)p[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void be16(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void be32(uint8_t *p, uint32_t v) { be16(p, v >> 16); be16(p + 2, v); }

size_t sim_craft_tcp(struct sim *s, int to, uint8_t *f, uint32_t src, uint32_t dst, uint16_t sport,
		     uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags, uint16_t wnd,
		     const uint8_t *data, size_t len)
{
	uint8_t *ip = f + 14, *t = ip + 20;
	uint32_t sum;
	struct net_ifconfig c;
	uint32_t mtu;
	uint8_t mac[6];

	net_if_get(s->n[to], s->ifid[to], &c, &mtu, f);
	net_if_get(s->n[!to], s->ifid[!to], &c, &mtu, mac);
	memcpy(f + 6, mac, 6);
	be16(f + 12, 0x0800);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	be16(ip + 2, (uint32_t)(40 + len));
	ip[8] = 64;
	ip[9] = 6;
	be32(ip + 12, src);
	be32(ip + 16, dst);
	be16(ip + 10, csum(0, ip, 20));
	memset(t, 0, 20);
	be16(t, sport);
	be16(t + 2, dport);
	be32(t + 4, seq);
	be32(t + 8, ack);
	t[12] = 5 << 4;
	t[13] = flags;
	be16(t + 14, wnd);
	if (len)
		memcpy(t + 20, data, len);
	sum = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + 6 + 20 + (uint32_t)len;
	be16(t + 16, csum(sum, t, 20 + len));
	return 14 + 40 + len;
}

size_t sim_craft_dhcp(struct sim *s, int to, uint8_t *f, const uint8_t *xid, uint8_t type,
		      uint32_t yiaddr, uint32_t lease_s)
{
	uint8_t *ip = f + 14, *u = ip + 20, *b = u + 8, *o = b + 240;
	uint8_t opts[] = { 53, 1, type, 54, 4, 10, 0, 2, 2, 51, 4, 0, 0, 0, 0, 1, 4, 255, 255, 255, 0,
			   3, 4, 10, 0, 2, 2, 6, 4, 10, 0, 2, 9, 255 };
	struct net_ifconfig c;
	uint32_t mtu;

	memset(f, 0, 14 + 20 + 8 + 300);
	memset(f, 0xff, 6);
	net_if_get(s->n[!to], s->ifid[!to], &c, &mtu, f + 6);
	be16(f + 12, 0x0800);
	ip[0] = 0x45;
	be16(ip + 2, 20 + 8 + 300);
	ip[8] = 64;
	ip[9] = 17;
	be32(ip + 12, NET_IP(10, 0, 2, 2));
	be32(ip + 16, NET_BROADCAST);
	be16(ip + 10, csum(0, ip, 20));
	be16(u, 67);
	be16(u + 2, 68);
	be16(u + 4, 8 + 300);
	b[0] = 2;
	b[1] = 1;
	b[2] = 6;
	memcpy(b + 4, xid, 4);
	be32(b + 16, yiaddr);
	net_if_get(s->n[to], s->ifid[to], &c, &mtu, b + 28);
	be32(b + 236, 0x63825363);
	be32(opts + 11, lease_s);
	memcpy(o, opts, sizeof(opts));
	return 14 + 20 + 8 + 300;
}
