// HOST-TEST-SOURCES: kernel/fs/plate.c kernel/fs/plate_index.c kernel/fs/plate_image.c kernel/fs/plate_content.c kernel/fs/plate_dir.c kernel/fs/plate_ops.c kernel/fs/plate_disk.c kernel/fs/plate_disk_ops.c tests/host/plate_disk_host.c kernel/fs/plate_proc.c kernel/fs/plate_name.c kernel/fs/plate_link.c tests/host/plate_proc_host.c kernel/fs/pagelist.c kernel/fs/path.c kernel/fs/cpio.c kernel/fs/dirent.c kernel/res/res.c kernel/lib/idhash.c kernel/lib/kprintf.c tests/host/res_mem_host.c
/* Host tests of the plate table: boot-image plates (zero-copy, implied parents, read-only),
 * run-time plates in /tmp (paged content, holes, truncation, the size cap, out of memory),
 * deletion rules, the resource-layer description, and directory listings as dirent64. */
#include "tests/host/harness.h"
#include "tests/host/res_mem_host.h"
#include "kernel/fs/plate.h"
#include "kernel/fs/cpio.h"
#include "kernel/fs/dirent.h"
#include "kernel/fs/path.h"
#include "kernel/fs/pathbuf.h"
#include "kernel/fs/plate_int.h"
#include "kernel/mm/pmm.h"
#include "arch/timer.h"
#include "abi/errno.h"
#include "abi/linux.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The physical page allocator, on the host: pages from the C heap, "physical" addresses
 * chosen so that the kernel's phys_to_virt (pa + PHYS_BASE) gives back the pointer. */
static long pages_out;
static int fail_alloc;

uint64_t pmm_alloc(void)
{
	if (fail_alloc)
		return 0;
	void *p = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	if (!p)
		return 0;
	memset(p, 0, PAGE_SIZE);
	pages_out++;
	return (uint64_t)(uintptr_t)p - PHYS_BASE;
}

void pmm_free(uint64_t pa)
{
	pages_out--;
	free(phys_to_virt(pa));
}

/* statfs's count of files asks how much memory is free: plenty, unless allocation fails. */
uint64_t pmm_free_pages(void)
{
	return fail_alloc ? 0 : 65536;
}

uint64_t pmm_total_pages(void)
{
	return 65536;
}

/* The wall clock, for modification times: a fixed moment is enough here. */
uint64_t time_realtime_ns(void)
{
	return 1700000000ull * 1000000000ull;
}

/* ---- a boot image ------------------------------------------------------------------------ */

/* The kernel's path buffers come from its contiguous pool; here from malloc. */
char *pathbuf_get(void)
{
	return malloc(PATH_BUF);
}

void pathbuf_put(char *buf)
{
	free(buf);
}

/* A plate's path, or NULL for a bad rid (plate_path into a buffer of the test's). */
static const char *path_of(rid_t r)
{
	static char buf[PATH_BUF];
	return plate_path(r, buf, sizeof(buf)) < 0 ? NULL : buf;
}

static uint8_t image[16384];
static size_t image_len;

static void put_dev(const char *name, uint32_t mode, const char *data, uint32_t major,
		    uint32_t minor)
{
	uint32_t namesize = (uint32_t)strlen(name) + 1, size = (uint32_t)strlen(data);
	char h[CPIO_HDR_LEN + 1];
	snprintf(h, sizeof(h), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", 1u,
		 mode, 0u, 0u, 1u, 77u, size, 0u, 0u, major, minor, namesize, 0u);
	memcpy(image + image_len, h, CPIO_HDR_LEN);
	image_len += CPIO_HDR_LEN;
	memcpy(image + image_len, name, namesize);
	image_len = (image_len + namesize + 3) & ~(size_t)3;
	memcpy(image + image_len, data, size);
	image_len = (image_len + size + 3) & ~(size_t)3;
}

static void put(const char *name, uint32_t mode, const char *data)
{
	put_dev(name, mode, data, 0, 0);
}

static const char long_name[] = "usr/share/doc/a-rather-long-directory-name/readme.txt";

static void setup(void)
{
	static int done;
	if (done++)
		return;
	plate_init();
	put(".", 040755, "");
	put("./bin", 040755, "");
	put("./bin/sh", 0100755, "#!shell");
	put("./bin/ls", 0100755, "ls-program");
	put("etc/motd", 0100644, "hello\n");     /* /etc is implied */
	put("etc/cfg", 0100644, "image-config");  /* rewritten by plate_image_copy_up */
	put("etc/cut", 0100644, "0123456789");    /* truncated by plate_image_copy_up */
	put(long_name, 0100444, "doc");
	put("bin/link", 0120777, "sh");          /* a symlink: its content is its target */
	put_dev("dev/console", 020600, "", 5, 1);    /* exists already: skipped */
	put_dev("dev/ttyS0", 020660, "", 4, 64);
	put("TRAILER!!!", 0, "");
	if (plate_init_image(image, image_len))
		printf("plate_init_image failed\n");
}

static rid_t lookup(const char *path)
{
	rid_t r = 0;
	return plate_lookup_path(path, &r) ? 0 : r;
}

TEST(plate_boot_directories)
{
	setup();
	rid_t root = lookup("/"), tmp = lookup("/tmp"), bin = lookup("/bin"), etc = lookup("/etc");
	REQUIRE(root && tmp && bin && etc);
	CHECK(plate_is_dir(root));
	CHECK(plate_is_dir(etc));
	CHECK_EQ(plate_parent(root), 0);
	CHECK_EQ(plate_parent(bin), root);
	CHECK_EQ(plate_parent(tmp), root);
	CHECK(plate_is_writable(tmp));
	CHECK(plate_is_writable(root));            /* as Linux's initramfs */
	CHECK(plate_is_writable(bin));
	CHECK_EQ(plate_mode(bin), 040755);
	CHECK_EQ(plate_mode(tmp), 041777);
	rid_t link = lookup("/bin/link");
	char target[8];
	REQUIRE(link != 0);
	CHECK_EQ(plate_mode(link), 0120777);
	CHECK_EQ(plate_readlink(link, target, sizeof(target)), 2);
	CHECK(memcmp(target, "sh", 2) == 0);
	CHECK(plate_is_writable(link));
	CHECK_EQ(lookup("/bin/"), 0);              /* lookups take canonical paths only */
}

