/* meta: process metamorphosis from the shell. Change the program a process runs, restart it,
 * save and restore checkpoints, and show the reusable-resource table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "libtessera.h"

static int fail(const char *what, int err)
{
	fprintf(stderr, "meta: %s: %s\n", what, strerror(-err));
	return 1;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: meta prog PID PROGRAM [ARGS...]  PID continues from the start of PROGRAM\n"
		"       meta restart PID                 PID goes back to its initial state\n"
		"       meta save PID [NAME]             checkpoint PID (prints the id)\n"
		"       meta restore PID CKPT            put PID back at checkpoint CKPT\n"
		"       meta reuse [flush|on|off]        the reusable-resource table\n");
	return 2;
}

static int reuse(int argc, char **argv)
{
	static const char *kinds[TRU_NKINDS] = { "program", "space", "region" };
	struct t_reuse_stat st;
	int err;
	if (argc > 2 && strcmp(argv[2], "flush") == 0)
		err = t_kctl(TK_REUSE_FLUSH, 1);
	else if (argc > 2)
		err = t_kctl(TK_REUSE, strcmp(argv[2], "on") == 0 ? TRU_ALL : 0);
	else
		err = 0;
	if (err || (err = t_reuse_stat(&st)))
		return fail("reuse", err);
	printf("%-8s %4s %6s %8s %8s\n", "KIND", "ON", "HELD", "HITS", "MISSES");
	for (int k = 0; k < TRU_NKINDS; k++)
		printf("%-8s %4s %3u/%-2u %8llu %8llu\n", kinds[k],
		       st.mask & (1u << k) ? "yes" : "no", st.cached[k], st.capacity[k],
		       (unsigned long long)st.hits[k], (unsigned long long)st.misses[k]);
	printf("evicted %llu, reclaimed for memory %llu\n", (unsigned long long)st.evicted,
	       (unsigned long long)st.reclaimed);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	const char *cmd = argv[1];
	int pid = argc > 2 ? atoi(argv[2]) : 0, err;
	if (strcmp(cmd, "reuse") == 0)
		return reuse(argc, argv);
	if (strcmp(cmd, "prog") == 0 && argc >= 4) {
		char path[256];
		snprintf(path, sizeof(path), strchr(argv[3], '/') ? "%s" : "/bin/%s", argv[3]);
		err = t_chprog(pid, path, (const char *const *)&argv[3], NULL);
		return err ? fail("prog", err) : 0;
	}
	if (strcmp(cmd, "restart") == 0 && argc == 3)
		return (err = t_restart(pid)) ? fail("restart", err) : 0;
	if (strcmp(cmd, "save") == 0 && argc >= 3) {
		rid_t ck;
		if ((err = t_ckpt_save(pid, argc > 3 ? argv[3] : "", &ck)))
			return fail("save", err);
		printf("checkpoint:%u (%016llx) of pid %d\n", RID_INDEX(ck),
		       (unsigned long long)ck, pid);
		return 0;
	}
	if (strcmp(cmd, "restore") == 0 && argc == 4) {
		rid_t ck;
		if ((err = t_rid_parse(argv[3], RT_CHECKPOINT, &ck)) ||
		    (err = t_ckpt_restore(pid, ck)))
			return fail("restore", err);
		return 0;
	}
	return usage();
}
