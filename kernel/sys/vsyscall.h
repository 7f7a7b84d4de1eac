/* The legacy vsyscall page (abi/vdso.h: VSYSCALL_ADDR), emulated as Linux's default
 * vsyscall=xonly does it: nothing is mapped there, a jump to one of its three entries faults
 * and is answered here as the call would be, and any read of the page faults (SIGSEGV). Old
 * static binaries (dietlibc's time and gettimeofday, old glibc) call it. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "arch/cpu.h"

/* A page fault at addr from application code (ring 3, or Smode's ring 0): when it is an
 * instruction fetch in the vsyscall page, performs the call (gettimeofday at +0, time at
 * +0x400, getcpu at +0x800; arguments in rdi, rsi, rdx) and returns to the caller's return
 * address (popped from its stack) with the result in rax, and says true. A fetch elsewhere
 * in the page, a return address that cannot be read, or a result pointer that cannot be
 * written ends the process with SIGSEGV, as on Linux (then this does not return). false:
 * not a vsyscall; the fault is the caller's to handle. */
bool vsyscall_fault(struct trapframe *tf, uint64_t addr);
