/* Time: the periodic timer interrupt (PIT, line IRQ_TIMER of arch/irq.h), a TSC-based
 * monotonic clock, and the wall-clock time read from the CMOS RTC at boot. */
#pragma once
#include <stdint.h>

#define TIMER_HZ 1000

void timer_init(void);
uint64_t time_ns(void);             /* monotonic, since boot */
uint64_t time_realtime_ns(void);    /* nanoseconds since the Unix epoch */
uint64_t tsc_per_us(void);
/* A span of TSC cycles in nanoseconds (the factor time_ns uses). */
uint64_t tsc_to_ns(uint64_t cycles);
/* The base both clocks are computed from: time_ns() = (rdtsc() - *tsc0) * *mult >> 32 (a
 * 128-bit product), time_realtime_ns() = that + *realtime0 (the vDSO repeats it). */
void timer_base(uint64_t *tsc0, uint64_t *mult, uint64_t *realtime0);
