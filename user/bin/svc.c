/*
 * svc: starts, stops and lists the OS servers and driver processes of /etc/svc.conf
 * (docs/servers.md, "The service table"), as MINIX 3's service command does from its system
 * configuration. One line a service:
 *
 *   NAME PROGRAM [fn=ID,...] [dev=VENDOR:DEVICE,...] [prio=N] [boot=yes|no] [-- ARGS...]
 *
 * IDs are numbers or names of abi/fnids.def ("blk.read"). Starting a service spawns PROGRAM
 * (as whoever runs svc: init runs it as root) under the process name NAME at priority N (0
 * highest; default: svc's own), with ARGS and, in the environment, SVC_NAME, SVC_DEVICES
 * (the devices it may claim) and SVC_FNS (its ids, as numbers), then registers its function
 * ids for its pid. A service runs while one of its function ids is registered to a process of
 * its name (net and net-lossy share their ids); stopping it kills that process (its ids are
 * dropped as it exits). Replacing it starts PROGRAM (or another program) as its live
 * replacement (docs/replacement.md): the callers keep calling the same ids, the new server
 * takes over the old one's state, requests and devices.
 *
 *   svc                 list every service and every registered function id, with each
 *                       server's state version, replacements and the last one's duration
 *   svc start NAME      svc stop NAME      svc start-all (the boot=yes ones; init runs it)
 *   svc replace NAME [PROGRAM [ARGS...]]
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "libtessera.h"

#define CONF "/etc/svc.conf"
#define MAX_SVC 32
#define MAX_FN 32                 /* the ext2 server serves 18 */
#define MAX_ARGS 16
#define LINE_MAX_LEN 512

struct svc {
	char line[LINE_MAX_LEN];          /* the words below point into it */
	const char *name, *program, *devices;
	uint32_t fn[MAX_FN];
	int nfn;
	int boot;
	int prio;                         /* -1: svc's own */
	const char *args[MAX_ARGS + 2];   /* args[0] = program */
};

static struct svc table[MAX_SVC];
static int nsvc;

static const struct { const char *name; uint32_t fn; } fn_names[] = {
#define FNID(name, nr, str) { str, nr },
#include "abi/fnids.def"
#undef FNID
};

static const char *fn_name(uint32_t fn)
{
	for (size_t i = 0; i < sizeof(fn_names) / sizeof(fn_names[0]); i++)
		if (fn_names[i].fn == fn)
			return fn_names[i].name;
	return "";
}

static int parse_fn(const char *s, uint32_t *fn)
{
	char *end;
	for (size_t i = 0; i < sizeof(fn_names) / sizeof(fn_names[0]); i++) {
		if (strcmp(fn_names[i].name, s) == 0) {
			*fn = fn_names[i].fn;
			return 0;
		}
	}
	unsigned long v = strtoul(s, &end, 0);
	if (!*s || *end || v == 0 || v >= T_FN_MAX)
		return -1;
	*fn = (uint32_t)v;
	return 0;
}

/* fn=a,b,c (the list is cut up in place). */
static int parse_fns(struct svc *s, char *list)
{
	for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
		if (s->nfn == MAX_FN || parse_fn(tok, &s->fn[s->nfn]))
			return -1;
		s->nfn++;
	}
	return 0;
}

static int parse_option(struct svc *s, char *w)
{
	if (strncmp(w, "fn=", 3) == 0)
		return parse_fns(s, w + 3);
	if (strncmp(w, "dev=", 4) == 0) {
		s->devices = w + 4;
		return 0;
	}
	if (strncmp(w, "prio=", 5) == 0) {
		char *end;
		long v = strtol(w + 5, &end, 10);
		if (*end || end == w + 5 || v < 0 || v > 7)
			return -1;
		s->prio = (int)v;
		return 0;
	}
	if (strcmp(w, "boot=yes") == 0 || strcmp(w, "boot=no") == 0) {
		s->boot = w[5] == 'y';
		return 0;
	}
	return -1;
}

/* One line of the table into s (its words point into s->line): 1 a service, 0 a blank or
 * comment line, -1 malformed. */
