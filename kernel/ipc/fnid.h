/*
 * The function-identifier table (abi/srv.h): which server process serves each function id.
 * A caller names a function, never a server; servers register the ids they serve (root
 * only: kernel/ipc/srv.c checks) and lose them when they exit. Each id counts the requests
 * made to it since it was registered (svc shows them). Plain data, no process knowledge:
 * host-tested (tests/host/test_fnid.c).
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

void fnid_init(void);
/* fn (1 .. T_FN_MAX-1) is served by pid from now on. Registered to pid already: nothing to
 * do. -EINVAL bad fn or pid, -EBUSY another pid serves it. */
int fnid_register(uint32_t fn, int pid);
/* -ENOENT unless pid serves fn. */
int fnid_unregister(uint32_t fn, int pid);
/* The server of fn, 0 if none (or fn out of range). */
int fnid_server(uint32_t fn);
void fnid_count_call(uint32_t fn);
uint64_t fnid_calls(uint32_t fn);
/* Live replacement (srvrepl.c): fn, served by old, is served by new from now on, its call
 * counter kept and its replacement counted, the replacement having ended at now_ns and taken
 * took_ns. -ENOENT unless old serves fn. */
int fnid_move(uint32_t fn, int old, int new, uint64_t now_ns, uint64_t took_ns);
/* How often fn's server was replaced since fn was registered, when the last one ended and how
 * long it took (all 0 for an unregistered id). */
void fnid_repl_stat(uint32_t fn, uint64_t *count, uint64_t *last_at, uint64_t *last_ns);
/* Whether pid serves fn. */
static inline bool fnid_serves(uint32_t fn, int pid)
{
	return pid > 0 && fnid_server(fn) == pid;
}
/* Every id pid serves is dropped (its exit). Costs the number of registered ids. */
void fnid_drop_pid(int pid);
/* Whether pid serves some function id. */
bool fnid_serves_any(int pid);
/* The n-th registered id (0-based, in no particular order), or 0 past the last. */
uint32_t fnid_nth(uint32_t n);
uint32_t fnid_count(void);
