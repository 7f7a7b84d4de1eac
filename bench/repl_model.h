/*
 * The AnT paper's model of server replacement (seed 003, section 3.1, figure 6), shared by
 * the benchmark's parts (bench/repl_bench.c runs it, bench/repl_model.c is its server and
 * driver): AP processes send synchronous requests to an OS server; the server does its
 * request work, sends an asynchronous request to a driver process, and when the driver's
 * result comes back does its result work and answers the AP. The driver does CPU work, then
 * waits (as for real I/O), then answers. CPU work is a counting loop that runs for the given
 * processor time; a wait gives the processor up for the given time.
 */
#pragma once
#include <stdint.h>

#define MODEL_FN_SRV 3900u             /* the server's function id */
#define MODEL_FN_DRV 3901u             /* the driver's */
#define MODEL_STAT_AP 0xffffu         /* arg[1] of a request asking the server for its counts:
                                        * arg[3] answered, arg[4] forwarded, arg[5] failures */

/* The answer the driver gives for request seq of AP ap (the AP checks it). */
static inline uint64_t model_answer(uint64_t seq, uint64_t ap)
{
	uint64_t z = seq * 8 + ap + 0x9E3779B97F4A7C15ull;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* CPU work: a counting loop for ms milliseconds of the process's processor time, looking at
 * the clock every loops_per_check increments. */
void model_cpu(uint64_t loops_per_check, uint64_t ms);
/* Calibrates model_cpu: increments between two looks at the clock. */
uint64_t model_calibrate(void);
/* The roles: repl_bench -S LOOPS REQ_MS RES_MS, repl_bench -D LOOPS CPU_MS WAIT_MS. */
int model_server_main(int argc, char **argv);
int model_driver_main(int argc, char **argv);