TEST(plate_image_files_are_zero_copy)
{
	setup();
	rid_t sh = lookup("/bin/sh");
	REQUIRE(sh);
	const void *data;
	size_t size;
	REQUIRE(plate_map_image(sh, &data, &size) == 0);
	CHECK_EQ(size, 7);
	CHECK(memcmp(data, "#!shell", 7) == 0);
	CHECK((const uint8_t *)data > image && (const uint8_t *)data < image + image_len);
	CHECK_EQ(plate_size(sh), 7);
	CHECK(!plate_is_dir(sh));
	CHECK_EQ(plate_mode(sh), 0100755);
	CHECK_EQ(plate_mtime(sh), 77);
	char buf[16] = { 0 };
	CHECK_EQ(plate_read_at(sh, 2, buf, sizeof(buf)), 5);
	CHECK_STR(buf, "shell");
	CHECK_EQ(plate_read_at(sh, 7, buf, 4), 0);
	CHECK_EQ(plate_read_at(sh, 1000, buf, 4), 0);
	CHECK_EQ(plate_read_at(lookup("/bin"), 0, buf, 4), -EISDIR);
}

/* The first write to an image file copies it into pages; the image's bytes stay as they were
 * (a program mapped from them keeps them), and the content gets a new version. */
TEST(plate_image_copy_up)
{
	setup();
	rid_t cfg = lookup("/etc/cfg"), cut = lookup("/etc/cut");
	REQUIRE(cfg && cut);
	const void *old;
	size_t size;
	REQUIRE(plate_map_image(cfg, &old, &size) == 0);
	uint64_t version = plate_version(cfg), pages = plate_ram_pages();
	CHECK_EQ(plate_write_at(cfg, 6, "CONF", 4), 4);
	CHECK(plate_version(cfg) != version);
	CHECK_EQ(plate_ram_pages(), pages + 1);
	CHECK(memcmp(old, "image-config", 12) == 0);            /* the image is untouched */
	CHECK_EQ(plate_map_image(cfg, &old, &size), -ENOTSUP);  /* in pages now */
	char buf[16] = { 0 };
	CHECK_EQ(plate_read_at(cfg, 0, buf, sizeof(buf)), 12);
	CHECK_STR(buf, "image-CONFig");
	CHECK_EQ(plate_size(cfg), 12);
	CHECK_EQ(plate_truncate(cfg, 0), 0);                    /* its page goes back */
	CHECK_EQ(plate_ram_pages(), pages);
	CHECK_EQ(plate_truncate(cut, 4), 0);                    /* copies what it keeps */
	CHECK_EQ(plate_size(cut), 4);
	CHECK_EQ(plate_truncate(cut, 6), 0);
	memset(buf, 0x55, sizeof(buf));
	CHECK_EQ(plate_read_at(cut, 0, buf, sizeof(buf)), 6);
	CHECK(memcmp(buf, "0123\0\0", 6) == 0);
	CHECK_EQ(plate_truncate(cut, 0), 0);
	CHECK_EQ(plate_ram_pages(), pages);
}

TEST(plate_long_paths_and_resource_info)
{
	setup();
	char want[128] = "/";
	strcat(want, long_name);
	rid_t doc = lookup(want);
	REQUIRE(doc);
	CHECK_STR(path_of(doc), want);
	REQUIRE(lookup("/usr/share/doc/a-rather-long-directory-name"));
	struct t_res_info info;
	REQUIRE(res_info(doc, &info) == 0);
	CHECK_EQ(info.type, RT_PLATE);
	CHECK_EQ(strlen(info.name), T_NAME_MAX - 1);
	CHECK(strncmp(info.name, want, T_NAME_MAX - 1) == 0);
	CHECK_EQ(info.v[0], 3);
	CHECK_EQ(info.v[1], 0);
	REQUIRE(info.nrefs == 1);
	CHECK_STR(info.refs[0].role, "parent");
	CHECK_EQ(info.refs[0].rid, lookup("/usr/share/doc/a-rather-long-directory-name"));
	REQUIRE(res_info(lookup("/etc"), &info) == 0);
	CHECK_EQ(info.v[1], 1);
	CHECK_STR(info.name, "/etc");
}

TEST(plate_malformed_image_creates_nothing)
{
	setup();
	uint32_t before = res_count(RT_PLATE);
	uint8_t bad[256];
	memcpy(bad, image, sizeof(bad));
	CHECK_EQ(plate_init_image(bad, sizeof(bad)), -EINVAL);   /* cut before its trailer */
	CHECK_EQ(res_count(RT_PLATE), before);
}

TEST(plate_create_rules)
{
	setup();
	struct cred u = { .uid = 5, .gid = 5 };
	rid_t r;
	REQUIRE(plate_create("/bin/new", 0644, &u, &r) == 0);   /* "/" takes new files */
	CHECK_EQ(res_delete(r, NULL), 0);
	CHECK_EQ(plate_create("/", 0644, &u, &r), -EEXIST);
	CHECK_EQ(plate_create("/tmp", 0644, &u, &r), -EEXIST);
	CHECK_EQ(plate_create("/nodir/x", 0644, &u, &r), -ENOENT);
	CHECK_EQ(plate_create("/bin/sh/x", 0644, &u, &r), -ENOTDIR);
	REQUIRE(plate_create("/tmp/c1", 0100640, &u, &r) == 0);
	CHECK_EQ(plate_mode(r), 0100640);
	CHECK_EQ(plate_size(r), 0);
	CHECK_EQ(plate_parent(r), lookup("/tmp"));
	CHECK_EQ(res_hdr(r)->owner, 5);
	rid_t again;
	CHECK_EQ(plate_create("/tmp/c1", 0644, &u, &again), -EEXIST);
	const void *d;
	size_t n;
	CHECK_EQ(plate_map_image(r, &d, &n), -ENOTSUP);
	CHECK_EQ(res_delete(r, NULL), 0);
}

