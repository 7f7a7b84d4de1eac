// HOST-TEST-SOURCES: kernel/exec/elf.c tests/host/elf_util.c
/*
 * elf_parse on real musl executables (compared with what readelf reports, see
 * gen_elf_fixtures.sh) and on mutated copies covering every rejection rule of elf.h.
 */
#include "kernel/exec/elf.h"
#include "abi/errno.h"
#include "elf_fixtures.h"
#include "tests/host/elf_util.h"
#include "tests/host/harness.h"
#include <stdlib.h>
#include <string.h>

static uint64_t pg_down(uint64_t a)
{
	return a & ~0xfffull;
}

static uint64_t pg_up(uint64_t a)
{
	return pg_down(a + 0xfff);
}

/* Everything elf_parse reports must agree with readelf's view of the same file. */
static void check_against_readelf(const struct fx *fx)
{
	struct blob b = blob_load(fx->path);
	struct elf_image img;
	REQUIRE(b.p);
	memset(&img, 0xa5, sizeof(img));
	REQUIRE(elf_parse(b.p, b.n, &img) == 0);
	CHECK_EQ(img.entry, fx->entry);
	CHECK_EQ(img.pie, fx->type == 3);
	CHECK_EQ(img.phnum, fx->phnum);
	CHECK_EQ(img.phentsize, 56);
	REQUIRE(img.nseg == fx->nseg);
	uint64_t lo = ~0ull, hi = 0, phdr = 0;
	for (int i = 0; i < fx->nseg; i++) {
		const struct fx_seg *s = &fx->seg[i];
		CHECK_EQ(img.seg[i].vaddr, s->vaddr);
		CHECK_EQ(img.seg[i].memsz, s->memsz);
		CHECK_EQ(img.seg[i].filesz, s->filesz);
		CHECK_EQ(img.seg[i].offset, s->offset);
		CHECK_EQ(img.seg[i].flags, s->flags);
		lo = pg_down(s->vaddr) < lo ? pg_down(s->vaddr) : lo;
		hi = pg_up(s->vaddr + s->memsz) > hi ? pg_up(s->vaddr + s->memsz) : hi;
		if (fx->phoff >= s->offset && fx->phoff + 56u * fx->phnum <= s->offset + s->filesz)
			phdr = s->vaddr + fx->phoff - s->offset;
	}
	CHECK_EQ(img.lo, lo);
	CHECK_EQ(img.hi, hi);
	CHECK(phdr != 0);
	CHECK_EQ(img.phdr_vaddr, phdr);
	CHECK_EQ(img.tls_memsz, fx->has_tls ? fx->tls.memsz : 0);
	if (fx->has_tls) {
		CHECK_EQ(img.tls_vaddr, fx->tls.vaddr);
		CHECK_EQ(img.tls_filesz, fx->tls.filesz);
		CHECK_EQ(img.tls_align, fx->tls.align);
	}
	int d = blob_find_phdr(b, PT_DYNAMIC, 0);
	CHECK_EQ(img.dyn_size, d < 0 ? 0 : blob_phdr(b, d)->p_filesz);
	if (d >= 0)
		CHECK_EQ(img.dyn_vaddr, blob_phdr(b, d)->p_vaddr);
	blob_free(&b);
}

TEST(parse_static_matches_readelf)
{
	check_against_readelf(&fx_static);
}

TEST(parse_pie_matches_readelf)
{
	check_against_readelf(&fx_pie);
}

TEST(parse_relr_pie_matches_readelf)
{
	check_against_readelf(&fx_relr);
}

/* Debian's busybox-static (glibc, ET_EXEC) is a program Tessera must run. */
TEST(parse_busybox)
{
	struct blob b = blob_load("/bin/busybox");
	struct elf_image img;
	REQUIRE(b.p);
	REQUIRE(elf_parse(b.p, b.n, &img) == 0);
	CHECK(!img.pie);
	CHECK_EQ(img.entry, blob_ehdr(b)->e_entry);
	CHECK_EQ(img.phdr_vaddr, 0x400000 + blob_ehdr(b)->e_phoff);
	blob_free(&b);
}

