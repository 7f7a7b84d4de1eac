/*
 * Tests of container boxes and containers (HVS IPC, docs/ipc.md): sizes, FIFO order,
 * blocking and waking in both directions, non-blocking calls, deleting a box under waiters,
 * access modes, bad pointers, stale ids, killed waiters. Cross-process cases start the
 * `utest -c cbox OP ...` helper (ut_helper_cbox below). Every test deletes the boxes it made,
 * so the runner's leak check also proves that queued containers are freed with their box.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "abi/errno.h"
#include "libtessera.h"
#include "tsys.h"
#include "utest.h"

#define WAIT_NS (20ll * 1000000000)

static uint8_t big[CONTAINER_MAX + 1];
static uint8_t got[CONTAINER_MAX + 1];

/* A box named after the test and this process, so reruns and other tests never collide. */
static rid_t new_box(const char *tag, uint32_t mode)
{
	char name[T_NAME_MAX];
	rid_t box = 0;
	snprintf(name, sizeof(name), "ut.%s.%d", tag, getpid());
	CHECK_OK(t_cbox_create(name, mode, &box));
	CHECK(box != 0);
	return box;
}

static const char *box_name(rid_t box)
{
	static char names[4][T_NAME_MAX];
	static int next;
	struct t_res_info in;
	CHECK_OK(t_res_info(box, &in));
	char *n = names[next++ % 4];
	memcpy(n, in.name, T_NAME_MAX);
	return n;
}

static uint64_t box_v(rid_t box, int i)
{
	struct t_res_info in;
	CHECK_OK(t_res_info(box, &in));
	CHECK_EQ(in.type, RT_CBOX);
	return in.v[i];
}

static uint32_t live(uint32_t type)
{
	struct t_kstat ks;
	CHECK_OK(t_kstat(&ks));
	return ks.res_count[type];
}

static void pause_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000 };
	nanosleep(&ts, NULL);
}

/* Waits until value v[i] of the box reaches want (a helper is blocked in the box). */
static void await_v(rid_t box, int i, uint64_t want)
{
	int64_t deadline = ut_now_ns() + WAIT_NS;
	while (box_v(box, i) != want) {
		if (ut_now_ns() > deadline)
			FAIL("box value v%d is %llu, waited for %llu", i,
			     (unsigned long long)box_v(box, i), (unsigned long long)want);
		pause_ms(2);
	}
}

static void fill_pattern(uint8_t *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 7 + seed + (i >> 8));
}

static void expect_exit0(int pid)
{
	int status = ut_wait(pid);
	if (status != 0)
		FAIL("helper %d ended with status 0x%x", pid, status);
}

static void del(rid_t rid)
{
	CHECK_OK(t_res_delete(rid));
}

/* ---- tests --------------------------------------------------------------------------- */

/* Every size class round-trips unchanged in one process; too big is refused either way. */
static void ipc_sizes(void)
{
	static const size_t sizes[] = { 0, 1, 4095, 4096, 4097, 65535, 65536 };
	rid_t box = new_box("sizes", 0);
	size_t len = 12345;
	for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		size_t n = sizes[k];
		fill_pattern(big, n, (unsigned)k);
		memset(got, 0xee, n + 1);
		CHECK_OK(t_cbox_send(box, big, n, 0));
		CHECK_EQ(box_v(box, 0), 1);
		CHECK_EQ(box_v(box, 1), n);
		CHECK_EQ(t_cbox_recv(box, got, CONTAINER_MAX, 0, &len), (long)n);
		CHECK_EQ(len, n);
		CHECK(memcmp(big, got, n) == 0);
		CHECK_EQ(got[n], 0xee);           /* nothing written beyond the message */
	}
	CHECK_ERR(t_cbox_send(box, big, CONTAINER_MAX + 1, 0), EMSGSIZE);
	CHECK_ERR(t_cbox_send(box, big, (size_t)-1, 0), EMSGSIZE);
	CHECK_EQ(box_v(box, 0), 0);
	/* a receive buffer too small: refused, the container stays first in line */
	CHECK_OK(t_cbox_send(box, big, 100, 0));
	CHECK_OK(t_cbox_send(box, "x", 1, 0));
	len = 0;
	CHECK_ERR(t_cbox_recv(box, got, 99, 0, &len), EMSGSIZE);
	CHECK_EQ(len, 100);
	CHECK_EQ(box_v(box, 0), 2);
	CHECK_EQ(t_cbox_recv(box, got, 100, 0, NULL), 100);
	CHECK(memcmp(big, got, 100) == 0);
	CHECK_EQ(t_cbox_recv(box, got, 1, 0, NULL), 1);
	CHECK_EQ(got[0], 'x');
	del(box);
}

