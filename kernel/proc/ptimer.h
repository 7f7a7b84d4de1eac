/* The real-time interval timer of each process (alarm, setitimer ITIMER_REAL): when it
 * expires the process gets SIGALRM, and a periodic one is re-armed. */
#pragma once
#include <stdint.h>
#include "kernel/proc/proc.h"

/* Arm p's timer to expire at 'at' (monotonic ns, 0 = disarm), then every 'interval' ns. */
void ptimer_set(struct proc *p, uint64_t at, uint64_t interval);
/* Called on every timer tick: send SIGALRM to the processes whose timer has expired. */
void ptimer_tick(uint64_t now);
