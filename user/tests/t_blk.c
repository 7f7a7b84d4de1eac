/*
 * The block driver (drivers/virtio-blk) and /dev/vda, in the guest: information, bad
 * requests answered with clear errors, reads and writes with many requests in flight, the
 * /dev/vda file (unaligned transfers, seeking, the size ioctls, fsync), and the driver killed
 * in the middle of I/O: every waiting caller gets EIO at once, /dev/vda answers ENXIO/EIO
 * instead of hanging, and a restarted driver serves again. The tests write only in the last
 * MiB of the disk. If no driver serves unit 0 (a boot without init's table), a test starts
 * one and stops it again, so nothing is left behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "abi/srv.h"
#include "blkpat.h"
#include "libtessera.h"
#include "tsys.h"
#include "utest.h"

#define BLKGETSIZE64_ 0x80081272ul
#define BLKSSZGET_ 0x1268ul
#define NKILL 8                /* async requests in flight when the driver is killed */
#define DEADLINE_NS (10ll * 1000000000)

static int driver_pid(void)
{
	struct t_fn_stat st[64];
	uint32_t total = 0;
	long n = tsys_t_srv_stat((long)st, 64, (long)&total);
	for (long i = 0; i < n; i++)
		if (st[i].fn == TFN_BLK_READ)
			return st[i].pid;
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	nanosleep(&ts, NULL);
}

/* Starts the driver with -r and waits until it has registered unit 0. */
static int start_driver(void)
{
	const char *argv[] = { "virtio-blk", "-r", NULL };
	int pid = ut_spawn("/drivers/virtio-blk", argv);
	for (int64_t end = ut_now_ns() + DEADLINE_NS; ut_now_ns() < end; sleep_ms(5)) {
		if (driver_pid() == pid)
			return pid;
		int st;
		if (t_proc_wait(pid, &st, TW_NOHANG) == pid)
			FAIL("virtio-blk exited (status %#x): no disk?", st);
	}
	FAIL("virtio-blk did not register unit 0");
}

/* `svc start virtio-blk` (the driver's line of /etc/svc.conf), then the new driver's pid. */
static int svc_restart(void)
{
	const char *argv[] = { "svc", "start", "virtio-blk", NULL };
	CHECK_EQ(ut_run("/bin/svc", argv), 0);
	for (int64_t end = ut_now_ns() + DEADLINE_NS; ut_now_ns() < end; sleep_ms(5))
		if (driver_pid())
			return driver_pid();
	FAIL("svc start virtio-blk: unit 0 not served");
}

/* The pid serving unit 0; *ours says whether this test started it (and must stop it). */
static int need_driver(bool *ours)
{
	int pid = driver_pid();
	*ours = !pid;
	return pid ? pid : start_driver();
}

static void stop_driver(int pid)
{
	CHECK_OK(kill(pid, SIGKILL));
	ut_wait(pid);
}

static int call(uint32_t fn, rid_t data, uint64_t a0, uint64_t a1, struct t_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->fn = fn;
	m->data = data;
	m->arg[0] = a0;
	m->arg[1] = a1;
	return (int)tsys_t_srv_call((long)m);
}

static uint64_t capacity(void)
{
	struct t_msg m;
	CHECK_OK(call(TFN_BLK_INFO, 0, 0, 0, &m));
	CHECK_EQ(m.arg[1], 512);
	CHECK(m.arg[0] >= 4096);
	return m.arg[0];
}

static void blk_info(void)
{
	bool ours;
	int pid = need_driver(&ours);
	struct t_msg m;
	CHECK_OK(call(TFN_BLK_INFO, 0, 0, 0, &m));
	CHECK(m.arg[0] >= 4096);
	CHECK_EQ(m.arg[1], 512);
	CHECK_EQ(m.pid, pid);
	if (ours)
		stop_driver(pid);
}

