/*
 * Dynamic running-mode switch (DMSM, seed 004; docs/runmode.md). A process runs its
 * application code in user mode (Umode, ring 3) or supervisor mode (Smode, ring 0) and can be
 * switched either way while it runs. A switch request is only registered; the target applies
 * it itself at the end of its next system call (the paper's method b), by changing the CS/SS
 * its return frame holds, so it is never switched between reading the mode flag and entering
 * the kernel.
 *
 * The coexistence control area (struct t_cca at T_CCA_ADDR) is one physical page, mapped
 * read-only into every space: with one CPU only the running process reads it, so the kernel
 * stores the running process's mode into it on every context switch (one store). That works
 * for any number of processes per space (HVS) and for processes moving between spaces.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "abi/tessera.h"
#include "arch/cpu.h"
#include "kernel/proc/proc.h"

/* Per process, indexed by the process table index; valid only while proc matches the
 * process's rid (a new process in the slot has another generation, hence Umode). */
struct runmode_ent {
	rid_t proc;
	rid_t pending;       /* == proc while a request waits for the process's next call */
	uint32_t mode;       /* TRM_UMODE / TRM_SMODE */
	uint32_t want;
	uint64_t switches;
};
extern struct runmode_ent runmode_tab[NPROC];
/* How many entries have a request pending: while 0 (nearly always) the entries' leaf and light
 * paths need not look for one. */
extern uint64_t runmode_npending;

/* Context-switch hook (exec.c): the next process's mode goes into the control area and the
 * CPU's record of which segments application code uses. proc may be 0 (idle). */
void runmode_switch_in(rid_t proc);

/* Applies p's pending request to the frame the current call returns through. */
void runmode_apply(struct proc *p, struct trapframe *tf);

/* p is exiting: a request still waiting for it is dropped (its mode is kept for ps until the
 * slot is reused). */
void runmode_forget(struct proc *p);

/* A switch of p (the caller) to mode, made at once: the light path's form of
 * t_switch_supervisor(0) / t_switch_user(0) (the entry then returns in the new mode). */
long runmode_switch_self(struct proc *p, uint32_t mode);
/* The same for t_switch_supervisor(pid) / t_switch_user(pid) straight from the entries, with
 * every register preserved; SYSCALL_LIGHT_DECLINED unless pid is 0 and nothing is in the way. */
__attribute__((no_caller_saved_registers)) long runmode_switch_fast_s(uint64_t pid);
__attribute__((no_caller_saved_registers)) long runmode_switch_fast_u(uint64_t pid);

/* End of every system call (trap.c, both entries): apply a pending request of the caller. */
static inline void runmode_syscall_end(struct trapframe *tf)
{
	struct proc *p = proc_cur();
	if (p && runmode_tab[RID_INDEX(p->hdr.rid) % NPROC].pending == p->hdr.rid)
		runmode_apply(p, tf);
}

/* Whether the current process has a switch waiting for the end of its next call. */
static inline bool runmode_pending_cur(void)
{
	if (!runmode_npending)
		return false;
	struct proc *p = proc_cur();
	return p && runmode_tab[RID_INDEX(p->hdr.rid) % NPROC].pending == p->hdr.rid;
}

/* TRM_UMODE or TRM_SMODE of process rid. */
uint32_t runmode_of(rid_t proc);

/* Register a switch of p (the caller or another live process) to mode. TOP_MODIFY on the
 * process is needed (but to give ring 0 up for oneself); granting Smode (ring 0) also needs
 * a root caller. */
int runmode_request(struct proc *caller, struct proc *p, uint32_t mode);
/* p's mode, pending switch and counts; TOP_REFER on p is needed. */
int runmode_info(struct proc *caller, struct proc *p, struct t_runmode_info *out);

/* Map the control area into the space with this translation table (at load; idempotent). */
int runmode_map_cca(uint64_t root);
/* A fault at addr in a space that lacks the control area (a space made without a load, e.g.
 * one a process moved into): map it now. True if that resolved the fault. */
bool runmode_cca_fault(uint64_t root, uint64_t addr);

/* Frame segments for p's mode: code that rebuilds a process's return frame (metamorphosis,
 * restart) calls this so the frame and the control area keep agreeing. */
void runmode_fix_frame(struct proc *p, struct trapframe *tf);
