/*
 * replstress: live replacement under load (docs/replacement.md; tools/repl_suite.py runs it
 * and checks the disks afterwards with e2fsprogs). Four clients issue numbered file operations
 * on /disk (writes at random offsets, truncates, renames, fsyncs, whole-file checks), each
 * verified at once against the client's own model; a fifth writes and reads seeded sectors of
 * block unit 1 through its function ids, several requests in flight. Meanwhile this process,
 * at the requester's priority, replaces the ext2 server and the two block drivers again and
 * again, in a seeded order at seeded intervals. Every operation's outcome is deterministic
 * given the seed and the number of operations a client did, so the host recomputes what the
 * disks must hold. Output lines (the suite parses them):
 *   CLIENT c OPS n         client c did n operations, every one verified
 *   BLK ROUNDS n           the block client did n rounds, every read verified
 *   REPL target n min med max (us)   replacements of each target
 *   REPLSTRESS OK | REPLSTRESS FAIL why
 *
 *   replstress [-s SEED] [-n REPLACEMENTS] [-d MAXDELAY_MS]
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "abi/errno.h"
#include "blkpat.h"
#include "libtessera.h"

#define CLIENTS 4
#define FILES 8
#define MAXF 20000u
#define MAXOFF 16384u
#define U1 TFN_BLK_STRIDE
#define REGIONS 32u
#define REG_SECTORS 64u
#define BATCH 4u
#define MAX_REPL 4096

static uint64_t seed = 1;
static int stop_fd = -1;                /* the read end of a pipe: EOF means stop */

