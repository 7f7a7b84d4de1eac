// HOST-TEST-SOURCES: kernel/mm/contig.c
/*
 * Host tests of the buddy allocator of contiguous runs (kernel/mm/contig.c): runs of any
 * length, alignment of power-of-two runs, the tail of a block given back at once, merging
 * back to the whole pool after frees in any order, exhaustion (-ENOMEM, never a panic), bad
 * lengths, a double free caught (panic), and a random sequence checked against a model of
 * which pages are taken.
 */
#define _POSIX_C_SOURCE 200809L
#include "kernel/mm/contig.h"
#include "abi/errno.h"
#include "kernel/lib/kprintf.h"
#include "tests/host/harness.h"
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096ul
#define BASE 0x1000000ul

TEST(contig_runs_distinct_and_whole_pool_back)
{
	uint64_t a, b, c;
	contig_init(BASE, 1024);
	CHECK_EQ(contig_free_pages(), 1024);
	CHECK_EQ(contig_alloc(3, &a), 0);
	CHECK_EQ(contig_alloc(256, &b), 0);
	CHECK_EQ(contig_alloc(1, &c), 0);
	CHECK_EQ(contig_free_pages(), 1024 - 260);
	CHECK_EQ((b - BASE) % (256 * PG), 0);           /* a power of two comes aligned */
	CHECK(a + 3 * PG <= b || b + 256 * PG <= a);
	CHECK(c + PG <= a || a + 3 * PG <= c);
	CHECK(c + PG <= b || b + 256 * PG <= c);
	contig_free(b, 256);
	contig_free(a, 3);
	contig_free(c, 1);
	CHECK_EQ(contig_free_pages(), 1024);
	CHECK_EQ(contig_largest(), 1024);               /* every piece merged back */
}

TEST(contig_odd_pool_and_exhaustion)
{
	uint64_t a, b;
	contig_init(BASE, 1000);                        /* not a power of two */
	CHECK_EQ(contig_free_pages(), 1000);
	CHECK_EQ(contig_largest(), 512);
	CHECK_EQ(contig_alloc(513, &a), -ENOMEM);       /* no run that long exists */
	CHECK_EQ(contig_alloc(512, &a), 0);
	/* 488 pages are free, but as 256 + 128 + 64 + 32 + 8: no run of them */
	CHECK_EQ(contig_alloc(488, &b), -ENOMEM);
	CHECK_EQ(contig_alloc(256, &b), 0);
	uint64_t c;
	CHECK_EQ(contig_alloc(256, &c), -ENOMEM);
	contig_free(b, 256);
	contig_free(a, 512);
	CHECK_EQ(contig_free_pages(), 1000);
}

TEST(contig_bad_lengths)
{
	uint64_t a;
	contig_init(BASE, 64);
	CHECK_EQ(contig_alloc(0, &a), -EINVAL);
	CHECK_EQ(contig_alloc((1u << CONTIG_MAX_ORDER) + 1, &a), -EINVAL);
	CHECK_EQ(contig_free_pages(), 64);
}

/* A double free is a kernel bug: it panics rather than corrupt the lists. */
TEST(contig_double_free_panics)
{
	uint64_t a;
	contig_init(BASE, 64);
	REQUIRE(contig_alloc(4, &a) == 0);
	contig_free(a, 4);
	pid_t pid = fork();
	if (pid == 0) {
		kprintf_sink = NULL;
		contig_free(a, 4);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	CHECK(!(WIFEXITED(st) && WEXITSTATUS(st) == 0));
}

/* Random allocations and frees against a model of the taken pages. */
TEST(contig_random_against_model)
{
	enum { POOL = 2048, LIVE = 64 };
	static uint8_t taken[POOL];
	struct { uint64_t pa; uint32_t n; } live[LIVE] = { { 0, 0 } };
	memset(taken, 0, sizeof(taken));
	contig_init(BASE, POOL);
	srand(12);
	uint32_t used = 0;
	for (int step = 0; step < 20000; step++) {
		int s = rand() % LIVE;
		if (live[s].n) {
			uint32_t i0 = (uint32_t)((live[s].pa - BASE) / PG);
			for (uint32_t i = 0; i < live[s].n; i++)
				taken[i0 + i] = 0;
			contig_free(live[s].pa, live[s].n);
			used -= live[s].n;
			live[s].n = 0;
			continue;
		}
		uint32_t n = 1 + (uint32_t)(rand() % (rand() % 4 ? 16 : 300));
		uint64_t pa;
		if (contig_alloc(n, &pa))
			continue;
		uint32_t i0 = (uint32_t)((pa - BASE) / PG);
		REQUIRE(pa >= BASE && i0 + n <= POOL);
		for (uint32_t i = 0; i < n; i++) {
			REQUIRE(!taken[i0 + i]);
			taken[i0 + i] = 1;
		}
		live[s].pa = pa;
		live[s].n = n;
		used += n;
		REQUIRE(contig_free_pages() == POOL - used);
	}
	for (int s = 0; s < LIVE; s++)
		if (live[s].n)
			contig_free(live[s].pa, live[s].n);
	CHECK_EQ(contig_free_pages(), POOL);
	CHECK_EQ(contig_largest(), POOL);
}
