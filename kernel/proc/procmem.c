/* Process memory (see procmem.h). Addresses for everything the kernel places come from the
 * system-wide allocator (uva), so a process's regions collide with no other process's. */
#include "kernel/proc/procmem.h"
#include "abi/errno.h"
#include "abi/linux.h"
#include "arch/paging.h"
#include "kernel/fs/file.h"
#include "kernel/fs/plate.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/mm/uva.h"
#include "kernel/mm/vattach.h"
#include "kernel/mm/vregion.h"
#include "kernel/mm/vspace.h"
#include "kernel/res/reuse.h"
#include "kernel/proc/ulimit.h"

#define REUSE_KEEP_PAGES 16      /* more resident pages than this are freed: zeroing a kept
				 * page on reuse costs about what a fresh demand-zero page does */

static uint64_t region_key(uint32_t kind, uint64_t size)
{
	return ((uint64_t)kind << 40) | (size / PAGE_SIZE);
}

static void region_evict(rid_t region)
{
	vregion_pin(region, -1);
	vregion_delete(region);
}

void procmem_init(void)
{
	reuse_register(RK_REGION, region_evict);
}

int procmem_region_get(uint64_t size, uint32_t kind, uint32_t prot, const char *name,
		       const struct cred *owner, rid_t *out)
{
	rid_t r = reuse_take(RK_REGION, region_key(kind, size));
	if (!r)
		return vregion_create(size, kind, prot, name, owner, out);
	vregion_pin(r, -1);
	vregion_zero(r);
	vregion_set_prot(r, prot);
	res_reset_owner(r, owner, TMODE_DEFAULT);
	*out = r;
	return 0;
}

void procmem_region_drop(rid_t region)
{
	if (vregion_nattach(region) || res_validate(region, RT_VREGION))
		return;                           /* still attached somewhere */
	uint32_t kind = vregion_kind(region);
	bool reusable = (kind == TRK_DATA || kind == TRK_HEAP || kind == TRK_STACK ||
			 kind == TRK_MMAP) && !vregion_home(region) && !vregion_pins(region);
	/* the table keeps a region's structure and a modest working set, never a hoard */
	if (reusable && vregion_resident(region) > REUSE_KEEP_PAGES)
		vregion_discard(region, 0, vregion_size(region));
	else if (reusable)
		vregion_drop_shared(region);     /* a fork child's: the parent's again */
	if (reusable && reuse_put(RK_REGION, region, region_key(kind, vregion_size(region)))) {
		vregion_pin(region, 1);           /* held by the table: not deletable by users */
		return;
	}
	vregion_delete(region);
}

static void remove_att(struct proc *p, int i);

static int att_slot(struct proc *p)
{
	for (int i = 0; i < p->att_end; i++)
		if (!p->att[i])
			return i;
	return p->att_end < PROC_MAX_ATT ? p->att_end : -1;
}

/* The system-wide addresses an attachment of this kind at [*addr, *addr + *size) holds,
 * made from its own range: false when it holds none. */
bool procmem_va_range_of(struct proc *p, uint32_t kind, uint64_t *addr, uint64_t *size)
{
	/* a stack gets unmapped guard pages below it, so an overflow faults instead of running
	 * into whatever region the system placed next */
	if (kind == TRK_STACK)
		*addr -= STACK_GUARD, *size += STACK_GUARD;
	/* inside the image, the image's addresses serve; a range reaching out of it is taken
	 * whole, which fails as the image holds its part */
	bool in_image = *addr >= p->img_va && *addr + *size <= p->img_va + p->img_span;
	return *addr >= UVA_BASE && !in_image;
}

/* The addresses for a new attachment: fresh ones (addr 0), or the given ones, taken
 * system-wide when they are in the system-wide range (as remove_att gives them back). */
