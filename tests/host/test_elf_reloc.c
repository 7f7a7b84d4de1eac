// HOST-TEST-SOURCES: kernel/exec/elf.c tests/host/elf_util.c
/*
 * elf_relocate on real static PIEs (RELA and RELR, compared with readelf), on mutated
 * relocation tables, and a fuzz loop of random byte flips that must never crash (ASan/UBSan)
 * and only ever succeed or give -ENOEXEC.
 */
#include "kernel/exec/elf.h"
#include "abi/errno.h"
#include "elf_fixtures.h"
#include "tests/host/elf_util.h"
#include "tests/host/harness.h"
#include <stdlib.h>
#include <string.h>

#define BASE 0x555555554000ull

static struct rec rec;

/* Parse a fixture, mutate it, relocate at base; rec holds the stores. */
static int relocate_mutated(const struct fx *fx, void (*m)(struct blob b), uint64_t base)
{
	struct blob b = blob_load(fx->path);
	struct elf_image img;
	memset(&rec, 0, sizeof(rec));
	if (!b.p)
		return 1;
	if (m)
		m(b);
	int r = elf_parse(b.p, b.n, &img);
	if (r == 0)
		r = elf_relocate(&img, b.p, b.n, base, rec_write, &rec);
	else
		r = 2;   /* the mutation must keep the headers valid */
	blob_free(&b);
	return r;
}

TEST(relocate_rela_matches_readelf)
{
	REQUIRE(fx_pie.nrela > 0);
	REQUIRE(relocate_mutated(&fx_pie, NULL, BASE) == 0);
	REQUIRE(rec.n == (size_t)fx_pie.nrela);
	for (int i = 0; i < fx_pie.nrela; i++) {
		CHECK_EQ(rec.va[i], BASE + fx_pie.rela[i].offset);
		CHECK_EQ(rec.val[i], BASE + fx_pie.rela[i].addend);
	}
}

TEST(relocate_relr_matches_readelf)
{
	struct blob b = blob_load(fx_relr.path);
	REQUIRE(b.p);
	REQUIRE(fx_relr.nrelr > 0 && fx_relr.nrelr == fx_pie.nrela);
	REQUIRE(relocate_mutated(&fx_relr, NULL, BASE) == 0);
	REQUIRE(rec.n == (size_t)fx_relr.nrelr);
	for (int i = 0; i < fx_relr.nrelr; i++) {
		CHECK_EQ(rec.va[i], BASE + fx_relr.relr[i]);
		CHECK_EQ(rec.val[i], BASE + blob_word_at(b, fx_relr.relr[i]));
	}
	blob_free(&b);
}

TEST(relocate_static_is_noop)
{
	CHECK_EQ(relocate_mutated(&fx_static, NULL, 0), 0);
	CHECK_EQ(rec.n, 0);
	CHECK_EQ(relocate_mutated(&fx_static, NULL, 0x10000), -EINVAL);
}

TEST(relocate_checks_base)
{
	struct blob b = blob_load(fx_pie.path);
	struct elf_image img;
	REQUIRE(b.p && elf_parse(b.p, b.n, &img) == 0);
	memset(&rec, 0, sizeof(rec));
	CHECK_EQ(elf_relocate(&img, b.p, b.n, BASE + 8, rec_write, &rec), -EINVAL);
	CHECK_EQ(elf_relocate(&img, b.p, b.n, ELF_USER_TOP - img.hi + 0x1000, rec_write, &rec),
		 -EINVAL);
	CHECK_EQ(elf_relocate(&img, b.p, b.n, ~0ull << 12, rec_write, &rec), -EINVAL);
	CHECK_EQ(elf_relocate(&img, b.p, b.n, BASE, NULL, &rec), -EINVAL);
	CHECK_EQ(rec.n, 0);
	CHECK_EQ(elf_relocate(&img, b.p, b.n, ELF_USER_TOP - img.hi, rec_write, &rec), 0);
	CHECK_EQ(rec.n, (size_t)fx_pie.nrela);
	CHECK_EQ(rec.va[0], ELF_USER_TOP - img.hi + fx_pie.rela[0].offset);
	blob_free(&b);
}

TEST(relocate_write_failure_propagates)
{
	struct blob b = blob_load(fx_pie.path);
	struct elf_image img;
	REQUIRE(b.p && elf_parse(b.p, b.n, &img) == 0);
	memset(&rec, 0, sizeof(rec));
	rec.fail_at = 3;
	rec.fail_err = -EFAULT;
	CHECK_EQ(elf_relocate(&img, b.p, b.n, BASE, rec_write, &rec), -EFAULT);
	CHECK_EQ(rec.n, 2);
	blob_free(&b);
}