static void blk_bad_requests(void)
{
	bool ours;
	int pid = need_driver(&ours);
	uint64_t cap = capacity();
	struct t_ica ica;
	struct t_msg m;
	CHECK_OK(tsys_t_ica_create(1, 0, (long)&ica));
	CHECK_ERR(call(TFN_BLK_READ, ica.rid, cap, 1, &m), ERANGE);         /* past the end */
	CHECK_ERR(call(TFN_BLK_READ, ica.rid, cap - 1, 2, &m), ERANGE);     /* across it */
	CHECK_ERR(call(TFN_BLK_WRITE, ica.rid, UINT64_MAX, 2, &m), ERANGE); /* wraps */
	CHECK_ERR(call(TFN_BLK_READ, ica.rid, 0, 0, &m), EINVAL);           /* no sectors */
	CHECK_ERR(call(TFN_BLK_READ, ica.rid, 0, 9, &m), EINVAL);           /* ICA too small */
	CHECK_ERR(call(TFN_BLK_WRITE, ica.rid, 0, 1ull << 40, &m), EINVAL);  /* absurd count */
	CHECK_ERR(call(TFN_BLK_READ, 0, 0, 1, &m), EINVAL);                 /* no data ICA */
	/* every bad request left the ICA with its caller, and the driver still serves */
	CHECK_OK(call(TFN_BLK_READ, ica.rid, cap - 8, 8, &m));
	CHECK_EQ(m.arg[0], 8);
	CHECK_EQ(m.data, ica.rid);
	CHECK_OK(t_res_delete(ica.rid));
	CHECK_EQ(driver_pid(), pid);
	if (ours)
		stop_driver(pid);
}

/* n regions of the last MiB, each with its own ICA, all in flight at once. */
static void rw_regions(uint32_t fn, struct t_ica *ica, int n, uint64_t first, uint64_t count)
{
	uint64_t ids[16];
	for (int i = 0; i < n; i++) {
		struct t_msg m = { .fn = fn, .data = ica[i].rid };
		m.arg[0] = first + (uint64_t)i * count;
		m.arg[1] = count;
		CHECK_OK(tsys_t_srv_send((long)&m, (long)&ids[i]));
	}
	for (int i = 0; i < n; i++) {
		struct t_msg r;
		CHECK_OK(tsys_t_srv_result((long)&r, 0));
		CHECK_EQ(r.status, 0);
		CHECK_EQ(r.arg[0], count);
		int k = 0;
		while (k < n && ids[k] != r.id)
			k++;
		CHECK(k < n);
		CHECK_EQ(r.data, ica[k].rid);
		CHECK_EQ(r.data_addr, ica[k].addr);
	}
}

static void blk_rw_inflight(void)
{
	bool ours;
	int pid = need_driver(&ours);
	uint64_t first = capacity() - 2048, count = 256;   /* 8 x 128 KiB */
	struct t_ica ica[8];
	for (int i = 0; i < 8; i++) {
		CHECK_OK(tsys_t_ica_create(32, 0, (long)&ica[i]));
		blkpat_fill((void *)(uintptr_t)ica[i].addr, 77, first + i * count, count);
	}
	rw_regions(TFN_BLK_WRITE, ica, 8, first, count);
	for (int i = 0; i < 8; i++)
		memset((void *)(uintptr_t)ica[i].addr, 0, count * 512);
	rw_regions(TFN_BLK_READ, ica, 8, first, count);
	static uint64_t want[64];
	for (int i = 0; i < 8; i++) {
		for (uint64_t s = 0; s < count; s++) {
			blkpat_sector(77, first + i * count + s, want);
			if (memcmp((char *)(uintptr_t)ica[i].addr + s * 512, want, 512))
				FAIL("region %d sector %llu differs", i, (unsigned long long)s);
		}
		CHECK_OK(t_res_delete(ica[i].rid));
	}
	struct t_msg m;
	CHECK_OK(call(TFN_BLK_FLUSH, 0, 0, 0, &m));
	if (ours)
		stop_driver(pid);
}