TEST(plate_write_read_across_pages)
{
	setup();
	rid_t r;
	REQUIRE(plate_create("/tmp/w", 0644, NULL, &r) == 0);
	static uint8_t in[3 * 4096 + 100], out[sizeof(in)];
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 7 + 3);
	CHECK_EQ(plate_write_at(r, 10, in, sizeof(in)), sizeof(in));
	CHECK_EQ(plate_size(r), sizeof(in) + 10);
	CHECK_EQ(pages_out, 4 + 1);              /* four data pages and one index page */
	memset(out, 0xee, sizeof(out));
	CHECK_EQ(plate_read_at(r, 10, out, sizeof(out)), sizeof(in));
	CHECK(memcmp(in, out, sizeof(in)) == 0);
	CHECK_EQ(plate_read_at(r, 0, out, 10), 10);
	CHECK_EQ(out[0] | out[9], 0);
	CHECK_EQ(plate_write_at(r, 4090, "overwrite", 9), 9);
	CHECK_EQ(plate_read_at(r, 4088, out, 13), 13);
	CHECK(memcmp(out + 2, "overwrite", 9) == 0);
	CHECK_EQ(plate_size(r), sizeof(in) + 10);
	CHECK_EQ(res_delete(r, NULL), 0);
	CHECK_EQ(pages_out, 0);
}

TEST(plate_holes_truncation_and_stale_bytes)
{
	setup();
	rid_t r;
	REQUIRE(plate_create("/tmp/h", 0644, NULL, &r) == 0);
	CHECK_EQ(plate_write_at(r, 3u << 20, "end", 3), 3);
	CHECK_EQ(plate_size(r), (3u << 20) + 3);
	CHECK_EQ(pages_out, 3);    /* holes take no memory: two index pages and the data page */
	char buf[8] = "xxxxxxx";
	CHECK_EQ(plate_read_at(r, 12345, buf, 8), 8);
	CHECK(memcmp(buf, "\0\0\0\0\0\0\0\0", 8) == 0);
	/* bytes written beyond the size but never committed must not reappear */
	CHECK_EQ(plate_truncate(r, 100), 0);
	CHECK_EQ(pages_out, 0);
	CHECK_EQ(plate_write_at(r, 0, "abcdefghij", 10), 10);
	CHECK_EQ(plate_truncate(r, 4), 0);
	void *p;
	size_t n;
	REQUIRE(plate_write_span(r, 6, &p, &n) == 0);
	memcpy(p, "JUNK", 4);                    /* abandoned: no commit */
	CHECK_EQ(plate_size(r), 4);
	CHECK_EQ(plate_truncate(r, 12), 0);
	memset(buf, 'x', sizeof(buf));
	CHECK_EQ(plate_read_at(r, 2, buf, 8), 8);
	CHECK(memcmp(buf, "cd\0\0\0\0\0\0", 8) == 0);
	CHECK_EQ(plate_write_at(r, 20, "z", 1), 1);   /* a gap after a shrink reads as zeros */
	CHECK_EQ(plate_read_at(r, 12, buf, 8), 8);
	CHECK(memcmp(buf, "\0\0\0\0\0\0\0\0", 8) == 0);
	CHECK_EQ(res_delete(r, NULL), 0);
	CHECK_EQ(pages_out, 0);
}

/* A content version names one plate's bytes: every write, abandoned write span and
 * truncation gives a new one, reading and renaming do not, and a plate made in a freed slot
 * never has a version any earlier plate had (programs are found again by it). */
TEST(plate_content_version)
{
	setup();
	rid_t a, b;
	REQUIRE(plate_create("/tmp/va", 0755, NULL, &a) == 0);
	uint64_t v0 = plate_version(a), v;
	CHECK(v0 != 0);
	CHECK(plate_version(lookup("/bin/sh")) != 0);
	CHECK(plate_version(lookup("/bin/sh")) != v0);
	CHECK_EQ(plate_write_at(a, 0, "abc", 3), 3);
	CHECK((v = plate_version(a)) != v0);
	char buf[3];
	CHECK_EQ(plate_read_at(a, 0, buf, 3), 3);
	CHECK_EQ(plate_version(a), v);
	CHECK_EQ(plate_write_at(a, 1, "X", 1), 1);          /* in place, same size */
	CHECK(plate_version(a) != v);
	v = plate_version(a);
	void *p;
	size_t n;
	REQUIRE(plate_write_span(a, 0, &p, &n) == 0);      /* written before any commit */
	CHECK(plate_version(a) != v);
	v = plate_version(a);
	CHECK_EQ(plate_truncate(a, 3), 0);
	CHECK(plate_version(a) != v);
	v = plate_version(a);
	struct cred root = { .uid = 0, .gid = 0 };
	CHECK_EQ(plate_rename("/tmp/va", "/tmp/vb", 0, &root), 0);
	CHECK_EQ(plate_version(a), v);
	CHECK_EQ(res_delete(a, NULL), 0);
	CHECK_EQ(plate_version(a), 0);
	REQUIRE(plate_create("/tmp/vb", 0755, NULL, &b) == 0);
	CHECK(plate_version(b) > v);
	CHECK_EQ(res_delete(b, NULL), 0);
}

TEST(plate_size_cap_and_out_of_memory)
{
	setup();
	rid_t r;
	REQUIRE(plate_create("/tmp/big", 0644, NULL, &r) == 0);
	CHECK_EQ(plate_write_at(r, PLATE_MAX_SIZE - 1, "ab", 2), 1);
	CHECK_EQ(plate_size(r), PLATE_MAX_SIZE);
	CHECK_EQ(plate_write_at(r, PLATE_MAX_SIZE, "ab", 2), -EFBIG);
	CHECK_EQ(plate_truncate(r, PLATE_MAX_SIZE + 1), -EFBIG);
	CHECK_EQ(plate_truncate(r, 0), 0);
	fail_alloc = 1;
	CHECK_EQ(plate_write_at(r, 0, "ab", 2), -ENOSPC);
	fail_alloc = 0;
	CHECK_EQ(plate_size(r), 0);
	CHECK_EQ(res_delete(r, NULL), 0);
	CHECK_EQ(pages_out, 0);
}

