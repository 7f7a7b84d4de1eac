/* PIT for the tick (its handler is registered on IRQ_TIMER, arch/irq.h), TSC for fine time
 * (calibrated against the PIT at boot), and the CMOS RTC for the wall clock. */
#include "arch/timer.h"
#include "arch/cpu.h"

static uint64_t tsc_khz, tsc_at_boot, epoch_at_boot_ns;
/* ns per TSC tick in 32.32 fixed point: a multiplication instead of divisions, which the vDSO
 * (vdso/vdso.c) repeats exactly, so its readings and the kernel's never disagree */
static uint64_t tsc_mult;

/* Count TSC ticks over 10 ms measured by PIT channel 2 (gate via port 0x61). */
static void calibrate_tsc(void)
{
	const uint16_t count = 11932;               /* 1193182 Hz * 10 ms */
	outb(0x61, (inb(0x61) & ~0x02) | 0x01);
	outb(0x43, 0xb0);                           /* channel 2, lobyte/hibyte, mode 0 */
	outb(0x42, count & 0xff);
	outb(0x42, count >> 8);
	uint64_t t0 = rdtsc();
	while (!(inb(0x61) & 0x20))
		;
	uint64_t t1 = rdtsc();
	tsc_khz = (t1 - t0) / 10;
	if (!tsc_khz)
		tsc_khz = 1000000;
}

static uint8_t cmos(uint8_t reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static int bcd(uint8_t v, int binary)
{
	return binary ? v : (v & 0xf) + (v >> 4) * 10;
}

static uint64_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int era = y / 400;
	int yoe = y - era * 400;
	int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (uint64_t)(era * 146097 + doe - 719468);
}

static void read_rtc(void)
{
	while (cmos(0x0a) & 0x80)
		;                                   /* update in progress */
	int binary = cmos(0x0b) & 0x04;
	int sec = bcd(cmos(0x00), binary), min = bcd(cmos(0x02), binary);
	int hour = bcd(cmos(0x04) & 0x7f, binary), day = bcd(cmos(0x07), binary);
	int mon = bcd(cmos(0x08), binary), year = bcd(cmos(0x09), binary) + 2000;
	uint64_t days = days_from_civil(year, mon, day);
	epoch_at_boot_ns = ((days * 86400) + hour * 3600 + min * 60 + sec) * 1000000000ull;
}

void timer_init(void)
{
	calibrate_tsc();
	tsc_mult = (1000000ull << 32) / tsc_khz;
	tsc_at_boot = rdtsc();
	read_rtc();
	uint16_t div = 1193182 / TIMER_HZ;
	outb(0x43, 0x34);                           /* channel 0, rate generator */
	outb(0x40, div & 0xff);
	outb(0x40, div >> 8);
}

uint64_t time_ns(void)
{
	return (uint64_t)(((unsigned __int128)(rdtsc() - tsc_at_boot) * tsc_mult) >> 32);
}

uint64_t tsc_to_ns(uint64_t cycles)
{
	return (uint64_t)(((unsigned __int128)cycles * tsc_mult) >> 32);
}

uint64_t time_realtime_ns(void)
{
	return epoch_at_boot_ns + time_ns();
}

uint64_t tsc_per_us(void)
{
	return tsc_khz / 1000;
}

void timer_base(uint64_t *tsc0, uint64_t *mult, uint64_t *realtime0)
{
	*tsc0 = tsc_at_boot;
	*mult = tsc_mult;
	*realtime0 = epoch_at_boot_ns;
}
