// HOST-TEST-SOURCES: kernel/proc/args.c
/*
 * Host tests of argument blocks (kernel/proc/args.c), which a process keeps for its restarts
 * and its fork children share: round trip of argv and envp, empty vectors, Linux's limits,
 * and blocks of several pages (read and written in pieces that never cross a page). The
 * kernel heap is the C library's here; "physical" pages are aligned allocations whose
 * direct-map address is the allocation itself.
 */
#include "kernel/proc/args.h"
#include "abi/errno.h"
#include "arch/paging.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/pmm.h"
#include "tests/host/harness.h"
#include <stdlib.h>
#include <string.h>

static int pages_out;

void *kmalloc(size_t size)
{
	return size <= 4096 ? malloc(size) : NULL;
}

void kfree(void *p)
{
	free(p);
}

uint64_t pmm_alloc_dirty(void)
{
	void *p = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	pages_out++;
	memset(p, 0xa5, PAGE_SIZE);
	return (uint64_t)p - PHYS_BASE;
}

uint64_t pmm_alloc(void)
{
	uint64_t pa = pmm_alloc_dirty();
	memset(phys_to_virt(pa), 0, PAGE_SIZE);
	return pa;
}

void pmm_free(uint64_t pa)
{
	pages_out--;
	free(phys_to_virt(pa));
}

bool pmm_user_room(uint64_t pages)
{
	return pages < 100000;
}

/* The i-th string of the block, copied out (offsets walked with args_str_end). */
static void nth(const struct args *a, uint32_t i, char *out, size_t cap)
{
	size_t off = 0;
	for (uint32_t k = 0; k < i; k++)
		off = args_str_end(a, off);
	size_t end = args_str_end(a, off);
	REQUIRE(end - off <= cap);
	args_read(a, off, out, end - off);
}

TEST(args_round_trip)
{
	const char *argv[] = { "prog", "", "two words", NULL };
	const char *envp[] = { "A=1", "PATH=/bin", NULL };
	char s[64];
	struct args *a = args_pack(argv, 3, envp, 2);
	REQUIRE(a != NULL);
	CHECK_EQ(args_argc(a), 3);
	CHECK_EQ(args_envc(a), 2);
	CHECK_EQ(args_bytes(a), 5 + 1 + 10 + 4 + 10);
	nth(a, 0, s, sizeof(s));
	CHECK_STR(s, "prog");
	nth(a, 1, s, sizeof(s));
	CHECK_STR(s, "");
	nth(a, 2, s, sizeof(s));
	CHECK_STR(s, "two words");
	nth(a, 4, s, sizeof(s));
	CHECK_STR(s, "PATH=/bin");
	args_get(a);
	args_put(a);                 /* shared: still there */
	nth(a, 3, s, sizeof(s));
	CHECK_STR(s, "A=1");
	size_t off, len;
	args_span(a, false, &off, &len);
	CHECK_EQ(off, 0);
	CHECK_EQ(len, 16);                                  /* "prog\0\0two words\0" */
	args_span(a, true, &off, &len);
	CHECK_EQ(off, 16);
	CHECK_EQ(len, 14);
	args_read(a, off, s, len);
	CHECK(memcmp(s, "A=1\0PATH=/bin\0", 14) == 0);
	args_put(a);
}

TEST(args_empty)
{
	struct args *a = args_pack(NULL, 0, NULL, 0);
	REQUIRE(a != NULL);
	CHECK_EQ(args_argc(a), 0);
	CHECK_EQ(args_envc(a), 0);
	CHECK_EQ(args_bytes(a), 0);
	size_t len;
	CHECK(args_at(a, 0, &len) == NULL);
	args_put(a);
	args_put(NULL);
}

TEST(args_limits)
{
	CHECK_EQ(args_limit(8ul << 20), 2ul << 20);          /* the default: 2 MiB */
	CHECK_EQ(args_limit(100), ARGS_MIN_LIMIT);
	CHECK_EQ(args_limit(~0ull), ARGS_MAX_LIMIT);
	CHECK(args_fit(1000, 10, 1080));
	CHECK(!args_fit(1001, 10, 1080));
	CHECK(!args_fit(0, 200, 1600));                       /* pointers alone fill it */
	CHECK(!args_fit(0, ~0ul / 4, 1600));                  /* no overflow */
	struct args *a;
	CHECK_EQ(args_alloc(ARGS_MAX_LIMIT + 1, 1, 0, &a), -E2BIG);
}

