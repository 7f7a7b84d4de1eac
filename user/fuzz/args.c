/*
 * fuzz: drawing the arguments of a call. Each kind of argument (enum fz_kind) has its edges:
 * live and stale ids, descriptors just past the table, pointers to the worker's own pages and
 * to unmapped, kernel-half, non-canonical and misaligned addresses, huge lengths, -1, all
 * flag bits. Structures (timespecs, argv arrays, spawn requests, signal actions) are built in
 * the worker's arena, with the same edges in their fields.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include "fuzz.h"
#include "libtessera.h"
#include "tsys.h"

#define PAGE 4096ull
#define USER_TOP 0x0000800000000000ull
#define ARENA_BYTES (FZ_ARENA_PAGES * PAGE)
#define NEVER_MAPPED (T_CCA_ADDR + 0x100000)

static uint64_t pick(struct fz_rng *r, const uint64_t *v, size_t n)
{
	return v[fz_below(r, n)];
}
#define PICK(r, ...) \
	pick(r, (const uint64_t[]){ __VA_ARGS__ }, sizeof((uint64_t[]){ __VA_ARGS__ }) / 8)

/* Addresses no call may take as user memory, and some that are only just user memory. */
static uint64_t bad_ptr(struct fz_ctx *c)
{
	return PICK(&c->rng, 0, 1, 0xffff800000000000ull, 0xffffffff80000000ull + 0x1000,
		    USER_TOP, USER_TOP - 1, USER_TOP - 8, 0x8000000000000000ull, ~0ull,
		    T_CCA_ADDR, T_CCA_ADDR + 8, 0x1000, 0xdead0000ull);
}

/* The worker's own memory. Code, data and stack only in Umode: an Smode (ring 0) process
 * whose code or return addresses were overwritten could jump into the kernel, which ring 0
 * code may legitimately do; the run would find nothing about the kernel's checks. */
static uint64_t own_ptr(struct fz_ctx *c)
{
	static char data_buf[4096];     /* data and stack buffers, not return addresses and */
	uint64_t arena = (uint64_t)c->arena;     /* state: the worker should live on */
	switch (fz_below(&c->rng, c->smode ? 3 : c->cfg->no_text ? 4 : 6)) {
	case 0:
		return arena + fz_below(&c->rng, ARENA_BYTES);
	case 1:
		return arena + ARENA_BYTES - fz_below(&c->rng, 64);   /* runs into the guard */
	case 2:
		if (c->nmaps)
			return c->maps[fz_below(&c->rng, (uint64_t)c->nmaps)];
		return arena + 8 * fz_below(&c->rng, ARENA_BYTES / 8);
	case 3:
		return (uint64_t)c->stack_buf + fz_below(&c->rng, FZ_STACK_BUF);
	case 4:
		return (uint64_t)&fz_arg;
	default:
		return (uint64_t)data_buf + fz_below(&c->rng, sizeof(data_buf));
	}
}

static uint64_t buf_arg(struct fz_ctx *c)
{
	uint64_t p = fz_chance(&c->rng, 75) ? own_ptr(c) : bad_ptr(c);
	return fz_chance(&c->rng, 10) ? p + 1 + fz_below(&c->rng, 7) : p;
}

static uint64_t len_arg(struct fz_ctx *c)
{
	if (fz_chance(&c->rng, 40))
		return fz_below(&c->rng, 512);
	return PICK(&c->rng, 0, 1, 8, 16, 4095, 4096, 4097, 8192, 65536, 65537, 1 << 20,
		    1ull << 31, 1ull << 32, 1ull << 40, ~0ull, 0x7fffffffffffffffull,
		    (uint64_t)-4096, ARENA_BYTES, 3 * PAGE);
}

static uint64_t int_arg(struct fz_ctx *c)
{
	if (fz_chance(&c->rng, 50))
		return fz_below(&c->rng, 16);
	return PICK(&c->rng, (uint64_t)-1, (uint64_t)-2, 0x7fffffff, 0x80000000ull,
		    (uint64_t)(int64_t)(int32_t)0x80000000, 0xffffffffull, 1ull << 32, 64, 65,
		    100, 1000, 4096, fz_next(&c->rng), 8, 8, 8);
}

