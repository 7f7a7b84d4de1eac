/*
 * A tiny unit-test framework for the host tests of kernel modules. A test file defines
 * TEST(name) { ... CHECK(expr); ... } blocks; they register themselves before main (in
 * harness.c), which runs them all, prints "ok NAME" or "FAIL NAME" for each and ends with
 * the line "N passed, N failed" that tests/host/host.mk adds up.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct host_test {
	const char *name;
	void (*fn)(void);
	struct host_test *next;
};

void harness_register(struct host_test *t);
bool harness_check(bool ok, const char *expr, const char *file, int line);
bool harness_check_eq(uint64_t a, uint64_t b, const char *ea, const char *eb, const char *file,
		      int line);
bool harness_check_str(const char *a, const char *b, const char *ea, const char *eb,
		       const char *file, int line);

#define TEST(name)                                                                      \
	static void test_fn_##name(void);                                               \
	static struct host_test test_rec_##name = { #name, test_fn_##name, 0 };         \
	__attribute__((constructor)) static void test_reg_##name(void)                  \
	{                                                                               \
		harness_register(&test_rec_##name);                                     \
	}                                                                               \
	static void test_fn_##name(void)

/* Each evaluates to whether it held; a failure is reported and the test goes on. */
#define CHECK(e) harness_check(!!(e), #e, __FILE__, __LINE__)
/* Integers of any width and sign, compared as 64-bit two's complement values. */
#define CHECK_EQ(a, b) \
	harness_check_eq((uint64_t)(a), (uint64_t)(b), #a, #b, __FILE__, __LINE__)
#define CHECK_STR(a, b) harness_check_str((a), (b), #a, #b, __FILE__, __LINE__)
/* Stop the current test (it has failed) when e does not hold. */
#define REQUIRE(e)             \
	do {                   \
		if (!CHECK(e)) \
			return; \
	} while (0)
