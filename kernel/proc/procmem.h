/* A process's memory: the regions it has attached to its space (text, data, BSS, heap, stack,
 * mmaps), and the calls that change them (brk, mmap, munmap, mprotect). */
#pragma once
#include <stdint.h>
#include "kernel/proc/proc.h"

#define STACK_SIZE (8ul << 20)
#define HEAP_MAX (256ul << 20)
#define STACK_GUARD (64ul << 10)    /* unmapped addresses below every stack */

/* A region for a process: taken back from the reusable-resource table (zeroed, re-owned) when
 * one of this kind and size is there, else made new. */
int procmem_region_get(uint64_t size, uint32_t kind, uint32_t prot, const char *name,
		       const struct cred *owner, rid_t *out);
/* A process region attached nowhere any more: kept for reuse, or deleted. */
void procmem_region_drop(rid_t region);
void procmem_init(void);
/* Create a region, attach it at addr (0: a fresh system-wide address) and record it. A given
 * addr in the system-wide range is taken there too: -ENOMEM if another process holds it. */
int procmem_add(struct proc *p, uint64_t size, uint32_t kind, uint32_t prot, uint64_t addr,
		rid_t *att_out);
/* The same for a process arriving from another node (kernel/proc/migrate_in.c), at exactly
 * addr: its system-wide addresses are taken with one more holder, as a fork child takes its
 * parent's, since they were its own where it came from (each node hands out addresses from
 * a slice of its own, so they are free here unless a relative of it came too). */
int procmem_add_arrived(struct proc *p, uint64_t size, uint32_t kind, uint32_t prot,
			uint64_t addr, rid_t *att_out);
/* The system-wide address range that attachment att of p holds (its own, freed with it):
 * false when it has none (a fixed address, or a part of its program image). */
bool procmem_va_range(struct proc *p, rid_t att, uint64_t *addr, uint64_t *size);
/* The same for an attachment of this kind at [*addr, *addr + *size), before it exists. */
bool procmem_va_range_of(struct proc *p, uint32_t kind, uint64_t *addr, uint64_t *size);
/* Detach the process's attachment in slot i (its region goes to reuse or away). */
void procmem_unmap_att(struct proc *p, int i);
/* The memory of from (its regions, heap and image range) becomes to's, beside regions to
 * mapped itself: a vfork parent killed while its child runs on that memory (proc_vfork).
 * -ENOMEM when to has no room for them, -EBUSY if it has a heap or image of its own; then
 * nothing changed. */
int procmem_give(struct proc *from, struct proc *to);
/* Live server replacement (kernel/ipc/srvrepl.c): the attachment of p that is exactly the
 * mapping [addr, addr + len), if it is one that may go to another process (an anonymous or
 * file mmap at system-wide addresses of its own), else 0. */
rid_t procmem_passable(struct proc *p, uint64_t addr, uint64_t len);
/* Attachment att of from becomes to's, at the same address in to's space (its pages mapped
 * there as they are touched, none copied). -ENOENT not from's, -ENOMEM no slot in to. */
int procmem_pass(struct proc *from, rid_t att, struct proc *to);
/* Free attachment slots of p. */
int procmem_free_slots(const struct proc *p);
/* Detach and delete every region of the process. */
void procmem_release(struct proc *p);
int procmem_setup_heap(struct proc *p);
long procmem_brk(struct proc *p, uint64_t want);
/* mmap of len bytes of plate from off (plate 0: anonymous memory). With MAP_FIXED, what p
 * had at [addr, addr+len) is replaced, or left as it was when the mapping cannot be made
 * (but for running out of memory or table room after the old mapping went). */
long procmem_mmap(struct proc *p, uint64_t addr, uint64_t len, uint32_t prot, uint32_t flags,
		  rid_t plate, uint64_t off);
int procmem_munmap(struct proc *p, uint64_t addr, uint64_t len);
int procmem_mprotect(struct proc *p, uint64_t addr, uint64_t len, uint32_t prot);