static uint64_t fd_arg(struct fz_ctx *c)
{
	uint64_t fd = fz_chance(&c->rng, 80) ? fz_below(&c->rng, 34)
					     : PICK(&c->rng, (uint64_t)-1, (uint64_t)-100,
						    0x7fffffff, 1ull << 32, 1024, 255);
	return (int)fd == c->trace_fd ? 0 : fd;
}

static const char *const ro_paths[] = {
	"/", "/bin", "/bin/hello", "/bin/true", "/bin/false", "/data/hello.txt",
	"/data/notelf.txt", "/data/bad/trunc-hdr.elf", "/data/bad/elf32.elf",
	"/data/bad/dynamic.elf", "/data/bad/trunc-body.elf", "/data/sub", "/dev/null",
	"/dev/zero", "/nonexistent", "/bin/hello/x", "", ".", "..", "/tmp", "/data/./sub/..",
	FZ_SCRATCH "/a", FZ_SCRATCH "/b", FZ_SCRATCH "/d", FZ_SCRATCH "/d/c", FZ_SCRATCH "/x",
	/* /proc: the worker's own files (they go with it) and the fixed tree */
	"/proc/self", "/proc/self/stat", "/proc/self/maps", "/proc/self/fd", "/proc/self/fd/0",
	"/proc/self/cwd", "/proc/meminfo", "/proc/tessera/res/all", "/proc/mounts",
};
/* What a worker may change: the scratch directory. A root worker changes nothing else: root
 * may legitimately rewrite /bin, and the image's files are what the leak check compares
 * against. A uid-1000 worker also aims at the image's files, which it must be refused. */
static const char *const w_paths[] = {
	FZ_SCRATCH "/a", FZ_SCRATCH "/b", FZ_SCRATCH "/d", FZ_SCRATCH "/d/c",
	FZ_SCRATCH "/d/e/f", FZ_SCRATCH "/x", FZ_SCRATCH "/a/y", FZ_SCRATCH,
	FZ_SCRATCH "/d/../b", FZ_SCRATCH "/e",
};
static const char *const user_only_paths[] = {
	"/bin/hello", "/data/hello.txt", "/", "/bin", "/data/sub", "/dev/null", "/tmp",
};

static char long_path[400];

/* A long path of many short names, inside the scratch directory: whatever a worker makes
 * with it stays where the leak check's clean-up looks (a relative one would land wherever
 * the worker's cwd or a directory descriptor happens to point). */
static uint64_t make_long_path(struct fz_ctx *c)
{
	const size_t pre = sizeof(FZ_SCRATCH "/") - 1;
	memcpy(long_path, FZ_SCRATCH "/", pre);
	memset(long_path + pre, 'a', sizeof(long_path) - 1 - pre);
	for (size_t i = pre + 1; i < sizeof(long_path) - 1; i += 1 + fz_below(&c->rng, 40))
		long_path[i] = '/';
	return (uint64_t)long_path;
}

static uint64_t path_str(struct fz_ctx *c, int writable)
{
	if (fz_chance(&c->rng, 5))
		return make_long_path(c);
	if (!writable)
		return (uint64_t)ro_paths[fz_below(&c->rng, sizeof(ro_paths) / sizeof(ro_paths[0]))];
	if (!c->root && fz_chance(&c->rng, 30))
		return (uint64_t)user_only_paths[fz_below(&c->rng, sizeof(user_only_paths) /
								sizeof(user_only_paths[0]))];
	return (uint64_t)w_paths[fz_below(&c->rng, sizeof(w_paths) / sizeof(w_paths[0]))];
}

/* A string at the very end of the arena without its NUL: the copy must stop at the guard. */
static uint64_t unterminated(struct fz_ctx *c)
{
	uint64_t end = (uint64_t)c->arena + ARENA_BYTES;
	memset((void *)(end - 16), 'z', 16);
	return end - 1 - fz_below(&c->rng, 16);
}

