/*
 * Live server replacement benchmark (issue 15, docs/replacement.md; tables P-R of
 * tools/bench_report.py): the AnT paper's evaluation (seed 003, section 4) on Tessera.
 *
 *  - base: the model server replaced with nobody calling it (the paper's base replacement
 *    time, 7.4 ms on its Core i7), with the time of each step;
 *  - the model of figure 6 (bench/repl_model.h): n AP processes (priority 4) each send
 *    synchronous requests (AP work: a 10 ms wait before each) to the server (3), which calls
 *    the driver (2) asynchronously (5 ms CPU work and a 15 ms wait per request); request and
 *    result work as the paper's settings. Each setting and AP count runs once without
 *    replacement (t0: the mean response time) and once with replacements at random intervals
 *    in [t0, 2 t0] made by this process at priority 1. Replacement times and response times
 *    of both runs are printed for the report's tables;
 *  - under load: the server and the driver replaced 1000 times (alternately) while four APs
 *    call without pause; every answer is checked, and the server's count of requests served,
 *    carried in its state across all replacements, must equal the calls made;
 *  - the network server (servers/net), if it runs: replaced NNET times idle, and NNET times
 *    while a child moves data both ways over NNETCONN loopback TCP connections (Linux
 *    sockets, every byte checked), with the time of each step.
 *
 *   repl_bench            the reduced run of `make bench` (setting A only, n = 1, 4, 7,
 *                         30 requests per AP, at most 15 replacements per run)
 *   repl_bench -full      the paper's: settings R10 R15 R20 (request work, result work 1 ms)
 *                         and S10 S15 S20 (result work, request work 1 ms), n = 1..7,
 *                         100 requests per AP, 50 replacements (`make bench-replace`)
 *   repl_bench -S/-D ...  the model's server and driver (repl_model.c)
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "abi/netproto.h"
#include "bench/bench_util.h"
#include "bench/repl_model.h"
#include "libtessera.h"

#define MAX_AP 7
#define MAX_REQ 100
#define MAX_REPL 1000
#define NBASE 60
#define NNET 30
#define NNETCONN 8
#define PATH "/bin/repl_bench"

struct setting {
	const char *name;
	uint64_t req_ms, res_ms;
};

static uint64_t loops;
static char loops_s[24];
static uint64_t rng = 12345;

static uint64_t next_rand(void)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return rng >> 33;
}

static void wait_ns(int64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000), (long)(ns % 1000000000) };
	while (nanosleep(&ts, &ts) != 0)
		;
}

static int start_role(const char *const *argv, uint32_t fn, int prio)
{
	struct t_spawn req = { .path = PATH, .argv = argv, .prio = prio };
	int pid = -1, err = t_proc_create(&req, &pid);
	if (!err)
		err = t_fn_register(fn, pid, 0);
	if (err)
		printf("BENCH repl_error cannot start %s: %d\n", argv[1], err);
	return err ? -1 : pid;
}

/* The server's program with a setting's work (also what replaces it). */
static void server_argv(const struct setting *s, char bufs[2][24], const char *argv[6])
{
	snprintf(bufs[0], 24, "%llu", (unsigned long long)s->req_ms);
	snprintf(bufs[1], 24, "%llu", (unsigned long long)s->res_ms);
	argv[0] = PATH;
	argv[1] = "-S";
	argv[2] = loops_s;
	argv[3] = bufs[0];
	argv[4] = bufs[1];
	argv[5] = NULL;
}

static int replace(uint32_t fn, const char *const *argv, struct t_repl_result *res)
{
	struct t_repl_req req = { .fn = fn, .path = PATH, .argv = argv, .deadline_ms = 30000 };
	int err = t_repl_request(&req, res);
	if (err)
		printf("BENCH repl_error replacement of %u: %d (steps %u)\n", fn, err, res->steps);
	return err;
}

/* The old server of a replacement is this process's child (the new one is too): reaped. */
static void reap(const struct t_repl_result *r)
{
	waitpid(r->old_pid, NULL, 0);
}

