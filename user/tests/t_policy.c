/* Tests of the protection and robustness policy (issue 10, defects 8-10): who may put a
 * process into a space (create or move) and use a checkpoint; sleeps and vfork flows that
 * must not hang (each hanging operation runs in a helper that the test ends after a
 * deadline, so a hang is a failure, not a stuck suite); and the per-user limits with the
 * reserve kept for root (RLIMIT_NPROC, RLIMIT_NOFILE, RLIMIT_AS, RLIMIT_DATA, floods). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "libtessera.h"
#include "tsys.h"
#include "utest.h"

#define DEADLINE_MS 5000          /* far beyond what any of these operations needs */
#define FLOOD_MAX 8192        /* more than the process table holds: the flood must be refused */

/* ---- helpers of the tests ------------------------------------------------------------- */

/* Waits for pid until ms have passed: its wait status, or -1 (still running). */
static int wait_deadline(int pid, int ms)
{
	int64_t end = ut_now_ns() + (int64_t)ms * 1000000;
	int status;
	for (;;) {
		int got = t_proc_wait(pid, &status, TW_NOHANG);
		if (got == pid)
			return status;
		if (got < 0)
			FAIL("t_proc_wait(%d): %d (%s)", pid, got, ut_errname(got));
		if (ut_now_ns() > end)
			return -1;
		usleep(5000);
	}
}

