/*
 * Robustness (issue 10): flows that used to panic the kernel or leak through the system-wide
 * user address allocator, metamorphosis and kernel messages. Each test is the reproducer of
 * one defect: partial munmap after fork, a checkpoint restored over a freed mapping, a
 * fixed-address program in the system-wide range, execve of a vfork child when no space is
 * left, a process name that carries control bytes to the console, and a fault recovery that
 * changed a register of a process checkpointed by another.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "abi/errno.h"
#include "libtessera.h"
#include "tsys.h"
#include "utest.h"

#define PG 4096

static char *map_pages(int n, char fill)
{
	char *p = mmap(NULL, (size_t)n * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	CHECK(p != MAP_FAILED);
	memset(p, fill, (size_t)n * PG);
	return p;
}

/* ---- 1: fork shares address ranges; each side unmaps pieces of them --------------------- */

/* Maps three pages, forks; the child unmaps page `child_pg` and checks the others, then the
 * parent unmaps page `parent_pg` and the rest. Any piece of a shared range can go first. */
static void fork_then_unmap(int child_pg, int parent_pg)
{
	char *p = map_pages(3, 'a');
	long pid = tsys_fork();
	if (pid == 0) {
		int ok = munmap(p + child_pg * PG, PG) == 0;
		for (int i = 0; i < 3; i++)
			ok = ok && (i == child_pg || p[i * PG + 5] == 'a');
		tsys_exit(ok ? 0 : 3);
	}
	CHECK(pid > 0);
	CHECK_EQ(ut_wait((int)pid), 0);
	CHECK_OK(munmap(p + parent_pg * PG, PG));
	for (int i = 0; i < 3; i++)
		if (i != parent_pg)
			CHECK_EQ(p[i * PG + 5], 'a');
	CHECK_OK(munmap(p, 3 * PG));
}

static void robust_fork_munmap(void)
{
	for (int c = 0; c < 3; c++)
		for (int q = 0; q < 3; q++)
			fork_then_unmap(c, q);
	/* the reproducer: two pages, both unmap the first */
	char *p = map_pages(2, 'b');
	long pid = tsys_fork();
	if (pid == 0)
		tsys_exit(munmap(p, PG) == 0 && p[PG] == 'b' ? 0 : 3);
	CHECK(pid > 0);
	CHECK_EQ(ut_wait((int)pid), 0);
	CHECK_OK(munmap(p, PG));
	CHECK_EQ(p[PG], 'b');
	CHECK_OK(munmap(p + PG, PG));
	/* the parent goes first, and exits holding the rest: the child's exit frees it */
	p = map_pages(4, 'c');
	CHECK_OK(munmap(p + PG, 2 * PG));
	pid = tsys_fork();
	if (pid == 0)
		tsys_exit(munmap(p, PG) == 0 && p[3 * PG] == 'c' ? 0 : 3);
	CHECK(pid > 0);
	CHECK_EQ(ut_wait((int)pid), 0);
	CHECK_OK(munmap(p, 4 * PG));
}

/* ---- 2: a checkpoint brings back a mapping that was unmapped since --------------------- */

static void robust_ckpt_munmap(void)
{
	static char *volatile p;
	rid_t ck;
	p = map_pages(2, 'k');
	int r = t_ckpt_save(0, "ut-robust", &ck);
	CHECK(r == 0 || r == T_CKPT_RESTORED);
	if (r == 0) {
		CHECK_OK(munmap(p, 2 * PG));
		CHECK_OK(t_ckpt_restore(0, ck));     /* does not return: we resume at the save */
		FAIL("t_ckpt_restore of oneself returned");
	}
	CHECK_EQ(p[PG + 7], 'k');                 /* back, with its contents */
	CHECK_OK(munmap(p, 2 * PG));              /* its addresses are ours again to free */
	CHECK_OK(t_res_delete(ck));
}

/* The same, but a fork child still holds the unmapped addresses: the restore must fail
 * and leave the process as it was, and succeed once the child is gone. */