/* The page tree is as deep as the file needs: a one-page file costs one page, a file grows
 * across 2 MiB and 1 GiB by putting an index above its tree, and shrinks back. */
TEST(plate_page_tree_depth)
{
	setup();
	rid_t r;
	char buf[4];
	REQUIRE(plate_create("/tmp/deep", 0644, NULL, &r) == 0);
	CHECK_EQ(plate_write_at(r, 0, "one", 3), 3);
	CHECK_EQ(pages_out, 1);
	CHECK_EQ(plate_write_at(r, 4096, "two", 3), 3);
	CHECK_EQ(pages_out, 3);                   /* an index above the first page */
	CHECK_EQ(plate_write_at(r, (2ull << 20) + 5, "big", 3), 3);
	CHECK_EQ(pages_out, 6);                   /* a new root, an index, a data page */
	CHECK_EQ(plate_write_at(r, (1ull << 30) + 7, "huge", 4), 4);
	CHECK_EQ(pages_out, 10);
	CHECK_EQ(plate_read_at(r, 0, buf, 3), 3);
	CHECK(memcmp(buf, "one", 3) == 0);
	CHECK_EQ(plate_read_at(r, (2ull << 20) + 5, buf, 3), 3);
	CHECK(memcmp(buf, "big", 3) == 0);
	CHECK_EQ(plate_read_at(r, (1ull << 30) + 7, buf, 4), 4);
	CHECK(memcmp(buf, "huge", 4) == 0);
	CHECK_EQ(plate_truncate(r, 4096 + 3), 0);
	CHECK_EQ(pages_out, 3);                   /* back to one index and two pages */
	CHECK_EQ(plate_read_at(r, 4096, buf, 3), 3);
	CHECK(memcmp(buf, "two", 3) == 0);
	CHECK_EQ(plate_truncate(r, 3), 0);
	CHECK_EQ(pages_out, 1);
	CHECK_EQ(plate_read_at(r, 0, buf, 3), 3);
	CHECK(memcmp(buf, "one", 3) == 0);
	CHECK_EQ(res_delete(r, NULL), 0);
	CHECK_EQ(pages_out, 0);
}

/* Thousands of files in one directory: each found by path, listed once in path order, and
 * the directory empty again (and removable) after they go. */
TEST(plate_many_files)
{
	setup();
	enum { NF = 5000 };
	static rid_t made[NF];
	char path[64];
	struct cred root = { .uid = 0, .gid = 0 };
	rid_t d, r;
	REQUIRE(plate_mkdir("/tmp/many", 0755, &root, &d) == 0);
	for (int i = 0; i < NF; i++) {
		snprintf(path, sizeof(path), "/tmp/many/f%05d", i);
		REQUIRE(plate_create(path, 0644, NULL, &made[i]) == 0);
	}
	int found = 0;
	for (int i = 0; i < NF; i++) {
		snprintf(path, sizeof(path), "/tmp/many/f%05d", i);
		found += plate_lookup_path(path, &r) == 0 && r == made[i];
	}
	CHECK_EQ(found, NF);
	/* the listing: ".", "..", then every file in order */
	static char buf[1 << 16];
	uint64_t pos = 0;
	int seen = 0, ordered = 1;
	char last[64] = "";
	long got;
	while ((got = plate_dir_read(d, &pos, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < got;) {
			const struct linux_dirent64 *e = (const void *)(buf + off);
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
				ordered &= strcmp(last, e->d_name) < 0;
				snprintf(last, sizeof(last), "%s", e->d_name);
				seen++;
			}
			off += e->d_reclen;
		}
	}
	CHECK_EQ(got, 0);
	CHECK_EQ(seen, NF);
	CHECK(ordered);
	CHECK_EQ(plate_remove("/tmp/many", 1, &root), -ENOTEMPTY);
	/* a rename of the directory moves every path below it */
	CHECK_EQ(plate_rename("/tmp/many", "/tmp/moved", 0, &root), 0);
	CHECK_EQ(plate_lookup_path("/tmp/moved/f04999", &r), 0);
	CHECK_EQ(r, made[NF - 1]);
	CHECK_EQ(plate_lookup_path("/tmp/many/f04999", &r), -ENOENT);
	for (int i = 0; i < NF; i++) {
		snprintf(path, sizeof(path), "/tmp/moved/f%05d", i);
		CHECK_EQ(plate_remove(path, 0, &root), 0);
	}
	CHECK_EQ(plate_remove("/tmp/moved", 1, &root), 0);
	plate_dir_trim();
}

TEST(plate_delete_rules)
{
	setup();
	rid_t r, tmp = lookup("/tmp");
	CHECK_EQ(res_delete(lookup("/bin"), NULL), -ENOTEMPTY);
	CHECK_EQ(res_delete(tmp, NULL), -EBUSY);
	REQUIRE(plate_create("/tmp/d", 0644, NULL, &r) == 0);
	CHECK_EQ(plate_write_at(r, 0, "x", 1), 1);
	plate_open_ref(r);
	CHECK_EQ(res_delete(r, NULL), -EBUSY);
	plate_close_ref(r);
	struct cred other = { .uid = 9, .gid = 9 };
	CHECK_EQ(res_delete(r, &other), -EACCES);
	CHECK_EQ(res_delete(r, NULL), 0);
	CHECK_EQ(pages_out, 0);
	CHECK(!plate_is_dir(r));
	CHECK_EQ(res_validate(r, RT_PLATE), -ESTALE);
	CHECK_EQ(plate_size(r), 0);
	CHECK(path_of(r) == NULL);
	CHECK_EQ(lookup("/tmp/d"), 0);
	char b[1];
	CHECK_EQ(plate_read_at(r, 0, b, 1), -ESTALE);
}

