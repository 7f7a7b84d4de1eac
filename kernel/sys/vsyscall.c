/* Emulation of the legacy vsyscall page (see vsyscall.h), with the calls' own handlers. */
#include "kernel/sys/vsyscall.h"
#include "abi/errno.h"
#include "abi/linux.h"
#include "abi/vdso.h"
#include "arch/paging.h"
#include "kernel/mm/uaccess.h"
#include "kernel/proc/proc.h"
#include "kernel/sys/syscall.h"

/* Ends the process with SIGSEGV (or, with fault recovery, puts it back at its checkpoint:
 * then the frame is that checkpoint's and is left alone). */
static bool segv(struct trapframe *tf, const char *what, uint64_t addr)
{
	proc_fault(tf, L_SIGSEGV, what, addr);
	return true;
}

bool vsyscall_fault(struct trapframe *tf, uint64_t addr)
{
	if (addr < VSYSCALL_ADDR || addr >= VSYSCALL_ADDR + PAGE_SIZE || addr != tf->rip)
		return false;
	struct sysargs a = { { tf->rdi, tf->rsi, tf->rdx, 0, 0, 0 } };
	uint64_t ret;
	long r;
	if (copy_from_user(&ret, (const void *)tf->rsp, sizeof(ret)))
		return segv(tf, "vsyscall with a bad stack", addr);
	switch (addr - VSYSCALL_ADDR) {
	case VSYSCALL_GETTIMEOFDAY:
		r = sys_gettimeofday(&a);
		break;
	case VSYSCALL_TIME:
		r = sys_time(&a);
		break;
	case VSYSCALL_GETCPU:
		r = sys_getcpu(&a);
		break;
	default:
		return segv(tf, "misaligned vsyscall", addr);
	}
	if (r == -EFAULT)
		return segv(tf, "vsyscall with a bad pointer", addr);
	tf->rax = (uint64_t)r;
	tf->rip = ret;
	tf->rsp += 8;
	return true;
}
