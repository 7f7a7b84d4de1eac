/* The debug dump: on a non-maskable interrupt (QEMU's monitor command `nmi`, which the test
 * harnesses send when a guest stops printing), the kernel prints what the CPU was doing and
 * what every process and execution is waiting for, then carries on. It only reads kernel
 * tables and never takes a lock or allocates, so it is safe wherever the NMI lands; tables
 * being changed at that moment may print inconsistent values, never fault. The harness turns
 * the addresses into function names with the kernel's symbols (tools/qemu_run.py). */
#include "kernel/proc/kdebug.h"
#include "arch/smode.h"
#include "kernel/lib/kprintf.h"
#include "kernel/mm/pmm.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/proc.h"

static uint32_t dumps;

void kdebug_dump(uint64_t rip, uint64_t rsp, uint64_t rbp, bool in_kernel)
{
	kprintf("\nDBG BEGIN %u rip %lx rsp %lx %s exec %lx free %lu of %lu pages\n", ++dumps,
		rip, rsp, in_kernel ? "kernel" : "application", exec_cur(), pmm_free_pages(),
		pmm_total_pages());
	kprintf("DBG smode light busy %u deferred %u held %lu\n", smode_light_busy,
		smode_light_deferred, (uint64_t)smode_light_held);
	exec_debug_dump(in_kernel ? rbp : 0);
	proc_debug_dump();
	kprintf("DBG END %u\n", dumps);
}
