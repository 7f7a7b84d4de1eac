/*
 * The resource interface: info about oneself, lookup by name, enumeration, the owner and
 * mode checks (as root and as an ordinary user), stale ids, deleting plates, priorities.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "abi/errno.h"
#include "libtessera.h"
#include "tsys.h"
#include "utest.h"

static void info_of(rid_t rid, struct t_res_info *in)
{
	int err = t_res_info(rid, in);
	if (err < 0)
		FAIL("t_res_info(%016llx): %d (%s)", (unsigned long long)rid, err, ut_errname(err));
	CHECK_EQ(in->rid, rid);
	CHECK_EQ(in->type, RID_TYPE(rid));
}

/* The rid of the first reference of the given type; fails the test if there is none. */
static rid_t ref_of(const struct t_res_info *in, uint32_t type)
{
	CHECK(in->nrefs <= T_MAX_REFS);
	for (uint32_t i = 0; i < in->nrefs; i++)
		if (RID_TYPE(in->refs[i].rid) == type)
			return in->refs[i].rid;
	FAIL("%s %s has no reference to a %s", t_type_name(in->type), in->name, t_type_name(type));
}

static rid_t rid_of_pid(int pid)
{
	rid_t rid = 0;
	CHECK_OK(t_proc_rid(pid, &rid));
	CHECK_EQ(RID_TYPE(rid), RT_PROCESS);
	return rid;
}

/* A helper child that sleeps ms milliseconds, then exits 0. */
static int sleeper(const char *ms)
{
	const char *const args[] = { "sleep", ms, NULL };
	return ut_spawn_helper(args);
}

static void expect_exit0(int pid)
{
	int st = ut_wait(pid);
	CHECK_EQ(st, 0);
}

static void res_self(void)
{
	struct t_res_info in, part;
	rid_t self = rid_of_pid(getpid());
	info_of(self, &in);
	CHECK_EQ(in.v[0], getpid());
	CHECK_EQ(in.v[1], getppid());
	CHECK_EQ(in.v[2], TPS_RUNNING);
	CHECK_EQ(in.v[4], getuid());
	CHECK(strcmp(in.name, "utest") == 0);
	info_of(ref_of(&in, RT_PROGRAM), &part);
	CHECK(part.v[0] > 0);          /* text size */
	CHECK_EQ(part.v[4], 1);        /* utest is a PIE */
	CHECK(part.v[5] >= 1);         /* users */
	info_of(ref_of(&in, RT_VSPACE), &part);
	CHECK(part.v[0] >= 1);         /* attachments */
	CHECK(part.v[1] >= 1);         /* processes */
	info_of(ref_of(&in, RT_EXEC), &part);
	CHECK_EQ(part.v[2], getpid());
}

static void res_lookup(void)
{
	char name[T_NAME_MAX];
	rid_t rid, plate;
	snprintf(name, sizeof(name), "ut-lookup-%d", getpid());
	const char *argv[] = { "utest", "-c", "sleep", "1000", NULL };
	struct t_spawn req = { .path = "/bin/utest", .argv = argv, .name = name, .prio = -1 };
	int pid;
	CHECK_OK(t_proc_create(&req, &pid));
	CHECK_OK(t_res_lookup(RT_PROCESS, name, &rid));
	CHECK_EQ(rid, rid_of_pid(pid));
	CHECK_ERR(t_res_lookup(RT_PROCESS, "no-such-resource", &rid), ENOENT);
	CHECK_ERR(t_res_lookup(RT_PROGRAM, name, &rid), ENOENT);
	CHECK_ERR(t_res_lookup(RT_PROCESS, "", &rid), EINVAL);
	long r = t_res_lookup(RT_PROCESS, "a-name-that-is-longer-than-the-limit-of-32", &rid);
	CHECK(r == -ENAMETOOLONG || r == -ENOENT || r == -EINVAL);   /* no such name can exist */
	CHECK_OK(t_res_lookup(RT_PLATE, "/bin/sh", &plate));
	struct t_res_info in;
	struct stat st;
	info_of(plate, &in);
	CHECK_OK(stat("/bin/sh", &st));
	CHECK_EQ(in.v[0], st.st_size);
	CHECK_EQ(in.v[1], 0);
	expect_exit0(pid);
	CHECK_ERR(t_res_lookup(RT_PROCESS, name, &rid), ENOENT);
}

static int rid_before(rid_t a, rid_t b)
{
	if (RID_TYPE(a) != RID_TYPE(b))
		return RID_TYPE(a) < RID_TYPE(b);
	return RID_INDEX(a) < RID_INDEX(b);
}

