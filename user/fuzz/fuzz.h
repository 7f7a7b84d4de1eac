/*
 * fuzz: Tessera's own seeded system-call fuzzer and malformed-ELF generator (/bin/fuzz,
 * docs/fuzzing.md). The parent (fuzz.c, parent.c) starts worker processes, each running one
 * "program" of calls drawn from a seed (worker.c, args.c, calls.c); it watches them through a
 * region shared with every worker (the call log), kills and replaces the ones that stop, and
 * checks free pages and resource counts before and after. elfgen.c mutates real executables
 * and starts them in every way the kernel offers.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "abi/tessera.h"

/* ---- seeded random numbers (rng.c) --------------------------------------------------- */
struct fz_rng {
	uint64_t s;
};
uint64_t fz_mix(uint64_t a, uint64_t b);
void fz_seed(struct fz_rng *r, uint64_t seed);
uint64_t fz_next(struct fz_rng *r);
uint64_t fz_below(struct fz_rng *r, uint64_t n);      /* 0 .. n-1 (n > 0) */
int fz_chance(struct fz_rng *r, unsigned percent);
void fz_fill(struct fz_rng *r, void *buf, size_t n);

/* ---- the configuration of one run (fuzz.c) ------------------------------------------- */
#define FZ_MAXW 8              /* workers at most */
#define FZ_PROG_LEN 256        /* calls in one program (one worker process) */
struct fz_cfg {
	uint64_t seed;
	uint64_t ncalls;           /* stop after this many calls (0: use seconds) */
	uint32_t seconds;          /* stop after this long (0: use ncalls) */
	int64_t only_prog;         /* -p: run just this program (or ELF mutant); -1: all */
	uint64_t first_prog;       /* -f: start with this program (to narrow a failure down) */
	int uid;                   /* the workers' uid: 0 or 1000 */
	int smode;                 /* 1: workers switch to Smode (ring 0) first */
	int workers;
	int verbose;               /* -v: every call is printed before it is made */
	int no_text;               /* -x text: no address in the program's own code */
	uint8_t excluded[256];
	char xlist[120];           /* the -x argument, for the replay hint */     /* -x CALL: fz_calls[i] is never drawn */
};

/* ---- the call log, in a free-standing region shared by the parent and every worker --- */
#define FZ_LOGN 16             /* calls kept per worker */
struct fz_rec {
	uint32_t idx;              /* call number within the program */
	int32_t nr;                /* system call */
	uint64_t a[6];
	int64_t ret;
	uint32_t done;             /* 1 once the call returned */
	uint32_t pad;
};
struct fz_slot {
	volatile uint64_t prog;    /* program running in this slot */
	volatile uint32_t ncalls;  /* calls started so far (the heartbeat) */
	volatile int32_t pid;
	volatile rid_t att;        /* the worker's attachment of the log region */
	struct fz_rec rec[FZ_LOGN];
};
struct fz_shared {
	struct fz_slot w[FZ_MAXW];
};

/* ---- what the workers must never aim at (protect.c) ---------------------------------- */
#define FZ_MAXPROT 128
#define FZ_MAXBEFORE 4096
#define FZ_MAXBEFORE_PIDS 64
struct fz_protect {
	int init_pid, parent_pid;
	rid_t prot[FZ_MAXPROT];    /* init, the parent, what they refer to, the log region */
	int nprot;
	rid_t *before;             /* sorted: every resource that existed before the run */
	int nbefore;
	rid_t log_region;
	int before_pids[FZ_MAXBEFORE_PIDS];   /* processes that existed before the run: the
					       * services init started (docs/servers.md) */
	int nbefore_pids;
};
int fz_protect_build(struct fz_protect *p, rid_t log_region);
int fz_is_protected(const struct fz_protect *p, rid_t rid);
int fz_existed_before(const struct fz_protect *p, rid_t rid);
int fz_pid_protected(const struct fz_protect *p, long pid);

/* ---- leak check (leak.c) -------------------------------------------------------------- */
/* Kills what the run left, deletes what it created, compares with before; 0 if no leak. */
int fz_cleanup_and_check(const struct fz_protect *p, const struct t_kstat *before,
			 const int *keep_pids, int nkeep);
void fz_kstat_settled(struct t_kstat *out);
void fz_delete_created(const struct fz_protect *p);
int fz_kill_strays(const struct fz_protect *p, const int *keep, int nkeep, int seen_only);
void fz_rm_tree(const char *dir);
void fz_sleep_ms(long ms);
int64_t fz_now_ms(void);

/* ---- the calls (calls.c) ---------------------------------------------------------------- */
enum fz_kind {
	K_NONE = 0, K_ANY, K_FD, K_BUF, K_LEN, K_PATH, K_WPATH, K_FLAGS, K_PID, K_RID, K_SIG,
	K_ADDR, K_INT, K_MODE, K_TIME, K_ARGV, K_NAME, K_UID, K_IOCTL, K_CLONE, K_MMAPF,
	K_PROT, K_SPAWN, K_SIGACT, K_TYPE, K_FUTEXOP, K_NKINDS
};
struct fz_call {
	int nr;
	const char *name;
	uint8_t nargs;
	uint8_t weight;            /* relative frequency; 0: never drawn */
	uint8_t kind[6];
};
extern const struct fz_call fz_calls[];
extern const int fz_ncalls;
const struct fz_call *fz_call_by_nr(int nr);

/* ---- one worker (worker.c, args.c) --------------------------------------------------- */
#define FZ_ARENA_PAGES 4
#define FZ_MAXMAPS 16
#define FZ_MAXRIDS 96
#define FZ_STACK_BUF 8192
struct fz_ctx {
	struct fz_rng rng;
	const struct fz_cfg *cfg;
	const struct fz_protect *prot;
	struct fz_slot *slot;      /* NULL in a forked child: it does not log */
	uint64_t prog;
	uint32_t idx;
	struct fz_shared *sh;
	int pid, smode, root, child, trace_fd;
	uint64_t nop_handler, restorer;   /* a real handler and musl's signal return */
	uint8_t *stack_buf;        /* FZ_STACK_BUF bytes in the worker's outermost frame */
	uint8_t *arena;            /* FZ_ARENA_PAGES of scratch memory, a guard page after */
	uint64_t maps[FZ_MAXMAPS], maplen[FZ_MAXMAPS];
	int nmaps;
	int kids[8];
	int nkids;
	rid_t rids[FZ_MAXRIDS];
	int nrids;
};
_Noreturn void fz_worker(const struct fz_cfg *cfg, const struct fz_protect *prot,
			 struct fz_shared *sh, int slot, uint64_t prog, rid_t log_region);
uint64_t fz_arg(struct fz_ctx *c, const struct fz_call *call, int i);
void fz_refresh_rids(struct fz_ctx *c);
/* Makes the drawn arguments safe for the harness (see the comments in args.c). */
int fz_guard(struct fz_ctx *c, const struct fz_call *call, int *nr, uint64_t a[6]);
void fz_format_call(char *buf, size_t n, int nr, const uint64_t a[6]);

/* ---- the parent (parent.c) and the ELF generator (elfgen.c) --------------------------- */
int fz_run_calls(const struct fz_cfg *cfg);
int fz_run_elf(const struct fz_cfg *cfg);

/* Scratch directory every path the workers may change lies in. */
#define FZ_SCRATCH "/tmp/fz"
