// HOST-TEST-SOURCES: kernel/mm/uva.c
/*
 * Host tests of the system-wide user address allocator (kernel/mm/uva.c): allocation with
 * alignment, freeing and merging back, exact reservations, sharing a range between holders
 * (fork) and letting go of any part of it in any order, splits, a full table (errors, never
 * a panic on a free), panics on frees of addresses nobody holds, and a random sequence
 * checked page by page against a model.
 */
#define _POSIX_C_SOURCE 200809L
#include "kernel/mm/uva.h"
#include "kernel/lib/kprintf.h"
#include "abi/errno.h"
#include "tests/host/harness.h"
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 0x1000ul

TEST(uva_alloc_aligned_and_distinct)
{
	uint64_t a, b, c;
	uva_init();
	CHECK_EQ(uva_alloc(0x3000, 0x1000, &a), 0);
	CHECK_EQ(uva_alloc(0x2000, 0x200000, &b), 0);
	CHECK_EQ(uva_alloc(0x1000, 0x1000, &c), 0);
	CHECK(a >= UVA_BASE && b >= UVA_BASE && c >= UVA_BASE);
	CHECK_EQ(b % 0x200000, 0);
	CHECK(a + 0x3000 <= b || b + 0x2000 <= a);
	CHECK(c + 0x1000 <= a || a + 0x3000 <= c);
	CHECK(c + 0x1000 <= b || b + 0x2000 <= c);
}

TEST(uva_bad_arguments)
{
	uint64_t a;
	uva_init();
	CHECK_EQ(uva_alloc(0, 0x1000, &a), -EINVAL);
	CHECK_EQ(uva_alloc(0x1001, 0x1000, &a), -EINVAL);
	CHECK_EQ(uva_alloc(0x1000, 0x1800, &a), -EINVAL);
	CHECK_EQ(uva_alloc(UVA_END, 0x1000, &a), -ENOMEM);
	CHECK_EQ(uva_reserve(0x1234, 0x1000), -EINVAL);
}

/* A node of a cluster allocates from its slice only; addresses outside it are still taken
 * by a process that brings them from another node (uva_take: one more holder). */
TEST(uva_restricted_slice)
{
	uint64_t a, lo = UVA_BASE + 0x6000000000ul, hi = lo + 0x6000000000ul;
	uva_init();
	uva_restrict(lo, hi);
	CHECK_EQ(uva_alloc(0x3000, 0x1000, &a), 0);
	CHECK_EQ(a, lo);
	CHECK_EQ(uva_alloc(0x2000, 0x200000, &a), 0);
	CHECK(a >= lo && a + 0x2000 <= hi);
	CHECK_EQ(uva_alloc(hi - lo, 0x1000, &a), -ENOMEM);       /* more than the slice has */
	CHECK_EQ(uva_reserve(UVA_BASE, 0x1000), -ENOMEM);         /* another node's */
	CHECK_EQ(uva_take(UVA_BASE + 0x5000, 0x2000), 0);         /* brought from there */
	CHECK_EQ(uva_holders(UVA_BASE + 0x5000, 0x2000), 2);
	uva_free(UVA_BASE + 0x5000, 0x2000);
	CHECK_EQ(uva_holders(UVA_BASE + 0x5000, 0x2000), 1);      /* the slice's fence */
}

TEST(uva_free_merges_back)
{
	uint64_t a, b, c, big;
	uva_init();
	CHECK_EQ(uva_alloc(0x1000, 0x1000, &a), 0);
	CHECK_EQ(uva_alloc(0x1000, 0x1000, &b), 0);
	CHECK_EQ(uva_alloc(0x1000, 0x1000, &c), 0);
	uva_free(b, 0x1000);
	uva_free(a, 0x1000);
	uva_free(c, 0x1000);
	/* all of it is one free range again: the whole span can be had in one piece */
	CHECK_EQ(uva_alloc(UVA_END - UVA_BASE, 0x1000, &big), 0);
	CHECK_EQ(big, UVA_BASE);
}

TEST(uva_reserve_exact)
{
	uint64_t a;
	uva_init();
	CHECK_EQ(uva_reserve(UVA_BASE + 0x10000, 0x4000), 0);
	CHECK_EQ(uva_reserve(UVA_BASE + 0x12000, 0x1000), -ENOMEM);     /* taken */
	CHECK_EQ(uva_alloc(0x10000, 0x1000, &a), 0);
	CHECK_EQ(a, UVA_BASE);                        /* fits below the reservation */
	CHECK_EQ(uva_alloc(0x1000, 0x1000, &a), 0);
	CHECK_EQ(a, UVA_BASE + 0x14000);              /* and after it */
	uva_free(UVA_BASE + 0x10000, 0x4000);
	CHECK_EQ(uva_reserve(UVA_BASE + 0x12000, 0x1000), 0);
}

