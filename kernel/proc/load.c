/* Loading (see load.h). One region per PT_LOAD segment: non-writable ones are text, writable
 * ones data (their zero-filled tail is BSS, demand-zero). Relocations are applied to the
 * region pages before they are attached, so text is never mapped writable. */
#include "kernel/proc/load.h"
#include "abi/errno.h"
#include "abi/vdso.h"
#include "arch/paging.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/uva.h"
#include "kernel/mm/vattach.h"
#include "kernel/mm/vregion.h"
#include "kernel/mm/vspace.h"
#include "kernel/proc/args.h"
#include "kernel/proc/procmem.h"
#include "kernel/proc/program.h"
#include "kernel/proc/runmode.h"
#include "kernel/proc/vdso.h"

#define PG_DOWN(x) ((x) & ~(PAGE_SIZE - 1))
#define PG_UP(x) (((x) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))

struct reloc_ctx {
	const struct elf_image *img;
	rid_t regions[ELF_MAX_SEGS];
	bool shared[ELF_MAX_SEGS];     /* the program's shared text: never written here */
	uint64_t base;
};

static int write_reloc(void *c, uint64_t vaddr, uint64_t value)
{
	struct reloc_ctx *ctx = c;
	uint64_t link = vaddr - ctx->base;
	for (int i = 0; i < ctx->img->nseg; i++) {
		const struct elf_seg *s = &ctx->img->seg[i];
		if (link >= s->vaddr && link + 8 <= s->vaddr + s->memsz && ctx->shared[i])
			return -ENOEXEC;    /* program_open's dry run rules this out */
		if (link >= s->vaddr && link + 8 <= s->vaddr + s->memsz)
			return vregion_write(ctx->regions[i], link - PG_DOWN(s->vaddr), &value, 8);
	}
	return -ENOEXEC;
}

static uint32_t seg_prot(uint32_t f)
{
	return (f & ELF_PF_R ? VR_R : 0) | (f & ELF_PF_W ? VR_W : 0) | (f & ELF_PF_X ? VR_X : 0);
}

static int make_regions(struct proc *p, const struct elf_image *img, const uint8_t *file,
			struct reloc_ctx *ctx)
{
	for (int i = 0; i < img->nseg; i++) {
		const struct elf_seg *s = &img->seg[i];
		if (program_text_region(p->program, i, &ctx->regions[i]) == 0) {
			ctx->shared[i] = true;
			continue;
		}
		uint64_t size = PG_UP(s->vaddr + s->memsz) - PG_DOWN(s->vaddr);
		uint32_t kind = s->flags & ELF_PF_W ? TRK_DATA : TRK_TEXT;
		int err = procmem_region_get(size, kind, seg_prot(s->flags), kind ? "data" : "text",
					     &p->cred, &ctx->regions[i]);
		if (!err)
			err = vregion_write(ctx->regions[i], s->vaddr - PG_DOWN(s->vaddr),
					    file + s->offset, s->filesz);
		if (err)
			return err;
	}
	return 0;
}

static int attach_regions(struct proc *p, const struct elf_image *img, struct reloc_ctx *ctx)
{
	for (int i = 0; i < img->nseg; i++) {
		int slot = -1;
		for (int k = 0; k < PROC_MAX_ATT && slot < 0; k++)
			if (!p->att[k])
				slot = k;
		if (slot < 0)
			return -ENOMEM;
		proc_att_used(p, slot);
		uint64_t addr = ctx->base + PG_DOWN(img->seg[i].vaddr);
		/* of shared text only the pages programs have run are mapped now, the rest as
		 * they run: starting a program then costs the same whatever the size of its text
		 * (the paper's text sharing) */
		int err = ctx->shared[i]
				  ? vattach_create_hot(p->vspace, ctx->regions[i], addr, &p->cred,
						       &p->att[slot])
				  : vattach_create(p->vspace, ctx->regions[i], addr, true, &p->cred,
						   &p->att[slot]);
		if (err)
			return err;
		ctx->regions[i] = 0;       /* now owned through the attachment */
	}
	return 0;
}

int load_segments(struct proc *p, rid_t program, struct load_info *li)
{
	const struct elf_image *img = program_image(program);
	const void *file;
	size_t size;
	int err = program_file(program, &file, &size);
	if (err)
		return err;
	struct reloc_ctx ctx = { .img = img };
	uint64_t span = img->hi - img->lo, va = 0;
	/* a PIE gets fresh system-wide addresses; a fixed-address image lies below UVA_BASE
	 * (program_open refuses others), so only its own space can collide with it */
	if (img->pie) {
		if ((err = uva_alloc(span, PAGE_SIZE, &va)))
			return err;
		ctx.base = va - img->lo;
		p->img_va = va;              /* given back by procmem_release */
		p->img_span = span;
	} else if (vspace_overlaps(p->vspace, img->lo, span)) {
		return -EEXIST;
	}
	if (!(err = make_regions(p, img, file, &ctx)) &&
	    !(err = elf_relocate(img, file, size, ctx.base, write_reloc, &ctx)))
		err = attach_regions(p, img, &ctx);
	for (int i = 0; i < img->nseg; i++)
		if (ctx.regions[i] && !ctx.shared[i])
			procmem_region_drop(ctx.regions[i]);
	if (err)
		return err;
	li->base = ctx.base;
	li->entry = ctx.base + img->entry;
	/* the coexistence control area (DMSM) and the vDSO at their fixed addresses in every
	 * space */
	if ((err = runmode_map_cca(vspace_root(p->vspace))))
		return err;
	return vdso_map(vspace_root(p->vspace));
}