static int take_va(struct proc *p, uint64_t size, uint32_t kind, uint64_t *addr, uint64_t *va,
		   uint64_t *vsize, bool *held)
{
	uint64_t guard = kind == TRK_STACK ? STACK_GUARD : 0;
	int err;
	*va = *addr, *vsize = size;
	if (!*addr) {
		if ((err = uva_alloc(size + guard, PAGE_SIZE, va)))
			return err;
		*vsize = size + guard, *addr = *va + guard, *held = true;
		return 0;
	}
	*held = procmem_va_range_of(p, kind, va, vsize);
	return *held ? uva_reserve(*va, *vsize) : 0;
}

static const char *const kind_names[] = {
#define REGION_KIND(name, str) [TRK_##name] = str,
#include "abi/regionkinds.def"
#undef REGION_KIND
};

/* Attach region at addr, whose addresses the caller has taken, and record it in p. */
static int attach_region(struct proc *p, rid_t region, uint64_t addr, rid_t *att_out)
{
	int slot = att_slot(p), err;
	rid_t att;
	if (slot < 0)
		return -ENOMEM;
	if ((err = vattach_create(p->vspace, region, addr, true, &p->cred, &att)))
		return err;
	proc_att_used(p, slot);
	p->att[slot] = att;
	if (att_out)
		*att_out = att;
	return 0;
}

/* Attach region (of kind, made for p) at addr (0: fresh addresses) and record it. The
 * region is p's on success; on failure the caller still has it. */
static int add_region(struct proc *p, rid_t region, uint32_t kind, uint64_t addr,
		      rid_t *att_out)
{
	uint64_t va, vsize;
	bool held;
	int err = take_va(p, vregion_size(region), kind, &addr, &va, &vsize, &held);
	if (err)
		return err;
	if ((err = attach_region(p, region, addr, att_out)) && held)
		uva_free(va, vsize);
	return err;
}

int procmem_add(struct proc *p, uint64_t size, uint32_t kind, uint32_t prot, uint64_t addr,
		rid_t *att_out)
{
	rid_t region;
	int err = procmem_region_get(size, kind, prot, kind_names[kind], &p->cred, &region);
	if (err)
		return err;
	if ((err = add_region(p, region, kind, addr, att_out)))
		procmem_region_drop(region);
	return err;
}

int procmem_add_arrived(struct proc *p, uint64_t size, uint32_t kind, uint32_t prot,
			uint64_t addr, rid_t *att_out)
{
	rid_t region;
	uint64_t va = addr, vsize = size;
	bool held = procmem_va_range_of(p, kind, &va, &vsize);
	int err = held ? uva_take(va, vsize) : 0;
	if (err)
		return err;
	if ((err = procmem_region_get(size, kind, prot, kind_names[kind], &p->cred, &region)))
		goto fail;
	if ((err = attach_region(p, region, addr, att_out))) {
		procmem_region_drop(region);
		goto fail;
	}
	return 0;
fail:
	if (held)
		uva_free(va, vsize);
	return err;
}

void procmem_unmap_att(struct proc *p, int i)
{
	remove_att(p, i);
}

bool procmem_va_range(struct proc *p, rid_t att, uint64_t *addr, uint64_t *size)
{
	*addr = vattach_addr(att);
	*size = vattach_size(att);
	return procmem_va_range_of(p, vregion_kind(vattach_region(att)), addr, size);
}

static void remove_att(struct proc *p, int i)
{
	rid_t att = p->att[i], region = vattach_region(att);
	uint64_t addr, size;
	bool own = procmem_va_range(p, att, &addr, &size);
	vattach_delete(att);
	procmem_region_drop(region);
	if (own)
		uva_free(addr, size);
	p->att[i] = 0;
}

void procmem_release(struct proc *p)
{
	cputime_rss_sample(p);              /* its largest resident set, before it goes */
	for (int i = 0; i < p->att_end; i++)
		if (p->att[i])
			remove_att(p, i);
	p->heap_att = 0;
	if (p->img_span)
		uva_free(p->img_va, p->img_span);
	p->img_va = p->img_span = 0;
}

