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

/* The light path of the Smode call form (arch/x86_64/smode_entry.S): calls below
 * SYSCALL_LIGHT_MAX that never block, switch executions, or use the caller's frame, run
 * without a trap frame. Anything else returns SYSCALL_LIGHT_DECLINED and takes the full path
 * (the two values are repeated in smode_entry.S). */
#define SYSCALL_LIGHT_MAX 512
#define SYSCALL_LIGHT_DECLINED (-4097)
long syscall_light(uint64_t nr, const struct sysargs *args);

/* Dispatch call number nr; unknown numbers return -ENOSYS. */
long syscall_dispatch(uint64_t nr, const struct sysargs *args);
