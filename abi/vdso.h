/* The vDSO's interface between the kernel and the shared object it maps into every space
 * (vdso/vdso.c, kernel/proc/vdso.c): where the two are, and the layout of the read-only data
 * page the kernel keeps the time base in. Both sit just above the coexistence control area
 * (T_CCA_ADDR, abi/tessera.h), above every address the system-wide allocator hands out, so
 * one address serves every space, whatever process runs there (HVS). */
#pragma once
#include <stdint.h>

#define VDSO_DATA_ADDR 0x00007ff000001000ull     /* struct vdso_data, read-only, no execute */
#define VDSO_TEXT_ADDR 0x00007ff000002000ull     /* the ELF image (AT_SYSINFO_EHDR) */
#define VDSO_MAX_PAGES 4                          /* the image's most pages */

/* The legacy vsyscall page (Linux's fixed entries, emulated on an instruction fetch there). */
#define VSYSCALL_ADDR 0xffffffffff600000ull
#define VSYSCALL_GETTIMEOFDAY 0x000
#define VSYSCALL_TIME 0x400
#define VSYSCALL_GETCPU 0x800

/* Time as the kernel's clock computes it (arch timer: TSC since boot): monotonic ns =
 * (tsc - tsc_base) * tsc_mult >> 32 with a 128-bit product, real time = that +
 * realtime_base_ns. seq is a sequence lock: odd while the kernel rewrites the rest, bumped
 * again after. */
struct vdso_data {
	volatile uint32_t seq;
	uint32_t pad;
	uint64_t tsc_base;
	uint64_t tsc_mult;            /* set by vdso_init before any process runs */
	uint64_t realtime_base_ns;
};
