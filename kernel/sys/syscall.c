/* The system-call dispatch table, generated from abi/syscalls.def. */
#include "kernel/sys/syscall.h"
#include <stddef.h>
#include "abi/errno.h"
#include "kernel/lib/kprintf.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/runmode.h"
#include "kernel/sys/trace.h"

#define SYSCALL(nr, name, nargs) [nr] = sys_##name,
static const syscall_fn table[] = {
#include "abi/syscalls.def"
};
#undef SYSCALL

/* Tells the console, once per process, that it asked for a call Tessera does not have, so
 * that a user sees what an unmodified program is missing (the program itself gets -ENOSYS). */
static void report_unknown(uint64_t nr)
{
	struct proc *p = proc_cur();
	if (!p || p->told_unknown_call)
		return;
	p->told_unknown_call = true;
	kprintf("tessera: pid %d (%s): unknown system call %lu\n", p->pid, p->hdr.name,
		(unsigned long)nr);
}

/* Both tables come from kernel/sys/fastcalls.def. */
const syscall_fn syscall_light_table[SYSCALL_LIGHT_MAX] = {
#define LEAF(name, field) [SYSNR_##name] = sys_##name,
#define LIGHT(name) [SYSNR_##name] = sys_##name,
#define LIGHT_FN(name, fn) [SYSNR_##name] = fn,
#define LIGHT_TIMED(name) LIGHT(name)
#include "kernel/sys/fastcalls.def"
#undef LEAF
#undef LIGHT
#undef LIGHT_FN
#undef LIGHT_TIMED
};

/* The light calls whose time is accounted as system time (LIGHT_TIMED). */
static const bool light_timed[SYSCALL_LIGHT_MAX] = {
#define LEAF(name, field)
#define LIGHT(name)
#define LIGHT_FN(name, fn)
#define LIGHT_TIMED(name) [SYSNR_##name] = true,
#include "kernel/sys/fastcalls.def"
#undef LEAF
#undef LIGHT
#undef LIGHT_FN
#undef LIGHT_TIMED
};

/* The leaf calls: each is exactly its sys_* function (sys_proc.c, sys_misc.c) reading one
 * field of proc_cur(); the entries' LEAF_CALL reads the same field without any C. */
const uint8_t syscall_leaf_field[SYSCALL_LEAF_MAX] = {
#define LEAF(name, field) [SYSNR_##name] = offsetof(struct proc, field),
#define LIGHT(name)
#define LIGHT_FN(name, fn)
#define LIGHT_TIMED(name)
#include "kernel/sys/fastcalls.def"
#undef LEAF
#undef LIGHT
#undef LIGHT_FN
#undef LIGHT_TIMED
};
/* Every leaf answer is a 32-bit field at a byte offset. */
#define LEAF(name, field)                                                            \
	_Static_assert(offsetof(struct proc, field) < 256 &&                         \
			       sizeof(((struct proc *)0)->field) == 4 &&              \
			       SYSNR_##name < SYSCALL_LEAF_MAX,                       \
		       "leaf " #name);
#define LIGHT(name)
#define LIGHT_FN(name, fn)
#define LIGHT_TIMED(name)
#include "kernel/sys/fastcalls.def"
#undef LEAF
#undef LIGHT
#undef LIGHT_FN
#undef LIGHT_TIMED
_Static_assert(offsetof(struct proc, exec) == SYSCALL_LEAF_PROC_EXEC, "LEAF_CALL's exec offset");
_Static_assert(SYSNR_t_switch_supervisor == SYSCALL_SWITCH_S && SYSNR_t_switch_user == SYSCALL_SWITCH_U,
	       "the entries' switch numbers");

/* One processor, and a light call neither blocks nor takes interrupts: one flag is enough. */
static bool in_light;

bool syscall_in_light(void)
{
	return in_light;
}

long syscall_light(uint64_t nr, const struct sysargs *args)
{
	/* a mode switch is applied at the end of a full call (method b): let one happen */
	if (nr >= SYSCALL_LIGHT_MAX || !syscall_light_table[nr] || runmode_pending_cur() ||
	    trace_active())
		return SYSCALL_LIGHT_DECLINED;   /* a traced call is printed by the full path */
	/* no light call leaves a switch of its caller pending: a switch of oneself is made at
	 * once (runmode_switch_self), one of another process is not light */
	in_light = true;
	long r;
	if (light_timed[nr]) {
		cputime_enter();
		r = syscall_light_table[nr](args);
		cputime_leave();
	} else {
		r = syscall_light_table[nr](args);
	}
	in_light = false;
	return r;
}

long syscall_dispatch(uint64_t nr, const struct sysargs *args)
{
	long r;
	if (nr >= sizeof(table) / sizeof(table[0]) || !table[nr]) {
		report_unknown(nr);
		r = -ENOSYS;
	} else {
		r = table[nr](args);
	}
	trace_call(nr, args, r);
	return r;
}
