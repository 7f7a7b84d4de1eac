// HOST-TEST-SOURCES: kernel/fs/cpio.c kernel/lib/kprintf.c
/* Host tests of the newc cpio reader: well-formed archives (hand-built and made by GNU cpio),
 * every kind of malformation, every truncation, and random corruption under ASan. */
#define _GNU_SOURCE
#include "tests/host/harness.h"
#include "kernel/fs/cpio.h"
#include "abi/errno.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ar {
	uint8_t buf[8192];
	size_t len;
};

static void pad4(struct ar *a)
{
	while (a->len % 4)
		a->buf[a->len++] = 0;
}

/* Appends one entry; magic and hex case may vary, namesize/filesize may be overridden. */
static void put_raw(struct ar *a, const char *magic, const char *name, uint32_t namesize,
		    uint32_t mode, const void *data, uint32_t size, uint32_t hdr_size, int lower)
{
	char h[CPIO_HDR_LEN + 1];
	const char *fmt = lower ? "%s%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x"
				: "%s%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X";
	snprintf(h, sizeof(h), fmt, magic, 1u, mode, 0u, 0u, 1u, 1234u, hdr_size, 0u, 0u, 0u, 0u,
		 namesize, 0u);
	memcpy(a->buf + a->len, h, CPIO_HDR_LEN);
	a->len += CPIO_HDR_LEN;
	memcpy(a->buf + a->len, name, namesize);
	a->len += namesize;
	pad4(a);
	memcpy(a->buf + a->len, data, size);
	a->len += size;
	pad4(a);
}

static void put(struct ar *a, const char *name, uint32_t mode, const void *data, uint32_t size)
{
	put_raw(a, "070701", name, (uint32_t)strlen(name) + 1, mode, data, size, size, 0);
}

/* The trailer; returns the length up to the end of its name (the least valid length). */
static size_t put_trailer(struct ar *a)
{
	size_t start = a->len;
	put(a, "TRAILER!!!", 0, "", 0);
	return start + CPIO_HDR_LEN + sizeof("TRAILER!!!");
}

/* A copy in a buffer of exactly len bytes, so that ASan sees any read beyond it. */
static uint8_t *exact(const void *p, size_t len)
{
	uint8_t *c = malloc(len ? len : 1);
	memcpy(c, p, len);
	return c;
}

TEST(cpio_empty_archive_is_just_a_trailer)
{
	struct ar a = { .len = 0 };
	put_trailer(&a);
	struct cpio_iter it;
	struct cpio_entry e;
	cpio_iter_init(&it, a.buf, a.len);
	CHECK_EQ(cpio_next(&it, &e), 0);
	CHECK_EQ(cpio_next(&it, &e), 0);
	CHECK_EQ(cpio_validate(a.buf, a.len), 0);
}

TEST(cpio_entries_names_and_data_at_every_alignment)
{
	static const char data[] = "0123456789";
	char names[8][16];
	struct ar a = { .len = 0 };
	for (int i = 0; i < 8; i++) {
		snprintf(names[i], sizeof(names[i]), "%.*s", i + 1, "abcdefgh");
		put(&a, names[i], 0100644, data, (uint32_t)i);
	}
	put(&a, "dir", 040755, "", 0);
	put_trailer(&a);
	struct cpio_iter it;
	struct cpio_entry e;
	cpio_iter_init(&it, a.buf, a.len);
	for (int i = 0; i < 8; i++) {
		REQUIRE(cpio_next(&it, &e) == 1);
		CHECK_STR(e.name, names[i]);
		CHECK_EQ(e.namelen, strlen(names[i]));
		CHECK_EQ(e.mode, 0100644);
		CHECK_EQ(e.mtime, 1234);
		CHECK_EQ(e.size, i);
		CHECK(memcmp(e.data, data, (size_t)i) == 0);
		if (i > 0)
			CHECK_EQ(((const uint8_t *)e.data - a.buf) % 4, 0);
	}
	REQUIRE(cpio_next(&it, &e) == 1);
	CHECK_STR(e.name, "dir");
	CHECK_EQ(e.mode, 040755);
	CHECK_EQ(cpio_next(&it, &e), 0);
}

TEST(cpio_accepts_crc_magic_and_lowercase_hex)
{
	struct ar a = { .len = 0 };
	put_raw(&a, "070702", "x", 2, 0100600, "hey", 3, 3, 1);
	put_trailer(&a);
	struct cpio_iter it;
	struct cpio_entry e;
	cpio_iter_init(&it, a.buf, a.len);
	REQUIRE(cpio_next(&it, &e) == 1);
	CHECK_EQ(e.mode, 0100600);
	CHECK_EQ(e.size, 3);
	CHECK_EQ(cpio_next(&it, &e), 0);
}

static int validate_one(const char *magic, const char *name, uint32_t namesize,
			uint32_t hdr_size)
{
	struct ar a = { .len = 0 };
	put_raw(&a, magic, name, namesize, 0100644, "data", 4, hdr_size, 0);
	put_trailer(&a);
	uint8_t *c = exact(a.buf, a.len);
	int r = cpio_validate(c, a.len);
	free(c);
	return r;
}

