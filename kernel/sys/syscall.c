/* The system-call dispatch table, generated from abi/syscalls.def. */
#include "kernel/sys/syscall.h"
#include "abi/errno.h"

#define SYSCALL(nr, name, nargs) [nr] = sys_##name,
static const syscall_fn table[] = {
#include "abi/syscalls.def"
};
#undef SYSCALL

long syscall_dispatch(uint64_t nr, const struct sysargs *args)
{
	if (nr >= sizeof(table) / sizeof(table[0]) || !table[nr])
		return -ENOSYS;
	return table[nr](args);
}
