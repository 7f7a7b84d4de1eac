/*
 * fuzz: the command. See docs/fuzzing.md.
 *   fuzz [-s SEED] [-n CALLS | -t SECONDS] [-u UID] [-m u|s] [-w WORKERS] [-p PROG] [-v]
 *       system calls: WORKERS workers (default 3) run programs of FZ_PROG_LEN calls each,
 *       as UID (0 or 1000) in Umode or Smode; -p runs program PROG alone (a replay), -v
 *       prints every call before it is made.
 *   fuzz -e [-s SEED] [-n MUTANTS | -t SECONDS] [-u UID] [-p MUTANT] [-v]
 *       malformed executables, each started four ways.
 * The same seed and count give the same calls. Ends with "FUZZ RESULT pass|fail" and
 * "FUZZ DONE"; the exit status is 0 only if no hang and no leak was found, 2 when nothing
 * ran (a bad option, not root, or another run going on).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "fuzz.h"
#include "libtessera.h"

static void usage(void)
{
	fprintf(stderr, "usage: fuzz [-e] [-s SEED] [-n COUNT | -t SECONDS] [-u UID] [-m u|s]"
			" [-w WORKERS] [-p PROG] [-v] [-x CALL,...|text]\n");
	exit(2);
}

/* One run at a time. Every process of a run runs this program, with the run's own arguments
 * (fork passes them on), so one that goes back to its start (t_restart of itself, of a
 * sibling or of a child, also an orphaned one whose parent is init now) comes here again.
 * As a second run it would protect only itself and init (protect.c), and its workers would
 * aim at the first run's parent (pid 2 is among the pids they try). A run is marked by a box
 * named RUN_MARK and its parent's pid, made before the run, so no worker may delete it;
 * one whose process is gone (a run that was killed) is stale and goes. */
#define RUN_MARK "fuzz-run "

static int mark_alive(const char *name)
{
	rid_t rid;
	struct t_res_info in;
	int pid = atoi(name + strlen(RUN_MARK));
	return pid > 0 && t_proc_rid(pid, &rid) == 0 && t_res_info(rid, &in) == 0 &&
	       in.v[2] != TPS_ZOMBIE;
}

/* The pid of the run going on (> 0), or 0 once this process has marked its own run. */
static int claim_run(rid_t *mark)
{
	rid_t rid = 0;
	struct t_res_info in;
	char name[T_NAME_MAX];
	*mark = 0;
	while (t_res_next(RT_CBOX, rid, &rid) == 0) {
		if (t_res_info(rid, &in) < 0 || strncmp(in.name, RUN_MARK, strlen(RUN_MARK)))
			continue;
		if (mark_alive(in.name))
			return atoi(in.name + strlen(RUN_MARK));
		t_res_delete(rid);
	}
	snprintf(name, sizeof(name), RUN_MARK "%d", getpid());
	if (t_cbox_create(name, 0, mark) < 0)
		printf("FUZZ WARNING: cannot mark the run\n");
	return 0;
}

/* -x NAME[,NAME...]: calls never to draw, or "text": no address in the program's own code.
 * It lets a run go on past a defect that is known and being fixed. */
static void exclude(struct fz_cfg *c, char *list)
{
	for (char *name = strtok(list, ","); name; name = strtok(NULL, ",")) {
		int found = strcmp(name, "text") == 0;
		c->no_text |= found;
		for (int i = 0; i < fz_ncalls; i++)
			if (strcmp(fz_calls[i].name, name) == 0)
				c->excluded[i] = 1, found = 1;
		if (!found) {
			fprintf(stderr, "fuzz: no call %s\n", name);
			exit(2);
		}
	}
}

static uint64_t number(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);
	if (*end || end == s)
		usage();
	return v;
}

static int parse(int argc, char **argv, struct fz_cfg *c, int *elf)
{
	int opt, seeded = 0;
	while ((opt = getopt(argc, argv, "es:n:t:u:m:w:p:f:vx:")) != -1) {
		switch (opt) {
		case 'e': *elf = 1; break;
		case 's': c->seed = number(optarg), seeded = 1; break;
		case 'n': c->ncalls = number(optarg); break;
		case 't': c->seconds = (uint32_t)number(optarg); break;
		case 'u': c->uid = (int)number(optarg); break;
		case 'm': c->smode = optarg[0] == 's'; break;
		case 'w': c->workers = (int)number(optarg); break;
		case 'p': c->only_prog = (int64_t)number(optarg); break;
		case 'f': c->first_prog = number(optarg); break;
		case 'v': c->verbose = 1; break;
		case 'x':
			snprintf(c->xlist, sizeof(c->xlist), " -x %s", optarg);
			exclude(c, optarg);
			break;
		default: usage();
		}
	}
	if (optind != argc || c->workers < 1 || c->workers > FZ_MAXW)
		usage();
	if (!seeded) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		c->seed = (uint64_t)ts.tv_sec * 1000003u + (uint64_t)ts.tv_nsec / 1000;
	}
	if (!c->ncalls && !c->seconds)
		c->seconds = 60;
	return 0;
}

int main(int argc, char **argv)
{
	struct fz_cfg cfg = { .only_prog = -1, .workers = 3 };
	int elf = 0, other;
	rid_t mark;
	parse(argc, argv, &cfg, &elf);
	if (cfg.only_prog >= 0)
		cfg.workers = 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (getuid() != 0) {
		printf("fuzz: must start as root (it watches workers of any uid)\n");
		return 2;
	}
	if ((other = claim_run(&mark)) > 0) {
		fprintf(stderr, "fuzz: the run of pid %d is going on\n", other);
		return 2;
	}
	mkdir("/tmp", 0777);
	mkdir(FZ_SCRATCH, 0777);
	chmod(FZ_SCRATCH, 0777);
	/* files are resources: creating one in a directory needs modify on it, so the scratch
	 * directory belongs to the workers' uid */
	rid_t dir;
	if (t_res_lookup(RT_PLATE, FZ_SCRATCH, &dir) < 0 || t_res_changeoid(dir, (uint32_t)cfg.uid, 0) < 0)
		printf("FUZZ WARNING: cannot give %s to uid %d\n", FZ_SCRATCH, cfg.uid);
	printf("FUZZ BEGIN %s seed %llu uid %d %s workers %d %s %llu\n", elf ? "elf" : "calls",
	       (unsigned long long)cfg.seed, cfg.uid, cfg.smode ? "smode" : "umode", cfg.workers,
	       cfg.ncalls ? "count" : "seconds",
	       (unsigned long long)(cfg.ncalls ? cfg.ncalls : cfg.seconds));
	int rc = elf ? fz_run_elf(&cfg) : fz_run_calls(&cfg);
	if (mark)
		t_res_delete(mark);
	printf("FUZZ RESULT %s\nFUZZ DONE\n", rc ? "fail" : "pass");
	return rc ? 1 : 0;
}