static void set_type(struct blob b, int i, uint32_t type)
{
	Elf64_Rela *r = blob_rela(b, i);
	r->r_info = ELF64_R_INFO(ELF64_R_SYM(r->r_info), type);
}

static void m_last_abs64(struct blob b) { set_type(b, fx_pie.nrela - 1, R_X86_64_64); }
static void m_first_irelative(struct blob b) { set_type(b, 0, R_X86_64_IRELATIVE); }
static void m_jump_slot(struct blob b) { set_type(b, 3, R_X86_64_JUMP_SLOT); }
static void m_type_high(struct blob b) { set_type(b, 3, 0x10008); }
static void m_target_beyond(struct blob b) { blob_rela(b, 1)->r_offset = 0x100000; }
/* Just after the text segment, before the next one's page. */
static uint64_t gap_addr(const struct fx *fx)
{
	return (fx->seg[1].vaddr + fx->seg[1].memsz + 7) & ~7ull;
}

static void m_target_gap(struct blob b) { blob_rela(b, 1)->r_offset = gap_addr(&fx_pie); }
static void m_target_wrap(struct blob b) { blob_rela(b, 1)->r_offset = ~0ull - 3; }
static void m_target_straddle(struct blob b)
{
	blob_rela(b, 1)->r_offset = fx_pie.seg[3].vaddr + fx_pie.seg[3].memsz - 4;
}
static void m_relasz_huge(struct blob b) { blob_dyn(b, DT_RELASZ)->d_un.d_val = 24ull << 40; }
static void m_relasz_odd(struct blob b) { blob_dyn(b, DT_RELASZ)->d_un.d_val += 1; }
static void m_relaent(struct blob b) { blob_dyn(b, DT_RELAENT)->d_un.d_val = 16; }
static void m_rela_in_bss(struct blob b)
{
	blob_dyn(b, DT_RELA)->d_un.d_ptr = fx_pie.seg[3].vaddr + fx_pie.seg[3].filesz;
}
static void m_needed(struct blob b) { blob_dyn(b, DT_DEBUG)->d_tag = DT_NEEDED; }
static void m_rel_table(struct blob b)
{
	Elf64_Dyn *d = blob_dyn(b, DT_DEBUG);
	d->d_tag = DT_RELSZ;
	d->d_un.d_val = 16;
}
static void m_plt_as_rel(struct blob b)
{
	blob_dyn(b, DT_RELA)->d_tag = DT_JMPREL;
	blob_dyn(b, DT_RELASZ)->d_tag = DT_PLTRELSZ;
	Elf64_Dyn *d = blob_dyn(b, DT_RELAENT);
	d->d_tag = DT_PLTREL;
	d->d_un.d_val = DT_REL;
}

/* Each leaves the headers valid and must fail with -ENOEXEC before any store. */
TEST(relocate_rejects_bad_tables)
{
	void (*ms[])(struct blob) = { m_last_abs64, m_first_irelative, m_jump_slot,
				      m_type_high, m_target_beyond, m_target_gap, m_target_wrap,
				      m_target_straddle, m_relasz_huge, m_relasz_odd, m_relaent,
				      m_rela_in_bss, m_needed, m_rel_table, m_plt_as_rel };
	REQUIRE(gap_addr(&fx_pie) + 8 <= fx_pie.seg[2].vaddr);
	for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++) {
		if (!CHECK_EQ(relocate_mutated(&fx_pie, ms[i], BASE), -ENOEXEC))
			CHECK_EQ(i, ~0ull);
		CHECK_EQ(rec.n, 0);
	}
}

static void m_none(struct blob b) { set_type(b, 2, R_X86_64_NONE); }
/* The same table reached through DT_JMPREL/DT_PLTRELSZ/DT_PLTREL=DT_RELA. */
static void m_plt_as_rela(struct blob b)
{
	blob_dyn(b, DT_RELA)->d_tag = DT_JMPREL;
	blob_dyn(b, DT_RELASZ)->d_tag = DT_PLTRELSZ;
	Elf64_Dyn *d = blob_dyn(b, DT_RELAENT);
	d->d_tag = DT_PLTREL;
	d->d_un.d_val = DT_RELA;
}
/* Everything after the DT_NULL is ignored. */
static void m_early_null(struct blob b) { blob_dyn(b, DT_RELA)->d_tag = DT_NULL; }

