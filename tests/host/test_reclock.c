// HOST-TEST-SOURCES: kernel/fs/reclock.c
/*
 * Host tests of fcntl record locks (kernel/fs/reclock.c) without waiting: ranges as fcntl
 * gives them, splitting and merging an owner's locks, conflicts between processes and open
 * files, the bound on their number (ENOLCK leaves everything as it was), release at close,
 * at exit and with the open file. The kernel heap is the C library's (counted); nothing here
 * may sleep, so sleep_on fails the test.
 */
#include "kernel/fs/reclock.h"
#include "abi/errno.h"
#include "abi/linux.h"
#include "kernel/fs/file.h"
#include "kernel/fs/plate.h"
#include "kernel/mm/kmalloc.h"
#include "kernel/proc/exec.h"
#include "kernel/proc/proc.h"
#include "tests/host/harness.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long live_allocs;
static bool slept;

void *kmalloc(size_t size)
{
	void *p = size <= 4096 ? malloc(size) : NULL;
	live_allocs += p != NULL;
	return p;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);
	if (p)
		memset(p, 0, size);
	return p;
}

void kfree(void *p)
{
	live_allocs -= p != NULL;
	free(p);
}

/* no process runs: proc_cur() is NULL */
rid_t exec_current_rid, proc_cache_exec;
struct proc *proc_cache;
struct thread *exec_current_thread;

struct proc *proc_cur_slow(void)
{
	return NULL;
}

void sleep_on(const void *chan, uint64_t deadline_ns)
{
	(void)chan, (void)deadline_ns;
	slept = true;
}

void wakeup(const void *chan)
{
	(void)chan;
}

uint64_t plate_size(rid_t plate)
{
	return plate == 7 ? 4096 : 0;
}

static struct file file_on(rid_t plate, int flags)
{
	return (struct file){ .refs = 1, .flags = flags, .plate = plate };
}

static int lk(struct file *f, int pid, int cmd, int type, int whence, int64_t start, int64_t len)
{
	struct linux_flock fl = { .l_type = (int16_t)type, .l_whence = (int16_t)whence,
				  .l_start = start, .l_len = len };
	return reclock_fcntl(f, pid, cmd, &fl);
}

/* F_GETLK of a write lock over start, len by pid as "T start len pid", or "U". */
static const char *probe(struct file *f, int pid, int64_t start, int64_t len)
{
	static char out[64];
	struct linux_flock fl = { .l_type = L_F_WRLCK, .l_whence = L_SEEK_SET, .l_start = start,
				  .l_len = len };
	int err = reclock_fcntl(f, pid, L_F_GETLK, &fl);
	if (err)
		snprintf(out, sizeof(out), "error %d", err);
	else if (fl.l_type == L_F_UNLCK)
		snprintf(out, sizeof(out), "U");
	else
		snprintf(out, sizeof(out), "%c %lld %lld %d", fl.l_type == L_F_WRLCK ? 'W' : 'R',
			 (long long)fl.l_start, (long long)fl.l_len, fl.l_pid);
	return out;
}

TEST(reclock_split_merge_and_ranges)
{
	struct file f = file_on(7, L_O_RDWR);
	CHECK_EQ(lk(&f, 10, L_F_SETLK, L_F_WRLCK, L_SEEK_SET, 0, 100), 0);
	CHECK_EQ(lk(&f, 10, L_F_SETLK, L_F_UNLCK, L_SEEK_SET, 40, 20), 0);
	CHECK_EQ(reclock_count(), 2);
	CHECK_STR(probe(&f, 11, 40, 20), "U");
	CHECK_STR(probe(&f, 11, 0, 0), "W 0 40 10");
	CHECK_STR(probe(&f, 11, 50, 0), "W 60 40 10");
	CHECK_EQ(lk(&f, 10, L_F_SETLK, L_F_RDLCK, L_SEEK_SET, 30, 40), 0);
	CHECK_EQ(reclock_count(), 3);
	CHECK_STR(probe(&f, 11, 35, 1), "R 30 40 10");
	CHECK_EQ(lk(&f, 10, L_F_SETLK, L_F_WRLCK, L_SEEK_SET, 30, 40), 0);   /* merged again */
	CHECK_EQ(reclock_count(), 1);
	CHECK_STR(probe(&f, 11, 0, 0), "W 0 100 10");
	CHECK_EQ(lk(&f, 10, L_F_SETLK, L_F_WRLCK, L_SEEK_SET, 100, 0), 0);   /* touching: one */
	CHECK_EQ(reclock_count(), 1);
	CHECK_STR(probe(&f, 11, 1000, 1), "W 0 0 10");
	CHECK_EQ(lk(&f, 10, L_F_SETLK, L_F_UNLCK, L_SEEK_SET, 0, 0), 0);
	CHECK_EQ(reclock_count(), 0);
	f.off = 50;
	CHECK_EQ(lk(&f, 10, L_F_SETLK, L_F_WRLCK, L_SEEK_CUR, -10, -5), 0);  /* 35..39 */
	CHECK_STR(probe(&f, 11, 0, 0), "W 35 5 10");
	CHECK_EQ(lk(&f, 10, L_F_SETLK, L_F_WRLCK, L_SEEK_END, 0, 1), 0);     /* 4096 */
	CHECK_STR(probe(&f, 11, 4000, 0), "W 4096 1 10");
	CHECK_EQ(lk(&f, 10, L_F_SETLK, L_F_WRLCK, L_SEEK_SET, -1, 1), -EINVAL);
	CHECK_EQ(lk(&f, 10, L_F_SETLK, L_F_WRLCK, L_SEEK_SET, 5, -6), -EINVAL);
	CHECK_EQ(lk(&f, 10, L_F_SETLK, L_F_WRLCK, L_SEEK_SET, INT64_MAX, 2), -EOVERFLOW);
	CHECK_EQ(lk(&f, 10, L_F_SETLK, L_F_WRLCK, 3, 0, 1), -EINVAL);
	CHECK_EQ(lk(&f, 10, L_F_SETLK, 5, L_SEEK_SET, 0, 1), -EINVAL);
	reclock_close(&f, 10);
	CHECK_EQ(reclock_count(), 0);
	CHECK_EQ(live_allocs, 0);
	CHECK(!slept);
}

