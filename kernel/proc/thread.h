/*
 * Threads: the Linux view of a process's executions. In Tender's terms a thread is one more
 * execution (the unit of processor allocation, exec.h) of a process: each execution of a
 * process carries a struct thread (held in its exec table entry, reached by its exec id) with
 * what Linux keeps per thread: the thread id, the blocked signal mask and the signals sent to
 * it alone, the alternate signal stack, the state of an interrupted call, the address to
 * clear at exit (CLONE_CHILD_CLEARTID, set_tid_address) and the robust-futex list. Memory,
 * descriptors, signal dispositions and the process-wide pending set stay in struct proc.
 *
 * The executions of a process form a list (by exec id) headed by the process's `exec`, its
 * leader. A process's first execution has the pid as its thread id; others get ids from the
 * same number space as pids (a thread id is never a live pid and the other way round).
 * exit ends one thread; exit_group, a fault or a deadly signal end them all, and the last
 * one to leave ends the process (docs/threads.md).
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "abi/linux.h"
#include "abi/tessera.h"
#include "arch/cpu.h"
#include "kernel/proc/exec.h"

struct proc;

struct thread {
	int tid;
	bool killed;                 /* this execution alone is to end (another thread's execve) */
	uint8_t call_restart;        /* the interrupted call may be restarted (signal.h) */
	bool sig_restore_mask;       /* sig_saved_mask is waiting to be put back */
	uint32_t call_nr;            /* that call's number */
	uint64_t sig_mask;           /* blocked signals, bit sig-1 */
	uint64_t sig_pending;        /* caught signals sent to this thread alone (tgkill) */
	uint64_t sig_saved_mask;     /* the mask to put back after sigsuspend/ppoll */
	struct linux_stack altstack; /* sigaltstack(2) */
	uint64_t clear_tid;          /* zeroed and woken at exit (CLONE_CHILD_CLEARTID) */
	uint64_t robust_head;        /* set_robust_list(2); 0 = none */
	rid_t next, prev;            /* the process's other executions (exec ids) */
	rid_t tid_next;              /* next execution in its tid hash bucket */
};

/* The thread of the running execution (exec.c keeps the pointer across switches). */
extern struct thread *exec_current_thread;
static inline struct thread *thread_cur(void)
{
	return exec_current_thread;
}
/* The thread state of execution e (NULL if e is not a live execution). */
static inline struct thread *thread_of(rid_t e)
{
	return exec_thread(e);
}

/* A clone(CLONE_THREAD) request, checked by sys_clone. */
struct thread_spawn {
	uint64_t flags;              /* Linux CLONE_* */
	uint64_t stack;              /* the new thread's stack pointer (0: the caller's) */
	uint64_t tls;                /* CLONE_SETTLS: its FS base */
	uint64_t ptid, ctid;         /* CLONE_PARENT_SETTID / CLONE_CHILD_(CLEAR|SET)TID */
};

/* p's first execution e: tid = pid, the only one in p's list. */
void thread_init_leader(struct proc *p, rid_t e);
/* A copy of the creating thread's signal mask and alternate stack (fork, vfork, spawn: from
 * the current thread if p's creator runs, else nothing blocked). as_exec: no alternate stack. */
void thread_inherit(rid_t e, bool as_exec);
/* A new execution of the current process p resuming from frame tf (rax 0) as clone asks. */
int thread_create(struct proc *p, const struct trapframe *tf, const struct thread_spawn *s,
		  int *tid_out);
/* The current thread ends (exit(2)); the process ends with the last one (status_word). */
_Noreturn void thread_exit(int status_word);
/* The current thread leaves its process, which other threads keep alive: its robust list and
 * clear_tid are honoured, then the execution ends. Only with other threads left. */
_Noreturn void thread_leave(struct proc *p);
/* The last execution of p ends with the process (proc_exit): p has none any more. */
void thread_end_last(struct proc *p);
/* Ask every execution of p but the current one to give up what it waits for (a kill or a
 * metamorphosis is pending for the whole process). */
void thread_interrupt_all(struct proc *p);
/* Execution with thread id tid, or 0. */
rid_t thread_by_tid(int tid);
/* Whether some live execution has thread id tid (pids may not take it). */
bool thread_tid_used(int tid);
/* Make the current thread the only one of p (execve and the other changes of program from a
 * thread): the others are told to end and this waits until they have. The caller becomes
 * p's leader with tid = pid. -EAGAIN if another thread got there first, or the process is
 * being ended meanwhile (the caller then ends too). */
int thread_single(struct proc *p);
/* The robust list and clear_tid of the current thread, as at its exit (also before the last
 * one's memory goes, and at execve). */
void thread_release_user(struct proc *p, bool clear_tid);
/* execve: the thread's clear_tid, robust list and alternate stack belong to the old image. */
void thread_exec_reset(void);
/* The first of p's executions that does not block sig (0 if all do). */
rid_t thread_for_signal(struct proc *p, int sig);

/* For each execution e of process p (p->exec heads the list). */
#define THREAD_FOR_EACH(p, e) for (rid_t e = (p)->exec; e; e = thread_of(e)->next)
