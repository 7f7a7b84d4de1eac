// HOST-TEST-SOURCES: kernel/mm/uva.c
/*
 * Host tests of the system-wide user address allocator (kernel/mm/uva.c): allocation with
 * alignment, freeing and merging back, exact reservations, sharing a range between holders
 * (fork), and exhaustion.
 */
#include "kernel/mm/uva.h"
#include "abi/errno.h"
#include "tests/host/harness.h"

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