static void res_walk(void)
{
	struct t_kstat k0, k1;
	uint32_t count[RT_NTYPES] = { 0 };
	rid_t rid = 0, prev = 0, self = rid_of_pid(getpid());
	int found_self = 0, err;
	CHECK_OK(t_kstat(&k0));
	while ((err = t_res_next(RT_NONE, rid, &rid)) == 0) {
		CHECK(RID_TYPE(rid) > RT_NONE && RID_TYPE(rid) < RT_NTYPES);
		CHECK(prev == 0 || rid_before(prev, rid));
		count[RID_TYPE(rid)]++;
		found_self |= rid == self;
		prev = rid;
	}
	CHECK_ERR(err, ENOENT);
	CHECK_OK(t_kstat(&k1));
	CHECK(found_self);
	for (uint32_t t = 1; t < RT_NTYPES; t++)
		if (k0.res_count[t] == k1.res_count[t])
			CHECK_EQ(count[t], k0.res_count[t]);
	/* one type only */
	uint32_t procs = 0;
	for (rid = 0; t_res_next(RT_PROCESS, rid, &rid) == 0; procs++)
		CHECK_EQ(RID_TYPE(rid), RT_PROCESS);
	CHECK(procs >= 2);
	CHECK_ERR(t_res_next(RT_PROCESS, prev, &rid), ENOENT);
}

static void kstat_sane(void)
{
	struct t_kstat k, k2;
	CHECK_OK(t_kstat(&k));
	CHECK(k.pages_total > 0);
	CHECK(k.pages_free <= k.pages_total);
	CHECK(k.hz >= 10 && k.hz <= 10000);
	CHECK(k.res_count[RT_PROCESS] >= 2);
	CHECK(k.res_count[RT_PLATE] >= 10);
	struct timespec ts = { 0, 100000000 };
	nanosleep(&ts, NULL);
	CHECK_OK(t_kstat(&k2));
	CHECK(k2.ticks >= k.ticks + k.hz / 20);
	CHECK_EQ(k2.pages_total, k.pages_total);
}

/* An ordinary user may refer to root's resources but not change or delete them. */
static void res_denied(void)
{
	struct t_res_info in;
	rid_t init = rid_of_pid(1), plate;
	CHECK_OK(t_res_lookup(RT_PLATE, "/bin/sh", &plate));
	CHECK_OK(tsys_setuid(1000));
	CHECK_EQ(getuid(), 1000);
	const rid_t targets[] = { init, plate };
	for (size_t i = 0; i < 2; i++) {
		info_of(targets[i], &in);
		CHECK_EQ(in.owner, 0);
		CHECK_ERR(t_res_changemod(targets[i], TMODE(TOP_ALL, TOP_ALL, TOP_ALL)), EACCES);
		CHECK_ERR(t_res_changeoid(targets[i], 1000, 0), EACCES);
		CHECK_ERR(t_res_changeoid(targets[i], 1000, 1), EACCES);
		CHECK_ERR(t_res_delete(targets[i]), EACCES);
		info_of(targets[i], &in);
		CHECK_EQ(in.owner, 0);
	}
	CHECK_ERR(tsys_setuid(0), EPERM);
}

/* Deleting a live process that belongs to someone else is refused and harms nothing. */
static void res_delete_other(void)
{
	struct t_res_info in;
	int pid = sleeper("500");
	rid_t rid = rid_of_pid(pid);
	CHECK_OK(tsys_setuid(1000));
	CHECK_ERR(t_res_delete(rid), EACCES);
	CHECK_ERR(t_res_changemod(rid, TMODE_DEFAULT), EACCES);
	info_of(rid, &in);
	CHECK(in.v[2] != TPS_ZOMBIE);
	expect_exit0(pid);
}

/* The owner (not root) of a resource may change its mode and give it away. */
static void res_owner_ops(void)
{
	struct t_res_info in;
	CHECK_OK(tsys_setuid(1000));
	int pid = sleeper("800");
	rid_t rid = rid_of_pid(pid);
	info_of(rid, &in);
	CHECK_EQ(in.owner, 1000);
	uint32_t mode = TMODE(TOP_ALL, TOP_REFER, 0);
	CHECK_OK(t_res_changemod(rid, mode));
	info_of(rid, &in);
	CHECK_EQ(in.mode, mode);
	CHECK_ERR(t_res_changemod(rid, 0x10000), EINVAL);
	CHECK_OK(t_res_changeoid(rid, 2000, 0));
	info_of(rid, &in);
	CHECK_EQ(in.owner, 2000);
	CHECK_ERR(t_res_changemod(rid, TMODE_DEFAULT), EACCES);
	CHECK_ERR(t_res_changeoid(rid, 1000, 0), EACCES);
	expect_exit0(pid);
}

