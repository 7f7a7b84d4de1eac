/*
 * Checkpoints (Tender's "saved position"): a resource holding a copy of a process's data,
 * BSS, heap, stack and mmap contents and of its registers. Restoring one puts the process
 * back at that position (change of start position b); a process may name one to return to
 * when it faults, instead of dying. A checkpoint belongs to one program: it cannot be
 * restored into a process running another.
 */
#pragma once
#include "arch/cpu.h"
#include "kernel/proc/proc.h"

#define NCKPT 32
#define CKPT_MAX_SEGS 32

void ckpt_init(void);
/* Save p (whose user frame is tf) as a new checkpoint named name; rax_on_restore is what
 * the process finds in rax when it resumes there, rax_on_fault when a fault brings it back
 * (ckpt_recover). uout (a user pointer of p, the current process, or NULL) gets the new id
 * before the memory is copied, so that the saved image already holds it. */
int ckpt_save(struct proc *p, const struct trapframe *tf, uint64_t rax_on_restore,
	      uint64_t rax_on_fault, const char *name, rid_t *uout, rid_t *out);
/* Put p back at the checkpoint: memory contents, layout of its writable regions, registers
 * (into tf). -EINVAL for a checkpoint of another program. */
int ckpt_restore(struct proc *p, struct trapframe *tf, rid_t ckpt);
/* The same after a fault, with the checkpoint's rax_on_fault in rax. */
int ckpt_recover(struct proc *p, struct trapframe *tf, rid_t ckpt);
/* 0 if ckpt can be restored into p (same program), else the error. */
int ckpt_check(struct proc *p, rid_t ckpt);
/* The checkpoint p returns to when it faults (0: none, it dies), with its count of
 * recoveries reset. A checkpoint some process returns to cannot be deleted. The caller has
 * checked ckpt (ckpt_check) and the rights to use it. */
void ckpt_set_fault_return(struct proc *p, rid_t ckpt);
