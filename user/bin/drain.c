/*
 * drain: move every movable process off a node, for maintenance (docs/migration.md).
 *   drain NODE
 * Run on any node of the cluster. NODE's processes are listed through the uniform interface
 * (another node's resource ids: RID_NODE_START), and NODE is asked to move each one
 * (NP_MIGRATE) to its least loaded other node. Every process is reported: where it went,
 * or why it could not move (init, the OS servers, the shell with its children, a process
 * holding a socket...). Processes of NODE already running elsewhere are not NODE's load
 * and are left where they are.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "libtessera.h"
#include "tnode.h"

#define MOVE_TRIES 120

struct tally {
	int moved, stayed;
};

static void move_one(struct tnode_rpc *r, uint32_t node, const struct t_res_info *in,
		     struct tally *t)
{
	struct np_migrate a = { .pid = (int32_t)in->v[0] }, ans;
	size_t n = 0;
	int err = tnode_call(r, node, NP_MIGRATE, &a, sizeof(a), &ans, sizeof(ans), &n);
	if (!err && n >= sizeof(ans)) {
		printf("drain: pid %d (%s) -> node %u\n", a.pid, in->name, ans.node);
		t->moved++;
		return;
	}
	if (err == -EBUSY && n >= sizeof(ans) && ans.why)
		printf("drain: pid %d (%s) stays: %s\n", a.pid, in->name, tnode_why_str(ans.why));
	else
		printf("drain: pid %d (%s) stays: %s\n", a.pid, in->name,
		       err == -EINVAL ? "no other node is up" : strerror(-err));
	t->stayed++;
}

int main(int argc, char **argv)
{
	struct tnode_rpc r;
	struct tally t = { 0, 0 };
	int node = argc == 2 ? atoi(argv[1]) : 0;
	if (node <= 0 || node > (int)T_NODE_MAX) {
		fprintf(stderr, "usage: drain NODE\n");
		return 2;
	}
	if (tnode_rpc_open(&r))
		return 1;
	r.tries = MOVE_TRIES;
	uint32_t at = (uint32_t)node == tnode_self() ? 0 : (uint32_t)node;
	rid_t rid = at ? RID_NODE_START(at) : 0;
	struct t_res_info in;
	int err, tries = 0;
	/* the listing goes to the node at each step: a busy node may miss one answer */
	while ((err = t_res_next(RT_PROCESS, rid, &rid)) == 0 ||
	       (err == -EHOSTUNREACH && ++tries < 3)) {
		if (err)
			continue;
		if (t_res_info(rid, &in) || in.v[2] == TPS_ZOMBIE || in.v[2] == TPS_REMOTE)
			continue;
		move_one(&r, (uint32_t)node, &in, &t);
	}
	tnode_rpc_close(&r);
	if (err != -ENOENT) {
		printf("drain: cannot list node %d's processes: %s\n", node, strerror(-err));
		return 1;
	}
	printf("drain: node %d: %d moved, %d could not move\n", node, t.moved, t.stayed);
	return 0;
}