/* ---- the initial stack ---------------------------------------------------------------- */

/* From the top down: 16 random bytes (AT_RANDOM), the argv and envp strings as the args block
 * holds them (argv's first, each with its NUL), then, 16-byte aligned, argc, the argv and envp
 * pointers and the auxiliary vector, where the stack pointer starts. Everything is written
 * straight into the stack region, in pieces: the vectors may take megabytes (args.h). */

enum { AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7,
       AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14, AT_HWCAP = 16,
       AT_CLKTCK = 17, AT_SECURE = 23, AT_RANDOM = 25, AT_EXECFN = 31, AT_SYSINFO_EHDR = 33 };

/* Words written to the region through a small buffer. */
struct vec_writer {
	rid_t region;
	uint64_t off;          /* region offset of the next word to write out */
	uint64_t buf[64];
	int n;
	int err;
};

static void vw_flush(struct vec_writer *w)
{
	if (w->n && !w->err)
		w->err = vregion_write(w->region, w->off, w->buf, (uint64_t)w->n * 8);
	w->off += (uint64_t)w->n * 8;
	w->n = 0;
}

static void vw_put(struct vec_writer *w, uint64_t word)
{
	if (w->n == (int)(sizeof(w->buf) / 8))
		vw_flush(w);
	w->buf[w->n++] = word;
}

/* The argv or envp pointers of n strings starting at *off in the block (at va + offset). */
static void put_ptrs(struct vec_writer *w, const struct args *a, uint32_t n, size_t *off,
		     uint64_t va)
{
	for (uint32_t i = 0; i < n; i++) {
		vw_put(w, va + *off);
		*off = args_str_end(a, *off);
	}
	vw_put(w, 0);
}

static int put_strings(rid_t region, uint64_t at, const struct args *a)
{
	int err = 0;
	for (size_t off = 0, len = 0; !err && off < args_bytes(a); off += len) {
		const char *p = args_at(a, off, &len);
		err = vregion_write(region, at + off, p, len);
	}
	return err;
}

static int build_stack(struct proc *p, const struct elf_image *img, const struct args *a,
		       rid_t region, uint64_t base_va, struct load_info *li)
{
	uint64_t seed[2] = { 0x9e3779b97f4a7c15ull ^ (uint64_t)p->pid, 0xc2b2ae3d27d4eb4full };
	uint64_t rnd = STACK_SIZE - 16, strs = rnd - args_bytes(a);
	uint32_t argc = args_argc(a), envc = args_envc(a);
	uint64_t phdr = img->phdr_vaddr ? img->phdr_vaddr + li->base : 0;
	/* a set-id program runs with other ids than its caller's: libcs turn careful (Linux) */
	uint64_t secure = p->ids.euid != p->ids.ruid || p->ids.egid != p->ids.rgid;
	/* without loaded program headers, tell the program there are none */
	uint64_t aux[] = { AT_PHDR, phdr, AT_PHENT, img->phentsize, AT_PHNUM, phdr ? img->phnum : 0,
			   AT_PAGESZ, PAGE_SIZE, AT_BASE, 0, AT_ENTRY, li->entry,
			   AT_UID, p->ids.ruid, AT_EUID, p->ids.euid, AT_GID, p->ids.rgid,
			   AT_EGID, p->ids.egid, AT_SECURE, secure, AT_RANDOM, base_va + rnd, AT_HWCAP, 0,
			   AT_CLKTCK, 100, AT_EXECFN, argc ? base_va + strs : 0,
			   AT_SYSINFO_EHDR, VDSO_TEXT_ADDR, AT_NULL, 0 };
	uint64_t nvec = 1 + argc + 1 + envc + 1 + sizeof(aux) / 8;
	if (nvec * 8 + 16 > strs)
		return -E2BIG;              /* args_limit keeps callers far below this */
	struct vec_writer w = { .region = region, .off = (strs - nvec * 8) & ~15ul };
	li->sp = base_va + w.off;
	int err = vregion_write(region, rnd, seed, sizeof(seed));
	if (err || (err = put_strings(region, strs, a)))
		return err;
	size_t off = 0;
	vw_put(&w, argc);
	put_ptrs(&w, a, argc, &off, base_va + strs);
	put_ptrs(&w, a, envc, &off, base_va + strs);
	for (size_t i = 0; i < sizeof(aux) / 8; i++)
		vw_put(&w, aux[i]);
	vw_flush(&w);
	return w.err;
}

int load_stack(struct proc *p, rid_t program, const struct args *a, struct load_info *li)
{
	rid_t att;
	int err = procmem_add(p, STACK_SIZE, TRK_STACK, VR_R | VR_W, 0, &att);
	if (err)
		return err;
	return build_stack(p, program_image(program), a, vattach_region(att), vattach_addr(att),
			   li);
}
