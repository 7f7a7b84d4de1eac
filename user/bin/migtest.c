/*
 * migtest: the in-guest half of the migration suite (tools/mig_suite.py, docs/migration.md),
 * run on node 1 of a cluster. Each command prints "MIGTEST <name> PASS" or
 * "MIGTEST <name> FAIL: <why>" lines; the host checks those and the consoles.
 *   migtest chain ROUNDS MIB MS NODE...   mcksum as a child, moved to each NODE in turn a
 *                                          second apart (1 = back home); the parent waits
 *   migtest chainpre ...                   the same with pre-copy
 *   migtest kill NODE                      a child moved to NODE, killed from here
 *   migtest refuse NODE                    processes that cannot move are refused, and go on
 *   migtest big MIB NODE                   a MIB MiB child moved to NODE ("MIGTEST MOVING"
 *                                          first: the host may kill that node meanwhile)
 *   migtest res NODE                       the uniform interface on NODE's resources
 *   migtest bad -                          hostile images refused by t_mig_create
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <fcntl.h>
#include <pthread.h>
#include "libtessera.h"
#include "tnode.h"

static int failures;

static void result(const char *name, int ok, const char *fmt, long a, long b)
{
	if (ok) {
		printf("MIGTEST %s PASS\n", name);
	} else {
		printf("MIGTEST %s FAIL: ", name);
		printf(fmt, a, b);
		printf("\n");
		failures++;
	}
	fflush(stdout);
}

static int spawn_mcksum(const char *rounds, const char *mib, const char *ms)
{
	fflush(stdout);
	int pid = fork();
	if (pid == 0) {
		execl("/bin/mcksum", "mcksum", rounds, mib, ms, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static int chain(int argc, char **argv)
{
	if (argc < 6)
		return 2;
	int pid = spawn_mcksum(argv[2], argv[3], argv[4]), status = 0;
	uint32_t flags = strcmp(argv[1], "chainpre") ? 0 : TNODE_MIG_PRECOPY;
	for (int i = 5; i < argc && pid > 0; i++) {
		struct tnode_mig_stats st;
		sleep(1);
		int node = atoi(argv[i]), err = tnode_move(pid, (uint32_t)node, flags, &st);
		printf("MIGTEST moved pid %d to node %d: %s\n", pid, node, err ? strerror(-err) : "ok");
		result("chain-move", !err, "move to node %ld: error %ld", node, err);
	}
	int got = waitpid(pid, &status, 0);
	printf("MIGTEST exit status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	result("chain-wait", got == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "waitpid %ld status %#lx", got, status);
	return 0;
}

static int kill_remote(uint32_t node)
{
	struct tnode_mig_stats st;
	int pid = spawn_mcksum("1000", "1", "100"), status = 0;
	sleep(1);
	int err = tnode_move(pid, node, 0, &st);
	result("kill-move", !err, "move: error %ld", err, 0);
	sleep(1);
	kill(pid, SIGTERM);
	int got = waitpid(pid, &status, 0);
	result("kill-wait", got == pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM,
	       "waitpid %ld status %#lx (want SIGTERM)", got, status);
	return 0;
}

/* ---- refusals ------------------------------------------------------------------------------- */

static _Noreturn void hold(void)
{
	for (;;)
		pause();
}

static void child_socket(void)
{
	socket(AF_INET, SOCK_DGRAM, 0);
}

static void child_file(void)
{
	open("/data/hello.txt", O_RDONLY);
}

static void child_children(void)
{
	if (fork() == 0)
		hold();
}

static void child_ica(void)
{
	struct t_ica ica;
	t_ica_create(1, 0, &ica);
}

static void child_server(void)
{
	t_fn_register(3007, 0, 0);
}

static void *hold_thread(void *arg)
{
	(void)arg;
	hold();
}

static void child_threads(void)
{
	pthread_t t;
	pthread_create(&t, NULL, hold_thread, NULL);
}

static void child_vfork_parent(void)
{
	/* the vfork child (the one refused) sleeps on its parent's memory before it exits */
	if (vfork() == 0) {
		sleep(30);
		_exit(0);
	}
}

