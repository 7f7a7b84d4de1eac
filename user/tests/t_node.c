/* Tests of the kernel's side of nodes and migration that need no cluster (the test boots are
 * node 0): node information, another node's resource ids, freezing a process and reading it
 * out, thawing (by the migrator, or by its exit), the refusals with their reasons, and bad
 * arguments to every t_node_* and t_mig_* call. Moving between nodes is the migration suite's
 * (tools/mig_suite.py). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "libtessera.h"
#include "tnode.h"
#include "tsys.h"
#include "utest.h"

#define PG 4096

struct frozen {
	struct t_mig_image img;
	struct t_mig_seg segs[T_MIG_MAXSEG];
	char args[T_MIG_ARGS_MAX];
	char page[T_MIG_BATCH * PG];
};

static volatile uint64_t spins;

/* A child that only computes: no descriptor but the console's, so it may move. */
static int spinner(void)
{
	fflush(stdout);
	int pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		for (;;)
			spins++;
	return pid;
}

/* Timer ticks pid's execution has run. */
static uint64_t ticks_of(int pid)
{
	rid_t rid, exec = 0;
	struct t_res_info in;
	CHECK_OK(t_proc_rid(pid, &rid));
	CHECK_OK(t_res_info(rid, &in));
	for (uint32_t i = 0; i < in.nrefs; i++)
		if (RID_TYPE(in.refs[i].rid) == RT_EXEC)
			exec = in.refs[i].rid;
	CHECK(exec != 0);
	CHECK_OK(t_res_info(exec, &in));
	return in.v[3];
}

/* Ticks pid runs in ms milliseconds of this process sleeping. */
static uint64_t runs_over(int pid, int ms)
{
	uint64_t t0 = ticks_of(pid);
	usleep(ms * 1000);
	return ticks_of(pid) - t0;
}

