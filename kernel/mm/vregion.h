/* Virtual regions: memory images (text, data, BSS, heap, stack, mmap) backed by physical
 * pages. A region exists on its own; it becomes visible when attached to a space. Pages are
 * allocated on first touch (demand-zero) unless written by the loader. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "abi/tessera.h"
#include "kernel/res/res.h"

#define NVREGION 32768      /* most at once (8 per process); the table grows in chunks */
#define VREGION_MAX_SIZE (1ul << 30)
/* protection bits of a region */
#define VR_R 1u
#define VR_W 2u
#define VR_X 4u

void vregion_init(void);
int vregion_create(uint64_t size, uint32_t kind, uint32_t prot, const char *name,
		   const struct cred *owner, rid_t *out);
/* The physical page backing page index idx; alloc: allocate a zero page if absent.
 * Returns 0 if absent (or out of memory when alloc). For reading only: the page may be
 * shared copy-on-write with other regions. */
uint64_t vregion_page(rid_t region, uint64_t idx, bool alloc);
/* The page idx for writing: allocated if absent, and if it is shared copy-on-write, copied
 * first (or just taken back when no other holder is left). Every write of the kernel into a
 * region page goes through here. *moved: a copy took the old page's place, so whatever
 * mapped the old page must map the new one (vspace_fault does it for the page it resolves). */
int vregion_page_for_write(rid_t region, uint64_t idx, uint64_t *pa, bool *moved);
/* Whether page idx is marked copy-on-write (to be mapped read-only until written). */
bool vregion_page_cow(rid_t region, uint64_t idx);
/* Share every resident page of from with to (same size, no pages yet): both mark them
 * copy-on-write, each page gets one more reference. The caller makes sure no writable
 * mapping of from's pages remains (vattach_write_protect). */
int vregion_share(rid_t from, rid_t to);
/* Called when a kernel write (vregion_write, vregion_copy) had to copy a shared page of an
 * attached region: the attach module unmaps the old page wherever the region is attached. */
void vregion_set_moved_hook(void (*hook)(rid_t region, uint64_t idx));
/* Call fn for every resident page (index, physical address) in index order; stops at and
 * returns the first non-zero result. */
int vregion_for_each_page(rid_t region, int (*fn)(void *ctx, uint64_t idx, uint64_t pa),
			  void *ctx);
/* The same for the pages marked hot (vregion_mark_hot): those some process has really used. */
int vregion_for_each_hot_page(rid_t region, int (*fn)(void *ctx, uint64_t idx, uint64_t pa),
			      void *ctx);
/* The same with each page's copy-on-write mark (cow: map it read-only). */
int vregion_for_each_mapping(rid_t region, bool hot_only,
			     int (*fn)(void *ctx, uint64_t idx, uint64_t pa, bool cow), void *ctx);
/* Make the allocated page pa page idx of the region (a slot still empty): the region takes
 * one more reference to it (pmm_share), dropped when it is deleted, so the page outlives the
 * region while its owner (an ICA, kernel/ipc/ica.h) keeps its own. -EEXIST if the slot is
 * taken, -EINVAL for a bad index, -ENOMEM without memory for the page list. */
int vregion_set_page(rid_t region, uint64_t idx, uint64_t pa);
/* Page idx was mapped on a fault: a process uses it. */
void vregion_mark_hot(rid_t region, uint64_t idx);
/* Copy n kernel bytes into the region at offset off (pages allocated as needed, shared ones
 * copied first). */
int vregion_write(rid_t region, uint64_t off, const void *src, uint64_t n);
uint64_t vregion_size(rid_t region);
/* A free-standing region (made by t_region_create) owns one system-wide address, its home,
 * and is attached there in every space; 0 for regions of processes. */
int vregion_make_home(rid_t region);
uint64_t vregion_home(rid_t region);
uint32_t vregion_prot(rid_t region);
uint32_t vregion_kind(rid_t region);
void vregion_set_prot(rid_t region, uint32_t prot);
/* Split region at byte offset off (page aligned, inside): a new region of the same kind and
 * protection takes the pages from off on, and region shrinks to off. Nothing is copied. */
int vregion_split(rid_t region, uint64_t off, const struct cred *owner, rid_t *tail);
/* Undo vregion_split: the tail's pages go back to the end of region, the tail is deleted. */
void vregion_unsplit(rid_t region, rid_t tail);
/* Copy every resident page of from into to (same size; pages of to are allocated). */
int vregion_copy(rid_t from, rid_t to);
/* Zero every resident page (a region taken back from the reusable-resource table); a page
 * still shared with another region is let go instead. */
void vregion_zero(rid_t region);
/* Let go of every page still shared with another region (a region kept for reuse keeps
 * only pages of its own, so the others' next writes need no copy). */
void vregion_drop_shared(rid_t region);
/* Free the pages of [off, off+len) (they read as zero again on next touch); a shared page
 * only loses this holder. */
void vregion_discard(rid_t region, uint64_t off, uint64_t len);
/* Attachment bookkeeping, by the attach module. */
void vregion_ref(rid_t region, int delta);
uint32_t vregion_nattach(rid_t region);
/* Holders that keep it though it may be attached nowhere (vregion_pin); resident pages. */
uint32_t vregion_pins(rid_t region);
uint64_t vregion_resident(rid_t region);
/* A new, empty region like region: the same size, kind, protection and name (a private
 * copy to be filled, or to share region's pages copy-on-write). */
int vregion_create_like(rid_t region, const struct cred *owner, rid_t *out);
/* A pinned region is kept by its holder (a program keeping its shared text) even when it is
 * attached nowhere: vregion_delete refuses it until unpinned. */
void vregion_pin(rid_t region, int delta);
/* Delete a region that is attached nowhere and not pinned (-EBUSY otherwise). */
int vregion_delete(rid_t region);
