/* The system-call table: one entry per line of abi/syscalls.def, each a sys_* function that
 * fetches and validates its arguments and then calls the internal function. */
#pragma once
#include <stdint.h>

struct sysargs {
	uint64_t a[6];
};

typedef long (*syscall_fn)(const struct sysargs *args);

#define SYSCALL(nr, name, nargs) long sys_##name(const struct sysargs *args);
#include "abi/syscalls.def"
#undef SYSCALL

/* Dispatch call number nr; unknown numbers return -ENOSYS. */
long syscall_dispatch(uint64_t nr, const struct sysargs *args);
