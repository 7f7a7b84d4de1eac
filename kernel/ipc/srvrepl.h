/*
 * Live replacement of OS servers (AnT, seed 003 section 2.4; abi/srv.h says the protocol,
 * docs/replacement.md how it is used): a requester asks for the server of a function id to be
 * replaced by a new program; the old server stops at a request boundary and hands over its
 * state ICAs; the new one takes them and registers; the kernel moves function ids, queues,
 * results, interrupts and device claims at once, or, if anything goes wrong before that, gives
 * everything back to the old server, which goes on as if nothing had happened.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "abi/srv.h"

struct proc;

#define REPL_SLOTS 8                /* replacements under way at once */

/* The program a replacement starts (kernel copies of every string). */
struct args;
struct srvrepl_prog {
	const char *path;
	struct args *args;             /* argv and envp (kernel/proc/args.h); the caller's */
};

/* t_repl_request: replace the server of fn (0: the process pid) with prog, waiting at most
 * deadline_ms; res filled in whatever the outcome (abi/srv.h lists the errors). */
int srvrepl_request(struct proc *req, const struct srvrepl_prog *prog, uint32_t fn, int pid,
		    uint32_t deadline_ms, struct t_repl_result *res);
/* t_repl_declare: p keeps its state in ICAs of layout version (0: not replaceable). */
void srvrepl_declare(struct proc *p, uint32_t version);
/* For srv_recv: the replacement notice, when one is pending for server pid and it has not had
 * it yet (then true, m filled in). */
bool srvrepl_notice(int pid, struct t_msg *m);
/* t_repl_handover: the old server p hands its state (ICAs and mappings) over and waits for the
 * outcome. Does not return when the replacement succeeds (p exits); -ECANCELED when it failed
 * (the state is back), -ENOENT when none is pending for p, or an error for a bad piece (the
 * replacement then fails). */
int srvrepl_handover(struct proc *p, const struct t_repl_item *items, uint32_t n,
		     uint32_t version);
/* t_repl_take: -ESRCH when p is not a replacement; else waits for the handover and takes the
 * state. */
int srvrepl_take(struct proc *p, struct t_repl_state *out);
/* t_repl_ready: p's registration as the new server, fns the ids it provides; commits. */
int srvrepl_ready(struct proc *p, const uint32_t *fns, uint32_t n);
/* t_repl_abort: the new server gives up (status < 0; -EPROTO: the state is rejected). */
int srvrepl_abort(struct proc *p, int status);
/* t_repl_stat of fn (-ENOENT: nobody serves it). */
int srvrepl_stat(uint32_t fn, struct t_repl_stat *out);
/* Process exit (srv_proc_exit, before anything of pid is taken apart): a replacement it takes
 * part in as the old or the new server fails. */
void srvrepl_proc_exit(int pid);