struct refusal {
	const char *name;
	void (*setup)(void);
	uint32_t why;
	int vfork_child;          /* the process to move is the child's own vfork child */
};

static const struct refusal refusals[] = {
	{ "refuse-socket", child_socket, TMIG_SOCKET, 0 },
	{ "refuse-file", child_file, TMIG_FILE, 0 },
	{ "refuse-children", child_children, TMIG_CHILDREN, 0 },
	{ "refuse-ica", child_ica, TMIG_ICA, 0 },
	{ "refuse-server", child_server, TMIG_SERVER, 0 },
	{ "refuse-vfork", child_vfork_parent, TMIG_VFORK, 1 },
	{ "refuse-threads", child_threads, TMIG_THREADS, 0 },
};

/* The newest child of pid (its vfork child), by the parent pids of the process list. */
static int child_of(int pid)
{
	struct t_res_info in;
	int found = 0;
	for (rid_t r = 0; t_res_next(RT_PROCESS, r, &r) == 0;)
		if (t_res_info(r, &in) == 0 && (int)in.v[1] == pid && (int)in.v[0] > found)
			found = (int)in.v[0];
	return found;
}

/* Whether pid is not stopped for a migration: not frozen, so its signals are taken at once
 * (a frozen process is left blocked; a ready or blocked one counts as running). Its node's
 * count of frozen processes says it. */
static int proc_runs(int pid)
{
	struct t_node_info in;
	(void)pid;
	return t_node_info(&in) == 0 && in.frozen == 0;
}

static void refuse_one(const struct refusal *c, uint32_t node)
{
	struct tnode_mig_stats st;
	fflush(stdout);
	int pid = fork();
	if (pid == 0) {
		c->setup();
		hold();
	}
	sleep(1);
	int target = c->vfork_child ? child_of(pid) : pid;
	int err = tnode_migrate(target, node, NULL, 0, &st);
	printf("MIGTEST %s: %s\n", c->name, err == -EBUSY ? tnode_why_str(st.why) : strerror(-err));
	result(c->name, err == -EBUSY && st.why == c->why, "error %ld why %ld", err, st.why);
	/* it goes on where it was: still here, not frozen */
	char on[48];
	snprintf(on, sizeof(on), "%s-goes-on", c->name);
	result(on, kill(target, 0) == 0 && proc_runs(target), "pid %ld gone or stopped", target, 0);
	int grandchild = child_of(pid);       /* (refuse-children, refuse-vfork) */
	if (grandchild)
		kill(grandchild, SIGKILL);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static int refuse(uint32_t node)
{
	struct tnode_mig_stats st;
	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++)
		refuse_one(&refusals[i], node);
	int err = tnode_migrate(1, node, NULL, 0, &st);
	result("refuse-init", err == -EBUSY && st.why == TMIG_KERNEL, "error %ld why %ld", err,
	       st.why);
	err = tnode_migrate(getpid(), node, NULL, 0, &st);
	result("refuse-self", err == -EINVAL, "error %ld", err, 0);
	return 0;
}

/* A process with mib MiB of memory moved to node; the host may kill that node meanwhile.
 * Either way it must end whole, on exactly one node: its parent here gets its status. */
