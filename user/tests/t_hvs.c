/* Tests of Heterogeneous Virtual Storage: spaces as resources of their own, processes
 * created in and moved between spaces in every state, data-only spaces, rights, and bad
 * input (vanished spaces, stale pids, busy spaces, colliding fixed-address programs). */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "libtessera.h"
#include "tsys.h"
#include "utest.h"

static rid_t new_space(const char *tag, uint32_t mode)
{
	char name[T_NAME_MAX];
	rid_t rid;
	snprintf(name, sizeof(name), "ut-%s-%d", tag, getpid());
	CHECK_OK(t_vm_create(name, mode, &rid));
	return rid;
}

static struct t_res_info info(rid_t rid)
{
	struct t_res_info in;
	CHECK_OK(t_res_info(rid, &in));
	return in;
}

static int spawn_in(rid_t space, const char *const *args)
{
	const char *argv[16] = { "utest", "-c" };
	int n = 2, pid;
	for (; args[n - 2] && n < 15; n++)
		argv[n] = args[n - 2];
	argv[n] = NULL;
	CHECK_OK(t_proccreate(NULL, "/bin/utest", argv, space, 0, &pid));
	return pid;
}

static void hvs_vmcreate(void)
{
	rid_t s = new_space("vm", 0), found, again;
	struct t_res_info in = info(s);
	CHECK_EQ(in.type, RT_VSPACE);
	CHECK_EQ(in.v[0], 0);               /* attachments */
	CHECK_EQ(in.v[1], 0);               /* processes */
	CHECK_EQ(in.v[3], 0);               /* persistent, not transient */
	CHECK_OK(t_res_lookup(RT_VSPACE, in.name, &found));
	CHECK_EQ(found, s);
	CHECK_ERR(t_vm_create(in.name, 0, &again), EEXIST);
	CHECK_ERR(t_vm_create("x", 0x7fffffff, &again), EINVAL);
	CHECK_ERR(t_vm_create("x", 0, (rid_t *)8), EFAULT);
	CHECK_ERR(t_vm_create("this-name-is-far-too-long-for-a-resource", 0, &again), EINVAL);
	CHECK_OK(t_res_delete(s));
	CHECK_ERR(t_res_info(s, &in), ESTALE);
	CHECK_ERR(t_res_lookup(RT_VSPACE, in.name, &found), ENOENT);
}

static void hvs_create_in_space(void)
{
	rid_t s = new_space("cr", 0);
	const char *const args[] = { "sleep", "300", NULL };
	int a = spawn_in(s, args), b = spawn_in(s, args);
	CHECK_EQ(t_proc_space(a), s);
	CHECK_EQ(t_proc_space(b), s);
	CHECK_EQ(info(s).v[1], 2);
	CHECK(info(s).v[0] >= 8);           /* both processes' regions are attached there */
	CHECK_ERR(t_res_delete(s), EBUSY);  /* a space with processes is not deleted */
	CHECK_EQ(ut_wait(a), 0);
	CHECK_EQ(ut_wait(b), 0);
	CHECK_EQ(info(s).v[1], 0);
	CHECK_EQ(info(s).v[0], 0);
	CHECK_OK(t_res_delete(s));
}

static void hvs_move_self(void)
{
	rid_t s = new_space("self", 0);
	volatile unsigned char stackbuf[4096];
	unsigned char *heap = malloc(100000);
	CHECK(heap != NULL);
	for (int i = 0; i < 100000; i++)
		heap[i] = (unsigned char)(i * 7);
	for (int i = 0; i < 4096; i++)
		stackbuf[i] = (unsigned char)(i * 3);
	for (int round = 0; round < 20; round++) {
		CHECK_OK(t_proc_move(0, round % 2 ? 0 : s));
		CHECK_EQ(t_proc_space(0) == s, round % 2 == 0);
		for (int i = 0; i < 100000; i += 997)
			CHECK_EQ(heap[i], (unsigned char)(i * 7));
		for (int i = 0; i < 4096; i += 17)
			CHECK_EQ(stackbuf[i], (unsigned char)(i * 3));
	}
	CHECK_OK(t_proc_move(0, s));
	CHECK_EQ(info(s).v[1], 1);
	CHECK_OK(t_proc_move(0, 0));        /* a new space of our own */
	CHECK_EQ(info(s).v[1], 0);
	CHECK_EQ(info(t_proc_space(0)).v[3], 1);  /* transient */
	free(heap);
	CHECK_OK(t_res_delete(s));
}