int procmem_free_slots(const struct proc *p)
{
	int used = 0;
	for (int i = 0; i < p->att_end; i++)
		used += p->att[i] != 0;
	return PROC_MAX_ATT - used;
}

int procmem_give(struct proc *from, struct proc *to)
{
	int n = PROC_MAX_ATT - procmem_free_slots(from);
	/* to may have mapped memory of its own meanwhile (a vfork child's mmap): it keeps it,
	 * beside what it gets; but it has no heap or image of its own */
	if (to->heap_att || to->img_span)
		return -EBUSY;
	if (n > procmem_free_slots(to))
		return -ENOMEM;
	for (int i = 0; i < from->att_end; i++) {
		int slot = from->att[i] ? att_slot(to) : -1;
		if (slot < 0)
			continue;
		proc_att_used(to, slot);
		to->att[slot] = from->att[i];
	}
	to->heap_att = from->heap_att;
	to->brk_start = from->brk_start;
	to->brk_cur = from->brk_cur;
	to->brk_max = from->brk_max;
	to->img_va = from->img_va;
	to->img_span = from->img_span;
	memset(from->att, 0, sizeof(from->att));
	from->att_end = 0;
	from->heap_att = 0;
	from->brk_start = from->brk_cur = from->brk_max = 0;
	from->img_va = from->img_span = 0;
	return 0;
}

rid_t procmem_passable(struct proc *p, uint64_t addr, uint64_t len)
{
	for (int i = 0; i < p->att_end; i++) {
		rid_t att = p->att[i];
		uint64_t a, n, va, vs;
		if (!att || !vattach_range(att, &a, &n) || a != addr || n != len)
			continue;
		if (att == p->heap_att || vregion_kind(vattach_region(att)) != TRK_MMAP)
			return 0;
		/* its own system-wide addresses: nothing else can be at them in any space */
		return procmem_va_range(p, att, &va, &vs) ? att : 0;
	}
	return 0;
}

int procmem_pass(struct proc *from, rid_t att, struct proc *to)
{
	int i = 0, slot = att_slot(to);
	while (i < from->att_end && from->att[i] != att)
		i++;
	if (!att || i == from->att_end)
		return -ENOENT;
	if (slot < 0 || (from->vspace != to->vspace && !vspace_has_room(to->vspace, 1)))
		return -ENOMEM;
	if (from->vspace != to->vspace)
		vattach_move(att, to->vspace);
	proc_att_used(to, slot);
	to->att[slot] = att;
	from->att[i] = 0;
	return 0;
}

int procmem_setup_heap(struct proc *p)
{
	rid_t att;
	int err = procmem_add(p, HEAP_MAX, TRK_HEAP, VR_R | VR_W, 0, &att);
	if (err)
		return err;
	p->heap_att = att;
	p->brk_start = p->brk_cur = vattach_addr(att);
	p->brk_max = p->brk_start + HEAP_MAX;
	return 0;
}