static void robust_ckpt_taken(void)
{
	static char *volatile p;
	static volatile int phase;
	rid_t ck;
	int fds[2], probe[2];
	phase = 0;
	p = map_pages(2, 'm');
	CHECK_OK(pipe(fds));
	CHECK_OK(pipe(probe));
	int r = t_ckpt_save(0, "ut-robust2", &ck);
	CHECK(r == 0 || r == T_CKPT_RESTORED);
	if (r == T_CKPT_RESTORED) {
		/* only once the child is gone: a restore while it held the addresses is wrong */
		int early = t_proc_wait(-1, NULL, TW_NOHANG) != -ECHILD;
		CHECK_EQ(write(fds[1], "x", 1), 1);
		while (early && t_proc_wait(-1, NULL, 0) > 0)
			;
		CHECK(!early);
		CHECK_EQ(p[3], 'm');
		CHECK_OK(munmap(p, 2 * PG));
		CHECK_OK(t_res_delete(ck));
		close(fds[0]), close(fds[1]), close(probe[0]), close(probe[1]);
		return;
	}
	CHECK_EQ(phase, 0);
	phase = 1;
	long pid = tsys_fork();
	if (pid == 0) {
		char c;
		tsys_exit(read(fds[0], &c, 1) == 1 ? 0 : 3);    /* holds p's addresses until told */
	}
	CHECK(pid > 0);
	CHECK_OK(munmap(p, 2 * PG));
	long e = t_ckpt_restore(0, ck);
	CHECK(e < 0);                              /* the child holds the addresses */
	CHECK_EQ(phase, 1);                        /* nothing was restored */
	CHECK_ERR(tsys_write(probe[1], (long)p, 1), EFAULT);   /* the mapping is still gone */
	CHECK_EQ(write(fds[1], "x", 1), 1);
	CHECK_EQ(ut_wait((int)pid), 0);
	CHECK_OK(t_ckpt_restore(0, ck));
	FAIL("t_ckpt_restore of oneself returned");
}

/* MAP_FIXED takes its addresses system-wide as a restore does: over one's own mapping it
 * works, over addresses a fork child still holds it fails (and the frees stay balanced). */
