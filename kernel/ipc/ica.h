/*
 * ICAs (inter-core communication areas, AnT; abi/srv.h): resources of type RT_ICA, each n
 * physically contiguous pages from the pool of contiguous runs (kernel/mm/contig.h), zeroed
 * at creation, with one system-wide virtual address for life (kernel/mm/uva.h). An ICA has
 * one holder: a process, the kernel, or a request in flight (ICA_TRANSIT). It is attached
 * read-write in at most its holder's space; the attachment shows a region that the ICA owns
 * and that holds one more reference to each page, so the region code never frees them.
 * Passing an ICA in a request (kernel/ipc/srv.c) lends it: the receiving server holds it
 * "on loan" and may neither pass it on nor delete it; the result gives it back.
 * Limits: a user other than root may hold ICAs of at most a quarter of the pool (counted
 * against the uid that created them, wherever they are); root may take all but the last
 * eighth, which is the kernel's.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "abi/srv.h"
#include "kernel/res/res.h"

#define NICA 1024
#define ICA_KERNEL (-1)        /* holder: the kernel (reaches it through its direct map) */
#define ICA_TRANSIT (-2)       /* holder: a request or result in flight */

struct proc;

/* Sets aside the pool (1/16 of RAM, 4 MiB .. 64 MiB) and registers the table. */
void ica_init(void);
/* A new ICA of pages pages held by p and attached in its space at its own address. flags
 * must be 0. -EINVAL bad size or flags, -ENOMEM no run that long free or beyond the
 * user's share of the pool (as RLIMIT_AS says ENOMEM), -ENFILE table full. */
int ica_create(uint64_t pages, uint32_t flags, struct proc *p, struct t_ica *out);
/* Attach an ICA p holds in p's space at addr (0: where it is attached now, else its own
 * address). Attached there already: nothing to do (so addr 0 also asks where it is). -EBUSY attached elsewhere (detach first), -EEXIST the range collides with
 * something in the space (or another process holds those system-wide addresses), -EINVAL a
 * bad address, -EACCES p does not hold it. */
int ica_attach(rid_t ica, struct proc *p, uint64_t addr, struct t_ica *out);
/* Detach an ICA p holds (it stays p's). Detached already: nothing to do. */
int ica_detach(rid_t ica, struct proc *p);
/* For the kernel's own clients (the /dev/vda code): an ICA held by the kernel, its pages
 * reachable at *kva. ica_free_kernel deletes it, or, while it is lent out in a request,
 * marks it to be deleted when the result brings it back. */
int ica_create_kernel(uint64_t pages, rid_t *out, void **kva);
void ica_free_kernel(rid_t ica);
/* The physical address of an ICA pid holds (ICA_KERNEL: the kernel): -EACCES unless pid
 * holds it, -EINVAL / -ESTALE for a bad or stale id. The device-claim rule is the caller's. */
int ica_phys_of(rid_t ica, int pid, uint64_t *pa);

/* For the request code (srv.c). 0 if holder holds ica and may pass it on; -EINVAL not an
 * ICA, -ESTALE gone, -EACCES another holder's, -EBUSY on loan to holder. */
int ica_check_pass(rid_t ica, int holder);
/* The ICA goes in flight (holder ICA_TRANSIT). It stays attached if it is attached in
 * keep_space (the receiver's space is the sender's: nothing to unmap), else it is detached. */
void ica_lend(rid_t ica, rid_t keep_space);
/* An ICA in flight arrives at pid (ICA_KERNEL: the kernel) whose space is space: attached
 * there at its own address unless it is attached there already; loan: the receiver holds it
 * on loan (a server), else it is the receiver's own again. *addr: where it is attached, 0 if
 * not (the kernel, or attaching failed for want of memory: the holder may attach it later).
 * An ICA freed by the kernel while in flight (ica_free_kernel) is deleted here instead. */
void ica_arrive(rid_t ica, int pid, rid_t space, bool loan, uint64_t *addr);
/* An ICA its holder has on loan becomes its own (a replacement's state ICAs at the commit). */
void ica_settle(rid_t ica);
/* Its length in pages (0 for a bad id). */
uint64_t ica_pages(rid_t ica);
/* Delete an ICA whatever its holder (its owner died): detached, pages back to the pool. */
void ica_drop(rid_t ica);
/* Delete every ICA pid holds that is not on loan; on-loan ones the caller has returned. */
void ica_proc_exit(int pid);
/* Whether pid holds an ICA (its own or on loan). */
bool ica_holds_any(int pid);
