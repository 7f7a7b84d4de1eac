/*
 * nodes: the nodes of the cluster this machine belongs to, as its node server knows them from
 * their announcements (docs/migration.md): address, up or down, load (runnable executions, a
 * decaying average), processes, visitors (processes from other nodes), processes away, free
 * memory, and how long ago it was heard.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "libtessera.h"
#include "tnode.h"

int main(void)
{
	struct tnode_rpc r;
	struct np_nodes n;
	size_t len = 0;
	if (!tnode_self()) {
		fprintf(stderr, "nodes: this machine is not a node (boot with node=N)\n");
		return 1;
	}
	int err = tnode_rpc_open(&r);
	if (!err)
		err = tnode_call(&r, 0, NP_NODES, NULL, 0, &n, sizeof(n), &len);
	if (!err && len < sizeof(n))
		err = -EPROTO;
	if (err) {
		fprintf(stderr, "nodes: the node server does not answer: %s\n", strerror(-err));
		return 1;
	}
	printf("%-4s %-10s %-4s %6s %4s %5s %5s %4s %8s %s\n", "NODE", "ADDRESS", "UP", "LOAD",
	       "RUN", "PROCS", "VISIT", "AWAY", "FREE-MiB", "HEARD");
	for (uint32_t i = 0; i < n.n && i < NP_MAX_NODES; i++) {
		const struct np_node_row *w = &n.row[i];
		const struct np_load *l = &w->load;
		char heard[24];
		if (l->node == tnode_self())
			snprintf(heard, sizeof(heard), "(this node)");
		else
			snprintf(heard, sizeof(heard), "%u ms ago", w->age_ms);
		printf("%-4u 10.0.3.%-3u %-4s %3u.%02u %4u %5u %5u %4u %8llu %s\n", l->node, l->node,
		       w->up ? "up" : "down", l->load / 100, l->load % 100, l->runnable, l->nproc,
		       l->visitors, l->away, (unsigned long long)(l->pages_free * 4096 >> 20),
		       heard);
	}
	tnode_rpc_close(&r);
	return 0;
}
