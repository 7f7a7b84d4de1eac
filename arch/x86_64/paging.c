/* x86-64 page-table operations. The kernel half (PML4 256..511) is built once at boot and
 * shared by every space: new roots copy those entries, so kernel mappings never diverge. */
#include "arch/paging.h"
#include "arch/cpu.h"
#include "abi/errno.h"
#include "kernel/lib/kprintf.h"
#include "kernel/lib/string.h"
#include "kernel/mm/pmm.h"

extern uint64_t boot_pml4[512];
static uint64_t kernel_root;
uint64_t paging_active_root;                      /* what CR3 holds: table | pcid */
static bool pcid_supported, pcid_on;
static uint64_t stale[4096 / 64];          /* PCIDs whose TLB entries may be out of date */

#define CR4_PGE (1ul << 7)
#define CR4_PCIDE (1ul << 17)
#define CR3_NOFLUSH (1ul << 63)

static uint64_t read_cr4(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static void write_cr4(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

static void mark_stale(uint64_t root)
{
	uint16_t pcid = root & 0xfff;
	stale[pcid / 64] |= 1ul << (pcid % 64);
}

/* Does a change to root's mappings need an invlpg now (rather than a later PCID flush)? */
static bool change_is_live(uint64_t root, uint64_t va)
{
	if (va >= USER_TOP || (root & PTE_ADDR) == (paging_active_root & PTE_ADDR))
		return true;
	mark_stale(root);
	return false;
}

static uint64_t *table(uint64_t pa)
{
	return phys_to_virt(pa & PTE_ADDR);
}

void paging_init(void)
{
	kernel_root = (uint64_t)boot_pml4;        /* linked at its physical address */
	uint64_t *root = table(kernel_root);
	root[0] = 0;                              /* drop the boot identity map */
	/* every kernel-half slot gets its PDPT now, so later kernel mappings are shared */
	for (int i = 256; i < 512; i++) {
		if (root[i])
			continue;
		uint64_t pa = pmm_alloc();
		assert(pa);
		root[i] = pa | PTE_P | PTE_W;
	}
	uint32_t ecx;
	__asm__ volatile("cpuid" : "=c"(ecx) : "a"(1), "c"(0) : "ebx", "edx");
	pcid_supported = ecx & (1u << 17);
	write_cr4(read_cr4() | CR4_PGE);         /* kernel stacks are global mappings */
	paging_active_root = kernel_root;
	write_cr3(kernel_root);
	paging_set_pcid(pcid_supported);
}

bool paging_pcid_supported(void)
{
	return pcid_supported;
}

bool paging_pcid_enabled(void)
{
	return pcid_on;
}

int paging_set_pcid(bool on)
{
	if (on && !pcid_supported)
		return -ENOTSUP;
	/* CR4.PCIDE may only be set while the current PCID is 0: go through the kernel table,
	 * then back to the space that was active (the caller's) */
	uint64_t prev = paging_active_root;
	paging_active_root = kernel_root;
	write_cr3(kernel_root);
	uint64_t cr4 = read_cr4() & ~CR4_PCIDE;
	write_cr4(on ? cr4 | CR4_PCIDE : cr4);
	pcid_on = on;
	memset(stale, 0xff, sizeof(stale));
	pt_activate(prev);
	return 0;
}

uint64_t paging_kernel_root(void)
{
	return kernel_root;
}

uint64_t pt_create(uint16_t pcid)
{
	uint64_t pa = pmm_alloc();
	if (!pa)
		return 0;
	memcpy(table(pa) + 256, table(kernel_root) + 256, 256 * sizeof(uint64_t));
	mark_stale(pcid);                        /* entries of an earlier space with this PCID */
	return pa | (pcid & 0xfff);
}

static void free_level(uint64_t pa, int level)
{
	uint64_t *t = table(pa);
	if (level > 1)
		for (int i = 0; i < 512; i++)
			if ((t[i] & PTE_P) && !(t[i] & PTE_PS))
				free_level(t[i], level - 1);
	pmm_free(pa & PTE_ADDR);
}

void pt_destroy(uint64_t root)
{
	uint64_t *t = table(root);
	for (int i = 0; i < 256; i++)
		if (t[i] & PTE_P)
			free_level(t[i], 3);
	mark_stale(root);
	pmm_free(root & PTE_ADDR);
}

/* The PTE slot for va, creating intermediate tables when create is set. */
static uint64_t *walk(uint64_t root, uint64_t va, int create)
{
	uint64_t *t = table(root);
	for (int shift = 39; shift > 12; shift -= 9) {
		uint64_t *e = &t[(va >> shift) & 511];
		if (!(*e & PTE_P)) {
			if (!create)
				return NULL;
			uint64_t pa = pmm_alloc();
			if (!pa)
				return NULL;
			/* intermediate levels are permissive; leaf entries decide */
			*e = pa | PTE_P | PTE_W | (va < USER_TOP ? PTE_U : 0);
		}
		if (*e & PTE_PS)
			return NULL;
		t = table(*e);
	}
	return &t[(va >> 12) & 511];
}

int pt_map(uint64_t root, uint64_t va, uint64_t pa, uint64_t flags)
{
	uint64_t *e = walk(root, va, 1);
	if (!e)
		return -ENOMEM;
	*e = (pa & PTE_ADDR) | PTE_P | flags;
	if (change_is_live(root, va))
		invlpg(va);
	return 0;
}

int pt_prepare(uint64_t root, uint64_t va, uint64_t len)
{
	for (uint64_t a = va & ~(PAGE_SIZE - 1); a < va + len; a += PAGE_SIZE)
		if (!walk(root, a, 1))
			return -ENOMEM;
	return 0;
}

uint64_t pt_unmap(uint64_t root, uint64_t va)
{
	uint64_t *e = walk(root, va, 0);
	if (!e || !(*e & PTE_P))
		return 0;
	uint64_t pa = *e & PTE_ADDR;
	*e = 0;
	if (change_is_live(root, va))
		invlpg(va);
	return pa;
}

/* The page table (level-1) covering va, or NULL; *span gets the bytes to skip when absent. */
static uint64_t *leaf_table(uint64_t root, uint64_t va, uint64_t *span)
{
	uint64_t *t = table(root);
	for (int shift = 39; shift > 12; shift -= 9) {
		uint64_t e = t[(va >> shift) & 511];
		if (!(e & PTE_P) || (e & PTE_PS)) {
			*span = (1ul << shift) - (va & ((1ul << shift) - 1));
			return NULL;
		}
		t = table(e);
	}
	return t;
}

/* Replace every present entry e of [va, va+len) in root by change(e), flushing the TLB entry
 * where that changed a live translation. Missing tables are skipped whole. */
static void change_range(uint64_t root, uint64_t va, uint64_t len, uint64_t (*change)(uint64_t))
{
	bool active = change_is_live(root, va);
	uint64_t end = va + len, span = PAGE_SIZE;
	while (va < end) {
		uint64_t *t = leaf_table(root, va, &span);
		if (!t) {
			va += span;
			continue;
		}
		for (; va < end; va += PAGE_SIZE) {
			uint64_t *e = &t[(va >> 12) & 511], old = *e;
			if ((old & PTE_P) && (*e = change(old)) != old && active)
				invlpg(va);
			if (((va >> 12) & 511) == 511) {
				va += PAGE_SIZE;
				break;
			}
		}
	}
}

static uint64_t unmapped(uint64_t e)
{
	(void)e;
	return 0;
}

/* A writable entry becomes read-only and copy-on-write; others stay as they are. */
static uint64_t write_protected(uint64_t e)
{
	return e & PTE_W ? (e & ~PTE_W) | PTE_COW : e;
}

void pt_unmap_range(uint64_t root, uint64_t va, uint64_t len)
{
	change_range(root, va, len, unmapped);
}

void pt_cow_range(uint64_t root, uint64_t va, uint64_t len)
{
	change_range(root, va, len, write_protected);
}

static bool table_empty(const uint64_t *t)
{
	for (int i = 0; i < 512; i++)
		if (t[i])
			return false;
	return true;
}

/* Whether [a, a+span) lies inside [lo, hi), written so that nothing wraps. */
static bool span_inside(uint64_t a, uint64_t span, uint64_t lo, uint64_t hi)
{
	return a >= lo && a - lo <= hi - lo && span <= hi - a;
}

/* Frees the level-1 tables of pd (covering [base, base + 1 GiB)) that lie inside [lo, hi). */
static int release_level1(uint64_t *pd, uint64_t base, uint64_t lo, uint64_t hi)
{
	int freed = 0;
	for (uint64_t k = 0; k < 512; k++) {
		if (!(pd[k] & PTE_P) || (pd[k] & PTE_PS) || !span_inside(base + (k << 21), 1ul << 21,
									lo, hi))
			continue;
		if (!table_empty(table(pd[k])))
			panic("pt_release_tables: a page is still mapped at %#lx", base + (k << 21));
		pmm_free(pd[k] & PTE_ADDR);
		pd[k] = 0;
		freed++;
	}
	return freed;
}

void pt_release_tables(uint64_t root, uint64_t va, uint64_t len)
{
	uint64_t hi = va + len, *pml4 = table(root);
	int freed = 0;
	assert(va >= USER_TOP && hi >= va);
	for (uint64_t a = va & ~((1ul << 30) - 1); a < hi && a >= USER_TOP; a += 1ul << 30) {
		if (!(pml4[(a >> 39) & 511] & PTE_P))
			continue;
		uint64_t *e = &table(pml4[(a >> 39) & 511])[(a >> 30) & 511];
		if (!(*e & PTE_P) || (*e & PTE_PS))
			continue;
		freed += release_level1(table(*e), a, va, hi);
		if (span_inside(a, 1ul << 30, va, hi) && table_empty(table(*e))) {
			pmm_free(*e & PTE_ADDR);
			*e = 0;
			freed++;
		}
	}
	/* cached walks through the freed tables may sit under any PCID: changing CR4.PGE
	 * invalidates the TLB and the paging-structure caches of every PCID (SDM 4.10.4.1) */
	if (freed) {
		uint64_t cr4 = read_cr4();
		write_cr4(cr4 & ~CR4_PGE);
		write_cr4(cr4);
	}
}

/* After tables of root were freed: no TLB or paging-structure cache entry of its PCID may
 * refer to them. The active space reloads CR3 with a flush of its PCID; another is flushed
 * when next activated. */
static void flush_space(uint64_t root)
{
	if ((root & PTE_ADDR) != (paging_active_root & PTE_ADDR)) {
		mark_stale(root);
		return;
	}
	write_cr3(pcid_on ? paging_active_root : paging_active_root & PTE_ADDR);
}

/* Frees pd's level-1 tables that cover part of [lo, hi) and map nothing. */
static int prune_pd(uint64_t *pd, uint64_t base, uint64_t lo, uint64_t hi)
{
	int freed = 0;
	for (uint64_t a = lo > base ? lo & ~((1ul << 21) - 1) : base;
	     a < hi && a < base + (1ul << 30); a += 1ul << 21) {
		uint64_t *e = &pd[(a >> 21) & 511];
		if ((*e & PTE_P) && !(*e & PTE_PS) && table_empty(table(*e))) {
			pmm_free(*e & PTE_ADDR);
			*e = 0;
			freed++;
		}
	}
	return freed;
}

/* Frees pdpt's tables under [lo, hi) that map nothing once their empty children are gone. */
static int prune_pdpt(uint64_t *pdpt, uint64_t base, uint64_t lo, uint64_t hi)
{
	int freed = 0;
	for (uint64_t a = lo > base ? lo & ~((1ul << 30) - 1) : base;
	     a < hi && a < base + (1ul << 39); a += 1ul << 30) {
		uint64_t *e = &pdpt[(a >> 30) & 511];
		if (!(*e & PTE_P) || (*e & PTE_PS))
			continue;
		freed += prune_pd(table(*e), a, lo, hi);
		if (table_empty(table(*e))) {
			pmm_free(*e & PTE_ADDR);
			*e = 0;
			freed++;
		}
	}
	return freed;
}

void pt_prune_user(uint64_t root, uint64_t va, uint64_t len)
{
	uint64_t hi = va + len, *pml4 = table(root);
	int freed = 0;
	if (!len || hi < va || hi > USER_TOP)
		return;
	for (uint64_t a = va & ~((1ul << 39) - 1); a < hi; a += 1ul << 39) {
		uint64_t *e = &pml4[(a >> 39) & 511];
		if (!(*e & PTE_P))
			continue;
		freed += prune_pdpt(table(*e), a, va, hi);
		if (table_empty(table(*e))) {
			pmm_free(*e & PTE_ADDR);
			*e = 0;
			freed++;
		}
	}
	if (freed)
		flush_space(root);
}

uint64_t pt_lookup(uint64_t root, uint64_t va)
{
	uint64_t *e = walk(root, va, 0);
	return e && (*e & PTE_P) ? *e : 0;
}

bool pt_test_clear_dirty(uint64_t root, uint64_t va)
{
	uint64_t *e = walk(root, va, 0);
	if (!e || (*e & (PTE_P | PTE_D)) != (PTE_P | PTE_D))
		return false;
	*e &= ~PTE_D;
	if (change_is_live(root, va))
		invlpg(va);
	return true;
}

bool pt_protect(uint64_t root, uint64_t va, uint64_t flags)
{
	uint64_t *e = walk(root, va, 0);
	if (!e || !(*e & PTE_P))
		return false;
	*e = (*e & PTE_ADDR) | PTE_P | flags;
	if (change_is_live(root, va))
		invlpg(va);
	return true;
}

static uint64_t count_level(uint64_t pa, int level)
{
	uint64_t n = 1, *t = table(pa);
	if (level > 1)
		for (int i = 0; i < 512; i++)
			if ((t[i] & PTE_P) && !(t[i] & PTE_PS))
				n += count_level(t[i], level - 1);
	return n;
}

uint64_t pt_count_tables(uint64_t root)
{
	uint64_t n = 1, *t = table(root);
	for (int i = 0; i < 256; i++)
		if (t[i] & PTE_P)
			n += count_level(t[i], 3);
	return n;
}

void pt_activate(uint64_t root)
{
	if (root == paging_active_root)
		return;                          /* same space: no reload, no TLB flush */
	paging_active_root = root;
	if (!pcid_on) {
		write_cr3(root & PTE_ADDR);
		return;
	}
	uint16_t pcid = root & 0xfff;
	uint64_t bit = 1ul << (pcid % 64);
	uint64_t keep = stale[pcid / 64] & bit || pcid == PCID_SHARED ? 0 : CR3_NOFLUSH;
	stale[pcid / 64] &= ~bit;
	write_cr3(root | keep);
}

uint64_t pt_active(void)
{
	return paging_active_root;
}
