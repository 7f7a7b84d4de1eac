/*
 * Copy-on-write fork and the protection of shared text (issue 10, defects 4-6): after fork
 * each side sees only its own writes in every kind of private memory; fork shares pages
 * instead of copying them and gives every page back when the child is gone; a child that
 * makes program text writable, points CLONE_CHILD_SETTID into it, or unmaps a page of it
 * changes only itself, never its parent nor a later run of the program.
 */
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "abi/errno.h"
#include "libtessera.h"
#include "tsys.h"
#include "utest.h"

#define PAGE 4096ul
#define AREA_PAGES 3
#define VICTIM_VALUE 0x5eed

/* A page of text of its own: a function returning VICTIM_VALUE, then int3 padding, so that
 * a child may change or unmap it while running none of it. */
__asm__(".pushsection .text.cow_victim,\"ax\",@progbits\n"
	".balign 4096\n"
	".globl cow_victim\n"
	".type cow_victim,@function\n"
	"cow_victim:\n"
	"\tmovl $0x5eed, %eax\n"
	"\tret\n"
	".balign 4096, 0xcc\n"
	".popsection\n");
int cow_victim(void);

static unsigned char *victim_page(void)
{
	return (unsigned char *)(uintptr_t)cow_victim;
}

static int call_victim(void)
{
	int (*volatile fn)(void) = cow_victim;   /* no constant folding: really run it */
	return fn();
}

/* The victim page must hold exactly what was assembled: mov $0x5eed,%eax; ret; int3... */
static void check_victim_intact(void)
{
	static const unsigned char code[] = { 0xb8, 0xed, 0x5e, 0x00, 0x00, 0xc3 };
	const unsigned char *p = victim_page();
	CHECK(((uintptr_t)p & (PAGE - 1)) == 0);
	if (memcmp(p, code, sizeof(code)) != 0)
		FAIL("victim code changed: %02x %02x %02x %02x %02x %02x", p[0], p[1], p[2], p[3],
		     p[4], p[5]);
	for (size_t i = sizeof(code); i < PAGE; i++)
		if (p[i] != 0xcc)
			FAIL("victim page byte %zu is 0x%02x, expected 0xcc", i, p[i]);
	CHECK_EQ(call_victim(), VICTIM_VALUE);
}

/* Run in a fresh process of this program (utest -r cow_text_fresh). */
static void text_fresh(void)
{
	check_victim_intact();
}

static void check_fresh_run(void)
{
	const char *const argv[] = { "utest", "-r", "cow_text_fresh", NULL };
	CHECK_EQ(ut_run("/bin/utest", argv), 0);
}

static int wait_child(int pid)
{
	int st;
	CHECK_EQ(waitpid(pid, &st, 0), pid);
	return st;
}

/* ---- (a) each side sees only its own writes ------------------------------------------- */

static unsigned char cow_data[AREA_PAGES * PAGE] = { 1 };
static unsigned char cow_bss[AREA_PAGES * PAGE];

struct area {
	const char *name;
	unsigned char *p;
};

static void fill_areas(const struct area *a, int n, unsigned seed)
{
	for (int i = 0; i < n; i++)
		for (size_t k = 0; k < AREA_PAGES * PAGE; k += 64)
			a[i].p[k] = (unsigned char)(seed * 37 + k / 64 + (unsigned)i);
}

/* The name of the first area not holding seed's pattern, or NULL. */
static const char *areas_differ(const struct area *a, int n, unsigned seed)
{
	for (int i = 0; i < n; i++)
		for (size_t k = 0; k < AREA_PAGES * PAGE; k += 64)
			if (a[i].p[k] != (unsigned char)(seed * 37 + k / 64 + (unsigned)i))
				return a[i].name;
	return NULL;
}

static void pipe_wait(int fd)
{
	char c;
	if (read(fd, &c, 1) != 1)
		_exit(90);
}

static void pipe_go(int fd)
{
	if (write(fd, "x", 1) != 1)
		_exit(91);
}

/* The child's side of one round: it writes first or second as told, and checks that it
 * never sees its parent's writes. Exit status: 0, or which step failed. */
static _Noreturn void child_round(const struct area *a, int n, bool child_first,
				  const int to_parent[2], const int to_child[2], unsigned seed)
{
	if (child_first) {
		fill_areas(a, n, seed + 1);
		pipe_go(to_parent[1]);
		pipe_wait(to_child[0]);
		_exit(areas_differ(a, n, seed + 1) ? 10 : 0);
	}
	pipe_wait(to_child[0]);                   /* the parent has written by now */
	if (areas_differ(a, n, seed))
		_exit(11);
	fill_areas(a, n, seed + 1);
	_exit(areas_differ(a, n, seed + 1) ? 12 : 0);
}

