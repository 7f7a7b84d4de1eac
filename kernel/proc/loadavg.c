/* Load averages (see loadavg.h). */
#include "kernel/proc/loadavg.h"
#include "abi/tessera.h"
#include "kernel/proc/exec.h"
#include "kernel/res/res.h"

#define SAMPLE_NS 5000000000ull
/* 2048 * exp(-5 s / 1, 5, 15 minutes), Linux's EXP_1, EXP_5, EXP_15 */
static const uint64_t decay[3] = { 1884, 2014, 2037 };
static uint64_t avg[3];
static uint64_t next_sample = SAMPLE_NS;

/* Executions ready or running, the idle one aside (it is the only one named "idle" without
 * a process, and it is always running when nothing else is). */
static uint32_t count_running(void)
{
	uint32_t n = 0;
	struct res_hdr *h;
	for (uint32_t i = 0; (h = res_iter(RT_EXEC, &i));) {
		int st = exec_visible_state(h->rid);
		if ((st == TPS_READY || st == TPS_RUNNING) && exec_proc(h->rid))
			n++;
	}
	return n;
}

void loadavg_tick(uint64_t now)
{
	if (now < next_sample)
		return;
	next_sample = now + SAMPLE_NS;
	uint64_t active = (uint64_t)count_running() * LOADAVG_FIXED_1;
	for (int i = 0; i < 3; i++) {
		uint64_t a = avg[i] * decay[i] + active * (LOADAVG_FIXED_1 - decay[i]);
		/* round up while rising, as Linux does, so a steady load reaches its value */
		if (active >= avg[i])
			a += LOADAVG_FIXED_1 - 1;
		avg[i] = a / LOADAVG_FIXED_1;
	}
}

void loadavg_get(uint64_t out[3], uint32_t *running)
{
	for (int i = 0; i < 3; i++)
		out[i] = avg[i];
	*running = count_running();
}