/* Parent and child exchange every size: the child echoes what it gets. */
static void ipc_echo_child(void)
{
	static const size_t sizes[] = { 0, 1, 4095, 4096, 65536 };
	const size_t nsizes = sizeof(sizes) / sizeof(sizes[0]);
	rid_t req = new_box("req", 0), rep = new_box("rep", 0);
	char count[16];
	snprintf(count, sizeof(count), "%zu", nsizes);
	const char *const args[] = { "cbox", "echo", box_name(req), box_name(rep), count, NULL };
	int pid = ut_spawn_helper(args);
	for (size_t k = 0; k < nsizes; k++) {
		size_t n = sizes[k], len = 0;
		fill_pattern(big, n, (unsigned)(k + 40));
		CHECK_OK(t_cbox_send(req, big, n, 0));
		CHECK_EQ(t_cbox_recv(rep, got, sizeof(got), 0, &len), (long)n);
		CHECK_EQ(len, n);
		CHECK(memcmp(big, got, n) == 0);
	}
	expect_exit0(pid);
	CHECK_ERR(t_cbox_send(req, big, CONTAINER_MAX + 1, 0), EMSGSIZE);
	del(req);
	del(rep);
}

/* 100 numbered containers through a 64-container box: the child sees them in order, and the
 * sender blocked whenever the box was full. */
static void ipc_fifo(void)
{
	rid_t box = new_box("fifo", 0);
	const char *const args[] = { "cbox", "recvseq", box_name(box), "100", NULL };
	for (int i = 0; i < 100; i++) {
		if (i == (int)CBOX_QLEN) {
			CHECK_ERR(t_cbox_send(box, &i, sizeof(i), TCB_NONBLOCK), EAGAIN);
			/* the receiver starts only now, so the next send must wait for it */
			int pid = ut_spawn_helper(args);
			CHECK_OK(t_cbox_send(box, &i, sizeof(i), 0));
			for (i++; i < 100; i++)
				CHECK_OK(t_cbox_send(box, &i, sizeof(i), 0));
			expect_exit0(pid);
			break;
		}
		CHECK_OK(t_cbox_send(box, &i, sizeof(i), 0));
	}
	CHECK_EQ(box_v(box, 0), 0);
	del(box);
}

/* A receiver blocked on an empty box is woken by a send. */
static void ipc_block_recv(void)
{
	rid_t box = new_box("brecv", 0);
	const char *const args[] = { "cbox", "recv", box_name(box), "5", NULL };
	int pid = ut_spawn_helper(args);
	await_v(box, 2, 1);
	CHECK_OK(t_cbox_send(box, "hello", 5, 0));
	expect_exit0(pid);
	CHECK_EQ(box_v(box, 2), 0);
	CHECK_EQ(box_v(box, 0), 0);
	del(box);
}