TEST(uva_shared_range_freed_by_last_holder)
{
	uint64_t a, b;
	uva_init();
	CHECK_EQ(uva_alloc(0x2000, 0x1000, &a), 0);
	CHECK_EQ(uva_share(a, 0x2000), 0);            /* a forked child holds it too */
	uva_free(a, 0x2000);                           /* the parent lets go */
	CHECK_EQ(uva_reserve(a, 0x2000), -ENOMEM);    /* still held by the child */
	uva_free(a, 0x2000);                           /* the child lets go */
	CHECK_EQ(uva_reserve(a, 0x2000), 0);
	CHECK_EQ(uva_alloc(0x1000, 0x1000, &b), 0);
	CHECK(b != a);
}

TEST(uva_many_holes)
{
	static uint64_t addr[600];
	uint64_t big;
	uva_init();
	for (int i = 0; i < 600; i++)
		REQUIRE(uva_alloc(0x1000, 0x1000, &addr[i]) == 0);
	for (int i = 0; i < 600; i += 2)
		uva_free(addr[i], 0x1000);              /* 300 separate holes */
	for (int i = 1; i < 600; i += 2)
		uva_free(addr[i], 0x1000);
	CHECK_EQ(uva_alloc(UVA_END - UVA_BASE, 0x1000, &big), 0);
}

/* The whole range is one free span again: nothing is held, everything merged. */
static bool all_free(void)
{
	uint64_t big;
	if (uva_holders(UVA_BASE, UVA_END - UVA_BASE) || uva_alloc(UVA_END - UVA_BASE, PG, &big))
		return false;
	uva_free(big, UVA_END - UVA_BASE);
	return big == UVA_BASE;
}

/* The panic: two holders of two pages each let go of the first page. */
TEST(uva_shared_partial_free)
{
	uint64_t a;
	uva_init();
	REQUIRE(uva_alloc(2 * PG, PG, &a) == 0);
	CHECK_EQ(uva_share(a, 2 * PG), 0);
	uva_free(a, PG);                            /* the child unmaps the first page */
	CHECK_EQ(uva_holders(a, PG), 1);
	CHECK_EQ(uva_holders(a + PG, PG), 2);
	uva_free(a, PG);                            /* the parent too: now free */
	CHECK_EQ(uva_holders(a, PG), 0);
	CHECK_EQ(uva_reserve(a, PG), 0);            /* and can be had again */
	uva_free(a, PG);
	CHECK_EQ(uva_reserve(a + PG, PG), -ENOMEM);
	uva_free(a + PG, PG);
	uva_free(a + PG, PG);
	CHECK(all_free());
}

/* Three holders of four pages each let go of the pages one by one, in every order in which
 * the 12 (holder, page) frees can come, restricted to each holder freeing its pages in a
 * rotation of 0..3 (4 x 4 x 4 rotations, and which holder goes first: every interleaving of
 * first/last holder per page). After each free the counts are checked against a model. */
TEST(uva_partial_frees_every_order)
{
	for (int r0 = 0; r0 < 4; r0++)
		for (int r1 = 0; r1 < 4; r1++)
			for (int r2 = 0; r2 < 4; r2++)
				for (int dir = 0; dir < 2; dir++) {
					uint64_t a;
					int rot[3] = { r0, r1, r2 }, left[4] = { 3, 3, 3, 3 };
					uva_init();
					REQUIRE(uva_alloc(4 * PG, PG, &a) == 0);
					REQUIRE(uva_share(a, 4 * PG) == 0);
					REQUIRE(uva_share(a, 4 * PG) == 0);
					for (int step = 0; step < 4; step++)
						for (int h = 0; h < 3; h++) {
							int pg = (rot[h] + (dir ? 4 - step : step)) % 4;
							REQUIRE(uva_split(a + pg * PG) == 0);
							REQUIRE(uva_split(a + pg * PG + PG) == 0);
							uva_free(a + pg * PG, PG);
							left[pg]--;
							for (int k = 0; k < 4; k++)
								REQUIRE(uva_holders(a + k * PG, PG) ==
									(uint32_t)left[k]);
						}
					CHECK(all_free());
				}
}

