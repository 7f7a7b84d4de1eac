/*
 * Tests of live server replacement (docs/replacement.md) with the echo server: a
 * replacement keeps the function ids, their counters and the server's state (its counts);
 * requests queued meanwhile are answered once each, by the new server; an old server busy
 * with a request is replaced only at the request boundary; a state layout change (echo -L 2)
 * is converted by the transfer function; every rollback case (a crash during the start, a
 * failed initialisation, a deadline passed, a rejected state, a program that does not provide
 * the same ids, the old server or the requester killed meanwhile) leaves the old server
 * serving with its ids, counters and queue as they were; and bad arguments.
 */
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "abi/errno.h"
#include "blkpat.h"
#include "libtessera.h"
#include "tsys.h"
#include "utest.h"

#define FN_R1 3011u           /* test-only function ids */
#define FN_R2 3012u
#define STAT 4                /* echo's arg[0] asking for its counts */

static const char *const echo_v1[] = { "/servers/echo", "-t", "3011", "3012", NULL };

/* An echo server serving FN_R1 and FN_R2 (layout 1, registering them itself). */
static int start_echo(const char *const *argv)
{
	struct t_spawn req = { .path = argv[0], .argv = argv, .prio = -1 };
	int pid = -1;
	CHECK_OK(t_proc_create(&req, &pid));
	for (int i = 0; i < 2000; i++) {
		struct t_repl_stat st;
		if (t_repl_stat(FN_R2, &st) == 0 && st.pid == pid && st.version)
			return pid;
		usleep(1000);
	}
	FAIL("echo (pid %d) did not register its ids", pid);
}

static void stop(int pid)
{
	CHECK_OK(kill(pid, SIGKILL));
	ut_wait(pid);
}

