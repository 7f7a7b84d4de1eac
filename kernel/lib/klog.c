/* The kernel's message log (see klog.h). Positions count every byte ever logged, so a ring
 * slot is pos % KLOG_SIZE and what has been overwritten is anything below head - KLOG_SIZE. */
#include "kernel/lib/klog.h"
#include "kernel/lib/kprintf.h"

static char ring[KLOG_SIZE];
static uint64_t head;               /* bytes ever logged */
static uint64_t read_pos;           /* where SYSLOG_ACTION_READ goes on */
static uint64_t clear_pos;          /* where READ_ALL starts (CLEAR moves it) */
static bool line_start = true;
static uint64_t (*clock)(void);

void klog_reset(uint64_t (*clock_ns)(void))
{
	head = read_pos = clear_pos = 0;
	line_start = true;
	clock = clock_ns;
}

static void put(char c)
{
	ring[head % KLOG_SIZE] = c;
	head++;
}

static void stamp(void)
{
	char buf[48];
	uint64_t ns = clock ? clock() : 0;
	int n = ksnprintf(buf, sizeof(buf), "<%d>[%5lu.%06lu] ", KLOG_LEVEL,
			  (unsigned long)(ns / 1000000000u), (unsigned long)(ns % 1000000000u / 1000));
	for (int i = 0; i < n && i < (int)sizeof(buf) - 1; i++)
		put(buf[i]);
}

void klog_append(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (line_start)
			stamp();
		put(s[i]);
		line_start = s[i] == '\n';
	}
}

/* The oldest position still in the ring, at or after from. */
static uint64_t oldest(uint64_t from)
{
	uint64_t floor = head > KLOG_SIZE ? head - KLOG_SIZE : 0;
	return from > floor ? from : floor;
}

/* The first line start at or after pos: a line whose beginning the ring has overwritten is
 * left out, as is one a length limit would cut. */
static uint64_t line_start_from(uint64_t pos)
{
	uint64_t floor = head > KLOG_SIZE ? head - KLOG_SIZE : 0;
	pos = oldest(pos);
	if (pos == 0 || (pos > floor && ring[(pos - 1) % KLOG_SIZE] == '\n'))
		return pos;
	while (pos < head && ring[pos % KLOG_SIZE] != '\n')
		pos++;
	return pos < head ? pos + 1 : head;
}

static void copy_out(char *out, uint64_t from, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = ring[(from + i) % KLOG_SIZE];
}

size_t klog_read_all(char *out, size_t len, bool clear)
{
	uint64_t from = line_start_from(clear_pos);
	if (head - from > len)
		from = line_start_from(head - len);
	size_t n = (size_t)(head - from);
	copy_out(out, from, n);
	if (clear)
		klog_clear();
	return n;
}

size_t klog_read(char *out, size_t len)
{
	read_pos = oldest(read_pos);
	size_t n = head - read_pos < len ? (size_t)(head - read_pos) : len;
	copy_out(out, read_pos, n);
	read_pos += n;
	return n;
}

void klog_clear(void)
{
	clear_pos = head;
}

size_t klog_unread(void)
{
	return (size_t)(head - oldest(read_pos));
}
