// HOST-TEST-SOURCES: kernel/lib/klog.c
/*
 * Host tests of the kernel's message log (kernel/lib/klog.c), what dmesg reads: lines are
 * stamped as they begin, READ_ALL gives whole lines that fit (newest first to go in), READ
 * takes bytes off once, CLEAR hides what is there, and after the ring has wrapped many times
 * only whole, recent lines come out.
 */
#include "kernel/lib/klog.h"
#include "tests/host/harness.h"
#include <stdio.h>
#include <string.h>

static uint64_t fake_ns;

static uint64_t fake_clock(void)
{
	return fake_ns;
}

static char out[KLOG_SIZE + 1];

static const char *all(size_t len)
{
	size_t n = klog_read_all(out, len, false);
	out[n] = '\0';
	return out;
}

TEST(klog_stamps_lines)
{
	klog_reset(fake_clock);
	fake_ns = 1500000000ull;
	klog_append("hello ", 6);
	fake_ns = 2000000000ull;
	klog_append("world\nsecond\n", 13);
	CHECK_STR(all(KLOG_SIZE), "<4>[    1.500000] hello world\n<4>[    2.000000] second\n");
	CHECK_EQ(klog_unread(), strlen(out));
}

TEST(klog_read_all_keeps_whole_newest_lines)
{
	klog_reset(fake_clock);
	fake_ns = 0;
	klog_append("aaaa\nbbbb\ncccc\n", 15);
	/* each line is 17 + 5 bytes; 50 bytes hold the last two only */
	CHECK_STR(all(50), "<4>[    0.000000] bbbb\n<4>[    0.000000] cccc\n");
	CHECK_STR(all(10), "");
}

TEST(klog_read_consumes)
{
	klog_reset(fake_clock);
	klog_append("x\n", 2);
	size_t total = klog_unread();
	char buf[8];
	CHECK_EQ(klog_read(buf, 8), 8u);
	CHECK_EQ(klog_unread(), total - 8);
	char rest[64];
	size_t n = klog_read(rest, sizeof(rest));
	CHECK_EQ(n, total - 8);
	CHECK_EQ(klog_read(rest, sizeof(rest)), 0u);
	CHECK_EQ(klog_unread(), 0u);
	/* READ_ALL does not depend on what READ took */
	CHECK(strstr(all(KLOG_SIZE), "] x\n") != NULL);
}

TEST(klog_clear_hides_old)
{
	klog_reset(fake_clock);
	klog_append("old\n", 4);
	klog_clear();
	CHECK_STR(all(KLOG_SIZE), "");
	klog_append("new\n", 4);
	CHECK_STR(all(KLOG_SIZE), "<4>[    0.000000] new\n");
	size_t n = klog_read_all(out, KLOG_SIZE, true);     /* READ_CLEAR */
	CHECK(n > 0);
	CHECK_STR(all(KLOG_SIZE), "");
}

/* After many wraps: every line out is whole and they are the newest, in order. */
TEST(klog_wraps)
{
	klog_reset(fake_clock);
	char line[64];
	int last = 0;
	for (int i = 0; i < 20000; i++) {
		int n = snprintf(line, sizeof(line), "message %d\n", i);
		klog_append(line, (size_t)n);
		last = i;
	}
	size_t n = klog_read_all(out, KLOG_SIZE, false);
	out[n] = '\0';
	CHECK(n <= KLOG_SIZE);
	CHECK(n > KLOG_SIZE - 64);
	CHECK(strncmp(out, "<4>[", 4) == 0);
	int prev = -1, count = 0;
	for (char *l = out; *l; count++) {
		int v;
		REQUIRE(sscanf(l, "<4>[    0.000000] message %d\n", &v) == 1);
		CHECK(prev < 0 || v == prev + 1);
		prev = v;
		l = strchr(l, '\n') + 1;
	}
	CHECK_EQ(prev, last);
	CHECK(count > 1000);
	/* READ after a wrap starts at the oldest byte kept */
	char buf[100];
	CHECK_EQ(klog_unread(), (size_t)KLOG_SIZE);
	CHECK_EQ(klog_read(buf, sizeof(buf)), sizeof(buf));
}
