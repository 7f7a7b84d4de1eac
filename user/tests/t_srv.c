/*
 * Tests of the outer core's server communication (docs/servers.md): ICAs (create, attach,
 * detach, collisions, holders), function ids, synchronous and asynchronous requests to the
 * echo server (/servers/echo) in another space and in the caller's own space, bad input of
 * every kind (unknown function id, stale, foreign and lent ICAs, full queues, bad pointers),
 * and deaths: a server killed with callers waiting and requests queued (all answered -EIO at
 * once, ICAs back), callers killed while their requests are under way (nothing leaked: the
 * runner's leak check counts ICAs, regions, attachments and pages).
 */
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "abi/errno.h"
#include "libtessera.h"
#include "tsys.h"
#include "utest.h"

#define FN_A 3001u            /* test-only function ids: never well-known ones */
#define FN_B 3002u
#define PG 4096ul
#define DEADLINE_NS (20ll * 1000000000)

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* /servers/echo in space (0: a space of its own), serving FN_A and FN_B. */
static int start_echo(rid_t space)
{
	const char *argv[] = { "/servers/echo", "-t", NULL };   /* -t: its stalling modes */
	struct t_spawn req = { .path = argv[0], .argv = argv, .vspace = space, .prio = -1 };
	int pid = -1;
	CHECK_OK(t_proc_create(&req, &pid));
	CHECK_OK(t_fn_register(FN_A, pid, 0));
	CHECK_OK(t_fn_register(FN_B, pid, 0));
	return pid;
}

static void stop_echo(int pid)
{
	CHECK_OK(kill(pid, SIGKILL));
	ut_wait(pid);
}

/* The echo server's state for fn: queued and taken requests (fails if fn is not listed). */
static void fn_stat(uint32_t fn, struct t_fn_stat *out)
{
	struct t_fn_stat st[64];
	uint32_t total = 0;
	int n = t_srv_stat(st, 64, &total);
	CHECK_OK(n);
	for (int i = 0; i < n; i++) {
		if (st[i].fn == fn) {
			*out = st[i];
			return;
		}
	}
	FAIL("function id %u is not registered", fn);
}

/* Wait until fn's server has taken `taken` requests and queued `queued`. */
static void wait_stat(uint32_t fn, uint32_t taken, uint32_t queued)
{
	int64_t end = ut_now_ns() + DEADLINE_NS;
	struct t_fn_stat st;
	for (;;) {
		fn_stat(fn, &st);
		if (st.inflight == taken && st.queued == queued)
			return;
		if (ut_now_ns() > end)
			FAIL("fn %u: %u taken, %u queued; expected %u, %u", fn, st.inflight,
			     st.queued, taken, queued);
		sleep_ms(5);
	}
}

static struct t_msg msg(uint32_t fn, rid_t ctl, rid_t data, uint64_t a0, uint64_t a1)
{
	struct t_msg m;
	memset(&m, 0, sizeof(m));
	m.fn = fn;
	m.ctl = ctl;
	m.data = data;
	m.arg[0] = a0;
	m.arg[1] = a1;
	return m;
}

static void fill_pages(const struct t_ica *t, uint8_t base)
{
	for (uint64_t i = 0; i < t->pages; i++)
		((volatile uint8_t *)t->addr)[i * PG] = (uint8_t)(base + i);
}

static uint64_t page_sum(uint64_t pages, uint8_t base)
{
	uint64_t sum = 0;
	for (uint64_t i = 0; i < pages; i++)
		sum += (uint8_t)(base + i);
	return sum;
}

/* One round trip of each kind with a control and a data ICA; the ICAs come back to the
 * caller's space at the same addresses, with what the server wrote. */
