/*
 * fuzz: the parent of a system-call run. It keeps cfg->workers workers busy, each with the
 * next program, until the call budget or the time is spent; a worker whose call log stops
 * moving is killed (SIGKILL) and replaced; one that does not end after that is a hang (a
 * kernel defect: no process may be unkillable), reported with its last calls. Processes the
 * workers started and left running are killed after they have lived a while. At the end,
 * the leak check (leak.c).
 *
 * Console lines (read by tools/fuzz_run.py): "FZ+ P W PID" when program P starts in slot W,
 * "FUZZ HANG ...", "FUZZ LEAK ...", "FUZZ END ...", then "FUZZ RESULT pass|fail".
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "fuzz.h"
#include "libtessera.h"
#include "tsys.h"

#define STALL_MS 1500        /* a worker whose log has not moved for this long is killed */
#define KILL_GRACE_MS 3000   /* then its descendants too (a vfork child holds it) */
#define HANG_MS 10000        /* still there after this long: unkillable, a hang */
#define SWEEP_MS 2000
#define STUCK_MS 30000     /* no worker could be started for this long: a table is full */

struct worker {
	int pid;
	uint64_t prog;
	uint32_t beat;
	int64_t beat_ms, kill_ms;
};

struct run {
	const struct fz_cfg *cfg;
	struct fz_protect prot;
	struct fz_shared *sh;
	rid_t region;
	struct worker w[FZ_MAXW];
	uint64_t next_prog, calls, progs, killed, crashed, setup_failed;
	int64_t end_ms, sweep_ms, fork_warn_ms, fork_fail_ms;
	int stop, failed, sweeps;
};

static void print_last_calls(const struct fz_slot *s)
{
	uint32_t n = s->ncalls;
	uint32_t first = n > FZ_LOGN ? n - FZ_LOGN : 0;
	char buf[200];
	for (uint32_t i = first; i < n; i++) {
		const struct fz_rec *r = &s->rec[i % FZ_LOGN];
		fz_format_call(buf, sizeof(buf), r->nr, r->a);
		if (r->done)
			printf("FUZZ CALL %u %s = %ld\n", r->idx, buf, (long)r->ret);
		else
			printf("FUZZ CALL %u %s (not returned)\n", r->idx, buf);
	}
}

static void replay_hint(const struct run *r, uint64_t prog)
{
	printf("FUZZ REPLAY fuzz -s %llu -u %d -m %c -p %llu -v%s\n",
	       (unsigned long long)r->cfg->seed, r->cfg->uid, r->cfg->smode ? 's' : 'u',
	       (unsigned long long)prog, r->cfg->xlist);
}

static int more_programs(const struct run *r)
{
	const struct fz_cfg *c = r->cfg;
	if (r->stop)
		return 0;
	if (c->only_prog >= 0)
		return r->next_prog == 0;
	if (c->ncalls)
		return (r->next_prog - c->first_prog) * FZ_PROG_LEN < c->ncalls;
	return fz_now_ms() < r->end_ms;
}

/* A fork that fails for long shows that something filled a kernel table: say what. */
static void fork_failed(struct run *r, int err)
{
	int64_t now = fz_now_ms();
	if (!r->fork_fail_ms)
		r->fork_fail_ms = now;
	if (now - r->fork_fail_ms > STUCK_MS && !r->stop) {
		printf("FUZZ STUCK: no worker could be started for %d s (fork: %d)\n",
		       STUCK_MS / 1000, err);
		r->failed = r->stop = 1;
	}
	if (now - r->fork_warn_ms < 5000)
		return;
	/* Spaces, regions and boxes made with t_vm_create, t_region_create and t_cbox_create
	 * stay until deleted, by design; with no per-user limits yet (issue 10) the workers
	 * fill the tables with them. Once fork fails, delete what the run created and go on;
	 * a table that stays full (FUZZ STUCK) is then a leak. */
	fz_delete_created(&r->prot);
	struct t_kstat k;
	t_kstat(&k);
	printf("FUZZ WARNING: cannot fork a worker: %d; free pages %llu, resources:", err,
	       (unsigned long long)k.pages_free);
	for (uint32_t t = 1; t < RT_NTYPES; t++)
		printf(" %s %u", t_type_name(t), k.res_count[t]);
	printf("\n");
	r->fork_warn_ms = now;
}

