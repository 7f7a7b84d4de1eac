/*
 * fuzz: one worker process running one program: FZ_PROG_LEN calls drawn from the seed of
 * (run seed, program number). Before each call its number and arguments go into the worker's
 * slot of the shared call log; the parent reads the log when the worker stops or the kernel
 * has to be blamed. A fork-like call's child runs a few more calls of its own and exits.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <unistd.h>
#include "fuzz.h"
#include "libtessera.h"
#include "tsys.h"

#define TRACE_FD 31
#define WATCHDOG_US 50000         /* SIGALRM ends any call that blocks, with EINTR */
#define REARM_EVERY 16
#define RIDS_EVERY 64
#define CHILD_CALLS 8

/* vfork-safe clone (fzclone.S): the child continues in fz_vchild on the same stack. */
long fz_clone_safe(long nr, long flags, long stack, long ptid, long ctid, long tls);
_Noreturn void fz_vchild(void);

static struct fz_ctx *cur;        /* for the vfork child, which has no frame of its own */
static uint64_t total_weight;

static void nop_handler(int sig)
{
	(void)sig;
}

static void arm_watchdog(void)
{
	struct sigaction sa = { .sa_handler = nop_handler };
	struct itimerval it = { { 0, WATCHDOG_US }, { 0, WATCHDOG_US } };
	sigset_t set;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/* Calls that end the program weigh a quarter of the others, so programs run long enough
 * to build up state. */
static unsigned weight(const struct fz_ctx *c, const struct fz_call *call)
{
	int nr = call->nr;
	if (c->cfg->excluded[call - fz_calls])
		return 0;
	int ending = nr == TSYS_exit || nr == TSYS_exit_group || nr == TSYS_execve ||
		     nr == TSYS_t_chprog || nr == TSYS_t_restart || nr == TSYS_pause ||
		     nr == TSYS_rt_sigreturn;
	return call->weight * (ending ? 1u : 4u);
}

static const struct fz_call *draw(struct fz_ctx *c)
{
	if (!total_weight)
		for (int i = 0; i < fz_ncalls; i++)
			total_weight += weight(c, &fz_calls[i]);
	uint64_t w = fz_below(&c->rng, total_weight);
	for (int i = 0; i < fz_ncalls; i++) {
		if (w < weight(c, &fz_calls[i]))
			return &fz_calls[i];
		w -= weight(c, &fz_calls[i]);
	}
	return &fz_calls[0];
}

static int unknown_nr(struct fz_ctx *c)
{
	static const int nrs[] = { 23, 26, 40, 169, 200 + 99, 335, 440, 500, 999, 1013, 1019,
				   1024, 1066, 1083, 1100, 4096, -1, 0x7fffffff };
	return nrs[fz_below(&c->rng, sizeof(nrs) / sizeof(nrs[0]))];
}

static void trace(struct fz_ctx *c, const char *what, int nr, const uint64_t a[6], long ret)
{
	char call[200], line[256];
	if (c->trace_fd < 0)
		return;
	fz_format_call(call, sizeof(call), nr, a);
	int n = what ? snprintf(line, sizeof(line), "FZ %lu %u%s %s\n", (unsigned long)c->prog,
				c->idx, c->child ? "c" : "", call)
		     : snprintf(line, sizeof(line), "FZ= %ld\n", ret);
	tsys_write(c->trace_fd, (long)line, n < (int)sizeof(line) ? n : (int)sizeof(line) - 1);
}

static struct fz_rec *log_begin(struct fz_ctx *c, int nr, const uint64_t a[6])
{
	if (!c->slot)
		return NULL;
	struct fz_rec *r = &c->slot->rec[c->idx % FZ_LOGN];
	r->idx = c->idx, r->nr = nr, r->done = 0, r->ret = 0;
	memcpy(r->a, a, sizeof(r->a));
	c->slot->ncalls = c->idx + 1;
	return r;
}

/* The raw fork, vfork and clone, safe for a child sharing this stack: the return address is
 * kept in a register across the call, and the child goes straight to fz_vchild, so it never
 * returns through a frame its parent still needs (the way musl's vfork does it). */
__asm__(".text\n"
	".globl fz_clone_safe\n"
	"fz_clone_safe:\n"
	"	mov %rdi, %rax\n"
	"	mov %rsi, %rdi\n"
	"	mov %rdx, %rsi\n"
	"	mov %rcx, %rdx\n"
	"	mov %r8, %r10\n"
	"	mov %r9, %r8\n"
	"	pop %r9\n"
	"	syscall\n"
	"	test %rax, %rax\n"
	"	jz 1f\n"
	"	push %r9\n"
	"	ret\n"
	"1:	and $-16, %rsp\n"
	"	call fz_vchild\n"
	"	ud2\n");

/* clone making a thread of this worker: the thread shares all of its memory and runs at once
 * beside it, so it touches none of it, not even the stack: it ends (exit, the thread alone)
 * right after the call. */
__asm__(".text\n"
	".globl fz_clone_thread\n"
	"fz_clone_thread:\n"
	"	mov $56, %eax\n"
	"	mov %rcx, %r10\n"
	"	syscall\n"
	"	test %rax, %rax\n"
	"	jz 1f\n"
	"	ret\n"
	"1:	mov $60, %eax\n"
	"	xor %edi, %edi\n"
	"	syscall\n"
	"	ud2\n");
long fz_clone_thread(long flags, long stack, long ptid, long ctid, long tls);

/* Shared memory without the parent waiting (CLONE_VM, not CLONE_VFORK): a thread, if any. */
static bool thread_clone(int nr, const uint64_t *a)
{
	return nr == TSYS_clone && (a[0] & 0x100) && !(a[0] & 0x4000);
}

static long issue(struct fz_ctx *c, int nr, const uint64_t *a)
{
	if (thread_clone(nr, a))
		return fz_clone_thread((long)a[0], (long)a[1], (long)a[2], (long)a[3], (long)a[4]);
	if (nr != TSYS_fork && nr != TSYS_vfork && nr != TSYS_clone)
		return tsys_call(nr, (long)a[0], (long)a[1], (long)a[2], (long)a[3], (long)a[4],
				 (long)a[5]);
	/* a vfork child runs on this memory: what it changes in *c is put back */
	struct fz_slot *slot = c->slot;
	int pid = c->pid, nkids = c->nkids;
	long ret = fz_clone_safe(nr, (long)a[0], (long)a[1], (long)a[2], (long)a[3], (long)a[4]);
	c->slot = slot, c->pid = pid, c->child = 0, c->nkids = nkids;
	c->trace_fd = c->cfg->verbose ? TRACE_FD : -1;
	return ret;
}

static void learn(struct fz_ctx *c, int nr, const uint64_t *a, long ret)
{
	if (nr == TSYS_mmap && (ret >= 0 || ret < -4095)) {
		int i = c->nmaps < FZ_MAXMAPS ? c->nmaps++ : (int)fz_below(&c->rng, FZ_MAXMAPS);
		c->maps[i] = (uint64_t)ret;
		c->maplen[i] = a[1] < (1ull << 32) ? a[1] : 4096;
	}
	if ((nr == TSYS_fork || nr == TSYS_vfork || nr == TSYS_clone) && ret > 0 &&
	    !thread_clone(nr, a) && c->nkids < (int)(sizeof(c->kids) / sizeof(c->kids[0])))
		c->kids[c->nkids++] = (int)ret;
}

static void one_call(struct fz_ctx *c)
{
	const struct fz_call *call = draw(c);
	int nr = call->nr < 0 ? unknown_nr(c) : call->nr;
	uint64_t a[6];
	for (int i = 0; i < 6; i++)
		a[i] = call->kind[i] == K_NONE ? fz_next(&c->rng) : fz_arg(c, call, i);
	fz_guard(c, call, &nr, a);
	trace(c, "", nr, a, 0);
	struct fz_rec *r = log_begin(c, nr, a);
	long ret = issue(c, nr, a);
	if (r)
		r->ret = ret, r->done = 1;
	trace(c, NULL, nr, a, ret);
	learn(c, nr, a, ret);
	c->idx++;
	if (c->idx % REARM_EVERY == 0)
		arm_watchdog();
	if (c->idx % RIDS_EVERY == 0)
		fz_refresh_rids(c);
}

void fz_vchild(void)
{
	struct fz_ctx *c = cur;
	c->child = 1;
	c->slot = NULL;
	c->pid = (int)tsys_getpid();
	c->nkids = 0;
	uint64_t n = fz_below(&c->rng, CHILD_CALLS + 1);
	for (uint64_t i = 0; i < n; i++)
		one_call(c);
	tsys_exit_group(0);
	for (;;)
		;
}

static int setup_fds(struct fz_ctx *c)
{
	c->trace_fd = -1;
	if (c->cfg->verbose && (c->trace_fd = (int)tsys_dup2(1, TRACE_FD)) < 0)
		return -1;
	long null = tsys_open((long)"/dev/null", O_RDWR, 0);
	if (null < 0)
		return -1;
	for (int fd = 0; fd < 3; fd++)
		if (fd != null)
			tsys_dup2(null, fd);
	if (null > 2)
		tsys_close(null);
	return 0;
}

static int setup_log(struct fz_ctx *c, struct fz_shared *sh, int slot, rid_t region)
{
	rid_t att, space = t_proc_space(c->pid);
	if (!space || t_region_attach(region, space, &att) < 0)
		return -1;
	c->sh = sh;
	c->slot = &sh->w[slot];
	c->slot->att = att;       /* the parent detaches it once the worker is gone */
	return 0;
}

static int setup_arena(struct fz_ctx *c)
{
	long len = (FZ_ARENA_PAGES + 1) * 4096;
	long p = tsys_mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p < 0 && p > -4096)
		return -1;
	c->arena = (uint8_t *)p;
	tsys_mprotect(p + FZ_ARENA_PAGES * 4096, 4096, PROT_NONE);
	fz_fill(&c->rng, c->arena, FZ_ARENA_PAGES * 4096);
	return 0;
}

