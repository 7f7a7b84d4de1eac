/* Kernel heap for small objects (up to one page), carved from physical pages; and short-lived
 * buffers of a few pages (kbig_*: a call's argument array, such as poll's descriptors). */
#pragma once
#include <stddef.h>

void *kmalloc(size_t size);    /* NULL when out of memory or size > 4096 */
void *kzalloc(size_t size);
void kfree(void *p);           /* p may be NULL */

#define KBIG_MAX (64u << 10)    /* bytes a kbig buffer may have */
/* size bytes (up to KBIG_MAX): kmalloc's up to a page, a run of contiguous pages above (the
 * pool kernel/mm/contig.h keeps); NULL when out of memory or too big. Freed by kbig_free
 * with the same size. */
void *kbig_alloc(size_t size);
void kbig_free(void *p, size_t size);