/* Paths a call may create or change are never the unterminated string: a fuzzed mmap can put
 * a page after the arena, and the string becomes a short relative name created wherever the
 * cwd or a directory descriptor points, outside the scratch directory the leak check cleans.
 * Lookups (K_PATH) still test the unterminated copy, through the same kernel path. For the
 * same reason a writable path is never a pointer to readable memory outside the arena. */
static uint64_t path_arg(struct fz_ctx *c, int writable)
{
	unsigned r = (unsigned)fz_below(&c->rng, 100);
	if (r < 85)
		return path_str(c, writable);
	if (r < 90 && !writable)
		return unterminated(c);
	uint64_t p = bad_ptr(c);
	/* the coexistence control area is readable: its entry address is a short binary name */
	if (writable && (p == T_CCA_ADDR || p == T_CCA_ADDR + 8))
		p = NEVER_MAPPED;
	return p;
}

/* Room for the structures one call needs, at the start of the arena. */
static void *slab(struct fz_ctx *c, size_t *used, size_t n)
{
	void *p = c->arena + *used;
	*used = (*used + n + 15) & ~(size_t)15;
	if (*used > ARENA_BYTES / 2)
		*used = 0;
	return p;
}

static size_t slab_used;

static uint64_t name_arg(struct fz_ctx *c)
{
	if (fz_chance(&c->rng, 15))
		return fz_chance(&c->rng, 50) ? bad_ptr(c) : unterminated(c);
	char *s = slab(c, &slab_used, 48);
	size_t n = (size_t)PICK(&c->rng, 0, 1, 2, 5, 30, 31, 32, 40);
	for (size_t i = 0; i < n; i++)
		s[i] = (char)('a' + fz_below(&c->rng, 3));
	s[n] = 0;
	return (uint64_t)s;
}

static uint64_t argv_arg(struct fz_ctx *c)
{
	unsigned r = (unsigned)fz_below(&c->rng, 100);
	if (r < 10)
		return 0;
	if (r < 20)
		return bad_ptr(c);
	if (r < 30)
		return own_ptr(c);              /* whatever is there, unterminated perhaps */
	size_t n = r < 35 ? 200 : fz_below(&c->rng, 4);
	uint64_t *v = slab(c, &slab_used, (n + 1) * 8);
	for (size_t i = 0; i < n; i++)
		v[i] = fz_chance(&c->rng, 90) ? name_arg(c) : bad_ptr(c);
	v[n] = fz_chance(&c->rng, 95) ? 0 : bad_ptr(c);
	return (uint64_t)v;
}

static uint64_t time_arg(struct fz_ctx *c)
{
	if (fz_chance(&c->rng, 15))
		return bad_ptr(c);
	int64_t *ts = slab(c, &slab_used, 16);
	ts[0] = (int64_t)PICK(&c->rng, 0, 0, 0, 1, (uint64_t)-1, 0x7fffffffffffffffull, 3);
	ts[1] = (int64_t)PICK(&c->rng, 0, 1, 999999999, 1000000000, (uint64_t)-1, 5000000,
			      20000000);
	return (uint64_t)ts;
}

static uint64_t pid_arg(struct fz_ctx *c)
{
	unsigned r = (unsigned)fz_below(&c->rng, 100);
	if (r < 12)
		return (uint64_t)c->pid;
	if (r < 40 && c->nkids)
		return (uint64_t)c->kids[fz_below(&c->rng, (uint64_t)c->nkids)];
	if (r < 55 && c->sh)
		return (uint64_t)c->sh->w[fz_below(&c->rng, FZ_MAXW)].pid;     /* siblings */
	/* 0 and -pid: its group (job control), -1: every process (protected: left out) */
	if (r < 62 && c->nkids)
		return (uint64_t)-(int64_t)c->kids[fz_below(&c->rng, (uint64_t)c->nkids)];
	return PICK(&c->rng, 0, 0, (uint64_t)-1, (uint64_t)-(int64_t)c->pid,
		    (uint64_t)-(int64_t)c->pid, (uint64_t)c->pid + 1, (uint64_t)c->pid + 1000, 0x7fffffff, 0x80000000ull,
		    1ull << 32, 2, 3, 4, 5, 6, 7, 8, 9, 10, 127, 128, 129);
}