/* Shrinking the file fails exactly while some needed byte is cut off. */
static void check_truncations(const struct fx *fx)
{
	struct blob b = blob_load(fx->path);
	REQUIRE(b.p);
	uint64_t need = fx->phoff + 56u * fx->phnum;
	for (int i = 0; i < fx->nseg; i++)
		if (fx->seg[i].offset + fx->seg[i].filesz > need)
			need = fx->seg[i].offset + fx->seg[i].filesz;
	REQUIRE(need <= b.n);
	int bad = 0;
	for (size_t n = 0; n <= b.n; n += n < 4200 || n + 64 > need ? 1 : 61) {
		struct blob c = blob_copy(b, n);
		struct elf_image img;
		int want = n >= need ? 0 : -ENOEXEC;
		if (elf_parse(c.p, c.n, &img) != want && bad++ < 5)
			CHECK_EQ(n, ~0ull);   /* reports the failing length */
		blob_free(&c);
	}
	CHECK_EQ(bad, 0);
	blob_free(&b);
}

TEST(truncated_static)
{
	check_truncations(&fx_static);
}

TEST(truncated_pie)
{
	check_truncations(&fx_pie);
}

TEST(null_and_tiny_inputs)
{
	struct elf_image img;
	static const uint8_t magic_only[] = { 0x7f, 'E', 'L', 'F', 2, 1, 1 };
	CHECK_EQ(elf_parse(NULL, 1000, &img), -ENOEXEC);
	CHECK_EQ(elf_parse(magic_only, sizeof(magic_only), &img), -ENOEXEC);
}

/* A fresh copy of the PIE fixture, one mutation, and the expected result. */
typedef void (*mutate_fn)(struct blob b);

static int parse_mutated(const struct fx *fx, mutate_fn m)
{
	struct blob b = blob_load(fx->path);
	struct elf_image img, before;
	if (!b.p)
		return 1;
	m(b);
	memset(&img, 0x5a, sizeof(img));
	before = img;
	int r = elf_parse(b.p, b.n, &img);
	if (r != 0)
		CHECK(memcmp(&img, &before, sizeof(img)) == 0);   /* no partial output */
	blob_free(&b);
	return r;
}

static Elf64_Phdr *load(struct blob b, int nth)
{
	return blob_phdr(b, blob_find_phdr(b, PT_LOAD, nth));
}

static void m_magic0(struct blob b) { b.p[0] = 0x7e; }
static void m_magic3(struct blob b) { b.p[3] = 'f'; }
static void m_class32(struct blob b) { b.p[EI_CLASS] = ELFCLASS32; }
static void m_bigendian(struct blob b) { b.p[EI_DATA] = ELFDATA2MSB; }
static void m_identver(struct blob b) { b.p[EI_VERSION] = 0; }
static void m_version(struct blob b) { blob_ehdr(b)->e_version = 2; }
static void m_i386(struct blob b) { blob_ehdr(b)->e_machine = EM_386; }
static void m_aarch64(struct blob b) { blob_ehdr(b)->e_machine = EM_AARCH64; }
static void m_rel(struct blob b) { blob_ehdr(b)->e_type = ET_REL; }
static void m_core(struct blob b) { blob_ehdr(b)->e_type = ET_CORE; }

TEST(reject_bad_header)
{
	mutate_fn ms[] = { m_magic0, m_magic3, m_class32, m_bigendian, m_identver,
			   m_version, m_i386, m_aarch64, m_rel, m_core };
	for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++)
		if (!CHECK_EQ(parse_mutated(&fx_pie, ms[i]), -ENOEXEC))
			CHECK_EQ(i, ~0ull);
}

static void m_phoff_past_end(struct blob b) { blob_ehdr(b)->e_phoff = b.n; }
static void m_phoff_near_end(struct blob b) { blob_ehdr(b)->e_phoff = b.n - 100; }
static void m_phoff_wrap(struct blob b) { blob_ehdr(b)->e_phoff = ~0ull - 50; }
static void m_phnum0(struct blob b) { blob_ehdr(b)->e_phnum = 0; }
static void m_phnum_huge(struct blob b) { blob_ehdr(b)->e_phnum = 0xffff; }
static void m_phentsize32(struct blob b) { blob_ehdr(b)->e_phentsize = 32; }
static void m_phentsize64(struct blob b) { blob_ehdr(b)->e_phentsize = 64; }