/* Reads n bytes from fd, waiting at most ms: 0, or -1 on timeout or end of file. */
static int read_deadline(int fd, void *buf, size_t n, int ms)
{
	int64_t end = ut_now_ns() + (int64_t)ms * 1000000;
	size_t got = 0;
	while (got < n) {
		int left = (int)((end - ut_now_ns()) / 1000000);
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		if (left <= 0 || poll(&pf, 1, left) <= 0)
			return -1;
		ssize_t r = read(fd, (char *)buf + got, n - got);
		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/* Starts `utest -c policy MODE args...` (up to three). */
static int spawn_policy4(const char *mode, const char *a1, const char *a2, const char *a3)
{
	const char *const args[] = { "policy", mode, a1, a2, a3, NULL };
	return ut_spawn_helper(args);
}

static int spawn_policy(const char *mode, const char *a1, const char *a2)
{
	return spawn_policy4(mode, a1, a2, NULL);
}

static void fd_arg(char *buf, int fd)
{
	snprintf(buf, 16, "%d", fd);
}

/* Kills pid (it may be stuck in the kernel) and reaps it, waiting at most DEADLINE_MS. */
static void end_helper(int pid)
{
	kill(pid, SIGKILL);
	wait_deadline(pid, DEADLINE_MS);
}

/* ---- defect 8: who may put a process into a space ------------------------------------- */

/* As uid 1000, init's space and a root space of the default mode are closed (no move, no
 * creation), and a space whose owner gave others the move right is open. */
static void policy_space_entry(void)
{
	rid_t closed, open;
	char a1[32], a2[32];
	CHECK_OK(t_vm_create("ut-pol-closed", 0, &closed));
	/* (the helper keeps gid 0, root's group: the group bits apply to it) */
	CHECK_OK(t_vm_create("ut-pol-open", TMODE(TOP_ALL, TOP_REFER | TOP_MOVE, TOP_REFER | TOP_MOVE),
			     &open));
	snprintf(a1, sizeof(a1), "%llx", (unsigned long long)closed);
	snprintf(a2, sizeof(a2), "%llx", (unsigned long long)open);
	int status = wait_deadline(spawn_policy4("asuser", "entry", a1, a2), DEADLINE_MS);
	CHECK_OK(t_res_delete(closed));
	CHECK_OK(t_res_delete(open));
	CHECK_EQ(status, 0);
}

/* A checkpoint holds its process's memory: a uid 1000 process of the same program may not
 * restore root's checkpoint into itself (it would run on a copy of root's memory). */
static void policy_ckpt_foreign(void)
{
	rid_t ck;
	char arg[32];
	int r = t_ckpt_save(0, "ut-pol-ck", &ck);
	if (r == T_CKPT_RESTORED)
		_exit(42);                  /* a restore of our memory ran here: the helper's */
	CHECK_OK(r);
	snprintf(arg, sizeof(arg), "%llx", (unsigned long long)ck);
	int status = wait_deadline(spawn_policy4("asuser", "ckpt", arg, NULL), DEADLINE_MS);
	CHECK_OK(t_res_delete(ck));
	CHECK_EQ(status, 0);
}

/* ---- defect 9: no hangs ---------------------------------------------------------------- */

static void policy_sleep_past(void)
{
	int pid = spawn_policy("sleeppast", NULL, NULL);
	int status = wait_deadline(pid, DEADLINE_MS);
	if (status < 0) {
		end_helper(pid);
		FAIL("an absolute sleep until a past time did not return");
	}
	CHECK_EQ(status, 0);
	/* a relative sleep too long to count in nanoseconds sleeps (it must not wrap to a
	 * short one) until it is killed */
	pid = spawn_policy("sleephuge", NULL, NULL);
	status = wait_deadline(pid, 300);
	if (status >= 0)
		FAIL("a sleep of 2^63 seconds ended with status 0x%x", status);
	end_helper(pid);
}

/* A vfork parent is killed while its child runs on its memory: the parent dies at once, the
 * child goes on with that memory intact and reports so. */
static void policy_vfork_kill(void)
{
	int go[2], report[2];
	char a1[16], a2[16], ok = 0;
	int child = 0;
	CHECK_OK(pipe(go));
	CHECK_OK(pipe(report));
	fd_arg(a1, go[0]);
	fd_arg(a2, report[1]);
	int pid = spawn_policy("vforkkill", a1, a2);
	CHECK_EQ(read_deadline(report[0], &child, sizeof(child), DEADLINE_MS), 0);
	usleep(20000);
	CHECK_OK(kill(pid, SIGKILL));
	int status = wait_deadline(pid, DEADLINE_MS);
	CHECK_EQ(write(go[1], "g", 1), 1);       /* the child may finish now */
	if (status < 0) {
		end_helper(pid);
		FAIL("SIGKILL did not end a vfork parent while its child ran");
	}
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	CHECK_EQ(read_deadline(report[0], &ok, 1, DEADLINE_MS), 0);
	CHECK_EQ(ok, 'k');                         /* the child found its parent's memory intact */
	close(go[0]), close(go[1]), close(report[0]), close(report[1]);
	(void)child;
}

/* A vfork child asks to restart its own parent, which waits for it: an error, not a
 * deadlock. */
static void policy_vfork_restart(void)
{
	int report[2], child = 0, r = 0;
	char a1[16];
	CHECK_OK(pipe(report));
	fd_arg(a1, report[1]);
	int pid = spawn_policy("vforkrestart", a1, NULL);
	CHECK_EQ(read_deadline(report[0], &child, sizeof(child), DEADLINE_MS), 0);
	if (read_deadline(report[0], &r, sizeof(r), DEADLINE_MS) < 0) {
		kill(pid, SIGKILL);                      /* first, so the released parent dies */
		kill(child, SIGKILL);
		end_helper(pid);
		FAIL("t_restart of its vfork parent by the child deadlocked");
	}
	CHECK_EQ(r, -EDEADLK);
	CHECK_EQ(wait_deadline(pid, DEADLINE_MS), 0);
	close(report[0]), close(report[1]);
}

/* ---- defect 10: limits per user and root's reserve -------------------------------------- */

static void policy_nproc_limit(void)
{
	CHECK_EQ(wait_deadline(spawn_policy("nproc", NULL, NULL), 20000), 0);
}

static void policy_nofile_limit(void)
{
	struct rlimit rl;
	int fd;
	CHECK_OK(getrlimit(RLIMIT_NOFILE, &rl));
	CHECK_EQ(rl.rlim_cur, 1024);
	CHECK_EQ(rl.rlim_max, 4096);
	CHECK_ERR(setrlimit(RLIMIT_NOFILE, &(struct rlimit){ 6, 5 }) ? -errno : 0, EINVAL);
	/* beyond what a descriptor table holds (NFD_MAX), root too */
	CHECK_ERR(setrlimit(RLIMIT_NOFILE, &(struct rlimit){ 5, 4097 }) ? -errno : 0, EPERM);
	CHECK_OK(setrlimit(RLIMIT_NOFILE, &(struct rlimit){ 5, 5 }));
	while ((fd = open("/dev/null", O_RDONLY)) >= 0)
		CHECK(fd < 5);
	CHECK_EQ(errno, EMFILE);
	CHECK_ERR(tsys_dup2(0, 5), EBADF);
	CHECK_ERR(tsys_fcntl(0, F_DUPFD, 5), EINVAL);
	close(4);
	int p[2];
	CHECK_ERR(tsys_pipe((long)p), EMFILE);    /* one descriptor free, two needed */
	CHECK_EQ(tsys_dup(0), 4);
	/* a spawned child inherits the limit */
	CHECK_EQ(wait_deadline(spawn_policy("nofile5", NULL, NULL), DEADLINE_MS), 0);
	/* root may raise it again */
	CHECK_OK(setrlimit(RLIMIT_NOFILE, &(struct rlimit){ 1024, 4096 }));
	CHECK_EQ(tsys_dup(0), 5);
	for (fd = 3; fd < 32; fd++)
		close(fd);
}

static void policy_as_data_limit(void)
{
	long rw = PROT_READ | PROT_WRITE, anon = MAP_PRIVATE | MAP_ANONYMOUS;
	CHECK_OK(setrlimit(RLIMIT_AS, &(struct rlimit){ 512ul << 20, RLIM_INFINITY }));
	CHECK_ERR(tsys_mmap(0, 600ul << 20, PROT_READ, anon, -1, 0), ENOMEM);
	long a = tsys_mmap(0, 300ul << 20, PROT_READ, anon, -1, 0);
	CHECK_OK(a);                               /* read-only: not data */
	CHECK_OK(setrlimit(RLIMIT_DATA, &(struct rlimit){ 64ul << 20, RLIM_INFINITY }));
	CHECK_ERR(tsys_mmap(0, 100ul << 20, rw, anon, -1, 0), ENOMEM);
	long b = tsys_mmap(0, 1ul << 20, rw, anon, -1, 0);
	CHECK_OK(b);
	CHECK_OK(tsys_munmap(b, 1ul << 20));
	long cur = tsys_brk(0);
	CHECK_EQ(tsys_brk(cur + (128l << 20)), cur);   /* beyond RLIMIT_DATA: the old break */
	CHECK_EQ(tsys_brk(cur + (1l << 20)), cur + (1l << 20));
	CHECK_EQ(tsys_brk(cur), cur);
	CHECK_OK(tsys_munmap(a, 300ul << 20));
	/* what a process set, its spawned children start with */
	CHECK_EQ(wait_deadline(spawn_policy("asdata", NULL, NULL), DEADLINE_MS), 0);
}

/* Runs the flood helper MODE (uid 1000 takes what it can, reports how much, or -errno when it
 * was refused with anything but the expected error), and while the flood holds everything
 * it took, root starts /bin/true. Then the flood ends and every part is checked. */
static void flood_then_true(const char *mode, int report_ms)
{
	int go[2], report[2], amount = 0, tpid = -1, err = -1, tstatus = -1;
	char a1[16], a2[16];
	CHECK_OK(pipe(go));
	CHECK_OK(pipe(report));
	fd_arg(a1, go[0]);
	fd_arg(a2, report[1]);
	int pid = spawn_policy(mode, a1, a2);
	int got = read_deadline(report[0], &amount, sizeof(amount), report_ms);
	if (got == 0) {
		const char *const argv[] = { "true", NULL };
		struct t_spawn req = { .path = "/bin/true", .argv = argv, .prio = -1 };
		if ((err = t_proc_create(&req, &tpid)) == 0)
			tstatus = wait_deadline(tpid, DEADLINE_MS);
	}
	CHECK_EQ(write(go[1], "g", 1), 1);
	int status = wait_deadline(pid, 60000);
	if (status < 0)
		end_helper(pid);
	close(go[0]), close(go[1]), close(report[0]), close(report[1]);
	printf("utest: %s: uid 1000 took %d before it was refused\n", mode, amount);
	if (got || amount <= 0 || err || tstatus || status)
		FAIL("%s: report %d, amount %d (%s), root's /bin/true %d (%s) status 0x%x, "
		     "helper status 0x%x", mode, got, amount, ut_errname(amount), err,
		     ut_errname(err), tstatus, status);
}

/* Uid 1000 forks until it gets EAGAIN (a spawn too); root still starts /bin/true. */
static void policy_fork_flood(void)
{
	flood_then_true("forkflood", 60000);
}

/* Uid 1000 maps and touches memory until mmap says ENOMEM; root still starts /bin/true. */
static void policy_mem_hog(void)
{
	flood_then_true("memhog", 120000);
}

const struct utest ut_policy_tests[] = {
	{ "policy_space_entry", policy_space_entry },
	{ "policy_ckpt_foreign", policy_ckpt_foreign },
	{ "policy_sleep_past", policy_sleep_past },
	{ "policy_vfork_kill", policy_vfork_kill },
	{ "policy_vfork_restart", policy_vfork_restart },
	{ "policy_nproc_limit", policy_nproc_limit },
	{ "policy_nofile_limit", policy_nofile_limit },
	{ "policy_as_data_limit", policy_as_data_limit },
	{ "policy_fork_flood", policy_fork_flood },
	{ "policy_mem_hog", policy_mem_hog },
	{ NULL, NULL },
};

/* ---- helper modes (utest -c policy MODE ARGS...) ------------------------------------------ */

static const char *const exit0[] = { "utest", "-c", "exit", "0", NULL };

/* Whether a uid 1000 process can get into space: by moving itself, or by creating a
 * process there (reaped at once if it was made). */
static bool can_enter(rid_t space)
{
	int pid;
	bool moved = t_proc_move(0, space) == 0;
	if (moved && t_proc_move(0, 0) != 0)
		exit(20);
	bool made = t_proccreate(NULL, "/bin/utest", exit0, space, 0, &pid) == 0;
	if (made)
		ut_wait(pid);
	if (moved != made)
		exit(21);              /* the two ways in must follow one rule */
	return moved;
}

/* asuser MODE ARGS...: runs `utest -c policy MODE ARGS...` as uid 1000 (a child of a
 * process that became uid 1000, as every process of that user is), returns its exit code. */
static int mode_asuser(int argc, char **argv)
{
	const char *args[8] = { "policy" };
	int n = 1;
	if (argc < 5 || setuid(1000))
		return 2;
	for (int i = 4; i < argc && n < 7; i++)
		args[n++] = argv[i];
	int status = ut_run_helper(args);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

/* entry CLOSED OPEN: as uid 1000, init's space and CLOSED are closed, OPEN is open. */
static int mode_entry(int argc, char **argv)
{
	rid_t init_space = t_proc_space(1), closed, open, region, att;
	if (argc < 6 || getuid() != 1000)
		return 2;
	closed = strtoull(argv[4], NULL, 16);
	open = strtoull(argv[5], NULL, 16);
	if (can_enter(init_space))
		return 3;
	if (can_enter(closed))
		return 4;
	if (!can_enter(open))
		return 5;
	if (t_region_create(8192, TR_READ | TR_WRITE, "ut-pol-r", &region))
		return 6;
	int err = t_region_attach(region, init_space, &att);   /* needs modify on the space */
	if (!err)
		t_res_delete(att);
	t_res_delete(region);
	return err == -EACCES ? 0 : 7;
}

/* ckpt CK: as uid 1000, restoring root's checkpoint CK into oneself is refused. */
static int mode_ckpt(int argc, char **argv)
{
	if (argc < 5 || getuid() != 1000)
		return 2;
	int err = t_ckpt_restore(0, strtoull(argv[4], NULL, 16));
	return err == -EACCES ? 0 : 3;
}

/* Absolute sleeps until times already past return at once. */
static int mode_sleeppast(int argc, char **argv)
{
	struct timespec zero = { 0, 0 }, one = { 1, 0 };
	(void)argc, (void)argv;
	if (tsys_clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, (long)&zero, 0) != 0)
		return 3;
	if (tsys_clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, (long)&one, 0) != 0)
		return 4;
	if (tsys_clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, (long)&zero, 0) != 0)
		return 5;
	return 0;
}

