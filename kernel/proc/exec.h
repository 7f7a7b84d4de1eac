/*
 * Executions: the unit of processor allocation (Tender). An execution exists independently of
 * processes: it has a kernel stack, saved registers and a priority; a process acquires one to
 * be scheduled. Scheduling is preemptive by priority (0 highest .. EXEC_NPRIO-1), round robin
 * within a priority.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "abi/tessera.h"
#include "arch/cpu.h"

/* Most executions at once: one per process (NPROC, proc.h), as many again for the further
 * threads of processes (thread.h), and some to spare for kernel-only ones. The table grows in
 * chunks as executions are created (res.h): the capacity costs only addresses. */
#define NEXEC (2 * 4096 + 32)
#define EXEC_NPRIO 8
#define EXEC_DEFAULT_PRIO 4

struct thread;
struct cred;

void exec_init(void);
/* A new execution of process proc, owned by owner (a user's executions stay out of root's
 * reserve of the table), whose first run enters user mode through the frame exec_tf()
 * returns. */
int exec_create(int prio, rid_t proc, const struct cred *owner, rid_t *out);
/* The Linux thread state an execution carries (thread.h); NULL if exec is not live. */
struct thread *exec_thread(rid_t exec);
struct trapframe *exec_tf(rid_t exec);
/* Address space (translation-table root) the execution runs in; 0 = kernel only. */
void exec_set_root(rid_t exec, uint64_t root);
/* Per-CPU scheduler state read on every kernel exit (kept in exec.c). */
extern rid_t exec_current_rid;
extern bool sched_need_resched;
static inline rid_t exec_cur(void)
{
	return exec_current_rid;
}
rid_t exec_proc(rid_t exec);
/* The execution's state as user space sees it (enum t_proc_state). */
int exec_visible_state(rid_t exec);
void exec_make_ready(rid_t exec);
/* Wake a blocked execution early (its sleep_on returns), or make its next sleep_on return at
 * once if it is not asleep now; used to deliver a kill or a metamorphosis. */
void exec_interrupt(rid_t exec);
int exec_set_prio(rid_t exec, int prio);
int exec_get_prio(rid_t exec);

/* Block the current execution until wakeup(chan) (or, if deadline_ns != 0, that time). */
void sleep_on(const void *chan, uint64_t deadline_ns);
void wakeup(const void *chan);
void sched_yield_cur(void);
/* Called on every timer tick (interrupts off). */
void sched_tick(void);
/* Preempt if a higher-priority execution is ready or the time slice is used up. */
void sched_preempt_slow(void);
static inline void sched_preempt_point(void)
{
	if (sched_need_resched)
		sched_preempt_slow();
}
/* The current execution ends for good; its stack is freed after the switch away. */
_Noreturn void exec_exit_cur(void);
/* Enter the scheduler loop on the boot stack (becomes the idle execution). */
_Noreturn void sched_start(void);
void sched_after_switch(void);
/* The user state beyond the trap frame (FPU/SSE registers and FS base) of an execution,
 * current or not: read, write, or reset to a fresh program's. */
struct exec_user_state {
	uint8_t fpu[512] __attribute__((aligned(16)));
	uint64_t fs_base;
};
void exec_get_user_state(rid_t exec, struct exec_user_state *out);
void exec_set_user_state(rid_t exec, const struct exec_user_state *in);
void exec_reset_user_state(rid_t exec);
/* Thread-pointer (FS base) of the current execution, for arch_prctl. */
void exec_set_fs(uint64_t fs);
uint64_t exec_get_fs(void);
/* Print one DBG line per execution (state, wait channel, deadline, kernel return addresses)
 * for kdebug_dump; cur_rbp is the interrupted frame pointer of the running one (0: none). */
void exec_debug_dump(uint64_t cur_rbp);