/* The old server of a replacement has exited, and with status 0. */
static void reap_old(int pid)
{
	int st = ut_wait(pid);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static int call(uint32_t fn, uint64_t a0, uint64_t a2, struct t_msg *out)
{
	struct t_msg m;
	memset(&m, 0, sizeof(m));
	m.fn = fn;
	m.arg[0] = a0;
	m.arg[1] = fn;
	m.arg[2] = a2;
	int st = t_srv_call(&m);
	if (out)
		*out = m;
	return st;
}

/* The echo server's counts: requests before this one, its layout, pid, predecessor. */
static struct t_msg counts(void)
{
	struct t_msg m;
	CHECK_EQ(call(FN_R1, STAT, 0, &m), 0);
	return m;
}

static uint64_t fn_calls(uint32_t fn)
{
	struct t_fn_stat st[64];
	int n = t_srv_stat(st, 64, NULL);
	for (int i = 0; i < n; i++)
		if (st[i].fn == fn)
			return st[i].calls;
	FAIL("fn %u is not registered", fn);
}

/* Wait until fn's server has taken `taken` requests and queued `queued`. */
static void wait_stat(uint32_t fn, uint32_t taken, uint32_t queued)
{
	for (int i = 0; i < 20000; i++) {
		struct t_fn_stat st[64];
		int n = t_srv_stat(st, 64, NULL);
		for (int k = 0; k < n; k++)
			if (st[k].fn == fn && st[k].inflight == taken && st[k].queued == queued)
				return;
		usleep(1000);
	}
	FAIL("fn %u never had %u taken and %u queued", fn, taken, queued);
}

/* The new server of a replacement under way for FN_R1 (waits for one). */
static int pending_new(void)
{
	for (int i = 0; i < 20000; i++) {
		struct t_repl_stat rs;
		if (t_repl_stat(FN_R1, &rs) == 0 && rs.pending)
			return rs.pending;
		usleep(1000);
	}
	FAIL("no replacement of fn %u under way", FN_R1);
}

static int replace(const char *const *argv, uint32_t deadline_ms, struct t_repl_result *res)
{
	struct t_repl_req req = { .fn = FN_R1, .path = argv[0], .argv = argv,
				  .deadline_ms = deadline_ms };
	return t_repl_request(&req, res);
}

static void send_async(uint64_t a0, uint64_t a2, uint64_t *id)
{
	struct t_msg m;
	memset(&m, 0, sizeof(m));
	m.fn = FN_R2;
	m.arg[0] = a0;
	m.arg[2] = a2;
	CHECK_OK(t_srv_send(&m, id));
}

/* A replacement keeps ids, counters and state; the old server exits, the new one serves. */
static void t_basic(void)
{
	int old = start_echo(echo_v1);
	for (int i = 0; i < 5; i++)
		CHECK_EQ(call(FN_R2, 0, 0, NULL), 0);
	uint64_t c1 = fn_calls(FN_R1), c2 = fn_calls(FN_R2);
	struct t_repl_result res;
	CHECK_OK(replace(echo_v1, 0, &res));
	CHECK_EQ(res.old_pid, old);
	CHECK(res.new_pid > 0 && res.new_pid != old);
	CHECK_EQ(res.steps, TREPL_NSTEPS);
	CHECK_EQ(res.moved_fns, 2);
	CHECK_EQ(res.state_items, 1);
	CHECK_EQ(res.old_version, 1);
	CHECK_EQ(res.new_version, 1);
	CHECK(res.total_ns >= res.at_ns[TREPL_DONE] && res.at_ns[TREPL_DONE] > 0);
	for (int s = TREPL_CREATED + 1; s < TREPL_NSTEPS; s++)
		CHECK(res.at_ns[s] >= res.at_ns[s - 1]);
	CHECK_EQ(fn_calls(FN_R1), c1);          /* the counters survive */
	CHECK_EQ(fn_calls(FN_R2), c2);
	reap_old(old);
	struct t_msg m = counts();
	CHECK_EQ(m.arg[0], 5);                  /* the state came along */
	CHECK_EQ(m.arg[2], 1);
	CHECK_EQ(m.arg[3], res.new_pid);
	CHECK_EQ(m.arg[4], old);
	CHECK_EQ(m.pid, res.new_pid);
	struct t_repl_stat rs;
	CHECK_OK(t_repl_stat(FN_R2, &rs));
	CHECK_EQ(rs.pid, res.new_pid);
	CHECK_EQ(rs.version, 1);
	CHECK_EQ(rs.replacements, 1);
	CHECK(rs.last_at_ns > 0 && rs.last_ns > 0 && rs.pending == 0);
	/* and again: the successor is replaceable too */
	int second = res.new_pid;
	CHECK_OK(replace(echo_v1, 0, &res));
	reap_old(second);
	CHECK_EQ(counts().arg[0], 6);
	CHECK_OK(t_repl_stat(FN_R1, &rs));
	CHECK_EQ(rs.replacements, 2);
	stop(res.new_pid);
}

/* The old server is busy with a request: it is replaced after answering it (the request
 * boundary); requests queued meanwhile go to the new server, each answered once. */
static void t_queued(void)
{
	enum { N = 12 };
	int old = start_echo(echo_v1);
	uint64_t slow, ids[N];
	send_async(3, 300, &slow);              /* answered after 300 ms */
	for (int i = 0; i < N; i++)
		send_async(0, 0, &ids[i]);
	wait_stat(FN_R2, 1, N);                 /* the old server is in the slow one */
	struct t_repl_result res;
	CHECK_OK(replace(echo_v1, 0, &res));
	CHECK_EQ(res.moved_queued, N);          /* it stopped right after the slow one */
	CHECK_EQ(res.moved_taken, 0);
	int seen[N + 1] = { 0 }, by_new = 0;
	for (int k = 0; k < N + 1; k++) {
		struct t_msg m;
		CHECK_EQ(t_srv_result(&m, 0), 0);
		CHECK_EQ(m.status, 0);
		int j = m.id == slow ? N : -1;
		for (int i = 0; i < N && j < 0; i++)
			j = m.id == ids[i] ? i : -1;
		CHECK(j >= 0);
		CHECK_EQ(seen[j]++, 0);         /* never answered twice */
		if (j == N)
			CHECK_EQ(m.pid, old);   /* the slow one by the old server */
		by_new += m.pid == res.new_pid;
	}
	struct t_msg none;
	CHECK_ERR(t_srv_result(&none, TSRV_NONBLOCK), ENOENT);
	CHECK_EQ(by_new, (int)res.moved_queued);
	reap_old(old);
	CHECK_EQ(counts().arg[0], N + 1);
	stop(res.new_pid);
}

/* Layout 1 to layout 2: the transfer function converts; back to layout 1 is rejected and
 * leaves the layout-2 server as it was. */
static void t_layout_change(void)
{
	static const char *const echo_v2[] = { "/servers/echo", "-t", "-L", "2", "3011", "3012",
					       NULL };
	int old = start_echo(echo_v1);
	for (int i = 0; i < 3; i++)
		CHECK_EQ(call(FN_R2, 0, 0, NULL), 0);
	struct t_repl_result res;
	CHECK_OK(replace(echo_v2, 0, &res));
	CHECK_EQ(res.old_version, 1);
	CHECK_EQ(res.new_version, 2);
	CHECK_EQ(res.state_items, 1);
	reap_old(old);
	struct t_msg m = counts();
	CHECK_EQ(m.arg[0], 3);
	CHECK_EQ(m.arg[2], 2);
	CHECK_EQ(call(FN_R2, 0, 0, NULL), 0);
	CHECK_EQ(call(FN_R2, STAT, 0, &m), 0);  /* per id since layout 2: the one above */
	CHECK_EQ(m.arg[0], 5);
	CHECK_EQ(m.arg[5], 1);
	struct t_repl_stat rs;
	CHECK_OK(t_repl_stat(FN_R1, &rs));
	CHECK_EQ(rs.version, 2);
	int v2 = res.new_pid;
	uint64_t c1 = fn_calls(FN_R1);
	CHECK_ERR(replace(echo_v1, 0, &res), EPROTO);
	CHECK_EQ(res.steps, TREPL_TAKEN + 1);
	CHECK_EQ(res.new_status, -EPROTO);
	CHECK_EQ(fn_calls(FN_R1), c1);
	m = counts();
	CHECK_EQ(m.arg[0], 6);
	CHECK_EQ(m.arg[2], 2);
	CHECK_EQ(m.arg[3], v2);
	ut_wait(res.new_pid);                   /* the refused one was killed */
	stop(v2);
}

/* One rollback case: the old server keeps ids, counters, state and the requests queued while
 * the replacement was tried, all answered by it. */
static void rollback(const char *mode, uint32_t deadline_ms, int err, int new_status)
{
	const char *argv[] = { "/servers/echo", "-t", "-X", mode, "3011", "3012", NULL };
	enum { N = 6 };
	int old = start_echo(echo_v1);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(call(FN_R2, 0, 0, NULL), 0);
	uint64_t c1 = fn_calls(FN_R1), c2 = fn_calls(FN_R2), slow, ids[N];
	send_async(3, 200, &slow);
	for (int i = 0; i < N; i++)
		send_async(0, 0, &ids[i]);
	wait_stat(FN_R2, 1, N);
	struct t_repl_result res;
	CHECK_ERR(replace(argv, deadline_ms, &res), err);
	CHECK_EQ(res.new_status, new_status);
	CHECK(res.steps < TREPL_NSTEPS);
	CHECK_EQ(fn_calls(FN_R1), c1);
	CHECK_EQ(fn_calls(FN_R2), c2 + N + 1);
	for (int k = 0; k < N + 1; k++) {
		struct t_msg m;
		CHECK_EQ(t_srv_result(&m, 0), 0);
		CHECK_EQ(m.status, 0);
		CHECK_EQ(m.pid, old);
	}
	struct t_msg m = counts();
	CHECK_EQ(m.arg[0], 4 + N + 1);
	CHECK_EQ(m.arg[3], old);
	CHECK_EQ(m.arg[4], 0);
	struct t_repl_stat rs;
	CHECK_OK(t_repl_stat(FN_R1, &rs));
	CHECK_EQ(rs.pid, old);
	CHECK_EQ(rs.replacements, 0);
	CHECK_EQ(rs.pending, 0);
	int st = ut_wait(res.new_pid);
	CHECK(!WIFEXITED(st) || WEXITSTATUS(st) != 0);
	/* and it can still be replaced */
	CHECK_OK(replace(echo_v1, 0, &res));
	reap_old(old);
	stop(res.new_pid);
}

static void t_rollback_crash(void)
{
	rollback("crash", 0, ECHILD, 0);
}

static void t_rollback_init_fail(void)
{
	rollback("fail", 0, ECANCELED, -EIO);
}

static void t_rollback_timeout(void)
{
	rollback("hang", 600, ETIMEDOUT, 0);
}

static void t_rollback_reject(void)
{
	rollback("reject", 0, EPROTO, -EPROTO);
}

/* The old server refuses at its request boundary (it cannot stop now): -EAGAIN, and it
 * goes on; the new server was started for nothing and is gone. */
static void t_refuse(void)
{
	static const char *const old_argv[] = { "/servers/echo", "-t", "-X", "refuse", "3011",
						"3012", NULL };
	int old = start_echo(old_argv);
	CHECK_EQ(call(FN_R1, 0, 0, NULL), 0);
	uint64_t c1 = fn_calls(FN_R1);
	struct t_repl_result res;
	CHECK_ERR(replace(echo_v1, 0, &res), EAGAIN);
	CHECK_EQ(res.steps, TREPL_NOTIFIED + 1);
	CHECK_EQ(fn_calls(FN_R1), c1);
	struct t_msg m = counts();
	CHECK_EQ(m.arg[0], 1);
	CHECK_EQ(m.arg[3], old);
	ut_wait(res.new_pid);
	stop(old);
}

/* A program that does not provide the old server's ids is refused. */
static void t_refused(void)
{
	static const char *const other[] = { "/servers/echo", "-t", "3011", "3099", NULL };
	int old = start_echo(echo_v1);
	uint64_t c1 = fn_calls(FN_R1);
	struct t_repl_result res;
	CHECK_ERR(replace(other, 0, &res), ENOPROTOOPT);
	CHECK_EQ(res.steps, TREPL_READY + 1);
	CHECK_EQ(fn_calls(FN_R1), c1 + 0);
	CHECK_EQ(counts().arg[3], old);
	ut_wait(res.new_pid);
	stop(old);
}

/* The old server killed while the new one starts, and the requester killed while it waits:
 * the replacement fails, the new server goes, nothing is left behind. */
static void t_deaths(void)
{
	static const char *const hang[] = { "/servers/echo", "-t", "-X", "hang", "3011", "3012",
					    NULL };
	int old = start_echo(echo_v1);
	int child = fork();
	CHECK(child >= 0);
	if (child == 0) {
		struct t_repl_result r;
		_exit(replace(hang, 20000, &r) == -EINTR ? 0 : 3);
	}
	int fresh = pending_new();
	usleep(50000);
	CHECK_OK(kill(child, SIGKILL));
	ut_wait(child);
	ut_wait(fresh);                         /* killed with the replacement */
	CHECK_EQ(counts().arg[3], old);         /* still the old one */
	struct t_repl_stat rs;
	CHECK_OK(t_repl_stat(FN_R1, &rs));
	CHECK_EQ(rs.pending, 0);
	/* now the old server dies while the new one hangs in its start */
	child = fork();
	CHECK(child >= 0);
	if (child == 0) {
		struct t_repl_result r;
		_exit(replace(hang, 20000, &r) == -ESRCH ? 0 : 3);
	}
	fresh = pending_new();
	usleep(50000);
	stop(old);
	int st = ut_wait(child);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ut_wait(fresh);
	struct t_msg m;
	CHECK_ERR(call(FN_R1, 0, 0, &m), ENOENT);
}

/* Bad arguments and calls out of turn. */
static void t_bad(void)
{
	uintptr_t bad[UT_NBAD];
	struct t_repl_result res;
	struct t_repl_state st;
	struct t_repl_stat rs;
	ut_bad_addrs(bad);
	int old = start_echo(echo_v1);
	struct t_repl_req req = { .fn = FN_R1, .path = "/servers/echo" };
	for (int i = 0; i < UT_NBAD; i++) {
		CHECK_ERR(t_repl_request((struct t_repl_req *)bad[i], &res), EFAULT);
		CHECK_ERR(t_repl_request(&req, (struct t_repl_result *)bad[i]), EFAULT);
		CHECK_ERR(t_repl_take((struct t_repl_state *)bad[i]), EFAULT);
		CHECK_ERR(t_repl_stat(FN_R1, (struct t_repl_stat *)bad[i]), EFAULT);
		if (bad[i])
			CHECK_ERR(t_repl_handover((struct t_repl_item *)bad[i], 1, 1), EFAULT);
	}
	req.flags = 1;
	CHECK_ERR(t_repl_request(&req, &res), EINVAL);
	req.flags = 0;
	req.fn = T_FN_MAX;
	CHECK_ERR(t_repl_request(&req, &res), EINVAL);
	req.fn = 0;
	req.pid = 0;
	CHECK_ERR(t_repl_request(&req, &res), EINVAL);
	req.fn = 3999;                          /* nobody serves it */
	CHECK_ERR(t_repl_request(&req, &res), ENOENT);
	req.fn = 0;
	req.pid = 999999;
	CHECK_ERR(t_repl_request(&req, &res), ESRCH);
	req.pid = getpid();                     /* itself: it would wait for itself */
	CHECK_OK(t_repl_declare(1));
	CHECK_ERR(t_repl_request(&req, &res), EDEADLK);
	CHECK_OK(t_repl_declare(0));
	req.pid = 1;                            /* init never declared itself replaceable */
	CHECK_ERR(t_repl_request(&req, &res), EOPNOTSUPP);
	req.pid = 0;
	req.fn = FN_R1;
	req.path = "/no/such/program";
	CHECK_ERR(t_repl_request(&req, &res), ENOENT);
	req.deadline_ms = T_REPL_DEADLINE_MAX_MS + 1;
	CHECK_ERR(t_repl_request(&req, &res), EINVAL);
	/* the server calls, from a process that is none of the parties */
	CHECK_ERR(t_repl_take(&st), ESRCH);
	CHECK_ERR(t_repl_ready(NULL, 0), ESRCH);
	uint32_t badfn = T_FN_MAX;
	CHECK_ERR(t_repl_ready(&badfn, 1), EINVAL);
	CHECK_ERR(t_repl_ready(NULL, 100000), EINVAL);
	CHECK_ERR(t_repl_abort(-EIO), ESRCH);
	CHECK_ERR(t_repl_abort(0), EINVAL);
	CHECK_ERR(t_repl_abort(5), EINVAL);
	CHECK_ERR(t_repl_handover(NULL, 0, 1), ENOENT);
	CHECK_ERR(t_repl_handover(NULL, T_REPL_MAX_STATE + 1, 1), EINVAL);
	CHECK_ERR(t_repl_stat(0, &rs), EINVAL);
	CHECK_ERR(t_repl_stat(3999, &rs), ENOENT);
	/* not root */
	int child = fork();
	CHECK(child >= 0);
	if (child == 0) {
		if (tsys_setuid(1000))
			_exit(1);
		req.path = "/servers/echo";
		_exit(t_repl_request(&req, &res) == -EPERM ? 0 : 2);
	}
	int s;
	CHECK_EQ(waitpid(child, &s, 0), child);
	CHECK(WIFEXITED(s) && WEXITSTATUS(s) == 0);
	CHECK_EQ(counts().arg[3], old);
	stop(old);
}

#define U1 TFN_BLK_STRIDE          /* block unit 1: the test boots' second disk (INTx) */
#define NREG 8
#define REG_SECTORS 128

static const char *const drv_hold[] = { "/drivers/virtio-blk", "-u", "1", "-H", NULL };
static const char *const drv_norm[] = { "/drivers/virtio-blk", "-u", "1", NULL };

static int fn_server(uint32_t fn);

/* The driver of unit 1 replaced by argv; the old one (this test's child) reaped. */
static void replace_drv(const char *const *argv, struct t_repl_result *res)
{
	struct t_repl_req req = { .fn = TFN_BLK_READ + U1, .path = argv[0], .argv = argv };
	CHECK_OK(t_repl_request(&req, res));
	CHECK_EQ(res->moved_claims, 1);
	CHECK_EQ(res->moved_fns, 4);
	reap_old(res->old_pid);
}

/* NREG regions of unit 1 written (or read) at once by a driver that holds them in the device
 * (-H: it puts them on the ring and answers none), then that driver replaced by an ordinary
 * one, which must answer every one of them from the ring it took over, once, with status 0;
 * then a holding driver again for the next round. */
static void rw_replace(uint32_t fn, struct t_ica *ica, uint64_t first)
{
	uint64_t ids[NREG];
	struct t_repl_result res;
	for (int i = 0; i < NREG; i++) {
		struct t_msg m = { .fn = fn, .data = ica[i].rid };
		m.arg[0] = first + (uint64_t)i * REG_SECTORS;
		m.arg[1] = REG_SECTORS;
		CHECK_OK(t_srv_send(&m, &ids[i]));
	}
	wait_stat(fn, NREG, 0);                 /* all taken: on the device, none answered */
	replace_drv(drv_norm, &res);
	CHECK_EQ(res.moved_taken, NREG);
	int seen[NREG] = { 0 };
	for (int k = 0; k < NREG; k++) {
		struct t_msg r;
		CHECK_OK(t_srv_result(&r, 0));
		CHECK_EQ(r.status, 0);
		CHECK_EQ(r.arg[0], REG_SECTORS);
		CHECK_EQ(r.pid, res.new_pid);
		int j = 0;
		while (j < NREG && ids[j] != r.id)
			j++;
		CHECK(j < NREG);
		CHECK_EQ(seen[j]++, 0);
		CHECK_EQ(r.data, ica[j].rid);
	}
	replace_drv(drv_hold, &res);
}

/* The block driver replaced with requests in flight in its device: the new driver takes
 * over the virtqueue and the claim without a reset and answers them; the data written across
 * replacements reads back right. */
static void t_blk_inflight(void)
{
	struct t_ica ica[NREG];
	const char *first_argv[] = { "/drivers/virtio-blk", "-u", "1", "-r", "-H", NULL };
	struct t_spawn sp = { .path = first_argv[0], .argv = first_argv, .prio = 2 };
	int pid;
	CHECK_OK(t_proc_create(&sp, &pid));
	struct t_msg m = { .fn = TFN_BLK_INFO + U1 };
	for (int i = 0; i < 20000 && t_srv_call(&m) == -ENOENT; i++)
		usleep(1000);                   /* until it has registered */
	CHECK_EQ(m.arg[1], 512);
	uint64_t first = m.arg[0] - NREG * REG_SECTORS;
	for (int i = 0; i < NREG; i++)
		CHECK_OK(t_ica_create(REG_SECTORS / 8, 0, &ica[i]));
	for (uint64_t seed = 1; seed <= 3; seed++) {
		for (int i = 0; i < NREG; i++)
			blkpat_fill((void *)(uintptr_t)ica[i].addr, seed,
				    first + (uint64_t)i * REG_SECTORS, REG_SECTORS);
		rw_replace(TFN_BLK_WRITE + U1, ica, first);
		for (int i = 0; i < NREG; i++)
			memset((void *)(uintptr_t)ica[i].addr, 0, REG_SECTORS * 512);
		rw_replace(TFN_BLK_READ + U1, ica, first);
		static uint64_t want[64];
		for (int i = 0; i < NREG; i++)
			for (uint64_t sct = 0; sct < REG_SECTORS; sct++) {
				blkpat_sector(seed, first + i * REG_SECTORS + sct, want);
				if (memcmp((char *)(uintptr_t)ica[i].addr + sct * 512, want, 512))
					FAIL("seed %llu region %d sector %llu differs",
					     (unsigned long long)seed, i, (unsigned long long)sct);
			}
	}
	for (int i = 0; i < NREG; i++)
		CHECK_OK(t_res_delete(ica[i].rid));
	stop(fn_server(TFN_BLK_READ + U1));
}

/* Replaces the server of fn with prog (its own arguments) and checks the outcome. */
static void replace_fn(uint32_t fn, const char *prog)
{
	const char *argv[] = { prog, NULL };
	struct t_repl_req req = { .fn = fn, .path = prog, .argv = argv };
	struct t_repl_result res;
	CHECK_OK(t_repl_request(&req, &res));
	CHECK_EQ(res.steps, TREPL_NSTEPS);
}

static void fill(char *buf, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = (char)(seed * 131 + i * 7 + (i >> 9));
}

/* The ext2 server replaced while files on /disk are open, written and read: what was written
 * before a replacement (only in the old server's cache until it wrote it at the notice) reads
 * back after it, an open file stays open, a file unlinked while open keeps its data until it
 * is closed. */
static void t_ext2(void)
{
	static char buf[20000], back[20000];
	const char *path = "/disk/repl_a", *gone = "/disk/repl_gone";
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	int fg = open(gone, O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK(fd >= 0 && fg >= 0);
	CHECK_OK(unlink(gone));
	for (unsigned round = 0; round < 4; round++) {
		fill(buf, sizeof(buf), round);
		CHECK_EQ(pwrite(fd, buf, sizeof(buf), round * sizeof(buf)), (long)sizeof(buf));
		CHECK_EQ(pwrite(fg, buf, 1000, round * 1000), 1000);
		replace_fn(TFN_FS_READ, "/servers/ext2");
		for (unsigned r = 0; r <= round; r++) {
			fill(buf, sizeof(buf), r);
			CHECK_EQ(pread(fd, back, sizeof(back), r * sizeof(buf)), (long)sizeof(back));
			CHECK(memcmp(buf, back, sizeof(buf)) == 0);
			CHECK_EQ(pread(fg, back, 1000, r * 1000), 1000);
			CHECK(memcmp(buf, back, 1000) == 0);
		}
	}
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	CHECK_EQ(st.st_size, 4 * (long)sizeof(buf));
	CHECK_OK(close(fg));
	CHECK_OK(close(fd));
	CHECK(stat(gone, &st) != 0);
	CHECK_OK(unlink(path));
	sync();
}

/* The scheduling priority of process pid (its execution's). */
static int prio_of(int pid)
{
	rid_t rid;
	struct t_res_info info;
	CHECK_OK(t_proc_rid(pid, &rid));
	CHECK_OK(t_res_info(rid, &info));
	for (uint32_t i = 0; i < info.nrefs; i++)
		if (strcmp(info.refs[i].role, "exec") == 0) {
			struct t_res_info ex;
			CHECK_OK(t_res_info(info.refs[i].rid, &ex));
			return (int)ex.v[1];
		}
	FAIL("pid %d has no execution", pid);
}

static int fn_server(uint32_t fn)
{
	struct t_repl_stat rs;
	return t_repl_stat(fn, &rs) ? 0 : rs.pid;
}

/* svc replace: the service's own program by default, another on request; the new server has
 * the old one's priority (servers 3 in /etc/svc.conf); the listing runs; a program that does
 * not serve the service's ids is refused and the service goes on. */
static void t_svc(void)
{
	static const char *const start[] = { "svc", "start", "echotest", NULL };
	static const char *const stop[] = { "svc", "stop", "echotest", NULL };
	static const char *const repl[] = { "svc", "replace", "echotest", NULL };
	static const char *const repl2[] = { "svc", "replace", "echotest", "/servers/echo", "-L",
					     "2", NULL };
	static const char *const wrong[] = { "svc", "replace", "echotest", "/servers/echo", "-L",
					     "2", "3003", NULL };   /* 3004 missing */
	static const char *const list[] = { "svc", NULL };
	CHECK_EQ(ut_run("/bin/svc", start), 0);
	int first = fn_server(3003);
	CHECK(first > 0);
	CHECK_EQ(prio_of(first), 3);
	struct t_msg m;
	CHECK_EQ(call(3004, 0, 0, &m), 0);
	CHECK_EQ(ut_run("/bin/svc", repl), 0);
	int second = fn_server(3003);
	CHECK(second > 0 && second != first);
	CHECK_EQ(prio_of(second), 3);
	CHECK_EQ(ut_run("/bin/svc", repl2), 0);
	CHECK(ut_run("/bin/svc", wrong) != 0);
	int third = fn_server(3004);
	CHECK(third != second && third > 0);
	CHECK_EQ(call(3004, STAT, 0, &m), 0);
	CHECK_EQ(m.arg[0], 1);                  /* the first call, counted across both */
	CHECK_EQ(m.arg[2], 2);
	struct t_repl_stat rs;
	CHECK_OK(t_repl_stat(3003, &rs));
	CHECK_EQ(rs.replacements, 2);
	CHECK_EQ(rs.version, 2);
	CHECK_EQ(ut_run("/bin/svc", list), 0);
	CHECK_EQ(ut_run("/bin/svc", stop), 0);
	CHECK_EQ(fn_server(3003), 0);
}

/* The ids a new program adds are registered to it at the commit; one that another server
 * holds refuses the replacement (-EADDRINUSE) and the old server goes on with its own. */
static void t_adds_ids(void)
{
	static const char *const more[] = { "/servers/echo", "-t", "3011", "3012", "3013", NULL };
	static const char *const clash[] = { "/servers/echo", "-t", "3011", "3012", "3013",
					     "3014", NULL };
	static const char *const other[] = { "/servers/echo", "3014", NULL };
	int old = start_echo(echo_v1);
	CHECK_EQ(fn_server(3013), 0);
	struct t_repl_result res;
	CHECK_OK(replace(more, 0, &res));
	reap_old(old);
	CHECK_EQ(res.moved_fns, 2);
	CHECK_EQ(res.added_fns, 1);
	CHECK_EQ(fn_server(3013), res.new_pid);
	CHECK_EQ(call(3013, 0, 0, NULL), 0);
	struct t_spawn req = { .path = other[0], .argv = other, .prio = -1 };
	int holder = -1;
	CHECK_OK(t_proc_create(&req, &holder));
	for (int i = 0; i < 2000 && fn_server(3014) != holder; i++)
		usleep(1000);
	CHECK_EQ(fn_server(3014), holder);
	int cur = res.new_pid;
	CHECK_ERR(replace(clash, 0, &res), EADDRINUSE);
	CHECK_EQ(fn_server(3013), cur);
	CHECK_EQ(fn_server(FN_R1), cur);
	CHECK_EQ(call(3013, 0, 0, NULL), 0);
	stop(holder);
	stop(cur);
}

const struct utest ut_repl_tests[] = {
	{ "repl_basic", t_basic },
	{ "repl_queued", t_queued },
	{ "repl_layout_change", t_layout_change },
	{ "repl_rollback_crash", t_rollback_crash },
	{ "repl_rollback_init_fail", t_rollback_init_fail },
	{ "repl_rollback_timeout", t_rollback_timeout },
	{ "repl_rollback_reject", t_rollback_reject },
	{ "repl_refuse", t_refuse },
	{ "repl_refused", t_refused },
	{ "repl_deaths", t_deaths },
	{ "repl_bad", t_bad },
	{ "repl_blk_inflight", t_blk_inflight },
	{ "repl_ext2", t_ext2 },
	{ "repl_svc", t_svc },
	{ "repl_adds_ids", t_adds_ids },
	{ NULL, NULL },
};
