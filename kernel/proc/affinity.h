/* Linux's processor affinity (sched_getaffinity, sched_setaffinity) on Tessera's one
 * processor: every thread may run on CPU 0 only, so the mask is always {0}; a new mask must
 * include CPU 0 and changes nothing. taskset and libraries that size thread pools read it. */
#pragma once
#include <stdint.h>
#include "kernel/proc/proc.h"

/* Bytes of the kernel's mask (Linux's cpumask_size() for nr_cpu_ids = 1: one long). */
#define AFFINITY_MASK_BYTES 8

/* The mask of thread tid (0: the caller) into umask (len bytes): the bytes written, -EINVAL
 * when len is too small or not a multiple of 8, -ESRCH, -EFAULT. */
long affinity_get(int tid, uint64_t len, uint64_t umask);
/* Set the mask of thread tid (0: the caller) from umask (len bytes, missing ones zero):
 * -EINVAL when it has no CPU that exists, -EPERM for another user's thread unless self is
 * root, -ESRCH, -EFAULT. */
long affinity_set(int tid, uint64_t len, uint64_t umask, struct proc *self);
