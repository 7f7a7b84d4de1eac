/*
 * The network server's state heap: a page allocator laid over one mapping of state memory
 * (srv_smap), its bookkeeping inside the mapping itself, so that the stack's every
 * allocation (socket table, ARP cache, loopback queue, socket buffers) moves with the mapping
 * to a replacement server and stays at its address (docs/replacement.md). The state has at
 * most T_REPL_MAX_STATE pieces, so the stack's thousands of buffers cannot each be one; and
 * the C heap is the program's, which a successor does not get.
 *
 * Page-granular first fit over a bitmap; the caller gives the size back at free (the stack
 * always knows it). Pages never handed out are still the mapping's zero pages and are not
 * touched to zero them, so the heap is resident only up to its high-water mark. No system
 * call: the host tests run it.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHEAP_PAGE 4096u
#define SHEAP_MAGIC 0x50414548u         /* "HEAP" */

struct sheap {
	uint32_t magic;
	uint32_t npages;                /* pages of the region, bookkeeping included */
	uint32_t first;                 /* the first page that can be handed out */
	uint32_t used;                  /* pages handed out */
	uint32_t fresh;                 /* pages from here on were never handed out: zero */
	uint32_t hint;                  /* where the next search starts */
	uint32_t peak;                  /* most pages ever out at once */
	uint32_t reserved;
	uint64_t bits[];                /* one per page, 1: handed out (or bookkeeping) */
};

/* Lays a heap over [mem, mem + bytes): page-aligned, zeroed (a fresh mapping), at least
 * four pages. NULL if it is not. */
struct sheap *sheap_init(void *mem, size_t bytes);
/* bytes of memory, page-aligned, zeroed if zero says so (pages never handed out are zero
 * anyway; not zeroing a reused page leaves it as untouched as it was); NULL when no run of
 * free pages is long enough. */
void *sheap_alloc(struct sheap *h, size_t bytes, bool zero);
/* Gives back what sheap_alloc gave for bytes; anything else (not from this heap, not in
 * use) is ignored and returns -1, else 0. */
int sheap_free(struct sheap *h, void *p, size_t bytes);