/* Linux's permission bits: the owner's class, then a group member's (its own group or a
 * supplementary one), then everybody's; root bypasses all but a file's execute bits. */
TEST(plate_permission_bits_and_groups)
{
	setup();
	struct cred owner = { .uid = 5, .gid = 7 };
	struct cred member = { .uid = 9, .gid = 1, .ngroups = 2, .groups = { 3, 7 } };
	struct cred outsider = { .uid = 9, .gid = 1, .ngroups = 1, .groups = { 3 } };
	struct cred root = { .uid = 0, .gid = 0 };
	rid_t f, d;
	REQUIRE(plate_create("/tmp/perm", 0640, &owner, &f) == 0);
	CHECK_EQ(plate_permission(f, PLATE_MAY_READ | PLATE_MAY_WRITE, &owner), 0);
	CHECK_EQ(plate_permission(f, PLATE_MAY_EXEC, &owner), -EACCES);
	CHECK_EQ(plate_permission(f, PLATE_MAY_READ, &member), 0);
	CHECK_EQ(plate_permission(f, PLATE_MAY_WRITE, &member), -EACCES);
	CHECK_EQ(plate_permission(f, PLATE_MAY_READ, &outsider), -EACCES);
	CHECK_EQ(plate_permission(f, 0, &outsider), 0);
	CHECK_EQ(plate_permission(f, PLATE_MAY_READ | PLATE_MAY_WRITE, &root), 0);
	CHECK_EQ(plate_permission(f, PLATE_MAY_EXEC, &root), -EACCES);   /* no x bit at all */
	CHECK_EQ(plate_chmod(f, 0604, &owner), 0);          /* others may read, the group not */
	CHECK_EQ(plate_permission(f, PLATE_MAY_READ, &member), -EACCES);
	CHECK_EQ(plate_permission(f, PLATE_MAY_READ, &outsider), 0);
	CHECK_EQ(plate_chmod(f, 02755, &outsider), -EPERM);
	CHECK_EQ(plate_chmod(f, 02751, &owner), 0);         /* owner is in group 7: S_ISGID stays */
	CHECK_EQ(plate_mode(f) & 07777, 02751);
	CHECK_EQ(plate_permission(f, PLATE_MAY_EXEC, &root), 0);
	CHECK_EQ(plate_chown(f, UINT32_MAX, 3, &owner), -EPERM);   /* not one of its groups */
	CHECK_EQ(plate_chown(f, UINT32_MAX, 7, &owner), 0);
	struct cred owner3 = { .uid = 5, .gid = 7, .ngroups = 1, .groups = { 3 } };
	CHECK_EQ(plate_chown(f, UINT32_MAX, 3, &owner3), 0);      /* a supplementary group */
	CHECK_EQ(res_hdr(f)->group, 3);
	CHECK_EQ(plate_chmod(f, 02755, &owner), 0);         /* no longer in the file's group */
	CHECK_EQ(plate_mode(f) & 07777, 0755);
	REQUIRE(plate_mkdir("/tmp/pdir", 0700, &owner, &d) == 0);
	CHECK_EQ(plate_permission(d, PLATE_MAY_EXEC, &member), -EACCES);
	CHECK_EQ(plate_permission(d, PLATE_MAY_EXEC | PLATE_MAY_READ | PLATE_MAY_WRITE, &root), 0);
	CHECK_EQ(plate_remove("/tmp/pdir", 1, &root), 0);
	CHECK_EQ(plate_remove("/tmp/perm", 0, &root), 0);
	CHECK_EQ(plate_permission(f, PLATE_MAY_READ, &root), -ESTALE);
}

struct rec {
	uint64_t ino;
	int64_t off;
	uint16_t reclen;
	uint8_t type;
	const char *name;
};

static size_t parse(const uint8_t *buf, size_t len, struct rec *out, size_t max)
{
	size_t n = 0;
	for (size_t at = 0; at < len && n < max; n++) {
		const struct linux_dirent64 *d = (const void *)(buf + at);
		out[n] = (struct rec){ d->d_ino, d->d_off, d->d_reclen, d->d_type, d->d_name };
		at += d->d_reclen;
	}
	return n;
}

TEST(plate_device_nodes)
{
	setup();
	rid_t null = lookup("/dev/null"), con = lookup("/dev/console"), s0 = lookup("/dev/ttyS0");
	REQUIRE(null && con && s0);
	CHECK_EQ(plate_mode(null), 020666);
	CHECK_EQ(plate_rdev(null), 0x0103);
	CHECK_EQ(plate_rdev(con), 0x0501);
	CHECK_EQ(plate_mode(con), 020620);       /* the image's node did not replace it */
	CHECK_EQ(plate_rdev(s0), 0x0440);
	CHECK_EQ(plate_mode(s0), 020660);
	CHECK(!plate_is_dir(null));
	CHECK_EQ(plate_size(null), 0);
	char b[4];
	CHECK_EQ(plate_read_at(null, 0, b, 4), -EINVAL);
	CHECK_EQ(plate_write_at(null, 0, b, 4), -EINVAL);
	CHECK_EQ(res_delete(null, NULL), -EBUSY);               /* the boot's nodes stay */
	uint8_t buf[512];
	struct rec r[12];
	uint64_t pos = 2;
	long len = plate_dir_read(lookup("/dev"), &pos, buf, sizeof(buf));
	REQUIRE(len > 0);
	REQUIRE(parse(buf, (size_t)len, r, 12) == 10);  /* the nine of devices.def and ttyS0 */
	CHECK_STR(r[0].name, "console");
	CHECK_EQ(r[0].type, L_DT_CHR);
	CHECK_EQ(r[0].off, 3);
	CHECK_STR(r[1].name, "full");
	CHECK_STR(r[7].name, "vda");
	CHECK_EQ(r[7].type, L_DT_BLK);
	CHECK_STR(r[9].name, "zero");
	rid_t vda = lookup("/dev/vda");
	REQUIRE(vda);
	CHECK_EQ(plate_mode(vda), 060600);       /* a block device, root's alone */
	CHECK_EQ(plate_rdev(vda), 0xfd00);
	rid_t urandom = lookup("/dev/urandom");
	REQUIRE(urandom);
	CHECK_EQ(plate_rdev(urandom), 0x0109);
	CHECK_EQ(plate_rdev(lookup("/dev/full")), 0x0107);
}