static void vda_unaligned(int fd, off_t base)
{
	static char buf[3000], back[3000];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 7 + 3);
	/* sector-aligned background, then 3000 bytes at an odd offset across 7 sectors */
	static char zero[4096];
	CHECK_EQ(pwrite(fd, zero, sizeof(zero), base), (long)sizeof(zero));
	CHECK_EQ(pwrite(fd, buf, sizeof(buf), base + 301), (long)sizeof(buf));
	CHECK_EQ(pread(fd, back, sizeof(back), base + 301), (long)sizeof(back));
	CHECK(!memcmp(buf, back, sizeof(buf)));
	CHECK_EQ(pread(fd, back, 301, base), 301);                        /* neighbours kept */
	for (int i = 0; i < 301; i++)
		CHECK_EQ(back[i], 0);
	CHECK_EQ(pread(fd, back, 4096 - 3301, base + 3301), 4096 - 3301);
	for (int i = 0; i < 4096 - 3301; i++)
		CHECK_EQ(back[i], 0);
}

static void blk_vda(void)
{
	bool ours;
	int pid = need_driver(&ours);
	uint64_t bytes = capacity() * 512, size = 0;
	int ssz = 0;
	int fd = open("/dev/vda", O_RDWR);
	CHECK_OK(fd);
	CHECK_OK(ioctl(fd, BLKGETSIZE64_, &size));
	CHECK_EQ(size, bytes);
	CHECK_OK(ioctl(fd, BLKSSZGET_, &ssz));
	CHECK_EQ(ssz, 512);
	CHECK_EQ(lseek(fd, 0, SEEK_END), (long)bytes);
	CHECK_ERR(lseek(fd, 1, SEEK_END) < 0 ? -errno : 0, EINVAL);
	char c;
	CHECK_EQ(read(fd, &c, 1), 0);                                  /* at the end */
	CHECK_ERR(write(fd, &c, 1) < 0 ? -errno : 0, ENOSPC);
	vda_unaligned(fd, (off_t)bytes - 8192);
	CHECK_EQ(lseek(fd, (off_t)bytes - 100, SEEK_SET), (long)bytes - 100);
	static char big[1000];
	CHECK_EQ(read(fd, big, sizeof(big)), 100);                     /* cut at the end */
	CHECK_OK(fsync(fd));
	CHECK_ERR(pread(fd, big, 10, -1) < 0 ? -errno : 0, EINVAL);
	CHECK_ERR(pread(fd, (void *)1, 10, 0) < 0 ? -errno : 0, EFAULT);
	CHECK_OK(close(fd));
	if (ours)
		stop_driver(pid);
}

/* A sync caller in another process: reads 1 MiB once the parent says so; exits 0 if the
 * call was answered with EIO, 3 if with success, 1 otherwise. */
static int sync_caller(int ready)
{
	struct t_ica ica;
	struct t_msg m;
	if (tsys_t_ica_create(256, 0, (long)&ica) < 0)
		_exit(1);
	if (write(ready, "x", 1) != 1)
		_exit(1);
	int st = call(TFN_BLK_READ, ica.rid, 0, 2048, &m);
	_exit(st == -EIO ? 0 : st == 0 ? 3 : 1);
}

/* Sends NKILL 512-KiB reads, kills the driver, and collects every answer by a deadline:
 * each 0 (done before the kill) or EIO; returns how many were EIO. */
static int kill_with_requests(int pid, struct t_ica *ica)
{
	uint64_t id;
	for (int i = 0; i < NKILL; i++) {
		struct t_msg m = { .fn = TFN_BLK_READ, .data = ica[i].rid };
		m.arg[0] = (uint64_t)i * 1024;
		m.arg[1] = 1024;
		CHECK_OK(tsys_t_srv_send((long)&m, (long)&id));
	}
	CHECK_OK(kill(pid, SIGKILL));
	int eio = 0, got = 0;
	for (int64_t end = ut_now_ns() + DEADLINE_NS; got < NKILL && ut_now_ns() < end;) {
		struct t_msg r;
		long err = tsys_t_srv_result((long)&r, TSRV_NONBLOCK);
		if (err == -EAGAIN) {
			sleep_ms(1);
			continue;
		}
		CHECK_OK(err);
		CHECK(r.status == 0 || r.status == -EIO);
		eio += r.status == -EIO;
		got++;
	}
	CHECK_EQ(got, NKILL);
	return eio;
}