/* Mode first (only root may switch to Smode), then the uid. */
static int setup_identity(struct fz_ctx *c)
{
	if (c->cfg->smode && (t_switch_supervisor(0) < 0 || t_runmode_self() != TRM_SMODE))
		return -1;
	if (c->cfg->uid && tsys_setuid(c->cfg->uid) < 0)
		return -1;
	c->smode = c->cfg->smode;
	c->root = c->cfg->uid == 0;
	return 0;
}

void fz_worker(const struct fz_cfg *cfg, const struct fz_protect *prot, struct fz_shared *sh,
	       int slot, uint64_t prog, rid_t log_region)
{
	static struct fz_ctx c;
	uint8_t stack_buf[FZ_STACK_BUF];
	cur = &c;
	c.stack_buf = stack_buf;
	c.cfg = cfg, c.prot = prot, c.prog = prog;
	c.pid = (int)tsys_getpid();
	/* a group of its own: kill(0, ...) and a stop sent to its group (or by the terminal)
	 * reach the worker and its children, never the parent that watches them */
	tsys_setpgid(0, 0);
	fz_seed(&c.rng, fz_mix(cfg->seed, prog));
	if (setup_fds(&c) || setup_log(&c, sh, slot, log_region) || setup_arena(&c) ||
	    setup_identity(&c))
		tsys_exit_group(3);
	arm_watchdog();
	uint64_t old[4] = { 0 };
	tsys_rt_sigaction(SIGALRM, 0, (long)old, 8);
	c.restorer = old[2];
	c.nop_handler = (uint64_t)nop_handler;
	fz_refresh_rids(&c);
	while (c.slot && c.slot->ncalls < FZ_PROG_LEN) {
		c.idx = c.slot->ncalls;   /* from the log: a restored checkpoint goes on counting */
		one_call(&c);
	}
	tsys_exit_group(0);
	for (;;)
		;
}