/* Non-blocking calls: -EAGAIN on an empty box, on a box full by count and full by bytes. */
static void ipc_nonblock(void)
{
	rid_t box = new_box("nb", 0);
	size_t len = 7;
	CHECK_ERR(t_cbox_recv(box, got, sizeof(got), TCB_NONBLOCK, &len), EAGAIN);
	CHECK_EQ(len, 7);
	for (uint32_t i = 0; i < CBOX_QLEN; i++)
		CHECK_OK(t_cbox_send(box, &i, sizeof(i), TCB_NONBLOCK));
	CHECK_ERR(t_cbox_send(box, "x", 1, TCB_NONBLOCK), EAGAIN);
	CHECK_EQ(box_v(box, 0), CBOX_QLEN);
	for (uint32_t i = 0; i < CBOX_QLEN; i++) {
		uint32_t v = ~0u;
		CHECK_EQ(t_cbox_recv(box, &v, sizeof(v), TCB_NONBLOCK, NULL), sizeof(v));
		CHECK_EQ(v, i);
	}
	CHECK_ERR(t_cbox_recv(box, got, sizeof(got), TCB_NONBLOCK, NULL), EAGAIN);
	/* CBOX_QBYTES of big containers fill the box before CBOX_QLEN does */
	for (uint32_t i = 0; i < CBOX_QBYTES / CONTAINER_MAX; i++)
		CHECK_OK(t_cbox_send(box, big, CONTAINER_MAX, TCB_NONBLOCK));
	CHECK_EQ(box_v(box, 1), CBOX_QBYTES);
	CHECK_ERR(t_cbox_send(box, "x", 1, TCB_NONBLOCK), EAGAIN);
	CHECK_EQ(t_cbox_recv(box, got, sizeof(got), TCB_NONBLOCK, NULL), CONTAINER_MAX);
	CHECK_OK(t_cbox_send(box, "x", 1, TCB_NONBLOCK));
	CHECK_ERR(t_cbox_recv(box, got, sizeof(got), 2, NULL), EINVAL);   /* unknown flag */
	CHECK_ERR(t_cbox_send(box, "x", 1, 0x100), EINVAL);
	del(box);   /* with 16 containers (about a megabyte) still queued */
}

/* A sender blocked on a full box goes on when a container is taken out. */
static void ipc_full_blocks(void)
{
	rid_t box = new_box("full", 0);
	for (uint32_t i = 0; i < CBOX_QLEN; i++)
		CHECK_OK(t_cbox_send(box, &i, sizeof(i), 0));
	const char *const args[] = { "cbox", "send", box_name(box), "4", "0", NULL };
	int pid = ut_spawn_helper(args);
	await_v(box, 3, 1);
	CHECK_EQ(box_v(box, 0), CBOX_QLEN);
	uint32_t v = ~0u;
	CHECK_EQ(t_cbox_recv(box, &v, sizeof(v), 0, NULL), 4);
	CHECK_EQ(v, 0);
	expect_exit0(pid);
	CHECK_EQ(box_v(box, 0), CBOX_QLEN);
	CHECK_EQ(box_v(box, 3), 0);
	del(box);
}

/* Deleting a box wakes its blocked receiver and its blocked sender with -EIDRM. */
static void ipc_delete_wakes(void)
{
	rid_t empty = new_box("del1", 0), full = new_box("del2", 0);
	char err[16];
	snprintf(err, sizeof(err), "%d", -EIDRM);
	const char *const rargs[] = { "cbox", "recv", box_name(empty), err, NULL };
	int rpid = ut_spawn_helper(rargs);
	for (uint32_t i = 0; i < CBOX_QLEN; i++)
		CHECK_OK(t_cbox_send(full, big, 1000, 0));
	const char *const sargs[] = { "cbox", "send", box_name(full), "65536", err, NULL };
	int spid = ut_spawn_helper(sargs);
	await_v(empty, 2, 1);
	await_v(full, 3, 1);
	del(empty);
	del(full);
	expect_exit0(rpid);
	expect_exit0(spid);
	CHECK_ERR(t_res_info(empty, &(struct t_res_info){ 0 }), ESTALE);
}

/* Another user: refused by a box whose mode denies others, served by a default box. */
static void ipc_denied(void)
{
	rid_t closed = new_box("deny", TMODE(TOP_ALL, 0, TOP_REFER));
	rid_t open = new_box("open", 0);
	const char *const args[] = { "cbox", "denied", box_name(closed), box_name(open), NULL };
	int status = ut_run_helper(args);
	if (status != 0)
		FAIL("denied helper ended with status 0x%x", status);
	CHECK_EQ(box_v(closed, 0), 0);
	CHECK_EQ(box_v(open, 0), 1);
	/* the queued container belongs to its sender, user 1000 */
	struct t_res_info in;
	rid_t c = 0;
	do
		CHECK_OK(t_res_next(RT_CONTAINER, c, &c));
	while (t_res_info(c, &in) < 0 || in.refs[0].rid != open);
	CHECK_EQ(in.owner, 1000);
	size_t len = 0;
	CHECK_EQ(t_cbox_recv(open, got, sizeof(got), 0, &len), 9);
	CHECK(memcmp(got, "from 1000", 9) == 0);
	del(closed);
	del(open);
}