static void blk_kill_inflight(void)
{
	bool ours;
	int pid = need_driver(&ours);
	int fd = open("/dev/vda", O_RDONLY), p[2];
	CHECK_OK(fd);
	struct t_ica ica[NKILL];
	for (int i = 0; i < NKILL; i++)
		CHECK_OK(tsys_t_ica_create(128, 0, (long)&ica[i]));
	CHECK_OK(pipe(p));
	int child = fork();
	CHECK_OK(child);
	if (child == 0)
		sync_caller(p[1]);
	char c;
	CHECK_EQ(read(p[0], &c, 1), 1);
	sleep_ms(2);                   /* the child is in its call */
	int eio = kill_with_requests(pid, ica);
	CHECK(eio >= 1);
	int st;
	CHECK_EQ(waitpid(child, &st, 0), child);
	CHECK(WIFEXITED(st) && (WEXITSTATUS(st) == 0 || WEXITSTATUS(st) == 3));
	if (ours)
		ut_wait(pid);
	/* no driver: /dev/vda says so at once */
	CHECK_ERR(read(fd, &c, 1) < 0 ? -errno : 0, EIO);
	CHECK_ERR(open("/dev/vda", O_RDONLY) < 0 ? -errno : 0, ENXIO);
	/* a new driver serves again, the open file included: `svc start` for a driver from
	 * init's table, else one of this test's own */
	int again = ours ? start_driver() : svc_restart();
	CHECK(again != pid);
	struct t_msg m;
	CHECK_OK(call(TFN_BLK_READ, ica[0].rid, 0, 1024, &m));
	CHECK_EQ(read(fd, &c, 1), 1);
	for (int i = 0; i < NKILL; i++)
		CHECK_OK(t_res_delete(ica[i].rid));
	close(fd);
	close(p[0]);
	close(p[1]);
	if (ours)
		stop_driver(again);
}

/* Unit 1 on the test boots' second disk, which has no MSI-X (vectors=0, Makefile): the
 * driver's INTx path, where it reads the ISR and acknowledges each interrupt. */
static void blk_intx_unit1(void)
{
	const uint32_t u1 = TFN_BLK_STRIDE;
	const char *argv[] = { "virtio-blk", "-u", "1", "-r", NULL };
	int pid = ut_spawn("/drivers/virtio-blk", argv);
	struct t_msg m;
	int err = -ENOENT;
	for (int64_t end = ut_now_ns() + DEADLINE_NS; err == -ENOENT && ut_now_ns() < end;
	     sleep_ms(5))
		err = call(TFN_BLK_INFO + u1, 0, 0, 0, &m);
	CHECK_OK(err);
	uint64_t cap = m.arg[0];
	CHECK(cap >= 64);
	struct t_ica ica;
	CHECK_OK(tsys_t_ica_create(8, 0, (long)&ica));
	for (int round = 0; round < 20; round++) {
		uint64_t s = cap - 64 + (uint64_t)(round % 8) * 8;
		blkpat_fill((void *)(uintptr_t)ica.addr, 9 + round, s, 8);
		CHECK_OK(call(TFN_BLK_WRITE + u1, ica.rid, s, 8, &m));
		memset((void *)(uintptr_t)ica.addr, 0, 4096);
		CHECK_OK(call(TFN_BLK_READ + u1, ica.rid, s, 8, &m));
		static uint64_t want[512];
		blkpat_fill(want, 9 + round, s, 8);
		CHECK(!memcmp((void *)(uintptr_t)ica.addr, want, 4096));
	}
	CHECK_OK(t_res_delete(ica.rid));
	stop_driver(pid);
}

const struct utest ut_blk_tests[] = {
	{ "blk_intx_unit1", blk_intx_unit1 },
	{ "blk_info", blk_info },
	{ "blk_bad_requests", blk_bad_requests },
	{ "blk_rw_inflight", blk_rw_inflight },
	{ "blk_vda", blk_vda },
	{ "blk_kill_inflight", blk_kill_inflight },
	{ NULL, NULL },
};
