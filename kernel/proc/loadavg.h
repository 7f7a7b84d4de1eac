/* Load averages as Linux computes them: every 5 seconds the number of executions ready or
 * running (idle aside) is folded into three exponentially decaying averages over 1, 5 and 15
 * minutes, in fixed point (11 fraction bits). */
#pragma once
#include <stdint.h>

#define LOADAVG_FSHIFT 11
#define LOADAVG_FIXED_1 (1u << LOADAVG_FSHIFT)

/* From the timer tick: samples when 5 seconds have passed since the last sample. */
void loadavg_tick(uint64_t now_ns);
/* The three averages (fixed point), and the executions ready or running now. */
void loadavg_get(uint64_t avg[3], uint32_t *running);
