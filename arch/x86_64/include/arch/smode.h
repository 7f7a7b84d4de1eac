/* What the Smode function entry (arch/x86_64/smode_entry.S) shares with the trap handler:
 * its light path runs with interrupts on, and an interrupt that arrives while it is on the
 * kernel stack is held back until it is back on the caller's stack. */
#pragma once

/* The software interrupt by which the entry delivers a held-back interrupt. */
#define SMODE_REPLAY_VECTOR 0xf0

#ifndef __ASSEMBLER__
#include <stdint.h>
void smode_call_entry(void);            /* the function entry, as the control area gives it */
extern uint64_t smode_calls;            /* calls through it since boot */
extern uint32_t smode_light_busy;       /* set while the light path uses the kernel stack */
extern uint32_t smode_light_deferred;   /* the held-back vector, or 0 */
extern uint64_t smode_light_held;       /* interrupts held back since boot */
#endif
