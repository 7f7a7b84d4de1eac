// HOST-TEST-SOURCES: kernel/proc/args.c
/*
 * Host tests of packed argument vectors (kernel/proc/args.c), which a process keeps for its
 * restarts: round trip of argv and envp, empty vectors, and the limits. The kernel heap is
 * the C library's here.
 */
#include "kernel/proc/args.h"
#include "kernel/mm/kmalloc.h"
#include "tests/host/harness.h"
#include <stdlib.h>
#include <string.h>

void *kmalloc(size_t size)
{
	return size <= 4080 ? malloc(size) : NULL;
}

void kfree(void *p)
{
	free(p);
}

TEST(args_round_trip)
{
	const char *argv[] = { "prog", "", "two words", NULL };
	const char *envp[] = { "A=1", "PATH=/bin", NULL };
	struct args_view v;
	void *b = args_pack(argv, 3, envp, 2);
	REQUIRE(b != NULL);
	args_unpack(b, &v);
	CHECK_EQ(v.argc, 3);
	CHECK_EQ(v.envc, 2);
	CHECK_STR(v.argv[0], "prog");
	CHECK_STR(v.argv[1], "");
	CHECK_STR(v.argv[2], "two words");
	CHECK(v.argv[3] == NULL);
	CHECK_STR(v.envp[1], "PATH=/bin");
	CHECK(v.envp[2] == NULL);
	kfree(b);
}

TEST(args_empty)
{
	struct args_view v;
	void *b = args_pack(NULL, 0, NULL, 0);
	REQUIRE(b != NULL);
	args_unpack(b, &v);
	CHECK_EQ(v.argc, 0);
	CHECK_EQ(v.envc, 0);
	CHECK(v.argv[0] == NULL && v.envp[0] == NULL);
	kfree(b);
}

TEST(args_limits)
{
	static const char *many[ARGS_MAX_STRINGS + 2];
	static char big[ARGS_MAX_BYTES + 10];
	for (int i = 0; i < ARGS_MAX_STRINGS + 1; i++)
		many[i] = "x";
	CHECK(args_pack(many, ARGS_MAX_STRINGS + 1, NULL, 0) == NULL);
	memset(big, 'y', sizeof(big) - 1);
	const char *one[] = { big };
	CHECK(args_pack(one, 1, NULL, 0) == NULL);
	CHECK(args_pack(many, -1, NULL, 0) == NULL);
	void *b = args_pack(many, ARGS_MAX_STRINGS, NULL, 0);
	CHECK(b != NULL);
	kfree(b);
}

/* A packed block goes to another node as bytes and comes back as the same block; bytes
 * that are not exactly one (they came over the network) give NULL. */
TEST(args_bytes_round_trip)
{
	const char *argv[] = { "mcksum", "40", "1", NULL };
	const char *envp[] = { "HOME=/", NULL };
	struct args_view v;
	void *b = args_pack(argv, 3, envp, 1);
	REQUIRE(b != NULL);
	size_t n = args_size(b);
	void *c = args_from_bytes(b, n);
	REQUIRE(c != NULL);
	CHECK(memcmp(b, c, n) == 0);
	args_unpack(c, &v);
	CHECK_STR(v.argv[2], "1");
	CHECK_STR(v.envp[0], "HOME=/");
	CHECK(args_from_bytes(b, n - 1) == NULL);           /* the last string cut */
	CHECK(args_from_bytes(b, n + 1) == NULL);           /* a byte too many */
	CHECK(args_from_bytes(b, 4) == NULL);               /* shorter than the counts */
	kfree(b);
	kfree(c);
}

TEST(args_bytes_hostile)
{
	static char buf[ARGS_MAX_BYTES + 16];
	int *counts = (int *)buf;
	memset(buf, 'x', sizeof(buf));
	counts[0] = 1, counts[1] = 0;                       /* one string, no NUL anywhere */
	CHECK(args_from_bytes(buf, 64) == NULL);
	counts[0] = -1;
	CHECK(args_from_bytes(buf, 64) == NULL);
	counts[0] = ARGS_MAX_STRINGS + 1, counts[1] = 0;
	memset(buf + 8, 0, 100);
	CHECK(args_from_bytes(buf, 8 + ARGS_MAX_STRINGS + 1) == NULL);
	counts[0] = 2, counts[1] = 2;                       /* four empty strings */
	void *ok = args_from_bytes(buf, 8 + 4);
	CHECK(ok != NULL);
	kfree(ok);
	CHECK(args_from_bytes(buf, sizeof(buf)) == NULL);   /* beyond the kernel's limit */
}
