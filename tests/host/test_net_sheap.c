// HOST-TEST-SOURCES: servers/net/sheap.c servers/net/clock.c servers/net/core.c servers/net/dhcp.c servers/net/eth.c servers/net/info.c servers/net/ipv4.c servers/net/ring.c servers/net/sock.c servers/net/sockopt.c servers/net/tcp.c servers/net/tcp_ack.c servers/net/tcp_in.c servers/net/tcp_out.c servers/net/tcp_timer.c servers/net/udp.c tests/host/net_sim.c
/*
 * Host tests of what makes the network server replaceable (docs/replacement.md): the state
 * heap (servers/net/sheap.c: first fit, zeroing of reused pages, bad frees refused, every
 * page back), the stack allocating only through net_config's hooks (two stacks with their
 * connections in one heap, nothing left in it after net_destroy), and net_rebind /
 * net_if_rebind replacing every code pointer the stack keeps: after a "replacement" of an
 * established connection the old hooks are never called again and transfers complete.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <string.h>
#include "tests/host/harness.h"
#include "tests/host/net_sim.h"
#include "servers/net/net_int.h"
#include "servers/net/sheap.h"
#include "abi/errno.h"

#define HEAP_BYTES (48u << 20)

static void *region(size_t bytes)
{
	void *p = aligned_alloc(SHEAP_PAGE, bytes);
	if (p)
		memset(p, 0, bytes);
	return p;
}

TEST(sheap_first_fit_zero_and_bad_frees)
{
	void *mem = region(64 * SHEAP_PAGE);
	struct sheap *h = sheap_init(mem, 64 * SHEAP_PAGE);
	REQUIRE(h);
	CHECK(!sheap_init((char *)mem + 1, 64 * SHEAP_PAGE));
	CHECK(!sheap_init(mem, 2 * SHEAP_PAGE));
	uint32_t base = h->used;
	uint8_t *a = sheap_alloc(h, 3 * SHEAP_PAGE, true), *b = sheap_alloc(h, 1, true), *c;
	REQUIRE(a && b);
	CHECK_EQ((uintptr_t)a % SHEAP_PAGE, 0);
	CHECK_EQ(b - a, 3 * SHEAP_PAGE);
	CHECK_EQ(h->used, base + 4);
	memset(a, 0xab, 3 * SHEAP_PAGE);
	CHECK_EQ(sheap_free(h, a, 3 * SHEAP_PAGE), 0);
	CHECK_EQ(sheap_free(h, a, 3 * SHEAP_PAGE), -1);      /* twice */
	CHECK_EQ(sheap_free(h, b + 1, 1), -1);               /* not a start */
	CHECK_EQ(sheap_free(h, (uint8_t *)mem + 100 * SHEAP_PAGE, 1), -1);
	CHECK_EQ(sheap_free(h, mem, 1), -1);                 /* the bookkeeping */
	c = sheap_alloc(h, 2 * SHEAP_PAGE, true);                  /* the first fit: a's place */
	CHECK(c == a);
	for (size_t i = 0; i < 2 * SHEAP_PAGE; i++)
		if (c[i]) {
			CHECK(!"a reused page was not zeroed");
			break;
		}
	CHECK(!sheap_alloc(h, 64 * SHEAP_PAGE, true));             /* no run that long */
	uint8_t *gap = sheap_alloc(h, 1, true);                    /* the page a left after c */
	CHECK(gap == a + 2 * SHEAP_PAGE);
	size_t left = (size_t)(h->npages - h->first - h->used) * SHEAP_PAGE;
	void *rest = sheap_alloc(h, left, false);
	CHECK(rest);
	CHECK(!sheap_alloc(h, 1, false));
	CHECK_EQ(sheap_free(h, rest, left), 0);
	CHECK_EQ(sheap_free(h, gap, 1), 0);
	CHECK_EQ(sheap_free(h, c, 2 * SHEAP_PAGE), 0);
	CHECK_EQ(sheap_free(h, b, 1), 0);
	CHECK_EQ(h->used, base);
	free(mem);
}

/* The hooks of the program before and after a "replacement". */
static int era;                 /* 0: before, 1: after net_rebind */
static bool old_hook_called;
static uint64_t new_sends;
static int (*link_send_of[2])(void *ctx, const void *f, size_t len);

static void *alloc_old(void *ctx, size_t n, bool zero)
{
	old_hook_called |= era != 0;
	return sheap_alloc(ctx, n, zero);
}

static void free_old(void *ctx, void *p, size_t n)
{
	old_hook_called |= era != 0;
	sheap_free(ctx, p, n);
}

static void *alloc_new(void *ctx, size_t n, bool zero)
{
	return sheap_alloc(ctx, n, zero);
}

static void free_new(void *ctx, void *p, size_t n)
{
	sheap_free(ctx, p, n);
}

static int send0_new(void *ctx, const void *f, size_t len)
{
	new_sends++;
	return link_send_of[0](ctx, f, len);
}

static int send1_new(void *ctx, const void *f, size_t len)
{
	new_sends++;
	return link_send_of[1](ctx, f, len);
}

TEST(net_stack_in_heap_rebinds_established)
{
	static struct sim s;
	void *mem = region(HEAP_BYTES);
	struct sheap *h = sheap_init(mem, HEAP_BYTES);
	REQUIRE(h);
	uint32_t base = h->used;
	struct net_config cfg = { .max_sockets = 64, .alloc = alloc_old, .free = free_old,
				  .mem_ctx = h };
	int c, v;
	era = 0;
	sim_init(&s, 7, &cfg, 0, 0);
	CHECK(h->used > base);
	REQUIRE(sim_connect(&s, 5001, &c, &v, NULL));
	/* the "new program" takes over an established connection (its buffers from the old
	 * hooks): every code pointer set again, the old ones retired */
	era = 1;
	static const struct net_if_ops ops[2] = { { send0_new }, { send1_new } };
	for (int i = 0; i < 2; i++) {
		struct net_config n = s.n[i]->cfg;
		n.alloc = alloc_new;
		n.free = free_new;
		link_send_of[i] = s.n[i]->ifs[s.ifid[i]].ops.send;
		net_rebind(s.n[i], &n);
		CHECK_EQ(net_if_rebind(s.n[i], s.ifid[i], &ops[i], s.n[i]->ifs[s.ifid[i]].ctx), 0);
	}
	CHECK_EQ(net_if_rebind(s.n[0], 3, &ops[0], NULL), -ENODEV);
	CHECK(sim_transfer(&s, (int[]){ c, v }, 2u << 20, 2u << 20, 600000));
	int c2, v2;
	REQUIRE(sim_connect(&s, 5002, &c2, &v2, NULL));      /* new buffers, new hooks */
	CHECK(sim_transfer(&s, (int[]){ c2, v2 }, 1u << 20, 1u << 20, 600000));
	net_close(s.n[0], c);
	net_close(s.n[1], v);
	net_close(s.n[0], c2);
	net_close(s.n[1], v2);
	sim_idle(&s, 5000);
	CHECK(!old_hook_called);
	CHECK(new_sends > 0);
	sim_free(&s);
	CHECK_EQ(h->used, base);                /* everything came from the heap, and back */
	CHECK(!old_hook_called);
	free(mem);
}