TEST(reclock_conflicts_owners_and_release)
{
	struct file a = file_on(7, L_O_RDWR), b = file_on(7, L_O_RDWR), ro = file_on(7, L_O_RDONLY);
	struct file other = file_on(8, L_O_RDWR);
	CHECK_EQ(lk(&a, 10, L_F_SETLK, L_F_RDLCK, L_SEEK_SET, 0, 10), 0);
	CHECK_EQ(lk(&b, 11, L_F_SETLK, L_F_RDLCK, L_SEEK_SET, 5, 10), 0);    /* read + read */
	CHECK_EQ(lk(&b, 11, L_F_SETLK, L_F_WRLCK, L_SEEK_SET, 5, 1), -EAGAIN);
	CHECK_EQ(lk(&b, 10, L_F_SETLK, L_F_WRLCK, L_SEEK_SET, 5, 1), -EAGAIN);  /* 11's read */
	CHECK_EQ(lk(&other, 11, L_F_SETLK, L_F_WRLCK, L_SEEK_SET, 0, 0), 0);  /* another file */
	CHECK_EQ(lk(&ro, 12, L_F_SETLK, L_F_WRLCK, L_SEEK_SET, 0, 1), -EBADF);
	CHECK_EQ(lk(&a, 12, L_F_OFD_SETLK, L_F_WRLCK, L_SEEK_SET, 20, 5), 0);
	CHECK_EQ(lk(&a, 10, L_F_SETLK, L_F_WRLCK, L_SEEK_SET, 22, 1), -EAGAIN);  /* OFD's */
	CHECK_EQ(lk(&b, 0, L_F_OFD_SETLK, L_F_WRLCK, L_SEEK_SET, 22, 1), -EAGAIN);
	CHECK_STR(probe(&b, 11, 20, 1), "W 20 5 -1");
	reclock_exit(11);                          /* 11's locks go, on both files */
	CHECK_EQ(lk(&b, 10, L_F_SETLK, L_F_WRLCK, L_SEEK_SET, 5, 5), 0);
	CHECK_EQ(lk(&other, 10, L_F_SETLK, L_F_WRLCK, L_SEEK_SET, 0, 0), 0);
	reclock_release(&a);                       /* the OFD lock goes with its file */
	CHECK_STR(probe(&b, 11, 20, 5), "U");
	reclock_close(&b, 10);                     /* any close of the file by 10 */
	CHECK_STR(probe(&b, 11, 0, 0), "U");
	CHECK_STR(probe(&other, 11, 0, 0), "W 0 0 10");
	reclock_close(&other, 10);
	CHECK_EQ(reclock_count(), 0);
	CHECK_EQ(live_allocs, 0);
	CHECK(!slept);
}

TEST(reclock_bounded_count)
{
	struct file f = file_on(7, L_O_RDWR);
	CHECK_EQ(lk(&f, 10, L_F_SETLK, L_F_WRLCK, L_SEEK_SET, 0, 10), 0);
	int64_t n = 0;
	while (lk(&f, 10, L_F_SETLK, L_F_WRLCK, L_SEEK_SET, 20 + 2 * n, 1) == 0)
		n++;
	CHECK_EQ(n, RECLOCK_MAX - 1);
	CHECK_EQ(reclock_count(), RECLOCK_MAX);
	CHECK_EQ(lk(&f, 10, L_F_SETLK, L_F_UNLCK, L_SEEK_SET, 4, 1), -ENOLCK);   /* a split */
	CHECK_EQ(lk(&f, 10, L_F_SETLK, L_F_WRLCK, L_SEEK_SET, 2, 5), 0);   /* held: no change */
	CHECK_STR(probe(&f, 11, 4, 1), "W 0 10 10");
	CHECK_EQ(lk(&f, 10, L_F_SETLK, L_F_WRLCK, L_SEEK_SET, 20, 2), 0);  /* 20-21 touches 22 */
	CHECK_EQ(reclock_count(), RECLOCK_MAX - 1);
	CHECK_EQ(lk(&f, 10, L_F_SETLK, L_F_UNLCK, L_SEEK_SET, 0, 0), 0);
	CHECK_EQ(reclock_count(), 0);
	CHECK_EQ(live_allocs, 0);
}
