/* x86-64 4-level page tables: the translation tables behind virtual spaces. Physical memory
 * is reached through the direct map at PHYS_BASE. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define PAGE_SIZE 4096ul
#define PHYS_BASE 0xffff800000000000ul       /* direct map of physical memory */
#define KSTACK_AREA 0xffffff0000000000ul     /* PML4[510]: kernel stacks, guard-paged */
#define TABLE_AREA 0xffffff4000000000ul      /* PML4[510], upper half: growing resource tables */
#define VMAP_AREA 0xfffffe8000000000ul       /* PML4[509]: contiguous views of scattered pages
					      * (kernel/mm/vmap.h) */
#define VMAP_AREA_SIZE (64ul << 30)
#define USER_TOP 0x0000800000000000ul
/* PCIDs 1..PCID_SHARED-1 belong to one space each; spaces beyond share PCID_SHARED, whose
 * entries are flushed on every switch to it (so sharing it is safe, only slower). */
#define PCID_SHARED 4095

#define PTE_P 0x1ul
#define PTE_W 0x2ul
#define PTE_U 0x4ul
#define PTE_PWT 0x8ul
#define PTE_PCD 0x10ul                        /* uncached: device memory */
#define PTE_A 0x20ul                          /* accessed: set by the CPU */
#define PTE_D 0x40ul                          /* dirty: set by the CPU on a write */
#define PTE_PS 0x80ul
#define PTE_G 0x100ul                         /* global: kept across address-space switches */
#define PTE_COW 0x200ul                       /* software bit: read-only for now, writable
					       * once its shared page is copied */
#define PTE_NX (1ul << 63)
#define PTE_ADDR 0x000ffffffffff000ul

static inline void *phys_to_virt(uint64_t pa)
{
	return (void *)(pa + PHYS_BASE);
}
static inline uint64_t virt_to_phys(const void *va)
{
	return (uint64_t)va - PHYS_BASE;
}

/*
 * A translation-table root is handled as a 64-bit value: the physical address of the PML4
 * plus, in the low 12 bits, the process-context identifier (PCID) of its space. With PCID
 * on, switching spaces keeps each space's TLB entries; changes made to a space that is not
 * active mark its PCID stale, and the next switch to it flushes exactly that PCID.
 */
void paging_init(void);
/* Whether the CPU has PCID, and turning its use on or off (for measurements). */
bool paging_pcid_supported(void);
bool paging_pcid_enabled(void);
int paging_set_pcid(bool on);
/* The kernel's own table (kernel half only); new spaces copy its upper half. */
uint64_t paging_kernel_root(void);
/* What CR3 holds (table | pcid), as pt_active returns it; read directly on the Smode switch
 * fast path (kernel/proc/runmode.c), which may call nothing. */
extern uint64_t paging_active_root;
/* A new top-level table with the kernel half, tagged with pcid (1..4095); 0 when out of
 * memory. */
uint64_t pt_create(uint16_t pcid);
/* Free every user-half table page (not the mapped pages) and the root. */
void pt_destroy(uint64_t root);
/* Map one 4 KiB page; -ENOMEM if a table page cannot be had. flags: PTE_W|PTE_U|PTE_NX. */
int pt_map(uint64_t root, uint64_t va, uint64_t pa, uint64_t flags);
/* Create the intermediate tables for [va, va+len) now (kernel areas whose tables must
 * never be allocated later). */
int pt_prepare(uint64_t root, uint64_t va, uint64_t len);
/* Unmap; returns the physical address that was mapped, or 0. */
uint64_t pt_unmap(uint64_t root, uint64_t va);
/* Unmap every page of [va, va+len), skipping absent tables quickly; calls fn (if not NULL)
 * with each physical page that was mapped. */
void pt_unmap_range(uint64_t root, uint64_t va, uint64_t len);
/* Every writable page of [va, va+len) becomes read-only and marked PTE_COW (pages now
 * shared copy-on-write), the TLB following. */
void pt_cow_range(uint64_t root, uint64_t va, uint64_t len);
/* The PTE for va, or 0 if not mapped. */
uint64_t pt_lookup(uint64_t root, uint64_t va);
/* Free the page tables (levels 1 and 2) of the kernel-half range [va, va+len) whose whole
 * span lies inside it, all their entries being unmapped already; the PML4 slots' own tables
 * stay (every space shares them). The caller guarantees that nothing maps or walks in the
 * range meanwhile. Afterwards no TLB or paging-structure cache of any PCID refers to them. */
void pt_release_tables(uint64_t root, uint64_t va, uint64_t len);
/* Free the user page tables (every level) that cover part of [va, va+len) and map nothing,
 * after an unmap: a long-lived process that maps ever new addresses (a server passed ICAs,
 * mmap/munmap) would otherwise keep a table for each. The caller holds no PTE pointer. */
void pt_prune_user(uint64_t root, uint64_t va, uint64_t len);
/* Whether the page at va was written since the last call (its dirty bit, which is cleared,
 * the TLB following): how a migration's pre-copy finds pages to send again. */
bool pt_test_clear_dirty(uint64_t root, uint64_t va);
/* Change the flags of a mapped page; false if not mapped. */
bool pt_protect(uint64_t root, uint64_t va, uint64_t flags);
/* Count of table pages below root, for statistics. */
uint64_t pt_count_tables(uint64_t root);
void pt_activate(uint64_t root);
uint64_t pt_active(void);