/* A holder lets go of pieces of various sizes of a range shared with another, which lets go
 * of the whole range at once; split and whole frees in both orders. */
TEST(uva_split_then_free_whole)
{
	for (int order = 0; order < 2; order++) {
		uint64_t a;
		uva_init();
		REQUIRE(uva_alloc(8 * PG, PG, &a) == 0);
		REQUIRE(uva_share(a, 8 * PG) == 0);
		if (order)
			uva_free(a, 8 * PG);             /* the parent goes first, whole */
		CHECK_EQ(uva_split(a + 3 * PG), 0);
		CHECK_EQ(uva_split(a + 3 * PG), 0);      /* a boundary already */
		CHECK_EQ(uva_split(a + 5 * PG), 0);
		uva_free(a + 3 * PG, 2 * PG);
		CHECK_EQ(uva_holders(a + 3 * PG, 2 * PG), order ? 0 : 1);
		CHECK_EQ(uva_holders(a, 8 * PG), order ? 1 : 2);
		uva_free(a + 5 * PG, 3 * PG);
		uva_free(a, 3 * PG);
		if (!order)
			uva_free(a, 8 * PG);
		CHECK(all_free());
	}
}

/* Splits of free addresses, of addresses outside the range, and of boundaries change
 * nothing; a share of several held spans covers them all. */
TEST(uva_split_and_share_edges)
{
	uint64_t a, b;
	uva_init();
	CHECK_EQ(uva_split(UVA_BASE + 5 * PG), 0);      /* free: nothing to do */
	CHECK_EQ(uva_split(0x1000), 0);
	CHECK_EQ(uva_split(UVA_END), 0);
	CHECK(all_free());
	REQUIRE(uva_alloc(2 * PG, PG, &a) == 0);
	REQUIRE(uva_alloc(3 * PG, PG, &b) == 0);
	REQUIRE(b == a + 2 * PG);                      /* adjacent: two held spans */
	CHECK_EQ(uva_share(a, 5 * PG), 0);              /* both at once (fork of a PIE image) */
	CHECK_EQ(uva_holders(a, 5 * PG), 2);
	uva_free(a, 2 * PG);
	uva_free(b, 3 * PG);
	CHECK_EQ(uva_holders(a, 5 * PG), 1);
	uva_free(a, 5 * PG);                            /* whole: spans two held spans */
	CHECK(all_free());
}

/* Fill the table with two-page reservations a page apart (each needs two new spans), then
 * take its last entry: allocations, shares and splits that need a span fail with ENOMEM,
 * those that need none work, frees of whole ranges work (and make room), and everything
 * merges back at the end. */
TEST(uva_table_full)
{
	static uint64_t got[100000];
	int n = 0;
	uint64_t a, t;
	uva_init();
	for (; n < 100000; n++) {
		got[n] = UVA_BASE + (3 * (uint64_t)n + 1) * PG;
		if (uva_reserve(got[n], 2 * PG))
			break;
	}
	REQUIRE(n > 1000 && n < 100000);
	t = got[n - 1] + 2 * PG;                    /* the start of the free rest */
	if (uva_reserve(t, PG) == 0)                /* one cut: the last entry, if there is one */
		got[n++] = t, t += PG;
	CHECK_EQ(uva_reserve(t + PG, PG), -ENOMEM);
	CHECK_EQ(uva_alloc(2 * PG, PG, &a), -ENOMEM);      /* no gap fits, the rest needs a cut */
	CHECK_EQ(uva_share(got[0], PG), -ENOMEM);   /* half a span */
	CHECK_EQ(uva_split(got[0] + PG), -ENOMEM);
	CHECK_EQ(uva_holders(got[0], 2 * PG), 1);   /* the failures changed nothing */
	CHECK_EQ(uva_share(got[0], 2 * PG), 0);     /* a whole span needs no room */
	uva_free(got[0], 2 * PG);
	CHECK_EQ(uva_alloc(PG, PG, &a), 0);         /* the gap before got[0] fits exactly */
	CHECK_EQ(a, UVA_BASE);
	uva_free(a, PG);                            /* no room needed: merges nothing */
	uva_free(got[1], 2 * PG);                   /* merges with the gaps around it */
	CHECK_EQ(uva_split(got[0] + PG), 0);        /* room again */
	uva_free(got[0], PG);
	uva_free(got[0] + PG, PG);
	for (int i = 2; i < n; i++)
		uva_free(got[i], got[i] == t - PG ? PG : 2 * PG);
	CHECK(all_free());
}