/* min/median/mean/max of v[0..n-1] (ns) as BENCH key_{min,med,mean,max}_us and key_runs. */
static void stats(const char *key, int64_t *v, int n)
{
	if (n <= 0)
		return;
	int64_t sum = 0;
	qsort(v, (size_t)n, sizeof(v[0]), cmp64);
	for (int i = 0; i < n; i++)
		sum += v[i];
	printf("BENCH %s_min_us %.1f\nBENCH %s_med_us %.1f\nBENCH %s_mean_us %.1f\n"
	       "BENCH %s_max_us %.1f\nBENCH %s_p95_us %.1f\nBENCH %s_n %d\n", key, v[0] / 1e3, key,
	       v[n / 2] / 1e3, key, (double)sum / n / 1e3, key, v[n - 1] / 1e3, key,
	       v[(n * 95) / 100 < n ? (n * 95) / 100 : n - 1] / 1e3, key, n);
}

/* The paper's base replacement time: nobody calls the server. */
static void base(const char *const *srv)
{
	static int64_t tot[NBASE], step[TREPL_NSTEPS][NBASE];
	struct t_repl_result r;
	for (int i = 0; i < NBASE; i++) {
		if (replace(MODEL_FN_SRV, srv, &r))
			return;
		reap(&r);
		tot[i] = (int64_t)r.total_ns;
		for (int s = 0; s < TREPL_NSTEPS; s++)
			step[s][i] = (int64_t)(r.at_ns[s] - (s ? r.at_ns[s - 1] : 0));
		wait_ns(5000000);
	}
	print_runs("repl_base_med_us", (qsort(tot, NBASE, sizeof(tot[0]), cmp64), tot), NBASE, 1000);
	stats("repl_base", tot, NBASE);
	for (int s = 0; s < TREPL_NSTEPS; s++) {
		char key[32];
		snprintf(key, sizeof(key), "repl_base_step%d", s);
		printf("BENCH %s_med_us %.1f\n", key, median(step[s], NBASE) / 1e3);
	}
}

/* One AP: nreq times a 10 ms wait, then a request; its response times into fd. */
static _Noreturn void ap_main(int ap, int nreq, int fd)
{
	static int64_t resp[MAX_REQ];
	t_set_prio(0, 4);
	for (int i = 0; i < nreq; i++) {
		wait_ns(10000000);                      /* AP work */
		struct t_msg m = { .fn = MODEL_FN_SRV };
		m.arg[0] = (uint64_t)i;
		m.arg[1] = (uint64_t)ap;
		int64_t t0 = now_ns();
		int st = t_srv_call(&m);
		resp[i] = now_ns() - t0;
		if (st || m.arg[2] != model_answer((uint64_t)i, (uint64_t)ap))
			resp[i] = -1;                   /* lost or wrong: reported */
	}
	ssize_t w = write(fd, resp, sizeof(resp[0]) * (size_t)nreq);
	_exit(w == (ssize_t)(sizeof(resp[0]) * (size_t)nreq) ? 0 : 1);
}

struct run {
	int64_t resp[MAX_AP * MAX_REQ];
	int nresp, bad;
	int64_t repl[MAX_REPL];
	int64_t step[TREPL_NSTEPS][MAX_REPL];   /* each step's share of each replacement */
	int nrepl;
};

/* Whether an AP of pids[0..n-1] still runs (the finished ones are reaped, pid set to 0). */
static int running(int *pids, int n)
{
	int left = 0;
	for (int k = 0; k < n; k++) {
		if (pids[k] && waitpid(pids[k], NULL, WNOHANG) == pids[k])
			pids[k] = 0;
		left += pids[k] != 0;
	}
	return left;
}

/* Replacements at random intervals in [t0, 2 t0] while the APs run (at most max). */
static void replace_while(int *pids, int n, const char *const *srv, int64_t t0, int max,
			  struct run *out)
{
	struct t_repl_result r;
	while (out->nrepl < max) {
		wait_ns(t0 + (int64_t)(next_rand() % (uint64_t)(t0 + 1)));
		if (!running(pids, n))
			break;
		if (replace(MODEL_FN_SRV, srv, &r))
			return;
		reap(&r);
		for (int st = 0; st < TREPL_NSTEPS; st++)
			out->step[st][out->nrepl] = (int64_t)(r.at_ns[st] - (st ? r.at_ns[st - 1] : 0));
		out->repl[out->nrepl++] = (int64_t)r.total_ns;
	}
}