static void round_trips(void)
{
	struct t_ica ctl, data;
	CHECK_OK(t_ica_create(1, 0, &ctl));
	CHECK_OK(t_ica_create(16, 0, &data));
	CHECK(ctl.addr && data.addr && data.pages == 16);
	fill_pages(&data, 40);
	struct t_msg m = msg(FN_A, ctl.rid, data.rid, 0, 0);
	m.arg[2] = 1234;
	CHECK_EQ(t_srv_call(&m), 0);
	CHECK_EQ(m.status, 0);
	CHECK_EQ(m.arg[5], page_sum(16, 40));           /* the server read every page */
	CHECK_EQ(m.arg[2], 1234);
	CHECK_EQ(m.arg[4], FN_A);
	CHECK_EQ(m.ctl, ctl.rid);
	CHECK_EQ(m.data_addr, data.addr);
	CHECK_EQ(m.ctl_addr, ctl.addr);
	CHECK_EQ(*(volatile uint64_t *)ctl.addr, 1);   /* counted up by the server */
	m = msg(FN_B, 0, data.rid, 1, 7);               /* now it writes */
	CHECK_EQ(t_srv_call(&m), 0);
	CHECK_EQ(m.arg[4], FN_B);
	for (uint64_t i = 0; i < 16; i++)
		CHECK_EQ(((volatile uint8_t *)data.addr)[i * PG], (uint8_t)(7 + i));
	CHECK_OK(t_res_delete(ctl.rid));
	CHECK_OK(t_res_delete(data.rid));
}

static void t_roundtrip_spaces(void)
{
	int pid = start_echo(0);
	round_trips();
	stop_echo(pid);
}

static void t_roundtrip_same_space(void)
{
	rid_t mine = t_proc_space(getpid());
	CHECK(mine != 0);
	int pid = start_echo(mine);
	CHECK_EQ(t_proc_space(pid), mine);
	round_trips();
	stop_echo(pid);
}

/* Eight requests in flight at once, with and without ICAs; every result is collected once
 * under the id its send returned. */
static void t_async(void)
{
	enum { N = 8 };
	struct t_ica data[N / 2];
	uint64_t ids[N];
	bool seen[N] = { false };
	int pid = start_echo(0);
	for (int i = 0; i < N / 2; i++) {
		CHECK_OK(t_ica_create(2 + i, 0, &data[i]));
		fill_pages(&data[i], (uint8_t)(10 * i));
	}
	for (int i = 0; i < N; i++) {
		struct t_msg m = msg(i % 2 ? FN_B : FN_A, 0, i < N / 2 ? data[i].rid : 0, 0, 0);
		m.arg[3] = (uint64_t)i;
		CHECK_OK(t_srv_send(&m, &ids[i]));
		if (i < N / 2)
			CHECK_ERR(t_srv_send(&m, &ids[i]), EACCES);  /* lent: not ours now */
	}
	for (int k = 0; k < N; k++) {
		struct t_msg r;
		CHECK_OK(t_srv_result(&r, 0));
		int i = (int)r.arg[3];
		CHECK(i >= 0 && i < N && !seen[i]);
		seen[i] = true;
		CHECK_EQ(r.id, ids[i]);
		CHECK_EQ(r.status, 0);
		CHECK_EQ(r.pid, pid);
		if (i < N / 2) {
			CHECK_EQ(r.data_addr, data[i].addr);
			CHECK_EQ(r.arg[5], page_sum(data[i].pages, (uint8_t)(10 * i)));
		}
	}
	struct t_msg r;
	CHECK_ERR(t_srv_result(&r, 0), ENOENT);          /* nothing outstanding */
	CHECK_ERR(t_srv_result(&r, TSRV_NONBLOCK), ENOENT);
	for (int i = 0; i < N / 2; i++)
		CHECK_OK(t_res_delete(data[i].rid));
	stop_echo(pid);
}

static void t_unknown_fn(void)
{
	struct t_msg m = msg(FN_A, 0, 0, 0, 0);
	uint64_t id;
	CHECK_ERR(t_srv_call(&m), ENOENT);
	CHECK_ERR(t_srv_send(&m, &id), ENOENT);
	m.fn = T_FN_IRQ;
	CHECK_ERR(t_srv_call(&m), EINVAL);
	m.fn = T_FN_MAX;
	CHECK_ERR(t_srv_call(&m), EINVAL);
}