static int mode_sleephuge(int argc, char **argv)
{
	struct timespec huge = { 0x7fffffffffffffffl, 999999999 };
	(void)argc, (void)argv;
	tsys_nanosleep((long)&huge, 0);
	return 3;                    /* it must not come back */
}

static struct {
	int go, report;
	char *heap;
	char data[4096];
} vk;
static char vk_stack[65536] __attribute__((aligned(16)));

/* The vfork child: maps a page of its own (memory the kernel must keep apart from its
 * parent's when that becomes the child's: the fuzzer found a panic there), reports its pid,
 * waits for the go, checks its parent's memory and its own page. */
static int vforkkill_child(void *arg)
{
	int me = getpid();
	char b, ok = 'k';
	(void)arg;
	char *own = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (own == MAP_FAILED)
		_exit(5);
	memset(own, 'o', 4096);
	if (write(vk.report, &me, sizeof(me)) != sizeof(me) || read(vk.go, &b, 1) != 1)
		_exit(3);
	for (int i = 0; i < 65536; i++)
		if (vk.heap[i] != (char)(i * 7) || vk.data[i % 4096] != (char)(i % 4096 * 3) ||
		    own[i % 4096] != 'o')
			ok = 'x';
	if (write(vk.report, &ok, 1) != 1)
		_exit(4);
	_exit(0);
}