/* mknod's plates in memory: the type, the number, rights from the permission bits for a device
 * node (a user may not open root's 0600 node), no number for the others, the refusals. */
TEST(plate_mknod_in_memory)
{
	setup();
	struct cred root = { .uid = 0, .gid = 0 }, user = { .uid = 5, .gid = 5 };
	rid_t n, s;
	uint32_t big = (70000u & 0xff) | (259u << 8) | ((70000u & 0xfff00) << 12);
	REQUIRE(plate_mknod("/tmp/n", 020600, 0x0103, &root, &n) == 0);
	CHECK_EQ(plate_mode(n), 020600);
	CHECK_EQ(plate_rdev(n), 0x0103);
	CHECK_EQ(res_check(n, TOP_USE, &user), -EACCES);
	CHECK_EQ(res_check(n, TOP_USE, &root), 0);
	CHECK_EQ(plate_chmod(n, 0666, &root), 0);
	CHECK_EQ(res_check(n, TOP_USE | TOP_MODIFY, &user), 0);   /* chmod gives the rights */
	CHECK_EQ(plate_mknod("/tmp/b", 060640, big, &root, &s), 0);
	CHECK_EQ(plate_rdev(s), big);
	CHECK_EQ(plate_mknod("/tmp/s", 0140644, 0x0103, &user, &s), 0);
	CHECK_EQ(plate_mode(s), 0140644);
	CHECK_EQ(plate_rdev(s), 0);                              /* only devices keep one */
	CHECK_EQ(plate_mknod("/tmp/n", 020600, 0x0103, &root, &s), -EEXIST);
	CHECK_EQ(plate_mknod("/tmp/r", 0100600, 0, &root, &s), -EINVAL);
	CHECK_EQ(plate_mknod("/tmp/none/x", 020600, 0x0103, &root, &s), -ENOENT);
	CHECK_EQ(plate_mknod("/tmp/n/x", 020600, 0x0103, &root, &s), -ENOTDIR);
	CHECK_EQ(plate_mknod("/bin/x", 020600, 0x0103, &root, &s), 0);
	CHECK_EQ(plate_remove("/bin/x", 0, &root), 0);
	char b[1];
	CHECK_EQ(plate_read_at(n, 0, b, 1), -EINVAL);            /* no content of its own */
	CHECK_EQ(plate_remove("/tmp/n", 0, &root), 0);
	CHECK_EQ(plate_remove("/tmp/b", 0, &root), 0);
	CHECK_EQ(plate_remove("/tmp/s", 0, &root), 0);
}

/* ---- directory listings ------------------------------------------------------------------ */

TEST(plate_dir_listing_of_root)
{
	setup();
	rid_t root = lookup("/");
	uint8_t buf[1024];
	struct rec r[16];
	uint64_t pos = 0;
	long len = plate_dir_read(root, &pos, buf, sizeof(buf));
	REQUIRE(len > 0);
	size_t n = parse(buf, (size_t)len, r, 16);
	/* /disk and /mnt: the mount points plate_init makes */
	const char *want[] = { ".", "..", "bin", "dev", "disk", "etc", "mnt", "tmp", "usr" };
	REQUIRE(n == 9);
	for (size_t i = 0; i < n; i++) {
		CHECK_STR(r[i].name, want[i]);
		CHECK_EQ(r[i].off, i + 1);
		CHECK_EQ(r[i].type, L_DT_DIR);
		CHECK_EQ(r[i].reclen % 8, 0);
		CHECK_EQ(r[i].reclen, dirent_reclen(strlen(want[i])));
	}
	CHECK_EQ(r[0].ino, plate_ino(root));
	CHECK_EQ(r[1].ino, plate_ino(root));
	CHECK_EQ(r[2].ino, plate_ino(lookup("/bin")));
	CHECK_EQ(pos, 9);
	CHECK_EQ(plate_dir_read(root, &pos, buf, sizeof(buf)), 0);
}

TEST(plate_dir_listing_resumes_and_refuses_tiny_buffers)
{
	setup();
	rid_t bin = lookup("/bin");
	uint8_t buf[64];
	struct rec r[5];
	const char *want[] = { ".", "..", "link", "ls", "sh" };
	const uint8_t type[] = { L_DT_DIR, L_DT_DIR, L_DT_LNK, L_DT_REG, L_DT_REG };
	uint64_t pos = 0;
	CHECK_EQ(plate_dir_read(bin, &pos, buf, dirent_reclen(1) - 1), -EINVAL);
	CHECK_EQ(pos, 0);
	for (int i = 0; i < 5; i++) {
		long len = plate_dir_read(bin, &pos, buf, dirent_reclen(4));  /* one at a time */
		REQUIRE(len == (long)dirent_reclen(strlen(want[i])));
		REQUIRE(parse(buf, (size_t)len, r, 5) == 1);
		CHECK_STR(r[0].name, want[i]);
		CHECK_EQ(r[0].type, type[i]);
	}
	CHECK_EQ(r[0].ino, plate_ino(lookup("/bin/sh")));
	CHECK_EQ(plate_dir_read(bin, &pos, buf, sizeof(buf)), 0);
	pos = 1000;
	CHECK_EQ(plate_dir_read(bin, &pos, buf, sizeof(buf)), 0);
	pos = 0;
	CHECK_EQ(plate_dir_read(lookup("/bin/sh"), &pos, buf, sizeof(buf)), -ENOTDIR);
}

