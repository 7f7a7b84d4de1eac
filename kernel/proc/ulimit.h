/*
 * Limits on what one user may take, so that no user can starve the others or root (Linux's
 * resource limits, and a reserve only root may use):
 *  - each process has Linux's rlimits (struct proc's rlim, inherited by fork and spawn);
 *    RLIMIT_NPROC counts the processes of a real uid (zombies too, as Linux), RLIMIT_NOFILE
 *    bounds the descriptors (struct fdtable's limit), RLIMIT_AS and RLIMIT_DATA bound the
 *    address space and the private writable memory that mmap, brk and region creation add;
 *  - processes of users other than root may not take the last ULIMIT_RESERVE_DIV-th of the
 *    physical pages (pmm's reserve; at least ULIMIT_RESERVE_MIN pages), nor the last eighth
 *    of any resource table (res.c), so root can still start programs when a user has
 *    flooded the system.
 * uid 0 is exempt from RLIMIT_NPROC and from the reserves, as Linux exempts root from
 * RLIMIT_NPROC; its other limits apply to it too.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "abi/linux.h"
#include "kernel/proc/proc.h"

#define ULIMIT_NPROC_DEFAULT (NPROC / 2)   /* Linux: half of what the system can hold */
#define ULIMIT_RESERVE_DIV 32              /* pages kept for root: 1/32 of RAM ... */
#define ULIMIT_RESERVE_MIN 256             /* ... and at least 1 MiB */
#define ULIMIT_USERS 64                    /* distinct non-root uids with live processes */

/* Registers the page reserve with the page allocator (after memory is known). */
void ulimit_init(void);
/* p's limits at its creation: its parent's (fork, vfork, spawn), or the defaults (init). */
void ulimit_inherit(struct proc *p, const struct proc *parent);

/* Count a new process of creator's uid (NULL: the kernel's first process, root's) against
 * creator's RLIMIT_NPROC: -EAGAIN when that uid has as many as the limit allows. */
int ulimit_nproc_charge(const struct proc *creator);
/* The process-table entry of a process of uid was freed. */
void ulimit_nproc_uncharge(uint32_t uid);
/* A process's real uid changes from `from` to `to`: its count moves along (-EAGAIN if no
 * uid slot is free; nothing changes then). */
int ulimit_uid_move(uint32_t from, uint32_t to);

/* Linux prlimit64 on p by the caller by (already checked: res < L_RLIMIT_NLIMITS, nl->cur <=
 * nl->max). old (may be NULL) gets the limit before the change; nl (may be NULL) is the new
 * one. -EPERM for another user's process, or for raising a hard limit without being root. */
int ulimit_prlimit(struct proc *p, const struct cred *by, uint32_t res,
		   const struct linux_rlimit *nl, struct linux_rlimit *old);

/* May p add `bytes` of address space (data: private writable memory, RLIMIT_DATA too)?
 * -ENOMEM beyond RLIMIT_AS or RLIMIT_DATA, or, for a user other than root, when that much
 * memory could not be had without dipping into root's reserve. */
int ulimit_mem_check(const struct proc *p, uint64_t bytes, bool data);
