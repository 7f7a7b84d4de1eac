/* The system-call dispatch table, generated from abi/syscalls.def. */
#include "kernel/sys/syscall.h"
#include "abi/errno.h"
#include "kernel/lib/kprintf.h"
#include "kernel/proc/proc.h"

#define SYSCALL(nr, name, nargs) [nr] = sys_##name,
static const syscall_fn table[] = {
#include "abi/syscalls.def"
};
#undef SYSCALL

/* Tells the console, once per process, that it asked for a call Tessera does not have, so
 * that a user sees what an unmodified program is missing (the program itself gets -ENOSYS). */
static void report_unknown(uint64_t nr)
{
	static rid_t reported[NPROC];
	struct proc *p = proc_cur();
	if (!p || reported[RID_INDEX(p->hdr.rid) % NPROC] == p->hdr.rid)
		return;
	reported[RID_INDEX(p->hdr.rid) % NPROC] = p->hdr.rid;
	kprintf("tessera: pid %d (%s): unknown system call %lu\n", p->pid, p->hdr.name,
		(unsigned long)nr);
}

long syscall_dispatch(uint64_t nr, const struct sysargs *args)
{
	if (nr >= sizeof(table) / sizeof(table[0]) || !table[nr]) {
		report_unknown(nr);
		return -ENOSYS;
	}
	return table[nr](args);
}