/* Bad pointers: -EFAULT and nothing queued, nothing taken, no box left behind. */
static void ipc_efault(void)
{
	uintptr_t bad[UT_NBAD];
	ut_bad_addrs(bad);
	rid_t box = new_box("fault", 0);
	uint32_t containers = live(RT_CONTAINER), boxes = live(RT_CBOX);
	for (int i = 0; i < UT_NBAD; i++) {
		CHECK_ERR(t_cbox_send(box, (void *)bad[i], 16, 0), EFAULT);
		CHECK_ERR(t_cbox_send(box, (void *)bad[i], 8192, 0), EFAULT);
		CHECK_ERR(t_cbox_create((const char *)bad[i], 0, &(rid_t){ 0 }), EFAULT);
		CHECK_ERR(t_cbox_create("ut.fault.x", 0, (rid_t *)bad[i]), EFAULT);
	}
	/* half good, half bad: the good page is not enough */
	CHECK_ERR(t_cbox_send(box, (void *)(bad[4] - 4096), 8192, 0), EFAULT);
	CHECK_EQ(box_v(box, 0), 0);
	CHECK_EQ(live(RT_CONTAINER), containers);
	CHECK_EQ(live(RT_CBOX), boxes);
	CHECK_ERR(t_res_lookup(RT_CBOX, "ut.fault.x", &(rid_t){ 0 }), ENOENT);
	CHECK_OK(t_cbox_send(box, big, 5000, 0));
	for (int i = 0; i < UT_NBAD; i++) {
		CHECK_ERR(t_cbox_recv(box, (void *)bad[i], sizeof(got), 0, NULL), EFAULT);
		if (bad[i])         /* a NULL len_out only means "not wanted" */
			CHECK_ERR(t_cbox_recv(box, got, sizeof(got), 0, (size_t *)bad[i]), EFAULT);
	}
	CHECK_EQ(box_v(box, 0), 1);
	CHECK_EQ(t_cbox_recv(box, got, sizeof(got), 0, NULL), 5000);
	CHECK(memcmp(got, big, 5000) == 0);
	/* size 0 needs no buffer at all */
	CHECK_OK(t_cbox_send(box, NULL, 0, 0));
	CHECK_EQ(t_cbox_recv(box, NULL, 0, 0, NULL), 0);
	del(box);
}

/* Names and ids: duplicates, empty names, stale and foreign ids. */
static void ipc_names_stale(void)
{
	rid_t box = new_box("names", 0), found = 0, self;
	CHECK_OK(t_cbox_open(box_name(box), &found));
	CHECK_EQ(found, box);
	CHECK_ERR(t_cbox_create(box_name(box), 0, &found), EEXIST);
	CHECK_ERR(t_cbox_create("", 0, &found), EINVAL);
	CHECK_ERR(t_cbox_create("a-name-that-is-longer-than-32-bytes", 0, &found), EINVAL);
	CHECK_ERR(t_cbox_create("ut.badmode", 0x10000, &found), EINVAL);
	struct t_res_info in;
	CHECK_OK(t_res_info(box, &in));
	CHECK_EQ(in.owner, getuid());
	CHECK_EQ(in.mode, TMODE_DEFAULT);
	char name[T_NAME_MAX];
	strcpy(name, in.name);
	del(box);
	CHECK_ERR(t_cbox_send(box, "x", 1, 0), ESTALE);
	CHECK_ERR(t_cbox_recv(box, got, 1, TCB_NONBLOCK, NULL), ESTALE);
	CHECK_ERR(t_res_delete(box), ESTALE);
	CHECK_ERR(t_cbox_open(name, &found), ENOENT);
	CHECK_OK(t_proc_rid(getpid(), &self));
	CHECK_ERR(t_cbox_send(self, "x", 1, 0), EINVAL);   /* not a box */
	CHECK_ERR(t_cbox_recv(0, got, 1, 0, NULL), EINVAL);
	/* the name is free again and a new box gets a new id */
	CHECK_OK(t_cbox_create(name, 0, &found));
	CHECK(found != box);
	del(found);
}