static uint64_t rid_arg(struct fz_ctx *c)
{
	unsigned r = (unsigned)fz_below(&c->rng, 100);
	rid_t live = c->nrids ? c->rids[fz_below(&c->rng, (uint64_t)c->nrids)] : 0;
	if (r < 60)
		return live;
	if (r < 70)                                     /* stale: another generation */
		return RID_MAKE(RID_TYPE(live), RID_GEN(live) + 1 + fz_below(&c->rng, 3),
				RID_INDEX(live));
	if (r < 78)                                     /* the right index, another type */
		return RID_MAKE(fz_below(&c->rng, RT_NTYPES + 2), RID_GEN(live), RID_INDEX(live));
	if (r < 85)
		return RID_MAKE(RID_TYPE(live), RID_GEN(live),
				PICK(&c->rng, 0xffffffffull, 128, 4096, 1u << 20));
	return PICK(&c->rng, 0, (uint64_t)-1, fz_next(&c->rng), 1, RID_MAKE(RT_PROCESS, 0, 0));
}

static uint64_t flags_arg(struct fz_ctx *c)
{
	if (fz_chance(&c->rng, 30))
		return fz_below(&c->rng, 4);
	return PICK(&c->rng, 0, (uint64_t)-1, 0xffffffffull, O_CREAT | O_RDWR, O_CREAT | O_EXCL,
		    O_TRUNC | O_WRONLY, O_DIRECTORY, O_NONBLOCK, O_CLOEXEC, O_APPEND | O_WRONLY,
		    1, 2, 0x100, 0x200, 0x400, 0x800, 0x1000, 0x80000, fz_next(&c->rng));
}

static uint64_t mode_arg(struct fz_ctx *c)
{
	return PICK(&c->rng, 0, 0644, 0755, 0777, 07777, (uint64_t)-1, TMODE_DEFAULT,
		    TMODE(TOP_ALL, TOP_ALL, TOP_ALL), TMODE(TOP_ALL, 0, 0), 0xffff,
		    fz_below(&c->rng, 1u << 16));
}

static uint64_t addr_arg(struct fz_ctx *c)
{
	unsigned r = (unsigned)fz_below(&c->rng, 100);
	uint64_t arena = (uint64_t)c->arena;
	if (r < 25 && c->nmaps) {
		int i = (int)fz_below(&c->rng, (uint64_t)c->nmaps);
		return c->maps[i] + PAGE * fz_below(&c->rng, c->maplen[i] / PAGE + 2);
	}
	if (r < 40)
		return arena + PAGE * fz_below(&c->rng, FZ_ARENA_PAGES + 2);
	if (r < 55)
		return fz_below(&c->rng, 1ull << 35) & ~(PAGE - 1);
	if (r < 65)
		return 0x100000000000ull + PAGE * fz_below(&c->rng, 16);
	if (r < 72 && !c->smode && !c->cfg->no_text)
		return ((uint64_t)&fz_arg & ~(PAGE - 1)) + PAGE * fz_below(&c->rng, 4);
	if (r < 80)
		return PICK(&c->rng, arena + 1, arena + PAGE - 1, (uint64_t)-PAGE);
	return bad_ptr(c);
}

static uint64_t prot_arg(struct fz_ctx *c)
{
	return fz_chance(&c->rng, 80) ? fz_below(&c->rng, 8)
				      : PICK(&c->rng, (uint64_t)-1, 0x1000000, 0x2000000, 8, 16);
}

static uint64_t mmapf_arg(struct fz_ctx *c)
{
	const uint64_t anon = MAP_PRIVATE | MAP_ANONYMOUS;
	uint64_t f = PICK(&c->rng, anon, anon, anon, anon | MAP_FIXED, MAP_SHARED | MAP_ANONYMOUS,
			  MAP_PRIVATE, MAP_SHARED, 0, (uint64_t)-1, anon | MAP_POPULATE,
			  anon | 0x100000 /* MAP_FIXED_NOREPLACE */, anon | MAP_GROWSDOWN,
			  fz_next(&c->rng));
	return f;
}