TEST(relocate_accepts_variants)
{
	CHECK_EQ(relocate_mutated(&fx_pie, m_none, BASE), 0);
	CHECK_EQ(rec.n, (size_t)fx_pie.nrela - 1);
	CHECK_EQ(rec.va[2], BASE + fx_pie.rela[3].offset);
	CHECK_EQ(relocate_mutated(&fx_pie, m_plt_as_rela, BASE), 0);
	CHECK_EQ(rec.n, (size_t)fx_pie.nrela);
	CHECK_EQ(rec.val[0], BASE + fx_pie.rela[0].addend);
	CHECK_EQ(relocate_mutated(&fx_pie, m_early_null, BASE), 0);
	CHECK_EQ(rec.n, 0);
}

/* ---- RELR -------------------------------------------------------------------------------- */

static uint64_t *relr_table(struct blob b)
{
	return (uint64_t *)(b.p + blob_vaddr_off(b, blob_dyn(b, DT_RELR)->d_un.d_ptr));
}

static uint64_t relr_a(void)
{
	return (fx_relr.seg[3].vaddr + 7) & ~7ull;
}

static void m_relr_bitmap_first(struct blob b) { relr_table(b)[0] = 0x7; }
static void m_relr_outside(struct blob b) { relr_table(b)[0] = 0x200000; }
static void m_relr_gap(struct blob b) { relr_table(b)[0] = gap_addr(&fx_relr); }
static void m_relr_ent(struct blob b) { blob_dyn(b, DT_RELRENT)->d_un.d_val = 4; }
static void m_relr_sz(struct blob b) { blob_dyn(b, DT_RELRSZ)->d_un.d_val = 12; }
static void m_relr_huge(struct blob b) { blob_dyn(b, DT_RELRSZ)->d_un.d_val = 8ull << 50; }
/* a bitmap reaching past the end of the data segment */
static void m_relr_bitmap_far(struct blob b)
{
	uint64_t *t = relr_table(b);
	t[0] = (fx_relr.seg[3].vaddr + fx_relr.seg[3].memsz - 64) & ~7ull;
	t[1] = 1ull | 1ull << 63;
}

TEST(relr_rejects_bad_tables)
{
	void (*ms[])(struct blob) = { m_relr_bitmap_first, m_relr_outside, m_relr_gap,
				      m_relr_ent, m_relr_sz, m_relr_huge, m_relr_bitmap_far };
	REQUIRE(gap_addr(&fx_relr) + 8 <= fx_relr.seg[2].vaddr);
	for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++) {
		if (!CHECK_EQ(relocate_mutated(&fx_relr, ms[i], BASE), -ENOEXEC))
			CHECK_EQ(i, ~0ull);
		CHECK_EQ(rec.n, 0);
	}
}

/* A hand-made table: address A, then bitmaps for A+8, A+24 and, one window later, A+1008. */
static void m_relr_custom(struct blob b)
{
	uint64_t *t = relr_table(b);
	t[0] = relr_a();
	t[1] = 1ull | 1ull << 1 | 1ull << 3;
	t[2] = 1ull | 1ull << 63;
}

/* A RELR word in the bss part has addend 0. */
static void m_relr_bss(struct blob b)
{
	relr_table(b)[0] = (fx_relr.seg[3].vaddr + fx_relr.seg[3].filesz + 7) & ~7ull;
	blob_dyn(b, DT_RELRSZ)->d_un.d_val = 8;
}

TEST(relr_decoding)
{
	struct blob b = blob_load(fx_relr.path);
	REQUIRE(b.p);
	uint64_t a = relr_a(), want[] = { a, a + 8, a + 24, a + 1008 };
	REQUIRE(a + 1016 <= fx_relr.seg[3].vaddr + fx_relr.seg[3].memsz);
	CHECK_EQ(relocate_mutated(&fx_relr, m_relr_custom, BASE), 0);
	REQUIRE(rec.n == 4);
	for (int i = 0; i < 4; i++) {
		CHECK_EQ(rec.va[i], BASE + want[i]);
		CHECK_EQ(rec.val[i], BASE + blob_word_at(b, want[i]));
	}
	CHECK_EQ(relocate_mutated(&fx_relr, m_relr_bss, BASE), 0);
	REQUIRE(rec.n == 1);
	CHECK_EQ(rec.val[0], BASE);
	blob_free(&b);
}

/* ---- fuzzing ----------------------------------------------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

struct fuzz_stats {
	uint64_t lo, hi;       /* where stores may go for the current image */
	unsigned bad_result, bad_store, bad_image, accepted, rejected, stores;
};

