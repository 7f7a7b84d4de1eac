/* The raw system-call stubs: one per line of abi/syscalls.def, all through tsys_call, which
 * traps with `syscall` or, in Smode, calls the kernel's function entry (docs/runmode.md). */
#include <stdint.h>
#include "abi/tessera.h"
#include "tsys.h"

/* Smode (running-mode switch, docs/runmode.md): the kernel's function entry, called like a
 * function. The call's return address would land in the caller's red zone, so the stack
 * pointer steps over those 128 bytes first. */
static long smode_call(uint64_t entry, long nr, long a0, long a1, long a2, long a3, long a4,
		       long a5)
{
	register long r10 __asm__("r10") = a3;
	register long r8 __asm__("r8") = a4;
	register long r9 __asm__("r9") = a5;
	long ret;
	__asm__ volatile("sub $128, %%rsp\n\t"
			 "call *%[entry]\n\t"
			 "add $128, %%rsp"
			 : "=a"(ret)
			 : [entry] "r"(entry), "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10),
			   "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory", "cc");
	return ret;
}

long tsys_call(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	/* The mode flag of the coexistence control area decides the form. It cannot change
	 * between this read and the kernel entry: a switch is applied only at the end of one
	 * of this process's own calls. */
	const volatile struct t_cca *cca = (const volatile struct t_cca *)T_CCA_ADDR;
	if (__builtin_expect(cca->mode == TRM_SMODE, 0))
		return smode_call(cca->entry, nr, a0, a1, a2, a3, a4, a5);
	/* x86-64 convention: rax = number, args in rdi rsi rdx r10 r8 r9; the instruction
	 * itself clobbers rcx (return rip) and r11 (rflags). */
	register long r10 __asm__("r10") = a3;
	register long r8 __asm__("r8") = a4;
	register long r9 __asm__("r9") = a5;
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

#define TSYS_STUB0(nr, fn) \
	long fn(void) { return tsys_call(nr, 0, 0, 0, 0, 0, 0); }
#define TSYS_STUB1(nr, fn) \
	long fn(long a0) { return tsys_call(nr, a0, 0, 0, 0, 0, 0); }
#define TSYS_STUB2(nr, fn) \
	long fn(long a0, long a1) { return tsys_call(nr, a0, a1, 0, 0, 0, 0); }
#define TSYS_STUB3(nr, fn) \
	long fn(long a0, long a1, long a2) { return tsys_call(nr, a0, a1, a2, 0, 0, 0); }
#define TSYS_STUB4(nr, fn)                                     \
	long fn(long a0, long a1, long a2, long a3)            \
	{                                                      \
		return tsys_call(nr, a0, a1, a2, a3, 0, 0);    \
	}
#define TSYS_STUB5(nr, fn)                                             \
	long fn(long a0, long a1, long a2, long a3, long a4)           \
	{                                                              \
		return tsys_call(nr, a0, a1, a2, a3, a4, 0);           \
	}
#define TSYS_STUB6(nr, fn)                                                     \
	long fn(long a0, long a1, long a2, long a3, long a4, long a5)          \
	{                                                                      \
		return tsys_call(nr, a0, a1, a2, a3, a4, a5);                  \
	}
#define SYSCALL(nr, name, nargs) TSYS_STUB##nargs(nr, tsys_##name)
#include "abi/syscalls.def"
#undef SYSCALL
