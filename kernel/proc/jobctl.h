/*
 * Job control: process groups, sessions, stopping and continuing (Linux's semantics).
 * A process names its group and its session by pid (struct proc's pgid and sid, ids and
 * never pointers): a group exists while some process has that pgid, a session while some
 * process has that sid. Both are inherited by fork, spawn and clone, and kept by execve and
 * every other metamorphosis (the change happens in place).
 *
 * Stopping: a stop signal (SIGSTOP, or SIGTSTP/SIGTTIN/SIGTTOU at their default action) is
 * pending like a caught signal and taken when a thread that does not block it leaves the
 * kernel; the process is then marked stopped and every thread of it waits in its kernel exit
 * (holding no lock: that is where a migration freezes a process too) until SIGCONT or
 * SIGKILL. Blocking calls are interrupted and restarted once it continues. Processes that
 * serve function ids or hold devices (OS servers and drivers) and init are never stopped:
 * stop signals to them are discarded, since a stopped server would wedge every caller.
 */
#pragma once
#include <stdbool.h>
#include "kernel/proc/proc.h"

/* p->wait_report: what its parent's wait has to learn */
#define JC_REPORT_NONE 0
#define JC_REPORT_STOPPED 1
#define JC_REPORT_CONTINUED 2

/* A process made without a parent (init) leads group and session 1; a child joins its
 * parent's (and takes its controlling terminal); an arrival from another node leads a group
 * of its own in init's session. */
void jobctl_init_child(struct proc *p, const struct proc *parent);
void jobctl_init_arrival(struct proc *p);
/* setpgid(pid, pgid) as the current process asks (Linux's rules and errors). */
int jobctl_setpgid(struct proc *self, int pid, int pgid);
/* setsid: a new session and group led by self; -EPERM if a group with its id exists. */
int jobctl_setsid(struct proc *self, int *sid_out);
/* Whether some live process is in group pgid (of session sid if sid > 0). */
bool jobctl_group_exists(int pgid, int sid);
/* Whether some process has id as its group or session (a pid not to hand out). */
bool jobctl_id_used(int id);
/* Whether group pgid is orphaned: no member has a parent in another group of the same
 * session (POSIX), so nobody is left to continue it. */
bool jobctl_orphaned(int pgid);
/* kill(2) for pid 0, -pgid and -1: each process the caller may signal (perm decides). */
int jobctl_kill_group(struct proc *self, int pgid, int sig);
int jobctl_kill_all(struct proc *self, int sig);
/* Whether self may send sig to p (Linux: root, the sender's real or effective uid is p's real
 * or saved uid (ident.h), or SIGCONT within the session). */
bool jobctl_may_signal(const struct proc *self, const struct proc *p, int sig);
/* Signal every member of group pgid from the kernel (the terminal, orphaned groups); the
 * caller (if a member) last, since a default action ends it there and then. */
void jobctl_signal_group(int pgid, int sig);
/* Whether stop signals are refused for p (init, servers, drivers). */
bool jobctl_unstoppable(const struct proc *p);
/* SIGCONT sent to p: pending stop signals go, and a stopped p continues. */
void jobctl_continue(struct proc *p);
/* A stop signal sent to p: a pending SIGCONT goes. */
void jobctl_stop_sent(struct proc *p);
/* The current thread of p takes stop signal sig (default action): p stops (unless sig is
 * one of the terminal's and p's group is orphaned) and the thread waits until it continues. */
void jobctl_stop(struct proc *p, int sig);
/* The current thread of a stopped p waits in its kernel exit until p continues or ends. The
 * stop is whole once every thread of p holds there: only then does p's parent learn of it
 * (wait's WIFSTOPPED, SIGCHLD with CLD_STOPPED), as Linux's group stop. */
void jobctl_hold(struct proc *p);
/* A thread of p ended (thread.c) or holds: whether the stop is whole now, and if so tell. */
void jobctl_stop_check(struct proc *p);
/* p (a zombie now, its children handed to init) has ended: a group it leaves orphaned with
 * stopped members gets SIGHUP and SIGCONT (POSIX), as does the group of a child it leaves so
 * (jobctl_reparented, for each child); a session leader lets go of its terminal. parent_*:
 * its parent's group and session (0 if it has none). */
void jobctl_exit(struct proc *p, int parent_pgid, int parent_sid);
void jobctl_reparented(const struct proc *father, const struct proc *c);