/* vforkkill GO REPORT: a vfork child that runs on this process's memory until told. */
static int mode_vforkkill(int argc, char **argv)
{
	if (argc < 6)
		return 2;
	vk.go = atoi(argv[4]);
	vk.report = atoi(argv[5]);
	if (!(vk.heap = malloc(65536)))
		return 3;
	for (int i = 0; i < 65536; i++)
		vk.heap[i] = (char)(i * 7);
	for (int i = 0; i < 4096; i++)
		vk.data[i] = (char)(i * 3);
	int pid = clone(vforkkill_child, vk_stack + sizeof(vk_stack), CLONE_VM | CLONE_VFORK, NULL);
	return pid > 0 ? 0 : 4;          /* (the test kills us before the child lets go) */
}

static int vforkrestart_child(void *arg)
{
	int report = *(int *)arg, me = getpid();
	if (write(report, &me, sizeof(me)) != sizeof(me))
		_exit(3);
	int r = t_restart(getppid());
	if (write(report, &r, sizeof(r)) != sizeof(r))
		_exit(4);
	_exit(0);
}

/* vforkrestart REPORT: the vfork child asks to restart its parent. */
static int mode_vforkrestart(int argc, char **argv)
{
	static int report;
	if (argc < 5)
		return 2;
	report = atoi(argv[4]);
	int pid = clone(vforkrestart_child, vk_stack + sizeof(vk_stack), CLONE_VM | CLONE_VFORK,
			&report);
	return pid > 0 ? 0 : 3;
}