TEST(plate_dir_listing_sees_new_files_in_order)
{
	setup();
	rid_t a, b, tmp = lookup("/tmp");
	REQUIRE(plate_create("/tmp/zeta", 0644, NULL, &b) == 0);
	REQUIRE(plate_create("/tmp/alpha", 0644, NULL, &a) == 0);
	uint8_t buf[512];
	struct rec r[8];
	uint64_t pos = 0;
	long len = plate_dir_read(tmp, &pos, buf, sizeof(buf));
	REQUIRE(len > 0);
	REQUIRE(parse(buf, (size_t)len, r, 8) == 4);
	CHECK_STR(r[2].name, "alpha");
	CHECK_STR(r[3].name, "zeta");
	CHECK_EQ(r[1].ino, plate_ino(lookup("/")));
	CHECK_EQ(res_delete(a, NULL), 0);
	CHECK_EQ(res_delete(b, NULL), 0);
}

TEST(dirent_pack_layout)
{
	uint8_t buf[64];
	memset(buf, 0xaa, sizeof(buf));
	CHECK_EQ(dirent_reclen(0), 24);
	CHECK_EQ(dirent_reclen(4), 24);
	CHECK_EQ(dirent_reclen(5), 32);
	CHECK_EQ(dirent_pack(buf, 23, 1, 2, L_DT_REG, "abc", 3), 0);
	CHECK_EQ(buf[0], 0xaa);                  /* nothing written when it does not fit */
	REQUIRE(dirent_pack(buf, 24, 0x1122, -5, L_DT_REG, "abcdX", 4) == 24);
	struct linux_dirent64 d;
	memcpy(&d, buf, sizeof(d));
	CHECK_EQ(d.d_ino, 0x1122);
	CHECK_EQ(d.d_off, -5);
	CHECK_EQ(d.d_reclen, 24);
	CHECK_EQ(d.d_type, L_DT_REG);
	CHECK_STR((char *)buf + 19, "abcd");
	CHECK_EQ(buf[24], 0xaa);
}

/* Lookups go through hash chains kept by every change of a path: with more plates than
 * buckets, removals from the middle of chains and a rename of a whole subtree, every path
 * must still lead to exactly its plate; the listing cache must see each change. */
TEST(plate_lookup_exact_through_removes_and_renames)
{
	setup();
	static const struct cred root = { .uid = 0, .gid = 0 };
	enum { N = 600 };
	static rid_t f[N];
	char path[64];
	rid_t dir, tmp = lookup("/tmp");
	REQUIRE(plate_mkdir("/tmp/h", 0755, NULL, &dir) == 0);
	for (int i = 0; i < N; i++) {
		snprintf(path, sizeof(path), "/tmp/h/f%03d", i);
		REQUIRE(plate_create(path, 0644, NULL, &f[i]) == 0);
	}
	for (int i = 0; i < N; i += 3) {
		snprintf(path, sizeof(path), "/tmp/h/f%03d", i);
		CHECK_EQ(plate_remove(path, 0, &root), 0);
	}
	REQUIRE(plate_rename("/tmp/h", "/tmp/g", 0, &root) == 0);
	int found = 0;
	for (int i = 0; i < N; i++) {
		snprintf(path, sizeof(path), "/tmp/h/f%03d", i);
		CHECK_EQ(lookup(path), 0);
		snprintf(path, sizeof(path), "/tmp/g/f%03d", i);
		CHECK_EQ(lookup(path), i % 3 ? f[i] : 0);
		found += lookup(path) != 0;
	}
	CHECK_EQ(found, N - N / 3);
	CHECK_EQ(lookup("/tmp/g"), dir);
	/* a listing, then one more file: the next listing has it */
	static uint8_t buf[32768];
	uint64_t pos = 0;
	long len = plate_dir_read(dir, &pos, buf, sizeof(buf));
	static struct rec r[N + 2];
	REQUIRE(len > 0);
	CHECK_EQ(parse(buf, (size_t)len, r, N + 2), (size_t)(N - N / 3 + 2));
	CHECK_STR(r[2].name, "f001");
	rid_t extra;
	REQUIRE(plate_create("/tmp/g/f000", 0644, NULL, &extra) == 0);
	pos = 0;
	len = plate_dir_read(dir, &pos, buf, sizeof(buf));
	REQUIRE(len > 0);
	CHECK_EQ(parse(buf, (size_t)len, r, N + 2), (size_t)(N - N / 3 + 3));
	CHECK_STR(r[2].name, "f000");
	CHECK_EQ(plate_remove("/tmp/g/f000", 0, &root), 0);
	CHECK(extra != 0);
	for (int i = 1; i < N; i++) {
		snprintf(path, sizeof(path), "/tmp/g/f%03d", i);
		if (i % 3)
			CHECK_EQ(plate_remove(path, 0, &root), 0);
	}
	CHECK_EQ(plate_remove("/tmp/g", 1, &root), 0);
	CHECK_EQ(lookup("/tmp/g"), 0);
	CHECK(tmp != 0);
	CHECK_EQ(pages_out, 0);
}

/* Further names are not a small table: 5000 hard links to one file, each found by its path
 * and listed; removing them gives back the pages their entries took. */
TEST(plate_many_hard_links)
{
	setup();
	static const struct cred root = { .uid = 0, .gid = 0 };
	struct linux_stat st;
	char path[64];
	rid_t f, g, d;
	REQUIRE(plate_mkdir("/tmp/links", 0755, NULL, &d) == 0);
	REQUIRE(plate_create("/tmp/links/f", 0644, NULL, &f) == 0);
	plate_trim();
	long pages = res_mem_host_pages;
	for (int i = 0; i < 5000; i++) {
		snprintf(path, sizeof(path), "/tmp/links/l%d", i);
		REQUIRE(plate_link(f, path, &root, &g) == 0);
	}
	CHECK(res_mem_host_pages > pages);
	REQUIRE(plate_stat(f, &st) == 0);
	CHECK_EQ(st.st_nlink, 5001);
	CHECK_EQ(lookup("/tmp/links/l4321"), f);
	CHECK_EQ(plate_remove("/tmp/links", 1, &root), -ENOTEMPTY);
	for (int i = 0; i < 5000; i++) {
		snprintf(path, sizeof(path), "/tmp/links/l%d", i);
		REQUIRE(plate_remove(path, 0, &root) == 0);
	}
	CHECK_EQ(lookup("/tmp/links/l17"), 0);
	REQUIRE(plate_stat(f, &st) == 0);
	CHECK_EQ(st.st_nlink, 1);
	plate_trim();
	CHECK_EQ(res_mem_host_pages, pages);
	CHECK_EQ(plate_remove("/tmp/links/f", 0, &root), 0);
	CHECK_EQ(plate_remove("/tmp/links", 1, &root), 0);
}