/* A deleted ICA, an id of another type, the same ICA twice, an ICA lent out. */
static void t_bad_icas(void)
{
	struct t_ica a, b;
	rid_t self;
	int pid = start_echo(0);
	CHECK_OK(t_ica_create(1, 0, &a));
	CHECK_OK(t_ica_create(1, 0, &b));
	CHECK_OK(t_res_delete(b.rid));
	struct t_msg m = msg(FN_A, 0, b.rid, 0, 0);
	CHECK_ERR(t_srv_call(&m), ESTALE);
	CHECK_OK(t_proc_rid(0, &self));
	m.data = self;
	CHECK_ERR(t_srv_call(&m), EINVAL);
	m = msg(FN_A, a.rid, a.rid, 0, 0);
	CHECK_ERR(t_srv_call(&m), EINVAL);
	CHECK_ERR(t_ica_attach(b.rid, 0, &b), ESTALE);
	CHECK_ERR(t_ica_detach(b.rid), ESTALE);
	CHECK_ERR(t_ica_attach(self, 0, &b), EINVAL);
	stop_echo(pid);
	CHECK_OK(t_res_delete(a.rid));
}

/* An ICA another process holds: neither passed, attached, detached nor deleted by us. */
static void t_foreign_ica(void)
{
	int fds[2];
	CHECK_OK(pipe(fds));
	int child = fork();
	CHECK(child >= 0);
	if (child == 0) {
		struct t_ica t;
		if (t_ica_create(2, 0, &t) || write(fds[1], &t, sizeof(t)) != sizeof(t))
			_exit(1);
		pause();
		_exit(0);
	}
	struct t_ica t, out;
	CHECK_EQ(read(fds[0], &t, sizeof(t)), sizeof(t));
	int pid = start_echo(0);
	struct t_msg m = msg(FN_A, 0, t.rid, 0, 0);
	CHECK_ERR(t_srv_call(&m), EACCES);
	CHECK_ERR(t_ica_attach(t.rid, 0, &out), EACCES);
	CHECK_ERR(t_ica_detach(t.rid), EACCES);
	CHECK_ERR(t_res_delete(t.rid), EACCES);
	stop_echo(pid);
	CHECK_OK(kill(child, SIGKILL));
	CHECK_EQ(waitpid(child, NULL, 0), child);       /* its ICA went with it */
	CHECK_ERR(t_ica_attach(t.rid, 0, &out), ESTALE);
	close(fds[0]);
	close(fds[1]);
}

static void t_attach(void)
{
	struct t_ica a, b, out;
	CHECK_OK(t_ica_create(4, 0, &a));
	CHECK_OK(t_ica_create(4, 0, &b));
	CHECK(a.addr != b.addr);
	fill_pages(&b, 100);
	CHECK_OK(t_ica_attach(b.rid, 0, &out));         /* attached already: where it is */
	CHECK_EQ(out.addr, b.addr);
	CHECK_ERR(t_ica_attach(b.rid, a.addr, &out), EBUSY);
	CHECK_OK(t_ica_detach(b.rid));
	CHECK_OK(t_ica_detach(b.rid));                  /* detached already: nothing to do */
	CHECK_ERR(t_ica_attach(b.rid, a.addr, &out), EEXIST);
	CHECK_ERR(t_ica_attach(b.rid, a.addr + 2 * PG, &out), EEXIST);
	void *m = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(m != MAP_FAILED);
	CHECK_ERR(t_ica_attach(b.rid, (uint64_t)m, &out), EEXIST);
	CHECK_ERR(t_ica_attach(b.rid, (uint64_t)m + 1, &out), EINVAL);
	CHECK_ERR(t_ica_attach(b.rid, 0xffff800000000000ul, &out), EINVAL);
	CHECK_OK(munmap(m, 4 * PG));
	/* addresses this process held and let go of are free: it may put the ICA there */
	CHECK_OK(t_ica_attach(b.rid, (uint64_t)m, &out));
	CHECK_EQ(out.addr, (uint64_t)m);
	for (uint64_t i = 0; i < 4; i++)
		CHECK_EQ(((volatile uint8_t *)m)[i * PG], (uint8_t)(100 + i));
	CHECK_OK(t_ica_detach(b.rid));
	CHECK_OK(t_ica_attach(b.rid, 0, &out));         /* back at its own address */
	CHECK_EQ(out.addr, b.addr);
	CHECK_EQ(((volatile uint8_t *)b.addr)[3 * PG], 103);
	struct t_ica bad;
	CHECK_ERR(t_ica_create(0, 0, &bad), EINVAL);
	CHECK_ERR(t_ica_create(T_ICA_MAX_PAGES + 1, 0, &bad), EINVAL);
	CHECK_ERR(t_ica_create(1, 1, &bad), EINVAL);
	CHECK_OK(t_res_delete(a.rid));
	CHECK_OK(t_res_delete(b.rid));
}

