/* The raw system-call stubs: one per line of abi/syscalls.def, all through tsys_call. */
#include "tsys.h"

long tsys_call(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
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
