/* fork: a child process with its own space and a copy of its parent's memory (fork.c). */
#pragma once
#include "arch/cpu.h"
#include "kernel/proc/proc.h"

/* The child continues from the parent's frame tf with 0 in rax; returns its pid. */
int proc_fork(struct proc *parent, const struct trapframe *tf, int *pid_out);
/* Store a 32-bit value at addr in p's memory (not the caller's): what CLONE_CHILD_SETTID
 * asks. Nothing happens if p has no memory there. */
void proc_poke32(struct proc *p, uint64_t addr, uint32_t value);
