/*
 * Call tracing, Tessera's small strace: the calls of a traced process (and of the processes
 * and threads it makes, and across execve) are printed, each when it returns, as
 *   trace: pid P tid T (name): call(arg, ...) = result [ERRNO]
 * to the console and the kernel's message log (dmesg). The identity calls answered on the
 * entries' leaf path (getpid, getuid, ...) run no C and are not shown.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "kernel/sys/syscall.h"

/* Prints one call of the current process if it is traced. */
void trace_call(uint64_t nr, const struct sysargs *args, long result);
/* Whether the current process's calls should take the full path, where they are traced. */
bool trace_active(void);
/* t_trace(pid, on): pid 0 is the caller; its owner (real uid) or root may. */
int trace_set(int pid, bool on);