static void robust_mmap_fixed(void)
{
	int fds[2];
	char *p = map_pages(2, 'f');
	char *q = mmap(p, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		       -1, 0);
	CHECK(q == p);
	CHECK_EQ(p[5], 0);                        /* a fresh mapping */
	CHECK_OK(pipe(fds));
	long pid = tsys_fork();
	if (pid == 0) {
		char c;
		tsys_exit(read(fds[0], &c, 1) == 1 && p[PG] == 0 ? 0 : 3);
	}
	CHECK(pid > 0);
	CHECK_OK(munmap(p, 2 * PG));
	q = mmap(p + PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(q == MAP_FAILED);                   /* the child holds those addresses */
	CHECK_EQ(write(fds[1], "x", 1), 1);
	CHECK_EQ(ut_wait((int)pid), 0);
	q = mmap(p + PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(q == p + PG);
	CHECK_OK(munmap(q, PG));
	close(fds[0]), close(fds[1]);
}

/* ---- issue 11: a MAP_FIXED that fails leaves the old mapping; one over the process's own
 * addresses works while a fork child holds them too ---------------------------------------- */

static void robust_mmap_fixed_keeps(void)
{
	int fds[2];
	char *p = map_pages(2, 'k');
	CHECK_OK(pipe(fds));
	long pid = tsys_fork();
	if (pid == 0) {                           /* holds both pages' addresses, then checks */
		char c;
		tsys_exit(read(fds[0], &c, 1) == 1 && p[0] == 'k' && p[PG] == 'k' ? 0 : 3);
	}
	CHECK(pid > 0);
	/* over its own addresses (the child holds them too): replaced, in this space only */
	char *q = mmap(p, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		       -1, 0);
	CHECK(q == p);
	CHECK_EQ(p[0], 0);
	p[0] = 'n';
	/* the second page's addresses now the child's alone: a mapping over both pages must fail
	 * and leave the first page as it was */
	CHECK_OK(munmap(p + PG, PG));
	q = mmap(p, 2 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(q == MAP_FAILED);
	CHECK_EQ(p[0], 'n');
	CHECK_EQ(write(fds[1], "x", 1), 1);
	CHECK_EQ(ut_wait((int)pid), 0);
	CHECK_OK(munmap(p, PG));
	close(fds[0]), close(fds[1]);
}

/* ---- found by the fuzzer: a region attached to a process's own space kept that space (and
 * its tables) alive after the process ended, so attaching again and again filled the space
 * table --------------------------------------------------------------------------------- */

static void robust_attach_own_space(void)
{
	rid_t region;
	CHECK_OK(t_region_create(4 * PG, TR_READ | TR_WRITE, "ut-own", &region));
	for (int i = 0; i < 8; i++) {
		long pid = tsys_fork();
		if (pid == 0) {
			rid_t att;
			tsys_exit(t_region_attach(region, t_proc_space((int)tsys_getpid()), &att)
				  ? 3 : 0);
		}
		CHECK(pid > 0);
		CHECK_EQ(ut_wait((int)pid), 0);
	}
	CHECK_OK(t_res_delete(region));           /* attached nowhere once those spaces went */
}

/* ---- 3: a fixed-address program inside the system-wide range ------------------------- */

static void robust_nonpie_high(void)
{
	const char *path = "/data/bad/high-nonpie.elf";
	const char *const argv[] = { path, NULL };
	for (int i = 0; i < 3; i++) {
		struct t_spawn req = { .path = path, .argv = argv, .prio = -1 };
		int pid = -1;
		long r = t_proc_create(&req, &pid);
		if (r >= 0)
			ut_wait(pid);
		CHECK_ERR(r, ENOEXEC);
	}
	long pid = tsys_fork();
	if (pid == 0) {
		long r = tsys_execve((long)path, (long)argv, 0);
		tsys_exit(r == -ENOEXEC ? 0 : 3);
	}
	CHECK(pid > 0);
	CHECK_EQ(ut_wait((int)pid), 0);
}

/* ---- 7: execve of a vfork child when the space table is full ------------------------ */

/* vfork; the child runs path and, if that fails, exits with the error number. It touches no
 * stack (it runs on ours). */
static long vfork_exec(const char *path, const char *const *argv, const char *const *envp)
{
	long ret;
	__asm__ volatile("mov $58, %%eax\n\t"
			 "syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "mov $59, %%eax\n\t"
			 "syscall\n\t"
			 "mov %%rax, %%rdi\n\t"
			 "neg %%rdi\n\t"
			 "mov $60, %%eax\n\t"
			 "syscall\n"
			 "1:"
			 : "=&a"(ret)
			 : "D"(path), "S"(argv), "d"(envp)
			 : "rcx", "r11", "memory");
	return ret;
}

/* more than the space table holds (4160): the table, or memory, runs out first */
#define MAX_FILL 8192

static void robust_vfork_nospace(void)
{
	static rid_t made[MAX_FILL];
	int n = 0;
	long full = 0;
	t_kctl(TK_REUSE_FLUSH, 1);                /* no kept space can stand in for a new one */
	while (n < MAX_FILL) {
		char name[24];
		snprintf(name, sizeof(name), "ut-fill-%d", n);
		if ((full = t_vm_create(name, 0, &made[n])) < 0)
			break;
		n++;
	}
	const char *const argv[] = { "true", NULL }, *const envp[] = { NULL };
	long pid = full < 0 ? vfork_exec("/bin/true", argv, envp) : 0;
	int status = pid > 0 ? ut_wait((int)pid) : -1;
	for (int i = 0; i < n; i++)               /* clean up before any check can stop us */
		t_res_delete(made[i]);
	CHECK(full < 0);                           /* the table did fill */
	CHECK(pid > 0);
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), -full);     /* execve failed as vm_create did */
	/* and the runner checks that nothing (the new program) stayed behind */
}

/* ---- 11: a process name with control bytes reaches the console ---------------------- */

/* The name holds what the guest suite reads as a failure line of this very test once the
 * console's carriage returns are dropped: printed raw (by the fault message), it fails the
 * suite; escaped, it is inert. */
static void robust_names(void)
{
	const char *name = "UTEST \rFAIL robust_names: raw";
	const char *const argv[] = { "utest", "-c", "null", NULL };
	int pid;
	CHECK_OK(t_proccreate(name, "/bin/utest", argv, 0, 0, &pid));
	int status = ut_wait(pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
	const char *const argv2[] = { "\n\033[2J", "-c", "null", NULL };
	CHECK_OK(t_proccreate("\033[31m\n\x80\xff\\x", "/bin/utest", argv2, 0, 0, &pid));
	status = ut_wait(pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
}

/* ---- a fault brings a process back to a checkpoint another process took of it --------- */

/* Returns 0 after a long loop in which rax must keep its value (rdx holds the same), 1 as
 * soon as it changes. A checkpoint taken while a process runs here has its rip between
 * robust_spin_loop and robust_spin_end and the live rax in its frame. */
int robust_spin(void);
extern const char robust_spin_loop[], robust_spin_end[];
__asm__(".text\n"
	".globl robust_spin\n"
	"robust_spin:\n"
	"	movabs $0x5eed5eed5eed, %rax\n"
	"	mov %rax, %rdx\n"
	"	mov $20000000, %ecx\n"
	".globl robust_spin_loop\n"
	"robust_spin_loop:\n"
	"	cmp %rdx, %rax\n"
	"	jne 1f\n"
	"	dec %ecx\n"
	"	jnz robust_spin_loop\n"
	".globl robust_spin_end\n"
	"robust_spin_end:\n"
	"	xor %eax, %eax\n"
	"	ret\n"
	"1:	mov $1, %eax\n"
	"	ret\n");

/* The child spins; once it reads a checkpoint's id it makes that its fault return and
 * faults; it comes back into the loop, finishes it and finds the pipe closed: exit 0. */
static _Noreturn void spin_child(int rfd)
{
	static volatile uintptr_t bad = 8;
	rid_t ck;
	for (;;) {
		if (robust_spin())
			_exit(7);                  /* rax changed under the loop */
		long n = tsys_read(rfd, (long)&ck, sizeof(ck));
		if (n == 0)
			_exit(0);
		if (n == sizeof(ck)) {
			if (t_ckpt_onfault(ck))
				_exit(3);
			*(volatile int *)bad = 0;   /* back to the checkpoint */
			_exit(4);
		}
	}
}

/* Another process's checkpoint stops its target at any point of its code (here at an
 * interrupt in the middle of a loop), with rax live. The fault recovery used to put
 * T_CKPT_RECOVERED (2) into rax as if the frame were the return of the target's own
 * t_ckpt_save: a fuzz worker that came back this way passed 2, the fuzz parent's pid,
 * to kill. */
static void robust_ckpt_recover_rax(void)
{
	int fds[2];
	rid_t ck = 0;
	struct t_res_info in;
	CHECK_OK(pipe(fds));
	int pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		close(fds[1]);
		tsys_fcntl(fds[0], F_SETFL, O_NONBLOCK);
		spin_child(fds[0]);
	}
	close(fds[0]);
	for (int tries = 0; tries < 200 && !ck; tries++) {
		usleep(10000);
		CHECK_OK(t_ckpt_save(pid, "spin", &ck));
		CHECK_OK(t_res_info(ck, &in));
		if (in.v[3] < (uint64_t)robust_spin_loop || in.v[3] >= (uint64_t)robust_spin_end) {
			CHECK_OK(t_res_delete(ck));       /* not stopped inside the loop: again */
			ck = 0;
		}
	}
	if (ck)
		CHECK_EQ(write(fds[1], &ck, sizeof(ck)), sizeof(ck));
	close(fds[1]);
	int status = ut_wait(pid);
	if (ck)
		CHECK_OK(t_res_delete(ck));
	CHECK(ck);
	CHECK(WIFEXITED(status));
	CHECK_EQ(WEXITSTATUS(status), 0);
}

/* munmap frees the page tables it leaves empty: a process that maps ever new addresses (a
 * server passed ICAs, a program using mmap) does not keep a table for each old one. Each
 * mapping here lies in its own GiB, needing its own level-1 and level-2 tables. */
static void robust_munmap_tables(void)
{
	struct t_kstat k0, k1;
	const uint64_t base = 0x0000300000000000ull, gib = 1ull << 30;
	CHECK_OK(t_kstat(&k0));
	for (uint64_t i = 0; i < 64; i++) {
		char *p = mmap((void *)(base + i * gib), 4096, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		CHECK(p == (char *)(base + i * gib));
		p[0] = 1;
		CHECK_OK(munmap(p, 4096));
	}
	CHECK_OK(t_kstat(&k1));
	CHECK(k0.pages_free - k1.pages_free < 8);
}

const struct utest ut_robust_tests[] = {
	{ "robust_munmap_tables", robust_munmap_tables },
	{ "robust_fork_munmap", robust_fork_munmap },
	{ "robust_ckpt_munmap", robust_ckpt_munmap },
	{ "robust_ckpt_taken", robust_ckpt_taken },
	{ "robust_mmap_fixed", robust_mmap_fixed },
	{ "robust_mmap_fixed_keeps", robust_mmap_fixed_keeps },
	{ "robust_attach_own_space", robust_attach_own_space },
	{ "robust_nonpie_high", robust_nonpie_high },
	{ "robust_vfork_nospace", robust_vfork_nospace },
	{ "robust_names", robust_names },
	{ "robust_ckpt_recover_rax", robust_ckpt_recover_rax },
	{ NULL, NULL },
};