static uint64_t mix(uint64_t x)
{
	uint64_t z = x + BLKPAT_GOLDEN;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static int stopped(void)
{
	char c;
	return read(stop_fd, &c, 1) == 0;
}

static _Noreturn void die(const char *who, uint64_t k, const char *what)
{
	printf("REPLSTRESS FAIL %s op %llu: %s\n", who, (unsigned long long)k, what);
	fflush(stdout);
	_exit(1);
}

/* ---- a file client ---------------------------------------------------------------------- */

struct model {
	uint8_t data[MAXF];
	uint32_t size;
};

static struct model files[FILES];
static char dir[32], who[16];

static void path_of(int i, char *out, size_t n)
{
	snprintf(out, n, "%s/f%d", dir, i);
}

static void check_range(int fd, int i, uint32_t off, uint32_t len, uint64_t k)
{
	static uint8_t buf[MAXF];
	if (pread(fd, buf, len, off) != (ssize_t)len || memcmp(buf, files[i].data + off, len))
		die(who, k, "read back differs");
}

static void op_write(int i, uint64_t r, int c, uint64_t k)
{
	char p[48];
	static uint8_t buf[MAXF];
	uint32_t off = (uint32_t)((r >> 16) % MAXOFF), len = 1 + (uint32_t)((r >> 32) % 3000);
	if (off + len > MAXF)
		len = MAXF - off;
	for (uint32_t j = 0; j < len; j++)
		buf[j] = (uint8_t)(c * 31 + k * 7 + j * 13);
	path_of(i, p, sizeof(p));
	int fd = open(p, O_RDWR);
	if (fd < 0 || pwrite(fd, buf, len, off) != (ssize_t)len)
		die(who, k, "write");
	struct model *m = &files[i];
	if (off > m->size)
		memset(m->data + m->size, 0, off - m->size);
	memcpy(m->data + off, buf, len);
	if (off + len > m->size)
		m->size = off + len;
	check_range(fd, i, off, len, k);
	close(fd);
}

static void op_truncate(int i, uint64_t r, uint64_t k)
{
	char p[48];
	uint32_t size = (uint32_t)((r >> 16) % MAXF);
	path_of(i, p, sizeof(p));
	if (truncate(p, size))
		die(who, k, "truncate");
	struct model *m = &files[i];
	if (size > m->size)
		memset(m->data + m->size, 0, size - m->size);
	m->size = size;
}

static void op_swap(int i, int j, uint64_t k)
{
	char a[48], b[48], t[48];
	if (i == j)
		return;
	path_of(i, a, sizeof(a));
	path_of(j, b, sizeof(b));
	snprintf(t, sizeof(t), "%s/tmp", dir);
	if (rename(a, t) || rename(b, a) || rename(t, b))
		die(who, k, "rename");
	struct model tmp = files[i];
	files[i] = files[j];
	files[j] = tmp;
}

static void op_check(int i, int do_fsync, uint64_t k)
{
	char p[48];
	struct stat st;
	path_of(i, p, sizeof(p));
	int fd = open(p, O_RDWR);
	if (fd < 0 || fstat(fd, &st) || st.st_size != files[i].size)
		die(who, k, "size differs");
	if (do_fsync && fsync(fd))
		die(who, k, "fsync");
	check_range(fd, i, 0, files[i].size, k);
	close(fd);
}

/* Operation k of client c (tools/repl_suite.py computes the same). */
static void file_op(int c, uint64_t k)
{
	uint64_t r = mix(seed * 1000003ull + (uint64_t)c * 7919ull + k);
	unsigned kind = (unsigned)(r % 16);
	int i = (int)((r >> 8) % FILES);
	if (kind <= 8)
		op_write(i, r, c, k);
	else if (kind <= 10)
		op_truncate(i, r, k);
	else if (kind == 11)
		op_swap(i, (int)((r >> 16) % FILES), k);
	else
		op_check(i, kind == 12, k);
}

static int file_client(int c)
{
	char p[48];
	snprintf(dir, sizeof(dir), "/disk/c%d", c);
	snprintf(who, sizeof(who), "client %d", c);
	uint64_t k = 0;
	for (int i = 0; i < FILES; i++) {
		path_of(i, p, sizeof(p));
		int fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			die(who, 0, "create");
		close(fd);
	}
	while (!stopped())
		file_op(c, ++k);
	for (int i = 0; i < FILES; i++)
		op_check(i, 0, k);
	printf("CLIENT %d OPS %llu\n", c, (unsigned long long)k);
	return 0;
}

/* ---- the block client (unit 1) ------------------------------------------------------------ */

static uint64_t region_seed[REGIONS];  /* 0: never written (zeros) */

static void blk_batch(uint32_t fn, const uint32_t *reg, struct t_ica *ica, uint64_t t)
{
	uint64_t ids[BATCH];
	for (uint32_t m = 0; m < BATCH; m++) {
		struct t_msg q = { .fn = fn, .data = ica[m].rid };
		q.arg[0] = (uint64_t)reg[m] * REG_SECTORS;
		q.arg[1] = REG_SECTORS;
		if (t_srv_send(&q, &ids[m]))
			die("block client", t, "send");
	}
	for (uint32_t m = 0; m < BATCH; m++) {
		struct t_msg res;
		int seen = 0;
		if (t_srv_result(&res, 0) || res.status || res.arg[0] != REG_SECTORS)
			die("block client", t, "a request failed");
		for (uint32_t j = 0; j < BATCH; j++) {
			if (ids[j] && ids[j] == res.id) {
				seen++;
				ids[j] = 0;     /* a second answer would find no id */
			}
		}
		if (seen != 1)
			die("block client", t, "an unknown or repeated answer");
	}
	struct t_msg none;
	if (t_srv_result(&none, TSRV_NONBLOCK) != -ENOENT)
		die("block client", t, "an answer too many");
}

static void blk_verify(const uint32_t *reg, struct t_ica *ica, uint64_t t)
{
	static uint64_t want[64];
	for (uint32_t m = 0; m < BATCH; m++)
		for (uint32_t s = 0; s < REG_SECTORS; s++) {
			uint64_t sector = (uint64_t)reg[m] * REG_SECTORS + s;
			if (region_seed[reg[m]])
				blkpat_sector(region_seed[reg[m]], sector, want);
			else
				memset(want, 0, sizeof(want));
			if (memcmp((char *)(uintptr_t)ica[m].addr + s * 512, want, 512))
				die("block client", t, "sector differs");
		}
}

/* Round t: BATCH distinct regions written at once, read back at once; BATCH others read. */
static void blk_round(struct t_ica *ica, uint64_t t)
{
	uint32_t reg[BATCH], other[BATCH];
	for (uint32_t m = 0; m < 2 * BATCH; m++) {
		uint32_t r = (uint32_t)(mix(seed * 31ull + t * 8 + m) % REGIONS), ok;
		do {
			ok = 1;
			for (uint32_t j = 0; j < m; j++)
				ok &= (j < BATCH ? reg[j] : other[j - BATCH]) != r;
			r = ok ? r : (r + 1) % REGIONS;
		} while (!ok);
		(m < BATCH ? reg : other)[m % BATCH] = r;
	}
	for (uint32_t m = 0; m < BATCH; m++) {
		region_seed[reg[m]] = t * BATCH + m + 1;
		blkpat_fill((void *)(uintptr_t)ica[m].addr, region_seed[reg[m]],
			    (uint64_t)reg[m] * REG_SECTORS, REG_SECTORS);
	}
	blk_batch(TFN_BLK_WRITE + U1, reg, ica, t);
	for (uint32_t m = 0; m < BATCH; m++)
		memset((void *)(uintptr_t)ica[m].addr, 0, REG_SECTORS * 512);
	blk_batch(TFN_BLK_READ + U1, reg, ica, t);
	blk_verify(reg, ica, t);
	blk_batch(TFN_BLK_READ + U1, other, ica, t);
	blk_verify(other, ica, t);
}

static int blk_client(void)
{
	struct t_ica ica[BATCH];
	uint64_t t = 0;
	for (uint32_t m = 0; m < BATCH; m++)
		if (t_ica_create(REG_SECTORS / 8, 0, &ica[m]))
			die("block client", 0, "ICA");
	while (!stopped())
		blk_round(ica, t++);
	printf("BLK ROUNDS %llu\n", (unsigned long long)t);
	return 0;
}

/* ---- the requester ------------------------------------------------------------------------ */

struct target {
	const char *name;
	uint32_t fn;
	const char *argv[4];
	uint64_t us[MAX_REPL];
	int n;
};

static struct target targets[] = {
	{ .name = "ext2", .fn = TFN_FS_READ, .argv = { "/servers/ext2", NULL } },
	{ .name = "virtio-blk", .fn = TFN_BLK_READ,
	  .argv = { "/drivers/virtio-blk", "-u", "0", NULL } },
	{ .name = "virtio-blk1", .fn = TFN_BLK_READ + U1,
	  .argv = { "/drivers/virtio-blk", "-u", "1", NULL } },
};
#define NTARGETS (int)(sizeof(targets) / sizeof(targets[0]))

static void sleep_us(uint64_t us)
{
	struct timespec ts = { (time_t)(us / 1000000), (long)(us % 1000000) * 1000 };
	nanosleep(&ts, NULL);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int replace_all(int n, uint64_t max_delay_ms)
{
	for (int i = 0; i < n; i++) {
		uint64_t r = mix(seed * 77ull + (uint64_t)i);
		struct target *tg = &targets[r % NTARGETS];
		sleep_us((r >> 8) % (max_delay_ms * 1000 + 1));
		struct t_repl_req req = { .fn = tg->fn, .path = tg->argv[0], .argv = tg->argv,
					  .deadline_ms = 20000 };
		struct t_repl_result res;
		int err = t_repl_request(&req, &res);
		if (err) {
			printf("REPLSTRESS FAIL replacement %d of %s: %d (steps %u)\n", i, tg->name,
			       err, res.steps);
			return -1;
		}
		if (tg->n < MAX_REPL)
			tg->us[tg->n++] = res.total_ns / 1000;
	}
	return 0;
}

static void report(void)
{
	for (int t = 0; t < NTARGETS; t++) {
		struct target *tg = &targets[t];
		if (!tg->n)
			continue;
		qsort(tg->us, (size_t)tg->n, sizeof(tg->us[0]), cmp_u64);
		printf("REPL %s %d %llu %llu %llu\n", tg->name, tg->n, (unsigned long long)tg->us[0],
		       (unsigned long long)tg->us[tg->n / 2], (unsigned long long)tg->us[tg->n - 1]);
	}
}

static int spawn(int (*fn)(int), int arg, int fds[2])
{
	int pid = fork();
	if (pid == 0) {
		close(fds[1]);
		stop_fd = fds[0];
		fflush(stdout);
		_exit(fn(arg));
	}
	return pid;
}

static int blk_entry(int unused)
{
	(void)unused;
	return blk_client();
}

int main(int argc, char **argv)
{
	int c, n = 300, fds[2], pids[CLIENTS + 1], failed = 0;
	uint64_t max_delay = 10;
	while ((c = getopt(argc, argv, "s:n:d:")) != -1) {
		if (c == 's')
			seed = strtoull(optarg, NULL, 0);
		else if (c == 'n')
			n = atoi(optarg);
		else if (c == 'd')
			max_delay = strtoull(optarg, NULL, 0);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (pipe(fds) || fcntl(fds[0], F_SETFL, O_NONBLOCK))
		return 2;
	for (int i = 0; i < CLIENTS; i++) {
		char d[32];
		snprintf(d, sizeof(d), "/disk/c%d", i);
		mkdir(d, 0755);
	}
	for (int i = 0; i < CLIENTS; i++)
		pids[i] = spawn(file_client, i, fds);
	pids[CLIENTS] = spawn(blk_entry, 0, fds);
	close(fds[0]);
	t_set_prio(0, 1);                      /* requester > driver > server > AP */
	sleep_us(200000);                      /* the clients under way */
	if (replace_all(n, max_delay))
		failed = 1;
	close(fds[1]);                         /* the clients stop */
	for (int i = 0; i <= CLIENTS; i++) {
		int st;
		if (waitpid(pids[i], &st, 0) != pids[i] || !WIFEXITED(st) || WEXITSTATUS(st))
			failed = 1;
	}
	report();
	sync();
	printf(failed ? "REPLSTRESS FAIL\n" : "REPLSTRESS OK\n");
	return failed;
}