static void fork_round(const struct area *a, int n, bool child_first, unsigned seed)
{
	int to_parent[2], to_child[2];
	CHECK_OK(pipe(to_parent));
	CHECK_OK(pipe(to_child));
	fill_areas(a, n, seed);
	int pid = fork();
	CHECK_OK(pid);
	if (pid == 0)
		child_round(a, n, child_first, to_parent, to_child, seed);
	if (child_first) {
		char c;
		CHECK_EQ(read(to_parent[0], &c, 1), 1);
	}
	const char *bad = areas_differ(a, n, seed);
	if (bad)
		FAIL("the parent sees the child's write in its %s", bad);
	fill_areas(a, n, seed + 2);
	CHECK_EQ(write(to_child[1], "x", 1), 1);
	CHECK_EQ(wait_child(pid), 0);
	if ((bad = areas_differ(a, n, seed + 2)))
		FAIL("the parent lost its own write in its %s", bad);
	close(to_parent[0]), close(to_parent[1]), close(to_child[0]), close(to_child[1]);
}

static void fork_private(void)
{
	volatile unsigned char stack[AREA_PAGES * PAGE];
	uintptr_t brk0 = (uintptr_t)syscall(SYS_brk, 0);
	uintptr_t heap = (brk0 + PAGE - 1) & ~(PAGE - 1);
	CHECK_EQ(syscall(SYS_brk, heap + AREA_PAGES * PAGE), (long)(heap + AREA_PAGES * PAGE));
	unsigned char *map = mmap(NULL, AREA_PAGES * PAGE, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(map != MAP_FAILED);
	const struct area a[] = {
		{ "data", cow_data }, { "bss", cow_bss }, { "heap", (unsigned char *)heap },
		{ "stack", (unsigned char *)stack }, { "mmap", map },
	};
	int n = (int)(sizeof(a) / sizeof(a[0]));
	fork_round(a, n, true, 1);
	fork_round(a, n, false, 5);
	/* a child giving its shared pages back (brk down, munmap) leaves the parent's alone */
	int pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		syscall(SYS_brk, heap);
		_exit(munmap(map, AREA_PAGES * PAGE) ? 20 : 0);
	}
	CHECK_EQ(wait_child(pid), 0);
	const char *bad = areas_differ(a, n, 7);
	if (bad)
		FAIL("the parent's %s changed when the child gave it back", bad);
	CHECK_OK(munmap(map, AREA_PAGES * PAGE));
	syscall(SYS_brk, brk0);
}

/* fork shares pages: a child of a process with 2 MiB of touched memory costs far fewer
 * than the 512 pages a copy would take. */
static void fork_shares(void)
{
	enum { NPAGES = 512 };
	unsigned char *m = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(m != MAP_FAILED);
	for (size_t i = 0; i < NPAGES; i++)
		m[i * PAGE] = (unsigned char)i;
	struct t_kstat before, now;
	CHECK_OK(t_kstat(&before));
	int pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		t_kstat(&now);
		_exit((long)(before.pages_free - now.pages_free) < NPAGES / 2 ? 0 : 30);
	}
	int st = wait_child(pid);
	if (st != 0)
		FAIL("fork took half the pages of the 2 MiB it should share, or more (status 0x%x)",
		     st);
	CHECK_OK(munmap(m, NPAGES * PAGE));
}

/* ---- (b)-(d) shared text stays intact ------------------------------------------------- */

/* A child makes the victim page writable and patches it to return 42: only its copy changes. */
static void text_mprotect(void)
{
	check_victim_intact();
	int pid = fork();
	CHECK_OK(pid);
	if (pid == 0) {
		static const unsigned char patch[] = { 0xb8, 42, 0, 0, 0, 0xc3 };
		if (mprotect(victim_page(), PAGE, PROT_READ | PROT_WRITE | PROT_EXEC))
			_exit(40);
		memcpy(victim_page(), patch, sizeof(patch));
		_exit(call_victim() == 42 ? 0 : 41);
	}
	CHECK_EQ(wait_child(pid), 0);
	check_victim_intact();
	check_fresh_run();
}

/* CLONE_CHILD_SETTID stores the child's id only where the child could store it itself: its
 * own copy of a data page, never shared text nor a read-only page. */