/* A receiver and a sender killed (deleted) while blocked: nothing leaks, the box's waiter
 * counts go back, the box still works. */
static void ipc_kill_blocked(void)
{
	rid_t empty = new_box("kill1", 0), full = new_box("kill2", 0);
	const char *const rargs[] = { "cbox", "recv", box_name(empty), "0", NULL };
	int rpid = ut_spawn_helper(rargs);
	for (uint32_t i = 0; i < CBOX_QLEN; i++)
		CHECK_OK(t_cbox_send(full, &i, sizeof(i), 0));
	const char *const sargs[] = { "cbox", "send", box_name(full), "65536", "0", NULL };
	int spid = ut_spawn_helper(sargs);
	await_v(empty, 2, 1);
	await_v(full, 3, 1);
	int pids[2] = { rpid, spid };
	for (int i = 0; i < 2; i++) {
		rid_t p;
		CHECK_OK(t_proc_rid(pids[i], &p));
		CHECK_OK(t_res_delete(p));
		int status = ut_wait(pids[i]);
		CHECK_EQ(status, 9);    /* ended by the deletion, not by returning */
	}
	CHECK_EQ(box_v(empty, 2), 0);
	CHECK_EQ(box_v(full, 3), 0);
	CHECK_EQ(box_v(full, 0), CBOX_QLEN);
	CHECK_OK(t_cbox_send(empty, "ok", 2, TCB_NONBLOCK));
	CHECK_EQ(t_cbox_recv(empty, got, 2, TCB_NONBLOCK, NULL), 2);
	del(empty);
	del(full);
}

/* A container is a resource: described, owned by its sender, withdrawn by deleting it,
 * handed to a new owner with its box (changeoid flag). */
static void ipc_container_res(void)
{
	rid_t box = new_box("cres", 0), c = 0;
	uint32_t before = live(RT_CONTAINER);
	for (uint32_t i = 0; i < 3; i++)
		CHECK_OK(t_cbox_send(box, big, 10 + i, 0));
	CHECK_EQ(live(RT_CONTAINER), before + 3);
	/* find the middle one (size 11) among the containers of this box */
	struct t_res_info in;
	for (rid_t it = 0; t_res_next(RT_CONTAINER, it, &it) == 0;) {
		CHECK_OK(t_res_info(it, &in));
		if (in.nrefs == 1 && in.refs[0].rid == box && in.v[0] == 11)
			c = it;
	}
	CHECK(c != 0);
	CHECK_OK(t_res_info(c, &in));
	CHECK_EQ(in.type, RT_CONTAINER);
	CHECK_EQ(in.owner, getuid());
	CHECK(strcmp(in.refs[0].role, "box") == 0);
	CHECK_OK(t_res_changeoid(box, 1000, 1));
	CHECK_OK(t_res_info(c, &in));
	CHECK_EQ(in.owner, 1000);
	CHECK_OK(t_res_delete(c));            /* withdraw: the other two keep their order */
	CHECK_EQ(box_v(box, 0), 2);
	CHECK_EQ(box_v(box, 1), 10 + 12);
	CHECK_EQ(t_cbox_recv(box, got, sizeof(got), 0, NULL), 10);
	CHECK_EQ(t_cbox_recv(box, got, sizeof(got), 0, NULL), 12);
	CHECK_ERR(t_res_info(c, &in), ESTALE);
	CHECK_EQ(live(RT_CONTAINER), before);
	del(box);
}

/* ---- the helper side: utest -c cbox OP ARGS ------------------------------------------- */

static rid_t open_box(const char *name)
{
	rid_t box = 0;
	int err = t_cbox_open(name, &box);
	if (err < 0) {
		printf("cbox helper: no box %s: %d\n", name, err);
		exit(20);
	}
	return box;
}