static int parse_line(struct svc *s, const char *text)
{
	char *words[4 + MAX_FN + MAX_ARGS], *save;
	int n = 0, nargs = 0;
	memset(s, 0, sizeof(*s));
	snprintf(s->line, sizeof(s->line), "%s", text);
	s->line[strcspn(s->line, "#\n")] = 0;
	for (char *w = strtok_r(s->line, " \t", &save); w && n < (int)(sizeof(words) / sizeof(*words));
	     w = strtok_r(NULL, " \t", &save))
		words[n++] = w;
	if (n == 0)
		return 0;
	if (n < 2)
		return -1;
	s->name = words[0];
	s->program = s->args[0] = words[1];
	s->boot = 1;
	s->prio = -1;
	int i = 2;
	for (; i < n && strcmp(words[i], "--") != 0; i++)
		if (parse_option(s, words[i]))
			return -1;
	for (i++; i < n && nargs < MAX_ARGS; i++)
		s->args[1 + nargs++] = words[i];
	return 1;
}

static void load_table(void)
{
	char line[LINE_MAX_LEN];
	FILE *f = fopen(CONF, "r");
	int lineno = 0;
	if (!f)
		return;                          /* no table: nothing to start */
	while (nsvc < MAX_SVC && fgets(line, sizeof(line), f)) {
		lineno++;
		int r = parse_line(&table[nsvc], line);
		if (r < 0)
			fprintf(stderr, "svc: %s:%d: malformed line ignored\n", CONF, lineno);
		nsvc += r > 0;
	}
	fclose(f);
}