TEST(reject_bad_phdr_table)
{
	mutate_fn ms[] = { m_phoff_past_end, m_phoff_near_end, m_phoff_wrap, m_phnum0,
			   m_phnum_huge, m_phentsize32, m_phentsize64 };
	for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++)
		if (!CHECK_EQ(parse_mutated(&fx_pie, ms[i]), -ENOEXEC))
			CHECK_EQ(i, ~0ull);
}

static void m_off_past_end(struct blob b)
{
	load(b, 3)->p_offset = ((b.n + 0xfff) & ~0xfffull) + (load(b, 3)->p_vaddr & 0xfff);
}
static void m_filesz_past_end(struct blob b) { load(b, 3)->p_filesz = b.n; load(b, 3)->p_memsz = b.n; }
static void m_off_wrap(struct blob b) { load(b, 1)->p_offset = ~0ull - 0xfff; }
static void m_filesz_gt_memsz(struct blob b) { load(b, 3)->p_memsz = load(b, 3)->p_filesz - 1; }
static void m_vaddr_wrap(struct blob b) { load(b, 3)->p_vaddr |= 0xffffffffffff0000ull; }
static void m_memsz_wrap(struct blob b) { load(b, 3)->p_memsz = ~0ull - 0x100; }
static void m_kernel_half(struct blob b) { load(b, 3)->p_vaddr += 0xffff800000000000ull; }
static void m_user_top(struct blob b) { load(b, 3)->p_vaddr += ELF_USER_TOP; }
static void m_cross_top(struct blob b)
{
	Elf64_Phdr *ph = load(b, 3);
	ph->p_vaddr = ELF_USER_TOP - 0x1000 + (ph->p_vaddr & 0xfff);
}
static void m_misaligned(struct blob b) { load(b, 2)->p_vaddr += 8; }

TEST(reject_bad_segment_ranges)
{
	mutate_fn ms[] = { m_off_past_end, m_filesz_past_end, m_off_wrap, m_filesz_gt_memsz,
			   m_vaddr_wrap, m_memsz_wrap, m_kernel_half, m_user_top, m_cross_top,
			   m_misaligned };
	for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++)
		if (!CHECK_EQ(parse_mutated(&fx_pie, ms[i]), -ENOEXEC))
			CHECK_EQ(i, ~0ull);
}

/* The last segment ending exactly at the top of the user half is still fine. */
static void m_end_at_top(struct blob b)
{
	for (int i = 0; i < blob_ehdr(b)->e_phnum; i++)
		if (blob_phdr(b, i)->p_type != PT_GNU_STACK)
			blob_phdr(b, i)->p_vaddr += ELF_USER_TOP - 0x6000;
	blob_ehdr(b)->e_entry += ELF_USER_TOP - 0x6000;
}

TEST(accept_segment_at_user_top)
{
	CHECK_EQ(parse_mutated(&fx_pie, m_end_at_top), 0);
}

static void m_overlap_exact(struct blob b) { load(b, 1)->p_vaddr = load(b, 0)->p_vaddr; }
static void m_overlap_partial(struct blob b) { load(b, 2)->p_vaddr = 0x2000; }
/* The read-only segment moved to just after the end of the text: no byte in common, but
 * they share the text's last page. */
static uint64_t share_vaddr(uint64_t text_end)
{
	return (text_end + 15) & ~15ull;
}

static void m_share_page(struct blob b)
{
	load(b, 2)->p_vaddr = share_vaddr(load(b, 1)->p_vaddr + load(b, 1)->p_memsz);
	load(b, 2)->p_offset = (load(b, 2)->p_offset & ~0xfffull) + (load(b, 2)->p_vaddr & 0xfff);
}