static void run_model(int n, int nreq, const char *const *srv, int64_t t0, int max_repl,
		      struct run *out)
{
	int fds[MAX_AP][2], pids[MAX_AP];
	memset(out, 0, sizeof(*out));
	for (int k = 0; k < n; k++) {
		if (pipe(fds[k]))
			return;
		if ((pids[k] = fork()) == 0)
			ap_main(k, nreq, fds[k][1]);
		close(fds[k][1]);
	}
	if (max_repl)
		replace_while(pids, n, srv, t0, max_repl, out);
	for (int k = 0; k < n; k++) {
		ssize_t got = read(fds[k][0], out->resp + out->nresp, sizeof(int64_t) * (size_t)nreq);
		close(fds[k][0]);
		for (int i = 0; got > 0 && i < (int)(got / 8); i++)
			out->bad += out->resp[out->nresp + i] < 0;
		out->nresp += got > 0 ? (int)(got / 8) : 0;
		if (pids[k])
			waitpid(pids[k], NULL, 0);
	}
}

static int64_t mean_of(const int64_t *v, int n)
{
	int64_t s = 0;
	for (int i = 0; i < n; i++)
		s += v[i];
	return n ? s / n : 0;
}

static void one_setting(const struct setting *s, const int *ns, int nn, int nreq, int nrepl)
{
	static struct run without, with;
	char bufs[2][24], key[64];
	const char *srv[6];
	struct t_repl_result r;
	server_argv(s, bufs, srv);
	if (replace(MODEL_FN_SRV, srv, &r))           /* the setting's server */
		return;
	reap(&r);
	for (int i = 0; i < nn; i++) {
		run_model(ns[i], nreq, srv, 0, 0, &without);
		int64_t t0 = mean_of(without.resp, without.nresp);
		run_model(ns[i], nreq, srv, t0, nrepl, &with);
		snprintf(key, sizeof(key), "repl_%s_n%d_norepl_resp", s->name, ns[i]);
		stats(key, without.resp, without.nresp);
		snprintf(key, sizeof(key), "repl_%s_n%d_repl_resp", s->name, ns[i]);
		stats(key, with.resp, with.nresp);
		snprintf(key, sizeof(key), "repl_%s_n%d_time", s->name, ns[i]);
		stats(key, with.repl, with.nrepl);
		for (int st = 0; st < TREPL_NSTEPS && with.nrepl; st++) {
			qsort(with.step[st], (size_t)with.nrepl, sizeof(int64_t), cmp64);
			printf("BENCH repl_%s_n%d_step%d_med_us %.1f\nBENCH repl_%s_n%d_step%d_max_us "
			       "%.1f\n", s->name, ns[i], st, with.step[st][with.nrepl / 2] / 1e3, s->name,
			       ns[i], st, with.step[st][with.nrepl - 1] / 1e3);
		}
		int expect = ns[i] * nreq;
		printf("BENCH repl_%s_n%d_lost %d\n", s->name, ns[i], without.bad + with.bad +
		       (expect - without.nresp) + (expect - with.nresp));
		fflush(stdout);
	}
}

/* ---- 1000 replacements under load ------------------------------------------------------------ */

/* An AP calling without pause until stop_fd reaches its end; its calls and bad answers to
 * out_fd. */
static _Noreturn void load_ap(int ap, int stop_fd, int out_fd)
{
	int64_t counts[2] = { 0, 0 };
	char c;
	t_set_prio(0, 4);
	while (read(stop_fd, &c, 1) != 0) {
		struct t_msg m = { .fn = MODEL_FN_SRV };
		m.arg[0] = (uint64_t)counts[0];
		m.arg[1] = (uint64_t)ap;
		int st = t_srv_call(&m);
		counts[1] += st || m.arg[2] != model_answer((uint64_t)counts[0], (uint64_t)ap);
		counts[0]++;
	}
	_exit(write(out_fd, counts, sizeof(counts)) == sizeof(counts) ? 0 : 1);
}

/* The server's own count of AP requests answered, carried in its state. */
static int server_count(uint64_t *served, uint64_t *bad)
{
	struct t_msg m = { .fn = MODEL_FN_SRV };
	m.arg[1] = MODEL_STAT_AP;
	int err = t_srv_call(&m);
	*served = m.arg[3];
	*bad = m.arg[5];
	return err;
}