static int big(const char *mib, uint32_t node)
{
	struct tnode_mig_stats st;
	int pid = spawn_mcksum("8", mib, "500"), status = 0;
	sleep(1);
	printf("MIGTEST MOVING pid %d\n", pid);
	fflush(stdout);
	int err = tnode_move(pid, node, 0, &st);
	printf("MIGTEST big: move %s\n", err ? strerror(-err) : "ok");
	int got = waitpid(pid, &status, 0);
	printf("MIGTEST exit status %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	result("big-wait", got == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "waitpid %ld status %#lx", got, status);
	return 0;
}

/* ---- hostile images ------------------------------------------------------------------------ */

struct img_set {
	struct t_mig_image img;
	struct t_mig_seg segs[T_MIG_MAXSEG];
	char args[T_MIG_ARGS_MAX];
};

typedef void (*spoil_fn)(struct img_set *s);
static void sp_version(struct img_set *s) { s->img.version++; }
static void sp_size(struct img_set *s) { s->img.size--; }
static void sp_nseg(struct img_set *s) { s->img.nseg = T_MIG_MAXSEG + 1; }
static void sp_unaligned(struct img_set *s) { s->segs[0].addr += 8; }
static void sp_empty(struct img_set *s) { s->segs[0].size = 0; }
static void sp_overlap(struct img_set *s) { s->segs[1].addr = s->segs[0].addr; }
static void sp_kind(struct img_set *s) { s->segs[0].kind = 99; }
static void sp_kernel(struct img_set *s) { s->segs[0].addr = 0xffff800000000000ull; }
static void sp_wrap(struct img_set *s) { s->segs[0].size = ~0ull & ~4095ull; }
static void sp_rip(struct img_set *s) { s->img.regs.rip = 1ull << 63; }
static void sp_rsp(struct img_set *s) { s->img.regs.rsp = 0x0000800000000000ull; }
static void sp_fs(struct img_set *s) { s->img.regs.fs_base = 0xdead000000000000ull; }
static void sp_prio(struct img_set *s) { s->img.prio = 99; }
static void sp_home(struct img_set *s) { s->img.home_node = 0; }
static void sp_homepid(struct img_set *s) { s->img.home_pid = -4; }
static void sp_args_len(struct img_set *s) { s->img.args_len = T_MIG_ARGS_MAX + 1; }
static void sp_args(struct img_set *s) { memset(s->args, 0x7f, sizeof(s->args)); }
static void sp_name(struct img_set *s) { memset(s->img.name, 'x', sizeof(s->img.name)); }
static void sp_cwd(struct img_set *s) { strcpy(s->img.cwd, "relative"); }
static void sp_brk(struct img_set *s) { s->img.brk_cur = s->img.brk_max + 4096; }
static void sp_heap(struct img_set *s) { s->segs[0].flags |= TMS_HEAP; }
static void sp_span(struct img_set *s) { s->img.img_va = 4096, s->img.img_span = 8192; }

static const spoil_fn spoilers[] = {
	sp_version, sp_size, sp_nseg, sp_unaligned, sp_empty, sp_overlap, sp_kind, sp_kernel,
	sp_wrap, sp_rip, sp_rsp, sp_fs, sp_prio, sp_home, sp_homepid, sp_args_len, sp_args,
	sp_name, sp_cwd, sp_brk, sp_heap, sp_span,
};

/* The image of a real process (a frozen child of this one), said to come from node 2: valid
 * as it is, so each spoiler alone makes it bad. Every bad one is refused (EINVAL) and
 * builds nothing; the good one builds a process that t_mig_write and t_mig_discard handle. */
static int bad_images(void)
{
	struct img_set *good = malloc(sizeof(*good)), *s = malloc(sizeof(*s));
	char *page = calloc(T_MIG_BATCH, 4096);
	uint32_t why;
	int pid = spawn_mcksum("100000", "1", "50"), made = 0, bad = 0;
	sleep(1);
	int err = t_mig_freeze(pid, &good->img, good->segs, good->args, 0, &why);
	result("bad-freeze", !err, "freeze: %ld", err, 0);
	good->img.home_node = 2, good->img.home_pid = 999;
	for (size_t i = 0; !err && i < sizeof(spoilers) / sizeof(spoilers[0]); i++) {
		*s = *good;
		spoilers[i](s);
		int e = t_mig_create(&s->img, s->segs, s->args, 0, &made);
		if (e != -EINVAL)
			printf("MIGTEST spoiler %zu: %d\n", i, e), bad++;
	}
	result("bad-images", !err && !bad, "%ld bad images not refused", bad, 0);
	err = t_mig_create(&good->img, good->segs, good->args, 0, &made);
	struct t_mig_pages io = { .n = 1, .buf = (uint64_t)page, .addr = { 4096 } };
	int e1 = t_mig_write(made, &io);                    /* in no region */
	io.addr[0] = good->segs[0].addr + 1;
	int e2 = t_mig_write(made, &io);                    /* not a page */
	io.n = T_MIG_BATCH + 1;
	int e3 = t_mig_write(made, &io);
	result("bad-writes", !err && e1 == -EINVAL && e2 == -EINVAL && e3 == -EINVAL,
	       "create %ld, writes refused %ld", err, (long)e1 * 10000 + e2 * 100 + e3);
	result("bad-discard", !t_mig_discard(made) && t_mig_discard(made) == -ESRCH,
	       "discard of pid %ld", made, 0);
	t_mig_thaw(pid);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	free(good), free(s), free(page);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: migtest chain|kill|refuse|big|res ...\n");
	return 2;
}

int res_test(uint32_t node);

int main(int argc, char **argv)
{
	if (argc < 3)
		return usage();
	int r = 2;
	uint32_t node = (uint32_t)atoi(argv[argc - 1]);
	if (!strcmp(argv[1], "chain") || !strcmp(argv[1], "chainpre"))
		r = chain(argc, argv);
	else if (!strcmp(argv[1], "kill"))
		r = kill_remote(node);
	else if (!strcmp(argv[1], "refuse"))
		r = refuse(node);
	else if (!strcmp(argv[1], "big") && argc == 4)
		r = big(argv[2], node);
	else if (!strcmp(argv[1], "res"))
		r = res_test(node);
	else if (!strcmp(argv[1], "bad"))
		r = bad_images();
	if (r == 2)
		return usage();
	printf("MIGTEST DONE %d failed\n", failures);
	return failures ? 1 : 0;
}

/* ---- the uniform interface across nodes -------------------------------------------------- */

/* A process of node, by name, through the listing there (0: none). */
static rid_t remote_proc(uint32_t node, const char *name, struct t_res_info *in)
{
	rid_t r = RID_NODE_START(node);
	while (t_res_next(RT_PROCESS, r, &r) == 0)
		if (t_res_info(r, in) == 0 && !strcmp(in->name, name))
			return r;
	return 0;
}

int res_test(uint32_t node)
{
	struct t_res_info in;
	rid_t init = remote_proc(node, "init", &in);
	result("res-list", init && RID_NODE(init) == node && in.v[0] == 1,
	       "no init in node %ld's list (rid %#lx)", node, (long)init);
	/* a visitor there: its rid names node; as another user it may not be changed */
	struct tnode_mig_stats st;
	int pid = spawn_mcksum("1000", "1", "100"), status;
	sleep(1);
	int err = tnode_move(pid, node, 0, &st);
	rid_t v = remote_proc(node, "mcksum", &in);
	result("res-info", !err && v && in.owner == 0 && in.type == RT_PROCESS &&
			   (in.v[5] & T_PLOC_HOME) && T_PLOC_PID(in.v[5]) == pid,
	       "move %ld, visitor rid %#lx", err, (long)v);
	fflush(stdout);
	int child = fork();
	if (child == 0) {
		setuid(1000);
		_exit(t_res_changemod(v, TMODE(TOP_ALL, TOP_ALL, TOP_ALL)) == -EACCES &&
		      t_res_delete(v) == -EACCES ? 0 : 1);
	}
	waitpid(child, &status, 0);
	result("res-rights", WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "uid 1000 could change or delete root's process there (%#lx)", status, 0);
	err = t_res_changemod(v, TMODE(TOP_ALL, TOP_REFER, TOP_REFER));
	result("res-changemod", !err && !t_res_info(v, &in) &&
				in.mode == TMODE(TOP_ALL, TOP_REFER, TOP_REFER),
	       "changemod %ld mode %#lx", err, in.mode);
	/* deleting it there ends it: its parent here learns it died by SIGKILL */
	err = t_res_delete(v);
	int got = waitpid(pid, &status, 0);
	result("res-delete", !err && got == pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
	       "delete %ld status %#lx", err, status);
	err = t_res_info(RID_AT_NODE(init, 9), &in);
	result("res-unreachable", err == -EHOSTUNREACH, "node 9: %ld", err, 0);
	return 0;
}