static int fuzz_write(void *ctx, uint64_t vaddr, uint64_t value)
{
	struct fuzz_stats *st = ctx;
	(void)value;
	st->stores++;
	if (vaddr < st->lo || vaddr > st->hi - 8)
		st->bad_store++;
	return 0;
}

/* The properties a loader relies on after elf_parse said yes. */
static bool image_sane(const struct elf_image *img)
{
	bool ok = img->nseg >= 1 && img->nseg <= ELF_MAX_SEGS && img->lo < img->hi &&
		  img->hi <= ELF_USER_TOP && img->lo % 4096 == 0 && img->hi % 4096 == 0;
	bool entry_ok = false;
	for (int i = 0; ok && i < img->nseg; i++) {
		const struct elf_seg *s = &img->seg[i];
		ok = s->filesz <= s->memsz && s->vaddr >= img->lo && s->vaddr + s->memsz <= img->hi;
		if ((s->flags & ELF_PF_X) && img->entry - s->vaddr < s->memsz)
			entry_ok = true;
	}
	return ok && entry_ok;
}

/* Byte ranges of the file worth hitting more often than the rest. */
static void hot_ranges(struct blob b, uint64_t r[4][2])
{
	Elf64_Phdr *d = blob_phdr(b, blob_find_phdr(b, PT_DYNAMIC, 0));
	Elf64_Dyn *tab = blob_dyn(b, DT_RELR) ? blob_dyn(b, DT_RELR) : blob_dyn(b, DT_RELA);
	Elf64_Dyn *sz = blob_dyn(b, DT_RELR) ? blob_dyn(b, DT_RELRSZ) : blob_dyn(b, DT_RELASZ);
	r[0][0] = 0, r[0][1] = 64 + 56u * blob_ehdr(b)->e_phnum;
	r[1][0] = d->p_offset, r[1][1] = d->p_offset + d->p_filesz;
	r[2][0] = (uint64_t)blob_vaddr_off(b, tab->d_un.d_ptr);
	r[2][1] = r[2][0] + sz->d_un.d_val;
	r[3][0] = 0, r[3][1] = b.n;
}

static void fuzz_one(struct blob c, size_t n, struct fuzz_stats *st)
{
	struct elf_image img;
	int r = elf_parse(c.p, n, &img);
	if (r != 0) {
		st->rejected++;
		st->bad_result += r != -ENOEXEC;
		return;
	}
	st->accepted++;
	st->bad_image += !image_sane(&img);
	/* where a loader could put it: the flips may have moved the image up */
	uint64_t base = !img.pie ? 0 : BASE + img.hi <= ELF_USER_TOP ? BASE : ELF_USER_TOP - img.hi;
	st->lo = base + img.lo;
	st->hi = base + img.hi;
	r = elf_relocate(&img, c.p, n, base, fuzz_write, st);
	st->bad_result += r != 0 && r != -ENOEXEC;
}

static void fuzz(const struct fx *fx, int iterations)
{
	struct blob b = blob_load(fx->path);
	struct fuzz_stats st = { 0 };
	uint64_t hot[4][2];
	REQUIRE(b.p);
	hot_ranges(b, hot);
	for (int it = 0; it < iterations; it++) {
		struct blob c = blob_copy(b, b.n);
		REQUIRE(c.p);
		for (int k = 1 + rnd() % 4; k > 0; k--) {
			uint64_t *h = hot[rnd() % 4], pos = h[0] + rnd() % (h[1] - h[0]);
			c.p[pos] = rnd() % 4 ? c.p[pos] ^ (uint8_t)(1u << rnd() % 8) : (uint8_t)rnd();
		}
		size_t n = rnd() % 16 ? c.n : rnd() % c.n;
		struct blob t = blob_copy(c, n);   /* exact size: ASan sees any over-read */
		fuzz_one(t, n, &st);
		blob_free(&t);
		blob_free(&c);
	}
	CHECK_EQ(st.bad_result, 0);
	CHECK_EQ(st.bad_store, 0);
	CHECK_EQ(st.bad_image, 0);
	CHECK(st.accepted > (unsigned)iterations / 10);   /* the fuzz reaches relocation */
	CHECK(st.rejected > (unsigned)iterations / 10);
	CHECK(st.stores > 0);
	blob_free(&b);
}

TEST(fuzz_pie_20000)
{
	fuzz(&fx_pie, 20000);
}

TEST(fuzz_relr_pie_10000)
{
	fuzz(&fx_relr, 10000);
}