static void start_worker(struct run *r, int i)
{
	uint64_t prog = r->cfg->only_prog >= 0 ? (uint64_t)r->cfg->only_prog : r->next_prog;
	struct fz_slot *s = &r->sh->w[i];
	s->prog = prog, s->ncalls = 0, s->pid = 0, s->att = 0;
	fflush(stdout);
	int pid = (int)tsys_fork();
	if (pid == 0)
		fz_worker(r->cfg, &r->prot, r->sh, i, prog, r->region);
	if (pid < 0) {                  /* no room now (the workers' children): try again later */
		fork_failed(r, pid);
		return;
	}
	r->next_prog++;
	r->fork_fail_ms = 0;
	s->pid = pid;
	r->w[i] = (struct worker){ .pid = pid, .prog = prog, .beat_ms = fz_now_ms() };
	printf("FZ+ %llu %d %d\n", (unsigned long long)prog, i, pid);
}

static void ended(struct run *r, int i, int status)
{
	struct fz_slot *s = &r->sh->w[i];
	r->calls += s->ncalls < FZ_PROG_LEN ? s->ncalls : FZ_PROG_LEN;
	r->progs++;
	if (WIFSIGNALED(status) && !r->w[i].kill_ms)
		r->crashed++;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 3 && s->ncalls == 0)
		r->setup_failed++;
	/* a region attached to a process's own space keeps that space after the process is
	 * gone (a defect the fuzzer found, docs/fuzzing.md): detach the log, or every worker
	 * would leave its space behind */
	if (s->att)
		t_res_delete(s->att);
	s->att = 0;
	r->w[i].pid = 0;
	s->pid = 0;
}

static void reap(struct run *r)
{
	int status, pid;
	while ((pid = t_proc_wait(-1, &status, TW_NOHANG)) > 0)
		for (int i = 0; i < r->cfg->workers; i++)
			if (r->w[i].pid == pid)
				ended(r, i, status);
}

static int worker_pids(const struct run *r, int *pids)
{
	int n = 0;
	for (int i = 0; i < r->cfg->workers; i++)
		if (r->w[i].pid)
			pids[n++] = r->w[i].pid;
	return n;
}

static void report_hang(struct run *r, int i)
{
	struct fz_slot *s = &r->sh->w[i];
	printf("FUZZ HANG seed %llu program %llu: worker pid %d did not end %d s after SIGKILL;"
	       " its last calls:\n", (unsigned long long)r->cfg->seed,
	       (unsigned long long)r->w[i].prog, r->w[i].pid, HANG_MS / 1000);
	print_last_calls(s);
	replay_hint(r, r->w[i].prog);
	r->failed = 1;
	r->stop = 1;
}

/* A worker whose log has not moved: SIGKILL; then its descendants; then it is a hang. */
static void watch(struct run *r, int i, int64_t now)
{
	struct worker *w = &r->w[i];
	uint32_t beat = r->sh->w[i].ncalls;
	if (beat != w->beat) {
		w->beat = beat, w->beat_ms = now;
		return;
	}
	if (!w->kill_ms && now - w->beat_ms > STALL_MS) {
		tsys_kill(w->pid, SIGKILL);
		w->kill_ms = now;
		r->killed++;
	} else if (w->kill_ms && now - w->kill_ms > KILL_GRACE_MS &&
		   now - w->kill_ms < HANG_MS) {
		int keep[FZ_MAXW];
		fz_kill_strays(&r->prot, keep, worker_pids(r, keep), 0);
	} else if (w->kill_ms && now - w->kill_ms >= HANG_MS) {
		report_hang(r, i);
		w->pid = 0;            /* given up: the run ends and reports it */
	}
}