/* Moves pid back and forth between spaces while it runs; returns how many moves worked. */
static int shuffle(int pid, const rid_t *spaces, int nspaces, int moves, int pause_us)
{
	int done = 0;
	for (int i = 0; i < moves; i++) {
		int err = t_proc_move(pid, spaces[i % nspaces]);
		if (err == -ESRCH)
			break;
		CHECK_OK(err);
		done++;
		if (pause_us)
			usleep(pause_us);
		else
			sched_yield();
	}
	return done;
}

static void hvs_move_running(void)
{
	rid_t s[3] = { new_space("r0", 0), new_space("r1", 0), new_space("r2", 0) };
	const char *const args[] = { "hvswork", "400", NULL };
	int pid = ut_spawn_helper(args);
	CHECK(shuffle(pid, s, 3, 300, 0) > 10);
	CHECK_EQ(ut_wait(pid), 0);          /* the helper checked its own results */
	for (int i = 0; i < 3; i++)
		CHECK_OK(t_res_delete(s[i]));
}

static void hvs_move_blocked(void)
{
	rid_t s[2] = { new_space("b0", 0), new_space("b1", 0) };
	const char *const args[] = { "sleep", "300", "5", NULL };
	int64_t t0 = ut_now_ns();
	int pid = ut_spawn_helper(args);
	CHECK(shuffle(pid, s, 2, 20, 5000) == 20);
	int status = ut_wait(pid);
	CHECK_EQ(status, 5 << 8);
	CHECK(ut_now_ns() - t0 >= 300 * 1000000ll);
	for (int i = 0; i < 2; i++)
		CHECK_OK(t_res_delete(s[i]));
}

static void hvs_move_ready(void)
{
	rid_t s[2] = { new_space("y0", 0), new_space("y1", 0) };
	const char *const args[] = { "yield", "3000", NULL };
	int pid = ut_spawn_helper(args);
	shuffle(pid, s, 2, 500, 0);
	CHECK_EQ(ut_wait(pid), 0);
	for (int i = 0; i < 2; i++)
		CHECK_OK(t_res_delete(s[i]));
}

static void hvs_exit_while_moving(void)
{
	rid_t s[2] = { new_space("e0", 0), new_space("e1", 0) };
	for (int k = 0; k < 10; k++) {
		const char *const args[] = { "exit", "3", NULL };
		int pid = ut_spawn_helper(args);
		shuffle(pid, s, 2, 1000, 0);    /* until it is gone: ESRCH ends the loop */
		CHECK_EQ(ut_wait(pid), 3 << 8);
		CHECK_ERR(t_proc_move(pid, s[0]), ESRCH);
	}
	for (int i = 0; i < 2; i++)
		CHECK_OK(t_res_delete(s[i]));
}

static void hvs_bad_targets(void)
{
	rid_t s = new_space("bad", 0), self;
	CHECK_OK(t_proc_rid(getpid(), &self));
	CHECK_ERR(t_proc_move(0, self), EINVAL);                       /* not a space */
	CHECK_ERR(t_proc_move(0, RID_MAKE(RT_VSPACE, 1, 0xfffff)), EINVAL);
	CHECK_ERR(t_proc_move(0, RID_MAKE(RT_NTYPES, 1, 0)), EINVAL);
	CHECK_OK(t_res_delete(s));
	CHECK_ERR(t_proc_move(0, s), ESTALE);                          /* vanished */
	const char *const args[] = { "exit", "0", NULL };
	int pid = ut_spawn_helper(args);
	CHECK_EQ(ut_wait(pid), 0);
	CHECK_ERR(t_proc_move(pid, 0), ESRCH);                         /* stale pid */
	CHECK_ERR(t_proc_move(-5, 0), ESRCH);
	CHECK_ERR(t_proc_move(999999, 0), ESRCH);
	int p2;
	const char *argv[] = { "utest", "-c", "exit", "0", NULL };
	CHECK_ERR(t_proccreate(NULL, "/bin/utest", argv, s, 0, &p2), ESTALE);
}

