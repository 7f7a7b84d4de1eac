/* Call tracing (see trace.h): names and argument counts from abi/syscalls.def. */
#include "kernel/sys/trace.h"
#include "abi/errno.h"
#include "kernel/lib/kprintf.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/thread.h"

struct call_name {
	const char *name;
	uint8_t nargs;
};

#define SYSCALL(nr, name, nargs) [nr] = { #name, nargs },
static const struct call_name names[] = {
#include "abi/syscalls.def"
};
#undef SYSCALL
#define NNAMES (sizeof(names) / sizeof(names[0]))

bool trace_active(void)
{
	struct proc *p = proc_cur();
	return p && p->trace_calls;
}

/* Arguments in hex as strace shows pointers and flags; small numbers (descriptors, sizes)
 * in decimal. */
static int format_args(char *buf, size_t size, const struct sysargs *a, int n)
{
	int len = 0;
	for (int i = 0; i < n && len < (int)size; i++) {
		uint64_t v = a->a[i];
		const char *sep = i ? ", " : "";
		if ((int64_t)v >= -4096 && (int64_t)v < 65536)
			len += ksnprintf(buf + len, size - (size_t)len, "%s%ld", sep, (long)v);
		else
			len += ksnprintf(buf + len, size - (size_t)len, "%s0x%lx", sep,
					 (unsigned long)v);
	}
	return len;
}

void trace_call(uint64_t nr, const struct sysargs *args, long result)
{
	struct proc *p = proc_cur();
	if (!p || !p->trace_calls)
		return;
	char argbuf[160] = "";
	const char *name = nr < NNAMES && names[nr].name ? names[nr].name : NULL;
	format_args(argbuf, sizeof(argbuf), args, name ? names[nr].nargs : 6);
	if (name)
		kprintf("trace: pid %d tid %d (%s): %s(%s) = %ld\n", p->pid, thread_cur()->tid,
			p->hdr.name, name, argbuf, result);
	else
		kprintf("trace: pid %d tid %d (%s): syscall_%lu(%s) = %ld\n", p->pid,
			thread_cur()->tid, p->hdr.name, (unsigned long)nr, argbuf, result);
}

int trace_set(int pid, bool on)
{
	struct proc *self = proc_cur();
	struct proc *p = pid ? proc_by_pid(pid) : self;
	if (pid < 0)
		return -EINVAL;
	if (!p)
		return -ESRCH;
	if (self->cred.uid != 0 && self->ids.ruid != p->ids.ruid)
		return -EPERM;
	p->trace_calls = on;
	return 0;
}
