/*
 * ELF64 x86-64 executables: header and program-header checks (elf_parse) and the load-time
 * relocation of static PIEs (elf_relocate). See elf.h. The file is untrusted: every offset,
 * size and address is range-checked before use, and multi-byte fields are copied out with
 * memcpy because the buffer need not be aligned.
 */
#include "kernel/exec/elf.h"
#include "abi/errno.h"
#include "kernel/lib/string.h"

/* ---- the parts of the ELF64 format this module reads ------------------------------------- */
struct elf64_ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

struct elf64_dyn {
	int64_t tag;
	uint64_t val;
};

struct elf64_rela {
	uint64_t offset, info;
	int64_t addend;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "Elf64_Ehdr layout");
_Static_assert(sizeof(struct elf64_phdr) == 56, "Elf64_Phdr layout");
_Static_assert(sizeof(struct elf64_dyn) == 16, "Elf64_Dyn layout");
_Static_assert(sizeof(struct elf64_rela) == 24, "Elf64_Rela layout");

enum { ET_EXEC = 2, ET_DYN = 3, EM_X86_64 = 62, EV_CURRENT = 1 };
enum { ELFCLASS64 = 2, ELFDATA2LSB = 1 };
enum { PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3, PT_PHDR = 6, PT_TLS = 7 };
enum { R_X86_64_NONE = 0, R_X86_64_RELATIVE = 8 };
enum {
	DT_NULL = 0, DT_NEEDED = 1, DT_PLTRELSZ = 2, DT_RELA = 7, DT_RELASZ = 8, DT_RELAENT = 9,
	DT_REL = 17, DT_RELSZ = 18, DT_PLTREL = 20, DT_JMPREL = 23, DT_RELRSZ = 35, DT_RELR = 36,
	DT_RELRENT = 37,
};

