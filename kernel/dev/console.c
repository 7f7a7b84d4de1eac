/* The console terminal on COM1 (see console.h): line discipline with echo and backspace. */
#include "kernel/dev/console.h"
#include "abi/errno.h"
#include "arch/irq.h"
#include "arch/serial.h"
#include "kernel/lib/kprintf.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/ctty.h"
#include "kernel/proc/proc.h"
#include "kernel/proc/signal.h"

#define L_ISIG 0x1u
#define L_ICANON 0x2u
#define L_ECHO 0x8u
#define L_TOSTOP 0x100u
#define INBUF 4096
#define LINEMAX 1024

static char inbuf[INBUF];           /* bytes ready for readers */
static unsigned in_head, in_tail;
static char line[LINEMAX];          /* the line being edited (canonical mode) */
static unsigned line_len;
static unsigned eof_pending;        /* ^D on an empty line: one read returns 0 */
static uint32_t lflag = L_ISIG | L_ICANON | L_ECHO;
static uint8_t cc_intr = 0x03, cc_quit = 0x1c, cc_susp = 0x1a;   /* ^C ^\ ^Z; 0: off */

static void putc_raw(char c)
{
	if (c == '\n')
		serial_putc('\r');
	serial_putc(c);
}

static void sink(const char *s, size_t n)
{
	while (n--)
		putc_raw(*s++);
}

static void serial_irq(unsigned line)
{
	(void)line;
	serial_poll_input(console_input);
}

void console_init(void)
{
	kprintf_sink = sink;
	if (irq_register(IRQ_COM1, serial_irq))
		panic("console_init: the serial line has a handler already");
}

long console_write(const char *kbuf, size_t n)
{
	sink(kbuf, n);
	return (long)n;
}

static void queue(char c)
{
	if (in_tail - in_head < INBUF)
		inbuf[in_tail++ % INBUF] = c;
}

void console_set_cc(uint8_t intr, uint8_t quit, uint8_t susp)
{
	cc_intr = intr, cc_quit = quit, cc_susp = susp;
}

/* With ISIG, the interrupt, quit and suspend characters signal the foreground group (ctty.h)
 * instead of being read; the line being edited is dropped, as Linux's does (no NOFLSH). */
static bool signal_char(char c)
{
	static const char *const echo[] = { "^C\n", "^\\\n", "^Z\n" };
	static const int sigs[] = { L_SIGINT, L_SIGQUIT, L_SIGTSTP };
	uint8_t chars[] = { cc_intr, cc_quit, cc_susp };
	if (!(lflag & L_ISIG) || !c)
		return false;
	for (int i = 0; i < 3; i++) {
		if ((uint8_t)c != chars[i])
			continue;
		line_len = 0;
		if (lflag & L_ECHO)
			sink(echo[i], 3);
		ctty_signal_fg(sigs[i]);
		return true;
	}
	return false;
}

static void edit(char c)
{
	if (c == '\r')
		c = '\n';
	if (c == 0x7f || c == 0x08) {
		if (line_len) {
			line_len--;
			if (lflag & L_ECHO)
				sink("\b \b", 3);
		}
		return;
	}
	if (c == 0x04) {                  /* ^D: end of file, or push the partial line */
		if (!line_len)
			eof_pending++;
		for (unsigned i = 0; i < line_len; i++)
			queue(line[i]);
		line_len = 0;
		return;
	}
	if (line_len < LINEMAX - 1 || c == '\n')
		line[line_len++] = c;
	if (lflag & L_ECHO)
		putc_raw(c);
	if (c == '\n') {
		for (unsigned i = 0; i < line_len; i++)
			queue(line[i]);
		line_len = 0;
	}
}

void console_input(char c)
{
	if (signal_char(c)) {
		wakeup(inbuf);
		return;
	}
	if (lflag & L_ICANON) {
		edit(c);
	} else {
		queue(c);
		if (lflag & L_ECHO)
			putc_raw(c);
	}
	wakeup(inbuf);
}

int console_readable(void)
{
	return in_head != in_tail || eof_pending;
}

/* The processes waiting in console_read now (a migration refuses them: console input is
 * not forwarded to another node). */
#define MAX_READERS 8
static int readers[MAX_READERS];

static void reader(int pid, bool waiting)
{
	for (int i = 0; i < MAX_READERS; i++) {
		if (waiting ? !readers[i] : readers[i] == pid) {
			readers[i] = waiting ? pid : 0;
			return;
		}
	}
}

bool console_waiting(int pid)
{
	for (int i = 0; pid > 0 && i < MAX_READERS; i++)
		if (readers[i] == pid)
			return true;
	return false;
}

long console_read(char *kbuf, size_t n)
{
	struct proc *p = proc_cur();
	int pid = p ? p->pid : 0;
	if (in_head == in_tail && !eof_pending)
		reader(pid, true);
	while (in_head == in_tail && !eof_pending) {
		sleep_on(inbuf, 0);
		if (p && proc_aborting(p)) {
			reader(pid, false);
			return -ERESTARTSYS;
		}
	}
	reader(pid, false);
	if (in_head == in_tail) {
		eof_pending--;
		return 0;
	}
	size_t k = 0;
	while (k < n && in_head != in_tail) {
		char c = inbuf[in_head++ % INBUF];
		kbuf[k++] = c;
		if (c == '\n' && (lflag & L_ICANON))
			break;
	}
	return (long)k;
}

uint32_t console_get_lflag(void)
{
	return lflag;
}

void console_set_lflag(uint32_t f)
{
	lflag = f & (L_ISIG | L_ICANON | L_ECHO | L_TOSTOP);
}