TEST(reject_overlapping_segments)
{
	CHECK_EQ(parse_mutated(&fx_pie, m_overlap_exact), -ENOEXEC);
	CHECK_EQ(parse_mutated(&fx_pie, m_overlap_partial), -ENOEXEC);
	uint64_t text_end = fx_static.seg[1].vaddr + fx_static.seg[1].memsz;
	CHECK_EQ(pg_down(share_vaddr(text_end)), pg_down(text_end - 1));
	CHECK_EQ(parse_mutated(&fx_static, m_share_page), -ENOEXEC);
}

static void m_interp(struct blob b) { blob_phdr(b, blob_find_phdr(b, PT_GNU_STACK, 0))->p_type = PT_INTERP; }
static void m_no_load(struct blob b)
{
	for (int i = blob_find_phdr(b, PT_LOAD, 0); i >= 0; i = blob_find_phdr(b, PT_LOAD, 0))
		blob_phdr(b, i)->p_type = PT_NOTE;
}
static void m_empty_loads(struct blob b)
{
	for (int i = 0; i < 4; i++)
		load(b, i)->p_memsz = load(b, i)->p_filesz = 0;
}
static void m_entry_readonly(struct blob b) { blob_ehdr(b)->e_entry = load(b, 0)->p_vaddr + 8; }
static void m_entry_past_text(struct blob b)
{
	blob_ehdr(b)->e_entry = load(b, 1)->p_vaddr + load(b, 1)->p_memsz;
}
static void m_entry_last_text(struct blob b)
{
	blob_ehdr(b)->e_entry = load(b, 1)->p_vaddr + load(b, 1)->p_memsz - 1;
}
static void m_text_not_exec(struct blob b) { load(b, 1)->p_flags = PF_R; }

TEST(reject_interp_noload_entry)
{
	CHECK_EQ(parse_mutated(&fx_pie, m_interp), -ENOEXEC);
	CHECK_EQ(parse_mutated(&fx_static, m_interp), -ENOEXEC);
	CHECK_EQ(parse_mutated(&fx_pie, m_no_load), -ENOEXEC);
	CHECK_EQ(parse_mutated(&fx_pie, m_empty_loads), -ENOEXEC);
	CHECK_EQ(parse_mutated(&fx_pie, m_entry_readonly), -ENOEXEC);
	CHECK_EQ(parse_mutated(&fx_pie, m_entry_past_text), -ENOEXEC);
	CHECK_EQ(parse_mutated(&fx_pie, m_text_not_exec), -ENOEXEC);
	CHECK_EQ(parse_mutated(&fx_pie, m_entry_last_text), 0);
}

static void m_dup_tls(struct blob b) { blob_phdr(b, blob_find_phdr(b, PT_GNU_STACK, 0))->p_type = PT_TLS; }
static void m_tls_filesz(struct blob b) { blob_phdr(b, blob_find_phdr(b, PT_TLS, 0))->p_filesz = 8; }
static void m_tls_align(struct blob b) { blob_phdr(b, blob_find_phdr(b, PT_TLS, 0))->p_align = 12; }
static void m_tls_outside(struct blob b) { blob_phdr(b, blob_find_phdr(b, PT_TLS, 0))->p_vaddr = 0x9000; }
static void m_dup_dynamic(struct blob b)
{
	*blob_phdr(b, blob_find_phdr(b, PT_GNU_STACK, 0)) =
		*blob_phdr(b, blob_find_phdr(b, PT_DYNAMIC, 0));
}
static void m_dynamic_in_bss(struct blob b)
{
	Elf64_Phdr *d = blob_phdr(b, blob_find_phdr(b, PT_DYNAMIC, 0));
	d->p_vaddr = load(b, 3)->p_vaddr + load(b, 3)->p_filesz;
}
static void m_dynamic_huge(struct blob b) { blob_phdr(b, blob_find_phdr(b, PT_DYNAMIC, 0))->p_filesz = ~0ull; }

TEST(reject_bad_tls_and_dynamic)
{
	mutate_fn ms[] = { m_dup_tls, m_tls_filesz, m_tls_align, m_tls_outside, m_dup_dynamic,
			   m_dynamic_in_bss, m_dynamic_huge };
	for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++)
		if (!CHECK_EQ(parse_mutated(&fx_pie, ms[i]), -ENOEXEC))
			CHECK_EQ(i, ~0ull);
}