/* Strings of every length around a page, across page boundaries, in a 3 MiB block. */
TEST(args_many_pages)
{
	enum { N = 3000 };
	static char big[ARGS_MAX_STRLEN];
	static const char *v[N];
	size_t total = 0;
	int before = pages_out;
	for (int i = 0; i < N; i++) {
		size_t len = (size_t)(i * 997) % 2000;
		char *s = malloc(len + 1);
		memset(s, 'a' + i % 26, len);
		s[len] = 0;
		v[i] = s;
		total += len + 1;
	}
	struct args *a = args_pack(v, N / 2, v + N / 2, N - N / 2);
	REQUIRE(a != NULL);
	CHECK_EQ(args_bytes(a), total);
	CHECK(pages_out - before >= (int)(total / PAGE_SIZE));
	size_t off = 0;
	int bad = 0;
	for (int i = 0; i < N; i++) {
		size_t end = args_str_end(a, off);
		args_read(a, off, big, end - off);
		bad += strcmp(big, v[i]) != 0;
		off = end;
	}
	CHECK_EQ(bad, 0);
	CHECK_EQ(off, total);
	args_put(a);
	CHECK_EQ(pages_out, before);
	for (int i = 0; i < N; i++)
		free((void *)v[i]);
}

/* A block goes to another node in its wire form and comes back as the same vectors; bytes
 * that are not exactly one block (they came over the network) give NULL. */
TEST(args_wire_round_trip)
{
	const char *argv[] = { "mcksum", "40", "1", NULL };
	const char *envp[] = { "HOME=/", NULL };
	char w[256], s[64];
	struct args *b = args_pack(argv, 3, envp, 1);
	REQUIRE(b != NULL);
	size_t n = args_wire_size(b);
	REQUIRE(n <= sizeof(w));
	args_to_wire(b, w);
	struct args *c = args_from_wire(w, n);
	REQUIRE(c != NULL);
	CHECK_EQ(args_argc(c), 3);
	CHECK_EQ(args_envc(c), 1);
	CHECK_EQ(args_bytes(c), args_bytes(b));
	nth(c, 2, s, sizeof(s));
	CHECK_STR(s, "1");
	nth(c, 3, s, sizeof(s));
	CHECK_STR(s, "HOME=/");
	CHECK(args_from_wire(w, n - 1) == NULL);           /* the last string cut */
	CHECK(args_from_wire(w, n + 1) == NULL);           /* a byte too many */
	CHECK(args_from_wire(w, 4) == NULL);               /* shorter than the counts */
	args_put(b);
	args_put(c);
}

TEST(args_wire_hostile)
{
	static char buf[ARGS_MAX_LIMIT + 16];
	uint32_t *counts = (uint32_t *)buf;
	memset(buf, 'x', sizeof(buf));
	counts[0] = 1, counts[1] = 0;                       /* one string, no NUL anywhere */
	CHECK(args_from_wire(buf, 64) == NULL);
	counts[0] = 0xffffffffu;
	CHECK(args_from_wire(buf, 64) == NULL);
	memset(buf + 8, 0, 100);
	counts[0] = 101, counts[1] = 0;                     /* one string more than there are */
	CHECK(args_from_wire(buf, 8 + 100) == NULL);
	counts[0] = 2, counts[1] = 2;                       /* four empty strings */
	struct args *ok = args_from_wire(buf, 8 + 4);
	CHECK(ok != NULL);
	if (ok)
		args_put(ok);
	memset(buf + 8, 'x', sizeof(buf) - 8);
	buf[8 + ARGS_MAX_STRLEN] = 0;                       /* a string one byte too long */
	counts[0] = 1, counts[1] = 0;
	CHECK(args_from_wire(buf, 8 + ARGS_MAX_STRLEN + 1) == NULL);
}