static struct svc *find(const char *name)
{
	for (int i = 0; i < nsvc; i++)
		if (strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}

/* The registered function ids (kernel's view): their count, or a negative errno. */
static int fn_stats(struct t_fn_stat *st, uint32_t cap)
{
	int n = t_srv_stat(st, cap, NULL);
	if (n < 0)
		fprintf(stderr, "svc: t_srv_stat: %s\n", strerror(-n));
	return n;
}

static const struct t_fn_stat *stat_of(const struct t_fn_stat *st, int n, uint32_t fn)
{
	for (int i = 0; i < n; i++)
		if (st[i].fn == fn)
			return &st[i];
	return NULL;
}

/* The id record of the process serving one of s's ids, NULL when none is registered. */
static const struct t_fn_stat *holder(const struct svc *s)
{
	static struct t_fn_stat st[T_FN_MAX];
	int n = fn_stats(st, T_FN_MAX);
	for (int k = 0; k < s->nfn; k++) {
		const struct t_fn_stat *f = stat_of(st, n, s->fn[k]);
		if (f)
			return f;
	}
	return NULL;
}

/* The pid running s, 0 when none. Two services may share ids (net and net-lossy are one
 * server started two ways), so the holder of the ids is s only under s's own name, which
 * svc and a replacement give it. */
static int running_pid(const struct svc *s)
{
	const struct t_fn_stat *f = holder(s);
	return f && strncmp(f->name, s->name, sizeof(f->name) - 1) == 0 ? f->pid : 0;
}

static void print_fn(const struct t_fn_stat *f, uint32_t fn)
{
	if (f)
		printf("%5u %-10s %6u %8u %8llu\n", fn, fn_name(fn), f->queued, f->inflight,
		       (unsigned long long)f->calls);
	else
		printf("%5u %-10s      -        -        -\n", fn, fn_name(fn));
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A duration in a few characters: 812us, 3.4ms, 1.2s. */
static void fmt_ns(char *buf, size_t n, uint64_t ns)
{
	if (ns < 1000000)
		snprintf(buf, n, "%lluus", (unsigned long long)(ns / 1000));
	else if (ns < 1000000000)
		snprintf(buf, n, "%.1fms", (double)ns / 1e6);
	else
		snprintf(buf, n, "%.1fs", (double)ns / 1e9);
}

/* VER REPL LAST AGO of a running service: its state version (- not replaceable), how often
 * it was replaced, how long the last replacement took and how long ago it ended. */
static void repl_columns(const struct svc *s, int running, char *out, size_t n)
{
	struct t_repl_stat rs;
	char ver[16] = "-", last[16] = "-", ago[24] = "-";
	if (!running || !s->nfn || t_repl_stat(s->fn[0], &rs)) {
		snprintf(out, n, "%3s %4s %7s %5s", "", "", "", "");
		return;
	}
	if (rs.version)
		snprintf(ver, sizeof(ver), "%u", rs.version);
	if (rs.replacements) {
		fmt_ns(last, sizeof(last), rs.last_ns);
		snprintf(ago, sizeof(ago), "%llus",
			 (unsigned long long)((now_ns() - rs.last_at_ns) / 1000000000ull));
	}
	snprintf(out, n, "%3s %4llu %7s %5s", ver, (unsigned long long)rs.replacements, last, ago);
}

static int list(void)
{
	static struct t_fn_stat st[T_FN_MAX];
	int n = fn_stats(st, T_FN_MAX);
	if (n < 0)
		return 1;
	printf("%-10s %6s %3s %4s %7s %5s %-19s %5s %-10s %6s %8s %8s\n", "SERVICE", "PID", "VER",
	       "REPL", "LAST", "AGO", "PROGRAM", "FN", "NAME", "QUEUED", "INFLIGHT", "CALLS");
	for (int i = 0; i < nsvc; i++) {
		const struct svc *s = &table[i];
		char pid[16], repl[64];
		int running = running_pid(s);
		snprintf(pid, sizeof(pid), running ? "%d" : "-", running);
		repl_columns(s, running, repl, sizeof(repl));
		for (int k = 0; k < s->nfn || k == 0; k++) {
			printf("%-10s %6s %22s %-19s ", k ? "" : s->name, k ? "" : pid,
			       k ? "" : repl, k ? "" : s->program);
			if (s->nfn)
				print_fn(stat_of(st, n, s->fn[k]), s->fn[k]);
			else
				printf("%5s\n", "-");
		}
	}
	for (int i = 0; i < n; i++) {                 /* registered outside the table */
		int known = 0;
		for (int j = 0; j < nsvc; j++)
			for (int k = 0; k < table[j].nfn; k++)
				known |= table[j].fn[k] == st[i].fn;
		if (!known) {
			printf("%-10s %6d %22s %-19s ", st[i].name, st[i].pid, "",
			       "(not in " CONF ")");
			print_fn(&st[i], st[i].fn);
		}
	}
	return 0;
}

/* quiet: say nothing when it goes well (init's start-all at every boot) */
static void nap(void)
{
	struct timespec ts = { 0, 10 * 1000000 };
	nanosleep(&ts, NULL);
}

/* A service with requests queued as soon as it has its ids (the kernel's NET_EVENTS for the
 * network server) is waited for until it takes them, at most 5 s: then it serves, and what
 * it prints while starting is out before svc (at boot: the shell's prompt) goes on. */
static void wait_serving(const struct svc *s)
{
	static struct t_fn_stat st[T_FN_MAX];
	for (int i = 0; i < 500 && s->nfn; i++) {
		int n = fn_stats(st, T_FN_MAX);
		const struct t_fn_stat *f = stat_of(st, n, s->fn[0]);
		if (!f || f->queued == 0)
			return;
		nap();
	}
}

/* What a service finds in its environment: SVC_NAME, SVC_DEVICES, SVC_FNS. */
struct svc_env {
	char name[64], dev[256], fns[MAX_FN * 12 + 16];
	const char *envp[4];
};

static void make_env(const struct svc *s, struct svc_env *e)
{
	size_t at;
	snprintf(e->name, sizeof(e->name), "SVC_NAME=%s", s->name);
	snprintf(e->dev, sizeof(e->dev), "SVC_DEVICES=%s", s->devices ? s->devices : "");
	at = (size_t)snprintf(e->fns, sizeof(e->fns), "SVC_FNS=");
	for (int k = 0; k < s->nfn && at < sizeof(e->fns); k++)
		at += (size_t)snprintf(e->fns + at, sizeof(e->fns) - at, "%s%u", k ? "," : "",
				       s->fn[k]);
	e->envp[0] = e->name;
	e->envp[1] = e->dev;
	e->envp[2] = e->fns;
	e->envp[3] = NULL;
}

static int start(const struct svc *s, int quiet)
{
	static struct svc_env env;
	int pid = running_pid(s), err;
	if (pid) {
		if (!quiet)
			printf("svc: %s runs already (pid %d)\n", s->name, pid);
		return 0;
	}
	const struct t_fn_stat *f = holder(s);
	if (f) {
		fprintf(stderr, "svc: %s's function ids are served by pid %d (%s): stop it first\n",
			s->name, f->pid, f->name);
		return 1;
	}
	make_env(s, &env);
	struct t_spawn req = { .path = s->program, .argv = s->args, .envp = env.envp,
			       .name = s->name, .prio = s->prio };
	err = t_proc_create(&req, &pid);
	if (err) {
		fprintf(stderr, "svc: cannot start %s: %s\n", s->program, strerror(-err));
		return 1;
	}
	for (int k = 0; k < s->nfn; k++) {
		if ((err = t_fn_register(s->fn[k], pid, 0))) {
			fprintf(stderr, "svc: %s: function id %u: %s\n", s->name, s->fn[k],
				strerror(-err));
			kill(pid, SIGKILL);
			return 1;
		}
	}
	wait_serving(s);
	if (!quiet)
		printf("svc: started %s (pid %d)\n", s->name, pid);
	return 0;
}

/* Kill the process serving s and wait until its ids are gone (10 s at most). */
static int stop(const struct svc *s)
{
	int pid = running_pid(s);
	if (!pid) {
		printf("svc: %s is not running\n", s->name);
		return 0;
	}
	kill(pid, SIGKILL);
	for (int i = 0; i < 1000; i++) {
		if (running_pid(s) != pid) {
			printf("svc: stopped %s (pid %d)\n", s->name, pid);
			return 0;
		}
		nap();
	}
	fprintf(stderr, "svc: %s (pid %d) does not stop\n", s->name, pid);
	return 1;
}

static const char *const steps[TREPL_NSTEPS] = { "created", "notified", "handed over",
						   "taken", "ready", "done" };

static const char *why(int err)
{
	switch (-err) {
	case ECHILD: return "the new server exited during its start";
	case ECANCELED: return "the new server failed its initialisation";
	case EPROTO: return "the new server rejected the state";
	case ETIMEDOUT: return "not done before the deadline";
	case ENOPROTOOPT: return "the program does not provide the service's function ids";
	case EADDRINUSE: return "the program provides an id another server holds";
	case EOPNOTSUPP: return "the service is not replaceable";
	default: return strerror(-err);
	}
}

static void print_steps(const struct t_repl_result *r)
{
	uint64_t prev = 0;
	for (uint32_t i = 0; i < r->steps && i < TREPL_NSTEPS; i++) {
		printf("%s %s +%lluus", i ? "," : "  steps:", steps[i],
		       (unsigned long long)((r->at_ns[i] - prev) / 1000));
		prev = r->at_ns[i];
	}
	printf("\n");
}

/* svc replace NAME [PROGRAM [ARGS...]]: the table's program and arguments by default. As
 * the paper's model has it, the requester runs above drivers and servers (priority 1). */
static int replace(const struct svc *s, int argc, char **argv)
{
	static struct svc_env env;
	const char *const *args = s->args;
	if (!running_pid(s) || !s->nfn) {
		fprintf(stderr, "svc: %s is not running\n", s->name);
		return 1;
	}
	if (argc > 0)
		args = (const char *const *)argv;
	make_env(s, &env);
	t_set_prio(0, 1);
	struct t_repl_req req = { .fn = s->fn[0], .path = args[0], .argv = args,
				  .envp = env.envp };
	struct t_repl_result r;
	int err = t_repl_request(&req, &r);
	if (err) {
		fprintf(stderr, "svc: cannot replace %s: %s\n", s->name, why(err));
		if (r.steps)
			print_steps(&r);
		return 1;
	}
	printf("svc: replaced %s (pid %d -> %d, state version %u -> %u) in %lluus\n", s->name,
	       r.old_pid, r.new_pid, r.old_version, r.new_version,
	       (unsigned long long)(r.total_ns / 1000));
	print_steps(&r);
	printf("  moved: %u ids, %u queued, %u taken, %u results, %u async, %u claims, "
	       "%u pieces of state\n", r.moved_fns, r.moved_queued, r.moved_taken, r.moved_results,
	       r.moved_async, r.moved_claims, r.state_items);
	if (r.added_fns)
		printf("  added: %u ids the old server did not provide\n", r.added_fns);
	return 0;
}

int main(int argc, char **argv)
{
	load_table();
	if (argc == 1)
		return list();
	if (argc >= 3 && strcmp(argv[1], "replace") == 0) {
		const struct svc *s = find(argv[2]);
		if (!s) {
			fprintf(stderr, "svc: no service %s in %s\n", argv[2], CONF);
			return 1;
		}
		return replace(s, argc - 3, argv + 3);
	}
	if (argc == 2 && strcmp(argv[1], "start-all") == 0) {
		int failed = 0;
		for (int i = 0; i < nsvc; i++)
			if (table[i].boot)
				failed |= start(&table[i], 1);
		return failed;
	}
	if (argc == 3 && (strcmp(argv[1], "start") == 0 || strcmp(argv[1], "stop") == 0)) {
		const struct svc *s = find(argv[2]);
		if (!s) {
			fprintf(stderr, "svc: no service %s in %s\n", argv[2], CONF);
			return 1;
		}
		return argv[1][2] == 'a' ? start(s, 0) : stop(s);
	}
	fprintf(stderr, "usage: svc | svc start NAME | svc stop NAME | svc start-all | "
			"svc replace NAME [PROGRAM [ARGS...]]\n");
	return 2;
}