/* A server holding one request in its hands and a full queue: the next gets -EAGAIN; its
 * death answers all of them -EIO at once and gives every ICA back. */
static void t_full_queue_and_death(void)
{
	struct t_ica data;
	uint64_t id;
	int pid = start_echo(0);
	CHECK_OK(t_ica_create(3, 0, &data));
	fill_pages(&data, 1);
	struct t_msg stall = msg(FN_A, 0, data.rid, 2, 0);
	CHECK_OK(t_srv_send(&stall, &id));
	wait_stat(FN_A, 1, 0);
	struct t_msg m = msg(FN_B, 0, 0, 0, 0);
	for (uint32_t i = 1; i < T_SRV_QLEN; i++)
		CHECK_OK(t_srv_send(&m, &id));
	CHECK_ERR(t_srv_send(&m, &id), EAGAIN);         /* this caller's own bound */
	int child = fork();
	CHECK(child >= 0);
	if (child == 0) {
		uint64_t cid;
		struct t_msg c = msg(FN_B, 0, 0, 0, 0);
		if (t_srv_send(&c, &cid) || t_srv_send(&c, &cid) != -EAGAIN)
			_exit(2);                   /* the server's queue: 64 queued */
		if (t_srv_call(&c) != -EAGAIN || t_srv_result(&c, 0) || c.status != -EIO)
			_exit(3);
		_exit(0);
	}
	wait_stat(FN_A, 1, T_SRV_QLEN);
	stop_echo(pid);
	for (uint32_t i = 0; i < T_SRV_QLEN; i++) {
		struct t_msg r;
		CHECK_OK(t_srv_result(&r, TSRV_NONBLOCK));  /* all there at once */
		CHECK_EQ(r.status, -EIO);
		if (r.data) {
			CHECK_EQ(r.data, data.rid);
			CHECK_EQ(r.data_addr, data.addr);
		}
	}
	int st;
	CHECK_EQ(waitpid(child, &st, 0), child);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	CHECK_EQ(((volatile uint8_t *)data.addr)[2 * PG], 3);
	struct t_msg again = msg(FN_A, 0, 0, 0, 0);
	CHECK_ERR(t_srv_call(&again), ENOENT);          /* its function ids went with it */
	CHECK_OK(t_res_delete(data.rid));
}

/* A sync caller waits on a server that never answers; the server is killed: the caller
 * gets -EIO and its ICA back at once, in a process whose deadline would catch a hang. */
