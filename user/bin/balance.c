/*
 * balance: the load balancer of a cluster (docs/migration.md).
 *   balance on | off | status
 * `on` starts the daemon on this node (a process named "balanced"); every BALANCE_PERIOD_MS
 * it reads the nodes' loads (their announcements, through this node's node server), and when
 * the busiest node runs at least BALANCE_GAP runnable executions more than the least busy
 * one (decaying averages), asks the busiest to move its most CPU-hungry movable process
 * there (NP_MIGRATE), printing what it did on this node's console; after a move it waits for
 * the averages to follow. `off` ends the daemon.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "libtessera.h"
#include "tnode.h"

#define BALANCE_PERIOD_MS 2000
#define BALANCE_SETTLE_MS 6000          /* after a move: the averages follow slowly */
#define BALANCE_GAP 150                 /* load x 100 */
#define DAEMON "balanced"

/* This node's daemon (0: none). */
static int daemon_pid(void)
{
	struct t_res_info in;
	for (rid_t r = 0; t_res_next(RT_PROCESS, r, &r) == 0;)
		if (t_res_info(r, &in) == 0 && in.v[2] != TPS_ZOMBIE && !strcmp(in.name, DAEMON))
			return (int)in.v[0];
	return 0;
}

/* The CPU ticks a process of node has run (0 for one that cannot be asked). */
static uint64_t ticks_of(const struct t_res_info *p)
{
	struct t_res_info e;
	for (uint32_t i = 0; i < p->nrefs && i < T_MAX_REFS; i++)
		if (RID_TYPE(p->refs[i].rid) == RT_EXEC && t_res_info(p->refs[i].rid, &e) == 0)
			return e.v[3];
	return 0;
}

static int skipped(const struct t_res_info *in)
{
	static const char *const names[] = { "init", "node", "net", "sh", DAEMON };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(in->name, names[i]))
			return 1;
	return in->v[2] != TPS_READY && in->v[2] != TPS_RUNNING;
}

/* The runnable process of node that has run longest (its pid there, 0: none). */
static int hungriest(uint32_t node, char *name, size_t n)
{
	struct t_res_info in;
	uint64_t best = 0;
	int pid = 0;
	rid_t r = node == tnode_self() ? 0 : RID_NODE_START(node);
	while (t_res_next(RT_PROCESS, r, &r) == 0) {
		if (t_res_info(r, &in) || skipped(&in))
			continue;
		uint64_t t = ticks_of(&in);
		if (!pid || t > best) {
			best = t, pid = (int)in.v[0];
			snprintf(name, n, "%s", in.name);
		}
	}
	return pid;
}

/* One look at the cluster: 1 if a process was moved. */
static int step(struct tnode_rpc *r)
{
	struct np_nodes ns;
	size_t len = 0;
	if (tnode_call(r, 0, NP_NODES, NULL, 0, &ns, sizeof(ns), &len) || len < sizeof(ns))
		return 0;
	const struct np_node_row *hi = NULL, *lo = NULL;
	for (uint32_t i = 0; i < ns.n && i < NP_MAX_NODES; i++) {
		const struct np_node_row *w = &ns.row[i];
		if (!w->up)
			continue;
		if (!hi || w->load.load > hi->load.load)
			hi = w;
		if (!lo || w->load.load < lo->load.load)
			lo = w;
	}
	if (!hi || !lo || hi->load.load < lo->load.load + BALANCE_GAP)
		return 0;
	char name[T_NAME_MAX] = "";
	int pid = hungriest(hi->load.node, name, sizeof(name));
	if (!pid)
		return 0;
	struct np_migrate a = { .pid = pid, .node = lo->load.node }, ans;
	int err = tnode_call(r, hi->load.node, NP_MIGRATE, &a, sizeof(a), &ans, sizeof(ans), &len);
	printf("balance: pid %d (%s) node %u (load %u.%02u) -> node %u (load %u.%02u): %s\n", pid,
	       name, hi->load.node, hi->load.load / 100, hi->load.load % 100, lo->load.node,
	       lo->load.load / 100, lo->load.load % 100,
	       !err ? "moved" : err == -EBUSY ? tnode_why_str(ans.why) : strerror(-err));
	fflush(stdout);
	return !err;
}

static _Noreturn void run_daemon(void)
{
	struct tnode_rpc r;
	if (tnode_rpc_open(&r))
		exit(1);
	r.tries = 120;                          /* NP_MIGRATE is answered when the move is over */
	for (;;)
		usleep((step(&r) ? BALANCE_SETTLE_MS : BALANCE_PERIOD_MS) * 1000);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "status";
	int pid = daemon_pid();
	if (!strcmp(cmd, "daemon"))
		run_daemon();
	if (!tnode_self()) {
		fprintf(stderr, "balance: this machine is not a node (boot with node=N)\n");
		return 1;
	}
	if (!strcmp(cmd, "on") && !pid) {
		static const char *const av[] = { "balance", "daemon", NULL };
		int err = t_proccreate(DAEMON, "/bin/balance", av, 0, 0, &pid);
		if (err) {
			fprintf(stderr, "balance: %s\n", strerror(-err));
			return 1;
		}
	} else if (!strcmp(cmd, "off") && pid) {
		kill(pid, SIGTERM);
		pid = 0;
	} else if (strcmp(cmd, "on") && strcmp(cmd, "off") && strcmp(cmd, "status")) {
		fprintf(stderr, "usage: balance on|off|status\n");
		return 2;
	}
	printf("balance: %s", pid ? "on" : "off");
	if (pid)
		printf(" (pid %d)", pid);
	printf("\n");
	return 0;
}