TEST(cpio_rejects_malformed_headers)
{
	CHECK_EQ(validate_one("070701", "ok", 3, 4), 0);
	CHECK_EQ(validate_one("070707", "ok", 3, 4), -EINVAL);  /* odc, not newc */
	CHECK_EQ(validate_one("170701", "ok", 3, 4), -EINVAL);
	CHECK_EQ(validate_one("070701", "ok", 0, 4), -EINVAL);  /* no room for a NUL */
	CHECK_EQ(validate_one("070701", "okk", 3, 4), -EINVAL); /* name not terminated */
	CHECK_EQ(validate_one("070701", "o\0k", 4, 4), -EINVAL); /* NUL inside the name */
	CHECK_EQ(validate_one("070701", "ok", 3, 0xffffffffu), -EINVAL);
	CHECK_EQ(validate_one("070701", "ok", 3, 4000), -EINVAL);
	CHECK_EQ(validate_one("070701", "ok", 3, 5), -EINVAL);  /* data runs into the trailer */
}

TEST(cpio_rejects_non_hex_digits)
{
	struct ar a = { .len = 0 };
	put(&a, "f", 0100644, "abc", 3);
	put_trailer(&a);
	for (size_t i = 6; i < CPIO_HDR_LEN; i++) {
		uint8_t *c = exact(a.buf, a.len);
		c[i] = (i % 2) ? 'g' : ' ';
		CHECK_EQ(cpio_validate(c, a.len), -EINVAL);
		free(c);
	}
}

TEST(cpio_rejects_missing_trailer_and_null)
{
	struct ar a = { .len = 0 };
	put(&a, "f", 0100644, "abc", 3);
	CHECK_EQ(cpio_validate(a.buf, a.len), -EINVAL);
	CHECK_EQ(cpio_validate(a.buf, 0), -EINVAL);
	CHECK_EQ(cpio_validate(NULL, 100), -EINVAL);
	struct cpio_iter it;
	struct cpio_entry e;
	cpio_iter_init(&it, a.buf, a.len);
	CHECK_EQ(cpio_next(&it, &e), 1);
	CHECK_EQ(cpio_next(&it, &e), -EINVAL);
	CHECK_EQ(cpio_next(&it, &e), -EINVAL);  /* stays failed */
}

TEST(cpio_every_truncation_is_rejected)
{
	struct ar a = { .len = 0 };
	put(&a, "bin", 040755, "", 0);
	put(&a, "bin/prog", 0100755, "\177ELF....", 8);
	put(&a, "etc/motd", 0100644, "hello\n", 6);
	size_t least = put_trailer(&a);
	for (size_t len = 0; len <= a.len; len++) {
		uint8_t *c = exact(a.buf, len);
		int r = cpio_validate(c, len);
		if (!CHECK_EQ(r, len >= least ? 0 : -EINVAL))
			printf("  at length %zu\n", len);
		free(c);
	}
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

/* Walks a corrupted archive: results are 1/0/-EINVAL only and entries lie in the buffer. */
static void walk_checked(const uint8_t *c, size_t len)
{
	struct cpio_iter it;
	struct cpio_entry e;
	int r, n = 0;
	cpio_iter_init(&it, c, len);
	while ((r = cpio_next(&it, &e)) == 1 && n++ < 1000) {
		const uint8_t *nm = (const uint8_t *)e.name, *d = e.data;
		CHECK(nm >= c && nm + e.namelen < c + len && nm[e.namelen] == 0);
		CHECK(d >= c && d <= c + len && e.size <= (size_t)(c + len - d));
	}
	CHECK(r == 0 || r == -EINVAL);
}

TEST(cpio_fuzz_random_corruption)
{
	struct ar a = { .len = 0 };
	put(&a, "a", 040755, "", 0);
	put(&a, "a/b", 0100644, "contents", 8);
	put(&a, "a/c", 0100644, "x", 1);
	put_trailer(&a);
	for (int round = 0; round < 20000; round++) {
		uint8_t *c = exact(a.buf, a.len);
		int flips = 1 + (int)(rnd() % 4);
		for (int k = 0; k < flips; k++) {
			size_t at = rnd() % a.len;
			/* half the time a plausible character, so headers often still parse */
			c[at] = (rnd() & 1) ? (uint8_t)"0123456789abcdefF"[rnd() % 17] : (uint8_t)rnd();
		}
		size_t len = (rnd() % 4 == 0) ? rnd() % (a.len + 1) : a.len;
		walk_checked(c, len);
		free(c);
	}
}

/* An archive written by GNU cpio the way tools/mkimage.sh writes the boot image. */
TEST(cpio_reads_gnu_cpio_output)
{
	char dir[] = "/tmp/fs_cpio_XXXXXX", cmd[512];
	REQUIRE(mkdtemp(dir));
	snprintf(cmd, sizeof(cmd),
		 "cd %s && mkdir -p r/bin r/etc && printf 'hi\\n' > r/etc/motd && "
		 "printf abc > r/bin/x && cd r && find . -mindepth 1 | LC_ALL=C sort | "
		 "cpio -o -H newc --quiet > ../img",
		 dir);
	REQUIRE(system(cmd) == 0);
	snprintf(cmd, sizeof(cmd), "%s/img", dir);
	FILE *f = fopen(cmd, "rb");
	REQUIRE(f);
	static uint8_t img[65536];
	size_t len = fread(img, 1, sizeof(img), f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
	CHECK_EQ(cpio_validate(img, len), 0);
	const char *want[] = { "bin", "bin/x", "etc", "etc/motd" };
	struct cpio_iter it;
	struct cpio_entry e;
	cpio_iter_init(&it, img, len);
	for (int i = 0; i < 4; i++) {
		REQUIRE(cpio_next(&it, &e) == 1);
		CHECK_STR(e.name, want[i]);
	}
	CHECK_EQ(cpio_next(&it, &e), 0);
}