static void hvs_denied(void)
{
	rid_t s = new_space("deny", TMODE(TOP_ALL, 0, TOP_REFER));
	char arg[32];
	snprintf(arg, sizeof(arg), "%llx", (unsigned long long)s);
	const char *const args[] = { "hvsdeny", arg, NULL };
	CHECK_EQ(ut_run_helper(args), 0);   /* the helper checks each denial itself */
	CHECK_EQ(info(s).v[1], 0);          /* nothing got in */
	CHECK_OK(t_res_delete(s));
}

static void hvs_data_space(void)
{
	rid_t s = new_space("data", 0), region, att;
	CHECK_OK(t_region_create(1 << 20, TR_READ | TR_WRITE, "ut-data", &region));
	uint64_t addr = t_region_addr(region);
	CHECK(addr != 0);
	CHECK_OK(t_region_attach(region, s, &att));
	CHECK_ERR(t_region_attach(region, s, &att), EEXIST);
	CHECK_ERR(t_res_delete(region), EBUSY);      /* attached */
	CHECK_ERR(t_res_delete(s), EBUSY);           /* holds data */
	CHECK_EQ(info(s).v[1], 0);
	volatile uint32_t *d = (uint32_t *)(uintptr_t)addr;
	CHECK_OK(t_proc_move(0, s));
	for (int i = 0; i < (1 << 18); i += 64)
		d[i] = (uint32_t)i ^ 0x5a5a;
	CHECK_OK(t_proc_move(0, 0));
	char a1[32], a2[32];
	snprintf(a1, sizeof(a1), "%llx", (unsigned long long)s);
	snprintf(a2, sizeof(a2), "%llx", (unsigned long long)addr);
	const char *const args[] = { "hvsread", a1, a2, NULL };
	CHECK_EQ(ut_run_helper(args), 0);            /* another process reads it in place */
	CHECK_OK(t_res_delete(att));
	CHECK_OK(t_res_delete(region));
	CHECK_OK(t_res_delete(s));
}

static void hvs_fixed_collision(void)
{
	rid_t s = new_space("fix", 0);
	const char *argv[] = { "busybox", "sleep", "1", NULL };
	int a, b;
	CHECK_OK(t_proccreate(NULL, "/bin/busybox", argv, s, 0, &a));
	/* busybox is linked at a fixed address: a second one cannot share the space */
	CHECK_ERR(t_proccreate(NULL, "/bin/busybox", argv, s, 0, &b), EEXIST);
	CHECK_OK(t_proccreate(NULL, "/bin/busybox", argv, 0, 0, &b));
	CHECK_ERR(t_proc_move(b, s), EEXIST);
	CHECK(t_proc_space(b) != s);                 /* left as it was */
	CHECK_EQ(ut_wait(a), 0);
	CHECK_EQ(ut_wait(b), 0);
	CHECK_OK(t_res_delete(s));
}

static void hvs_pcid(void)
{
	int was = t_kctl(TK_PCID, -1);
	CHECK(was == 0 || was == 1);
	CHECK_ERR(t_kctl(TK_PCID, 7), EINVAL);
	CHECK_ERR(t_kctl(99, 0), EINVAL);
	for (int on = 0; on < 2; on++) {
		int err = t_kctl(TK_PCID, on);
		if (err == -ENOTSUP)
			continue;
		CHECK_OK(err);
		rid_t s[2] = { new_space("p0", 0), new_space("p1", 0) };
		const char *const args[] = { "hvswork", "150", NULL };
		int pid = ut_spawn_helper(args);
		shuffle(pid, s, 2, 100, 0);
		CHECK_EQ(ut_wait(pid), 0);
		CHECK_OK(t_res_delete(s[0]));
		CHECK_OK(t_res_delete(s[1]));
	}
	CHECK_OK(t_kctl(TK_PCID, was));
}

