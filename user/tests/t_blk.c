/*
 * The block driver (drivers/virtio-blk) and the block-device files, in the guest. Unit 0
 * (/dev/vda) is the driver init starts at boot; it is only asked for its size here, so the
 * tests leave it as it was. Everything else runs on unit 1 (/dev/vdb): the test boots'
 * second disk, which has no MSI-X (so this is the driver's INTx path), served by the
 * service virtio-blk1 of /etc/svc.conf (boot=no) that each test starts and stops with svc:
 * bad requests answered with clear errors, reads and writes with many requests in flight,
 * the /dev/vdb file (unaligned transfers, seeking, the size ioctls, fsync), and the driver
 * killed in the middle of I/O: every waiting caller gets EIO at once, the device file answers
 * ENXIO/EIO instead of hanging, and `svc start` brings the service back.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
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
#define U1 TFN_BLK_STRIDE          /* unit 1's function ids: TFN_BLK_* + U1 */
#define NKILL 8                    /* async requests in flight when the driver is killed */
#define DEADLINE_NS (10ll * 1000000000)

/* The pid serving fn, 0 if nobody does. */
static int server_of(uint32_t fn)
{
	struct t_fn_stat st[64];
	uint32_t total = 0;
	long n = tsys_t_srv_stat((long)st, 64, (long)&total);
	for (long i = 0; i < n; i++)
		if (st[i].fn == fn)
			return st[i].pid;
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	nanosleep(&ts, NULL);
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

static void svc(const char *op)
{
	const char *argv[] = { "svc", op, "virtio-blk1", NULL };
	CHECK_EQ(ut_run("/bin/svc", argv), 0);
}

/* `svc start virtio-blk1`, then waits until its driver has the device going (it answers
 * info: requests sent before that simply wait in its queue, but the tests want its pid). */
static int unit1_up(void)
{
	struct t_msg m;
	svc("start");
	int pid = server_of(TFN_BLK_INFO + U1);
	CHECK(pid > 0);
	CHECK_OK(call(TFN_BLK_INFO + U1, 0, 0, 0, &m));
	CHECK_EQ(m.pid, pid);
	return pid;
}

static void unit1_down(void)
{
	svc("stop");
	CHECK_EQ(server_of(TFN_BLK_READ + U1), 0);
}

static uint64_t capacity(uint32_t unit_fn)
{
	struct t_msg m;
	CHECK_OK(call(TFN_BLK_INFO + unit_fn, 0, 0, 0, &m));
	CHECK_EQ(m.arg[1], 512);
	CHECK(m.arg[0] >= 2048);
	return m.arg[0];
}

/* Unit 0 is init's: it answers, and says who it is. */
static void blk_info(void)
{
	int pid = server_of(TFN_BLK_READ);
	struct t_msg m;
	CHECK(pid > 0);
	CHECK_OK(call(TFN_BLK_INFO, 0, 0, 0, &m));
	CHECK(m.arg[0] >= 2048);
	CHECK_EQ(m.arg[1], 512);
	CHECK_EQ(m.pid, pid);
}

static void blk_bad_requests(void)
{
	int pid = unit1_up();
	uint64_t cap = capacity(U1);
	struct t_ica ica;
	struct t_msg m;
	CHECK_OK(tsys_t_ica_create(1, 0, (long)&ica));
	CHECK_ERR(call(TFN_BLK_READ + U1, ica.rid, cap, 1, &m), ERANGE);         /* past the end */
	CHECK_ERR(call(TFN_BLK_READ + U1, ica.rid, cap - 1, 2, &m), ERANGE);     /* across it */
	CHECK_ERR(call(TFN_BLK_WRITE + U1, ica.rid, UINT64_MAX, 2, &m), ERANGE); /* wraps */
	CHECK_ERR(call(TFN_BLK_READ + U1, ica.rid, 0, 0, &m), EINVAL);           /* no sectors */
	CHECK_ERR(call(TFN_BLK_READ + U1, ica.rid, 0, 9, &m), EINVAL);           /* ICA too small */
	CHECK_ERR(call(TFN_BLK_WRITE + U1, ica.rid, 0, 1ull << 40, &m), EINVAL);  /* absurd count */
	CHECK_ERR(call(TFN_BLK_READ + U1, 0, 0, 1, &m), EINVAL);                 /* no data ICA */
	CHECK_ERR(call(TFN_BLK_READ + 4 + U1, ica.rid, 0, 1, &m), ENOENT);       /* no such fn */
	/* every bad request left the ICA with its caller, and the driver still serves */
	CHECK_OK(call(TFN_BLK_READ + U1, ica.rid, cap - 8, 8, &m));
	CHECK_EQ(m.arg[0], 8);
	CHECK_EQ(m.data, ica.rid);
	CHECK_OK(t_res_delete(ica.rid));
	CHECK_EQ(server_of(TFN_BLK_READ + U1), pid);
	unit1_down();
}

/* n regions, each with its own ICA, all in flight at once. */
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

/* Eight 64-KiB writes in flight, then eight reads, over the last MiB; a flush. */
static void blk_rw_inflight(void)
{
	unit1_up();
	uint64_t first = capacity(U1) - 1024, count = 128;
	struct t_ica ica[8];
	for (int i = 0; i < 8; i++) {
		CHECK_OK(tsys_t_ica_create(16, 0, (long)&ica[i]));
		blkpat_fill((void *)(uintptr_t)ica[i].addr, 77, first + i * count, count);
	}
	rw_regions(TFN_BLK_WRITE + U1, ica, 8, first, count);
	for (int i = 0; i < 8; i++)
		memset((void *)(uintptr_t)ica[i].addr, 0, count * 512);
	rw_regions(TFN_BLK_READ + U1, ica, 8, first, count);
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
	CHECK_OK(call(TFN_BLK_FLUSH + U1, 0, 0, 0, &m));
	unit1_down();
}

static void vdb_unaligned(int fd, off_t base)
{
	static char buf[3000], back[3000], zero[4096];
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 7 + 3);
	/* sector-aligned background, then 3000 bytes at an odd offset across 7 sectors */
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

static void blk_vdb(void)
{
	unit1_up();
	uint64_t bytes = capacity(U1) * 512, size = 0;
	int ssz = 0;
	int fd = open("/dev/vdb", O_RDWR | O_CLOEXEC);
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
	vdb_unaligned(fd, (off_t)bytes - 8192);
	CHECK_EQ(lseek(fd, 0, SEEK_CUR), (long)bytes);                 /* pread/pwrite kept it */
	CHECK_EQ(lseek(fd, (off_t)bytes - 100, SEEK_SET), (long)bytes - 100);
	static char big[1000];
	CHECK_EQ(read(fd, big, sizeof(big)), 100);                     /* cut at the end */
	CHECK_OK(fsync(fd));
	CHECK_ERR(pread(fd, big, 10, -1) < 0 ? -errno : 0, EINVAL);
	CHECK_ERR(pread(fd, (void *)1, 10, 0) < 0 ? -errno : 0, EFAULT);
	CHECK_OK(close(fd));
	fd = open("/dev/vdb", O_RDONLY | O_CLOEXEC);
	CHECK_OK(fd);
	CHECK_ERR(pwrite(fd, big, 10, 0) < 0 ? -errno : 0, EBADF);
	CHECK_OK(close(fd));
	unit1_down();
}

/* A sync caller in another process: reads the whole unit once the parent says so; exits 0
 * if the call was answered with EIO, 3 if with success, 1 otherwise. */
static _Noreturn void sync_caller(int ready)
{
	struct t_ica ica;
	struct t_msg m;
	if (tsys_t_ica_create(256, 0, (long)&ica) < 0)
		_exit(1);
	if (write(ready, "x", 1) != 1)
		_exit(1);
	int st = call(TFN_BLK_READ + U1, ica.rid, 0, 2048, &m);
	_exit(st == -EIO ? 0 : st == 0 ? 3 : 1);
}

/* Sends NKILL 64-KiB reads, kills the driver, and collects every answer by a deadline:
 * each 0 (done before the kill) or EIO; returns how many were EIO. */
static int kill_with_requests(int pid, struct t_ica *ica)
{
	uint64_t id;
	/* above the driver's priority (2, svc.conf) until the kill, so that it cannot take and
	 * finish every request before it dies: which ones it finishes is then not up to timing */
	CHECK_OK(t_set_prio(getpid(), 1));
	for (int i = 0; i < NKILL; i++) {
		struct t_msg m = { .fn = TFN_BLK_READ + U1, .data = ica[i].rid };
		m.arg[0] = (uint64_t)i * 128;
		m.arg[1] = 128;
		CHECK_OK(tsys_t_srv_send((long)&m, (long)&id));
	}
	CHECK_OK(kill(pid, SIGKILL));
	CHECK_OK(t_set_prio(getpid(), 4));
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
	int pid = unit1_up(), p[2];
	int fd = open("/dev/vdb", O_RDONLY | O_CLOEXEC);
	CHECK_OK(fd);
	struct t_ica ica[NKILL];
	for (int i = 0; i < NKILL; i++)
		CHECK_OK(tsys_t_ica_create(16, 0, (long)&ica[i]));
	CHECK_OK(pipe2(p, O_CLOEXEC));
	int child = fork();
	CHECK_OK(child);
	if (child == 0)
		sync_caller(p[1]);
	char c;
	CHECK_EQ(read(p[0], &c, 1), 1);
	sleep_ms(2);                   /* the child is in its call */
	CHECK(kill_with_requests(pid, ica) >= 1);
	int st;
	CHECK_EQ(waitpid(child, &st, 0), child);
	CHECK(WIFEXITED(st) && (WEXITSTATUS(st) == 0 || WEXITSTATUS(st) == 3));
	/* no driver: the device file says so at once */
	for (int64_t end = ut_now_ns() + DEADLINE_NS; server_of(TFN_BLK_READ + U1);)
		CHECK(ut_now_ns() < end);
	CHECK_ERR(read(fd, &c, 1) < 0 ? -errno : 0, EIO);
	CHECK_ERR(open("/dev/vdb", O_RDONLY) < 0 ? -errno : 0, ENXIO);
	/* svc brings it back, for the open file too */
	CHECK(unit1_up() != pid);
	struct t_msg m;
	CHECK_OK(call(TFN_BLK_READ + U1, ica[0].rid, 0, 128, &m));
	CHECK_EQ(read(fd, &c, 1), 1);
	for (int i = 0; i < NKILL; i++)
		CHECK_OK(t_res_delete(ica[i].rid));
	close(fd);
	close(p[0]);
	close(p[1]);
	unit1_down();
}

const struct utest ut_blk_tests[] = {
	{ "blk_info", blk_info },
	{ "blk_bad_requests", blk_bad_requests },
	{ "blk_rw_inflight", blk_rw_inflight },
	{ "blk_vdb", blk_vdb },
	{ "blk_kill_inflight", blk_kill_inflight },
	{ NULL, NULL },
};
