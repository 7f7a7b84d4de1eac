/* Virtual user spaces and virtual kernel spaces (Tender): a region attached to a space at an
 * address, user-accessible or kernel-only. Attaching maps the region's resident pages;
 * detaching unmaps them and deletes the attachment resource. Nothing is copied. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "abi/tessera.h"
#include "kernel/res/res.h"

#define NVATTACH 32768      /* user attachments at once (8 per process); grows in chunks */
#define NVATTACH_KERNEL 512  /* kernel attachments (a fixed table) */

void vattach_init(void);
/* Attach region at addr (page aligned) in space. -EEXIST on overlap. */
int vattach_create(rid_t space, rid_t region, uint64_t addr, bool user, const struct cred *owner,
		   rid_t *out);
/* The same, user-accessible, mapping now only the pages some process has touched before
 * (the rest when first touched): for shared text, whose size should not show in the time to
 * start a program while the code programs really run stays mapped at once. */
int vattach_create_hot(rid_t space, rid_t region, uint64_t addr, const struct cred *owner,
		       rid_t *out);
/* The same mapping nothing now, every page as it is touched: for a fork child, which
 * often touches few of its pages before it exits or changes program. */
int vattach_create_lazy(rid_t space, rid_t region, uint64_t addr, const struct cred *owner,
			rid_t *out);

int vattach_delete(rid_t att);
/* Move an attachment to another space at the same address: unmapped from the old one, mapped
 * in the new one as pages are touched. The caller has checked that it fits there (no
 * overlap, room in the list); the attachment keeps its id. */
void vattach_move(rid_t att, rid_t space);
/* Mark an attachment as free-standing (made by t_region_attach, not part of a process):
 * only those can be deleted through the uniform interface. */
void vattach_set_standalone(rid_t att);
bool vattach_standalone(rid_t att);
/* After its region was split (or joined again): the attachment covers size bytes. */
void vattach_resize(rid_t att, uint64_t size);
rid_t vattach_region(rid_t att);
rid_t vattach_space(rid_t att);
uint64_t vattach_addr(rid_t att);
uint64_t vattach_size(rid_t att);
/* Both at once (one lookup: loops over many attachments use this). False for a bad id. */
bool vattach_range(rid_t att, uint64_t *addr, uint64_t *size);
bool vattach_user(rid_t att);
/* A page of the attachment at va was mapped (by a fault): detaching or moving it unmaps
 * only the range where pages were ever mapped. */
void vattach_note_mapped(rid_t att, uint64_t va);
/* Page-table flags for the attachment's pages. */
uint64_t vattach_pte_flags(rid_t att, bool writable_override);
/* The flags a page gets: a copy-on-write page (cow) is mapped read-only, marked PTE_COW
 * where it would be writable, so that a write fault copies it. */
uint64_t vattach_cow_flags(uint64_t flags, bool cow);
/* Re-apply the region's protection to the mapped pages of [addr, addr+len). */
void vattach_reprotect(rid_t att, uint64_t addr, uint64_t len, uint32_t prot);
/* The region's pages were just shared copy-on-write: every writable mapping of the
 * attachment becomes read-only (PTE_COW), the TLB following. */
void vattach_write_protect(rid_t att);
/* The attachment shows region (same size) in place of its own: the old one is unmapped and
 * loses this attachment, the new one's pages are mapped (the old region is the caller's to
 * drop). -ENOMEM if mapping failed: the pages are then mapped as they are touched. */
int vattach_replace_region(rid_t att, rid_t region);