static void load(int nrepl)
{
	static int64_t times[MAX_REPL];
	static const char *const srv[] = { PATH, "-S", loops_s, "0", "0", NULL };
	static const char *const drv[] = { PATH, "-D", loops_s, "0", "0", NULL };
	int stop[2], out[4][2], pids[4];
	uint64_t served0, served1, bad;
	struct t_repl_result r;
	if (replace(MODEL_FN_SRV, srv, &r))
		return;
	reap(&r);
	if (replace(MODEL_FN_DRV, drv, &r))
		return;
	reap(&r);
	if (server_count(&served0, &bad) || pipe(stop) || fcntl(stop[0], F_SETFL, O_NONBLOCK))
		return;
	for (int k = 0; k < 4; k++) {
		if (pipe(out[k]))
			return;
		if ((pids[k] = fork()) == 0) {
			close(stop[1]);
			load_ap(k, stop[0], out[k][1]);
		}
		close(out[k][1]);
	}
	close(stop[0]);
	int n = 0;
	for (; n < nrepl; n++) {
		wait_ns((int64_t)(next_rand() % 2000000));
		if (replace(n % 2 ? MODEL_FN_DRV : MODEL_FN_SRV, n % 2 ? drv : srv, &r))
			break;
		reap(&r);
		times[n] = (int64_t)r.total_ns;
	}
	close(stop[1]);
	int64_t calls = 0, wrong = 0, c[2];
	for (int k = 0; k < 4; k++) {
		if (read(out[k][0], c, sizeof(c)) == sizeof(c)) {
			calls += c[0];
			wrong += c[1];
		}
		waitpid(pids[k], NULL, 0);
	}
	server_count(&served1, &bad);
	printf("BENCH repl_load_replacements %d\nBENCH repl_load_calls %lld\n"
	       "BENCH repl_load_served %llu\nBENCH repl_load_wrong %lld\nBENCH repl_load_bad %llu\n",
	       n, (long long)calls, (unsigned long long)(served1 - served0), (long long)wrong,
	       (unsigned long long)bad);
	stats("repl_load_time", times, n);
}

/* NNETCONN loopback connections, each end sending a byte pattern and checking what comes,
 * until stop_fd's other end closes; exits 1 at the first wrong byte or error. */
static _Noreturn void net_pump(int stop_fd)
{
	int l = socket(AF_INET, SOCK_STREAM, 0), fd[2 * NNETCONN];
	uint64_t sent[2 * NNETCONN] = { 0 }, got[2 * NNETCONN] = { 0 };
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001) };
	socklen_t len = sizeof(a);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, NNETCONN) ||
	    getsockname(l, (struct sockaddr *)&a, &len))
		_exit(1);
	for (int i = 0; i < NNETCONN; i++) {
		fd[2 * i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		connect(fd[2 * i], (struct sockaddr *)&a, sizeof(a));
		if ((fd[2 * i + 1] = accept4(l, NULL, NULL, SOCK_NONBLOCK)) < 0)
			_exit(1);
	}
	static uint8_t buf[4096];
	for (;;) {
		char c;
		struct pollfd p = { stop_fd, POLLIN, 0 };
		if (poll(&p, 1, 0) > 0 && read(stop_fd, &c, 1) <= 0)
			_exit(0);
		for (int i = 0; i < 2 * NNETCONN; i++) {
			for (size_t k = 0; k < sizeof(buf); k++)
				buf[k] = (uint8_t)((sent[i] + k) * 131 + (uint64_t)i);
			ssize_t n = send(fd[i], buf, sizeof(buf), MSG_DONTWAIT);
			sent[i] += n > 0 ? (uint64_t)n : 0;
			int peer = i ^ 1;
			n = recv(fd[i], buf, sizeof(buf), MSG_DONTWAIT);
			if (n == 0 || (n < 0 && errno != EAGAIN))
				_exit(1);
			for (ssize_t k = 0; k < n; k++)
				if (buf[k] != (uint8_t)((got[i] + (uint64_t)k) * 131 + (uint64_t)peer))
					_exit(1);
			got[i] += n > 0 ? (uint64_t)n : 0;
		}
	}
}

