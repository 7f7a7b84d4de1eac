/* The system-call table: one entry per line of abi/syscalls.def, each a sys_* function that
 * fetches and validates its arguments and then calls the internal function. */
#pragma once

/* The light path of both entries (arch/x86_64/entry.S for `syscall` from ring 3,
 * smode_entry.S for the Smode call form): calls below SYSCALL_LIGHT_MAX that never block,
 * switch executions, or use the caller's frame, run without a trap frame. Anything else
 * returns SYSCALL_LIGHT_DECLINED and takes the full path. The entries include this header. */
#define SYSCALL_LIGHT_MAX 1152
#define SYSCALL_LIGHT_DECLINED (-4097)

/* The leaf path, in front of the light path in both entries (arch/x86_64/include/arch/
 * frame.S.h, LEAF_CALL): calls below SYSCALL_LEAF_MAX whose whole answer is one 32-bit field
 * of the running process (getpid and friends) read it straight from struct proc, with no
 * stack, no C and (in the Smode call form) no change of the interrupt flag. The field
 * offsets are in syscall_leaf_field[]; the offset of struct proc's exec rid is checked
 * against offsetof() in syscall.c. */
#define SYSCALL_LEAF_MAX 192

/* t_switch_supervisor and t_switch_user (abi/syscalls.def): both entries try the switch of
 * oneself (runmode_switch_fast_*) before the light path. Checked in syscall.c. */
#define SYSCALL_SWITCH_S 1080
#define SYSCALL_SWITCH_U 1081
#define SYSCALL_LEAF_PROC_EXEC 0x58

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>

struct sysargs {
	uint64_t a[6];
};

typedef long (*syscall_fn)(const struct sysargs *args);

/* SYSNR_<name>: the call numbers, for the kernel code that must know one. */
#define SYSCALL(nr, name, nargs) SYSNR_##name = nr,
enum {
#include "abi/syscalls.def"
};
#undef SYSCALL

#define SYSCALL(nr, name, nargs) long sys_##name(const struct sysargs *args);
#include "abi/syscalls.def"
#undef SYSCALL

/* Per leaf call number: the offset in struct proc of its 32-bit answer, 0 = not a leaf. */
extern const uint8_t syscall_leaf_field[SYSCALL_LEAF_MAX];

/* Light-path forms that differ from the call's own sys_* function (sys_runmode.c). */
long sys_t_switch_supervisor_light(const struct sysargs *args);
long sys_t_switch_user_light(const struct sysargs *args);

/* The light path's handlers by call number (NULL: not light). The entries look here first,
 * so that a call the light path would decline anyway goes straight to the full path. */
extern const syscall_fn syscall_light_table[SYSCALL_LIGHT_MAX];
/* Runs call nr on the light path, or returns SYSCALL_LIGHT_DECLINED. */
long syscall_light(uint64_t nr, const struct sysargs *args);
/* Whether a light call is running: code that would have to wait (a block-device open asks
 * its driver) returns SYSCALL_LIGHT_DECLINED instead, before changing anything, and the call
 * is made again on the full path. */
bool syscall_in_light(void);

/* Dispatch call number nr; unknown numbers return -ENOSYS. */
long syscall_dispatch(uint64_t nr, const struct sysargs *args);
#endif