TEST(synthetic_segment_limit)
{
	for (int n = 1; n <= ELF_MAX_SEGS + 2; n++) {
		struct blob b = synth_exec(n);
		struct elf_image img;
		REQUIRE(b.p);
		int r = elf_parse(b.p, b.n, &img);
		CHECK_EQ(r, n <= ELF_MAX_SEGS ? 0 : -ENOEXEC);
		if (r == 0) {
			CHECK_EQ(img.nseg, n);
			CHECK_EQ(img.lo, 0x400000);
			CHECK_EQ(img.hi, 0x400000 + (n - 1) * 0x10000ull + 0x1000);
			CHECK_EQ(img.phdr_vaddr, 0x400040);
		}
		blob_free(&b);
	}
}

/* Empty PT_LOADs map nothing and do not count against the limit. */
TEST(synthetic_empty_loads_ignored)
{
	struct blob b = synth_exec(ELF_MAX_SEGS + 1);
	struct elf_image img;
	REQUIRE(b.p);
	blob_phdr(b, 4)->p_memsz = blob_phdr(b, 4)->p_filesz = 0;
	REQUIRE(elf_parse(b.p, b.n, &img) == 0);
	CHECK_EQ(img.nseg, ELF_MAX_SEGS);
	CHECK_EQ(img.seg[4].vaddr, 0x450000);
	blob_free(&b);
}

TEST(synthetic_pt_phdr)
{
	struct blob b = synth_exec(3);
	struct elf_image img;
	REQUIRE(b.p);
	Elf64_Phdr *ph = blob_phdr(b, 2);
	ph->p_type = PT_PHDR;   /* the third header now describes the table itself */
	ph->p_offset = 64;
	ph->p_vaddr = 0x400040;
	ph->p_filesz = ph->p_memsz = 3 * sizeof(Elf64_Phdr);
	REQUIRE(elf_parse(b.p, b.n, &img) == 0);
	CHECK_EQ(img.nseg, 2);
	CHECK_EQ(img.phdr_vaddr, 0x400040);
	ph->p_vaddr = 0x410000 + 4096 - 100;   /* straddles the end of a segment */
	CHECK_EQ(elf_parse(b.p, b.n, &img), -ENOEXEC);
	ph->p_vaddr = 0x480000;                 /* in no segment */
	CHECK_EQ(elf_parse(b.p, b.n, &img), -ENOEXEC);
	blob_free(&b);
}

/* Headers not covered by any segment: accepted, reported as not loaded. */
TEST(synthetic_phdrs_not_loaded)
{
	struct blob b = synth_exec(2);
	struct elf_image img;
	REQUIRE(b.p);
	blob_phdr(b, 0)->p_offset = 4096;   /* both segments now load the second page */
	blob_phdr(b, 0)->p_vaddr = 0x400000;
	REQUIRE(elf_parse(b.p, b.n, &img) == 0);
	CHECK_EQ(img.phdr_vaddr, 0);
	blob_free(&b);
}

TEST(file_offset_lookup)
{
	struct blob b = blob_load(fx_pie.path);
	struct elf_image img;
	uint64_t off = 0;
	REQUIRE(b.p && elf_parse(b.p, b.n, &img) == 0);
	const struct fx_seg *d = &fx_pie.seg[3];
	CHECK_EQ(elf_file_offset(&img, d->vaddr + 4, 8, &off), 0);
	CHECK_EQ(off, d->offset + 4);
	CHECK_EQ(elf_file_offset(&img, d->vaddr + d->filesz, 0, &off), 0);
	CHECK_EQ(off, d->offset + d->filesz);
	CHECK_EQ(elf_file_offset(&img, d->vaddr + d->filesz - 4, 8, &off), -ENOEXEC);
	CHECK_EQ(elf_file_offset(&img, d->vaddr + d->filesz + 8, 8, &off), -ENOEXEC);
	CHECK_EQ(elf_file_offset(&img, d->vaddr, ~0ull, &off), -ENOEXEC);
	CHECK_EQ(elf_file_offset(&img, ~0ull - 4, 8, &off), -ENOEXEC);
	blob_free(&b);
}