static void t_server_killed_sync(void)
{
	int pid = start_echo(0);
	int child = fork();
	CHECK(child >= 0);
	if (child == 0) {
		struct t_ica t;
		if (t_ica_create(2, 0, &t))
			_exit(1);
		((volatile uint8_t *)t.addr)[PG] = 77;
		struct t_msg m = msg(FN_A, 0, t.rid, 2, 0);
		if (t_srv_call(&m) != -EIO || m.status != -EIO || m.data_addr != t.addr)
			_exit(2);
		_exit(((volatile uint8_t *)t.addr)[PG] == 77 ? 0 : 3);
	}
	wait_stat(FN_A, 1, 0);
	stop_echo(pid);
	int st, got = 0;
	for (int64_t end = ut_now_ns() + DEADLINE_NS; !got && ut_now_ns() < end;)
		if (!(got = waitpid(child, &st, WNOHANG)))
			sleep_ms(5);
	if (!got) {
		kill(child, SIGKILL);
		waitpid(child, &st, 0);
		FAIL("the caller still waits after its server died");
	}
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* Callers that die with requests under way: killed while waiting (it must not hang), and
 * exited with async requests the server answers later. What was theirs is freed. */
static void t_caller_killed(void)
{
	int pid = start_echo(0);
	int child = fork();
	CHECK(child >= 0);
	if (child == 0) {
		struct t_ica t;
		if (t_ica_create(4, 0, &t))
			_exit(1);
		struct t_msg m = msg(FN_A, 0, t.rid, 3, 0);
		m.arg[2] = 300;                 /* answered in 0.3 s, after we are gone */
		uint64_t id;
		if (t_srv_send(&m, &id))
			_exit(2);
		m = msg(FN_B, 0, 0, 2, 0);      /* then wait for ever on a stall */
		t_srv_call(&m);
		_exit(3);
	}
	int64_t end = ut_now_ns() + DEADLINE_NS;
	struct t_fn_stat s;
	for (fn_stat(FN_B, &s); s.calls == 0; fn_stat(FN_B, &s)) {
		CHECK(ut_now_ns() < end);
		sleep_ms(5);
	}
	sleep_ms(20);                              /* let it block in the call */
	CHECK_OK(kill(child, SIGKILL));
	int st;
	CHECK_EQ(waitpid(child, &st, 0), child);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	stop_echo(pid);
}

static void t_caller_gone_before_reply(void)
{
	int pid = start_echo(0);
	int child = fork();
	CHECK(child >= 0);
	if (child == 0) {
		struct t_ica t;
		uint64_t id;
		if (t_ica_create(4, 0, &t))
			_exit(1);
		struct t_msg m = msg(FN_A, 0, t.rid, 3, 0);
		m.arg[2] = 100;
		_exit(t_srv_send(&m, &id) ? 2 : 0);
	}
	int st;
	CHECK_EQ(waitpid(child, &st, 0), child);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	wait_stat(FN_A, 0, 0);                     /* answered: to nobody */
	struct t_fn_stat s;
	fn_stat(FN_A, &s);
	CHECK_EQ(s.calls, 1);
	stop_echo(pid);
}

static void t_register(void)
{
	int pid = start_echo(0);
	CHECK_ERR(t_fn_register(FN_A, 0, 0), EBUSY);     /* a live server has it */
	CHECK_OK(t_fn_register(FN_A, pid, 0));          /* again for the same: fine */
	CHECK_ERR(t_fn_register(FN_A, 0, TFN_UNREGISTER), ENOENT);
	CHECK_ERR(t_fn_register(0, pid, 0), EINVAL);
	CHECK_ERR(t_fn_register(T_FN_MAX, pid, 0), EINVAL);
	CHECK_ERR(t_fn_register(FN_A, pid, 4), EINVAL);
	CHECK_ERR(t_fn_register(FN_A, 999999, 0), ESRCH);
	CHECK_OK(t_fn_register(FN_A, pid, TFN_UNREGISTER));
	struct t_msg m = msg(FN_A, 0, 0, 0, 0);
	CHECK_ERR(t_srv_call(&m), ENOENT);
	CHECK_OK(t_fn_register(FN_A, pid, 0));
	CHECK_EQ(t_srv_call(&m), 0);
	/* a sync call to oneself would wait for ever */
	CHECK_OK(t_fn_register(FN_A + 10, 0, 0));
	m.fn = FN_A + 10;
	CHECK_ERR(t_srv_call(&m), EDEADLK);
	CHECK_OK(t_fn_register(FN_A + 10, 0, TFN_UNREGISTER));
	int child = fork();
	CHECK(child >= 0);
	if (child == 0) {
		if (tsys_setuid(1000))
			_exit(1);
		_exit(t_fn_register(FN_A + 11, 0, 0) == -EPERM ? 0 : 2);
	}
	int st;
	CHECK_EQ(waitpid(child, &st, 0), child);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	stop_echo(pid);
	CHECK_ERR(t_srv_call(&m), ENOENT);
}

/* Server-side calls in a process with nothing to serve, and bad pointers everywhere. */
static void t_bad_args(void)
{
	uintptr_t bad[UT_NBAD];
	struct t_msg m = msg(FN_A, 0, 0, 0, 0);
	uint64_t id;
	ut_bad_addrs(bad);
	CHECK_ERR(t_srv_recv(&m, TSRV_NONBLOCK), EAGAIN);
	CHECK_ERR(t_srv_recv(&m, 2), EINVAL);
	CHECK_ERR(t_srv_result(&m, 2), EINVAL);
	m.id = 12345;
	CHECK_ERR(t_srv_reply(&m), ENOENT);
	CHECK_ERR(t_srv_reply_recv(&m, 0), ENOENT);
	int pid = start_echo(0);
	m = msg(FN_A, 0, 0, 0, 0);          /* recv cleared it */
	for (int i = 0; i < UT_NBAD; i++) {
		CHECK_ERR(t_srv_call((struct t_msg *)bad[i]), EFAULT);
		CHECK_ERR(t_srv_send((struct t_msg *)bad[i], &id), EFAULT);
		CHECK_ERR(t_srv_send(&m, (uint64_t *)bad[i]), EFAULT);
		CHECK_ERR(t_srv_recv((struct t_msg *)bad[i], TSRV_NONBLOCK), EFAULT);
		CHECK_ERR(t_srv_result((struct t_msg *)bad[i], 0), EFAULT);
		CHECK_ERR(t_srv_reply((struct t_msg *)bad[i]), EFAULT);
		CHECK_ERR(t_ica_create(1, 0, (struct t_ica *)bad[i]), EFAULT);
		CHECK_ERR(t_srv_stat((struct t_fn_stat *)bad[i], 1, NULL), EFAULT);
	}
	stop_echo(pid);
}

/* A user other than root has a quarter of the pool; root still gets ICAs after it. */
static void t_ica_share(void)
{
	int child = fork();
	CHECK(child >= 0);
	if (child == 0) {
		struct t_ica t[64];
		int n = 0, err = 0;
		if (tsys_setuid(1000))
			_exit(1);
		while (n < 64 && !(err = t_ica_create(T_ICA_MAX_PAGES, 0, &t[n])))
			n++;
		/* a 256 MiB machine's pool is 16 MiB: one 4 MiB ICA; never all 64 */
		_exit(err == -ENOMEM && n >= 1 && n < 16 ? 0 : 2);
	}
	int st;
	CHECK_EQ(waitpid(child, &st, 0), child);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	struct t_ica t;
	CHECK_OK(t_ica_create(T_ICA_MAX_PAGES, 0, &t));
	CHECK_OK(t_res_delete(t.rid));
}

/* svc starts and stops a service of /etc/svc.conf: echotest, the echo server on ids 3003
 * and 3004 (echo itself, on the well-known ids, is left to the benchmarks and to users). */
static void t_svc_stop_start(void)
{
	static const char *const start[] = { "svc", "start", "echotest", NULL };
	static const char *const stop[] = { "svc", "stop", "echotest", NULL };
	static const char *const none[] = { "svc", "start", "no-such-service", NULL };
	static const char *const list[] = { "svc", NULL };
	struct t_msg m = msg(3004, 0, 0, 0, 0);
	CHECK_ERR(t_srv_call(&m), ENOENT);
	CHECK_EQ(ut_run("/bin/svc", start), 0);
	CHECK_EQ(t_srv_call(&m), 0);
	CHECK_EQ(m.arg[4], 3004);
	int pid = m.pid;
	struct t_fn_stat st;
	fn_stat(3003, &st);
	CHECK_EQ(st.pid, pid);
	CHECK(strcmp(st.name, "echotest") == 0);
	fn_stat(3004, &st);
	CHECK_EQ(st.calls, 1);
	CHECK_EQ(ut_run("/bin/svc", start), 0);        /* runs already: nothing to do */
	fn_stat(3003, &st);
	CHECK_EQ(st.pid, pid);
	CHECK_EQ(ut_run("/bin/svc", list), 0);
	CHECK_EQ(ut_run("/bin/svc", stop), 0);
	CHECK_ERR(t_srv_call(&m), ENOENT);              /* its ids went with it */
	CHECK_EQ(kill(pid, 0), -1);
	CHECK_EQ(ut_run("/bin/svc", stop), 0);         /* not running: nothing to do */
	CHECK(ut_run("/bin/svc", none) != 0);
}

const struct utest ut_srv_tests[] = {
	{ "srv_roundtrip_spaces", t_roundtrip_spaces },
	{ "srv_roundtrip_same_space", t_roundtrip_same_space },
	{ "srv_async", t_async },
	{ "srv_unknown_fn", t_unknown_fn },
	{ "srv_bad_icas", t_bad_icas },
	{ "srv_foreign_ica", t_foreign_ica },
	{ "srv_attach", t_attach },
	{ "srv_full_queue_and_death", t_full_queue_and_death },
	{ "srv_server_killed_sync", t_server_killed_sync },
	{ "srv_caller_killed", t_caller_killed },
	{ "srv_caller_gone_before_reply", t_caller_gone_before_reply },
	{ "srv_register", t_register },
	{ "srv_bad_args", t_bad_args },
	{ "srv_ica_share", t_ica_share },
	{ "srv_svc_stop_start", t_svc_stop_start },
	{ NULL, NULL },
};
