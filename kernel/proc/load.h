/* Building a process's initial memory image from its program: segments (relocated for a
 * PIE), heap, and the user stack with argv, envp and the auxiliary vector. */
#pragma once
#include <stdint.h>
#include "kernel/proc/proc.h"

struct load_info {
	uint64_t entry;       /* relocated entry address */
	uint64_t base;        /* load bias (0 for ET_EXEC) */
	uint64_t sp;          /* initial stack pointer */
};

int load_segments(struct proc *p, rid_t program, struct load_info *li);
struct args;
int load_stack(struct proc *p, rid_t program, const struct args *a, struct load_info *li);