/* Letting go of addresses nobody holds is a kernel bug: it panics (and never corrupts the
 * table quietly). Run in a child, as a panic ends the process. */
static int free_in_child(uint64_t held, uint64_t addr, uint64_t size)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit no_core = { 0, 0 };
		setrlimit(RLIMIT_CORE, &no_core);
		kprintf_sink = NULL;                /* the expected panic's message */
		uva_init();
		uint64_t a;
		if (held && uva_alloc(held, PG, &a))
			_exit(3);
		uva_free(addr, size);
		_exit(0);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	return WIFSIGNALED(status) ? WTERMSIG(status) : -WEXITSTATUS(status);
}

TEST(uva_free_unheld_panics)
{
	CHECK_EQ(free_in_child(0, UVA_BASE, PG), SIGABRT);                /* all free */
	CHECK_EQ(free_in_child(2 * PG, UVA_BASE + PG, 2 * PG), SIGABRT);  /* half held */
	CHECK_EQ(free_in_child(2 * PG, UVA_BASE - PG, 2 * PG), SIGABRT);  /* below the range */
	CHECK_EQ(free_in_child(2 * PG, UVA_BASE + PG, PG), 0);            /* held: fine */
}

/* Random allocations, shares, splits and frees of pieces in a window of 64 pages, compared
 * after every step with a count of holders per page. */
#define WIN 64
TEST(uva_random_against_model)
{
	static uint32_t model[WIN];
	uint64_t base = UVA_BASE + 0x100000;        /* clear of the window's edges */
	unsigned seed = 12345;
	uva_init();
	for (int step = 0; step < 200000; step++) {
		seed = seed * 1103515245u + 12345u;
		int lo = (int)(seed >> 8) % WIN, len = 1 + (int)(seed >> 20) % 6, op = (int)(seed >> 28) % 4;
		if (lo + len > WIN)
			len = WIN - lo;
		bool free_run = true, held_run = true;
		for (int k = lo; k < lo + len; k++)
			free_run &= !model[k], held_run &= model[k] > 0;
		uint64_t addr = base + (uint64_t)lo * PG, size = (uint64_t)len * PG;
		if (op == 0) {
			REQUIRE(uva_reserve(addr, size) == (free_run ? 0 : -ENOMEM));
			for (int k = lo; k < lo + len && free_run; k++)
				model[k] = 1;
		} else if (op == 1 && held_run) {
			REQUIRE(uva_share(addr, size) == 0);
			for (int k = lo; k < lo + len; k++)
				model[k]++;
		} else if (op >= 2 && held_run) {
			REQUIRE(uva_split(addr) == 0 && uva_split(addr + size) == 0);
			uva_free(addr, size);
			for (int k = lo; k < lo + len; k++)
				model[k]--;
		}
		for (int k = 0; k < WIN; k++)
			REQUIRE(uva_holders(base + (uint64_t)k * PG, PG) == model[k]);
	}
	for (int k = 0; k < WIN; k++)
		while (model[k]--)
			uva_free(base + (uint64_t)k * PG, PG);
	CHECK(all_free());
}

/* Allocations, reservations, shares, takes, splits and frees at random in a window of 2048
 * pages at the start of the range (a held page above it keeps allocations that do not fit in
 * it out), checked against a count of holders per page: every allocation must get the
 * lowest free run of pages that fits (first fit), and the counts must match around every
 * change and everywhere every 1000 steps. Thousands of spans make a deep tree. */
#define BIG_WIN 2048
static uint32_t big_model[BIG_WIN];

static int lowest_free_run(int len)
{
	for (int k = 0, run = 0; k < BIG_WIN; k++) {
		run = big_model[k] ? 0 : run + 1;
		if (run == len)
			return k - len + 1;
	}
	return -1;
}

static bool window_matches(int lo, int hi)
{
	lo = lo < 0 ? 0 : lo;
	hi = hi > BIG_WIN ? BIG_WIN : hi;
	for (int k = lo; k < hi; k++)
		if (uva_holders(UVA_BASE + (uint64_t)k * PG, PG) != big_model[k])
			return false;
	return true;
}

/* Allocate len pages: they must be the lowest free run, or above the window if none is. */
static bool random_alloc(int len)
{
	uint64_t a;
	int k = lowest_free_run(len);
	if (uva_alloc((uint64_t)len * PG, PG, &a))
		return false;
	if (k < 0) {
		uva_free(a, (uint64_t)len * PG);
		return a > UVA_BASE + BIG_WIN * PG;
	}
	for (int i = k; i < k + len; i++)
		big_model[i]++;
	return a == UVA_BASE + (uint64_t)k * PG;
}