static void hvs_changeoid_space(void)
{
	rid_t s = new_space("own", 0), region, att;
	CHECK_OK(t_region_create(8192, TR_READ, "ut-own", &region));
	CHECK_OK(t_region_attach(region, s, &att));
	CHECK_OK(t_res_changeoid(s, 1000, 0));
	CHECK_EQ(info(s).owner, 1000);
	CHECK_EQ(info(att).owner, 0);                /* without flag: the space alone */
	CHECK_OK(t_res_changeoid(s, 1001, 1));
	CHECK_EQ(info(att).owner, 1001);             /* with flag: what composes it too */
	CHECK_EQ(info(region).owner, 1001);
	CHECK_OK(t_res_changemod(s, TMODE(TOP_ALL, TOP_REFER, 0)));
	CHECK_EQ(info(s).mode, TMODE(TOP_ALL, TOP_REFER, 0));
	CHECK_OK(t_res_delete(att));
	CHECK_OK(t_res_delete(region));
	CHECK_OK(t_res_delete(s));
}

const struct utest ut_hvs_tests[] = {
	{ "hvs_vmcreate", hvs_vmcreate },
	{ "hvs_create_in_space", hvs_create_in_space },
	{ "hvs_move_self", hvs_move_self },
	{ "hvs_move_running", hvs_move_running },
	{ "hvs_move_blocked", hvs_move_blocked },
	{ "hvs_move_ready", hvs_move_ready },
	{ "hvs_exit_while_moving", hvs_exit_while_moving },
	{ "hvs_bad_targets", hvs_bad_targets },
	{ "hvs_denied", hvs_denied },
	{ "hvs_data_space", hvs_data_space },
	{ "hvs_fixed_collision", hvs_fixed_collision },
	{ "hvs_pcid", hvs_pcid },
	{ "hvs_changeoid_space", hvs_changeoid_space },
	{ NULL, NULL },
};

/* ---- helper modes (utest -c MODE ...) ------------------------------------------------- */

/* Computes for MS milliseconds on its stack, heap and data, checking every result; exit 0 if
 * every check held (run while another process moves it between spaces). */
int ut_helper_hvswork(int argc, char **argv)
{
	static uint64_t data[2048];
	uint64_t stack[512];
	uint64_t *heap = malloc(64 * 1024);
	int64_t end = ut_now_ns() + (argc > 3 ? atol(argv[3]) : 200) * 1000000ll;
	if (!heap)
		return 2;
	for (uint64_t round = 1; ut_now_ns() < end; round++) {
		uint64_t sum = 0;
		for (int i = 0; i < 2048; i++)
			data[i] = round * i;
		for (int i = 0; i < 512; i++)
			stack[i] = data[i * 4] + 1;
		for (int i = 0; i < 8192; i++)
			heap[i] = stack[i % 512] ^ round;
		for (int i = 0; i < 8192; i++)
			sum += heap[i] ^ round;
		uint64_t want = 0;
		for (int i = 0; i < 8192; i++)
			want += round * ((i % 512) * 4) + 1;
		if (sum != want || getpid() <= 0)
			return 3;
	}
	free(heap);
	return 0;
}

/* As uid 1000, every way into the root-owned space SPACE (hex) must be refused. */
int ut_helper_hvsdeny(int argc, char **argv)
{
	if (argc < 4)
		return 2;
	rid_t s = strtoull(argv[3], NULL, 16);
	const char *args[] = { "utest", "-c", "exit", "0", NULL };
	int pid;
	if (setuid(1000) != 0)
		return 3;
	if (t_proc_move(0, s) != -EACCES)
		return 4;
	if (t_proccreate(NULL, "/bin/utest", args, s, 0, &pid) != -EACCES)
		return 5;
	if (t_res_delete(s) != -EACCES || t_res_changemod(s, 0) != -EACCES)
		return 6;
	if (t_res_changeoid(s, 1000, 1) != -EACCES)
		return 7;
	if (t_proc_move(1, 0) != -EACCES)              /* init belongs to root */
		return 8;
	if (t_kctl(TK_PCID, 0) != -EPERM)
		return 9;
	return 0;
}

/* Moves into SPACE (hex) and checks the pattern hvs_data_space wrote at ADDR (hex). */
int ut_helper_hvsread(int argc, char **argv)
{
	if (argc < 5)
		return 2;
	rid_t s = strtoull(argv[3], NULL, 16);
	volatile uint32_t *d = (uint32_t *)(uintptr_t)strtoull(argv[4], NULL, 16);
	if (t_proc_move(0, s))
		return 3;
	for (int i = 0; i < (1 << 18); i += 64)
		if (d[i] != ((uint32_t)i ^ 0x5a5a))
			return 4;
	return t_proc_move(0, 0) ? 5 : 0;
}