static uint64_t clone_arg(struct fz_ctx *c)
{
	return PICK(&c->rng, SIGCHLD, SIGCHLD, SIGCHLD | 0x01000000 | 0x00200000,
		    SIGCHLD | 0x00100000, 0x100 | 0x4000 | SIGCHLD, 0x100 | 0x4000,
		    0x100 /* CLONE_VM alone */, 0x10000 /* CLONE_THREAD alone */, 0,
		    0xf00 | 0x10000 /* a thread */, 0x3d0f00 /* musl's pthread_create */,
		    0xf00 | 0x10000 | 0x01000000 /* CHILD_SETTID */, (uint64_t)-1,
		    fz_next(&c->rng));
}

/* futex's operation: the real ones with their flags, and anything. */
static uint64_t futexop_arg(struct fz_ctx *c)
{
	uint64_t op = PICK(&c->rng, 0, 1, 3, 4, 5, 9, 10, 6, 11, fz_below(&c->rng, 16));
	if (fz_chance(&c->rng, 50))
		op |= 128;                    /* FUTEX_PRIVATE_FLAG */
	if (fz_chance(&c->rng, 15))
		op |= 256;                    /* FUTEX_CLOCK_REALTIME */
	return fz_chance(&c->rng, 5) ? fz_next(&c->rng) : op;
}

static uint64_t sig_arg(struct fz_ctx *c)
{
	return fz_chance(&c->rng, 80) ? fz_below(&c->rng, 66)
				      : PICK(&c->rng, (uint64_t)-1, 9, 19, 14, 17, 0x100000000ull,
					     18, 20, 21, 22, 19, 18);
}

static uint64_t spawn_arg(struct fz_ctx *c)
{
	if (fz_chance(&c->rng, 10))
		return bad_ptr(c);
	struct t_spawn *s = slab(c, &slab_used, sizeof(*s));
	s->path = (const char *)path_arg(c, 0);
	s->argv = (const char *const *)argv_arg(c);
	s->envp = (const char *const *)argv_arg(c);
	s->name = fz_chance(&c->rng, 50) ? NULL : (const char *)name_arg(c);
	s->vspace = fz_chance(&c->rng, 70) ? 0 : rid_arg(c);
	s->mode = fz_chance(&c->rng, 70) ? 0 : (uint32_t)mode_arg(c);
	s->prio = (int32_t)fz_below(&c->rng, 12) - 2;
	return (uint64_t)s;
}

/* A never-mapped user address: above every range the allocator hands out (docs/runmode.md). */

/* struct k_sigaction: handler, flags, restorer, mask. In Smode the handler and restorer are
 * real code or addresses where nothing can ever be mapped (see own_ptr on why). */
static uint64_t sigact_arg(struct fz_ctx *c)
{
	if (!c->smode && fz_chance(&c->rng, 20))
		return buf_arg(c);
	if (fz_chance(&c->rng, 10))
		return bad_ptr(c);
	uint64_t *sa = slab(c, &slab_used, 32);
	sa[0] = fz_chance(&c->rng, 90) ? PICK(&c->rng, 0, 1, c->nop_handler)
				       : PICK(&c->rng, NEVER_MAPPED, 0x8000000000000000ull);
	sa[1] = PICK(&c->rng, 0x04000000, 0x04000000 | 0x4, 0x04000000 | 0x40000000,
		     0x04000000 | 0x80000000, 0x04000000 | 0x08000000, 0, (uint64_t)-1);
	sa[2] = fz_chance(&c->rng, 90) ? c->restorer
				       : PICK(&c->rng, 0, NEVER_MAPPED, 0x8000000000000000ull);
	sa[3] = PICK(&c->rng, 0, (uint64_t)-1, 1ull << 13, fz_next(&c->rng));
	return (uint64_t)sa;
}

static uint64_t any_arg(struct fz_ctx *c)
{
	switch (fz_below(&c->rng, 5)) {
	case 0:
		return int_arg(c);
	case 1:
		return buf_arg(c);
	case 2:
		return len_arg(c);
	case 3:
		return rid_arg(c);
	default:
		return fz_next(&c->rng);
	}
}

