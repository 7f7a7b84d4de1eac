/*
 * migrate: move a process of this node to another node (docs/migration.md).
 *   migrate [-p] [-s SPACE] [-q] PID NODE
 *   migrate -S SPACE NODE           a whole space with all its processes, into one new
 *                                    space there (all of them or none)
 * -p copies its memory while it runs first (pre-copy), -s puts it into the named space there
 * (HVS across machines), -q prints nothing on success. It runs there from then on; its pid
 * here still names it (ps, kill, wait), and its console output still comes here. A process
 * of this node that runs elsewhere already is moved on by the node it runs on (to this node
 * too: home). When it cannot move, it goes on where it was and the reason is printed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "libtessera.h"
#include "tnode.h"

static int usage(void)
{
	fprintf(stderr, "usage: migrate [-p] [-s SPACE] [-q] PID NODE | -S SPACE NODE\n");
	return 2;
}

static int whole_space(const char *name, int node)
{
	struct tnode_mig_stats st;
	rid_t space;
	int who, err = t_rid_parse(name, RT_VSPACE, &space);
	if (err) {
		printf("migrate: no space %s: %s\n", name, strerror(-err));
		return 1;
	}
	err = tnode_migrate_space(space, (uint32_t)node, &st, &who);
	if (err == -EBUSY && who) {
		printf("migrate: space %s cannot move: pid %d %s\n", name, who,
		       tnode_why_str(st.why));
		return 1;
	}
	if (err) {
		printf("migrate: space %s stays here: %s\n", name, strerror(-err));
		return 1;
	}
	printf("migrate: space %s -> node %d: %llu pages in %llu ms, stopped %llu ms\n", name,
	       node, (unsigned long long)st.pages, (unsigned long long)(st.total_ns / 1000000),
	       (unsigned long long)(st.down_ns / 1000000));
	return 0;
}

int main(int argc, char **argv)
{
	struct tnode_mig_stats st;
	const char *space = NULL, *whole = NULL;
	uint32_t flags = 0;
	int c;
	while ((c = getopt(argc, argv, "ps:qS:")) != -1) {
		if (c == 'S')
			whole = optarg;
		else if (c == 'p')
			flags |= TNODE_MIG_PRECOPY;
		else if (c == 's')
			space = optarg;
		else if (c == 'q')
			flags |= TNODE_MIG_QUIET;
		else
			return usage();
	}
	if (whole && argc - optind == 1 && atoi(argv[optind]) > 0)
		return whole_space(whole, atoi(argv[optind]));
	if (argc - optind != 2 || whole)
		return usage();
	int pid = atoi(argv[optind]), node = atoi(argv[optind + 1]);
	if (pid <= 0 || node <= 0)
		return usage();
	/* a process of this node running elsewhere is moved by the node it runs on */
	int err = space ? tnode_migrate(pid, (uint32_t)node, space, flags, &st)
			: tnode_move(pid, (uint32_t)node, flags, &st);
	if (err == -EBUSY && st.why) {
		printf("migrate: pid %d cannot move: %s\n", pid, tnode_why_str(st.why));
		return 1;
	}
	if (err) {
		printf("migrate: pid %d stays here: %s\n", pid, strerror(-err));
		return 1;
	}
	if (!(flags & TNODE_MIG_QUIET) && !st.remote_pid)
		printf("migrate: pid %d -> node %d\n", pid, node);
	else if (!(flags & TNODE_MIG_QUIET))
		printf("migrate: pid %d -> node %d (pid %d there): %llu pages in %llu.%03llu ms, "
		       "stopped %llu.%03llu ms%s\n", pid, node, st.remote_pid,
		       (unsigned long long)st.pages, (unsigned long long)(st.total_ns / 1000000),
		       (unsigned long long)(st.total_ns / 1000 % 1000),
		       (unsigned long long)(st.down_ns / 1000000),
		       (unsigned long long)(st.down_ns / 1000 % 1000),
		       flags & TNODE_MIG_PRECOPY ? " (pre-copy)" : "");
	return 0;
}
