/*
 * Processor-time accounting with Linux's meaning (times(2), getrusage(2), the CPU-time clocks,
 * /proc): every execution accumulates user time (its application code runs) and system time
 * (the kernel runs for it: its system calls, the interrupts and faults that arrive while it
 * runs) separately, in TSC cycles, read from the same TSC as the kernel's clock. The moments
 * that split them are the kernel entries from application code and the exits back to it
 * (trap.c, syscall.c) and the context switches (exec.c). Smode processes follow the same rule:
 * their application code is user time although it runs in ring 0, a kernel call is system
 * time whichever entry it takes; only the leaf calls (getpid and the like, a dozen
 * instructions with no C, docs/runmode.md) count as user time, in either mode.
 *
 * A process's time is the sum over its live executions plus what its ended threads used
 * (folded at their end); its children's is what its reaped children and their reaped
 * descendants used (added at wait, as Linux: an unreaped zombie or an auto-reaped child does
 * not count). The idle execution's time is the system's idle time (/proc/stat).
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "abi/tessera.h"

struct proc;
struct linux_rusage;

/* What getrusage(2) and times(2) report for an execution, a process or its children. */
struct cputime {
	uint64_t utime_ns, stime_ns;   /* user and system time */
	uint64_t nvcsw, nivcsw;        /* context switches: blocked (voluntary) or preempted */
	uint64_t minflt;               /* page faults served from memory (all are: no paging) */
	uint64_t maxrss_kib;           /* largest resident set seen (a maximum, not a sum) */
};

/* Kernel entry from application code, and the exit back to it (interrupts off). */
void cputime_enter(void);
void cputime_leave(void);
/* The processor goes from execution slot prev to slot next (exec.c's schedule); voluntary:
 * prev blocked rather than being preempted or yielding. */
void cputime_switch(int prev, int next, bool voluntary);
/* Slot idle is the idle execution; slot is a new execution (counters start at 0). */
void cputime_set_idle(int slot);
void cputime_reset(int slot);
/* A page fault of the running execution was served. */
void cputime_fault(void);
/* The counters of execution exec (zeros if it is not live). */
void cputime_exec(rid_t exec, struct cputime *out);
/* Process p: its live executions and ended threads (maxrss: its largest resident set). */
void cputime_proc(struct proc *p, struct cputime *out);
/* Execution exec of p ends: its counters are kept in p. */
void cputime_thread_end(struct proc *p, rid_t exec);
/* A zombie's time and its reaped children's (what wait4 reports for it). */
void cputime_total(const struct proc *zombie, struct cputime *out);
/* parent reaps child (a zombie): child's time and its children's go to parent's children. */
void cputime_reaped(struct proc *parent, const struct proc *child);
/* p's resident set may shrink now (munmap, exit, execve): keep its size if it is the largest. */
void cputime_rss_sample(struct proc *p);
/* Linux's CPU clocks: CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID and the ids
 * clock_getcpuclockid/pthread_getcpuclockid make: (~pid << 3) | which, bit 2 set for a thread
 * (pid 0: the caller); which is PROF (user + system), VIRT (user) or SCHED (all its run time:
 * here the same as PROF, both exact). -EINVAL for any other id, an unknown process, or a thread
 * of another process. ns may be NULL (clock_getres only checks). */
#define CPUCLOCK_PROF 0
#define CPUCLOCK_VIRT 1
#define CPUCLOCK_SCHED 2
int cputime_clock(int32_t clk, uint64_t *ns);
/* The whole system since boot (ns): user and system time of all executions, and idle time. */
void cputime_system(uint64_t *user_ns, uint64_t *system_ns, uint64_t *idle_ns);
/* Context switches since boot (/proc/stat's ctxt). */
uint64_t cputime_switches(void);
/* Linux's struct rusage for c (what is not counted is 0: major faults, as nothing is paged in
 * from a disk; block I/O, swaps, IPC messages, signals). */
void cputime_to_rusage(const struct cputime *c, struct linux_rusage *ru);