static void settid_text(void)
{
	static volatile uint32_t tid_word;
	uint32_t *ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(ro != MAP_FAILED);
	uint32_t *targets[] = { (uint32_t *)victim_page(), ro, (uint32_t *)&tid_word };
	check_victim_intact();
	for (int i = 0; i < 3; i++) {
		long pid = syscall(SYS_clone, SIGCHLD | CLONE_CHILD_SETTID, 0, NULL, targets[i], 0);
		CHECK_OK(pid);
		if (pid == 0) {
			/* a data word gets the id; text and the read-only page keep theirs */
			uint32_t want = i == 2 ? (uint32_t)getpid() : i == 1 ? 0 : 0x5eedb8;
			_exit(*(volatile uint32_t *)targets[i] == want ? 0 : 50 + i);
		}
		int st = wait_child((int)pid);
		if (st != 0)
			FAIL("target %d: the child saw the wrong value (status 0x%x)", i, st);
	}
	CHECK_EQ(tid_word, 0);                 /* the parent's own copy is untouched */
	CHECK_EQ(*ro, 0);
	check_victim_intact();
	check_fresh_run();
	CHECK_OK(munmap(ro, PAGE));
}

/* A child unmaps the victim page from its text: the page stays for everyone else. */
static void text_munmap(void)
{
	check_victim_intact();
	int pid = fork();
	CHECK_OK(pid);
	if (pid == 0)
		_exit(munmap(victim_page(), PAGE) ? 60 : 0);
	CHECK_EQ(wait_child(pid), 0);
	check_victim_intact();
	check_fresh_run();
	/* and once more with a later fork, whose text the first one's munmap must not reach */
	pid = fork();
	CHECK_OK(pid);
	if (pid == 0)
		_exit(call_victim() == VICTIM_VALUE ? 0 : 61);
	CHECK_EQ(wait_child(pid), 0);
}

/* ---- (e) fork + exit gives every page back --------------------------------------------- */

static uint64_t settled_free_pages(uint64_t want)
{
	struct t_kstat ks;
	for (int tries = 0; tries < 100; tries++) {
		t_kctl(TK_REUSE_FLUSH, 1);
		CHECK_OK(t_kstat(&ks));
		if (ks.pages_free == want)
			break;
		usleep(10000);
	}
	return ks.pages_free;
}

static void fork_leak(void)
{
	enum { NPAGES = 64 };
	unsigned char *m = mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(m != MAP_FAILED);
	memset(m, 1, NPAGES * PAGE);
	memset(cow_data, 2, sizeof(cow_data));
	/* a first fork that is not counted: the kernel's tables (attachments, regions) grow in
	 * chunks, and the chunk a fork's entries need may be taken now, once, for good */
	int warm = fork();
	CHECK_OK(warm);
	if (warm == 0)
		_exit(0);
	CHECK_EQ(wait_child(warm), 0);
	struct t_kstat before;
	t_kctl(TK_REUSE_FLUSH, 1);
	CHECK_OK(t_kstat(&before));
	for (int round = 0; round < 3; round++) {
		int pid = fork();
		CHECK_OK(pid);
		if (pid == 0) {
			/* copies of half the pages, reads of the rest, a new page or two */
			for (size_t i = 0; i < NPAGES; i += 2)
				m[i * PAGE] = (unsigned char)round;
			volatile unsigned sum = 0;
			for (size_t i = 1; i < NPAGES; i += 2)
				sum += m[i * PAGE];
			memset(cow_data, 3, sizeof(cow_data));
			_exit(sum == NPAGES / 2 ? 0 : 70);
		}
		CHECK_EQ(wait_child(pid), 0);
	}
	CHECK_EQ(settled_free_pages(before.pages_free), before.pages_free);
	/* with the children gone, the parent's pages are its own again: writing them costs
	 * no page either */
	memset(m, 4, NPAGES * PAGE);
	memset(cow_data, 5, sizeof(cow_data));
	CHECK_EQ(settled_free_pages(before.pages_free), before.pages_free);
	CHECK_OK(munmap(m, NPAGES * PAGE));
}

const struct utest ut_cow_tests[] = {
	{ "cow_fork_private", fork_private },
	{ "cow_fork_shares", fork_shares },
	{ "cow_text_mprotect", text_mprotect },
	{ "cow_settid_text", settid_text },
	{ "cow_text_munmap", text_munmap },
	{ "cow_text_fresh", text_fresh },
	{ "cow_fork_leak", fork_leak },
	{ NULL, NULL },
};