/* One round of the parent's loop; returns how many workers are running. */
static int tick(struct run *r)
{
	int64_t now = fz_now_ms();
	int busy = 0;
	reap(r);
	for (int i = 0; i < r->cfg->workers; i++) {
		if (!r->w[i].pid && more_programs(r))
			start_worker(r, i);
		if (r->w[i].pid) {
			watch(r, i, now);
			busy++;
		}
	}
	if (now - r->sweep_ms > SWEEP_MS) {
		int keep[FZ_MAXW];
		int strays = fz_kill_strays(&r->prot, keep, worker_pids(r, keep), 1);
		r->sweep_ms = now;
		if (++r->sweeps % 5 == 0)      /* a sign of life for the harness */
			printf("FZ. %llu programs, %llu calls, %d other processes\n",
			       (unsigned long long)r->progs, (unsigned long long)r->calls, strays);
	}
	if (r->setup_failed > 3 && !r->calls && !r->stop) {
		printf("FUZZ ERROR: workers cannot set up (log region, Smode or setuid)\n");
		r->failed = r->stop = 1;
	}
	return busy;
}

/* The shared call log: a free-standing region every worker attaches at the same address. */
static int make_log(struct run *r)
{
	rid_t att;
	size_t size = (sizeof(struct fz_shared) + 4095) & ~(size_t)4095;
	int err = t_region_create(size, TR_READ | TR_WRITE, "fuzz-log", &r->region);
	if (!err)
		err = t_region_attach(r->region, t_proc_space(getpid()), &att);
	if (err < 0) {
		printf("FUZZ ERROR: cannot make the call log: %d\n", err);
		return err;
	}
	r->sh = (struct fz_shared *)t_region_addr(r->region);
	memset(r->sh, 0, sizeof(*r->sh));
	return 0;
}

/* Everything the parent will touch, touched before the "before" snapshot: its stack, the
 * static tables of the stray sweep, and the heap opendir takes. */
static void warm_up(const struct fz_protect *prot)
{
	int keep[1] = { 0 };
	fz_kill_strays(prot, keep, 0, 1);
	fz_rm_tree(FZ_SCRATCH);
	volatile char stack[65536];
	for (size_t i = 0; i < sizeof(stack); i += 512)
		stack[i] = 0;
	printf("FUZZ calls: %d kinds of call, %d calls per program\n", fz_ncalls, FZ_PROG_LEN);
	fflush(stdout);
}

static void summary(const struct run *r)
{
	printf("FUZZ END seed %llu uid %d %s: %llu programs, %llu calls, %llu workers crashed, "
	       "%llu stopped and killed\n", (unsigned long long)r->cfg->seed, r->cfg->uid,
	       r->cfg->smode ? "smode" : "umode", (unsigned long long)r->progs,
	       (unsigned long long)r->calls, (unsigned long long)r->crashed,
	       (unsigned long long)r->killed);
}

int fz_run_calls(const struct fz_cfg *cfg)
{
	static struct run r;
	struct t_kstat before;
	r.cfg = cfg;
	if (make_log(&r) < 0)
		return 1;
	t_set_prio(getpid(), 0);      /* the workers must never starve their supervisor */
	if (fz_protect_build(&r.prot, r.region) < 0)
		printf("FUZZ WARNING: too many resources to remember them all\n");
	warm_up(&r.prot);
	fz_kstat_settled(&before);
	r.end_ms = fz_now_ms() + (int64_t)cfg->seconds * 1000;
	r.next_prog = cfg->first_prog;
	r.sweep_ms = fz_now_ms();
	for (;;) {
		int busy = tick(&r);
		if (!busy && (r.stop || !more_programs(&r)))
			break;
		fz_sleep_ms(10);
	}
	summary(&r);
	int keep[1] = { 0 };
	if (fz_cleanup_and_check(&r.prot, &before, keep, 0) < 0)
		r.failed = 1;
	return r.failed;
}