static void res_root_ops(void)
{
	struct t_res_info in;
	rid_t self = rid_of_pid(getpid());
	info_of(self, &in);
	uint32_t old = in.mode, mode = TMODE(TOP_ALL, 0, TOP_REFER);
	CHECK_OK(t_res_changemod(self, mode));
	info_of(self, &in);
	CHECK_EQ(in.mode, mode);
	char buf[T_MODE_STR_LEN];
	CHECK(strcmp(t_mode_str(in.mode, buf), "rumdv/-----/r----") == 0);
	CHECK_ERR(t_res_changemod(self, 0xffffffffu), EINVAL);
	CHECK_OK(t_res_changemod(self, old));
	CHECK_OK(t_res_changeoid(self, 5, 0));
	info_of(self, &in);
	CHECK_EQ(in.owner, 5);
	CHECK_OK(t_res_changeoid(self, 0, 0));
}

/* changeoid with flag != 0 also gives away the space and the execution of a process. */
static void res_changeoid_flag(void)
{
	struct t_res_info in, part;
	int pid = sleeper("800");
	rid_t rid = rid_of_pid(pid);
	CHECK_OK(t_res_changeoid(rid, 77, 1));
	info_of(rid, &in);
	CHECK_EQ(in.owner, 77);
	info_of(ref_of(&in, RT_VSPACE), &part);
	CHECK_EQ(part.owner, 77);
	info_of(ref_of(&in, RT_EXEC), &part);
	CHECK_EQ(part.owner, 77);
	expect_exit0(pid);
}

static void res_stale_after_reap(void)
{
	struct t_res_info in;
	const char *argv[] = { "true", NULL };
	int pid = ut_spawn("/bin/true", argv);
	rid_t rid = rid_of_pid(pid);
	info_of(rid, &in);
	CHECK_EQ(in.v[0], pid);
	CHECK_EQ(in.v[1], getpid());
	CHECK_EQ(ut_wait(pid), 0);
	CHECK_ERR(t_res_info(rid, &in), ESTALE);
	CHECK_ERR(t_res_delete(rid), ESTALE);
	CHECK_ERR(t_res_changemod(rid, TMODE_DEFAULT), ESTALE);
	CHECK_ERR(t_proc_rid(pid, &rid), ESRCH);
}

static void res_plate_delete(void)
{
	char path[T_NAME_MAX];
	rid_t plate, tmp;
	struct t_res_info in;
	CHECK_OK(t_res_lookup(RT_PLATE, "/proc/meminfo", &plate));
	CHECK_ERR(t_res_delete(plate), EROFS);
	snprintf(path, sizeof(path), "/tmp/utp.%d", getpid());
	long fd = tsys_open((long)path, O_CREAT | O_RDWR | O_EXCL, 0644);
	CHECK_OK(fd);
	CHECK_EQ(tsys_write(fd, (long)"plate", 5), 5);
	CHECK_OK(t_res_lookup(RT_PLATE, path, &tmp));
	info_of(tmp, &in);
	CHECK_EQ(in.v[0], 5);
	CHECK_ERR(t_res_delete(tmp), EBUSY);
	CHECK_OK(tsys_close(fd));
	CHECK_OK(t_res_delete(tmp));
	CHECK_ERR(tsys_open((long)path, O_RDONLY, 0), ENOENT);
	CHECK_ERR(t_res_info(tmp, &in), ESTALE);
}

static void set_prio(void)
{
	struct t_res_info in, ex;
	rid_t self = rid_of_pid(getpid());
	info_of(self, &in);
	rid_t exec = ref_of(&in, RT_EXEC);
	info_of(exec, &ex);
	uint64_t old = ex.v[1];
	CHECK(old <= 7);
	CHECK_OK(t_set_prio(getpid(), 6));
	info_of(exec, &ex);
	CHECK_EQ(ex.v[1], 6);
	CHECK_OK(t_set_prio(getpid(), 2));
	info_of(exec, &ex);
	CHECK_EQ(ex.v[1], 2);
	CHECK_ERR(t_set_prio(getpid(), 8), EINVAL);
	CHECK_ERR(t_set_prio(getpid(), -2), EINVAL);
	CHECK_ERR(t_set_prio(0x7ffffff0, 1), ESRCH);
	CHECK_OK(t_set_prio(getpid(), (int)old));
	CHECK_OK(tsys_setuid(1000));
	CHECK_ERR(t_set_prio(1, 0), EACCES);
}

const struct utest ut_res_tests[] = {
	{ "res_self", res_self },
	{ "res_lookup", res_lookup },
	{ "res_walk", res_walk },
	{ "kstat_sane", kstat_sane },
	{ "res_denied", res_denied },
	{ "res_delete_other", res_delete_other },
	{ "res_owner_ops", res_owner_ops },
	{ "res_root_ops", res_root_ops },
	{ "res_changeoid_flag", res_changeoid_flag },
	{ "res_stale_after_reap", res_stale_after_reap },
	{ "res_plate_delete", res_plate_delete },
	{ "set_prio", set_prio },
	{ NULL, NULL },
};
