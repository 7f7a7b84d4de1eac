/* Linux's nice values (getpriority, setpriority): each process keeps one, -20..19, inherited
 * by fork and spawn and kept across execve. Tessera schedules by its own priorities
 * (t_set_prio, exec.h), so a nice value is recorded and reported but changes no scheduling;
 * programs that renice themselves or their jobs (zsh's background jobs) work as on Linux. */
#pragma once
#include "kernel/proc/proc.h"

#define NICE_MIN (-20)
#define NICE_MAX 19
#define L_PRIO_PROCESS 0
#define L_PRIO_PGRP 1
#define L_PRIO_USER 2

/* getpriority: 20 - the lowest nice value of the processes named (the raw system call's
 * answer; the C library turns it into the nice value), -ESRCH when none, -EINVAL for a bad
 * which. who 0 names the caller (its process, group or uid). */
long nice_get(int which, uint32_t who, struct proc *self);
/* setpriority: every process named gets nice (clamped to -20..19). -EPERM for a process of
 * another user unless self is root, -EACCES to lower a nice value unless self is root;
 * -ESRCH, -EINVAL as above. Nothing changes unless every process may be changed. */
long nice_set(int which, uint32_t who, int nice, struct proc *self);