/* Forks n children that wait until hold[0] reads end of file; returns how many it made. */
static int fork_holders(int n, int hold[2], int *pids)
{
	for (int i = 0; i < n; i++) {
		char b;
		if ((pids[i] = fork()) == 0) {
			close(hold[1]);
			_exit(read(hold[0], &b, 1) == 0 ? 0 : 1);
		}
		if (pids[i] < 0)
			return i;
	}
	return n;
}

/* A refusal for lack of room: the user's share of the process table (EAGAIN) or of memory
 * (ENOMEM), whichever a flood reaches first. */
static bool refusal(int err)
{
	return err == EAGAIN || err == ENOMEM;
}

/* Whether a fork and a spawn both fail for lack of room (reaping what did start). */
static bool creation_refused(void)
{
	int pid = fork(), spid, status;
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid(pid, &status, 0);
	bool fork_refused = pid < 0 && refusal(errno);
	struct t_spawn req = { .path = "/bin/utest", .argv = exit0, .prio = -1 };
	int err = t_proc_create(&req, &spid);
	if (!err)
		ut_wait(spid);
	return fork_refused && refusal(-err);
}

/* nproc: as uid 1000, RLIMIT_NPROC has a default, can be lowered, not raised, and bounds
 * fork and spawn; reaped children count no more. */
