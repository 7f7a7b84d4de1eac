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
