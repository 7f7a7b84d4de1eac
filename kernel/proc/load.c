/* Loading (see load.h). One region per PT_LOAD segment: non-writable ones are text, writable
 * ones data (their zero-filled tail is BSS, demand-zero). Relocations are applied to the
 * region pages before they are attached, so text is never mapped writable. */
#include "kernel/proc/load.h"
#include "abi/errno.h"
#include "arch/paging.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/uva.h"
#include "kernel/mm/vattach.h"
#include "kernel/mm/vregion.h"
#include "kernel/mm/vspace.h"
#include "kernel/proc/procmem.h"
#include "kernel/proc/program.h"
#include "kernel/proc/runmode.h"

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
	/* the coexistence control area (DMSM) at its fixed address in every space */
	return runmode_map_cca(vspace_root(p->vspace));
}

/* ---- the initial stack ---------------------------------------------------------------- */

struct stack_builder {
	uint8_t *buf;          /* kernel copy of the stack's top part */
	uint64_t cap;
	uint64_t top_va;       /* user address of buf + cap */
	uint64_t used;         /* bytes from the top */
};

static uint64_t push_bytes(struct stack_builder *b, const void *src, uint64_t n)
{
	if (b->used + n > b->cap)
		return 0;
	b->used += n;
	memcpy(b->buf + b->cap - b->used, src, n);
	return b->top_va - b->used;
}

static int push_strings(struct stack_builder *b, const char *const *v, int n, uint64_t *out)
{
	for (int i = n - 1; i >= 0; i--)
		if (!(out[i] = push_bytes(b, v[i], strlen(v[i]) + 1)))
			return -E2BIG;
	return 0;
}

enum { AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7,
       AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14, AT_HWCAP = 16,
       AT_CLKTCK = 17, AT_SECURE = 23, AT_RANDOM = 25, AT_EXECFN = 31 };

static int push_vector(struct stack_builder *b, uint64_t *vec, int nvec)
{
	b->used = (b->used + nvec * 8 + 15) & ~15ul;      /* rsp 16-byte aligned at entry */
	if (b->used > b->cap)
		return -E2BIG;
	memcpy(b->buf + b->cap - b->used, vec, nvec * 8);
	return 0;
}

static int build_stack(struct stack_builder *b, struct proc *p, const struct elf_image *img,
		       const char *const *argv, int argc, const char *const *envp, int envc,
		       struct load_info *li)
{
	uint64_t strs[argc + envc + 1];
	uint64_t seed[2] = { 0x9e3779b97f4a7c15ull ^ (uint64_t)p->pid, 0xc2b2ae3d27d4eb4full };
	uint64_t rnd = push_bytes(b, seed, 16);
	int err = push_strings(b, argv, argc, strs);
	if (err || (err = push_strings(b, envp, envc, strs + argc)) || !rnd)
		return err ? err : -E2BIG;
	uint64_t phdr = img->phdr_vaddr ? img->phdr_vaddr + li->base : 0;
	/* without loaded program headers, tell the program there are none */
	uint64_t aux[] = { AT_PHDR, phdr, AT_PHENT, img->phentsize, AT_PHNUM, phdr ? img->phnum : 0,
			   AT_PAGESZ, PAGE_SIZE, AT_BASE, 0, AT_ENTRY, li->entry,
			   AT_UID, p->cred.uid, AT_EUID, p->cred.uid, AT_GID, p->cred.gid,
			   AT_EGID, p->cred.gid, AT_SECURE, 0, AT_RANDOM, rnd, AT_HWCAP, 0,
			   AT_CLKTCK, 100, AT_EXECFN, argc ? strs[0] : 0, AT_NULL, 0 };
	int naux = sizeof(aux) / 8, nvec = 1 + argc + 1 + envc + 1 + naux;
	uint64_t vec[nvec];
	int k = 0;
	vec[k++] = (uint64_t)argc;
	for (int i = 0; i < argc; i++)
		vec[k++] = strs[i];
	vec[k++] = 0;
	for (int i = 0; i < envc; i++)
		vec[k++] = strs[argc + i];
	vec[k++] = 0;
	memcpy(&vec[k], aux, sizeof(aux));
	if ((err = push_vector(b, vec, nvec)))
		return err;
	li->sp = b->top_va - b->used;
	return 0;
}

int load_stack(struct proc *p, rid_t program, const char *const *argv, int argc,
	       const char *const *envp, int envc, struct load_info *li)
{
	rid_t att;
	int err = procmem_add(p, STACK_SIZE, TRK_STACK, VR_R | VR_W, 0, &att);
	if (err)
		return err;
	uint64_t cap = 4 * PAGE_SIZE;                 /* argv + envp limit: 16 KiB */
	rid_t region = vattach_region(att);
	/* built in a kernel buffer, then written to the region (mapped on first touch); static
	 * because 16 KiB is the whole kernel stack, and safe because the kernel makes one call at
	 * a time on its one CPU and nothing between the build and the write sleeps */
	static uint8_t tmp[4 * PAGE_SIZE];
	struct stack_builder b = { tmp, cap, vattach_addr(att) + STACK_SIZE, 0 };
	if ((err = build_stack(&b, p, program_image(program), argv, argc, envp, envc, li)))
		return err;
	uint64_t from = cap - ((b.used + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1));
	return vregion_write(region, STACK_SIZE - cap + from, tmp + from, cap - from);
}
