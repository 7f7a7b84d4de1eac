/*
 * blk_bench: raw sequential read and write of 16 MiB of the first disk, 1 MiB at a time,
 * on Tessera and on Linux (the same static binary; tools/bench_report.py, table L).
 *   both:     /dev/vda with pread/pwrite of 1 MiB (Linux: O_DIRECT, so no page cache;
 *             Tessera's /dev/vda has none)
 *   Tessera:  the driver's function ids: one 1 MiB ICA, one request at a time ("fn"), and
 *             four 1 MiB ICAs kept in flight ("fn4")
 * Each run does every case once (interleaved, so a slow moment of the host hits all of
 * them); the numbers are the medians of RUNS runs, in KiB/s. Writes go to a scratch disk
 * (bench_report.py attaches a fresh image). On Tessera without a driver for unit 0 (a
 * run= boot), it starts /drivers/virtio-blk -r first.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include "abi/srv.h"
#include "abi/tessera.h"
#include "bench/bench_util.h"

enum {
#define SYSCALL(nr, name, nargs) TNR_##name = nr,
#include "abi/syscalls.def"
#undef SYSCALL
};

#define MIB (1u << 20)
#define TOTAL (16u * MIB)
#define RUNS 7
#define INFLIGHT 4
#define BLKGETSIZE64_ 0x80081272ul

enum { C_DEV, C_FN, C_FN4, NCASES };
static const char *const case_name[NCASES] = { "dev", "fn", "fn4" };
static int64_t rd[NCASES][RUNS], wr[NCASES][RUNS];
static struct t_ica ica[INFLIGHT];

static int64_t kibps(int64_t ns)
{
	return ns > 0 ? (int64_t)((double)TOTAL / 1024 * 1e9 / (double)ns) : 0;
}

static int64_t dev_pass(int fd, char *buf, int write)
{
	int64_t t = now_ns();
	for (unsigned off = 0; off < TOTAL; off += MIB) {
		ssize_t n = write ? pwrite(fd, buf, MIB, off) : pread(fd, buf, MIB, off);
		if (n != MIB) {
			printf("blk_bench: /dev/vda %s at %u: %zd (%s)\n", write ? "write" : "read",
			       off, n, strerror(errno));
			exit(1);
		}
	}
	return kibps(now_ns() - t);
}

static void send_chunk(uint32_t fn, int slot, unsigned chunk)
{
	struct t_msg m = { .fn = fn, .data = ica[slot].rid };
	uint64_t id;
	m.arg[0] = (uint64_t)chunk * (MIB / 512);
	m.arg[1] = MIB / 512;
	if (syscall(TNR_t_srv_send, &m, &id) < 0) {
		printf("blk_bench: t_srv_send: %s\n", strerror(errno));
		exit(1);
	}
}

/* 16 chunks with depth requests kept in flight, one ICA each (a result names its ICA,
 * which is free again). */
static int64_t fn_pass(uint32_t fn, int depth)
{
	unsigned next = 0, done = 0, chunks = TOTAL / MIB;
	int64_t t = now_ns();
	for (int s = 0; s < depth; s++)
		send_chunk(fn, s, next++);
	while (done < chunks) {
		struct t_msg r;
		if (syscall(TNR_t_srv_result, &r, 0) < 0 || r.status) {
			printf("blk_bench: result: %s / %d\n", strerror(errno), r.status);
			exit(1);
		}
		done++;
		int s = 0;
		while (s < depth && ica[s].rid != r.data)
			s++;
		if (next < chunks)
			send_chunk(fn, s, next++);
	}
	return kibps(now_ns() - t);
}

static int driver_serves(void)
{
	struct t_fn_stat st[64];
	uint32_t total = 0;
	long n = syscall(TNR_t_srv_stat, st, 64, &total);
	for (long i = 0; i < n; i++)
		if (st[i].fn == TFN_BLK_READ)
			return 1;
	return 0;
}

static void tessera_setup(void)
{
	if (!driver_serves()) {
		const char *argv[] = { "/drivers/virtio-blk", "-r", NULL };
		struct t_spawn sp = { .path = argv[0], .argv = argv, .prio = -1 };
		int pid = 0;
		if (syscall(TNR_t_proc_create, &sp, &pid) < 0)
			exit(1);
		for (int i = 0; i < 2000 && !driver_serves(); i++)
			usleep(5000);
	}
	for (int s = 0; s < INFLIGHT; s++)
		if (syscall(TNR_t_ica_create, MIB / 4096, 0, &ica[s]) < 0) {
			printf("blk_bench: t_ica_create: %s\n", strerror(errno));
			exit(1);
		}
}

static void report(const char *dir, int64_t v[NCASES][RUNS], int ncases)
{
	for (int c = 0; c < ncases; c++) {
		char key[64];
		snprintf(key, sizeof(key), "blk_%s_%s_kibps", dir, case_name[c]);
		printf("BENCH %s %lld\n", key, (long long)median(v[c], RUNS));
		print_runs(key, v[c], RUNS, 1);
	}
}

int main(void)
{
	struct utsname u;
	int tessera = uname(&u) == 0 && strcmp(u.sysname, "Tessera") == 0;
	int ncases = tessera ? NCASES : 1;
	if (tessera)
		tessera_setup();
	int fd = open("/dev/vda", O_RDWR | O_DIRECT);
	uint64_t size = 0;
	char *buf = aligned_alloc(4096, MIB);
	if (fd < 0 || !buf || ioctl(fd, BLKGETSIZE64_, &size) || size < TOTAL) {
		printf("blk_bench: /dev/vda: %s (size %llu)\n", strerror(errno),
		       (unsigned long long)size);
		return 1;
	}
	memset(buf, 0x5a, MIB);
	for (int r = 0; r < RUNS; r++) {
		rd[C_DEV][r] = dev_pass(fd, buf, 0);
		wr[C_DEV][r] = dev_pass(fd, buf, 1);
		if (!tessera)
			continue;
		rd[C_FN][r] = fn_pass(TFN_BLK_READ, 1);
		wr[C_FN][r] = fn_pass(TFN_BLK_WRITE, 1);
		rd[C_FN4][r] = fn_pass(TFN_BLK_READ, INFLIGHT);
		wr[C_FN4][r] = fn_pass(TFN_BLK_WRITE, INFLIGHT);
	}
	printf("BENCH blk_os %s\n", tessera ? "tessera" : "linux");
	report("read", rd, ncases);
	report("write", wr, ncases);
	printf("BENCH blk_done 1\n");
	return 0;
}