/* Hard links in memory (further names refer to one plate) and symbolic links: the first
 * name's removal hands the plate to another name, a further name renames alone, a directory
 * holding one is not empty and takes it along when renamed. */
TEST(plate_hard_and_symbolic_links)
{
	setup();
	static const struct cred root = { .uid = 0, .gid = 0 };
	struct linux_stat st;
	rid_t f, g, l, d;
	char buf[8];
	uint32_t plates_at_start = res_count(RT_PLATE);
	REQUIRE(plate_create("/tmp/a", 0644, NULL, &f) == 0);
	REQUIRE(plate_link(f, "/tmp/b", &root, &g) == 0);
	CHECK_EQ(g, f);
	CHECK_EQ(lookup("/tmp/b"), f);
	REQUIRE(plate_stat(f, &st) == 0);
	CHECK_EQ(st.st_nlink, 2);
	CHECK_EQ(plate_link(f, "/tmp/b", &root, &g), -EEXIST);
	CHECK_EQ(plate_link(lookup("/tmp"), "/tmp/c", &root, &g), -EPERM);
	CHECK_EQ(plate_remove("/tmp/a", 0, &root), 0);
	CHECK_EQ(lookup("/tmp/a"), 0);
	CHECK_EQ(lookup("/tmp/b"), f);
	CHECK_STR(path_of(f), "/tmp/b");
	REQUIRE(plate_stat(f, &st) == 0);
	CHECK_EQ(st.st_nlink, 1);
	REQUIRE(plate_symlink("/tmp/s", "b", &root, &l) == 0);
	CHECK_EQ(plate_readlink(l, buf, sizeof(buf)), 1);
	CHECK_EQ(buf[0], 'b');
	REQUIRE(plate_stat(l, &st) == 0);
	CHECK_EQ(st.st_mode & L_S_IFMT, L_S_IFLNK);
	CHECK_EQ(st.st_size, 1);
	CHECK_EQ(plate_readlink(f, buf, sizeof(buf)), -EINVAL);
	REQUIRE(plate_link(f, "/tmp/c", &root, &g) == 0);
	CHECK_EQ(plate_rename("/tmp/c", "/tmp/d", 0, &root), 0);
	CHECK_EQ(lookup("/tmp/d"), f);
	CHECK_EQ(lookup("/tmp/c"), 0);
	CHECK_STR(path_of(f), "/tmp/b");
	REQUIRE(plate_mkdir("/tmp/dir", 0755, NULL, &d) == 0);
	REQUIRE(plate_link(f, "/tmp/dir/e", &root, &g) == 0);
	CHECK_EQ(plate_remove("/tmp/dir", 1, &root), -ENOTEMPTY);
	CHECK_EQ(plate_rename("/tmp/dir", "/tmp/dir2", 0, &root), 0);
	CHECK_EQ(lookup("/tmp/dir2/e"), f);
	CHECK_EQ(lookup("/tmp/dir/e"), 0);
	CHECK_EQ(plate_remove("/tmp/dir2/e", 0, &root), 0);
	CHECK_EQ(plate_remove("/tmp/dir2", 1, &root), 0);
	CHECK_EQ(plate_remove("/tmp/d", 0, &root), 0);
	CHECK_EQ(plate_remove("/tmp/b", 0, &root), 0);
	CHECK_EQ(plate_remove("/tmp/s", 0, &root), 0);
	CHECK_EQ(lookup("/tmp/b"), 0);
	CHECK_EQ(res_count(RT_PLATE), plates_at_start);
	CHECK_EQ(pages_out, 0);
}

/* A chain of 300 directories of 30-character names (paths of over 9000 characters): every
 * plate holds only its name, a lookup by the whole path finds each, a rename of the top moves
 * them all (found at the new paths, not at the old), and all go again. */
TEST(plate_deep_chain_and_rename)
{
	setup();
	static char p[PATH_BUF], q[PATH_BUF];
	static rid_t made[300];
	static const struct cred root = { .uid = 0, .gid = 0 };
	rid_t top;
	CHECK(sizeof(struct plate) < 1024);                /* no path inside a plate */
	REQUIRE(plate_mkdir("/tmp/top", 0755, NULL, &top) == 0);
	strcpy(p, "/tmp/top");
	for (int i = 0; i < 300; i++) {
		strcat(p, "/abcdefghijklmnopqrstuvwxyz0123");
		REQUIRE(plate_mkdir(p, 0755, NULL, &made[i]) == 0);
	}
	CHECK(strlen(p) > 9000);
	CHECK_EQ(lookup(p), made[299]);
	CHECK_STR(path_of(made[299]), p);
	CHECK_EQ(plate_rename("/tmp/top", "/tmp/moved", 0, &root), 0);
	CHECK_EQ(lookup(p), 0);
	strcpy(q, "/tmp/moved");
	strcat(q, p + strlen("/tmp/top"));
	CHECK_EQ(lookup(q), made[299]);
	CHECK_STR(path_of(made[299]), q);
	CHECK_STR(path_of(made[0]), "/tmp/moved/abcdefghijklmnopqrstuvwxyz0123");
	for (int i = 299; i >= 0; i--) {
		CHECK_EQ(plate_remove(q, 1, &root), 0);
		*strrchr(q, '/') = '\0';
	}
	CHECK_EQ(plate_remove("/tmp/moved", 1, &root), 0);
	CHECK_EQ(pages_out, 0);
}