static void end_child(int pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static int frozen_count(void)
{
	struct t_node_info in;
	CHECK_OK(t_node_info(&in));
	return (int)in.frozen;
}

static void node_info(void)
{
	struct t_node_info in;
	uintptr_t bad[UT_NBAD];
	CHECK_OK(t_node_info(&in));
	CHECK_EQ(in.node, 0);                   /* the test boots are in no cluster */
	CHECK(in.nproc >= 2 && in.runnable >= 1);
	CHECK(in.pages_free > 0 && in.pages_free < in.pages_total);
	CHECK_EQ(in.away + in.visitors + in.frozen, 0);
	ut_bad_addrs(bad);
	for (int i = 0; i < UT_NBAD; i++)
		CHECK_ERR(t_node_info((struct t_node_info *)bad[i]), EFAULT);
	CHECK_EQ(tnode_self(), 0);
}

/* Ids of another node's resources go to the node server, which this node has not. */
static void node_remote_rids(void)
{
	rid_t self, next;
	struct t_res_info in;
	CHECK_OK(t_proc_rid(getpid(), &self));
	rid_t there = RID_AT_NODE(self, 3);
	CHECK_EQ(RID_NODE(there), 3);
	CHECK_ERR(t_res_info(there, &in), EHOSTUNREACH);
	CHECK_ERR(t_res_delete(there), EHOSTUNREACH);
	CHECK_ERR(t_res_changemod(there, TMODE_DEFAULT), EHOSTUNREACH);
	CHECK_ERR(t_res_changeoid(there, 0, 0), EHOSTUNREACH);
	CHECK_ERR(t_res_next(RT_PROCESS, RID_NODE_START(3), &next), EHOSTUNREACH);
	/* node 255 names no node; a malformed id stays malformed whatever its node */
	CHECK_ERR(t_res_info(RID_AT_NODE(self, 255), &in), EINVAL);
	CHECK_ERR(t_res_info(RID_AT_NODE(RID_MAKE(RT_NONE, 1, 1), 3), &in), EINVAL);
	CHECK_ERR(t_res_info(RID_AT_NODE(RID_MAKE(RT_PROCESS, 0, 1), 3), &in), EINVAL);
}

static uint8_t marker[2 * PG] __attribute__((aligned(PG)));

/* A frozen process stops (its pipe goes quiet), its image and pages read out match what it
 * has, and thawed it goes on. */
static void mig_freeze_read_thaw(void)
{
	struct frozen *f = malloc(sizeof(*f));
	uint32_t why = 99;
	for (int i = 0; i < (int)sizeof(marker); i++)
		marker[i] = (uint8_t)(i * 7 + 3);
	int pid = spinner();                        /* a fork: marker is at the same address */
	CHECK(f && runs_over(pid, 100) > 0);
	CHECK_OK(t_mig_freeze(pid, &f->img, f->segs, f->args, 0, &why));
	CHECK_EQ(why, TMIG_NONE);
	CHECK_EQ(frozen_count(), 1);
	CHECK_EQ(runs_over(pid, 150), 0);
	CHECK_EQ(f->img.pid, pid);
	CHECK_EQ(f->img.version, T_MIG_VERSION);
	CHECK(f->img.nseg >= 4 && f->img.nseg <= T_MIG_MAXSEG && f->img.args_len > 0);
	CHECK(!strcmp(f->img.name, "utest") && f->img.regs.rip != 0 && f->img.regs.rsp != 0);
	struct t_mig_pages io = { .from = (uint64_t)marker, .to = (uint64_t)marker + 2 * PG,
				  .buf = (uint64_t)f->page };
	CHECK_OK(t_mig_read(pid, &io));
	CHECK_EQ(io.n, 2);
	CHECK_EQ(io.addr[0], (uint64_t)marker);
	CHECK_EQ(io.next, io.to);
	CHECK(!memcmp(f->page, marker, sizeof(marker)));
	CHECK_OK(t_mig_thaw(pid));
	CHECK_EQ(frozen_count(), 0);
	CHECK(runs_over(pid, 100) > 0);
	CHECK_ERR(t_mig_read(pid, &io), ESRCH);     /* not frozen any more */
	CHECK_ERR(t_mig_thaw(pid), ESRCH);
	end_child(pid);
	free(f);
}

/* The migrator dies with the process frozen: it goes on. */
static void mig_owner_exit_thaws(void)
{
	int status;
	int pid = spinner();
	fflush(stdout);
	int migrator = fork();
	if (migrator == 0) {
		struct frozen *f = malloc(sizeof(*f));
		uint32_t why;
		_exit(f && t_mig_freeze(pid, &f->img, f->segs, f->args, 0, &why) == 0 ? 0 : 1);
	}
	waitpid(migrator, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK_EQ(frozen_count(), 0);
	CHECK(runs_over(pid, 100) > 0);
	end_child(pid);
}

/* A frozen process killed meanwhile ends; the migrator learns it at once. */
static void mig_frozen_killed(void)
{
	struct frozen *f = malloc(sizeof(*f));
	uint32_t why;
	uint64_t late;
	int status;
	int pid = spinner();
	CHECK_OK(t_mig_freeze(pid, &f->img, f->segs, f->args, 0, &why));
	kill(pid, SIGKILL);
	CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	CHECK_EQ(frozen_count(), 0);
	CHECK_ERR(t_mig_commit(pid, 2, 5, &late), ESRCH);
	free(f);
}

/* Child setups that make a process unmovable, and the reason each gives. */
static _Noreturn void hold_forever(void)
{
	for (;;)
		pause();
}

static void *thread_holds(void *arg)
{
	(void)arg;
	hold_forever();
}

static int refused_child(int what)
{
	fflush(stdout);
	int pid = fork();
	if (pid)
		return pid;
	struct t_ica ica;
	if (what == TMIG_SOCKET)
		socket(AF_INET, SOCK_DGRAM, 0);
	else if (what == TMIG_FILE)
		open("/data/hello.txt", O_RDONLY);
	else if (what == TMIG_CHILDREN && fork() == 0)
		hold_forever();
	else if (what == TMIG_ICA)
		t_ica_create(1, 0, &ica);
	else if (what == TMIG_CHROOT && chroot("/tmp") != 0)
		_exit(1);
	else if (what == TMIG_THREADS && pthread_create(&(pthread_t){ 0 }, NULL, thread_holds, NULL))
		_exit(1);
	hold_forever();
}

/* The newest child of pid (0: none), from the parent pids of the process list. */
static int child_of(int pid)
{
	struct t_res_info in;
	int found = 0;
	for (rid_t r = 0; t_res_next(RT_PROCESS, r, &r) == 0;)
		if (t_res_info(r, &in) == 0 && (int)in.v[1] == pid && (int)in.v[0] > found)
			found = (int)in.v[0];
	return found;
}

static void mig_refusals(void)
{
	static const int whys[] = { TMIG_FILE, TMIG_CHILDREN, TMIG_ICA, TMIG_SOCKET, TMIG_THREADS,
				    TMIG_CHROOT };
	struct frozen *f = malloc(sizeof(*f));
	for (size_t i = 0; i < sizeof(whys) / sizeof(whys[0]); i++) {
		uint32_t why = 0;
		int pid = refused_child(whys[i]);
		usleep(100000);
		CHECK_ERR(t_mig_freeze(pid, &f->img, f->segs, f->args, 0, &why), EBUSY);
		CHECK_EQ(why, whys[i]);
		CHECK_EQ(frozen_count(), 0);
		int grandchild = child_of(pid);
		if (grandchild)
			kill(grandchild, SIGKILL);      /* init reaps it */
		kill(pid, SIGKILL);
		CHECK_EQ(waitpid(pid, NULL, 0), pid);
		rid_t gone;
		for (int t = 0; grandchild && t < 500 && t_proc_rid(grandchild, &gone) == 0; t++)
			usleep(10000);                  /* until init has reaped it */
	}
	uint32_t why = 0;
	CHECK_ERR(t_mig_freeze(1, &f->img, f->segs, f->args, 0, &why), EBUSY);
	CHECK_EQ(why, TMIG_KERNEL);
	CHECK_ERR(t_mig_freeze(getpid(), &f->img, f->segs, f->args, 0, &why), EINVAL);
	CHECK_ERR(t_mig_freeze(0, &f->img, f->segs, f->args, 0, &why), EINVAL);
	CHECK_ERR(t_mig_freeze(0x7ffffff0, &f->img, f->segs, f->args, 0, &why), ESRCH);
	free(f);
}

/* The image carries the real, effective and saved ids besides the fs ones (ident.h). */
static void mig_ids(void)
{
	struct frozen *f = malloc(sizeof(*f));
	uint32_t why = 99;
	fflush(stdout);
	int pid = fork();
	CHECK(f && pid >= 0);
	if (pid == 0) {
		if (tsys_setresgid(10, 11, 12) || tsys_setresuid(1000, 1001, 1002))
			_exit(1);
		tsys_setfsuid(1002);
		for (;;)
			spins++;
	}
	usleep(100000);
	CHECK_OK(t_mig_freeze(pid, &f->img, f->segs, f->args, 0, &why));
	CHECK_EQ(why, TMIG_NONE);
	CHECK_EQ(f->img.ruid, 1000);
	CHECK_EQ(f->img.euid, 1001);
	CHECK_EQ(f->img.suid, 1002);
	CHECK_EQ(f->img.uid, 1002);
	CHECK_EQ(f->img.rgid, 10);
	CHECK_EQ(f->img.egid, 11);
	CHECK_EQ(f->img.sgid, 12);
	CHECK_EQ(f->img.gid, 11);
	CHECK_OK(t_mig_thaw(pid));
	CHECK_OK(kill(pid, SIGKILL));
	CHECK_EQ(waitpid(pid, NULL, 0), pid);
	free(f);
}

/* Another user may not freeze root's process (the move right), nor build or report. */
static void mig_rights(void)
{
	int status;
	int pid = spinner();
	fflush(stdout);
	int other = fork();
	if (other == 0) {
		struct frozen *f = malloc(sizeof(*f));
		struct t_node_resop io = { .op = TNO_INFO };
		uint32_t why;
		int pidout;
		setuid(1000);
		int ok = t_mig_freeze(pid, &f->img, f->segs, f->args, 0, &why) == -EACCES &&
			 t_mig_create(&f->img, f->segs, f->args, 0, &pidout) == -EPERM &&
			 t_mig_write(pid, NULL) == -EPERM && t_mig_start(pid, 0) == -EPERM &&
			 t_mig_discard(pid) == -EPERM && t_mig_exited(pid, 0, 2, 5) == -EPERM &&
			 t_mig_locate(pid, 2, 5, 3, 6) == -EPERM && t_node_resop(&io) == -EPERM &&
			 t_node_signal(pid, SIGKILL, 1000, 2, 5) == -EPERM &&
			 t_mig_query(2, 5, &pidout) == -EPERM;
		_exit(ok ? 0 : 1);
	}
	waitpid(other, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(runs_over(pid, 100) > 0);
	end_child(pid);
}

static void mig_bad_args(void)
{
	struct frozen *f = malloc(sizeof(*f));
	uintptr_t bad[UT_NBAD];
	uint32_t why;
	uint64_t late;
	int out;
	memset(marker, 1, sizeof(marker));          /* resident: t_mig_read copies it */
	int pid = spinner();
	ut_bad_addrs(bad);
	for (int i = 0; i < UT_NBAD; i++) {
		CHECK_ERR(t_mig_freeze(pid, (void *)bad[i], f->segs, f->args, 0, &why), EFAULT);
		CHECK_ERR(t_mig_freeze(pid, &f->img, (void *)bad[i], f->args, 0, &why), EFAULT);
		CHECK_ERR(t_mig_freeze(pid, &f->img, f->segs, (void *)bad[i], 0, &why), EFAULT);
		CHECK_ERR(tsys_t_mig_freeze(pid, (long)&f->img, (long)f->segs, (long)f->args,
					    (long)bad[i]), EFAULT);
	}
	CHECK_ERR(t_mig_freeze(pid, &f->img, f->segs, f->args, 8, &why), EINVAL);   /* flags */
	CHECK_EQ(frozen_count(), 0);
	CHECK_OK(t_mig_freeze(pid, &f->img, f->segs, f->args, 0, &why));
	struct t_mig_pages io = { .from = 4096, .to = 8192, .buf = (uint64_t)f->page };
	CHECK_ERR(t_mig_read(pid, &io), EINVAL);            /* no region there */
	io.from = (uint64_t)marker + 1, io.to = io.from + PG;
	CHECK_ERR(t_mig_read(pid, &io), EINVAL);            /* not page aligned */
	io.from = (uint64_t)marker, io.to = io.from, io.buf = (uint64_t)f->page;
	CHECK_ERR(t_mig_read(pid, &io), EINVAL);            /* empty range */
	io.to = io.from + PG;
	for (int i = 0; i < UT_NBAD; i++) {
		CHECK_ERR(t_mig_read(pid, (void *)bad[i]), EFAULT);
		io.buf = bad[i];
		CHECK_ERR(t_mig_read(pid, &io), EFAULT);
	}
	/* no cluster: nowhere to commit to; the process stays frozen for a thaw */
	CHECK_ERR(t_mig_commit(pid, 2, 5, &late), EHOSTUNREACH);
	CHECK_OK(t_mig_thaw(pid));
	CHECK(runs_over(pid, 100) > 0);
	/* the calls of the node it comes to, as root: nothing is being built here */
	CHECK_ERR(t_mig_create(&f->img, f->segs, f->args, 0, &out), EHOSTUNREACH);
	CHECK_ERR(t_mig_start(pid, 0), ESRCH);
	CHECK_ERR(t_mig_discard(pid), ESRCH);
	CHECK_ERR(t_mig_exited(pid, 0, 2, 5), ESTALE);      /* not a process away */
	CHECK_ERR(t_mig_locate(0x7ffffff0, 2, 5, 3, 6), ESRCH);
	CHECK_ERR(t_mig_locate(pid, 300, 5, 3, 6), EINVAL);
	CHECK_ERR(t_node_signal(pid, SIGKILL, 0, 2, 5), ESRCH);   /* not from node 2 */
	CHECK_ERR(t_node_signal(pid, SIGKILL, 0, 0, 0), ESRCH);   /* not a visitor at all */
	CHECK_ERR(t_node_signal(1, SIGKILL, 0, 0, 0), ESRCH);
	CHECK_EQ(t_mig_query(2, 5, &out), TMQ_ABSENT);
	struct t_node_resop op = { .op = 99 };
	CHECK_ERR(t_node_resop(&op), EINVAL);
	op.op = TNO_INFO, op.rid = RID_AT_NODE(op.rid, 7);
	CHECK_ERR(t_node_resop(&op), EINVAL);               /* another node's id: not here */
	end_child(pid);
	free(f);
}

const struct utest ut_node_tests[] = {
	{ "node_info", node_info },
	{ "node_remote_rids", node_remote_rids },
	{ "mig_freeze_read_thaw", mig_freeze_read_thaw },
	{ "mig_owner_exit_thaws", mig_owner_exit_thaws },
	{ "mig_frozen_killed", mig_frozen_killed },
	{ "mig_refusals", mig_refusals },
	{ "mig_ids", mig_ids },
	{ "mig_rights", mig_rights },
	{ "mig_bad_args", mig_bad_args },
	{ NULL, NULL },
};