/* One random step on [lo, lo+len); false if the allocator disagreed with the model. */
static bool random_step(int op, int lo, int len)
{
	uint64_t addr = UVA_BASE + (uint64_t)lo * PG, size = (uint64_t)len * PG;
	bool free_run = true, held_run = true;
	for (int k = lo; k < lo + len; k++)
		free_run &= !big_model[k], held_run &= big_model[k] > 0;
	int delta = op == 1 ? free_run : op == 2 ? held_run : op == 3 ? 1 : op >= 4 && held_run ? -1 : 0;
	if (op == 0)
		return random_alloc(len);
	if (op == 1 && uva_reserve(addr, size) != (free_run ? 0 : -ENOMEM))
		return false;
	if ((op == 2 && held_run && uva_share(addr, size)) || (op == 3 && uva_take(addr, size)))
		return false;
	if (delta < 0) {
		if (uva_split(addr) || uva_split(addr + size))
			return false;
		uva_free(addr, size);
	}
	for (int k = lo; k < lo + len; k++)
		big_model[k] += (uint32_t)delta;
	return true;
}

TEST(uva_random_deep_against_model)
{
	unsigned seed = 777;
	uva_init();
	REQUIRE(uva_reserve(UVA_BASE + BIG_WIN * PG, PG) == 0);
	for (int step = 0; step < 100000; step++) {
		seed = seed * 1103515245u + 12345u;
		int lo = (int)(seed >> 4) % BIG_WIN, len = 1 + (int)(seed >> 20) % 8;
		int op = (int)(seed >> 24) % 10;
		len = lo + len > BIG_WIN ? BIG_WIN - lo : len;
		if (op == 3 && big_model[lo] > 3)
			op = 4;                         /* keep counts small: take less often */
		REQUIRE(random_step(op < 6 ? op : 4, lo, len));
		REQUIRE(window_matches(lo - 1, lo + len + 1));
		if (step % 1000 == 0)
			REQUIRE(window_matches(0, BIG_WIN));
	}
	REQUIRE(window_matches(0, BIG_WIN));
	for (int k = 0; k < BIG_WIN; k++)
		for (; big_model[k]; big_model[k]--)
			uva_free(UVA_BASE + (uint64_t)k * PG, PG);
	uva_free(UVA_BASE + BIG_WIN * PG, PG);
	CHECK(all_free());
}

/* What the kernel does for one short-lived process, from the allocator's side: a stack and a
 * three-page mapping allocated, the mapping shared with a fork child, which unmaps its first
 * page, then both exit. Adds the tree nodes visited to *cost. */
static bool process_life(uint64_t *cost)
{
	uint64_t before = uva_steps, a, stack;
	if (uva_alloc(16 * PG, PG, &stack) || uva_alloc(3 * PG, PG, &a) || uva_share(a, 3 * PG))
		return false;
	if (uva_split(a + PG))
		return false;
	uva_free(a, PG);                        /* the child unmaps a page */
	uva_free(a, 3 * PG);                    /* the parent exits */
	bool ok = uva_holders(a, 3 * PG) == 1;
	uva_free(a + PG, 2 * PG);               /* the child exits */
	uva_free(stack, 16 * PG);
	ok &= uva_holders(a, 3 * PG) == 0;
	*cost += uva_steps - before;
	return ok;
}

/* The average cost of a process life among `live` one-page reservations a page apart (two
 * spans each), in nodes visited; 0 if something failed. */
static uint64_t life_cost_among(int live)
{
	uint64_t cost = 0;
	uva_init();
	for (int i = 0; i < live; i++)
		if (uva_reserve(UVA_BASE + (2 * (uint64_t)i + 1) * PG, PG))
			return 0;
	for (int i = 0; i < 10000; i++)
		if (!process_life(&cost))
			return 0;
	return cost / 10000;
}

/* The work of an allocator operation must not grow with the number of spans the system
 * holds (thousands of processes hold several each): with 20000 live spans against 10 (a
 * factor of 2000), a process life may cost a few times more (a tree's depth grows with the
 * logarithm) but never 8 times. The sorted array's cost grew with the table: ~2000x here. */
TEST(uva_cost_does_not_grow)
{
	uint64_t few = life_cost_among(5), many = life_cost_among(10000);
	printf("uva: %lu nodes per process life among 10 spans, %lu among 20000\n",
	       (unsigned long)few, (unsigned long)many);
	REQUIRE(few && many);
	CHECK(many < 8 * few);
}
