/* fork: a child process with its own space sharing its parent's memory copy-on-write (fork.c). */
#pragma once
#include "arch/cpu.h"
#include "kernel/proc/proc.h"

/* The child continues from the parent's frame tf with 0 in rax; returns its pid. */
/* The child resumes from tf, on the stack child_sp if not 0 (a vfork carried out as fork,
 * place.h, keeps the stack its clone asked for). */
int proc_fork(struct proc *parent, const struct trapframe *tf, uint64_t child_sp, int *pid_out);
/* Store a 32-bit value at addr in p's memory (not the caller's): what CLONE_CHILD_SETTID
 * asks. Nothing happens if p could not write there itself (no memory there, read-only or
 * shared text), as with Linux, whose child's store fails silently. */
void proc_poke32(struct proc *p, uint64_t addr, uint32_t value);