/* echo REQ REP N: N times, receive from REQ and send the same bytes to REP. */
static int helper_echo(int argc, char **argv)
{
	if (argc < 7)
		return 3;
	rid_t req = open_box(argv[4]), rep = open_box(argv[5]);
	for (int i = atoi(argv[6]); i > 0; i--) {
		size_t len = 0;
		int n = t_cbox_recv(req, got, sizeof(got), 0, &len);
		if (n < 0 || (size_t)n != len)
			return 4;
		if (t_cbox_send(rep, got, len, 0) != 0)
			return 5;
	}
	return 0;
}

/* recvseq BOX N: N containers holding the ints 0..N-1 in that order. */
static int helper_recvseq(int argc, char **argv)
{
	if (argc < 6)
		return 3;
	rid_t box = open_box(argv[4]);
	for (int i = 0, n = atoi(argv[5]); i < n; i++) {
		int v = -1;
		if (t_cbox_recv(box, &v, sizeof(v), 0, NULL) != sizeof(v))
			return 4;
		if (v != i) {
			printf("cbox helper: container %d holds %d\n", i, v);
			return 5;
		}
	}
	return 0;
}

/* recv BOX WANT: one blocking receive must return WANT (a size, or a negative errno). */
static int helper_recv(int argc, char **argv)
{
	if (argc < 6)
		return 3;
	int r = t_cbox_recv(open_box(argv[4]), got, sizeof(got), 0, NULL);
	if (r != atoi(argv[5])) {
		printf("cbox helper: recv returned %d, expected %s\n", r, argv[5]);
		return 4;
	}
	return 0;
}

/* send BOX SIZE WANT: one blocking send of SIZE bytes must return WANT. */
static int helper_send(int argc, char **argv)
{
	if (argc < 7)
		return 3;
	int r = t_cbox_send(open_box(argv[4]), big, (size_t)atol(argv[5]), 0);
	if (r != atoi(argv[6])) {
		printf("cbox helper: send returned %d, expected %s\n", r, argv[6]);
		return 4;
	}
	return 0;
}

/* denied CLOSED OPEN: as user 1000, every use of CLOSED is refused, OPEN takes a message. */
static int helper_denied(int argc, char **argv)
{
	if (argc < 6)
		return 3;
	rid_t closed = open_box(argv[4]), open = open_box(argv[5]);
	if (tsys_setuid(1000) != 0 || getuid() != 1000)
		return 4;
	if (t_cbox_send(closed, "x", 1, 0) != -EACCES ||
	    t_cbox_send(closed, "x", 1, TCB_NONBLOCK) != -EACCES)
		return 5;
	if (t_cbox_recv(closed, got, 1, TCB_NONBLOCK, NULL) != -EACCES)
		return 6;
	if (t_res_delete(closed) != -EACCES || t_res_delete(open) != -EACCES)
		return 7;
	if (t_res_changemod(closed, TMODE_DEFAULT) != -EACCES)
		return 8;
	if (t_cbox_send(open, "from 1000", 9, 0) != 0)
		return 9;
	return 0;
}

int ut_helper_cbox(int argc, char **argv)
{
	static const struct {
		const char *op;
		int (*fn)(int argc, char **argv);
	} ops[] = {
		{ "echo", helper_echo }, { "recvseq", helper_recvseq }, { "recv", helper_recv },
		{ "send", helper_send }, { "denied", helper_denied },
	};
	for (size_t i = 0; argc > 3 && i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(argv[3], ops[i].op) == 0)
			return ops[i].fn(argc, argv);
	printf("utest -c cbox: unknown operation\n");
	return 99;
}

const struct utest ut_ipc_tests[] = {
	{ "ipc_sizes", ipc_sizes },
	{ "ipc_echo_child", ipc_echo_child },
	{ "ipc_fifo", ipc_fifo },
	{ "ipc_block_recv", ipc_block_recv },
	{ "ipc_nonblock", ipc_nonblock },
	{ "ipc_full_blocks", ipc_full_blocks },
	{ "ipc_delete_wakes", ipc_delete_wakes },
	{ "ipc_denied", ipc_denied },
	{ "ipc_efault", ipc_efault },
	{ "ipc_names_stale", ipc_names_stale },
	{ "ipc_kill_blocked", ipc_kill_blocked },
	{ "ipc_container_res", ipc_container_res },
	{ NULL, NULL },
};