long procmem_brk(struct proc *p, uint64_t want)
{
	if (want < p->brk_start || want > p->brk_max)
		return (long)p->brk_cur;           /* Linux: failure returns the old break */
	uint64_t old_top = (p->brk_cur + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	uint64_t new_top = (want + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	if (new_top > old_top && ulimit_mem_check(p, new_top - old_top, true))
		return (long)p->brk_cur;           /* RLIMIT_AS, RLIMIT_DATA or root's reserve */
	if (new_top < old_top) {
		cputime_rss_sample(p);
		vattach_reprotect(p->heap_att, new_top, old_top - new_top, 0);
		vregion_discard(vattach_region(p->heap_att), new_top - p->brk_start,
				old_top - new_top);
	}
	p->brk_cur = want;
	return (long)want;
}

static uint32_t prot_from_linux(uint32_t prot)
{
	return (prot & L_PROT_READ ? VR_R : 0) | (prot & L_PROT_WRITE ? VR_W : 0) |
	       (prot & L_PROT_EXEC ? VR_X : 0);
}

static int fill_from_plate(rid_t region, rid_t plate, uint64_t off, uint64_t len)
{
	char *buf = kmalloc(2048);
	int err = 0;
	if (!buf)
		return -ENOMEM;
	for (uint64_t done = 0; done < len;) {
		long n = plate_read_at(plate, off + done, buf, len - done < 2048 ? len - done : 2048);
		if (n <= 0) {
			err = (int)n;
			break;
		}
		if ((err = vregion_write(region, done, buf, (uint64_t)n)))
			break;
		done += (uint64_t)n;
	}
	kfree(buf);
	return err;
}

/* The own system-wide range of one of p's attachments that contains at: false if none. */
static bool own_range_at(struct proc *p, uint64_t at, uint64_t *a, uint64_t *n)
{
	for (int i = 0; i < p->att_end; i++)
		if (p->att[i] && procmem_va_range(p, p->att[i], a, n) && at >= *a && at - *a < *n)
			return true;
	return false;
}

/* Where the next own range of p starts after at (end if none before it). */
static uint64_t next_own_start(struct proc *p, uint64_t at, uint64_t end)
{
	uint64_t next = end, a, n;
	for (int i = 0; i < p->att_end; i++)
		if (p->att[i] && procmem_va_range(p, p->att[i], &a, &n) && a > at && a < next)
			next = a;
	return next;
}

/* Whether every address of [addr, end) that p does not hold through an attachment of its own
 * is free: those p holds it may map again (its fork relatives, which may hold them too, use
 * them in spaces of their own, as after fork); the others are another process's. */
static bool others_free(struct proc *p, uint64_t addr, uint64_t end)
{
	for (uint64_t at = addr, a, n; at < end;) {
		if (own_range_at(p, at, &a, &n)) {
			at = a + n;
			continue;
		}
		uint64_t next = next_own_start(p, at, end);
		if (uva_holders(at, next - at))
			return false;
		at = next;
	}
	return true;
}

/* Whether the unmap a MAP_FIXED starts with clears [addr, end) in p's space: munmap leaves
 * the heap alone (brk owns it) and only unmaps pages of a region it does not cover whole (but
 * an mmap one, which it cuts); another process's region there (HVS) is not p's to replace. */
static bool unmap_clears(struct proc *p, uint64_t addr, uint64_t end)
{
	uint32_t mine = 0;
	for (int i = 0; i < p->att_end; i++) {
		rid_t att = p->att[i];
		uint64_t a, n;
		if (!att || !vattach_range(att, &a, &n) || end <= a || a + n <= addr)
			continue;
		bool whole = addr <= a && a + n <= end;
		if (att == p->heap_att ||
		    (!whole && vregion_kind(vattach_region(att)) != TRK_MMAP))
			return false;
		mine++;
	}
	return vspace_count_overlaps(p->vspace, addr, end - addr) == mine;
}

/* MAP_FIXED replaces whatever p has there, and fails, without changing anything, where it
 * could not: outside the user half, across UVA_BASE, over the heap, or over system-wide
 * addresses another process holds. *own_va: the mapping takes system-wide addresses (not
 * below UVA_BASE, not inside the program image, whose addresses serve as take_va says). */
static int check_fixed(struct proc *p, uint64_t addr, uint64_t size, bool *own_va)
{
	uint64_t end = addr + size;
	if ((addr & (PAGE_SIZE - 1)) || end > USER_TOP || end < addr || !addr)
		return -EINVAL;
	if (end > UVA_BASE && addr < UVA_BASE)
		return -EINVAL;
	if (!unmap_clears(p, addr, end))
		return -EEXIST;
	bool in_image = addr >= p->img_va && end <= p->img_va + p->img_span;
	*own_va = addr >= UVA_BASE && !in_image;
	return !*own_va || others_free(p, addr, end) ? 0 : -ENOMEM;
}

/* The MAP_FIXED mapping of region at addr: its addresses are taken before the old mappings
 * go (which lets go of p's old holds on them), so a failure leaves p as it was. */
static int map_fixed(struct proc *p, rid_t region, uint64_t addr, bool own_va, rid_t *att)
{
	uint64_t size = vregion_size(region);
	int err = own_va ? uva_take(addr, size) : 0;
	if (err)
		return err;
	if ((err = procmem_munmap(p, addr, size)) || (err = attach_region(p, region, addr, att))) {
		if (own_va)
			uva_free(addr, size);     /* only running out of room gets here */
	}
	return err;
}

/* The new mapping's region, filled from the plate (0: anonymous), before any old mapping
 * goes: a failure here leaves the process as it was. */
static int mmap_region(struct proc *p, uint64_t size, uint32_t vprot, rid_t plate,
		       uint64_t off, uint64_t len, rid_t *out)
{
	int err = procmem_region_get(size, TRK_MMAP, vprot | VR_W, kind_names[TRK_MMAP],
				     &p->cred, out);
	if (err)
		return err;
	if (plate && (err = fill_from_plate(*out, plate, off, len))) {
		procmem_region_drop(*out);
		return err;
	}
	/* nothing is mapped yet (file bytes went to the region), so the region's protection
	 * is all that decides the mappings made on first touch */
	vregion_set_prot(*out, vprot);
	return 0;
}

long procmem_mmap(struct proc *p, uint64_t addr, uint64_t len, uint32_t prot, uint32_t flags,
		  rid_t plate, uint64_t off)
{
	int err;
	if (!len || (off & (PAGE_SIZE - 1)))
		return -EINVAL;
	if (plate && (flags & L_MAP_SHARED) && (prot & L_PROT_WRITE))
		return -ENOTSUP;
	uint64_t size = (len + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	if (size > VREGION_MAX_SIZE || size < len)
		return -ENOMEM;
	bool data = (prot & L_PROT_WRITE) && !(flags & L_MAP_SHARED);
	bool fixed = flags & L_MAP_FIXED, own_va = false;
	rid_t region, att;
	if ((err = ulimit_mem_check(p, size, data)) ||
	    (fixed && (err = check_fixed(p, addr, size, &own_va))) ||
	    (err = mmap_region(p, size, prot_from_linux(prot), plate, off, len, &region)))
		return err;
	/* without MAP_FIXED, hints are ignored: addresses are system-wide */
	err = fixed ? map_fixed(p, region, addr, own_va, &att)
		    : add_region(p, region, TRK_MMAP, 0, &att);
	if (err) {
		procmem_region_drop(region);
		return err;
	}
	return (long)vattach_addr(att);
}

/* Give attachment att a region of its own in place of one it does not hold alone (text
 * pinned by its program, or a region attached elsewhere too): the same pages, shared
 * copy-on-write, so that what this process writes into it or unmaps from it changes only its
 * own copy, never the program's text or another process's memory. A system-wide region
 * (t_region_create) is shared by design: it stays, and may not become writable unless it
 * was made so (-EACCES). */
static int make_private(struct proc *p, rid_t att)
{
	rid_t region = vattach_region(att), copy;
	int err = res_validate(region, RT_VREGION);
	if (err)
		return err;
	if (vregion_home(region))
		return vregion_prot(region) & VR_W ? 0 : -EACCES;
	if (!vregion_pins(region) && vregion_nattach(region) <= 1)
		return 0;                             /* not pinned, attached only here */
	if ((err = vregion_create_like(region, &p->cred, &copy)))
		return err;
	if ((err = vregion_share(region, copy))) {
		vregion_delete(copy);
		return err;
	}
	err = vattach_replace_region(att, copy);
	procmem_region_drop(region);              /* the program (or the others) keep it */
	return err;
}

/* Split the mmap attachment in slot i at addr (inside it): the part from addr on becomes an
 * attachment and region of its own, with the same pages. */
static int split_att(struct proc *p, int i, uint64_t addr)
{
	rid_t att = p->att[i], region = vattach_region(att), tail, tail_att;
	uint64_t a = vattach_addr(att), size = vattach_size(att);
	int slot = att_slot(p), err;
	if (slot < 0)
		return -ENOMEM;
	/* the two parts will be let go of apart: the addresses (shared with fork children,
	 * perhaps) need a boundary there too */
	if ((err = uva_split(addr)) || (err = vregion_split(region, addr - a, &p->cred, &tail)))
		return err;
	vattach_resize(att, addr - a);
	/* the tail's pages are mapped already, at the same places: attaching remaps them */
	if ((err = vattach_create(p->vspace, tail, addr, true, &p->cred, &tail_att))) {
		vregion_unsplit(region, tail);
		vattach_resize(att, size);
		return err;
	}
	proc_att_used(p, slot);
	p->att[slot] = tail_att;
	return 0;
}

/* Make addr an attachment boundary if it falls inside an mmap attachment. */
static int cut_at(struct proc *p, uint64_t addr)
{
	for (int i = 0; i < p->att_end; i++) {
		rid_t att = p->att[i];
		if (!att || vregion_kind(vattach_region(att)) != TRK_MMAP)
			continue;
		uint64_t a = vattach_addr(att);
		if (addr > a && addr < a + vattach_size(att))
			return split_att(p, i, addr);
	}
	return 0;
}

static int munmap_atts(struct proc *p, uint64_t addr, uint64_t end)
{
	int err = cut_at(p, addr);
	if (err || (err = cut_at(p, end)))
		return err;
	for (int i = 0; i < p->att_end; i++) {
		rid_t att = p->att[i];
		if (!att || att == p->heap_att)
			continue;
		uint64_t a = vattach_addr(att), e = a + vattach_size(att);
		if (end <= a || addr >= e)
			continue;
		if (addr <= a && end >= e) {
			remove_att(p, i);
			continue;
		}
		uint64_t from = addr > a ? addr : a, to = end < e ? end : e;
		if ((err = make_private(p, att)))     /* never free pages others still map */
			return err;
		vattach_reprotect(att, from, to - from, 0);
		vregion_discard(vattach_region(att), from - a, to - from);
	}
	return 0;
}

int procmem_munmap(struct proc *p, uint64_t addr, uint64_t len)
{
	if ((addr & (PAGE_SIZE - 1)) || !len || addr + len < addr || addr + len > USER_TOP)
		return -EINVAL;
	uint64_t end = addr + ((len + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1));
	cputime_rss_sample(p);              /* the resident set may shrink now */
	int err = munmap_atts(p, addr, end);
	/* mmap takes ever new system-wide addresses: no tables are kept for the old ones */
	pt_prune_user(vspace_root(p->vspace), addr, end - addr);
	return err;
}

int procmem_mprotect(struct proc *p, uint64_t addr, uint64_t len, uint32_t prot)
{
	if ((addr & (PAGE_SIZE - 1)) || addr + len < addr || addr + len > USER_TOP)
		return -EINVAL;
	uint64_t end = addr + ((len + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1));
	rid_t att = vspace_find_att(p->vspace, addr);
	if (!att || end > vattach_addr(att) + vattach_size(att))
		return -ENOMEM;
	int err = cut_at(p, addr);                /* mmap areas get exact boundaries */
	if (err || (err = cut_at(p, end)))
		return err;
	att = vspace_find_att(p->vspace, addr);
	uint32_t vprot = prot_from_linux(prot);
	bool whole = addr == vattach_addr(att) && end == addr + vattach_size(att);
	/* writing, or a new protection for the whole region, must not reach a shared one */
	if (((vprot & VR_W) || (whole && vprot != vregion_prot(vattach_region(att)))) &&
	    (err = make_private(p, att)))
		return err;
	if (whole)
		vregion_set_prot(vattach_region(att), vprot);
	vattach_reprotect(att, addr, end - addr, vprot);
	return 0;
}
