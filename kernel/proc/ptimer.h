/* The real-time interval timer of each process (alarm, setitimer ITIMER_REAL): when it
 * expires the process gets SIGALRM, and a periodic one is re-armed. */
#pragma once
#include <stdint.h>
#include "kernel/proc/proc.h"

/* Arm p's timer to expire in 'in' ns (0 = disarm), then every 'interval' ns. */
void ptimer_set(struct proc *p, uint64_t in, uint64_t interval);
/* Time left until p's timer expires (0: disarmed) and its interval, in ns. */
void ptimer_get(const struct proc *p, uint64_t *left, uint64_t *interval);
/* alarm(2): arm p's timer for secs seconds (0: disarm, secs < 2^32); returns the seconds
 * that were left on the old one, rounded up. */
uint64_t ptimer_alarm(struct proc *p, uint64_t secs);
/* Called on every timer tick: send SIGALRM to the processes whose timer has expired. */
void ptimer_tick(uint64_t now);