uint64_t fz_arg(struct fz_ctx *c, const struct fz_call *call, int i)
{
	struct fz_rng *r = &c->rng;
	switch (call->kind[i]) {
	case K_FD: return fd_arg(c);
	case K_BUF: return buf_arg(c);
	case K_LEN: return len_arg(c);
	case K_PATH: return path_arg(c, 0);
	case K_WPATH: return path_arg(c, 1);
	case K_FLAGS: return flags_arg(c);
	case K_PID: return pid_arg(c);
	case K_RID: return rid_arg(c);
	case K_SIG: return sig_arg(c);
	case K_ADDR: return addr_arg(c);
	case K_INT: return int_arg(c);
	case K_MODE: return mode_arg(c);
	case K_TIME: return time_arg(c);
	case K_ARGV: return argv_arg(c);
	case K_NAME: return name_arg(c);
	case K_UID: return PICK(r, 0, 1000, 1, 65534, (uint64_t)-1, 0x100000000ull);
	case K_IOCTL: return PICK(r, 0x5401, 0x5402, 0x5403, 0x5413, 0x5414, 0x541b, 0x540f,
				  0x5410, 0x5421, 0x540e, 0x5422, 0x5429, fz_next(r));
	case K_CLONE: return clone_arg(c);
	case K_MMAPF: return mmapf_arg(c);
	case K_PROT: return prot_arg(c);
	case K_SPAWN: return spawn_arg(c);
	case K_SIGACT: return sigact_arg(c);
	case K_TYPE: return fz_below(r, RT_NTYPES + 2);
	case K_FUTEXOP: return futexop_arg(c);
	default: return any_arg(c);
	}
}

/* The ids a worker aims at: a few live resources of every type (the image's many files
 * are represented by the first few). Protected ones are left out. */
void fz_refresh_rids(struct fz_ctx *c)
{
	c->nrids = 0;
	for (uint32_t t = 1; t < RT_NTYPES; t++) {
		rid_t rid = 0;
		int per_type = t == RT_PLATE ? 4 : 10;
		for (int n = 0; n < per_type && c->nrids < FZ_MAXRIDS; n++) {
			if (t_res_next(t, rid, &rid) < 0)
				break;
			if (!fz_is_protected(c->prot, rid))
				c->rids[c->nrids++] = rid;
		}
	}
}

/* ---- what the workers must not do -------------------------------------------------------
 * Only what would end the harness rather than test the kernel is kept out: naming init or
 * the fuzz parent by pid (killing, moving, stopping, restarting or re-programming either ends
 * the run; kill(-1) would reach both) or by resource id (deleting or moving into their spaces
 * does the same; the isolation of spaces is tested by the utest suite); root deleting or
 * changing resources that existed before the run (root may destroy the image, and the leak
 * check compares against it); root opening other files than the scratch ones for writing
 * (same reason); root claiming a device (every one exists before the run); and in Smode,
 * handing the worker's own control flow an address in the kernel half (ring 0 code may run
 * kernel code; see own_ptr). */
static int destructive(int nr)
{
	/* claiming a device (root) hands a worker its registers and DMA: random writes there
	 * could make the device write anywhere in memory, which would test QEMU, not the kernel */
	return nr == TSYS_t_res_delete || nr == TSYS_t_res_changeoid ||
	       nr == TSYS_t_res_changemod || nr == TSYS_t_dev_claim;
}

static int is_w_path(uint64_t p)
{
	for (size_t i = 0; i < sizeof(w_paths) / sizeof(w_paths[0]); i++)
		if (p == (uint64_t)w_paths[i])
			return 1;
	return 0;
}

/* The scratch directory itself existed before the run: a worker removing it (rmdir of it
 * empty; a uid-1000 worker owns it) or renaming it away changes a resource the leak check
 * compares, and the one the clean-up makes anew is a new resource. Its contents are what
 * workers may change. */
static int removes_path(int nr)
{
	return nr == TSYS_rmdir || nr == TSYS_unlink || nr == TSYS_unlinkat ||
	       nr == TSYS_rename || nr == TSYS_renameat || nr == TSYS_renameat2;
}

