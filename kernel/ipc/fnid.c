/* The function-identifier table (see fnid.h): a direct map fn -> server for the lookup on
 * every request, and a dense list of the registered ids so that a process exit and svc's
 * listing cost the registrations, not T_FN_MAX. */
#include "kernel/ipc/fnid.h"
#include "abi/errno.h"
#include "abi/srv.h"

static int server[T_FN_MAX];
static uint64_t calls[T_FN_MAX];
static struct { uint64_t count, last_at, last_ns; } repl[T_FN_MAX];
static uint16_t pos[T_FN_MAX];       /* fn's index in reg[] while registered */
static uint16_t reg[T_FN_MAX];       /* the registered ids */
static uint32_t nreg;

void fnid_init(void)
{
	for (uint32_t fn = 0; fn < T_FN_MAX; fn++)
		server[fn] = 0;
	nreg = 0;
}

int fnid_register(uint32_t fn, int pid)
{
	if (fn == T_FN_IRQ || fn >= T_FN_MAX || pid <= 0)
		return -EINVAL;
	if (server[fn] == pid)
		return 0;
	if (server[fn])
		return -EBUSY;
	server[fn] = pid;
	calls[fn] = 0;
	repl[fn].count = repl[fn].last_at = repl[fn].last_ns = 0;
	pos[fn] = (uint16_t)nreg;
	reg[nreg++] = (uint16_t)fn;
	return 0;
}

static void drop(uint32_t fn)
{
	uint32_t i = pos[fn];
	reg[i] = reg[--nreg];
	pos[reg[i]] = (uint16_t)i;
	server[fn] = 0;
}

int fnid_unregister(uint32_t fn, int pid)
{
	if (fn >= T_FN_MAX || !server[fn] || server[fn] != pid)
		return -ENOENT;
	drop(fn);
	return 0;
}

int fnid_server(uint32_t fn)
{
	return fn < T_FN_MAX ? server[fn] : 0;
}

int fnid_move(uint32_t fn, int old, int new, uint64_t now_ns, uint64_t took_ns)
{
	if (fn >= T_FN_MAX || !server[fn] || server[fn] != old || new <= 0)
		return -ENOENT;
	server[fn] = new;
	repl[fn].count++;
	repl[fn].last_at = now_ns;
	repl[fn].last_ns = took_ns;
	return 0;
}

void fnid_repl_stat(uint32_t fn, uint64_t *count, uint64_t *last_at, uint64_t *last_ns)
{
	bool reg = fn < T_FN_MAX && server[fn];
	*count = reg ? repl[fn].count : 0;
	*last_at = reg ? repl[fn].last_at : 0;
	*last_ns = reg ? repl[fn].last_ns : 0;
}

void fnid_count_call(uint32_t fn)
{
	if (fn < T_FN_MAX)
		calls[fn]++;
}

uint64_t fnid_calls(uint32_t fn)
{
	return fn < T_FN_MAX && server[fn] ? calls[fn] : 0;
}

bool fnid_serves_any(int pid)
{
	for (uint32_t i = 0; i < nreg; i++)
		if (server[reg[i]] == pid)
			return true;
	return false;
}

void fnid_drop_pid(int pid)
{
	for (uint32_t i = 0; i < nreg;) {
		if (server[reg[i]] == pid)
			drop(reg[i]);            /* the last one moved into slot i: look again */
		else
			i++;
	}
}

uint32_t fnid_nth(uint32_t n)
{
	return n < nreg ? reg[n] : 0;
}

uint32_t fnid_count(void)
{
	return nreg;
}
