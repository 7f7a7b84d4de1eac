/* Virtual spaces: address spaces, i.e. translation tables. A space exists independently of
 * processes and may hold zero, one or many of them (HVS). Regions become visible in a space
 * through attachments (vattach.h). */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "abi/tessera.h"
#include "kernel/res/res.h"

/* Most spaces at once: one per process (NPROC) and some to spare; the table grows in chunks
 * (res.h), and spaces past PCID_SHARED - 1 share a PCID that is flushed on every switch. */
#define NVSPACE (4096 + 64)
#define VSPACE_MAX_ATT 1024

void vspace_init(void);
int vspace_create(const char *name, uint32_t mode, const struct cred *owner, rid_t *out);
/* Delete an empty space (no processes, no attachments): -EBUSY otherwise. */
int vspace_delete(rid_t space);
uint64_t vspace_root(rid_t space);
/* A transient space was made for one process: it is deleted as soon as it holds no process
 * and nothing attached. Spaces made with vmcreate persist until deleted. */
void vspace_set_transient(rid_t space);
/* Consulted before a transient space left empty is deleted: returning true keeps it (the
 * reusable-resource table takes it; it is no longer transient then). */
void vspace_set_release_hook(bool (*hook)(rid_t space));
/* Process membership count, kept by the process module. A transient space whose last
 * process leaves (and that holds no other attachment) is deleted here. */
void vspace_proc_ref(rid_t space, int delta);
uint32_t vspace_nprocs(rid_t space);
/* Attachment list, kept by the attach module. */
int vspace_add_att(rid_t space, rid_t att);
/* Whether n more attachments fit in the space's list. */
bool vspace_has_room(rid_t space, uint32_t n);
void vspace_remove_att(rid_t space, rid_t att);
/* The attachment covering addr, or 0. */
rid_t vspace_find_att(rid_t space, uint64_t addr);
/* Whether [addr, addr+size) overlaps an attachment of the space. */
bool vspace_overlaps(rid_t space, uint64_t addr, uint64_t size);
/* How many attachments of the space overlap [addr, addr+size). */
uint32_t vspace_count_overlaps(rid_t space, uint64_t addr, uint64_t size);
/* Resolve a fault at addr: map the region page (demand-zero), or give a write to a
 * copy-on-write page its own copy. 0, or -EFAULT if no attachment covers it or the access is
 * not allowed (a write to a present page not marked PTE_COW is never allowed here). */
int vspace_fault(rid_t space, uint64_t addr, bool write, bool user);
