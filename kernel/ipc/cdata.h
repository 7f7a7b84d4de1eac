/*
 * The data path of containers: how a message's bytes get from the sender into kernel memory
 * and from there to the receiver. Everything that touches message content is here, so a
 * copy-less variant (remapping the pages instead of copying them) can replace this module
 * without touching the queueing in cbox.c.
 *
 * Today the content is copied: a message of up to CDATA_SMALL bytes lives in one kmalloc
 * object, a bigger one in whole physical pages from the page allocator.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "abi/tessera.h"

#define CDATA_SMALL 4080u                                  /* kmalloc's largest object */
#define CDATA_PAGES ((CONTAINER_MAX + 4095u) / 4096u)

struct cdata {
	uint32_t size;
	void *small;                       /* size <= CDATA_SMALL: the bytes (NULL if size 0) */
	uint64_t pages[CDATA_PAGES];       /* bigger: physical pages, 4096 bytes each */
};

/* Takes size bytes from the caller's ubuf into kernel memory. On error (-EFAULT, -ENOMEM)
 * nothing stays allocated. size must be <= CONTAINER_MAX. */
int cdata_from_user(struct cdata *d, const void *ubuf, size_t size);
/* Gives the content to the caller's ubuf (which holds at least d->size bytes); -EFAULT if
 * ubuf is not writable. The content stays (the caller frees it once it is delivered). */
int cdata_to_user(const struct cdata *d, void *ubuf);
void cdata_free(struct cdata *d);
