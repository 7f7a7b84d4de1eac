/* Moving a process between virtual spaces (HVS): its regions are detached from the old space
 * and attached to the new one at the same addresses; no page is copied and the process
 * continues where it was, whatever its state. */
#pragma once
#include "kernel/proc/proc.h"

/* Needs TOP_MOVE on the process and TOP_USE on the target space. -EEXIST if one of its
 * regions would collide with something already in the target (nothing changes then), -EBUSY
 * while it holds a device claim (its device registers are mapped where it claimed them). */
int proc_move(struct proc *p, rid_t space, const struct cred *cred);
/* A space of p's own (transient: it goes when p leaves it): an empty one from the
 * reusable-resource table when there is one, else a new one. */
int proc_space_new(struct proc *p, rid_t *out);
/* Registers empty transient spaces with the reusable-resource table. */
void proc_space_init(void);
