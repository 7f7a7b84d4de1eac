/*
 * Server-call benchmark (issue 12, docs/servers.md): round trips through a function id to
 * the echo server (/servers/echo), with the server in a space of its own and in the
 * caller's space (HVS), with no ICA (the null request) and with a data ICA of 4 KiB, 64 KiB
 * and 1 MiB of which the server reads one byte of every page before passing it back. The
 * cases are interleaved run by run (a run of each, then the next run of each), so a slow
 * stretch of the emulator hits all of them alike; the median of RUNS runs is reported, in
 * nanoseconds per round trip. tools/bench_report.py sets these next to the container round
 * trips (/bin/ipcbench) and the pipe round trips and pipe copies of /bin/bench on both
 * systems (table K).
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "abi/errno.h"
#include "bench/bench_util.h"
#include "libtessera.h"

#define RUNS 9
#define FN_OTHER 3010u         /* echo in a space of its own */
#define FN_SAME 3011u          /* echo in this process's space */

static const uint64_t sizes[] = { 0, 4096, 65536, 1048576 };
static const int rounds[] = { 2000, 1000, 400, 100 };
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

static int start_echo(rid_t space, uint32_t fn)
{
	const char *argv[] = { "/servers/echo", NULL };
	struct t_spawn req = { .path = argv[0], .argv = argv, .vspace = space, .prio = -1 };
	int pid = -1, err = t_proc_create(&req, &pid);
	if (!err)
		err = t_fn_register(fn, pid, 0);
	if (err) {
		printf("BENCH srv_error cannot start the echo server: %s\n", strerror(-err));
		return -1;
	}
	return pid;
}

/* Nanoseconds per round trip of n calls to fn with data ICA ica (0: none). */
static int64_t measure(uint32_t fn, rid_t ica, int n)
{
	int64_t t0 = now_ns();
	for (int i = 0; i < n; i++) {
		struct t_msg m;
		memset(&m, 0, sizeof(m));
		m.fn = fn;
		m.data = ica;
		if (t_srv_call(&m) != 0)
			return -1;
	}
	return (now_ns() - t0) / n;
}

static void report(const char *key, int64_t *v)
{
	int64_t med = median(v, RUNS);
	print_runs(key, v, RUNS, 1);
	printf("BENCH %s %lld\n", key, (long long)med);
}

static int run(rid_t icas[NSIZES])
{
	static int64_t ns[2][NSIZES][RUNS];
	const uint32_t fns[2] = { FN_OTHER, FN_SAME };
	for (int r = 0; r < RUNS; r++)
		for (size_t s = 0; s < NSIZES; s++)
			for (int w = 0; w < 2; w++)
				if ((ns[w][s][r] = measure(fns[w], icas[s], rounds[s])) < 0)
					return -1;
	for (size_t s = 0; s < NSIZES; s++) {
		char key[64];
		for (int w = 0; w < 2; w++) {
			if (s == 0)
				snprintf(key, sizeof(key), "srv_null_rt%s_ns", w ? "_same" : "");
			else
				snprintf(key, sizeof(key), "srv_ica_rt%s_ns_%llu", w ? "_same" : "",
					 (unsigned long long)sizes[s]);
			report(key, ns[w][s]);
		}
	}
	return 0;
}

int main(void)
{
	rid_t icas[NSIZES] = { 0 };
	int rc = 1, other = start_echo(0, FN_OTHER);
	int same = start_echo(t_proc_space(getpid()), FN_SAME);
	printf("BENCH srv_runs %d\n", RUNS);
	for (size_t s = 1; s < NSIZES; s++) {
		struct t_ica t;
		int err = t_ica_create(sizes[s] / 4096, 0, &t);
		if (err) {
			printf("BENCH srv_error no ICA of %llu bytes: %s\n",
			       (unsigned long long)sizes[s], strerror(-err));
			goto out;
		}
		icas[s] = t.rid;
	}
	if (other > 0 && same > 0)
		rc = run(icas) ? 1 : 0;
	if (rc)
		printf("BENCH srv_error a call failed\n");
out:
	for (size_t s = 1; s < NSIZES; s++)
		if (icas[s])
			t_res_delete(icas[s]);
	if (other > 0)
		kill(other, SIGKILL);
	if (same > 0)
		kill(same, SIGKILL);
	printf("BENCH srv_done\n");
	fflush(stdout);
	return rc;
}