/* The network server replaced NNET times (as repl_net_KEY), 20 ms apart. */
static void net_runs(const char *key)
{
	static int64_t tot[NNET], step[TREPL_NSTEPS][NNET];
	static const char *const argv[] = { "/servers/net", NULL };
	struct t_repl_req req = { .fn = TFN_NET_SOCKET, .path = argv[0], .argv = argv,
				  .deadline_ms = 30000 };
	char k[48];
	for (int i = 0; i < NNET; i++) {
		struct t_repl_result r;
		wait_ns(20000000);
		int err = t_repl_request(&req, &r);
		if (err) {
			printf("BENCH repl_error replacement of the network server: %d\n", err);
			return;
		}
		tot[i] = (int64_t)r.total_ns;
		for (int s = 0; s < TREPL_NSTEPS; s++)
			step[s][i] = (int64_t)(r.at_ns[s] - (s ? r.at_ns[s - 1] : 0));
	}
	snprintf(k, sizeof(k), "repl_net_%s", key);
	stats(k, tot, NNET);
	for (int s = 0; s < TREPL_NSTEPS; s++) {
		snprintf(k, sizeof(k), "repl_net_%s_step%d_med_us", key, s);
		printf("BENCH %s %.1f\n", k, median(step[s], NNET) / 1e3);
	}
}

/* The network server, if it runs and is replaceable: idle, then with connections moving data. */
static void net_server(void)
{
	struct t_repl_stat rs;
	int fds[2];
	if (t_repl_stat(TFN_NET_SOCKET, &rs) || !rs.version || pipe(fds))
		return;
	net_runs("idle");
	int pid = fork();
	if (pid == 0) {
		close(fds[1]);
		net_pump(fds[0]);
	}
	close(fds[0]);
	wait_ns(200000000);                        /* the connections up and busy */
	net_runs("busy");
	close(fds[1]);
	int st = 0;
	waitpid(pid, &st, 0);
	printf("BENCH repl_net_busy_pump_ok %d\n", WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

int main(int argc, char **argv)
{
	static const struct setting reduced[] = { { "A", 10, 1 } }, full[] = {
		{ "R10", 10, 1 }, { "R15", 15, 1 }, { "R20", 20, 1 },
		{ "S10", 1, 10 }, { "S15", 1, 15 }, { "S20", 1, 20 } };
	static const int ns_reduced[] = { 1, 4, 7 }, ns_full[] = { 1, 2, 3, 4, 5, 6, 7 };
	if (argc > 1 && strcmp(argv[1], "-S") == 0)
		return model_server_main(argc, argv);
	if (argc > 1 && strcmp(argv[1], "-D") == 0)
		return model_driver_main(argc, argv);
	int is_full = argc > 1 && strcmp(argv[1], "-full") == 0;
	setvbuf(stdout, NULL, _IOLBF, 0);
	loops = model_calibrate();
	snprintf(loops_s, sizeof(loops_s), "%llu", (unsigned long long)loops);
	printf("BENCH repl_loops_per_check %llu\nBENCH repl_full %d\n", (unsigned long long)loops,
	       is_full);
	char bufs[2][24];
	const char *srv[6];
	static const char *const drv[] = { PATH, "-D", loops_s, "5", "15", NULL };
	server_argv(&reduced[0], bufs, srv);
	int dpid = start_role(drv, MODEL_FN_DRV, 2), spid = start_role(srv, MODEL_FN_SRV, 3);
	if (dpid < 0 || spid < 0)
		return 1;
	t_set_prio(0, 1);                          /* requester > driver > server > AP */
	base(srv);
	const struct setting *set = is_full ? full : reduced;
	int nset = is_full ? 6 : 1;
	for (int i = 0; i < nset; i++)
		one_setting(&set[i], is_full ? ns_full : ns_reduced, is_full ? 7 : 3,
			    is_full ? 100 : 30, is_full ? 50 : 15);
	load(1000);
	net_server();
	struct t_repl_stat rs;
	if (!t_repl_stat(MODEL_FN_SRV, &rs))
		kill(rs.pid, SIGKILL);
	if (!t_repl_stat(MODEL_FN_DRV, &rs))
		kill(rs.pid, SIGKILL);
	printf("BENCH repl_done 1\n");
	return 0;
}