static int mode_nproc(int argc, char **argv)
{
	struct rlimit rl;
	int hold[2], pids[3], status, ret = 0;
	(void)argc, (void)argv;
	if (setuid(1000))
		return 2;
	if (getrlimit(RLIMIT_NPROC, &rl) || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur < 4)
		return 3;                      /* a finite default */
	if (setrlimit(RLIMIT_NPROC, &(struct rlimit){ 4, 4 }))
		return 4;
	if (!setrlimit(RLIMIT_NPROC, &(struct rlimit){ 4, 5 }) || errno != EPERM)
		return 5;                      /* only root raises a hard limit */
	if (!prlimit(1, RLIMIT_NPROC, NULL, &rl) || errno != EPERM)
		return 6;                      /* another user's process */
	if (pipe(hold))
		return 7;
	int made = fork_holders(3, hold, pids);  /* with this one, 4 processes of uid 1000 */
	if (made != 3)
		ret = 8;
	else if (!creation_refused())
		ret = 9;
	close(hold[1]);
	for (int i = 0; i < made; i++)
		waitpid(pids[i], &status, 0);
	if (!ret && (made = fork_holders(1, hold, pids)) == 1)
		waitpid(pids[0], &status, 0);
	return ret ? ret : made == 1 ? 0 : 10;
}

static int mode_nofile5(int argc, char **argv)
{
	struct rlimit rl;
	(void)argc, (void)argv;
	return !getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur == 5 && rl.rlim_max == 5 ? 0 : 3;
}

static int mode_asdata(int argc, char **argv)
{
	struct rlimit as, data;
	(void)argc, (void)argv;
	if (getrlimit(RLIMIT_AS, &as) || getrlimit(RLIMIT_DATA, &data))
		return 3;
	return as.rlim_cur == 512ul << 20 && data.rlim_cur == 64ul << 20 ? 0 : 4;
}

/* Reports r on REPORT, then waits for a byte on GO. */
static void report_and_wait(char **argv, int r)
{
	char b;
	if (write(atoi(argv[5]), &r, sizeof(r)) != sizeof(r) || read(atoi(argv[4]), &b, 1) != 1)
		exit(3);
}

/* forkflood GO REPORT: as uid 1000, fork until refused; report how many (or -errno if
 * fork failed otherwise), hold them until GO, then end them. */
static int mode_forkflood(int argc, char **argv)
{
	static int pids[FLOOD_MAX];
	int n = 0, r, status;
	if (argc < 6 || setuid(1000))
		return 2;
	for (; n < FLOOD_MAX; n++) {
		if ((pids[n] = fork()) == 0) {
			sleep(1000);
			_exit(0);
		}
		if (pids[n] < 0)
			break;
	}
	r = n == FLOOD_MAX ? -E2BIG : !refusal(errno) ? -errno : creation_refused() ? n : -1;
	report_and_wait(argv, r);
	for (int i = 0; i < n; i++) {
		kill(pids[i], SIGKILL);
		waitpid(pids[i], &status, 0);
	}
	return 0;
}

/* memhog GO REPORT: as uid 1000, map and touch 4 MiB at a time until mmap says ENOMEM;
 * report how many MiB it holds (or -errno), hold them until GO. */
static int mode_memhog(int argc, char **argv)
{
	int mib = 0, r;
	if (argc < 6 || setuid(1000))
		return 2;
	for (;;) {
		char *p = mmap(NULL, 4 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);
		if (p == MAP_FAILED) {
			r = errno == ENOMEM ? mib : -errno;
			break;
		}
		for (long off = 0; off < 4 << 20; off += 4096)
			p[off] = 1;
		mib += 4;
	}
	report_and_wait(argv, r);
	return 0;
}

int ut_helper_policy(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv);
	} modes[] = {
		{ "asuser", mode_asuser },	 { "entry", mode_entry },
		{ "ckpt", mode_ckpt },
		{ "sleeppast", mode_sleeppast }, { "sleephuge", mode_sleephuge },
		{ "vforkkill", mode_vforkkill }, { "vforkrestart", mode_vforkrestart },
		{ "nproc", mode_nproc },	 { "nofile5", mode_nofile5 },
		{ "asdata", mode_asdata },	 { "forkflood", mode_forkflood },
		{ "memhog", mode_memhog },
	};
	for (size_t i = 0; argc > 3 && i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strcmp(argv[3], modes[i].name) == 0)
			return modes[i].fn(argc, argv);
	return 99;
}