static void guard_scratch_root(int nr, uint64_t *path)
{
	if (removes_path(nr) && is_w_path(*path) &&
	    strcmp((const char *)*path, FZ_SCRATCH) == 0)
		*path = (uint64_t)(FZ_SCRATCH "/e");
}

static void guard_open(struct fz_ctx *c, uint64_t *path, uint64_t flags)
{
	const uint64_t writing = O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND;
	if (c->root && (flags & writing) && !is_w_path(*path))
		*path = (uint64_t)w_paths[fz_below(&c->rng, sizeof(w_paths) / sizeof(w_paths[0]))];
}

/* The root file system is writable (as Linux's initramfs): a root worker's symbolic link in
 * the scratch directory pointing out of it ("/", /bin, /data) would let the scratch paths
 * below create or change files of the image, which the leak check must not find. Its links
 * point into the scratch directory; a user's may point anywhere (its changes are refused). */
static void guard_symlink(struct fz_ctx *c, uint64_t *target)
{
	if (c->root && !is_w_path(*target))
		*target = (uint64_t)w_paths[fz_below(&c->rng, sizeof(w_paths) / sizeof(w_paths[0]))];
}

static void guard_spawn(struct fz_ctx *c, uint64_t p)
{
	uint64_t arena = (uint64_t)c->arena;
	if (p < arena || p + sizeof(struct t_spawn) > arena + ARENA_BYTES)
		return;
	struct t_spawn *s = (struct t_spawn *)p;
	if (fz_is_protected(c->prot, s->vspace))
		s->vspace = 0;
}

static void guard_arg(struct fz_ctx *c, int nr, enum fz_kind k, uint64_t *v)
{
	if (k == K_PID && (fz_pid_protected(c->prot, (long)(int)*v) ||
			   fz_pid_protected(c->prot, (long)*v)))
		*v = (uint64_t)c->pid;
	if (k == K_RID && (fz_is_protected(c->prot, *v) ||
			   (c->root && destructive(nr) && fz_existed_before(c->prot, *v))))
		*v = 0;
	if (k == K_SPAWN)
		guard_spawn(c, *v);
	if (k == K_WPATH)
		guard_scratch_root(nr, v);
}

int fz_guard(struct fz_ctx *c, const struct fz_call *call, int *nr, uint64_t a[6])
{
	for (int i = 0; i < 6; i++)
		guard_arg(c, *nr, (enum fz_kind)call->kind[i], &a[i]);
	if (*nr == TSYS_open)
		guard_open(c, &a[0], a[1]);
	if (*nr == TSYS_openat)
		guard_open(c, &a[1], a[2]);
	if (*nr == TSYS_symlink || *nr == TSYS_symlinkat)
		guard_symlink(c, &a[0]);
	/* a forked child makes no children of its own: that keeps the process count bounded */
	if (c->child && (*nr == TSYS_fork || *nr == TSYS_vfork || *nr == TSYS_clone))
		*nr = TSYS_getpid;
	if (!c->smode)
		return 0;
	if (*nr == TSYS_rt_sigreturn)       /* would return to whatever its stack holds */
		*nr = TSYS_getpid;
	if (*nr == TSYS_clone && a[1] >= USER_TOP)
		a[1] = 0;
	if (*nr == TSYS_arch_prctl && a[1] >= USER_TOP)
		a[1] = NEVER_MAPPED;
	return 0;
}

void fz_format_call(char *buf, size_t n, int nr, const uint64_t a[6])
{
	const struct fz_call *call = fz_call_by_nr(nr);
	int nargs = 6;
	if (call->nr == nr)
		while (nargs > 0 && call->kind[nargs - 1] == K_NONE)
			nargs--;
	size_t len = call->nr == nr ? (size_t)snprintf(buf, n, "%s(", call->name)
				    : (size_t)snprintf(buf, n, "nr%d(", nr);
	for (int i = 0; i < nargs && len < n; i++)
		len += (size_t)snprintf(buf + len, n - len, "%s%#lx", i ? ", " : "",
					(unsigned long)a[i]);
	if (len < n)
		snprintf(buf + len, n - len, ")");
}
