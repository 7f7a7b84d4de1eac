/* The system-call dispatch table, generated from abi/syscalls.def. */
#include "kernel/sys/syscall.h"
#include <stddef.h>
#include "abi/errno.h"
#include "kernel/lib/kprintf.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/runmode.h"

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

#define SYSCALL(nr, name, nargs) SYSNR_##name = nr,
enum {
#include "abi/syscalls.def"
};
#undef SYSCALL

const syscall_fn syscall_light_table[SYSCALL_LIGHT_MAX] = {
	[SYSNR_getpid] = sys_getpid,	   [SYSNR_getppid] = sys_getppid,
	[SYSNR_gettid] = sys_gettid,	   [SYSNR_getuid] = sys_getuid,
	[SYSNR_geteuid] = sys_geteuid,	   [SYSNR_getgid] = sys_getgid,
	[SYSNR_getegid] = sys_getegid,	   [SYSNR_clock_gettime] = sys_clock_gettime,
	[SYSNR_gettimeofday] = sys_gettimeofday, [SYSNR_time] = sys_time,
	[SYSNR_uname] = sys_uname,	   [SYSNR_brk] = sys_brk,
	/* the file system's lookups are in memory and never wait */
	[SYSNR_stat] = sys_stat,	   [SYSNR_lstat] = sys_lstat,
	[SYSNR_fstat] = sys_fstat,	   [SYSNR_newfstatat] = sys_newfstatat,
	[SYSNR_getdents64] = sys_getdents64, [SYSNR_lseek] = sys_lseek,
	[SYSNR_open] = sys_open,	   [SYSNR_openat] = sys_openat,
	[SYSNR_getcwd] = sys_getcwd,	   [SYSNR_access] = sys_access,
	/* a switch of oneself is made at once; the entry then leaves in the new mode */
	[SYSNR_t_switch_supervisor] = sys_t_switch_supervisor_light,
	[SYSNR_t_switch_user] = sys_t_switch_user_light,
};

/* The leaf calls: each is exactly its sys_* function (sys_proc.c, sys_misc.c) reading one
 * field of proc_cur(); the entries' LEAF_CALL reads the same field without any C. */
const uint8_t syscall_leaf_field[SYSCALL_LEAF_MAX] = {
	[SYSNR_getpid] = offsetof(struct proc, pid),	  [SYSNR_gettid] = offsetof(struct proc, pid),
	[SYSNR_getppid] = offsetof(struct proc, ppid),
	[SYSNR_getuid] = offsetof(struct proc, cred.uid), [SYSNR_geteuid] = offsetof(struct proc, cred.uid),
	[SYSNR_getgid] = offsetof(struct proc, cred.gid), [SYSNR_getegid] = offsetof(struct proc, cred.gid),
};
_Static_assert(offsetof(struct proc, exec) == SYSCALL_LEAF_PROC_EXEC, "LEAF_CALL's exec offset");
_Static_assert(SYSNR_t_switch_supervisor == SYSCALL_SWITCH_S && SYSNR_t_switch_user == SYSCALL_SWITCH_U,
	       "the entries' switch numbers");
_Static_assert(offsetof(struct proc, cred.gid) < 256, "leaf offsets are bytes");
_Static_assert(sizeof(((struct proc *)0)->pid) == 4 && sizeof(((struct proc *)0)->cred.uid) == 4,
	       "leaf answers are 32-bit");

long syscall_light(uint64_t nr, const struct sysargs *args)
{
	/* a mode switch is applied at the end of a full call (method b): let one happen */
	if (nr >= SYSCALL_LIGHT_MAX || !syscall_light_table[nr] || runmode_pending_cur())
		return SYSCALL_LIGHT_DECLINED;
	/* no light call leaves a switch of its caller pending: a switch of oneself is made at
	 * once (runmode_switch_self), one of another process is not light */
	return syscall_light_table[nr](args);
}

long syscall_dispatch(uint64_t nr, const struct sysargs *args)
{
	if (nr >= sizeof(table) / sizeof(table[0]) || !table[nr]) {
		report_unknown(nr);
		return -ENOSYS;
	}
	return table[nr](args);
}
