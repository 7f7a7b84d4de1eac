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
	write_cr3(kernel_root);
}

uint64_t paging_kernel_root(void)
{
	return kernel_root;
}

uint64_t pt_create(void)
{
	uint64_t pa = pmm_alloc();
	if (!pa)
		return 0;
	memcpy(table(pa) + 256, table(kernel_root) + 256, 256 * sizeof(uint64_t));
	return pa;
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
	pmm_free(root);
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
	if (root == pt_active() || va >= USER_TOP)
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
	if (root == pt_active() || va >= USER_TOP)
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

void pt_unmap_range(uint64_t root, uint64_t va, uint64_t len)
{
	bool active = root == pt_active() || va >= USER_TOP;
	uint64_t end = va + len, span = PAGE_SIZE;
	while (va < end) {
		uint64_t *t = leaf_table(root, va, &span);
		if (!t) {
			va += span;
			continue;
		}
		for (; va < end; va += PAGE_SIZE) {
			uint64_t *e = &t[(va >> 12) & 511];
			if (*e & PTE_P) {
				*e = 0;
				if (active)
					invlpg(va);
			}
			if (((va >> 12) & 511) == 511) {
				va += PAGE_SIZE;
				break;
			}
		}
	}
}

uint64_t pt_lookup(uint64_t root, uint64_t va)
{
	uint64_t *e = walk(root, va, 0);
	return e && (*e & PTE_P) ? *e : 0;
}

bool pt_protect(uint64_t root, uint64_t va, uint64_t flags)
{
	uint64_t *e = walk(root, va, 0);
	if (!e || !(*e & PTE_P))
		return false;
	*e = (*e & PTE_ADDR) | PTE_P | flags;
	if (root == pt_active())
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
	if (read_cr3() != root)
		write_cr3(root);
}

uint64_t pt_active(void)
{
	return read_cr3() & PTE_ADDR;
}