static bool range_ok(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

static uint64_t page_down(uint64_t a)
{
	return a & ~(ELF_PAGE_SIZE - 1);
}

static uint64_t page_up(uint64_t a)
{
	return page_down(a + ELF_PAGE_SIZE - 1);
}

/* ---- elf_parse --------------------------------------------------------------------------- */

struct parse {
	const uint8_t *file;
	size_t size;
	struct elf_image *img;
	bool have_phdr, have_dyn, have_tls;
};

static int check_ehdr(const struct elf64_ehdr *eh, size_t size)
{
	static const uint8_t magic[4] = { 0x7f, 'E', 'L', 'F' };
	if (memcmp(eh->ident, magic, 4) != 0 || eh->ident[4] != ELFCLASS64 ||
	    eh->ident[5] != ELFDATA2LSB || eh->ident[6] != EV_CURRENT)
		return -ENOEXEC;
	if (eh->version != EV_CURRENT || eh->machine != EM_X86_64 ||
	    (eh->type != ET_EXEC && eh->type != ET_DYN))
		return -ENOEXEC;
	if (eh->phnum == 0 || eh->phentsize != sizeof(struct elf64_phdr) ||
	    !range_ok(eh->phoff, (uint64_t)eh->phnum * eh->phentsize, size))
		return -ENOEXEC;
	return 0;
}

/* [vaddr, vaddr+len) must not wrap and must stay in the user half. */
static bool user_span_ok(uint64_t vaddr, uint64_t len)
{
	return len <= ELF_USER_TOP && vaddr <= ELF_USER_TOP - len;
}

static int on_load(struct parse *p, const struct elf64_phdr *ph)
{
	struct elf_image *img = p->img;
	if (ph->memsz == 0)
		return 0;   /* maps nothing; legal, and nothing to check */
	if (img->nseg == ELF_MAX_SEGS || ph->filesz > ph->memsz ||
	    !range_ok(ph->offset, ph->filesz, p->size) || !user_span_ok(ph->vaddr, ph->memsz) ||
	    ph->vaddr % ELF_PAGE_SIZE != ph->offset % ELF_PAGE_SIZE)
		return -ENOEXEC;
	img->seg[img->nseg++] = (struct elf_seg){
		.vaddr = ph->vaddr,
		.memsz = ph->memsz,
		.filesz = ph->filesz,
		.offset = ph->offset,
		.flags = ph->flags & (ELF_PF_R | ELF_PF_W | ELF_PF_X),
	};
	return 0;
}

static int on_dynamic(struct parse *p, const struct elf64_phdr *ph)
{
	if (p->have_dyn)
		return -ENOEXEC;
	p->have_dyn = true;
	p->img->dyn_vaddr = ph->vaddr;
	p->img->dyn_size = ph->filesz;
	return 0;
}

static int on_interp(struct parse *p, const struct elf64_phdr *ph)
{
	(void)p, (void)ph;
	return -ENOEXEC;   /* needs a dynamic linker, which Tessera does not have */
}

static int on_phdr(struct parse *p, const struct elf64_phdr *ph)
{
	if (p->have_phdr)
		return -ENOEXEC;
	p->have_phdr = true;
	p->img->phdr_vaddr = ph->vaddr;
	return 0;
}

static int on_tls(struct parse *p, const struct elf64_phdr *ph)
{
	struct elf_image *img = p->img;
	if (p->have_tls || ph->filesz > ph->memsz || !user_span_ok(ph->vaddr, ph->memsz) ||
	    (ph->align & (ph->align - 1)) != 0)
		return -ENOEXEC;
	p->have_tls = true;
	img->tls_vaddr = ph->vaddr;
	img->tls_filesz = ph->filesz;
	img->tls_memsz = ph->memsz;
	img->tls_align = ph->align;
	return 0;
}

/* What each program-header type contributes; types not listed (notes, GNU_STACK, ...) are
 * ignored. */
static const struct {
	uint32_t type;
	int (*fn)(struct parse *p, const struct elf64_phdr *ph);
} ph_handlers[] = {
	{ PT_LOAD, on_load }, { PT_DYNAMIC, on_dynamic }, { PT_INTERP, on_interp },
	{ PT_PHDR, on_phdr }, { PT_TLS, on_tls },
};

static int read_phdrs(struct parse *p, const struct elf64_ehdr *eh)
{
	for (uint16_t i = 0; i < eh->phnum; i++) {
		struct elf64_phdr ph;
		memcpy(&ph, p->file + eh->phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		for (size_t h = 0; h < sizeof(ph_handlers) / sizeof(ph_handlers[0]); h++) {
			if (ph_handlers[h].type != ph.type)
				continue;
			int err = ph_handlers[h].fn(p, &ph);
			if (err)
				return err;
		}
	}
	return 0;
}

/* No two segments may share a page: the loader gives every page one set of permissions. */
static int check_layout(struct elf_image *img)
{
	if (img->nseg == 0)
		return -ENOEXEC;
	img->lo = ELF_USER_TOP;
	img->hi = 0;
	for (int i = 0; i < img->nseg; i++) {
		uint64_t lo = page_down(img->seg[i].vaddr);
		uint64_t hi = page_up(img->seg[i].vaddr + img->seg[i].memsz);
		for (int j = 0; j < i; j++) {
			uint64_t lo2 = page_down(img->seg[j].vaddr);
			uint64_t hi2 = page_up(img->seg[j].vaddr + img->seg[j].memsz);
			if (lo < hi2 && lo2 < hi)
				return -ENOEXEC;
		}
		img->lo = lo < img->lo ? lo : img->lo;
		img->hi = hi > img->hi ? hi : img->hi;
	}
	return 0;
}

static bool in_exec_segment(const struct elf_image *img, uint64_t addr)
{
	for (int i = 0; i < img->nseg; i++) {
		const struct elf_seg *s = &img->seg[i];
		if ((s->flags & ELF_PF_X) && addr >= s->vaddr && addr - s->vaddr < s->memsz)
			return true;
	}
	return false;
}

/* Without PT_PHDR, the headers are visible only if a segment loads the bytes at e_phoff. */
static int locate_phdrs(struct parse *p, const struct elf64_ehdr *eh)
{
	struct elf_image *img = p->img;
	uint64_t len = (uint64_t)eh->phnum * eh->phentsize;
	if (p->have_phdr) {
		uint64_t off;
		return elf_file_offset(img, img->phdr_vaddr, len, &off);
	}
	for (int i = 0; i < img->nseg; i++) {
		const struct elf_seg *s = &img->seg[i];
		if (eh->phoff >= s->offset && range_ok(eh->phoff - s->offset, len, s->filesz)) {
			img->phdr_vaddr = s->vaddr + (eh->phoff - s->offset);
			return 0;
		}
	}
	img->phdr_vaddr = 0;
	return 0;
}

static int check_refs(struct parse *p, const struct elf64_ehdr *eh)
{
	struct elf_image *img = p->img;
	uint64_t off;
	if (!in_exec_segment(img, eh->entry))
		return -ENOEXEC;
	if (p->have_dyn && elf_file_offset(img, img->dyn_vaddr, img->dyn_size, &off))
		return -ENOEXEC;
	if (p->have_tls && elf_file_offset(img, img->tls_vaddr, img->tls_filesz, &off))
		return -ENOEXEC;
	return locate_phdrs(p, eh);
}

int elf_parse(const void *file, size_t size, struct elf_image *out)
{
	struct elf64_ehdr eh;
	struct elf_image img;
	struct parse p = { .file = file, .size = size, .img = &img };
	int err = -ENOEXEC;
	if (!file || size < sizeof(eh))
		goto out;
	memcpy(&eh, file, sizeof(eh));
	memset(&img, 0, sizeof(img));
	if ((err = check_ehdr(&eh, size)) || (err = read_phdrs(&p, &eh)) ||
	    (err = check_layout(&img)) || (err = check_refs(&p, &eh)))
		goto out;
	img.entry = eh.entry;
	img.pie = eh.type == ET_DYN;
	img.phnum = eh.phnum;
	img.phentsize = eh.phentsize;
	*out = img;
out:
	return err;
}

int elf_file_offset(const struct elf_image *img, uint64_t vaddr, uint64_t len, uint64_t *off)
{
	for (int i = 0; i < img->nseg; i++) {
		const struct elf_seg *s = &img->seg[i];
		if (vaddr >= s->vaddr && range_ok(vaddr - s->vaddr, len, s->filesz)) {
			*off = s->offset + (vaddr - s->vaddr);
			return 0;
		}
	}
	return -ENOEXEC;
}

/* ---- elf_relocate ------------------------------------------------------------------------ */

/* The relocation-related entries of the dynamic section. */
struct dyninfo {
	uint64_t rela, relasz, relaent;
	uint64_t jmprel, pltrelsz, pltrel;
	uint64_t relr, relrsz, relrent;
	uint64_t relsz, needed;
};

static const struct {
	int64_t tag;
	size_t field;
} dyn_fields[] = {
	{ DT_RELA, offsetof(struct dyninfo, rela) },
	{ DT_RELASZ, offsetof(struct dyninfo, relasz) },
	{ DT_RELAENT, offsetof(struct dyninfo, relaent) },
	{ DT_JMPREL, offsetof(struct dyninfo, jmprel) },
	{ DT_PLTRELSZ, offsetof(struct dyninfo, pltrelsz) },
	{ DT_PLTREL, offsetof(struct dyninfo, pltrel) },
	{ DT_RELR, offsetof(struct dyninfo, relr) },
	{ DT_RELRSZ, offsetof(struct dyninfo, relrsz) },
	{ DT_RELRENT, offsetof(struct dyninfo, relrent) },
	{ DT_RELSZ, offsetof(struct dyninfo, relsz) },
};

struct reloc {
	const struct elf_image *img;
	const uint8_t *file;
	size_t size;
	uint64_t base;
	elf_write64_fn write64;
	void *ctx;
	bool apply;   /* false: the checking pass, nothing is written */
};

/* The file bytes backing [vaddr, vaddr+len), bounds-checked against the file itself too. */
static const uint8_t *file_at(const struct reloc *r, uint64_t vaddr, uint64_t len)
{
	uint64_t off;
	if (elf_file_offset(r->img, vaddr, len, &off) || !range_ok(off, len, r->size))
		return NULL;
	return r->file + off;
}

static int read_dynamic(const struct reloc *r, struct dyninfo *d)
{
	const struct elf_image *img = r->img;
	memset(d, 0, sizeof(*d));
	if (img->dyn_size == 0)
		return 0;
	const uint8_t *dyn = file_at(r, img->dyn_vaddr, img->dyn_size);
	if (!dyn)
		return -ENOEXEC;
	for (uint64_t i = 0; i < img->dyn_size / sizeof(struct elf64_dyn); i++) {
		struct elf64_dyn e;
		memcpy(&e, dyn + i * sizeof(e), sizeof(e));
		if (e.tag == DT_NULL)
			break;
		d->needed += e.tag == DT_NEEDED;   /* its value may be 0: count presence */
		for (size_t f = 0; f < sizeof(dyn_fields) / sizeof(dyn_fields[0]); f++)
			if (dyn_fields[f].tag == e.tag)
				memcpy((char *)d + dyn_fields[f].field, &e.val, sizeof(e.val));
	}
	return 0;
}

/* A table of size bytes of entsize-byte entries at vaddr; size 0 means absent. */
static int check_table(const struct reloc *r, uint64_t vaddr, uint64_t size, uint64_t entsize,
		       uint64_t want_entsize)
{
	if (size == 0)
		return 0;
	if (entsize != want_entsize || size % entsize != 0 || !file_at(r, vaddr, size))
		return -ENOEXEC;
	return 0;
}

static int check_dynamic(const struct reloc *r, const struct dyninfo *d)
{
	if (d->needed || d->relsz)
		return -ENOEXEC;   /* shared libraries / REL tables: not for static x86-64 */
	if (d->pltrelsz && d->pltrel != DT_RELA)
		return -ENOEXEC;
	if (check_table(r, d->rela, d->relasz, d->relaent, sizeof(struct elf64_rela)) ||
	    check_table(r, d->jmprel, d->pltrelsz, sizeof(struct elf64_rela),
			sizeof(struct elf64_rela)) ||
	    check_table(r, d->relr, d->relrsz, d->relrent, sizeof(uint64_t)))
		return -ENOEXEC;
	return 0;
}

/* Whether the 8 bytes at target lie inside one segment's memory image. */
static const struct elf_seg *target_seg(const struct elf_image *img, uint64_t target)
{
	for (int i = 0; i < img->nseg; i++) {
		const struct elf_seg *s = &img->seg[i];
		if (target >= s->vaddr && range_ok(target - s->vaddr, 8, s->memsz))
			return s;
	}
	return NULL;
}

static int put(const struct reloc *r, uint64_t target, uint64_t value)
{
	if (!r->apply)
		return 0;
	int err = r->write64(r->ctx, r->base + target, value);
	return err < 0 ? err : 0;
}

static int do_rela_table(const struct reloc *r, uint64_t vaddr, uint64_t size)
{
	const uint8_t *tab = size ? file_at(r, vaddr, size) : NULL;
	for (uint64_t i = 0; i < size / sizeof(struct elf64_rela); i++) {
		struct elf64_rela ra;
		memcpy(&ra, tab + i * sizeof(ra), sizeof(ra));
		uint32_t type = (uint32_t)ra.info;
		if (type == R_X86_64_NONE)
			continue;
		if (type != R_X86_64_RELATIVE || !target_seg(r->img, ra.offset))
			return -ENOEXEC;
		int err = put(r, ra.offset, r->base + (uint64_t)ra.addend);
		if (err)
			return err;
	}
	return 0;
}

/* RELR words hold their addend in place: the word the file puts there (0 in the bss part). */
static int relr_one(const struct reloc *r, uint64_t target)
{
	const struct elf_seg *s = target_seg(r->img, target);
	if (!s)
		return -ENOEXEC;
	uint64_t addend = 0, in_seg = target - s->vaddr;
	if (in_seg < s->filesz) {
		const uint8_t *w = file_at(r, target, 8);
		if (!w)
			return -ENOEXEC;   /* straddles the end of the file-backed part */
		memcpy(&addend, w, 8);
	}
	return put(r, target, r->base + addend);
}

static int do_relr_table(const struct reloc *r, uint64_t vaddr, uint64_t size)
{
	const uint8_t *tab = size ? file_at(r, vaddr, size) : NULL;
	/* No address entry yet: a leading bitmap then names only addresses above the user half,
	 * which no segment holds, so it is rejected like any other bad target. */
	uint64_t where = ELF_USER_TOP;
	int err = 0;
	for (uint64_t i = 0; i < size / 8 && !err; i++) {
		uint64_t e;
		memcpy(&e, tab + i * 8, 8);
		if (!(e & 1)) {
			err = relr_one(r, e);
			where = e + 8;
			continue;
		}
		for (int bit = 0; bit < 63 && !err; bit++)
			if ((e >> (bit + 1)) & 1)
				err = relr_one(r, where + (uint64_t)bit * 8);
		where += 63 * 8;
	}
	return err;
}

static int relocate_pass(const struct reloc *r, const struct dyninfo *d)
{
	int err;
	if ((err = do_rela_table(r, d->rela, d->relasz)) ||
	    (err = do_rela_table(r, d->jmprel, d->pltrelsz)) ||
	    (err = do_relr_table(r, d->relr, d->relrsz)))
		return err;
	return 0;
}

int elf_relocate(const struct elf_image *img, const void *file, size_t size, uint64_t base,
		 elf_write64_fn write64, void *ctx)
{
	struct reloc r = { img, file, size, base, write64, ctx, false };
	struct dyninfo d;
	int err;
	if (base % ELF_PAGE_SIZE || (!img->pie && base) || base > ELF_USER_TOP - img->hi ||
	    !write64)
		return -EINVAL;
	if ((err = read_dynamic(&r, &d)) || (err = check_dynamic(&r, &d)) ||
	    (err = relocate_pass(&r, &d)))
		return err;
	r.apply = true;
	return relocate_pass(&r, &d);
}
